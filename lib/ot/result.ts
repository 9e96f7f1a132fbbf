/**
 * The result type shared by every entropic OT solver in lib/ot ({@linkcode OtResult}), and
 * the one routine that turns a solver's final potentials into it (plan, cost, objective,
 * dual value, marginal error), so that all solvers report identical quantities.
 *
 * Conventions (method card §1, `reg` = 1/η):
 * - primal objective ⟨C,P⟩ + reg·Σ P log P;
 * - plan from the log-domain potentials: P_ij = exp((f_i + g_j − C_ij)/reg − 1);
 * - dual (Lyapunov) value D(f, g) = aᵀf + bᵀg − reg·Σ_ij P_ij, concave, maximised by the
 *   solution, where it equals the primal optimum (strong duality);
 * - marginal error ‖P1 − a‖₁ + ‖Pᵀ1 − b‖₁.
 *
 * @module
 */

import type { Backend, Diagnostics, History, StopReason } from "../core/diagnostics.ts";
import { Matrix } from "../core/matrix.ts";
import { kahan, type OtProblem } from "./_problem.ts";
import type { OtKernels } from "./_simd.ts";

/** Iteration counts on the card's common axis (a Sinkhorn iteration = one row and one column update). */
export interface OtIterations {
  /** Sinkhorn sweeps (warm-up sweeps for SNS, fallback sweeps included). */
  readonly sinkhorn: number;
  /** Newton steps (search direction + line search). */
  readonly newton: number;
}

/** Wall-clock split of a solve, in milliseconds. */
export interface OtTimings {
  /** The whole call. */
  readonly totalMs: number;
  /** Validation, scaled cost, kernel matrix. */
  readonly setupMs: number;
  /** Sinkhorn sweeps. */
  readonly sinkhornMs: number;
  /** Newton steps (plan, sparsification, CG, line search). */
  readonly newtonMs: number;
  /** Part of newtonMs: plan passes (one exp per entry, row/column sums). */
  readonly planMs: number;
  /** Part of newtonMs: Hessian sparsification. */
  readonly sparsifyMs: number;
  /** Part of newtonMs: the linear solve (CG, or the dense factorisation). */
  readonly solveMs: number;
  /** Part of newtonMs: line searches. */
  readonly lineSearchMs: number;
  /** Plan, cost and objective of the returned iterate. */
  readonly finalizeMs: number;
}

/** Which stage ran where, in which precision (the GPU f32 warm-up / CPU f64 Newton split is reported here). */
export interface OtStage {
  /** Stage name. */
  readonly stage: "sinkhorn" | "newton" | "simplex";
  /** Backend that ran it. */
  readonly backend: Backend;
  /** Floating-point format of the hot loop. */
  readonly precision: "f64" | "f32";
  /** Iterations (sweeps or steps) spent in the stage. */
  readonly iterations: number;
  /** Milliseconds spent in the stage. */
  readonly ms: number;
}

/**
 * Per-iteration trace for convergence plots (card A7): one row per Sinkhorn sweep or Newton
 * step, all columns of equal length.
 */
export interface OtTrace {
  /** Iteration on the common axis (1-based; Sinkhorn sweeps and Newton steps counted together). */
  readonly iteration: Int32Array;
  /** 0 = Sinkhorn sweep, 1 = Newton step. */
  readonly stage: Uint8Array;
  /** Marginal error ‖P1 − a‖₁ + ‖Pᵀ1 − b‖₁ of the iterate. */
  readonly error: Float64Array;
  /** Dual (Lyapunov) value D(f, g) of the iterate. */
  readonly dual: Float64Array;
  /** Seconds since the start of the call. */
  readonly seconds: Float64Array;
  /** nnz of the sparsified plan P̃ used by the Newton step (0 for Sinkhorn sweeps). */
  readonly nnz: Int32Array;
  /** Line-search step α (0 for Sinkhorn sweeps). */
  readonly step: Float64Array;
  /** Conjugate-gradient iterations of the Newton step (0 for Sinkhorn sweeps). */
  readonly cg: Int32Array;
}

/** The problem a result belongs to (what {@linkcode dualityGap} needs). */
export interface OtProblemData {
  /** Row marginal as used. */
  readonly a: Float64Array;
  /** Column marginal as used (rescaled when a mass mismatch within tolerance was removed). */
  readonly b: Float64Array;
  /** Cost matrix. */
  readonly C: Matrix;
  /** Entropic regulariser. */
  readonly reg: number;
}

/**
 * Result of every entropic OT solver (`sinkhorn`, `sinkhornLog`, `sinkhornNewtonSparse`,
 * `sinkhornNewtonDense`): the plan, the log-domain dual potentials and the run diagnostics.
 */
export interface OtResult<O = unknown> extends Diagnostics<O> {
  /** Transport plan P (n×m), P_ij = exp((f_i + g_j − C_ij)/reg − 1). */
  readonly plan: Matrix;
  /** Row potential f (length n); −∞ where a_i = 0. */
  readonly f: Float64Array;
  /** Column potential g (length m); −∞ where b_j = 0. */
  readonly g: Float64Array;
  /** Transport cost ⟨C, P⟩. */
  readonly cost: number;
  /** Entropic primal objective ⟨C,P⟩ + reg·Σ P log P of the returned plan. */
  readonly objective: number;
  /** Dual value aᵀf + bᵀg − reg·ΣP (≤ the entropic optimum ≤ objective at feasibility). */
  readonly dual: number;
  /** ‖P1 − a‖₁ + ‖Pᵀ1 − b‖₁ of the returned plan. */
  readonly marginalError: number;
  /** Sinkhorn sweeps and Newton steps taken. */
  readonly iterations: OtIterations;
  /** Density nnz(H̃)/(n+m)² of the last sparsified Hessian (Newton solvers), null otherwise. */
  readonly hessianDensity: number | null;
  /** Wall-clock split. */
  readonly timings: OtTimings;
  /** Which stage ran on which backend and in which precision. */
  readonly stages: readonly OtStage[];
  /** Per-iteration trace (error, dual value, time, nnz, step, CG count). */
  readonly trace: OtTrace;
  /** The validated problem (marginals as used, cost, reg). */
  readonly problem: OtProblemData;
  /** Human-readable warning (e.g. the scaling form under/overflowed: use sinkhornLog), or null. */
  readonly warning: string | null;
}

/** Growable trace (internal). */
export class TraceRecorder {
  #it: number[] = [];
  #st: number[] = [];
  #err: number[] = [];
  #dual: number[] = [];
  #sec: number[] = [];
  #nnz: number[] = [];
  #step: number[] = [];
  #cg: number[] = [];

  /** Append one row. */
  push(iteration: number, stage: 0 | 1, error: number, dual: number, seconds: number, nnz = 0, step = 0, cg = 0): void {
    this.#it.push(iteration);
    this.#st.push(stage);
    this.#err.push(error);
    this.#dual.push(dual);
    this.#sec.push(seconds);
    this.#nnz.push(nnz);
    this.#step.push(step);
    this.#cg.push(cg);
  }

  /** Error of the last row (NaN when empty). */
  lastError(): number {
    return this.#err.length ? this.#err[this.#err.length - 1] : NaN;
  }

  /** Errors of the last `k` rows (fewer when the trace is shorter). */
  lastErrors(k: number): number[] {
    return this.#err.slice(Math.max(0, this.#err.length - k));
  }

  /** Iteration of the last row (−1 when empty). */
  lastIteration(): number {
    return this.#it.length ? this.#it[this.#it.length - 1] : -1;
  }

  /** Rows recorded. */
  get length(): number {
    return this.#it.length;
  }

  /** Freeze into typed arrays. */
  freeze(): OtTrace {
    return {
      iteration: Int32Array.from(this.#it),
      stage: Uint8Array.from(this.#st),
      error: Float64Array.from(this.#err),
      dual: Float64Array.from(this.#dual),
      seconds: Float64Array.from(this.#sec),
      nnz: Int32Array.from(this.#nnz),
      step: Float64Array.from(this.#step),
      cg: Int32Array.from(this.#cg),
    };
  }

  /** The (iteration, error) history of the shared Diagnostics shape. */
  history(): History {
    return { iteration: Int32Array.from(this.#it), error: Float64Array.from(this.#err) };
  }
}

/** Quantities of the returned iterate computed by {@linkcode finalizeLog}. */
export interface Finalized {
  plan: Matrix;
  f: Float64Array;
  g: Float64Array;
  cost: number;
  objective: number;
  dual: number;
  marginalError: number;
  ms: number;
}

/** Kernel context for {@linkcode finalizeLog}: the plan pass runs in the solver's kernels. */
export interface FinalizeContext {
  kernels: OtKernels;
  /** Scaled support cost C/reg + 1 (kernel memory). */
  Cs: Float64Array;
  /** Kernel copy of the support cost C (ns·ms); without it ⟨C,P⟩ and the entropy are summed in TypeScript. */
  C?: Float64Array;
  /** n·m buffer (kernel memory). */
  P: Float64Array;
  rowSum: Float64Array;
  colSum: Float64Array;
  /**
   * True when P, rowSum, colSum already hold the plan pass exp(u ⊕ v − Cs) of exactly these (u, v)
   * (the Newton stage's convergence check computed it): the pass is not repeated.
   */
  planReady?: boolean;
}

/**
 * Plan, potentials, cost, objective, dual value and marginal error from the scaled support
 * potentials u = f/reg, v = g/reg (P_ij = exp(u_i + v_j − C_ij/reg − 1)). log P_ij is known
 * exactly (= u_i + v_j − Cs_ij), so the entropy needs no logarithm.
 */
export function finalizeLog(p: OtProblem, u: Float64Array, v: Float64Array, ctx?: FinalizeContext): Finalized {
  const t0 = performance.now();
  const ns = p.as.length, ms = p.bs.length, { Cr, reg } = p;
  const eta = 1 / reg;
  let rowSum: Float64Array, colSum: Float64Array, P: Float64Array;
  if (ctx) {
    ({ rowSum, colSum, P } = ctx);
    if (!ctx.planReady) ctx.kernels.planPass(ns, ms, ctx.Cs, u, v, P, rowSum, colSum);
    if (ctx.C) {
      let total = 0;
      for (let i = 0; i < ns; i++) total += rowSum[i];
      const ce = ctx.kernels.costEnt(ns, ms, P, ctx.C, ctx.Cs, u, v);
      return assemble(p, u, v, P, rowSum, colSum, total, ce.cost, ce.ent, t0);
    }
  } else {
    rowSum = new Float64Array(ns);
    colSum = new Float64Array(ms);
    P = new Float64Array(ns * ms);
    for (let i = 0; i < ns; i++) {
      const o = i * ms, ui = u[i];
      let rs = 0;
      for (let j = 0; j < ms; j++) {
        const x = Math.exp(ui + v[j] - (Cr[o + j] * eta + 1));
        P[o + j] = x;
        rs += x;
        colSum[j] += x;
      }
      rowSum[i] = rs;
    }
  }
  let cost = 0, ent = 0, total = 0;
  for (let i = 0; i < ns; i++) {
    const o = i * ms, ui = u[i];
    let cs = 0, es = 0;
    for (let j = 0; j < ms; j++) {
      const c = Cr[o + j], x = P[o + j];
      cs += c * x;
      if (x > 0) es += x * (ui + v[j] - (c * eta + 1));
    }
    cost += cs;
    ent += es;
    total += rowSum[i];
  }
  return assemble(p, u, v, P, rowSum, colSum, total, cost, ent, t0);
}

function assemble(
  p: OtProblem,
  u: Float64Array,
  v: Float64Array,
  P: Float64Array,
  rowSum: Float64Array,
  colSum: Float64Array,
  total: number,
  cost: number,
  ent: number,
  t0: number,
): Finalized {
  const ns = p.as.length, ms = p.bs.length, { reg } = p;
  const plan = new Matrix(p.n, p.m);
  const full = ns === p.n && ms === p.m;
  if (full) plan.data.set(P.subarray(0, ns * ms));
  else {
    for (let i = 0; i < ns; i++) {
      const dst = p.rows[i] * p.m, src = i * ms;
      for (let j = 0; j < ms; j++) plan.data[dst + p.cols[j]] = P[src + j];
    }
  }
  let err = 0;
  for (let i = 0; i < ns; i++) err += Math.abs(rowSum[i] - p.as[i]);
  for (let j = 0; j < ms; j++) err += Math.abs(colSum[j] - p.bs[j]);
  const f = new Float64Array(p.n).fill(-Infinity), g = new Float64Array(p.m).fill(-Infinity);
  const af = new Float64Array(ns), bg = new Float64Array(ms);
  for (let i = 0; i < ns; i++) {
    f[p.rows[i]] = reg * u[i];
    af[i] = p.as[i] * reg * u[i];
  }
  for (let j = 0; j < ms; j++) {
    g[p.cols[j]] = reg * v[j];
    bg[j] = p.bs[j] * reg * v[j];
  }
  const dual = kahan(af) + kahan(bg) - reg * total;
  return {
    plan,
    f,
    g,
    cost,
    objective: cost + reg * ent,
    dual,
    marginalError: err,
    ms: performance.now() - t0,
  };
}

/**
 * Finalisation of the scaling form when exp(−C/reg) did not underflow: P = diag(us) K diag(vs)
 * (one multiplication pass in the kernels, written over K, with ⟨C, P⟩ from the kernel copy C), log P_ij = u_i + v_j − C_ij/reg − 1 with the scaled
 * log potentials u, v (= log us + ½), so the entropy is Σ_i u_i r_i + Σ_j v_j c_j − ΣP − ⟨C,P⟩/reg.
 */
export function finalizeScaling(
  p: OtProblem,
  kr: OtKernels,
  K: Float64Array,
  C: Float64Array,
  us: Float64Array,
  vs: Float64Array,
  u: Float64Array,
  v: Float64Array,
  rowSum: Float64Array,
  colSum: Float64Array,
): Finalized {
  const t0 = performance.now();
  const ns = p.as.length, ms = p.bs.length, { reg } = p;
  // one pass: P = diag(us) K diag(vs) written over K, with its sums and ⟨C, P⟩
  const { total, cost } = kr.scalePlanCost(ns, ms, K, C, us, vs, K, rowSum, colSum);
  let lin = 0;
  for (let i = 0; i < ns; i++) lin += u[i] * rowSum[i];
  for (let j = 0; j < ms; j++) lin += v[j] * colSum[j];
  const ent = lin - total - cost / reg;
  return assemble(p, u, v, K, rowSum, colSum, total, cost, ent, t0);
}

/** Assemble an {@linkcode OtResult} from its parts (internal). */
export function makeResult<O>(
  p: OtProblem,
  fin: Finalized,
  parts: {
    options: Readonly<O>;
    converged: boolean;
    stopReason: StopReason;
    trace: TraceRecorder;
    iterations: OtIterations;
    hessianDensity: number | null;
    backend: Backend;
    backendReason: string;
    timings: Pick<OtTimings, "setupMs" | "sinkhornMs" | "newtonMs"> & Partial<OtTimings>;
    t0: number;
    stages: OtStage[];
    warning: string | null;
  },
): OtResult<O> {
  const totalMs = performance.now() - parts.t0;
  return Object.freeze({
    plan: fin.plan,
    f: fin.f,
    g: fin.g,
    cost: fin.cost,
    objective: fin.objective,
    dual: fin.dual,
    marginalError: fin.marginalError,
    iterations: Object.freeze({ ...parts.iterations }),
    hessianDensity: parts.hessianDensity,
    timings: Object.freeze({
      planMs: 0,
      sparsifyMs: 0,
      solveMs: 0,
      lineSearchMs: 0,
      ...parts.timings,
      finalizeMs: fin.ms,
      totalMs,
    }),
    stages: Object.freeze(parts.stages.map((s) => Object.freeze(s))),
    trace: parts.trace.freeze(),
    problem: Object.freeze({ a: p.a, b: p.b, C: p.C, reg: p.reg }),
    warning: parts.warning,
    converged: parts.converged,
    stopReason: parts.stopReason,
    history: parts.trace.history(),
    elapsedMs: totalMs,
    backend: parts.backend,
    backendReason: parts.backendReason,
    options: parts.options,
  });
}
