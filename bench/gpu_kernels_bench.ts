/**
 * Each WGSL kernel against its f64 CPU twin, over matrix sides 2^8 … 2^12.
 *
 *   deno bench -A bench/gpu_kernels_bench.ts
 *   PARSIMONY_BENCH_MAX=4096 PARSIMONY_BENCH_CPU_MAX=1024 deno bench -A bench/gpu_kernels_bench.ts   # real GPU
 *
 * Per kernel and side n, one `deno bench` group with three rows:
 * - `cpu f64`: the twin (baseline);
 * - `gpu resident`: inputs already on the device, one submission, wait for completion
 *   (`batch.run([], { wait: true })`) — the kernel plus one host round trip;
 * - `gpu resident ×20, 1 wait`: the same pass recorded 20 times in one submission — divide
 *   by 20 for the per-pass cost an iterative solver sees when it reads back every 20 passes
 *   (Deno's `mapAsync` / `onSubmittedWorkDone` poll on a 10 ms timer, so every wait costs
 *   ≥ 10 ms whatever the GPU);
 * - `gpu end-to-end`: the public `gpu.*` op — validation, f64 → f32 upload, kernel, readback.
 *
 * Sizes: PARSIMONY_BENCH_MAX caps the side (default 512, so a software adapter such as
 * llvmpipe finishes in a few minutes); PARSIMONY_BENCH_CPU_MAX caps the CPU rows (default
 * 1024; a 4096³ f64 gemm in JavaScript takes minutes). Shapes: gemm n×n·n×n; gemv, row/column
 * reductions, softmax, map: n×n; distances and Gram: n points × n points in d = 16;
 * k-smallest: k = 10 per row of an n×n matrix.
 */
import { gpu, type GpuDevice, type GpuMatrix, runtime } from "../lib/gpu/mod.ts";
import { elementwiseMap, sumCols } from "../lib/gpu/twins.ts";
import { gaussianGram, gemm, gemv, pairwiseSqDist } from "../lib/core/blas.ts";
import { logSumExpCols, logSumExpRows, softmaxRows } from "../lib/core/reduce.ts";
import { kSmallestPerRow } from "../lib/core/select.ts";
import { Matrix } from "../lib/core/matrix.ts";
import { Rng } from "../lib/core/rng.ts";

const envInt = (name: string, dflt: number) => {
  const v = Deno.env.get(name);
  return v ? Number.parseInt(v, 10) : dflt;
};
const MAX = envInt("PARSIMONY_BENCH_MAX", 512);
const CPU_MAX = envInt("PARSIMONY_BENCH_CPU_MAX", 1024);
const SIDES = [256, 512, 1024, 2048, 4096].filter((n) => n <= MAX);
const D = 16;

const info = await gpu.info();
let dev: GpuDevice | null = null;
if (info.available) {
  dev = await runtime.device();
  console.log(
    `gpu_kernels_bench: adapter ${info.description} (fallback ${info.isFallbackAdapter}); sides ${
      SIDES.join(", ")
    }; CPU rows up to ${CPU_MAX}`,
  );
} else {
  console.log(`gpu_kernels_bench: no WebGPU adapter (${info.reason}); only CPU rows run`);
}

/** Iterations per bench: fewer for bigger problems (deno bench otherwise calibrates on its own). */
function iters(work: number): { n: number; warmup: number } {
  return { n: Math.max(3, Math.min(50, Math.floor(2 ** 28 / Math.max(1, work)))), warmup: 1 };
}

interface Case {
  /** Kernel name (the group). */
  name: string;
  /** Work units for the iteration count. */
  work: (n: number) => number;
  /** Build host inputs. */
  setup: (n: number, r: Rng) => { cpu: () => unknown; e2e: () => Promise<unknown> };
  /** Record the kernel on resident inputs; returns what must be released. */
  resident: (
    dev: GpuDevice,
    n: number,
    r: Rng,
  ) => { record: () => void; batchRun: () => Promise<unknown>; handles: GpuMatrix[] };
}

const mat = (r: Rng, n: number, m: number) => new Matrix(n, m, r.normalArray(n * m));

function residentOf(
  dev: GpuDevice,
  inputs: Matrix[],
  outs: [number, number][],
  rec: (b: ReturnType<GpuDevice["batch"]>, h: GpuMatrix[], o: GpuMatrix[]) => void,
) {
  const h = inputs.map((m) => dev.upload(m));
  const o = outs.map(([a, b]) => dev.alloc(a, b));
  const batch = dev.batch();
  return { record: () => rec(batch, h, o), batchRun: () => batch.run([], { wait: true }), handles: [...h, ...o] };
}

const CASES: Case[] = [
  {
    name: "gemm",
    work: (n) => n * n * n,
    setup: (n, r) => {
      const A = mat(r, n, n), B = mat(r, n, n);
      return { cpu: () => gemm(A, B), e2e: () => gpu.gemm(A, B, { backend: "gpu" }) };
    },
    resident: (dev, n, r) =>
      residentOf(dev, [mat(r, n, n), mat(r, n, n)], [[n, n]], (b, h, o) => b.gemm(h[0], h[1], o[0])),
  },
  {
    name: "gemv",
    work: (n) => n * n,
    setup: (n, r) => {
      const A = mat(r, n, n), x = r.normalArray(n);
      return { cpu: () => gemv(A, x), e2e: () => gpu.gemv(A, x, { backend: "gpu" }) };
    },
    resident: (dev, n, r) =>
      residentOf(dev, [mat(r, n, n), mat(r, n, 1)], [[n, 1]], (b, h, o) => b.gemv(h[0], h[1], o[0])),
  },
  {
    name: "logSumExpRows",
    work: (n) => n * n,
    setup: (n, r) => {
      const A = mat(r, n, n);
      return { cpu: () => logSumExpRows(A), e2e: () => gpu.logSumExpRows(A, { backend: "gpu" }) };
    },
    resident: (dev, n, r) => residentOf(dev, [mat(r, n, n)], [[n, 1]], (b, h, o) => b.logSumExpRows(h[0], o[0])),
  },
  {
    name: "logSumExpCols",
    work: (n) => n * n,
    setup: (n, r) => {
      const A = mat(r, n, n);
      return { cpu: () => logSumExpCols(A), e2e: () => gpu.logSumExpCols(A, { backend: "gpu" }) };
    },
    resident: (dev, n, r) => residentOf(dev, [mat(r, n, n)], [[n, 1]], (b, h, o) => b.logSumExpCols(h[0], o[0])),
  },
  {
    name: "softmaxRows",
    work: (n) => n * n,
    setup: (n, r) => {
      const A = mat(r, n, n);
      return { cpu: () => softmaxRows(A), e2e: () => gpu.softmaxRows(A, { backend: "gpu" }) };
    },
    resident: (dev, n, r) => residentOf(dev, [mat(r, n, n)], [[n, n]], (b, h, o) => b.softmaxRows(h[0], o[0])),
  },
  {
    name: "sumCols",
    work: (n) => n * n,
    setup: (n, r) => {
      const A = mat(r, n, n);
      return { cpu: () => sumCols(A), e2e: () => gpu.sumCols(A, { backend: "gpu" }) };
    },
    resident: (dev, n, r) => residentOf(dev, [mat(r, n, n)], [[n, 1]], (b, h, o) => b.sumCols(h[0], o[0])),
  },
  {
    name: "elementwiseMap exp",
    work: (n) => n * n,
    setup: (n, r) => {
      const x = r.normalArray(n * n);
      return { cpu: () => elementwiseMap(x, "exp"), e2e: () => gpu.elementwiseMap(x, "exp", { backend: "gpu" }) };
    },
    resident: (dev, n, r) =>
      residentOf(dev, [mat(r, n * n, 1)], [[n * n, 1]], (b, h, o) => b.elementwiseMap(h[0], o[0], "exp")),
  },
  {
    name: `pairwiseSqDist (d=${D})`,
    work: (n) => n * n * D,
    setup: (n, r) => {
      const X = mat(r, n, D), Y = mat(r, n, D);
      return { cpu: () => pairwiseSqDist(X, Y), e2e: () => gpu.pairwiseSqDist(X, Y, { backend: "gpu" }) };
    },
    resident: (dev, n, r) =>
      residentOf(dev, [mat(r, n, D), mat(r, n, D)], [[n, n]], (b, h, o) => b.pairwiseSqDist(h[0], h[1], o[0])),
  },
  {
    name: `gaussianGram (d=${D})`,
    work: (n) => n * n * D,
    setup: (n, r) => {
      const X = mat(r, n, D), Y = mat(r, n, D);
      return { cpu: () => gaussianGram(X, 2, Y), e2e: () => gpu.gaussianGram(X, 2, Y, { backend: "gpu" }) };
    },
    resident: (dev, n, r) =>
      residentOf(dev, [mat(r, n, D), mat(r, n, D)], [[n, n]], (b, h, o) => b.gaussianGram(h[0], h[1], o[0], 2)),
  },
  {
    name: "kSmallestPerRow (k=10)",
    work: (n) => n * n,
    setup: (n, r) => {
      const A = mat(r, n, n);
      return { cpu: () => kSmallestPerRow(A, 10), e2e: () => gpu.kSmallestPerRow(A, 10, { backend: "gpu" }) };
    },
    resident: (dev, n, r) => {
      const h = [dev.upload(mat(r, n, n))];
      const v = dev.alloc(n, 10), ix = dev.alloc(n, 10, "u32");
      const batch = dev.batch();
      return {
        record: () => batch.kSmallestPerRow(h[0], 10, v, ix),
        batchRun: () => batch.run([], { wait: true }),
        handles: [...h, v, ix],
      };
    },
  },
];

for (const c of CASES) {
  for (const n of SIDES) {
    const r = new Rng(n);
    const group = `${c.name} n=${n}`;
    const it = iters(c.work(n));
    const host = c.setup(n, r);
    if (n <= CPU_MAX) Deno.bench({ name: "cpu f64", group, baseline: true, ...it, fn: () => void host.cpu() });
    if (dev) {
      const d = dev;
      const res = c.resident(d, n, r);
      Deno.bench({
        name: "gpu resident",
        group,
        ...it,
        async fn() {
          res.record();
          await res.batchRun();
        },
      });
      Deno.bench({
        name: "gpu resident ×20, 1 wait",
        group,
        ...it,
        async fn() {
          for (let q = 0; q < 20; q++) res.record();
          await res.batchRun();
        },
      });
      Deno.bench({
        name: "gpu end-to-end",
        group,
        ...it,
        async fn() {
          const out = (await host.e2e()) as { backend: string; backendReason: string };
          if (out.backend !== "gpu") throw new Error(`${group}: ran on ${out.backend} (${out.backendReason})`);
        },
      });
    }
  }
}
