/**
 * lib/info estimators: `deno bench -A bench/info_bench.ts`. Sizes fit a 2-core machine. The side-by-side
 * comparison with scikit-learn is `deno run -A bench/info_ksg_vs_sklearn.ts`.
 */
import { correlatedGaussian, csQmi, csQmiAsync, kdeMiBounds, klEntropy, ksg } from "../lib/info/mod.ts";

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
Deno.bench(
  "csQmiAsync σ=1, N=4096, backend gpu (f32 WGSL, streamed Gram rows)",
  { group: "csQmi N=4096" },
  async () => {
    await csQmiAsync(xy4k.x, xy4k.y, { backend: "gpu" });
  },
);
