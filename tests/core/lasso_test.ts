import fc from "fast-check";
import { readFileSync } from "node:fs";
import {
  eigSym,
  gemm,
  gemv,
  lasso,
  lassoAlphaMax,
  lassoCV,
  lassoGram,
  lassoPath,
  Matrix,
  Rng,
  solve,
} from "../../lib/core/mod.ts";
import { assert, assertAllClose, assertClose, assertThrowsArg, relErr } from "../_helpers.ts";

interface Problem {
  X: number[][];
  y: number[];
  alphaMax: number;
  alphaMaxCentred: number;
}
interface Case {
  name: string;
  problem: string;
  alpha: number;
  l1Ratio: number;
  fitIntercept: boolean;
  positive: boolean;
  tol: number;
  coef: number[];
  intercept: number;
  dualGap: number;
  nIter: number;
  objective: number;
}
interface PathCase {
  name: string;
  problem: string;
  alphas: number[] | null;
  eps: number | null;
  nAlphas: number | null;
  expectedAlphas: number[];
  coefs: number[][];
  tol: number;
}
interface CvCase {
  name: string;
  problem: string;
  fitIntercept: boolean;
  nAlphas: number;
  eps: number;
  cv: number;
  alphas: number[];
  msePath: number[][];
  alpha: number;
  coef: number[];
  intercept: number;
}
const FIX = JSON.parse(
  readFileSync(new URL("../fixtures/core/lasso_sklearn.json", import.meta.url), "utf8"),
) as { problems: Record<string, Problem>; cases: Case[]; paths: PathCase[]; cv: CvCase[] };

/** (1/(2n))‖y − Xw − b‖² + αρ‖w‖₁ + α(1−ρ)/2‖w‖², evaluated independently of the solver. */
function objective(X: number[][], y: ArrayLike<number>, w: ArrayLike<number>, b: number, alpha: number, rho: number) {
  let rr = 0;
  for (let i = 0; i < X.length; i++) {
    let r = y[i] - b;
    for (let j = 0; j < w.length; j++) r -= X[i][j] * w[j];
    rr += r * r;
  }
  let l1 = 0, l2 = 0;
  for (let j = 0; j < w.length; j++) {
    l1 += Math.abs(w[j]);
    l2 += w[j] * w[j];
  }
  return rr / (2 * X.length) + alpha * rho * l1 + 0.5 * alpha * (1 - rho) * l2;
}

/** Correlations c_j = x_jᵀ(y − Xw − b)/n. */
function correlations(X: number[][], y: ArrayLike<number>, w: ArrayLike<number>, b = 0): Float64Array {
  const n = X.length, p = w.length;
  const c = new Float64Array(p);
  for (let i = 0; i < n; i++) {
    let r = y[i] - b;
    for (let j = 0; j < p; j++) r -= X[i][j] * w[j];
    for (let j = 0; j < p; j++) c[j] += X[i][j] * r / n;
  }
  return c;
}

/** Gaussian design with a k-sparse truth, plus noise. */
function randomProblem(n: number, p: number, k: number, seed: number): { X: number[][]; y: number[] } {
  const r = new Rng(seed);
  const X = Array.from({ length: n }, () => Array.from(r.normalArray(p)));
  const w = new Float64Array(p);
  for (const j of r.choice(p, Math.min(k, p))) w[j] = r.normal() * 2;
  const y = X.map((row) => row.reduce((s, v, j) => s + v * w[j], 0) + 0.1 * r.normal());
  return { X, y };
}

function gramOf(X: number[][], y: number[]): { G: Matrix; b: Float64Array; yy: number } {
  const n = X.length;
  const M = Matrix.fromRows(X);
  const G = gemm(M, M, { transA: true, alpha: 1 / n });
  // exactly symmetric
  for (let i = 0; i < G.rows; i++) for (let j = 0; j < i; j++) G.set(i, j, G.get(j, i));
  const b = gemv(M, y, { trans: true, alpha: 1 / n });
  return { G, b, yy: y.reduce((s, v) => s + v * v, 0) / n };
}

for (const c of FIX.cases.filter((c) => c.tol === 1e-12)) {
  for (const precompute of [false, true]) {
    Deno.test(`lasso matches sklearn ${c.name} (precompute ${precompute}): coef to 1e-8·max|w|, objective to 1e-10`, () => {
      const P = FIX.problems[c.problem];
      const r = lasso(P.X, P.y, {
        alpha: c.alpha,
        l1Ratio: c.l1Ratio,
        positive: c.positive,
        fitIntercept: c.fitIntercept,
        tol: 1e-12,
        maxIter: 1e6,
        precompute,
      });
      assert.equal(r.converged, true);
      assert.equal(r.stopReason, "tol");
      assert.equal(r.gram, precompute);
      const e = relErr(r.coef, c.coef);
      assert.ok(e <= 1e-8, `coef rel err ${e}`);
      assert.equal(r.nonzero, c.coef.filter((v) => v !== 0).length, "same support size");
      if (c.fitIntercept) assertClose(r.intercept, c.intercept, 1e-8, 1e-10, "intercept");
      else assert.equal(r.intercept, 0);
      const ours = objective(P.X, P.y, r.coef, r.intercept, c.alpha, c.l1Ratio);
      assertClose(ours, c.objective, 1e-10, 0, "objective (recomputed)");
      assertClose(r.objective, ours, 1e-10, 0, "reported objective");
      if (c.positive) assert.ok(r.coef.every((v) => v >= 0), "positive");
      // the reported gap certifies the tolerance: 0 ≤ ~ gap ≤ tol·‖y‖²/n
      const yy = P.y.reduce((s, v) => s + v * v, 0) / P.y.length;
      assert.ok(r.dualGap <= 1e-12 * yy && r.dualGap > -1e-14 * yy, `gap ${r.dualGap}`);
    });
  }
}

for (const c of FIX.cases.filter((c) => c.tol === 1e-4)) {
  Deno.test(`lasso dual_gap_ semantics as sklearn on a loose fit (${c.name})`, () => {
    const P = FIX.problems[c.problem];
    const n = P.y.length;
    const yy = P.y.reduce((s, v) => s + v * v, 0) / n;
    const r = lasso(P.X, P.y, { alpha: c.alpha, tol: 1e-4, precompute: false, activeSet: false });
    assert.equal(r.converged, true);
    // Same algorithm, same order (no active-set sweeps): same sweep count and gap up to rounding.
    assert.equal(r.iterations, c.nIter);
    assertClose(r.dualGap, c.dualGap, 1e-6, 0, "dualGap vs sklearn dual_gap_");
    assert.ok(r.dualGap <= 1e-4 * yy);
    assert.equal(r.history.iteration[r.history.iteration.length - 1], r.iterations);
    assert.equal(r.history.error[r.history.error.length - 1], r.dualGap);
    // The gap bounds the suboptimality: objective − optimum ≤ gap.
    const tight = lasso(P.X, P.y, { alpha: c.alpha, tol: 1e-12, maxIter: 1e6 });
    const sub = r.objective - tight.objective;
    assert.ok(sub >= -1e-14 && sub <= r.dualGap, `suboptimality ${sub} vs gap ${r.dualGap}`);
    // The Gram path stops by the same rule.
    const g = lasso(P.X, P.y, { alpha: c.alpha, tol: 1e-4, precompute: true });
    assert.equal(g.converged, true);
    assert.ok(g.dualGap <= 1e-4 * yy);
  });
}

for (const pc of FIX.paths) {
  Deno.test(`lassoPath matches sklearn lasso_path (${pc.name}) to 1e-8`, () => {
    const P = FIX.problems[pc.problem];
    for (const precompute of [false, true]) {
      const r = lassoPath(P.X, P.y, {
        alphas: pc.alphas ?? undefined,
        nAlphas: pc.nAlphas ?? undefined,
        eps: pc.eps ?? undefined,
        tol: pc.tol,
        maxIter: 1e6,
        precompute,
      });
      assertAllClose(r.alphas, pc.expectedAlphas, 1e-13, 0, "alphas");
      assert.equal(r.coefs.rows, pc.expectedAlphas.length);
      // relative to the largest coefficient on the path (sklearn's grid top 10^log10(α_max) can
      // fall an ulp below α_max and leave one ~1e-16 coefficient where ours is exactly 0)
      const scale = Math.max(...pc.coefs.flat().map(Math.abs));
      for (let k = 0; k < r.coefs.rows; k++) {
        let e = 0;
        for (let j = 0; j < r.coefs.cols; j++) e = Math.max(e, Math.abs(r.coefs.get(k, j) - pc.coefs[k][j]) / scale);
        assert.ok(e <= 1e-8, `alpha ${k}: error ${e} relative to max|w|`);
      }
      assert.ok(r.converged.every((v) => v));
    }
  });
}

Deno.test("lassoAlphaMax = ‖Xᵀy‖∞/(nρ) as sklearn's _alpha_grid (1e-14), centred with fitIntercept", () => {
  for (const P of Object.values(FIX.problems)) {
    assertClose(lassoAlphaMax(P.X, P.y), P.alphaMax, 1e-14);
    assertClose(lassoAlphaMax(P.X, P.y, { fitIntercept: true }), P.alphaMaxCentred, 1e-12);
    assertClose(lassoAlphaMax(P.X, P.y, { l1Ratio: 0.25 }), 4 * P.alphaMax, 1e-14);
  }
  assert.equal(lassoAlphaMax([[1], [2]], [1, 1], { l1Ratio: 0 }), Infinity);
  assert.equal(lassoAlphaMax([[1], [-1]], [1, 1], { l1Ratio: 0 }), 0);
});

Deno.test("α ≥ α_max gives w = 0 exactly in 1 sweep; slightly below gives exactly one nonzero (the argmax)", () => {
  for (const seed of [1, 2, 3]) {
    const { X, y } = randomProblem(40, 25, 4, seed);
    for (const fitIntercept of [false, true]) {
      for (const l1Ratio of [1, 0.7, 0.3]) {
        const am = lassoAlphaMax(X, y, { fitIntercept, l1Ratio });
        for (const precompute of [false, true]) {
          for (const alpha of [am, am * 1.5]) {
            const r = lasso(X, y, { alpha, fitIntercept, l1Ratio, precompute });
            assert.equal(r.nonzero, 0, `seed ${seed} alpha ${alpha}`);
            assert.ok(r.coef.every((v) => v === 0));
            assert.equal(r.iterations, 1);
            assert.equal(r.converged, true);
            assert.equal(r.dualGap, 0);
          }
          const r = lasso(X, y, { alpha: am * (1 - 1e-3), fitIntercept, l1Ratio, precompute, tol: 1e-10 });
          assert.equal(r.nonzero, 1, `seed ${seed} ρ ${l1Ratio} intercept ${fitIntercept}`);
          // the active coordinate is the one with the largest |x_jᵀy|
          const yc = fitIntercept ? y.map((v) => v - y.reduce((s, u) => s + u, 0) / y.length) : y;
          const Xc = fitIntercept
            ? X.map((row) => row.map((v, j) => v - X.reduce((s, rr) => s + rr[j], 0) / X.length))
            : X;
          const c0 = correlations(Xc, yc, new Float64Array(25)).map(Math.abs);
          assert.equal(r.coef.findIndex((v) => v !== 0), c0.indexOf(Math.max(...c0)));
        }
      }
    }
  }
});

Deno.test("KKT conditions hold after a tol = 1e-12 fit (fast-check over random problems, ρ, positive)", () => {
  fc.assert(
    fc.property(
      fc.integer({ min: 3, max: 25 }),
      fc.integer({ min: 1, max: 30 }),
      fc.integer({ min: 0, max: 2 ** 31 - 1 }),
      fc.double({ min: 0.01, max: 0.9, noNaN: true }),
      fc.constantFrom(1, 0.5, 0.9),
      fc.boolean(),
      fc.boolean(),
      (n, p, seed, frac, rho, positive, precompute) => {
        const { X, y } = randomProblem(n, p, 3, seed);
        const alpha = frac * lassoAlphaMax(X, y, { l1Ratio: rho });
        const r = lasso(X, y, { alpha, l1Ratio: rho, positive, precompute, tol: 1e-12, maxIter: 1e6 });
        assert.equal(r.converged, true);
        const c = correlations(X, y, r.coef);
        const l1 = alpha * rho, l2 = alpha * (1 - rho);
        for (let j = 0; j < p; j++) {
          const w = r.coef[j];
          if (w === 0) {
            if (positive) assert.ok(c[j] <= l1 * (1 + 1e-6), `j ${j}: c ${c[j]} > ${l1}`);
            else assert.ok(Math.abs(c[j]) <= l1 * (1 + 1e-6), `j ${j}: |c| ${Math.abs(c[j])} > ${l1}`);
          } else {
            if (positive) assert.ok(w > 0);
            assertClose(c[j] - l2 * w, l1 * Math.sign(w), 0, 1e-7, `KKT j ${j}`);
          }
        }
      },
    ),
    { numRuns: 60, seed: 7 },
  );
});

Deno.test("orthogonal design (XᵀX = nI): w = S(Xᵀy/n, αρ)/(1 + α(1−ρ)) to 1e-14", () => {
  // Columns of the 8×8 Sylvester–Hadamard matrix: entries ±1, XᵀX = 8I.
  let H: number[][] = [[1]];
  while (H.length < 8) H = [...H.map((r) => [...r, ...r]), ...H.map((r) => [...r, ...r.map((v) => -v)])];
  const X = H.map((row) => row.slice(1, 6));
  const n = 8, p = 5;
  const G = gemm(X, X, { transA: true });
  assertAllClose(G.data, Matrix.identity(p).map((v) => v * n).data, 0, 0, "XᵀX = nI");
  const y = [3, -1, 0.5, 2, -2.5, 1, 0.25, -0.75];
  const xty = gemv(X, y, { trans: true, alpha: 1 / n });
  for (const [alpha, rho] of [[0.1, 1], [0.3, 1], [0.2, 0.5], [0.5, 0.2], [0.05, 0]]) {
    const expected = Array.from(
      xty,
      (z) => Math.sign(z) * Math.max(Math.abs(z) - alpha * rho, 0) / (1 + alpha * (1 - rho)),
    );
    for (const precompute of [false, true]) {
      // one sweep solves an orthogonal design exactly: the gap check at that (last) sweep certifies it
      const r = lasso(X, y, { alpha, l1Ratio: rho, precompute, tol: 1e-14, maxIter: 1 });
      assertAllClose(r.coef, expected, 1e-14, 1e-15, `α ${alpha} ρ ${rho}`);
      assert.equal(r.converged, true);
    }
  }
});

Deno.test("ridge (ρ = 0) equals the linear solve (XᵀX/n + αI)w = Xᵀy/n to 1e-9; α = 0 interpolates", () => {
  const { X, y } = randomProblem(30, 8, 8, 11);
  const { G, b } = gramOf(X, y);
  const alpha = 0.3;
  const A = G.map((v, i, j) => (i === j ? v + alpha : v));
  const ridge = solve(A, b);
  for (const precompute of [false, true]) {
    const r = lasso(X, y, { alpha, l1Ratio: 0, tol: 1e-14, maxIter: 1e5, precompute });
    assert.equal(r.converged, true);
    assert.ok(relErr(r.coef, ridge) <= 1e-9, `ridge rel err ${relErr(r.coef, ridge)}`);
  }
  // α = 0 (least squares): converges when y is in the range of X.
  const w0 = [1, -2, 0, 0.5, 3, 0, 0, -1];
  const yExact = X.map((row) => row.reduce((s, v, j) => s + v * w0[j], 0));
  const ls = lasso(X, yExact, { alpha: 0, tol: 1e-24, maxIter: 1e5, precompute: false });
  assert.equal(ls.converged, true);
  assertAllClose(ls.coef, w0, 0, 1e-9, "least squares");
});

Deno.test("lassoGram(XᵀX/n, Xᵀy/n) = lasso(X, y) to 1e-10 (with and without yNormSq)", () => {
  for (const seed of [4, 5]) {
    for (const [n, p] of [[50, 20], [20, 45]]) {
      const { X, y } = randomProblem(n, p, 5, seed);
      const { G, b, yy } = gramOf(X, y);
      for (const rho of [1, 0.6]) {
        const alpha = 0.08 * lassoAlphaMax(X, y, { l1Ratio: rho });
        const ref = lasso(X, y, { alpha, l1Ratio: rho, tol: 1e-13, maxIter: 1e6, precompute: false });
        const withY = lassoGram(G, b, { alpha, l1Ratio: rho, tol: 1e-13, maxIter: 1e6, yNormSq: yy });
        assert.equal(withY.criterion, "dualGap");
        assert.equal(withY.converged, true);
        assert.ok(relErr(withY.coef, ref.coef) <= 1e-10, `with yNormSq: ${relErr(withY.coef, ref.coef)}`);
        assertClose(withY.objective, ref.objective, 1e-11, 0, "objective incl. ‖y‖²/(2n)");
        assertClose(withY.dualGap, ref.dualGap, 0, 1e-12 * yy, "gap");
        const noY = lassoGram(G, b, { alpha, l1Ratio: rho, tol: 1e-13, maxIter: 1e6 });
        assert.equal(noY.criterion, "coordinateChange");
        assert.equal(noY.converged, true);
        assert.ok(Number.isNaN(noY.dualGap));
        assert.ok(relErr(noY.coef, ref.coef) <= 1e-10, `coordinate rule: ${relErr(noY.coef, ref.coef)}`);
        assertClose(noY.objective + yy / 2, ref.objective, 1e-11, 0, "objective without the constant");
      }
    }
  }
});

Deno.test("lassoGram on a symmetric non-PSD G: stops by the coordinate-change rule at a coordinate-wise optimum", () => {
  const { X, y } = randomProblem(15, 30, 4, 21);
  const { G, b } = gramOf(X, y);
  const r = new Rng(99);
  const p = 30;
  for (let i = 0; i < p; i++) {
    for (let j = i; j < p; j++) {
      const e = 0.05 * r.normal();
      G.set(i, j, G.get(i, j) + e);
      if (j !== i) G.set(j, i, G.get(j, i) + e);
    }
  }
  assert.ok(eigSym(G).values[0] < -0.05, "G is indefinite");
  for (let j = 0; j < p; j++) assert.ok(G.get(j, j) > 0);
  const alpha = 0.3 * Math.max(...Array.from(b, Math.abs));
  for (const rho of [1, 0.8]) {
    const res = lassoGram(G, b, { alpha, l1Ratio: rho, tol: 1e-12, maxIter: 1e5 });
    assert.equal(res.criterion, "coordinateChange");
    assert.equal(res.converged, true, `stopReason ${res.stopReason}`);
    assert.equal(res.stopReason, "tol");
    const last = res.history.error[res.history.error.length - 1];
    assert.ok(last <= 1e-12, `last relative change ${last}`);
    // Coordinate-wise optimality: each w_j minimises the objective with the others fixed.
    const Gw = gemv(G, res.coef);
    const l1 = alpha * rho, l2 = alpha * (1 - rho);
    for (let j = 0; j < p; j++) {
      const w = res.coef[j];
      const z = b[j] - Gw[j] + G.get(j, j) * w;
      const best = Math.sign(z) * Math.max(Math.abs(z) - l1, 0) / (G.get(j, j) + l2);
      assertClose(w, best, 0, 1e-10 * Math.max(1, Math.abs(w)), `coordinate ${j}`);
    }
    assert.ok(Number.isFinite(res.objective));
  }
});

Deno.test("selection 'random': same seed → identical coef; other seeds → same solution to 1e-9", () => {
  const { X, y } = randomProblem(40, 60, 6, 8);
  const alpha = 0.05 * lassoAlphaMax(X, y);
  for (const precompute of [false, true]) {
    const a = lasso(X, y, { alpha, selection: "random", seed: 3, tol: 1e-12, maxIter: 1e6, precompute });
    const b = lasso(X, y, { alpha, selection: "random", seed: 3, tol: 1e-12, maxIter: 1e6, precompute });
    assert.deepEqual(Array.from(a.coef), Array.from(b.coef));
    assert.equal(a.iterations, b.iterations);
    const c = lasso(X, y, { alpha, selection: "random", seed: 4, tol: 1e-12, maxIter: 1e6, precompute });
    const cyc = lasso(X, y, { alpha, tol: 1e-12, maxIter: 1e6, precompute });
    assert.ok(relErr(c.coef, a.coef) <= 1e-9, `seeds: ${relErr(c.coef, a.coef)}`);
    assert.ok(relErr(cyc.coef, a.coef) <= 1e-9, `cyclic: ${relErr(cyc.coef, a.coef)}`);
    assert.notDeepEqual(Array.from(c.coef), Array.from(a.coef), "different draws, different rounding");
  }
});

Deno.test("warm start from the solution converges in 1 sweep; maxIter reached → converged false with a finite gap", () => {
  const { X, y } = randomProblem(30, 50, 5, 9);
  const alpha = 0.02 * lassoAlphaMax(X, y);
  for (const precompute of [false, true]) {
    const sol = lasso(X, y, { alpha, tol: 1e-12, maxIter: 1e6, precompute });
    const warm = lasso(X, y, { alpha, coef0: sol.coef, precompute });
    assert.equal(warm.iterations, 1);
    assert.equal(warm.converged, true);
    assert.ok(relErr(warm.coef, sol.coef) <= 1e-10);
    const cold = lasso(X, y, { alpha, tol: 1e-12, maxIter: 3, precompute });
    assert.equal(cold.converged, false);
    assert.equal(cold.stopReason, "maxIter");
    assert.equal(cold.iterations, 3);
    assert.ok(Number.isFinite(cold.dualGap) && cold.dualGap > 0);
    assert.equal(cold.history.iteration[cold.history.iteration.length - 1], 3, "gap checked at the last sweep");
  }
});

Deno.test("fitIntercept: shifting y by a constant moves only the intercept; an all-zero column gets w_j = 0", () => {
  const { X, y } = randomProblem(30, 6, 3, 12);
  const a = lasso(X, y, { alpha: 0.05, fitIntercept: true, tol: 1e-12 });
  const b = lasso(X, y.map((v) => v + 10), { alpha: 0.05, fitIntercept: true, tol: 1e-12 });
  assert.ok(relErr(b.coef, a.coef) <= 1e-10);
  assertClose(b.intercept, a.intercept + 10, 1e-12);
  const Xz = X.map((row) => [...row, 0]);
  for (const precompute of [false, true]) {
    const z = lasso(Xz, y, { alpha: 0.05, precompute, coef0: [0, 0, 0, 0, 0, 0, 5], tol: 1e-12 });
    assert.equal(z.coef[6], 0);
    assert.ok(z.converged);
  }
});

Deno.test("bad inputs throw the ParsimonyError subclass naming the argument", () => {
  const X = [[1, 2], [3, 4], [5, 7]], y = [1, 2, 3];
  assertThrowsArg(() => lasso(X, [1, 2]), "y", "shape");
  assertThrowsArg(() => lasso([[1, NaN], [3, 4], [5, 6]], y), "X[0][1]", "nonFinite");
  assertThrowsArg(() => lasso(X, [1, Infinity, 3]), "y[1]", "nonFinite");
  assertThrowsArg(() => lasso([[1, 2], [3]], [1, 2]), /^X/, "shape");
  assertThrowsArg(() => lasso([], []), /^(X|y)$/);
  assertThrowsArg(() => lasso(X, y, { alpha: -1 }), "options.alpha", "option");
  assertThrowsArg(() => lasso(X, y, { alpha: NaN }), "options.alpha", "option");
  assertThrowsArg(() => lasso(X, y, { alpha: Infinity }), "options.alpha", "option");
  assertThrowsArg(() => lasso(X, y, { l1Ratio: 1.5 }), "options.l1Ratio", "option");
  assertThrowsArg(() => lasso(X, y, { l1Ratio: -0.1 }), "options.l1Ratio", "option");
  assertThrowsArg(() => lasso(X, y, { tol: -1 }), "options.tol", "option");
  assertThrowsArg(() => lasso(X, y, { maxIter: 0 }), "options.maxIter", "option");
  assertThrowsArg(() => lasso(X, y, { maxIter: 2.5 }), "options.maxIter", "option");
  assertThrowsArg(() => lasso(X, y, { selection: "greedy" as "cyclic" }), "options.selection", "option");
  assertThrowsArg(() => lasso(X, y, { seed: -1 }), "options.seed", "option");
  assertThrowsArg(() => lasso(X, y, { precompute: "yes" as "auto" }), "options.precompute", "option");
  assertThrowsArg(() => lasso(X, y, { tols: 1 } as never), "options.tols", "option");
  assertThrowsArg(() => lasso(X, y, { coef0: [1] }), "options.coef0", "shape");
  assertThrowsArg(() => lasso(X, y, { coef0: [1, NaN] }), "options.coef0[1]", "nonFinite");
  assert.equal(lasso(X, y, { alpha: 0, l1Ratio: 0, maxIter: 5 }).coef.every(Number.isFinite), true);

  const G = [[1, 0.2], [0.2, 1]];
  assertThrowsArg(() => lassoGram([[1, 0.2]], [1]), "G", "shape");
  assertThrowsArg(() => lassoGram(G, [1, 2, 3]), "b", "shape");
  assertThrowsArg(() => lassoGram(G, [1, NaN]), "b[1]", "nonFinite");
  assertThrowsArg(() => lassoGram([[1, 0.2], [0.2, NaN]], [1, 1]), "G[1][1]", "nonFinite");
  assertThrowsArg(() => lassoGram([[1, 0.2], [0.2, 0]], [1, 1]), "G", "domain");
  assertThrowsArg(() => lassoGram([[-1, 0.2], [0.2, 1]], [1, 1]), "G", "domain");
  assertThrowsArg(() => lassoGram([[1, 0.2], [0.3, 1]], [1, 1]), "G", "domain");
  assertThrowsArg(() => lassoGram(G, [1, 1], { yNormSq: -1 }), "options.yNormSq", "option");
  assertThrowsArg(() => lassoGram(G, [1, 1], { fitIntercept: true } as never), "options.fitIntercept", "option");

  assertThrowsArg(() => lassoPath(X, y, { alphas: [0.1, -0.1] }), "options.alphas", "option");
  assertThrowsArg(() => lassoPath(X, y, { alphas: [] }), "options.alphas", "option");
  assertThrowsArg(() => lassoPath(X, y, { l1Ratio: 0 }), "options.l1Ratio", "option");
  assertThrowsArg(() => lassoPath(X, y, { eps: 0 }), "options.eps", "option");
  assertThrowsArg(() => lassoPath(X, y, { alpha: 1 } as never), "options.alpha", "option");
  assertThrowsArg(() => lassoAlphaMax(X, [1]), "y", "shape");
  assertThrowsArg(() => lassoAlphaMax(X, y, { l1Ratio: 2 }), "options.l1Ratio", "option");
});

Deno.test("lassoPath: descending grid from α_max, first row exactly 0, warm starts match cold solves to 1e-9", () => {
  const { X, y } = randomProblem(35, 20, 4, 13);
  const path = lassoPath(X, y, { nAlphas: 8, eps: 1e-2, tol: 1e-12, maxIter: 1e6, fitIntercept: true });
  assert.equal(path.alphas[0], lassoAlphaMax(X, y, { fitIntercept: true }));
  assertClose(path.alphas[7], path.alphas[0] * 1e-2, 1e-13);
  for (let k = 1; k < 8; k++) assert.ok(path.alphas[k] < path.alphas[k - 1]);
  assert.ok(path.coefs.row(0).every((v) => v === 0));
  for (const k of [2, 5, 7]) {
    const cold = lasso(X, y, { alpha: path.alphas[k], tol: 1e-12, maxIter: 1e6, fitIntercept: true });
    assert.ok(relErr(path.coefs.row(k), cold.coef) <= 1e-9);
    assertClose(path.intercepts[k], cold.intercept, 1e-9, 1e-12);
  }
  assert.equal(path.iterations.length, 8);
  assert.ok(path.iterations[0] === 1);
});

Deno.test("activeSet true and false reach the same solution (1e-9) and the same stopping rule", () => {
  for (const seed of [14, 15]) {
    const { X, y } = randomProblem(40, 120, 8, seed);
    const yy = y.reduce((s, v) => s + v * v, 0) / y.length;
    for (const frac of [0.3, 0.02]) {
      const alpha = frac * lassoAlphaMax(X, y);
      const a = lasso(X, y, { alpha, tol: 1e-12, maxIter: 1e6 });
      const b = lasso(X, y, { alpha, tol: 1e-12, maxIter: 1e6, activeSet: false });
      assert.ok(a.converged && b.converged);
      assert.ok(relErr(a.coef, b.coef) <= 1e-9, `${relErr(a.coef, b.coef)}`);
      assert.ok(a.dualGap <= 1e-12 * yy && b.dualGap <= 1e-12 * yy);
      assert.equal(b.activeSweeps, 0);
      assert.ok(a.iterations <= b.iterations, `full sweeps ${a.iterations} vs ${b.iterations}`);
    }
  }
});

Deno.test("lassoCV matches scikit-learn's LassoCV(cv=5): grid, held-out MSE per α and fold, chosen α, refit", () => {
  for (const c of FIX.cv) {
    const P = FIX.problems[c.problem];
    const r = lassoCV(P.X, P.y, {
      cv: c.cv,
      nAlphas: c.nAlphas,
      eps: c.eps,
      fitIntercept: c.fitIntercept,
      tol: 1e-12,
      maxIter: 1_000_000,
    });
    assertAllClose(r.alphas, c.alphas, 1e-13, 0, `${c.name}: grid`);
    const mse = c.msePath.flat();
    const e = relErr(r.msePath.data, mse);
    assert.ok(e < 1e-9, `${c.name}: mse path rel err ${e}`);
    for (let k = 0; k < c.alphas.length; k++) {
      let s = 0;
      for (let f = 0; f < c.cv; f++) s += c.msePath[k][f];
      assertClose(r.mseMean[k], s / c.cv, 1e-9, 0, `${c.name}: mean mse ${k}`);
    }
    assert.equal(r.alphas.indexOf(r.alpha), c.alphas.indexOf(c.alpha), `${c.name}: chosen α (grid index)`);
    assertClose(r.alpha, c.alpha, 1e-13, 0, `${c.name}: chosen α`);
    const scale = Math.max(...c.coef.map(Math.abs));
    for (let j = 0; j < c.coef.length; j++) {
      assert.ok(Math.abs(r.coef[j] - c.coef[j]) <= 1e-8 * scale, `${c.name}: coef ${j}`);
    }
    assertClose(r.intercept, c.intercept, 1e-8, 1e-10, `${c.name}: intercept`);
    assert.ok(r.fit.converged);
  }
});

Deno.test("lassoCV: folds are contiguous and cover every row once (uneven sizes); bad cv and ridge grids are rejected by name", () => {
  // a response that only one fold can predict badly: the MSE of that fold stands out
  const r = new Rng(5);
  const n = 23, p = 4;
  const X = new Matrix(n, p, r.normalArray(n * p));
  const y = gemv(X, [1, -2, 0, 0.5]);
  const cv = lassoCV(X, y, { cv: 4, alphas: [1e-4], tol: 1e-12 });
  assert.equal(cv.msePath.rows, 1);
  assert.equal(cv.msePath.cols, 4);
  for (const v of cv.msePath.data) assert.ok(v < 1e-6, "noise-free linear data: tiny held-out error in every fold");
  // fold f of n = 23, cv = 4 holds rows [0,6), [6,12), [12,18), [18,23): corrupt row 20 only
  const y2 = Float64Array.from(y);
  y2[20] += 10;
  const cv2 = lassoCV(X, y2, { cv: 4, alphas: [1e-4], tol: 1e-12 });
  const m = Array.from(cv2.msePath.data);
  assert.equal(m.indexOf(Math.max(...m)), 3, "the corrupted row lies in the last fold");
  assertThrowsArg(() => lassoCV(X, y, { cv: 24 }), "options.cv", "option");
  assertThrowsArg(() => lassoCV(X, y, { cv: 1 }), "options.cv", "option");
  assertThrowsArg(() => lassoCV(X, y, { l1Ratio: 0 }), "options.l1Ratio", "option");
  assertThrowsArg(() => lassoCV(X, y.subarray(1)), "y", "shape");
});
