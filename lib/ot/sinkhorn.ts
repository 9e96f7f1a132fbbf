/**
 * Sinkhorn's algorithm for entropic optimal transport (Cuturi 2013), in the scaling form
 * ({@linkcode sinkhorn}) and in the log domain ({@linkcode sinkhornLog}); method card A1/A2.
 *
 * Both minimise ⟨C,P⟩ + reg·Σ P log P over P ≥ 0 with P1 = a, Pᵀ1 = b by alternating exact
 * maximisation of the concave dual D(f, g) = aᵀf + bᵀg − reg·Σ exp((f_i + g_j − C_ij)/reg − 1)
 * in f (rows) and g (columns). One iteration = one row update + one column update.
 *
 * Implementation notes (both forms read the n×m matrix once per iteration):
 * - the column update's sums are accumulated while each row is still in cache, right after
 *   that row's update; the log form reuses the row's exponentials for them, so it costs one
 *   `exp` per entry per iteration (textbook log-domain Sinkhorn costs two);
 * - the marginal error ‖P1 − a‖₁ of every iterate falls out of the next row pass, so the
 *   stopping test runs every iteration at no cost (POT checks every 10 with an extra pass).
 *
 * @module
 */

import { NumericalError } from "../core/errors.ts";
import type { MatrixLike } from "../core/matrix.ts";
import type { ConstraintTable } from "../core/validate.ts";
import type { StopReason } from "../core/diagnostics.ts";
import { MAX_THREADS } from "../core/parallel.ts";
import {
  dualColumnExact,
  initialPotentials,
  type OtBackendOption,
  type OtCallback,
  type OtWarmStart,
  resolveWithReg,
  syncBackend,
  withThreads,
} from "./_common.ts";
import { createKernels, type OtKernels } from "./_simd.ts";
import { buildProblem, type Marginal, nonFiniteCost, scaledCostFrom } from "./_problem.ts";
import { finalizeLog, finalizeScaling, makeResult, type OtResult, TraceRecorder } from "./result.ts";

/** Options of {@linkcode sinkhorn} and {@linkcode sinkhornLog}. */
export interface SinkhornOptions {
  /** Entropic regulariser reg = 1/η (required; same units as C). */
  reg: number;
  /** Stop when ‖P1 − a‖₁ + ‖Pᵀ1 − b‖₁ ≤ tol (checked every iteration). @default 1e-9 */
  tol: number;
  /** Maximum number of iterations (row + column update). @default 10000 */
  maxIter: number;
  /** Stop as `"stalled"` when the best error has not improved for this many iterations. @default 1000 */
  stallIter: number;
  /** Warm start from log-domain potentials (e.g. a previous result's `f`, `g`). @default undefined */
  init: OtWarmStart | undefined;
  /** `"auto"` or `"cpu"` (this synchronous call always runs f64 on the CPU). @default "auto" */
  backend: OtBackendOption;
  /**
   * Threads for the n×m passes (lib/core/parallel.ts); `undefined` = `PARSIMONY_THREADS` or
   * min(navigator.hardwareConcurrency, 8). Problems below 2^17 entries run on one thread. The
   * result is bit-identical for every value. @default undefined
   */
  threads: number | undefined;
  /** Called after every iteration; return `false` to stop. @default undefined */
  onIteration: OtCallback | undefined;
}

/** Defaults of {@linkcode SinkhornOptions} (`reg` has none: it is required). */
export const SINKHORN_DEFAULTS: Readonly<SinkhornOptions> = Object.freeze({
  reg: NaN,
  tol: 1e-9,
  maxIter: 10000,
  stallIter: 1000,
  init: undefined,
  backend: "auto",
  threads: undefined,
  onIteration: undefined,
});

/** Constraint table of {@linkcode SinkhornOptions}. */
export const SINKHORN_CONSTRAINTS: ConstraintTable<SinkhornOptions> = Object.freeze({
  reg: { kind: "number", min: 0, minExclusive: true, max: Number.MAX_VALUE },
  tol: { kind: "number", min: 0 },
  maxIter: { kind: "number", min: 0, integer: true },
  stallIter: { kind: "number", min: 1, integer: true },
  init: { kind: "object" },
  backend: { kind: "enum", values: ["auto", "cpu", "gpu"] },
  threads: { kind: "number", min: 1, max: MAX_THREADS, integer: true },
  onIteration: { kind: "function" },
});

/** Result of {@linkcode sinkhorn} / {@linkcode sinkhornLog}. */
export type SinkhornResult = OtResult<SinkhornOptions>;

/**
 * Sinkhorn–Knopp in the scaling form (Cuturi 2013; card A1): K = exp(−C/reg), u ← a ⊘ Kv,
 * v ← b ⊘ Kᵀu, P = diag(u) K diag(v). Fastest per iteration, but K underflows when C/reg
 * exceeds ~745 on a whole row or column and u, v overflow for small reg: this function then
 * throws (before iterating) or stops with `stopReason: "nonFinite"` and a `warning` pointing to
 * {@linkcode sinkhornLog} — it never returns NaN.
 *
 * @param a row marginal (length n, ≥ 0); `null`/`[]` for uniform
 * @param b column marginal (length m, ≥ 0, same mass as a); `null`/`[]` for uniform
 * @param C cost matrix n×m (finite)
 * @param options {@linkcode SinkhornOptions}; `reg` is required
 * @returns {@linkcode SinkhornResult}
 * @throws {ParsimonyError} naming `a`, `b`, `C` or the option at fault
 * @throws {NumericalError} naming `options.reg` when exp(−C/reg) has an all-zero row or column
 * @example
 * ```ts
 * import { sinkhorn } from "@parsimony/parsimony/ot";
 * const r = sinkhorn([0.5, 0.5], [0.5, 0.5], [[0, 1], [1, 0]], { reg: 0.1 });
 * r.converged; // => true
 * r.plan.get(0, 0); // => 0.4999773010656488 = 0.5/(1 + e^{-10})
 * ```
 */
export function sinkhorn(
  a: Marginal,
  b: Marginal,
  C: MatrixLike,
  options: Partial<SinkhornOptions> & { reg: number },
): SinkhornResult {
  const t0 = performance.now();
  const fn = "sinkhorn";
  const opts = withThreads(fn, resolveWithReg(fn, SINKHORN_DEFAULTS, options, SINKHORN_CONSTRAINTS));
  const be = syncBackend(fn, opts.backend);
  const p = buildProblem(fn, a, b, C, opts.reg, true);
  const n = p.as.length, m = p.bs.length, eta = 1 / p.reg;
  const kr = createKernels(3 * n * m + 8 * (n + m) + 32, { n, m, threads: opts.threads });
  try {
    // C is copied into kernel memory once (it is needed again for ⟨C, P⟩); K = exp(−C/reg) is one
    // SIMD pass that also checks C's finiteness and records K's row and column maxima.
    const Cw = kr.alloc(n * m, false), K = kr.alloc(n * m, false);
    Cw.set(p.Cr);
    const rowMax = kr.alloc(n), colMax = kr.alloc(m);
    const ek = kr.expRows(n, m, Cw, K, -eta, 0, rowMax, colMax);
    if (!ek.finite) nonFiniteCost(p);
    checkKernel(rowMax, colMax, p.reg);
    const underflow = ek.kmin < 2.2250738585072014e-308;
    const init = initialPotentials(p, opts.init);
    // Scalings from log potentials: P = diag(us) K diag(vs) = exp(u + v − C/reg − 1) ⇒ us = e^{u − 1/2}.
    const av = kr.alloc(n), bv = kr.alloc(m), us = kr.alloc(n), vs = kr.alloc(m), acc = kr.alloc(m);
    av.set(p.as);
    bv.set(p.bs);
    for (let i = 0; i < n; i++) us[i] = Math.exp(init.u[i] - 0.5);
    for (let j = 0; j < m; j++) vs[j] = Math.exp(init.v[j] - 0.5);
    const uPrev = new Float64Array(n), vPrev = new Float64Array(m);
    const uLog = kr.alloc(n), vLog = kr.alloc(m), rowSum = kr.alloc(n), colSum = kr.alloc(m);
    const trace = new TraceRecorder();
    const setupMs = performance.now() - t0;

    const loop = scalingLoop(
      kr,
      n,
      m,
      K,
      av,
      bv,
      us,
      vs,
      acc,
      uPrev,
      vPrev,
      uLog,
      vLog,
      0.5,
      opts,
      trace,
      t0,
      0,
      (uu, vv) => dualColumnExact(p, uu, vv),
    );
    const it = loop.it, lastCheck = loop.lastErr;
    let stop = loop.stop, converged = stop === "tol", warning: string | null = null;
    if (stop === "nonFinite") {
      if (it === 0) {
        throw new NumericalError({
          fn,
          arg: "options.reg",
          expected: "large enough for the scaling form (exp(−C/reg) and the scalings stay in f64 range)",
          got: String(p.reg),
          hint: "Use sinkhornLog (log-domain) for small reg",
        });
      }
      warning = `sinkhorn: the scalings under/overflowed at iteration ${it + 1} (reg = ${p.reg} is too small for the ` +
        "scaling form); returned the last finite iterate. Use sinkhornLog.";
    }
    const sinkhornMs = performance.now() - t0 - setupMs;
    scalingToLog(us, vs, uLog, vLog, 0.5);
    // Without underflow the plan is diag(us) K diag(vs) (no exp). Where exp(−C/reg) underflowed, the
    // plan is recomputed from the potentials, exp(u + v − Cs), so that a truncated kernel shows up
    // as a marginal error instead of being hidden (K's buffer is reused for Cs).
    const fin = underflow
      ? finalizeLog(p, uLog, vLog, {
        kernels: kr,
        Cs: scaledCostFrom(p, kr, Cw, K),
        C: Cw,
        P: kr.alloc(n * m, false),
        rowSum,
        colSum,
      })
      : finalizeScaling(p, kr, K, Cw, us, vs, uLog, vLog, rowSum, colSum);
    if (stop === "maxIter" && it > 0 && trace.length < it) {
      trace.push(it, 0, fin.marginalError, fin.dual, (performance.now() - t0) / 1e3);
      if (fin.marginalError <= opts.tol) converged = true;
    }
    // The scaling form iterates on the kernel K as stored; where exp(−C/reg) underflowed it solves a
    // truncated problem. The plan above is recomputed from the potentials, so the truncation shows
    // up as a marginal error much larger than the one the iterations measured on K.
    if (stop !== "nonFinite" && fin.marginalError > 100 * Math.max(opts.tol, lastCheck) + 1e-13) {
      converged = false;
      stop = "nonFinite";
      warning =
        `sinkhorn: exp(−C/reg) underflowed for some entries (reg = ${p.reg}); the plan recomputed from the potentials ` +
        `has marginal error ${fin.marginalError.toExponential(2)}, the scaling iterations measured ${
          lastCheck.toExponential(2)
        }. Use sinkhornLog.`;
    }
    return makeResult(p, fin, {
      options: opts,
      converged,
      stopReason: stop,
      trace,
      iterations: { sinkhorn: it, newton: 0 },
      hessianDensity: null,
      backend: be.backend,
      backendReason: `${be.reason}; ${kr.describe()}`,
      timings: { setupMs, sinkhornMs, newtonMs: 0 },
      t0,
      stages: [{ stage: "sinkhorn", backend: "cpu", precision: "f64", iterations: it, ms: sinkhornMs }],
      warning,
    });
  } finally {
    kr.dispose();
  }
}

/**
 * Sinkhorn in the log domain (card A2; = block coordinate ascent on the dual): with scaled
 * potentials, f_i ← reg·(log a_i − LSE_j((g_j − C_ij)/reg − 1)) and the symmetric column
 * update. Stable for any reg > 0 (tested to reg = 1e-4·max C); it reaches ‖∇‖₁ ≈ 1e-13 at
 * machine precision. Slow (linear rate σ₂² per iteration, card T4) when reg is small: use
 * {@linkcode sinkhornNewtonSparse} then.
 *
 * @param a row marginal (length n, ≥ 0); `null`/`[]` for uniform
 * @param b column marginal (length m, ≥ 0, same mass as a); `null`/`[]` for uniform
 * @param C cost matrix n×m (finite)
 * @param options {@linkcode SinkhornOptions}; `reg` is required
 * @returns {@linkcode SinkhornResult}
 * @throws {ParsimonyError} naming `a`, `b`, `C` or the option at fault
 * @example
 * ```ts
 * import { sinkhornLog } from "@parsimony/parsimony/ot";
 * const r = sinkhornLog([0.3, 0.7], [0.6, 0.4], [[0, 1], [2, 0.5]], { reg: 0.5, tol: 1e-14 });
 * r.plan.get(0, 0); // => 0.297369100524752 (card oracle O1)
 * ```
 */
export function sinkhornLog(
  a: Marginal,
  b: Marginal,
  C: MatrixLike,
  options: Partial<SinkhornOptions> & { reg: number },
): SinkhornResult {
  const t0 = performance.now();
  const fn = "sinkhornLog";
  const opts = withThreads(fn, resolveWithReg(fn, SINKHORN_DEFAULTS, options, SINKHORN_CONSTRAINTS));
  const be = syncBackend(fn, opts.backend);
  const p = buildProblem(fn, a, b, C, opts.reg, true);
  const n = p.as.length, m = p.bs.length;
  const kr = createKernels(3 * n * m + 8 * (n + m) + 32, { n, m, threads: opts.threads });
  try {
    const Cw = kr.alloc(n * m, false);
    Cw.set(p.Cr);
    const Cs = scaledCostFrom(p, kr, Cw, kr.alloc(n * m, false));
    const av = kr.alloc(n), la = kr.alloc(n), lb = kr.alloc(m);
    av.set(p.as);
    for (let i = 0; i < n; i++) la[i] = Math.log(p.as[i]);
    for (let j = 0; j < m; j++) lb[j] = Math.log(p.bs[j]);
    const init = initialPotentials(p, opts.init);
    const u0 = kr.alloc(n), v0 = kr.alloc(m);
    u0.set(init.u);
    v0.set(init.v);
    const uNew = kr.alloc(n), vNew = kr.alloc(m), colAcc = kr.alloc(m), t = kr.alloc(m);
    const trace = new TraceRecorder();
    const setupMs = performance.now() - t0;
    const res = logLoop(
      kr,
      n,
      m,
      Cs,
      av,
      la,
      lb,
      u0,
      v0,
      uNew,
      vNew,
      colAcc,
      t,
      opts,
      trace,
      t0,
      0,
      (uu, vv) => dualColumnExact(p, uu, vv),
    );
    const u = res.u, v = res.v;
    const sinkhornMs = performance.now() - t0 - setupMs;
    const fin = finalizeLog(p, u, v, {
      kernels: kr,
      Cs,
      C: Cw,
      P: kr.alloc(n * m, false),
      rowSum: kr.alloc(n),
      colSum: kr.alloc(m),
    });
    if (res.stop === "maxIter" && res.it > 0 && trace.length < res.it) {
      trace.push(res.it, 0, fin.marginalError, fin.dual, (performance.now() - t0) / 1e3);
    }
    return makeResult(p, fin, {
      options: opts,
      converged: res.stop === "tol" || (res.stop === "maxIter" && fin.marginalError <= opts.tol),
      stopReason: res.stop,
      trace,
      iterations: { sinkhorn: res.it, newton: 0 },
      hessianDensity: null,
      backend: be.backend,
      backendReason: `${be.reason}; ${kr.describe()}`,
      timings: { setupMs, sinkhornMs, newtonMs: 0 },
      t0,
      stages: [{ stage: "sinkhorn", backend: "cpu", precision: "f64", iterations: res.it, ms: sinkhornMs }],
      warning: null,
    });
  } finally {
    kr.dispose();
  }
}

/** State returned by {@linkcode logLoop}. */
export interface LogLoopResult {
  u: Float64Array;
  v: Float64Array;
  it: number;
  stop: StopReason;
  lastErr: number;
}

/**
 * The log-domain Sinkhorn loop (shared by sinkhornLog and the SNS warm-up). Runs until
 * `opts.maxIter` sweeps, `opts.tol`, stall, or the callback stops it. Returns the iterate
 * whose error was last measured (column-exact).
 */
export function logLoop(
  kr: OtKernels,
  n: number,
  m: number,
  Cs: Float64Array,
  a: Float64Array,
  la: Float64Array,
  lb: Float64Array,
  u: Float64Array,
  v: Float64Array,
  uNew: Float64Array,
  vNew: Float64Array,
  colAcc: Float64Array,
  t: Float64Array,
  opts: { tol: number; maxIter: number; stallIter: number; onIteration: OtCallback | undefined },
  trace: TraceRecorder,
  t0: number,
  itOffset: number,
  dualOf: (u: Float64Array, v: Float64Array) => number,
  exactFirst = true,
): LogLoopResult {
  let it = 0, stop: StopReason = "maxIter", best = Infinity, bestAt = 0, lastErr = NaN;
  let exact = exactFirst;
  for (;;) {
    // The error of iterate `it` is measured by the next sweep; at maxIter the caller's final
    // plan pass measures it instead (no wasted sweep).
    if (it >= opts.maxIter) break;
    const e = kr.logSweep(n, m, Cs, a, la, lb, u, v, uNew, vNew, colAcc, t, exact);
    if (it >= 1) {
      lastErr = e;
      const dual = dualOf(u, v);
      trace.push(itOffset + it, 0, e, dual, (performance.now() - t0) / 1e3);
      if (e <= opts.tol) {
        stop = "tol";
        break;
      }
      if (!Number.isFinite(e)) {
        stop = "nonFinite";
        break;
      }
      if (e < best) {
        best = e;
        bestAt = it;
      } else if (it - bestAt >= opts.stallIter) {
        stop = "stalled";
        break;
      }
      const cb = opts.onIteration;
      if (
        cb &&
        cb({ stage: "sinkhorn", iteration: itOffset + it, error: e, dual, elapsedMs: performance.now() - t0 }) === false
      ) {
        stop = "callback";
        break;
      }
    }
    exact = false;
    let s = u;
    u = uNew;
    uNew = s;
    s = v;
    v = vNew;
    vNew = s;
    it++;
  }
  return { u, v, it, stop, lastErr };
}

function allPositiveFinite(x: Float64Array): boolean {
  for (let i = 0; i < x.length; i++) if (!(x[i] > 0 && x[i] < Infinity)) return false;
  return true;
}

/** Log potentials (scaled: u = f/reg) of scalings: u_i = log us_i + shift (shift = 1/2 for K = exp(−C/reg)). */
export function scalingToLog(
  us: Float64Array,
  vs: Float64Array,
  u: Float64Array,
  v: Float64Array,
  shift: number,
): void {
  for (let i = 0; i < us.length; i++) u[i] = Math.log(us[i]) + shift;
  for (let j = 0; j < vs.length; j++) v[j] = Math.log(vs[j]) + shift;
}

/** State returned by {@linkcode scalingLoop}. */
export interface ScalingLoopResult {
  /** Sweeps whose iterate is returned. */
  it: number;
  stop: StopReason;
  /** Last measured error (row error of a column-exact iterate; 0 if none). */
  lastErr: number;
}

/**
 * The scaling-form Sinkhorn loop (sinkhorn and the SNS warm-up when exp(−C/reg) is safe).
 * (us, vs) hold the returned iterate: on tol/stall/callback the last measured one, on a
 * non-finite sweep the last finite one (stop "nonFinite"). `uLog`, `vLog` are scratch.
 */
export function scalingLoop(
  kr: OtKernels,
  n: number,
  m: number,
  K: Float64Array,
  a: Float64Array,
  b: Float64Array,
  us: Float64Array,
  vs: Float64Array,
  acc: Float64Array,
  uPrev: Float64Array,
  vPrev: Float64Array,
  uLog: Float64Array,
  vLog: Float64Array,
  shift: number,
  opts: { tol: number; maxIter: number; stallIter: number; onIteration: OtCallback | undefined },
  trace: TraceRecorder,
  t0: number,
  itOffset: number,
  dualOf: (u: Float64Array, v: Float64Array) => number,
): ScalingLoopResult {
  let it = 0, stop: StopReason = "maxIter", best = Infinity, bestAt = 0, lastErr = 0;
  for (;;) {
    if (it >= opts.maxIter) break;
    uPrev.set(us);
    vPrev.set(vs);
    const e = kr.scalingSweep(n, m, K, a, b, us, vs, acc);
    if (!allPositiveFinite(us) || !allPositiveFinite(vs)) {
      us.set(uPrev);
      vs.set(vPrev);
      stop = "nonFinite";
      break;
    }
    if (it >= 1) {
      scalingToLog(uPrev, vPrev, uLog, vLog, shift);
      const dual = dualOf(uLog, vLog);
      trace.push(itOffset + it, 0, e, dual, (performance.now() - t0) / 1e3);
      lastErr = e;
      let halt: StopReason | null = null;
      if (e <= opts.tol) halt = "tol";
      else if (e < best) {
        best = e;
        bestAt = it;
      } else if (it - bestAt >= opts.stallIter) halt = "stalled";
      const cb = opts.onIteration;
      if (
        halt === null && cb &&
        cb({ stage: "sinkhorn", iteration: itOffset + it, error: e, dual, elapsedMs: performance.now() - t0 }) === false
      ) halt = "callback";
      if (halt !== null) {
        us.set(uPrev);
        vs.set(vPrev);
        stop = halt;
        break;
      }
    }
    it++;
  }
  return { it, stop, lastErr };
}

/** Throws when a row or column of K = exp(−C/reg) has no representable entry (from K's row and column maxima). */
function checkKernel(rowMax: Float64Array, colMax: Float64Array, reg: number): void {
  for (let i = 0; i < rowMax.length; i++) {
    if (!(rowMax[i] > 1e-300) || !(rowMax[i] < 1e300)) kernelError(`row ${i}`, reg);
  }
  for (let j = 0; j < colMax.length; j++) {
    if (!(colMax[j] > 1e-300) || !(colMax[j] < 1e300)) kernelError(`column ${j}`, reg);
  }
}

function kernelError(where: string, reg: number): never {
  throw new NumericalError({
    fn: "sinkhorn",
    arg: "options.reg",
    expected:
      `large enough that exp(−C/reg) keeps a representable entry in every row and column (${where} under/overflows)`,
    got: String(reg),
    hint: "Use sinkhornLog (log-domain), or a larger reg",
  });
}
