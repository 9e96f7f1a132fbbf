/**
 * The card's independence oracle for every MI estimator: on independent x, y the estimate lies within
 * 3 sd of its own permutation null (50 shuffles of y). Sample sizes keep each estimator under ~1 s.
 */
import { assert } from "../_helpers.ts";
import { Rng } from "../../lib/core/rng.ts";
import {
  adaptiveBinningMi,
  binnedMi,
  csQmi,
  gaussianMiSamples,
  kdeMiBounds,
  klMi,
  mixedKsg,
} from "../../lib/info/mod.ts";

function checkNull(name: string, n: number, est: (x: Float64Array, y: Float64Array) => number, seed: number) {
  const r = new Rng(seed);
  const x = r.normalArray(n), y = r.normalArray(n);
  const e = est(x, y);
  const vals: number[] = [];
  for (let p = 0; p < 50; p++) {
    const perm = r.permutation(n);
    vals.push(est(x, Float64Array.from(perm, (i) => y[i])));
  }
  const m = vals.reduce((a, b) => a + b) / vals.length;
  const sd = Math.sqrt(vals.reduce((a, b) => a + (b - m) ** 2, 0) / (vals.length - 1));
  assert.ok(Math.abs(e - m) <= 3 * sd, `${name}: estimate ${e}, permutation ${m} ± ${sd}`);
}

Deno.test("permutation null: csQmi (N=300), klMi (N=500), binnedMi MM (N=1000), gaussianMiSamples (N=1000) within 3 sd", () => {
  checkNull("csQmi", 300, (x, y) => csQmi(x, y).value, 1);
  checkNull("klMi", 500, (x, y) => klMi(x, y).value, 2);
  checkNull("binnedMi", 1000, (x, y) => binnedMi(x, y, { bins: 8, correction: "millerMadow" }).value, 3);
  checkNull("gaussianMiSamples", 1000, (x, y) => gaussianMiSamples(x, y).value, 4);
});

Deno.test("permutation null: label estimators mixedKsg, EBAB I(T;Y), KDE I(T;Y) (N=400) within 3 sd", () => {
  const lab = (y: Float64Array) => Array.from(y, (v) => (v > 0 ? 1 : 0));
  checkNull("mixedKsg", 400, (x, y) => mixedKsg(x, lab(y)).value, 5);
  checkNull(
    "EBAB",
    400,
    (x, y) => adaptiveBinningMi(Array.from(x, (v) => [Math.tanh(v)]), lab(y), { bins: 10 }).ity!,
    6,
  );
  checkNull("KDE", 400, (x, y) => kdeMiBounds(Array.from(x, (v) => [v]), lab(y), { noiseVariance: 0.1 }).ity!.upper, 7);
});
