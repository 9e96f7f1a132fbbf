import { assert, assertClose, assertThrowsArg } from "../_helpers.ts";
import { Rng } from "../../lib/core/rng.ts";
import {
  correlatedGaussian,
  gaussianCsDivergence,
  gaussianCsQmi,
  gaussianEntropy,
  gaussianKl,
  gaussianMi,
  gaussianMiSamples,
} from "../../lib/info/mod.ts";

Deno.test("gaussianCsDivergence / gaussianKl: O1 N(0,1) vs N(1,4) (1e-10)", () => {
  assertClose(gaussianCsDivergence([0], [[1]], [1], [[4]]).value, 0.4231435513, 0, 1e-10);
  assertClose(gaussianKl([0], [[1]], [1], [[4]]).value, 0.4431471806, 0, 1e-10);
  assertClose(gaussianKl([1], [[4]], [0], [[1]]).value, 1.3068528194, 0, 1e-10);
});

Deno.test("gaussianCsDivergence: O1 cross-check by quadrature of ∫pq, ∫p², ∫q² (1e-9)", () => {
  const p = (x: number) => Math.exp(-x * x / 2) / Math.sqrt(2 * Math.PI);
  const q = (x: number) => Math.exp(-((x - 1) ** 2) / 8) / Math.sqrt(8 * Math.PI);
  const integ = (f: (x: number) => number) => { // composite Simpson on [−30, 30]
    const n = 60000, a = -30, h = 60 / n;
    let s = f(a) + f(a + 60);
    for (let i = 1; i < n; i++) s += (i % 2 ? 4 : 2) * f(a + i * h);
    return (s * h) / 3;
  };
  const d = -2 * Math.log(integ((x) => p(x) * q(x))) + Math.log(integ((x) => p(x) ** 2)) +
    Math.log(integ((x) => q(x) ** 2));
  assertClose(gaussianCsDivergence([0], [[1]], [1], [[4]]).value, d, 1e-9);
});

Deno.test("gaussianCsDivergence: O4 counterexample p=N(0,.5), q=N(3,1): D_CS = 6.0588915 > KL(p‖q) = 4.5965736 (1e-6)", () => {
  const cs = gaussianCsDivergence([0], [[0.5]], [3], [[1]]).value;
  const kl = gaussianKl([0], [[0.5]], [3], [[1]]).value;
  assertClose(cs, 6.0588915, 0, 1e-6);
  assertClose(kl, 4.5965736, 0, 1e-6);
  assertClose(gaussianKl([3], [[1]], [0], [[0.5]]).value, 9.15343, 0, 1e-5);
  assert.ok(cs > kl); // the unconditional "CS ≤ KL" claim is false
});

function randSpd(r: Rng, d: number): number[][] {
  const A = Array.from({ length: d }, () => Array.from({ length: d }, () => r.normal()));
  const S = Array.from({ length: d }, (_, i) =>
    Array.from({ length: d }, (_, j) => {
      let s = i === j ? 0.05 : 0;
      for (let k = 0; k < d; k++) s += A[i][k] * A[j][k];
      return s;
    }));
  return S;
}

Deno.test("T2 O5: on 10⁴ random Gaussian pairs (1–4-D) no violation of (a) equal means ⇒ D_CS ≤ min KL, (b) D_CS ≤ ½(KL+KL'), (c) Σp ⪰ Σq ⇒ D_CS ≤ KL(p‖q) (1e-9)", () => {
  const r = new Rng(2024);
  let violations = 0;
  for (let trial = 0; trial < 10000; trial++) {
    const d = 1 + (trial % 4);
    const S1 = randSpd(r, d), S2 = randSpd(r, d);
    const m1 = Array.from({ length: d }, () => r.normal()), m2 = Array.from({ length: d }, () => r.normal());
    const cs = gaussianCsDivergence(m1, S1, m2, S2).value;
    const kpq = gaussianKl(m1, S1, m2, S2).value, kqp = gaussianKl(m2, S2, m1, S1).value;
    if (cs > 0.5 * (kpq + kqp) + 1e-9) violations++; // (b)
    if (trial % 3 === 0) { // (a)
      const c0 = gaussianCsDivergence(m1, S1, m1, S2).value;
      if (c0 > Math.min(gaussianKl(m1, S1, m1, S2).value, gaussianKl(m1, S2, m1, S1).value) + 1e-9) violations++;
    }
    if (trial % 3 === 1) { // (c) Σp = Σq + PSD
      const Sp = S2.map((row, i) => row.map((v, j) => v + S1[i][j]));
      if (gaussianCsDivergence(m1, Sp, m2, S2).value > gaussianKl(m1, Sp, m2, S2).value + 1e-9) violations++;
    }
  }
  assert.equal(violations, 0);
});

Deno.test("T1: equal covariances give D_CS = ½ΔᵀΣ⁻¹Δ = KL both ways", () => {
  const S = [[2, 0.3], [0.3, 1]];
  const cs = gaussianCsDivergence([1, 2], S, [0, 0], S).value;
  assertClose(cs, gaussianKl([1, 2], S, [0, 0], S).value, 1e-12);
  assertClose(cs, gaussianKl([0, 0], S, [1, 2], S).value, 1e-12);
});

Deno.test("gaussianMi: O8 Σ=[[1,.5,.3],[.5,1,.4],[.3,.4,1]], X = first two: 0.0951768642 (1e-10); ρ-form −½ log(1−ρ²)", () => {
  assertClose(gaussianMi([[1, 0.5, 0.3], [0.5, 1, 0.4], [0.3, 0.4, 1]], { dx: 2 }).value, 0.0951768642, 0, 1e-10);
  assertClose(gaussianMi([[1, 0.6], [0.6, 1]]).value, -0.5 * Math.log(0.64), 1e-14);
  assertClose(gaussianMi([[1, 0.6], [0.6, 1]], { unit: "bits" }).value, -0.5 * Math.log2(0.64), 1e-14);
});

Deno.test("gaussianMiSamples: exact on a hand example and consistent on 20k Gaussian samples", () => {
  assertClose(gaussianMiSamples([1, 2, 3, 4], [1, 3, 2, 4]).value, -0.5 * Math.log(1 - 0.64), 1e-14); // ρ = 0.8
  const g = correlatedGaussian(20000, { mi: 1.5, dims: 3, seed: 2 });
  assertClose(gaussianMiSamples(g.x, g.y).value, 1.5, 0, 0.03);
});

Deno.test("gaussianCsQmi: T3 closed form ρ=0.6, σ=1 gives 0.0463546991 (O3); σ=0 gives log[(1−ρ²/4)/√(1−ρ²)] = 0.12883", () => {
  const C = [[1, 0.6], [0.6, 1]];
  assertClose(gaussianCsQmi(C, { sigmaX: 1, sigmaT: 1 }).value, 0.0463546991, 0, 1e-10);
  const rho = 0.6, a = 1.5;
  assertClose(
    gaussianCsQmi(C, { sigmaX: 1, sigmaT: 1 }).value,
    Math.log((a * a - rho * rho / 4) / Math.sqrt((a * a - rho * rho) * a * a)),
    1e-13,
  );
  assertClose(gaussianCsQmi(C).value, Math.log((1 - 0.09) / Math.sqrt(0.64)), 1e-13);
  assertClose(gaussianCsQmi(C).value, 0.12883, 0, 1e-5);
});

Deno.test("O16 T8 projection bound: X~N(0,diag(4,1,.25,.01)), s²=0.1, d=2 — h, bounds, true and compressed I (1e-5)", () => {
  const s2 = 0.1, lam = [4, 1, 0.25, 0.01];
  const hXZ = gaussianEntropy(lam.map((v, i) => lam.map((_, j) => (i === j ? v + s2 : 0)))).value;
  const hProj = gaussianEntropy([[4 + s2, 0], [0, 1 + s2]]).value;
  const c = Math.log(2 * Math.PI * Math.E);
  const lower = hProj + ((4 - 2) / 2) * (c + Math.log(s2));
  const upper = hProj + ((4 - 2) / 2) * (c + Math.log(s2 + (0.25 + 0.01) / 2));
  assertClose(hXZ, 4.80035, 0, 1e-5);
  assertClose(lower, 4.12632, 0, 1e-5);
  assertClose(upper, 4.95923, 0, 1e-5);
  assert.ok(lower <= hXZ && hXZ <= upper);
  const trueI = hXZ - 2 * (c + Math.log(s2));
  const compressedI = gaussianMi([[4, 0, 4, 0], [0, 1, 0, 1], [4, 0, 4 + s2, 0], [0, 1, 0, 1 + s2]], { dx: 2 }).value;
  assertClose(trueI, 3.72977, 0, 1e-5);
  assertClose(compressedI, 3.05573, 0, 1e-5);
  assertClose(trueI - compressedI, 0.67404, 0, 1e-5);
  assert.ok(trueI - compressedI <= ((4 - 2) / 2) * Math.log(1 + 0.26 / (2 * s2)) + 1e-12); // bound 0.83291
  assertClose(((4 - 2) / 2) * Math.log(1 + 0.26 / (2 * s2)), 0.83291, 0, 1e-5);
});

Deno.test("gaussian closed forms: bad inputs name the argument", () => {
  assertThrowsArg(() => gaussianMi([[1, 2], [2, 1]]), "cov", "domain");
  assertThrowsArg(() => gaussianMi([[1, 0, 0], [0, 1, 0]]), "cov", "shape");
  assertThrowsArg(() => gaussianMi([[1, 0], [0, 1]], { dx: 2 }), "options.dx", "domain");
  assertThrowsArg(() => gaussianMi([[1, NaN], [0, 1]]), "cov[0][1]", "nonFinite");
  assertThrowsArg(() => gaussianKl([0, 0], [[1]], [0], [[1]]), "mean1", "shape");
  assertThrowsArg(() => gaussianKl([0], [[1]], [0], [[1, 0], [0, 1]]), "cov2", "shape");
  assertThrowsArg(() => gaussianCsDivergence([0], [[-1]], [0], [[1]]), "cov1", "domain");
  assertThrowsArg(() => gaussianCsQmi([[1, 0.5], [0.5, 1]], { sigmaX: -1 }), "options.sigmaX", "option");
  assertThrowsArg(() => gaussianMiSamples([1, 2], [1, 2, 3]), "y", "shape");
});
