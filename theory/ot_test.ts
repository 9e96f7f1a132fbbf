/**
 * Executable checks of theory/ot.md (method card §3). Each runs the public solvers of
 * `@parsimony/parsimony/ot` and compares a prediction with what happens, within a stated error.
 */
import assert from "node:assert/strict";
import { Matrix, svd } from "@parsimony/parsimony/core";
import {
  dualGapIdentity,
  emd,
  entropicBiasBound,
  sinkhorn,
  sinkhornLog,
  sinkhornNewtonSparse,
  sqeuclidean,
  tailMassFraction,
} from "@parsimony/parsimony/ot";

const n20 = 20;
const grid = Array.from({ length: n20 }, (_, k) => k / (n20 - 1));
const normalise = (v: Float64Array) => {
  const s = v.reduce((p, q) => p + q, 0);
  return v.map((x) => x / s);
};
/** Card T4 instance: 20-point grid, squared distance, η = 100, smooth asymmetric marginals. */
const T4 = {
  C: sqeuclidean(grid, grid),
  a: normalise(Float64Array.from(grid, (t) => 1 + 0.5 * Math.sin(2 * Math.PI * t))),
  b: normalise(Float64Array.from(grid, (t) => 1 + 0.5 * Math.cos(3 * t))),
  reg: 1 / 100,
};

/** Squared singular values of diag(a)^{-1/2} P diag(b)^{-1/2}, descending. */
function scaledSpectrum(P: Matrix, a: ArrayLike<number>, b: ArrayLike<number>): Float64Array {
  const S = new Matrix(P.rows, P.cols);
  for (let i = 0; i < P.rows; i++) for (let j = 0; j < P.cols; j++) S.set(i, j, P.get(i, j) / Math.sqrt(a[i] * b[j]));
  return svd(S).s.map((s) => s * s);
}

/** Geometric mean of e_{t+1}/e_t over the late phase (errors between 1e-11 and 1e-6). */
function lateRatio(e: Float64Array): number {
  let s = 0, k = 0;
  for (let t = 1; t < e.length; t++) {
    if (e[t - 1] < 1e-6 && e[t] > 1e-11) {
      s += Math.log(e[t] / e[t - 1]);
      k++;
    }
  }
  return Math.exp(s / k);
}

Deno.test("theory/ot T4: Sinkhorn's late error ratio equals σ₂² of diag(a)^-½ P* diag(b)^-½ (±1e-3; measured 1e-7)", () => {
  const r = sinkhornLog(T4.a, T4.b, T4.C, { reg: T4.reg, tol: 1e-14, maxIter: 100000 });
  const s2 = scaledSpectrum(r.plan, T4.a, T4.b);
  assert.ok(Math.abs(s2[0] - 1) < 1e-12, `σ₁² = ${s2[0]}`);
  const observed = lateRatio(r.trace.error);
  assert.ok(Math.abs(observed - s2[1]) < 1e-3, `observed ${observed}, predicted σ₂² = ${s2[1]}`);
  // predicted iteration count from error 1e-4 to 1e-10: log(1e6)/(−log σ₂²), within 3 %
  const e = r.trace.error;
  const t1 = e.findIndex((x) => x <= 1e-4), t2 = e.findIndex((x) => x <= 1e-10);
  const predicted = Math.log(1e6) / -Math.log(s2[1]);
  assert.ok(Math.abs((t2 - t1) - predicted) <= 0.03 * predicted, `${t2 - t1} iterations, predicted ${predicted}`);
});

Deno.test("theory/ot T4 caveat: on a mirror-symmetric instance the initial error never excites the σ₂ mode; the rate is σ₃²", () => {
  const u = new Float64Array(n20).fill(1 / n20);
  const r = sinkhornLog(u, u, T4.C, { reg: T4.reg, tol: 1e-14, maxIter: 100000 });
  const s2 = scaledSpectrum(r.plan, u, u);
  const observed = lateRatio(r.trace.error);
  assert.ok(Math.abs(observed - s2[2]) < 1e-3, `observed ${observed}, σ₃² = ${s2[2]}`);
  assert.ok(Math.abs(observed - s2[1]) > 0.05, `σ₂² = ${s2[1]} would have predicted it`);
});

Deno.test("theory/ot T3: Sinkhorn's dual gap obeys D* − D(z_t) ≤ 2R²/(η t) with R = η(max C − min C) − log min(a, b)", () => {
  const r = sinkhorn(T4.a, T4.b, T4.C, { reg: T4.reg, tol: 1e-14, maxIter: 100000 });
  const star = r.dual;
  const eta = 1 / T4.reg;
  let cmax = -Infinity, cmin = Infinity;
  for (const c of T4.C.data) [cmax, cmin] = [Math.max(cmax, c), Math.min(cmin, c)];
  const R = eta * (cmax - cmin) - Math.log(Math.min(...T4.a, ...T4.b));
  const d = r.trace.dual, it = r.trace.iteration;
  for (let k = 0; k < d.length; k++) assert.ok(star - d[k] <= (2 * R * R) / (eta * it[k]) + 1e-15, `t = ${it[k]}`);
});

/** Card T5 instance: n = 6, C_ij = ((j − i) mod 6)/6, r = c = 1/6; LP solution I/6, vertex gap Δ = 1/6. */
const n6 = 6;
const cyc = Matrix.zeros(n6, n6).map((_, i, j) => (((j - i) % n6 + n6) % n6) / n6);

Deno.test("theory/ot T5 setup: the vertex gap Δ of the n = 6 cyclic instance is 1/6 (second-best vertex by forbidding each optimal edge)", () => {
  const opt = emd(null, null, cyc);
  assert.ok(Math.abs(opt.cost) < 1e-15);
  let second = Infinity;
  for (let i = 0; i < n6; i++) {
    const forbidden = cyc.clone();
    forbidden.set(i, i, 1e6);
    second = Math.min(second, emd(null, null, forbidden).cost);
  }
  assert.ok(Math.abs(second - opt.cost - 1 / 6) < 1e-14, `Δ = ${second - opt.cost}`);
  assert.ok(Math.abs((1 + 2 * Math.log(n6)) / (1 / 6) - 27.5) < 0.01); // η_min of T5
});

Deno.test("theory/ot T5: ‖P*_η − I/6‖₁ ≤ 2e·n²·e^{−ηΔ} for η = 30, 60, 120 (measured 1.348e-2 / 9.080e-5 / 4.122e-9 as the card)", () => {
  const card = [[30, 1.348e-2, 1.32], [60, 9.080e-5, 8.89e-3], [120, 4.122e-9, 4.03e-7]];
  for (const [eta, measured, bound] of card) {
    const r = sinkhornNewtonSparse(null, null, cyc, { reg: 1 / eta, tol: 1e-14 });
    let dist = 0;
    for (let i = 0; i < n6; i++) {
      for (let j = 0; j < n6; j++) dist += Math.abs(r.plan.get(i, j) - (i === j ? 1 / 6 : 0));
    }
    const b = 2 * Math.E * n6 * n6 * Math.exp(-eta / 6);
    assert.ok(Math.abs(b - bound) <= 0.005 * bound, `bound ${b} vs card ${bound}`);
    assert.ok(dist <= b, `η = ${eta}: ${dist} > bound ${b}`);
    assert.ok(Math.abs(dist - measured) <= 1e-3 * measured, `η = ${eta}: ${dist} vs card ${measured}`);
  }
});

Deno.test("theory/ot T6: Sinkhorn plans on the n = 6 instance are (1/n, ε_t)-sparse with ε_t ≤ 6n²e^{−ηΔ} + 2R/√t (η = 60)", () => {
  const eta = 60;
  const R = eta * (5 / 6) + Math.log(6);
  for (const t of [1, 10, 100, 1000, 10000]) {
    const P = sinkhornLog(null, null, cyc, { reg: 1 / eta, maxIter: t }).plan;
    const eps = tailMassFraction(P, n6); // λ* = τ(F) = n/n² → keep n entries
    const bound = 6 * n6 * n6 * Math.exp(-eta / 6) + (2 * R) / Math.sqrt(t);
    assert.ok(eps <= bound, `t = ${t}: ε = ${eps} > ${bound}`);
  }
});

Deno.test("theory/ot bias: 0 ≤ ⟨C, P*_η⟩ − OT ≤ min(H(a), H(b))/η (cyclic instance and 2-D points, several η)", () => {
  for (const eta of [30, 60, 120, 1000]) {
    const r = sinkhornNewtonSparse(null, null, cyc, { reg: 1 / eta, tol: 1e-14 });
    assert.ok(r.cost >= -1e-16 && r.cost <= Math.log(6) / eta, `η = ${eta}: gap ${r.cost}`);
  }
  const C = sqeuclidean(grid.map((t) => [t, t * t]), grid.map((t) => [1 - t, t]));
  const ot = emd(T4.a, T4.b, C).cost;
  for (const reg of [0.1, 0.01, 0.001]) {
    const r = sinkhornNewtonSparse(T4.a, T4.b, C, { reg, tol: 1e-13 });
    const gap = r.cost - ot;
    assert.ok(gap >= -1e-14 && gap <= entropicBiasBound(T4.a, T4.b, reg), `reg ${reg}: ${gap}`);
  }
});

Deno.test("theory/ot T1: D(z*) − D(z) = reg·KL(P* ‖ P(z)) along Sinkhorn (column-normalised iterates: ordinary KL)", () => {
  const star = sinkhornLog(T4.a, T4.b, T4.C, { reg: T4.reg, tol: 1e-14, maxIter: 100000 });
  for (const t of [1, 3, 10, 30]) {
    const z = sinkhornLog(T4.a, T4.b, T4.C, { reg: T4.reg, maxIter: t });
    const id = dualGapIdentity(star, z.f, z.g);
    assert.ok(Math.abs(id.gap - id.kl) <= 1e-10 * id.gap + 1e-16, `t = ${t}: ${id.gap} vs ${id.kl}`);
  }
});
