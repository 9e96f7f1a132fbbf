import { assert, assertClose, assertThrowsArg } from "../_helpers.ts";
import { Rng } from "../../lib/core/rng.ts";
import { gaussianGram } from "../../lib/core/blas.ts";
import {
  correlatedGaussian,
  csConditional,
  csDivergence,
  csQmi,
  csQmiNormalized,
  gaussianCsDivergence,
} from "../../lib/info/mod.ts";
import { fixtures } from "./_fixtures.ts";

Deno.test("csDivergence: O6 a=[0,1,2], b=[0.5,2.5], σ=1 equals 0.1475983784 (1e-12) and brute-force loops", () => {
  const r = csDivergence([0, 1, 2], [0.5, 2.5]);
  assertClose(r.value, 0.1475983784, 0, 1e-10);
  // brute force in plain loops
  const a = [0, 1, 2], b = [0.5, 2.5];
  const k = (u: number, v: number) => Math.exp(-((u - v) ** 2) / 2);
  let pp = 0, qq = 0, pq = 0;
  for (const u of a) for (const v of a) pp += k(u, v);
  for (const u of b) for (const v of b) qq += k(u, v);
  for (const u of a) for (const v of b) pq += k(u, v);
  const bf = Math.log(pp / 9) + Math.log(qq / 4) - 2 * Math.log(pq / 6);
  assertClose(r.value, bf, 1e-12);
  assert.equal(r.unit, "nats");
  assert.equal(r.params.sigma, 1);
  assertClose(csDivergence([0, 1, 2], [0.5, 2.5], { unit: "bits" }).value, bf / Math.LN2, 1e-12);
});

Deno.test("csDivergence: matches the NumPy log-domain reference fixture (1e-12)", async () => {
  const f = (await fixtures()).cs;
  assertClose(csDivergence(f.x, f.b, { sigma: 0.9 }).value, f.div, 1e-12);
});

Deno.test("csDivergence: far-apart samples give a large finite value, not Infinity (log-domain cross term)", () => {
  const r = csDivergence([0, 0.1, 0.2], [100, 100.1], { sigma: 0.5 });
  assert.ok(Number.isFinite(r.value) && r.value > 1e4, `got ${r.value}`);
  // exact: cross term dominated by the closest pair (0.2, 100): D2/(2σ²) = 99.8² · 2
  assertClose(
    r.params.logPq,
    -(99.8 ** 2) * 2 + Math.log(1 + Math.exp(-(99.9 ** 2 - 99.8 ** 2) * 2)) - Math.log(6),
    1e-12,
  );
});

Deno.test("csDivergence: O2 N=M=3000 of N(0,1) vs N(1,4), σ=1: 5-seed mean within 0.03 of the smoothed target 0.3105077029", () => {
  // T3: smoothed target = D_CS(N(0, 1 + 1/2), N(1, 4 + 1/2)).
  const target = gaussianCsDivergence([0], [[1.5]], [1], [[4.5]]).value;
  assertClose(target, 0.3105077029, 0, 1e-9);
  let s = 0;
  for (let seed = 0; seed < 5; seed++) {
    const r = new Rng(100 + seed);
    s += csDivergence(r.normalArray(3000), r.normalArray(3000, 1, 2)).value;
  }
  assert.ok(Math.abs(s / 5 - target) < 0.03, `mean ${s / 5} vs ${target}`);
});

Deno.test("csDivergence: O12 ≥ 0, symmetric, 0 for identical samples, invariant to permutations", () => {
  const r = new Rng(3);
  const a = Array.from({ length: 40 }, () => [r.normal(), r.normal()]);
  const b = Array.from({ length: 30 }, () => [r.normal(0.5), r.normal()]);
  const d = csDivergence(a, b, { sigma: 0.8 }).value;
  assert.ok(d > 0);
  assertClose(csDivergence(b, a, { sigma: 0.8 }).value, d, 1e-12);
  assertClose(csDivergence(a, a).value, 0, 0, 1e-14);
  const perm = r.permutation(a.length);
  assertClose(csDivergence(Array.from(perm, (i) => a[i]), b, { sigma: 0.8 }).value, d, 1e-12);
});

Deno.test("csDivergence: σ rules resolve on the pooled sample and are recorded", () => {
  const r = csDivergence([0, 1, 3], [4, 5], { sigma: "medianDist" });
  // pooled [0,1,3,4,5]: pairwise distances 1,3,4,5,2,3,4,1,2,1 → median 2.5
  assert.equal(r.params.sigma, 2.5);
  assert.equal(r.params.sigmaRule, "medianDist");
});

Deno.test("csQmi: matches the NumPy tr(KQ), 1ᵀK1·1ᵀQ1, 1ᵀKQ1 fixture (1e-12) with σx=1.3, σt=0.7", async () => {
  const f = (await fixtures()).cs;
  const r = csQmi(f.x, f.t, { sigmaX: 1.3, sigmaT: 0.7 });
  assertClose(r.value, f.qmi, 1e-11);
  assertClose(r.params.a, f.a, 1e-13);
  assertClose(r.params.b, f.bb, 1e-13);
  assertClose(r.params.c, f.c, 1e-13);
});

Deno.test("csQmi: released-code σ rule (10 × median squared distance of cat([x,x])) and log2 match NumPy (1e-15 absolute)", async () => {
  const f = (await fixtures()).cs;
  const r = csQmi(f.x, f.t, { sigmaX: "releasedCode", sigmaT: "releasedCode", unit: "bits" });
  assertClose(r.params.sigmaX, f.releasedSigmaX, 1e-13);
  assertClose(r.params.sigmaT, f.releasedSigmaT, 1e-13);
  assertClose(r.value, f.qmiReleasedBits, 1e-8, 1e-15); // tiny value (σ ≈ 50): difference of nearly equal logs
  assert.equal(r.unit, "bits");
});

Deno.test("csQmiNormalized: equals Î(x;t)/√(Î(x;x)Î(t;t)) of the NumPy reference (1e-12); 1 for t = x", async () => {
  const f = (await fixtures()).cs;
  assertClose(csQmiNormalized(f.x, f.t).value, f.qmiNormalized, 1e-11);
  assertClose(csQmiNormalized(f.x, f.x).value, 1, 1e-14);
  const nb = csQmiNormalized(f.x, f.t, { unit: "bits" });
  assertClose(nb.value, f.qmiNormalized, 1e-11); // the ratio has no unit
  assertClose(nb.params.xt * Math.LN2, csQmi(f.x, f.t).value, 1e-12);
});

Deno.test("csQmi: O3 ρ=0.6, σ=1, N=2000: 5-seed mean within 3 sd (sd 0.0024) of 0.0463546991", () => {
  let s = 0;
  for (let seed = 0; seed < 5; seed++) {
    const g = correlatedGaussian(2000, { mi: -0.5 * Math.log(1 - 0.36), seed });
    s += csQmi(g.x, g.y).value;
  }
  assert.ok(Math.abs(s / 5 - 0.0463546991) < 3 * 0.0024, `mean ${s / 5}`);
});

Deno.test("csQmi: O12 and O19 — symmetric, permutation-invariant, 0 for constant t, HSIC = A + B − 2C = tr(KHQH)/N²", () => {
  const r = new Rng(11);
  const n = 50;
  const x = Array.from({ length: n }, () => [r.normal(), r.normal()]);
  const t = x.map((v) => [Math.tanh(v[0] - v[1]) + 0.2 * r.normal()]);
  const q = csQmi(x, t, { sigmaX: 1.2, sigmaT: 0.6 });
  assert.ok(q.value > 0);
  assertClose(csQmi(t, x, { sigmaX: 0.6, sigmaT: 1.2 }).value, q.value, 1e-12);
  const p = r.permutation(n);
  assertClose(
    csQmi(Array.from(p, (i) => x[i]), Array.from(p, (i) => t[i]), { sigmaX: 1.2, sigmaT: 0.6 }).value,
    q.value,
    1e-12,
  );
  assertClose(csQmi(x, new Array(n).fill(2)).value, 0, 0, 1e-12);
  // tr(KHQH)/N² by explicit centring
  const K = gaussianGram(x, 1.2), Q = gaussianGram(t, 0.6);
  const center = (M: Float64Array) => {
    const out = new Float64Array(n * n), rm = new Float64Array(n), cm = new Float64Array(n);
    let tot = 0;
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < n; j++) {
        rm[i] += M[i * n + j] / n;
        cm[j] += M[i * n + j] / n;
        tot += M[i * n + j] / (n * n);
      }
    }
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) out[i * n + j] = M[i * n + j] - rm[i] - cm[j] + tot;
    return out;
  };
  const Kc = center(K.data);
  let hsic = 0;
  for (let i = 0; i < n * n; i++) hsic += Kc[i] * Q.data[i];
  hsic /= n * n;
  assertClose(q.params.hsic, hsic, 1e-9, 1e-15);
  // T4: Î_CS = −2 log(C/√(AB))
  assertClose(q.value, -2 * Math.log(q.params.c / Math.sqrt(q.params.a * q.params.b)), 1e-12);
});

Deno.test("csConditional: paper variant matches NumPy (σx=1.1, σy=0.8), released-code variant matches loss_cs.CS_Div in bits (1e-12)", async () => {
  const f = (await fixtures()).cs;
  assertClose(csConditional(f.x, f.y, f.yHat, { sigmaX: 1.1, sigmaY: 0.8 }).value, f.condPaper, 1e-11);
  const code = csConditional(f.x, f.y, f.yHat, { variant: "released-code", unit: "bits" });
  assertClose(code.value, f.condCodeBits, 1e-11);
  assert.equal(code.params.variant, "released-code");
});

Deno.test("csConditional: O11 — exactly 0 for ŷ = y; σx → 0 gives the correntropy loss −2 log mean exp(−e²/2σy²) (1e-10)", () => {
  const r = new Rng(5);
  const x = Array.from({ length: 30 }, (_, i) => [i * 10 + r.uniform()]); // well separated: K → I at σx = 1e-3
  const y = x.map((v) => [Math.sin(v[0])]);
  const yh = y.map((v) => [v[0] + 0.3 * r.normal()]);
  assert.equal(csConditional(x, y, y).value, 0);
  const sy = 0.7;
  let m = 0;
  for (let j = 0; j < 30; j++) m += Math.exp(-((y[j][0] - yh[j][0]) ** 2) / (2 * sy * sy)) / 30;
  assertClose(csConditional(x, y, yh, { sigmaX: 1e-3, sigmaY: sy }).value, -2 * Math.log(m), 1e-10);
});

Deno.test("csConditional: far-off predictions stay finite (log-domain C); the estimate may be negative (sign not asserted)", () => {
  const x = [[0], [1], [2], [3]];
  const r = csConditional(x, [0, 1, 2, 3], [500, 501, 502, 503], { sigmaY: 0.1 });
  assert.ok(Number.isFinite(r.value) && r.value > 1e6);
});

Deno.test("cs estimators: bad inputs name the argument", () => {
  assertThrowsArg(() => csDivergence([0], [1, 2]), "a", "shape");
  assertThrowsArg(() => csDivergence([0, 1], [[1, 2], [3, 4]]), "b", "shape");
  assertThrowsArg(() => csDivergence([0, NaN], [1, 2]), "a[1]", "nonFinite");
  assertThrowsArg(() => csDivergence([0, 1], [1, 2], { sigma: 0 }), "options.sigma", "domain");
  assertThrowsArg(() => csDivergence([0, 1], [1, 2], { sigma: -1 }), "options.sigma", "domain");
  assertThrowsArg(() => csDivergence([0, 1], [1, 2], { sigma: "median" as never }), "options.sigma", "option");
  assertThrowsArg(() => csDivergence([0, 1], [1, 2], { unit: "nat" as never }), "options.unit", "option");
  assertThrowsArg(() => csDivergence([0, 1], [1, 2], { sigmas: 1 } as never), "options.sigmas", "option");
  assertThrowsArg(() => csQmi([0, 1, 2], [0, 1]), "t", "shape");
  assertThrowsArg(() => csQmi([0, 1], [0, Infinity]), "t[1]", "nonFinite");
  assertThrowsArg(() => csQmi([0, 1], [0, 1], { sigmaT: NaN }), "options.sigmaT", "domain");
  assertThrowsArg(() => csQmi([[0, 1], [2]], [0, 1]), "x[1]", "shape");
  assertThrowsArg(() => csQmiNormalized([1, 1, 1], [0, 1, 2]), "x", "domain");
  assertThrowsArg(() => csConditional([0, 1], [0, 1], [0]), "yHat", "shape");
  assertThrowsArg(() => csConditional([0, 1], [[0, 1], [1, 1]], [0, 1]), "yHat", "shape");
  assertThrowsArg(
    () => csConditional([0, 1], [0, 1], [0, 1], { variant: "code" as never }),
    "options.variant",
    "option",
  );
  assertThrowsArg(() => csConditional([0, 1], [0, 1], [0, 1], { sigmaX: 0 }), "options.sigmaX", "domain");
});
