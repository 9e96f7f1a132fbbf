import { assert, assertClose, assertThrowsArg } from "../_helpers.ts";
import { Matrix, Rng } from "../../lib/core/mod.ts";
import { emd, emd1d, entropicBiasBound, gridCost, sinkhornLog, sinkhornNewtonSparse } from "../../lib/ot/mod.ts";
import { e3Densities, marginals, O1, pointCost, POT, simplex } from "./_problems.ts";

/** Check an EmdResult's certificate: marginals, α_i + β_j ≤ C_ij, complementary slackness, gap. */
function assertCertified(
  r: ReturnType<typeof emd>,
  a: ArrayLike<number>,
  b: ArrayLike<number>,
  C: Matrix,
  tol: number,
): void {
  const { rows, cols } = marginals(r.plan);
  for (let i = 0; i < a.length; i++) assert.ok(Math.abs(rows[i] - a[i]) <= 1e-15 * a.length + 1e-16);
  for (let j = 0; j < b.length; j++) assert.ok(Math.abs(cols[j] - b[j]) <= 1e-15 * b.length + 1e-16);
  let scale = 0;
  for (const c of C.data) scale = Math.max(scale, Math.abs(c));
  for (let i = 0; i < C.rows; i++) {
    for (let j = 0; j < C.cols; j++) {
      const slack = C.get(i, j) - r.u[i] - r.v[j];
      assert.ok(slack >= -tol * scale, `dual infeasible at (${i}, ${j}): ${slack}`);
      if (r.plan.get(i, j) > 0) assert.ok(Math.abs(slack) <= tol * scale, `slackness at (${i}, ${j}): ${slack}`);
    }
  }
  assert.ok(Math.abs(r.dualityGap) <= tol * Math.max(scale, Math.abs(r.cost)), `gap ${r.dualityGap}`);
  assert.ok(r.dualViolation <= tol * scale);
}

Deno.test("emd on the O1 instance: OT = 0.8 exactly, with a dual certificate", () => {
  const r = emd(O1.a, O1.b, O1.C);
  assertClose(r.cost, O1.exact, 1e-15);
  assert.ok(r.converged);
  assertCertified(r, O1.a, O1.b, Matrix.fromRows(O1.C), 1e-14);
});

Deno.test("emd equals POT 0.8.2 ot.emd2 to 1e-12 on every fixture (values, not plans), with certificates; duals centred like POT", () => {
  for (const fx of POT.emd) {
    const C = Matrix.fromRows(fx.M);
    const r = emd(fx.a, fx.b, C);
    assert.ok(r.converged, fx.kind);
    assertClose(r.cost, fx.emd2, 1e-12, 1e-15, fx.kind);
    assertCertified(r, fx.a, fx.b, C, 1e-12);
    // POT's centred duals give the same objective aᵀu + bᵀv = OT; ours are centred the same way (aᵀα = bᵀβ)
    const au = fx.a.reduce((s, x, i) => s + x * r.u[i], 0), bv = fx.b.reduce((s, x, j) => s + x * r.v[j], 0);
    assertClose(au, bv, 1e-10, 1e-14, `${fx.kind} centring`);
  }
});

Deno.test("O9 assignment: emd = min-cost permutation / n of scipy linear_sum_assignment (n = 7, 30, 80) to 1e-12", () => {
  for (const fx of POT.assignment) {
    const n = fx.M.length;
    const r = emd(null, null, fx.M);
    assertClose(r.cost, fx.ot, 1e-12);
    // the optimal vertex of a generic assignment problem is the permutation itself
    for (let i = 0; i < n; i++) assertClose(r.plan.get(i, fx.perm[i]), 1 / n, 1e-12);
  }
});

Deno.test("O9 assignment by exhaustive enumeration (n = 6: all 720 permutations), three seeds", () => {
  const n = 6;
  const perms: number[][] = [];
  const rec = (p: number[], left: number[]) => {
    if (!left.length) perms.push(p);
    for (const x of left) rec([...p, x], left.filter((y) => y !== x));
  };
  rec([], [0, 1, 2, 3, 4, 5]);
  assert.equal(perms.length, 720);
  for (const seed of [0, 1, 2]) {
    const C = new Matrix(n, n, new Rng(seed).uniformArray(n * n));
    const best = Math.min(...perms.map((p) => p.reduce((s, j, i) => s + C.get(i, j), 0))) / n;
    assertClose(emd(null, null, C).cost, best, 1e-13);
  }
});

Deno.test("O7 η → ∞: 0 ≤ ⟨C,P*_reg⟩ − OT ≤ reg·min(H(a), H(b)), the gap shrinks with reg (OT from emd)", () => {
  const rng = new Rng(7);
  const a = simplex(rng, 20), b = simplex(rng, 25);
  const C = pointCost(7, 20, 25);
  const ot = emd(a, b, C).cost;
  let prev = Infinity;
  for (const reg of [0.1, 0.03, 0.01, 0.003, 0.001]) {
    const r = sinkhornNewtonSparse(a, b, C, { reg, tol: 1e-12 });
    assert.ok(r.converged);
    const gap = r.cost - ot;
    assert.ok(gap >= -1e-12, `reg ${reg}: gap ${gap}`);
    assert.ok(gap <= entropicBiasBound(a, b, reg), `reg ${reg}: gap ${gap} > bound ${entropicBiasBound(a, b, reg)}`);
    assert.ok(gap < prev);
    prev = gap;
  }
});

Deno.test("O8 1-D exact: emd1d = POT ot.wasserstein_1d (p = 1, 2) and ot.emd2_1d to 1e-12; network simplex on the 1-D cost agrees", () => {
  for (const fx of POT.emd1d) {
    assertClose(emd1d(fx.x, fx.y, fx.a, fx.b, { p: 1 }).cost, fx.w1, 1e-12);
    assertClose(emd1d(fx.x, fx.y, fx.a, fx.b, { p: 2 }).cost, fx.w2sq, 1e-12);
    assertClose(emd1d(fx.x, fx.y, fx.a, fx.b, { p: 2 }).cost, fx.emd2_1d_sqeuclidean, 1e-12);
    const C = Matrix.zeros(fx.x.length, fx.y.length).map((_, i, j) => (fx.x[i] - fx.y[j]) ** 2);
    assertClose(emd(fx.a, fx.b, C).cost, fx.w2sq, 1e-12);
  }
});

Deno.test("O8 W1 on a common grid = Σ |F_k − G_k|·Δx; card E3 exact W1 = 0.0836157090352074 and W2² = 0.007808815812025108", () => {
  const { x, r, c } = e3Densities();
  let F = 0, G = 0, w1 = 0;
  for (let k = 0; k < x.length - 1; k++) {
    F += r[k];
    G += c[k];
    w1 += Math.abs(F - G) * (x[k + 1] - x[k]);
  }
  assertClose(emd1d(x, x, r, c, { p: 1 }).cost, w1, 1e-12);
  assertClose(w1, 0.0836157090352074, 1e-12);
  assertClose(emd1d(x, x, r, c, { p: 2 }).cost, 0.007808815812025108, 1e-12);
  assertClose(emd(r, c, gridCost([200], 2)).cost, 0.007808815812025108, 1e-12);
  const p1 = emd1d(x, x, r, c, { p: 1 });
  assertClose(p1.distance, p1.cost, 0);
  assertClose(emd1d(x, x, r, c, { p: 2 }).distance, Math.sqrt(0.007808815812025108), 1e-12);
  assert.ok(p1.rows.length <= 2 * x.length - 1);
});

Deno.test("emd: non-square, zero masses and many optimal plans (integer costs) — certificates hold; larger n = 300 too", () => {
  const rng = new Rng(9);
  const a = [0.1, 0, 0.4, 0.2, 0.3], b = [0.5, 0.25, 0, 0.25];
  const C = Matrix.zeros(5, 4).map(() => Math.floor(rng.uniform(0, 4)));
  const r = emd(a, b, C);
  assertCertified(r, a, b, C, 1e-13);
  for (let j = 0; j < 4; j++) assert.equal(r.plan.get(1, j), 0);
  const n = 300;
  const a2 = simplex(rng, n), b2 = simplex(rng, n);
  const C2 = pointCost(9, n, n);
  const big = emd(a2, b2, C2);
  assert.ok(big.converged);
  assertCertified(big, a2, b2, C2, 1e-12);
  assert.ok(big.history.iteration.length >= 1);
});

Deno.test("emd stops with converged false when maxIter is hit (no silent non-convergence, cf. POT #24)", () => {
  const r = emd(null, null, pointCost(3, 40, 40), { maxIter: 5 });
  assert.equal(r.converged, false);
  assert.equal(r.stopReason, "maxIter");
  assert.equal(r.iterations, 5);
});

Deno.test("exact vs entropic on the same 1-D problem: sinkhornLog cost exceeds emd1d by less than the bias bound", () => {
  const { x, r, c } = e3Densities(60);
  const C = gridCost([60], 2);
  const ex = emd1d(x, x, r, c, { p: 2 }).cost;
  const en = sinkhornLog(r, c, C, { reg: 1e-3, tol: 1e-12 }).cost;
  assert.ok(en >= ex - 1e-14 && en - ex <= entropicBiasBound(r, c, 1e-3));
});

Deno.test("emd1d / emd bad input names the argument", () => {
  assertThrowsArg(() => emd1d([0, 1], [0, NaN]), "y[1]", "nonFinite");
  assertThrowsArg(() => emd1d([0, 1], [0, 1], [0.5, -0.5]), "a[1]", "domain");
  assertThrowsArg(() => emd1d([0, 1], [0, 1], [0.5, 0.5], [0.2, 0.2]), "b", "domain");
  assertThrowsArg(() => emd1d([0, 1], [0, 1], null, null, { p: 0.5 }), "options.p", "option");
  assertThrowsArg(() => emd([0.5, 0.5], [1], [[0, 1]]), "a", "shape");
  assertThrowsArg(() => emd(null, null, [[0, Infinity]]), "C[0][1]", "nonFinite");
  assertThrowsArg(() => emd(null, null, [[0, 1]], { maxIter: 0 }), "options.maxIter", "option");
});
