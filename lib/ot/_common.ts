/**
 * Option handling shared by the entropic OT solvers: the required `reg`, the backend choice
 * of the synchronous (CPU f64) entry points, warm starts and the progress callback.
 *
 * @module
 */

import type { Backend } from "../core/diagnostics.ts";
import {
  BackendError,
  describeValue,
  NonFiniteError,
  OptionError,
  ShapeError,
  TypeMismatchError,
} from "../core/errors.ts";
import { type ConstraintTable, resolveOptions } from "../core/validate.ts";
import { resolveThreads } from "../core/parallel.ts";
import type { OtProblem } from "./_problem.ts";

/** Backend request: `"auto"` picks the GPU when the async entry point has one, `"cpu"` forces f64 CPU. */
export type OtBackendOption = "auto" | "cpu" | "gpu";

/** What the progress callback `onIteration` receives after each Sinkhorn sweep or Newton step. */
export interface OtIterationInfo {
  /** `"sinkhorn"` or `"newton"`. */
  readonly stage: "sinkhorn" | "newton";
  /** Iteration on the common axis (1-based). */
  readonly iteration: number;
  /** Marginal error ‖P1 − a‖₁ + ‖Pᵀ1 − b‖₁ of the iterate. */
  readonly error: number;
  /** Dual (Lyapunov) value of the iterate. */
  readonly dual: number;
  /** Milliseconds since the call started. */
  readonly elapsedMs: number;
}

/** Progress callback; return `false` to stop the solver (stopReason `"callback"`). */
export type OtCallback = (info: OtIterationInfo) => boolean | void;

/** Warm start: log-domain potentials (f, g) as returned in a previous result. */
export interface OtWarmStart {
  /** Row potential, length n. */
  readonly f: ArrayLike<number>;
  /** Column potential, length m. */
  readonly g: ArrayLike<number>;
}

/**
 * Resolve options with a required positive `reg`.
 *
 * @throws {OptionError} naming `options.reg` or the offending key
 */
export function resolveWithReg<T extends { reg: number }>(
  fn: string,
  defaults: T,
  options: Partial<T> | undefined,
  constraints: ConstraintTable<T>,
): Readonly<T> {
  if (options === undefined || options === null || typeof options !== "object" || options.reg === undefined) {
    throw new OptionError({
      fn,
      arg: "options.reg",
      expected: "a positive number (the entropic regulariser reg = 1/η; required)",
      got: "undefined",
    });
  }
  return resolveOptions(fn, defaults, options, constraints);
}

/**
 * The options with `threads` resolved to a number (the option, else `PARSIMONY_THREADS`, else
 * min(navigator.hardwareConcurrency, 8)), as reported in the result's `options`.
 *
 * @throws {OptionError} naming `PARSIMONY_THREADS` when that variable is not a positive integer
 */
export function withThreads<T extends { threads: number | undefined }>(
  fn: string,
  opts: Readonly<T>,
): Readonly<T & { threads: number }> {
  return Object.freeze({ ...opts, threads: resolveThreads(fn, opts.threads) });
}

/**
 * Backend of a synchronous solver: always the f64 CPU path. `"gpu"` is refused with a pointer
 * to the async entry point.
 *
 * @throws {BackendError} for `"gpu"`
 */
export function syncBackend(fn: string, backend: OtBackendOption): { backend: Backend; reason: string } {
  if (backend === "gpu") {
    throw new BackendError({
      fn,
      arg: "options.backend",
      expected: '"cpu" or "auto" in the synchronous API',
      got: '"gpu"',
      hint: fn === "sinkhornLog" || fn === "sinkhornNewtonSparse"
        ? `WebGPU is asynchronous: call ${fn}Async(...) for the GPU path`
        : `${fn} has no GPU path; the GPU-capable solvers are sinkhornLogAsync and sinkhornNewtonSparseAsync`,
    });
  }
  return { backend: "cpu", reason: backend === "cpu" ? "requested" : "synchronous call (f64 CPU)" };
}

/**
 * Scaled support potentials (u = f/reg, v = g/reg) from a warm start, or zeros.
 *
 * @throws {ShapeError} | {NonFiniteError} naming `options.init.f` / `options.init.g`
 */
export function initialPotentials(p: OtProblem, init: OtWarmStart | undefined): { u: Float64Array; v: Float64Array } {
  const ns = p.as.length, ms = p.bs.length;
  const u = new Float64Array(ns), v = new Float64Array(ms);
  if (init === undefined) return { u, v };
  const f = potential(p, init.f, p.n, p.rows, "options.init.f");
  const g = potential(p, init.g, p.m, p.cols, "options.init.g");
  for (let i = 0; i < ns; i++) u[i] = f[p.rows[i]] / p.reg;
  for (let j = 0; j < ms; j++) v[j] = g[p.cols[j]] / p.reg;
  return { u, v };
}

function potential(p: OtProblem, x: unknown, len: number, support: Int32Array, arg: string): Float64Array {
  if (!(Array.isArray(x) || (ArrayBuffer.isView(x) && !(x instanceof DataView)))) {
    throw new TypeMismatchError({ fn: p.fn, arg, expected: "an array of numbers", got: describeValue(x) });
  }
  const v = Float64Array.from(x as ArrayLike<number>);
  if (v.length !== len) throw new ShapeError({ fn: p.fn, arg, expected: `length ${len}`, got: `length ${v.length}` });
  // Off-support entries may be −∞ (as results report them); on the support they must be finite.
  for (let k = 0; k < support.length; k++) {
    const i = support[k];
    if (!Number.isFinite(v[i])) {
      throw new NonFiniteError({
        fn: p.fn,
        arg: `${arg}[${i}]`,
        expected: "finite where the marginal is positive",
        got: describeValue(v[i]),
      });
    }
  }
  return v;
}

/** Dual value reg·(aᵀu + bᵀv − ΣP) for column-exact iterates (ΣP = mass). */
export function dualColumnExact(p: OtProblem, u: Float64Array, v: Float64Array): number {
  let s = 0;
  for (let i = 0; i < u.length; i++) s += p.as[i] * u[i];
  for (let j = 0; j < v.length; j++) s += p.bs[j] * v[j];
  return p.reg * (s - p.mass);
}

/** log of each entry. */
export function logOf(x: Float64Array): Float64Array {
  const out = new Float64Array(x.length);
  for (let i = 0; i < x.length; i++) out[i] = Math.log(x[i]);
  return out;
}
