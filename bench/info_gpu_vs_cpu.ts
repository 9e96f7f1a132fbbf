/**
 * The information estimators' GPU paths against their f64 CPU paths, side by side in one run:
 *
 *     deno run -A bench/info_gpu_vs_cpu.ts [--max 20000] [--reps 3]
 *
 * For N = 2,000, 5,000, 10,000, 20,000 (capped by `--max`; default 20,000 on a hardware adapter, 5,000 on
 * a software one such as llvmpipe, where every "GPU" number is CPU emulation) it times, end to end
 * (validation, upload, kernels, readback, host finishing; best of `reps` after one warm-up that also
 * compiles the shaders):
 * - KSG-1, k = 3, on 1-D + 1-D and 4-D + 4-D Gaussian pairs: `ksg` (k-d tree, f64) vs `ksgAsync` with
 *   `backend: "gpu"` (brute-force WGSL k-NN and guard-band counts, f64 re-check) — values must be equal;
 * - CS-QMI, σ = 1, on the 1-D + 1-D pairs: `csQmi` (f64, blocked Gram rows) vs `csQmiAsync` with
 *   `backend: "gpu"` (streamed f32 Gram rows with Kahan sums) — |difference| printed.
 * It prints the adapter, a markdown table (ratio = CPU time / GPU time; > 1 means the GPU path is
 * faster) and the re-check counters of the GPU KSG path.
 */
import { parseArgs } from "node:util";
import { gpu } from "../lib/gpu/mod.ts";
import { Matrix } from "../lib/core/matrix.ts";
import { correlatedGaussian, csQmi, csQmiAsync, ksg, ksgAsync } from "../lib/info/mod.ts";

const info = await gpu.info();
if (!info.available) {
  console.log(`no WebGPU adapter (${info.reason}); nothing to compare`);
  Deno.exit(0);
}
const software = info.isFallbackAdapter;
const { values: args } = parseArgs({
  options: { max: { type: "string" }, reps: { type: "string", default: "3" } },
});
const MAX = Number(args.max ?? (software ? 5000 : 20000));
const reps = Number(args.reps);
const SIZES = [2000, 5000, 10000, 20000].filter((n) => n <= MAX);

async function best<T>(f: () => T | Promise<T>): Promise<{ ms: number; value: T }> {
  let value = await f(); // warm-up (JIT, shader compilation)
  let ms = Infinity;
  for (let r = 0; r < reps; r++) {
    const t0 = performance.now();
    value = await f();
    ms = Math.min(ms, performance.now() - t0);
  }
  return { ms, value };
}

function widen(v: Matrix, d: number, seed: number): Matrix {
  // d columns: the dependent one plus d − 1 independent N(0, 1) columns (same MI, harder neighbour search)
  const n = v.rows, out = new Matrix(n, d);
  let s = seed >>> 0;
  const u = () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) + 0.5) / 2 ** 32;
  for (let i = 0; i < n; i++) {
    out.set(i, 0, v.get(i, 0));
    for (let c = 1; c < d; c++) out.set(i, c, Math.sqrt(-2 * Math.log(u())) * Math.cos(2 * Math.PI * u()));
  }
  return out;
}

const fmt = (ms: number) => (ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${ms.toFixed(1)} ms`);
const rows: string[] = [];
const notes: string[] = [];
console.log(`adapter: ${info.description}${software ? " (software fallback: GPU columns are CPU emulation)" : ""}`);
console.log(`sizes ${SIZES.join(", ")}, best of ${reps} after one warm-up\n`);
for (const n of SIZES) {
  const s = correlatedGaussian(n, { mi: -0.5 * Math.log(1 - 0.36), seed: n });
  for (const d of [1, 4]) {
    const x = d === 1 ? s.x : widen(s.x, d, n), y = d === 1 ? s.y : widen(s.y, d, 2 * n);
    const c = await best(() => ksg(x, y));
    const g = await best(() => ksgAsync(x, y, { backend: "gpu" }));
    const same = g.value.value === c.value.value
      ? "identical"
      : `DIFFERS by ${Math.abs(g.value.value - c.value.value)}`;
    rows.push(
      `| KSG-1 k=3, ${d}-D + ${d}-D | ${n} | ${fmt(c.ms)} | ${fmt(g.ms)} | ${(c.ms / g.ms).toFixed(2)} | ${same} |`,
    );
    notes.push(`N=${n} ${d}-D: ${JSON.stringify(g.value.gpu)}`);
  }
  const cq = await best(() => csQmi(s.x, s.y));
  const gq = await best(() => csQmiAsync(s.x, s.y, { backend: "gpu" }));
  rows.push(
    `| CS-QMI σ=1, 1-D + 1-D | ${n} | ${fmt(cq.ms)} | ${fmt(gq.ms)} | ${(cq.ms / gq.ms).toFixed(2)} | ${
      Math.abs(gq.value.value - cq.value.value).toExponential(1)
    } |`,
  );
}
console.log("| estimator | N | CPU f64 | GPU (end to end) | CPU / GPU | GPU vs CPU value |");
console.log("| --- | --- | --- | --- | --- | --- |");
for (const r of rows) console.log(r);
console.log("\nGPU KSG re-check counters:");
for (const n of notes) console.log(`  ${n}`);
