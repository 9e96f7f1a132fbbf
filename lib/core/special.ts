/**
 * Special functions shared across the toolkit (one implementation each).
 *
 * @module
 */

import stdlibErf from "@stdlib/math-base-special-erf";

/**
 * Error function erf(x) = (2/√π) ∫₀ˣ e^{−t²} dt, to within an ulp or two in f64
 * (FreeBSD msun rational approximations, through `@stdlib/math-base-special-erf`).
 *
 * Used by the exact GELU, x·Φ(x) with Φ(x) = ½(1 + erf(x/√2)).
 *
 * @param x any number (NaN gives NaN, ±∞ gives ±1)
 * @returns erf(x) ∈ [−1, 1]
 * @example
 * ```ts
 * import { erf } from "@parsimony/parsimony/core";
 * erf(0); // => 0
 * erf(1); // => 0.8427007929497149
 * ```
 */
export function erf(x: number): number {
  return (stdlibErf as (x: number) => number)(x);
}
