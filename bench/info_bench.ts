/**
 * lib/info estimators: `deno bench -A bench/info_bench.ts`. Sizes fit a 2-core machine. The side-by-side
 * comparison with scikit-learn is `deno run -A bench/info_ksg_vs_sklearn.ts`; GPU against CPU in one table
 * is `deno run -A bench/info_gpu_vs_cpu.ts`.
 *
 * CPU vs GPU groups (KSG k = 3 and CS-QMI σ = 1 on 1-D + 1-D pairs, end to end) run for N = 2,000, 5,000,
 * 10,000, 20,000 up to `PARSIMONY_BENCH_MAX` (default 2,000, so a software adapter such as llvmpipe
 * finishes; on a hardware GPU: `PARSIMONY_BENCH_MAX=20000 deno bench -A bench/info_bench.ts`). The GPU
 * rows are skipped when there is no WebGPU adapter.
 */
import { gpu } from "../lib/gpu/mod.ts";
import { correlatedGaussian, csQmi, csQmiAsync, kdeMiBounds, klEntropy, ksg, ksgAsync } from "../lib/info/mod.ts";

const s20k = correlatedGaussian(20000, { mi: 0.5, seed: 1 });
const s2k = correlatedGaussian(2000, { mi: 0.5, seed: 2 });
const s4k = correlatedGaussian(4096, { mi: 0.5, seed: 3 });

Deno.bench("ksg k=3, N=20000 (1-D + 1-D)", { group: "ksg" }, () => {
  ksg(s20k.x, s20k.y);
});
Deno.bench("ksg k=3, N=2000", { group: "ksg", baseline: true }, () => {
  ksg(s2k.x, s2k.y);
});
const joint20k = Array.from(s20k.x.data, (v, i) => [v, s20k.y.data[i]]);
Deno.bench("klEntropy k=3, N=20000 2-D", () => {
  klEntropy(joint20k);
});
Deno.bench("csQmi σ=1, N=4096 (CPU f64)", { group: "csQmi" }, () => {
  csQmi(s4k.x, s4k.y);
});
Deno.bench("kdeMiBounds, N=2000", () => {
  kdeMiBounds(s2k.x, null, { noiseVariance: 0.1 });
});

const xy4k = { x: s4k.x, y: s4k.y };
Deno.bench("csQmiAsync σ=1, N=4096, backend cpu (f64)", { group: "csQmi N=4096", baseline: true }, async () => {
  await csQmiAsync(xy4k.x, xy4k.y, { backend: "cpu" });
});
const HAVE_GPU = (await gpu.info()).available;
Deno.bench(
  "csQmiAsync σ=1, N=4096, backend gpu (f32 WGSL, streamed Gram rows)",
  { group: "csQmi N=4096", ignore: !HAVE_GPU },
  async () => {
    await csQmiAsync(xy4k.x, xy4k.y, { backend: "gpu" });
  },
);

const BENCH_MAX = Number(Deno.env.get("PARSIMONY_BENCH_MAX") ?? 2000);
for (const n of [2000, 5000, 10000, 20000].filter((n) => n <= BENCH_MAX)) {
  const s = correlatedGaussian(n, { mi: 0.5, seed: 10 + n });
  Deno.bench(`ksg k=3, N=${n}, CPU (k-d tree, f64)`, { group: `ksg cpu/gpu N=${n}`, baseline: true }, () => {
    ksg(s.x, s.y);
  });
  Deno.bench(
    `ksgAsync k=3, N=${n}, GPU (WGSL k-NN + guard-band counts, f64 re-check)`,
    { group: `ksg cpu/gpu N=${n}`, ignore: !HAVE_GPU },
    async () => {
      await ksgAsync(s.x, s.y, { backend: "gpu" });
    },
  );
  Deno.bench(`csQmi σ=1, N=${n}, CPU (f64)`, { group: `csQmi cpu/gpu N=${n}`, baseline: true }, () => {
    csQmi(s.x, s.y);
  });
  Deno.bench(
    `csQmiAsync σ=1, N=${n}, GPU (streamed f32 Gram rows)`,
    { group: `csQmi cpu/gpu N=${n}`, ignore: !HAVE_GPU },
    async () => {
      await csQmiAsync(s.x, s.y, { backend: "gpu" });
    },
  );
}
