/**
 * The Newton stage shared by Sinkhorn–Newton–Sparse and the dense Sinkhorn–Newton reference
 * (method card A3 steps 2–8, A4). Scaled variables: u = f/reg, v = g/reg, P = exp(u ⊕ v − Cs),
 * Φ(u, v) = aᵀu + bᵀv − ΣP (= D/reg, concave), ∇Φ = (a − P1, b − Pᵀ1), ∇²Φ = −H(P).
 *
 * Each step: plan P (one exp per entry) → residual g → direction d from H̃ d = g (ascent,
 * card pitfall A7: solve with +g) → Armijo backtracking on Φ → z ← z + αd.
 *
 * Line search without cancellation: along d, P(z + αd)_ij = P_ij·e^{α du_i}·e^{α dv_j}, so with
 * em = expm1(α du), en = expm1(α dv)
 *   ΔΣP = emᵀ(P1) + enᵀ(Pᵀ1) + emᵀ P en,   ΔΦ(α) = α(aᵀdu + bᵀdv) − ΔΣP,
 * exact up to a few ulp of the step's own size. Each trial costs one multiply-add pass over P
 * (no exp), and the round-off slack of the Armijo test (card: "stalls near 1e-9 without
 * round-off allowance") is relative to the step, not to |Φ|.
 *
 * @module
 */

import type { StopReason } from "../core/diagnostics.ts";
import type { OtCallback } from "./_common.ts";
import type { OtKernels } from "./_simd.ts";
import type { TraceRecorder } from "./result.ts";

/** Computes a Newton direction d (length n + m) for residual g at plan P (prevStep = α of the previous Newton step, 0 if none); returns (nnz, cg). */
export type DirectionFn = (
  P: Float64Array,
  r: Float64Array,
  c: Float64Array,
  g: Float64Array,
  d: Float64Array,
  err: number,
  prevStep: number,
) => { nnz: number; cg: number };

/** Runs `k` Sinkhorn sweeps from (u, v) (not column-exact); returns the new arrays and counts. */
export type SinkhornFallback = (
  u: Float64Array,
  v: Float64Array,
  k: number,
  itOffset: number,
) => { u: Float64Array; v: Float64Array; sweeps: number; err: number; stop: StopReason };

/** Kernel-memory buffers of the Newton loop: plan (n·m), row/column sums and line-search factors. */
export interface NewtonBuffers {
  P: Float64Array;
  r: Float64Array;
  c: Float64Array;
  em: Float64Array;
  en: Float64Array;
  eu: Float64Array;
  ev: Float64Array;
}

/** Options the Newton loop reads. */
export interface NewtonLoopOptions {
  tol: number;
  maxIter: number;
  armijo: number;
  minStep: number;
  stallSteps: number;
  onIteration: OtCallback | undefined;
}

/** Outcome of {@linkcode newtonLoop}. */
export interface NewtonOutcome {
  u: Float64Array;
  v: Float64Array;
  newton: number;
  fallbackSweeps: number;
  stop: StopReason;
  err: number;
  lastNnz: number;
  /** P, r, c hold the exact plan pass exp(u ⊕ v − Cs) of the returned (u, v). */
  planExact: boolean;
  ms: number;
  fallbackMs: number;
  /** Plan passes (exp, sums). */
  planMs: number;
  /** Direction: sparsification + linear solve. */
  directionMs: number;
  lineSearchMs: number;
}

const EPS = 2.220446049250313e-16;
/** Recompute the plan from the potentials (one exp per entry) at least every this many steps. */
const EXACT_EVERY = 4;

function dInf(d: Float64Array): number {
  let m = 0;
  for (let k = 0; k < d.length; k++) m = Math.max(m, Math.abs(d[k]));
  return m;
}

/**
 * Newton iterations from (u, v). Global iteration numbers continue from `itStart`.
 * `fallbackBudget` caps the Sinkhorn sweeps used when the line search stalls.
 */
export function newtonLoop(
  kr: OtKernels,
  n: number,
  m: number,
  Cs: Float64Array,
  a: Float64Array,
  b: Float64Array,
  reg: number,
  u0: Float64Array,
  v0: Float64Array,
  opts: NewtonLoopOptions,
  direction: DirectionFn,
  fallback: SinkhornFallback,
  fallbackBudget: number,
  trace: TraceRecorder,
  t0: number,
  itStart: number,
  buffers: NewtonBuffers,
): NewtonOutcome {
  const tStart = performance.now();
  let u = u0, v = v0;
  const N = n + m;
  const { P, r, c, em, en } = buffers;
  const g = new Float64Array(N), d = new Float64Array(N);
  let it = itStart, newton = 0, fallbackSweeps = 0, fallbackMs = 0, planMs = 0, directionMs = 0, lineSearchMs = 0;
  let best = Infinity, bestAt = 0, small = 0, lastNnz = 0, lastDual = -Infinity;
  let massAB = 0;
  for (let i = 0; i < n; i++) massAB += a[i];
  let stop: StopReason = "maxIter";
  let err = Infinity;
  let pending: { nnz: number; step: number; cg: number } | null = null;
  let planExact = false;
  // The plan after an accepted step is P ⊙ (e^{α du} ⊕ e^{α dv}) — two multiplications per entry
  // instead of an exp. That update is exact up to ~2 ulp per step, so P is recomputed from the
  // potentials every EXACT_EVERY steps and always before convergence is declared.
  let havePlan = false, exact = false, sinceExact = 0, total = 0;
  const { eu, ev } = buffers;
  /** Residual g, its ℓ1 norm (into `err`) and the dual value at the current plan sums. */
  const measure = (): number => {
    err = 0;
    for (let i = 0; i < n; i++) {
      g[i] = a[i] - r[i];
      err += Math.abs(g[i]);
    }
    for (let j = 0; j < m; j++) {
      g[n + j] = b[j] - c[j];
      err += Math.abs(g[n + j]);
    }
    let dot = 0;
    for (let i = 0; i < n; i++) dot += a[i] * u[i];
    for (let j = 0; j < m; j++) dot += b[j] * v[j];
    return reg * (dot - total);
  };
  for (;;) {
    if (!havePlan) {
      const tp = performance.now();
      total = kr.planPass(n, m, Cs, u, v, P, r, c);
      planMs += performance.now() - tp;
      exact = true;
      sinceExact = 0;
    }
    havePlan = false;
    let dual = measure();
    if (err <= opts.tol && !exact) {
      // confirm convergence on the exactly recomputed plan
      const tp = performance.now();
      total = kr.planPass(n, m, Cs, u, v, P, r, c);
      planMs += performance.now() - tp;
      exact = true;
      sinceExact = 0;
      dual = measure();
    }
    planExact = exact; // P, r, c are the plan of the current (u, v); exact when recomputed from the potentials
    if (pending !== null) {
      trace.push(it, 1, err, dual, (performance.now() - t0) / 1e3, pending.nnz, pending.step, pending.cg);
      const cb = opts.onIteration;
      if (cb && cb({ stage: "newton", iteration: it, error: err, dual, elapsedMs: performance.now() - t0 }) === false) {
        stop = "callback";
        break;
      }
    } else if (trace.length === 0 || trace.lastIteration() !== it) {
      trace.push(it, 0, err, dual, (performance.now() - t0) / 1e3);
    }
    if (!Number.isFinite(err)) {
      stop = "nonFinite";
      break;
    }
    if (err <= opts.tol) {
      stop = "tol";
      break;
    }
    // Progress = a 0.1% better error, or a dual increase above round-off (far from the solution
    // the error is not monotone while the dual is). Stalled = no progress for stallSteps steps.
    const gain = dual - lastDual;
    lastDual = dual;
    if (err < best * (1 - 1e-3) || gain > 1e-13 * (Math.abs(dual) + reg * massAB)) {
      if (err < best) best = err;
      bestAt = newton;
    } else if (newton - bestAt >= opts.stallSteps) {
      stop = "stalled";
      break;
    }
    if (newton >= opts.maxIter) {
      stop = "maxIter";
      break;
    }
    const td = performance.now();
    const { nnz, cg } = direction(P, r, c, g, d, err, pending === null ? 0 : pending.step);
    directionMs += performance.now() - td;
    lastNnz = nnz;
    const tl = performance.now();
    const alpha = lineSearch(kr, n, m, P, r, c, a, b, g, d, em, en, opts.armijo, opts.minStep, total);
    lineSearchMs += performance.now() - tl;
    newton++;
    it++;
    if (alpha > 0) {
      planExact = false;
      for (let i = 0; i < n; i++) u[i] += alpha * d[i];
      for (let j = 0; j < m; j++) v[j] += alpha * d[n + j];
      if (sinceExact + 1 < EXACT_EVERY && alpha * dInf(d) <= 1) {
        const tp = performance.now();
        for (let i = 0; i < n; i++) eu[i] = Math.exp(alpha * d[i]);
        for (let j = 0; j < m; j++) ev[j] = Math.exp(alpha * d[n + j]);
        total = kr.scalePlan(n, m, P, eu, ev, r, c);
        planMs += performance.now() - tp;
        havePlan = true;
        exact = false;
        sinceExact++;
      }
    }
    pending = { nnz, step: alpha, cg };
    small = alpha > 0 && alpha > 1 / 1024 ? 0 : small + 1;
    if ((alpha === 0 || small >= 3) && fallbackSweeps < fallbackBudget) {
      // The Newton model is poor here (card A3 adaptive rule): 10 Sinkhorn sweeps, then resume.
      const tf = performance.now();
      const k = Math.min(10, fallbackBudget - fallbackSweeps);
      const fb = fallback(u, v, k, it);
      planExact = false;
      u = fb.u;
      v = fb.v;
      fallbackSweeps += fb.sweeps;
      it += fb.sweeps;
      small = 0;
      pending = null;
      fallbackMs += performance.now() - tf;
      if (fb.stop === "tol") {
        err = fb.err;
        stop = "tol";
        break;
      }
    } else if (alpha === 0) {
      stop = "stalled";
      break;
    }
  }
  return {
    u,
    v,
    newton,
    fallbackSweeps,
    stop,
    err,
    lastNnz,
    planExact,
    ms: performance.now() - tStart - fallbackMs,
    fallbackMs,
    planMs,
    directionMs,
    lineSearchMs,
  };
}

/**
 * Armijo backtracking α ∈ {1, ½, ¼, …} ≥ minStep on Φ along d.
 *
 * ΔΣP(α) = Σ_ij P_ij (e^{α du_i} e^{α dv_j} − 1) is evaluated in one of two ways:
 * - small steps (max|α d| ≤ 1): the expm1 split emᵀ(P1) + enᵀ(Pᵀ1) + emᵀ P en, whose round-off
 *   is a few ulp of the step's own size, so the Armijo slack can be that small;
 * - large steps: Σ_i e^{α du_i}(P e^{α dv})_i − ΣP, with the card's slack ∝ eps·(ΣP + ΣP′)
 *   (the split would cancel catastrophically when e^{α du_i} is huge and e^{α dv_j} ≈ 0).
 * Overflow (a non-finite trial) counts as failure.
 *
 * @returns the accepted step, or 0 when none passed (or d is not an ascent direction)
 */
function lineSearch(
  kr: OtKernels,
  n: number,
  m: number,
  P: Float64Array,
  r: Float64Array,
  c: Float64Array,
  a: Float64Array,
  b: Float64Array,
  g: Float64Array,
  d: Float64Array,
  em: Float64Array,
  en: Float64Array,
  armijo: number,
  minStep: number,
  total: number,
): number {
  let gd = 0, lin = 0, linAbs = 0, dMax = 0;
  for (let i = 0; i < n; i++) {
    gd += g[i] * d[i];
    lin += a[i] * d[i];
    linAbs += a[i] * Math.abs(d[i]);
    if (Math.abs(d[i]) > dMax) dMax = Math.abs(d[i]);
  }
  for (let j = 0; j < m; j++) {
    gd += g[n + j] * d[n + j];
    lin += b[j] * d[n + j];
    linAbs += b[j] * Math.abs(d[n + j]);
    if (Math.abs(d[n + j]) > dMax) dMax = Math.abs(d[n + j]);
  }
  if (!(gd > 0) || !Number.isFinite(dMax)) return 0;
  const ulp = (16 + Math.sqrt(n + m)) * EPS;
  for (let alpha = 1; alpha >= minStep; alpha *= 0.5) {
    const small = alpha * dMax <= 1;
    let ok = true, sr = 0, sc = 0, ar = 0, ac = 0;
    for (let i = 0; i < n; i++) {
      const x = small ? Math.expm1(alpha * d[i]) : Math.exp(alpha * d[i]);
      if (!(x < Infinity)) ok = false;
      em[i] = x;
      if (small) {
        sr += x * r[i];
        ar += Math.abs(x) * r[i];
      }
    }
    for (let j = 0; j < m; j++) {
      const x = small ? Math.expm1(alpha * d[n + j]) : Math.exp(alpha * d[n + j]);
      if (!(x < Infinity)) ok = false;
      en[j] = x;
      if (small) {
        sc += x * c[j];
        ac += Math.abs(x) * c[j];
      }
    }
    if (!ok) continue;
    const cross = kr.cross(n, m, P, em, en);
    let dS: number, slack: number;
    if (small) {
      dS = sr + sc + cross;
      slack = ulp * (alpha * linAbs + ar + 2 * ac);
    } else {
      dS = cross - total; // cross = Σ_i e^{α du_i} (P e^{α dv})_i = ΣP(z + αd)
      slack = ulp * (alpha * linAbs + total + Math.abs(cross));
    }
    const dPhi = alpha * lin - dS;
    if (!Number.isFinite(dPhi)) continue;
    if (dPhi >= armijo * alpha * gd - slack) return alpha;
  }
  return 0;
}
