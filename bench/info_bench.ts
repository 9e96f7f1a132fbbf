/**
 * lib/info estimators: `deno bench -A bench/info_bench.ts`. Sizes fit a 2-core machine. The side-by-side
 * comparison with scikit-learn is `deno run -A bench/info_ksg_vs_sklearn.ts`.
 */
import { correlatedGaussian, csQmi, kdeMiBounds, klEntropy, ksg } from "../lib/info/mod.ts";

const s20k = correlatedGaussian(20000, { mi: 0.5, seed: 1 });
const s2k = correlatedGaussian(2000, { mi: 0.5, seed: 2 });
const s4k = correlatedGaussian(4096, { mi: 0.5, seed: 3 });

Deno.bench("ksg k=3, N=20000 (1-D + 1-D)", { group: "ksg" }, () => {
  ksg(s20k.x, s20k.y);
});
Deno.bench("ksg k=3, N=2000", { group: "ksg", baseline: true }, () => {
  ksg(s2k.x, s2k.y);
});
Deno.bench("klEntropy k=3, N=20000 2-D", () => {
  klEntropy(s20k.x.data.length === 20000 ? Array.from(s20k.x.data, (v, i) => [v, s20k.y.data[i]]) : s20k.x);
});
Deno.bench("csQmi σ=1, N=4096 (CPU f64)", { group: "csQmi" }, () => {
  csQmi(s4k.x, s4k.y);
});
Deno.bench("kdeMiBounds, N=2000", () => {
  kdeMiBounds(s2k.x, null, { noiseVariance: 0.1 });
});
