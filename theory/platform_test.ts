/**
 * Platform identities the families' theory pages rely on, checked numerically:
 *  - log-sum-exp is 1-Lipschitz in ℓ∞ and convex (its Hessian is the softmax covariance), so
 *    |LSE(x) − LSE(y)| ≤ ‖x − y‖∞ and LSE(½(x + y)) ≤ ½(LSE(x) + LSE(y));
 *  - the sample mean of N seeded draws has standard error σ/√N: over R replicates the spread of
 *    the means matches σ/√N within the chi-square sampling error of a variance estimate.
 */
import assert from "node:assert/strict";
import { logSumExp, mean, Rng, spawnSeeds, variance } from "../lib/core/mod.ts";

Deno.test("theory/platform: LSE is 1-Lipschitz in ℓ∞ and midpoint convex on random inputs", () => {
  const r = new Rng(101);
  for (let t = 0; t < 200; t++) {
    const n = 1 + r.integer(20);
    const x = r.normalArray(n, 0, 50), y = r.normalArray(n, 0, 50);
    const dInf = Math.max(...x.map((v, i) => Math.abs(v - y[i])));
    const lx = logSumExp(x), ly = logSumExp(y);
    assert.ok(Math.abs(lx - ly) <= dInf * (1 + 1e-12) + 1e-12, "Lipschitz");
    const mid = logSumExp(x.map((v, i) => (v + y[i]) / 2));
    assert.ok(mid <= (lx + ly) / 2 + 1e-12 * (Math.abs(lx) + Math.abs(ly)), "convex");
  }
});

Deno.test("theory/platform: spread of replicate means equals σ/√N (within 4 SE of a variance estimate)", () => {
  const R = 400, N = 250, sigma = 2;
  const means = spawnSeeds(7, R).map((s) => mean(new Rng(s).normalArray(N, 0, sigma)));
  const v = variance(means);
  const predicted = sigma * sigma / N;
  // Var of a sample variance of R normal values: 2σ⁴/(R − 1).
  const se = predicted * Math.sqrt(2 / (R - 1));
  assert.ok(Math.abs(v - predicted) <= 4 * se, `observed ${v}, predicted ${predicted} ± ${se}`);
});
