/**
 * The result shape every estimator in `lib/info` returns, and unit handling.
 *
 * Every estimator computes in nats internally and converts once at the end:
 * 1 bit = ln 2 nats. The resolved hyper-parameters (kernel widths, k, bins…)
 * are echoed in `params`, so a notebook can print exactly what was used.
 *
 * @module
 */

import type { MatrixLike } from "../core/matrix.ts";

/** Unit of an information quantity: natural log (nats) or log base 2 (bits). */
export type Unit = "nats" | "bits";

/** The two units, for option constraint tables. */
export const UNITS: readonly Unit[] = Object.freeze(["nats", "bits"] as const);

/**
 * An information-theoretic estimate with its unit, the sample size it used and the resolved
 * hyper-parameters.
 */
export interface InfoEstimate<P = Record<string, unknown>> {
  /** The estimate, in `unit`. */
  readonly value: number;
  /** Unit of `value` (and of every other information quantity in the result). */
  readonly unit: Unit;
  /** Number of samples the estimate used (`null` for closed forms computed from parameters). */
  readonly n: number | null;
  /** Resolved hyper-parameters (defaults filled in, data-dependent rules resolved to numbers). */
  readonly params: Readonly<P>;
}

/**
 * Convert a value in nats to `unit` (divide by ln 2 for bits).
 *
 * @param nats value in nats
 * @param unit target unit
 * @returns the value in `unit`
 * @example
 * ```ts
 * import { fromNats } from "@parsimony/parsimony/info";
 * fromNats(Math.LN2, "bits"); // => 1
 * ```
 */
export function fromNats(nats: number, unit: Unit): number {
  return unit === "bits" ? nats / Math.LN2 : nats;
}

/**
 * Convert a value in `unit` to nats (multiply by ln 2 for bits).
 *
 * @param value value in `unit`
 * @param unit its unit
 * @returns the value in nats
 * @example
 * ```ts
 * import { toNats } from "@parsimony/parsimony/info";
 * toNats(1, "bits"); // => Math.LN2
 * ```
 */
export function toNats(value: number, unit: Unit): number {
  return unit === "bits" ? value * Math.LN2 : value;
}

/**
 * Samples accepted by the estimators: a vector of N scalars (one variable, N×1) or an N×d matrix
 * (`number[][]`, `Matrix` or `{ rows, cols, data }`), one sample per row.
 */
export type SampleLike = ArrayLike<number> | MatrixLike;

/** Discrete labels: one class value per sample (numbers or strings); equal values are one class. */
export type LabelLike = ArrayLike<number> | readonly string[];
