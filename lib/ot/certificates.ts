/**
 * Certificates and identities for entropic OT results (method card §1, §3):
 *
 * - {@linkcode dualityGap}: a rigorous bracket D(f, g) ≤ OT_reg ≤ primal(P̂) for any returned
 *   iterate, with P̂ the feasible rounding of its plan (Altschuler, Weed, Rigollet 2017,
 *   Algorithm 2), plus a bracket of the exact (unregularised) OT value from the same potentials;
 * - {@linkcode dualGapIdentity}: the gap identity D(z*) − D(z) = reg·KL̃(P* ‖ P(z)) (card T1);
 * - {@linkcode entropicBiasBound}: 0 ≤ ⟨C, P*_reg⟩ − OT ≤ reg·min(H(a), H(b)) (card §1).
 *
 * @module
 */

import { DomainError, ShapeError } from "../core/errors.ts";
import { toVector } from "../core/validate.ts";
import { kahan, MASS_TOL } from "./_problem.ts";
import type { OtResult } from "./result.ts";

/** What {@linkcode dualityGap} certifies about an entropic OT result. */
export interface DualityCertificate {
  /** Dual value D(f, g) = aᵀf + bᵀg − reg·ΣP(f, g): a lower bound on OT_reg. */
  readonly dual: number;
  /** Entropic objective ⟨C,P̂⟩ + reg·Σ P̂ log P̂ of the feasible rounded plan P̂: an upper bound on OT_reg. */
  readonly primal: number;
  /** primal − dual ≥ 0 (up to round-off): the certified optimality gap of the entropic problem. */
  readonly gap: number;
  /** ‖P − P̂‖₁: how far rounding moved the returned plan (≤ 2·marginalError). */
  readonly roundingDistance: number;
  /** Marginal error of the returned plan. */
  readonly marginalError: number;
  /** ⟨C, P̂⟩ ≥ OT (exact, unregularised). */
  readonly exactUpper: number;
  /** aᵀf + bᵀf^c ≤ OT (exact) with the c-transform f^c_j = min_i (C_ij − f_i): an LP dual-feasible point. */
  readonly exactLower: number;
  /** reg·mass·min(H(a/mass), H(b/mass)): bound on the entropic bias ⟨C, P*_reg⟩ − OT. */
  readonly biasBound: number;
}

/**
 * Duality certificate of an entropic OT result: D(f, g) ≤ OT_reg ≤ primal(P̂), with P̂ the
 * rounding of the plan onto {P ≥ 0 : P1 = a, Pᵀ1 = b} (Altschuler, Weed, Rigollet, NeurIPS 2017,
 * Alg. 2), and the exact-OT bracket aᵀf + bᵀf^c ≤ OT ≤ ⟨C, P̂⟩.
 *
 * @param result any result of sinkhorn, sinkhornLog, sinkhornNewtonSparse, sinkhornNewtonDense
 * @returns {@linkcode DualityCertificate}
 * @example
 * ```ts
 * import { dualityGap, sinkhornLog } from "@parsimony/parsimony/ot";
 * const r = sinkhornLog([0.3, 0.7], [0.6, 0.4], [[0, 1], [2, 0.5]], { reg: 0.5, tol: 1e-14 });
 * dualityGap(r).gap < 1e-13; // => true
 * ```
 */
export function dualityGap(result: OtResult): DualityCertificate {
  const { a, b, C, reg } = result.problem;
  const n = C.rows, m = C.cols, Cd = C.data, P = result.plan.data;
  const f = result.f, g = result.g;
  // Altschuler–Weed–Rigollet rounding.
  const X = Float64Array.from(P);
  const r = new Float64Array(n), c = new Float64Array(m);
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let j = 0; j < m; j++) s += X[i * m + j];
    const x = s > a[i] ? a[i] / s : 1;
    if (x !== 1) { for (let j = 0; j < m; j++) X[i * m + j] *= x; }
  }
  for (let i = 0; i < n; i++) for (let j = 0; j < m; j++) c[j] += X[i * m + j];
  const y = new Float64Array(m);
  for (let j = 0; j < m; j++) y[j] = c[j] > b[j] ? b[j] / c[j] : 1;
  for (let i = 0; i < n; i++) for (let j = 0; j < m; j++) X[i * m + j] *= y[j];
  const er = new Float64Array(n), ec = new Float64Array(m);
  r.fill(0);
  c.fill(0);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < m; j++) {
      r[i] += X[i * m + j];
      c[j] += X[i * m + j];
    }
  }
  let erSum = 0;
  for (let i = 0; i < n; i++) {
    er[i] = Math.max(0, a[i] - r[i]);
    erSum += er[i];
  }
  for (let j = 0; j < m; j++) ec[j] = Math.max(0, b[j] - c[j]);
  if (erSum > 0) {
    for (let i = 0; i < n; i++) {
      if (er[i] === 0) continue;
      const w = er[i] / erSum;
      for (let j = 0; j < m; j++) X[i * m + j] += w * ec[j];
    }
  }
  let cost = 0, ent = 0, dist = 0, total = 0;
  for (let k = 0; k < X.length; k++) {
    const x = X[k];
    cost += Cd[k] * x;
    if (x > 0) ent += x * Math.log(x);
    dist += Math.abs(x - P[k]);
    total += P[k];
  }
  // Dual value and the exact-OT lower bound from the c-transform of f.
  let af = 0, bg = 0;
  for (let i = 0; i < n; i++) if (a[i] > 0) af += a[i] * f[i];
  for (let j = 0; j < m; j++) if (b[j] > 0) bg += b[j] * g[j];
  const dual = af + bg - reg * total;
  let lower = af;
  for (let j = 0; j < m; j++) {
    if (!(b[j] > 0)) continue;
    let best = Infinity;
    for (let i = 0; i < n; i++) if (a[i] > 0) best = Math.min(best, Cd[i * m + j] - f[i]);
    lower += b[j] * best;
  }
  const primal = cost + reg * ent;
  return Object.freeze({
    dual,
    primal,
    gap: primal - dual,
    roundingDistance: dist,
    marginalError: result.marginalError,
    exactUpper: cost,
    exactLower: lower,
    biasBound: entropicBiasBound(a, b, reg),
  });
}

/** Both sides of the gap identity D(z*) − D(z) = reg·KL̃(P* ‖ P(z)). */
export interface GapIdentity {
  /** D(f*, g*) − D(f, g), from the dual values. */
  readonly gap: number;
  /** reg·KL̃(P* ‖ P(f, g)) with KL̃(p‖q) = Σ p log(p/q) − Σp + Σq. */
  readonly kl: number;
}

/**
 * The gap identity of card T1: for the solution z* = (f*, g*) and any potentials z = (f, g),
 * D(z*) − D(z) = reg·KL̃(P(z*) ‖ P(z)) (exact when P(z*) is feasible). Both sides are computed
 * independently so a test (or a notebook) can compare them.
 *
 * @param solution a converged result (its f, g, plan and problem are used as z*)
 * @param f row potential of the iterate (length n; −∞ allowed where a_i = 0)
 * @param g column potential of the iterate (length m)
 * @returns {@linkcode GapIdentity}
 * @throws {ShapeError} naming `f` or `g`
 * @example
 * ```ts
 * import { dualGapIdentity, sinkhornLog } from "@parsimony/parsimony/ot";
 * const C = [[0, 1], [2, 0.5]];
 * const s = sinkhornLog([0.3, 0.7], [0.6, 0.4], C, { reg: 0.5, tol: 1e-14 });
 * const early = sinkhornLog([0.3, 0.7], [0.6, 0.4], C, { reg: 0.5, maxIter: 2 });
 * const id = dualGapIdentity(s, early.f, early.g);
 * Math.abs(id.gap - id.kl) < 1e-12; // => true
 * ```
 */
export function dualGapIdentity(solution: OtResult, f: ArrayLike<number>, g: ArrayLike<number>): GapIdentity {
  const { a, b, C, reg } = solution.problem;
  const n = C.rows, m = C.cols;
  if (f.length !== n) {
    throw new ShapeError({ fn: "dualGapIdentity", arg: "f", expected: `length ${n}`, got: `length ${f.length}` });
  }
  if (g.length !== m) {
    throw new ShapeError({ fn: "dualGapIdentity", arg: "g", expected: `length ${m}`, got: `length ${g.length}` });
  }
  const fs = solution.f, gs = solution.g, Cd = C.data, eta = 1 / reg;
  let sStar = 0, sQ = 0, cross = 0;
  for (let i = 0; i < n; i++) {
    if (!(a[i] > 0)) continue;
    for (let j = 0; j < m; j++) {
      if (!(b[j] > 0)) continue;
      const k = i * m + j;
      const Ls = (fs[i] + gs[j] - Cd[k]) * eta - 1;
      const Lq = (f[i] + g[j] - Cd[k]) * eta - 1;
      const ps = Math.exp(Ls), q = Math.exp(Lq);
      sStar += ps;
      sQ += q;
      cross += ps * (Ls - Lq);
    }
  }
  const D = (ff: ArrayLike<number>, gg: ArrayLike<number>, total: number) => {
    let s = 0;
    for (let i = 0; i < n; i++) if (a[i] > 0) s += a[i] * ff[i];
    for (let j = 0; j < m; j++) if (b[j] > 0) s += b[j] * gg[j];
    return s - reg * total;
  };
  return Object.freeze({ gap: D(fs, gs, sStar) - D(f, g, sQ), kl: reg * (cross - sStar + sQ) });
}

/**
 * Entropic bias bound (card §1): 0 ≤ ⟨C, P*_reg⟩ − OT ≤ reg·mass·min(H(a/mass), H(b/mass)),
 * H(p) = −Σ p log p.
 *
 * @param a row marginal (≥ 0)
 * @param b column marginal (≥ 0, same mass)
 * @param reg entropic regulariser (> 0)
 * @returns the bound
 * @throws {ParsimonyError} naming `a`, `b` or `reg`
 * @example
 * ```ts
 * import { entropicBiasBound } from "@parsimony/parsimony/ot";
 * entropicBiasBound([0.5, 0.5], [0.25, 0.75], 0.1); // => 0.1 * 0.5623351446188083
 * ```
 */
export function entropicBiasBound(a: ArrayLike<number>, b: ArrayLike<number>, reg: number): number {
  const fn = "entropicBiasBound";
  const av = toVector(a, fn, "a"), bv = toVector(b, fn, "b");
  if (!(typeof reg === "number" && reg > 0 && Number.isFinite(reg))) {
    throw new DomainError({ fn, arg: "reg", expected: "> 0 and finite", got: String(reg) });
  }
  for (let i = 0; i < av.length; i++) {
    if (av[i] < 0) throw new DomainError({ fn, arg: `a[${i}]`, expected: "non-negative", got: String(av[i]) });
  }
  for (let j = 0; j < bv.length; j++) {
    if (bv[j] < 0) throw new DomainError({ fn, arg: `b[${j}]`, expected: "non-negative", got: String(bv[j]) });
  }
  const sa = kahan(av), sb = kahan(bv);
  if (!(sa > 0) || Math.abs(sa - sb) > MASS_TOL * Math.max(sa, sb)) {
    throw new DomainError({
      fn,
      arg: "b",
      expected: "the same positive total mass as a",
      got: `sum(a) = ${sa}, sum(b) = ${sb}`,
    });
  }
  const H = (x: Float64Array, s: number) => {
    let h = 0;
    for (let i = 0; i < x.length; i++) if (x[i] > 0) h -= (x[i] / s) * Math.log(x[i] / s);
    return h;
  };
  return reg * sa * Math.min(H(av, sa), H(bv, sb));
}
