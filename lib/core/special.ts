/**
 * Special functions shared across the toolkit (one implementation each).
 *
 * @module
 */

import stdlibErf from "@stdlib/math-base-special-erf";
import stdlibDigamma from "@stdlib/math-base-special-digamma";
import stdlibGammaln from "@stdlib/math-base-special-gammaln";

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

/**
 * Digamma ψ(x) = d/dx log Γ(x) (Boost/Cephes algorithm through `@stdlib/math-base-special-digamma`).
 *
 * Used by the kNN estimators (KSG, Kozachenko–Leonenko): ψ(n) = −γ + Σ_{k<n} 1/k at integers.
 *
 * @param x any number except non-positive integers (poles give NaN)
 * @returns ψ(x)
 * @example
 * ```ts
 * import { digamma } from "@parsimony/parsimony/core";
 * digamma(1); // => -0.5772156649015329 (−γ)
 * ```
 */
export function digamma(x: number): number {
  return (stdlibDigamma as (x: number) => number)(x);
}

/**
 * Natural logarithm of the gamma function, log Γ(x) for x > 0 (through `@stdlib/math-base-special-gammaln`).
 *
 * @param x a positive number
 * @returns log Γ(x)
 * @example
 * ```ts
 * import { gammaln } from "@parsimony/parsimony/core";
 * gammaln(5); // => 3.1780538303479458 (log 24)
 * ```
 */
export function gammaln(x: number): number {
  return (stdlibGammaln as (x: number) => number)(x);
}
