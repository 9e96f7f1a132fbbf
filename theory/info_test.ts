/**
 * Executable checks of theory/info.md (information-bottleneck estimators), public API only.
 *  T2  CS vs KL for Gaussians: only the provable versions (a) equal means, (b) symmetrised KL,
 *      (c) Σp ⪰ Σq hold on random pairs; the unconditional claim fails (O4 counterexample).
 *  §1  CS-QMI vs Shannon MI for a bivariate Gaussian: I_CS = I + log(1 − ρ²/4) < I, closed form.
 *  T3  csQmi converges to the kernel-smoothed closed form; the error shrinks with N.
 *  T4  Î_CS = −2 log(C/√(AB)) and biased HSIC = A + B − 2C.
 *  T6  KSG consistency: RMSE to the true MI shrinks with N; for x = y the estimate grows like log N.
 *  T8  lossy projection: the compressed MI undershoots by at most ((n−d)/2) log(1 + tr Cov(P⊥X)/((n−d)s²)).
 * Set PARSIMONY_THEORY_PRINT=1 to print the measured numbers quoted in theory/info.md.
 */
import assert from "node:assert/strict";
import { Rng } from "../lib/core/mod.ts";
import {
  correlatedGaussian,
  csQmi,
  gaussianCsDivergence,
  gaussianCsQmi,
  gaussianEntropy,
  gaussianKl,
  gaussianMi,
  ksg,
} from "../lib/info/mod.ts";

const PRINT = Deno.env.get("PARSIMONY_THEORY_PRINT") === "1";
const say = (...a: unknown[]) => PRINT && console.log(...a);

function randSpd(r: Rng, d: number): number[][] {
  const A = Array.from({ length: d }, () => Array.from({ length: d }, () => r.normal()));
  return Array.from({ length: d }, (_, i) =>
    Array.from({ length: d }, (_, j) => {
      let s = i === j ? 0.05 : 0;
      for (let k = 0; k < d; k++) s += A[i][k] * A[j][k];
      return s;
    }));
}

Deno.test("theory/info T2: D_CS ≤ ½(KL(p‖q)+KL(q‖p)) always, ≤ min KL with equal means, ≤ KL(p‖q) when Σp ⪰ Σq; the unconditional D_CS ≤ KL(p‖q) fails", () => {
  const r = new Rng(7);
  let vA = 0, vB = 0, vC = 0, uncond = 0, maxRatio = 0;
  const trials = 4000;
  for (let t = 0; t < trials; t++) {
    const d = 1 + (t % 4);
    const S1 = randSpd(r, d), S2 = randSpd(r, d);
    const m1 = Array.from({ length: d }, () => r.normal()), m2 = Array.from({ length: d }, () => r.normal());
    const cs = gaussianCsDivergence(m1, S1, m2, S2).value;
    const kpq = gaussianKl(m1, S1, m2, S2).value, kqp = gaussianKl(m2, S2, m1, S1).value;
    if (cs > 0.5 * (kpq + kqp) + 1e-9) vB++;
    if (cs > kpq + 1e-9) uncond++;
    maxRatio = Math.max(maxRatio, cs / kpq);
    const c0 = gaussianCsDivergence(m1, S1, m1, S2).value;
    if (c0 > Math.min(gaussianKl(m1, S1, m1, S2).value, gaussianKl(m1, S2, m1, S1).value) + 1e-9) vA++;
    const Sp = S2.map((row, i) => row.map((v, j) => v + S1[i][j]));
    if (gaussianCsDivergence(m1, Sp, m2, S2).value > gaussianKl(m1, Sp, m2, S2).value + 1e-9) vC++;
  }
  say(
    `T2: violations (a) ${vA}, (b) ${vB}, (c) ${vC} of ${trials}; unconditional D_CS > KL(p‖q) in ${uncond} (${
      (100 * uncond / trials).toFixed(1)
    }%), max D_CS/KL(p‖q) ${maxRatio.toFixed(3)}`,
  );
  assert.equal(vA + vB + vC, 0);
  assert.ok(uncond > 0, "the unconditional claim should fail on some random pairs");
  const cs = gaussianCsDivergence([0], [[0.5]], [3], [[1]]).value, kl = gaussianKl([0], [[0.5]], [3], [[1]]).value;
  assert.ok(cs > kl, "O4 counterexample");
});

Deno.test("theory/info §1: bivariate Gaussian I_CS = −½ log(1−ρ²) + log(1 − ρ²/4) < Shannon I for every ρ ∈ (0, 1)", () => {
  for (let rho = 0.05; rho < 1; rho += 0.05) {
    const C = [[1, rho], [rho, 1]];
    const ics = gaussianCsQmi(C).value, i = gaussianMi(C).value;
    assert.ok(Math.abs(ics - (i + Math.log(1 - rho * rho / 4))) < 1e-12, `ρ=${rho}`);
    assert.ok(ics < i);
  }
  say(
    `§1: ρ=0.6 I_CS ${gaussianCsQmi([[1, 0.6], [0.6, 1]]).value.toFixed(5)} vs I ${
      gaussianMi([[1, 0.6], [0.6, 1]]).value.toFixed(5)
    } nats`,
  );
});

Deno.test("theory/info T3: csQmi (σ = 1, ρ = 0.6) approaches the smoothed closed form 0.0463547 as N grows", () => {
  const target = gaussianCsQmi([[1, 0.6], [0.6, 1]], { sigmaX: 1, sigmaT: 1 }).value;
  const mi = -0.5 * Math.log(0.64);
  const rows: string[] = [];
  const errs: number[] = [];
  for (const n of [200, 800, 3200]) {
    const R = 10;
    let s = 0, s2 = 0;
    for (let rep = 0; rep < R; rep++) {
      const v = csQmi(...pair(correlatedGaussian(n, { mi, seed: 1000 * rep + n }))).value;
      s += v;
      s2 += v * v;
    }
    const m = s / R, sd = Math.sqrt(Math.max(0, s2 / R - m * m) * R / (R - 1));
    errs.push(Math.sqrt((m - target) ** 2 + sd * sd));
    rows.push(`N=${n}: mean ${m.toFixed(5)} sd ${sd.toFixed(5)}`);
    assert.ok(Math.abs(m - target) < 3 * sd / Math.sqrt(R) + 2 / n, `N=${n}: mean ${m} vs ${target}`);
  }
  say(`T3: target ${target.toFixed(7)}; ${rows.join("; ")}`);
  assert.ok(errs[2] < errs[1] && errs[1] < errs[0], `RMSE ${errs} shrinks with N`);
});

function pair(s: { x: unknown; y: unknown }): [never, never] {
  return [s.x as never, s.y as never];
}

Deno.test("theory/info T4: Î_CS = −2 log(C/√(AB)) and HSIC = A + B − 2C = A + B − 2√(AB)·exp(−Î_CS/2)", () => {
  const s = correlatedGaussian(300, { mi: 0.4, dims: 2, seed: 3 });
  const q = csQmi(s.x, s.y, { sigmaX: 1.5, sigmaT: 0.8 });
  const { a, b, c, hsic } = q.params;
  assert.ok(Math.abs(q.value + 2 * Math.log(c / Math.sqrt(a * b))) < 1e-12);
  assert.ok(Math.abs(hsic - (a + b - 2 * Math.sqrt(a * b) * Math.exp(-q.value / 2))) < 1e-14);
});

Deno.test("theory/info T6: KSG is consistent — RMSE to I = 0.5 nats shrinks with N; for x = y the estimate grows ≈ log N", () => {
  const rmse: number[] = [];
  const Ns = [250, 1000, 4000];
  for (const n of Ns) {
    let se = 0;
    const R = 10;
    for (let rep = 0; rep < R; rep++) {
      const s = correlatedGaussian(n, { mi: 0.5, dims: 1, seed: 77 * rep + n });
      se += (ksg(s.x, s.y, { seed: rep }).value - 0.5) ** 2;
    }
    rmse.push(Math.sqrt(se / R));
  }
  say(`T6: KSG-1 k=3 RMSE at N=${Ns.join("/")}: ${rmse.map((v) => v.toFixed(4)).join(" / ")}`);
  assert.ok(rmse[1] < rmse[0] && rmse[2] < rmse[1], `RMSE ${rmse}`);
  assert.ok(rmse[2] < 0.03);
  const r = new Rng(5);
  const small = r.normalArray(1000), big = r.normalArray(8000);
  const growth = ksg(big, big).value - ksg(small, small).value;
  say(`T6: I(x;x) growth from N=1000 to 8000: ${growth.toFixed(3)} vs log 8 = ${Math.log(8).toFixed(3)}`);
  assert.ok(Math.abs(growth - Math.log(8)) < 0.15);
});

Deno.test("theory/info T8: PCA-2 of X ~ N(0, diag(4, 1, .25, .01)) + N(0, 0.1 I) — entropy sandwich and MI-gap bound hold exactly", () => {
  const s2 = 0.1, lam = [4, 1, 0.25, 0.01], n = 4, d = 2;
  const diag = (v: number[]) => v.map((a, i) => v.map((_, j) => (i === j ? a : 0)));
  const h = gaussianEntropy(diag(lam.map((v) => v + s2))).value;
  const hp = gaussianEntropy(diag([4 + s2, 1 + s2])).value;
  const c = Math.log(2 * Math.PI * Math.E);
  const tail = 0.25 + 0.01;
  const lower = hp + ((n - d) / 2) * (c + Math.log(s2));
  const upper = hp + ((n - d) / 2) * (c + Math.log(s2 + tail / (n - d)));
  assert.ok(lower <= h && h <= upper);
  const trueI = h - (n / 2) * (c + Math.log(s2));
  const compressed = hp - (d / 2) * (c + Math.log(s2));
  const bound = ((n - d) / 2) * Math.log(1 + tail / ((n - d) * s2));
  say(
    `T8: h ${h.toFixed(5)} ∈ [${lower.toFixed(5)}, ${upper.toFixed(5)}]; I ${trueI.toFixed(5)}, compressed ${
      compressed.toFixed(5)
    }, gap ${(trueI - compressed).toFixed(5)} ≤ ${bound.toFixed(5)}`,
  );
  assert.ok(trueI - compressed <= bound + 1e-12);
  assert.ok(Math.abs(h - 4.80035) < 1e-5 && Math.abs(bound - 0.83291) < 1e-5);
});
