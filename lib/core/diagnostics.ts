/**
 * The run facts every iterative solver reports, in one shape shared across families
 * (spread into each result type, as OTT's `SinkhornOutput` and stdlib's result objects).
 *
 * Non-convergence is data (`converged: false` with a `stopReason`), never an exception;
 * a non-finite iterate stops the loop and the last finite iterate is returned with
 * `stopReason: "nonFinite"`.
 *
 * @module
 */

/** Where the numbers were computed. */
export type Backend = "cpu" | "gpu";

/** Why an iterative solver stopped. */
export type StopReason = "tol" | "maxIter" | "stalled" | "nonFinite" | "callback";

/** Error (or objective) trace: value at each check, with the iteration it was taken at. */
export interface History {
  /** Iteration index of each check. */
  readonly iteration: Int32Array;
  /** Value at each check. */
  readonly error: Float64Array;
}

/** Run facts shared by all iterative solvers. `O` is the resolved options type. */
export interface Diagnostics<O> {
  /** Whether the stopping tolerance was met. */
  readonly converged: boolean;
  /** Why the loop ended. */
  readonly stopReason: StopReason;
  /** Error at each check. */
  readonly history: History;
  /** Wall time of the whole call in milliseconds. */
  readonly elapsedMs: number;
  /** Backend that ran the hot loop. */
  readonly backend: Backend;
  /** Why that backend (e.g. `"no WebGPU adapter"`, `"problem below GPU threshold"`). */
  readonly backendReason: string;
  /** Options with every default filled in. */
  readonly options: Readonly<O>;
}

/**
 * Growable (iteration, value) trace that freezes into a {@linkcode History}.
 *
 * @example
 * ```ts
 * import { HistoryRecorder } from "@parsimony/parsimony/core";
 * const h = new HistoryRecorder();
 * h.push(10, 0.5);
 * h.push(20, 0.25);
 * h.freeze().error; // => Float64Array [0.5, 0.25]
 * ```
 */
export class HistoryRecorder {
  #it: number[] = [];
  #err: number[] = [];

  /** Record one check. */
  push(iteration: number, error: number): void {
    this.#it.push(iteration);
    this.#err.push(error);
  }

  /** Number of checks recorded. */
  get length(): number {
    return this.#it.length;
  }

  /** Last recorded value (NaN when empty). */
  last(): number {
    return this.#err.length ? this.#err[this.#err.length - 1] : NaN;
  }

  /** Typed, immutable-by-convention copy. */
  freeze(): History {
    return { iteration: Int32Array.from(this.#it), error: Float64Array.from(this.#err) };
  }
}

/**
 * Milliseconds since an origin, from the web-standard `performance.now()`.
 *
 * @example
 * ```ts
 * import { stopwatch } from "@parsimony/parsimony/core";
 * const t = stopwatch();
 * t() >= 0; // => true
 * ```
 */
export function stopwatch(): () => number {
  const t0 = performance.now();
  return () => performance.now() - t0;
}
