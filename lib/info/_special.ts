/**
 * Float helpers used by the kNN estimators (ψ and log Γ come from lib/core/special.ts). Private to lib/info.
 *
 * @module
 */

import { digamma, gammaln } from "../core/special.ts";

export { digamma, gammaln };

const F = new Float64Array(1);
const U = new BigUint64Array(F.buffer);

/** The largest double below x for x > 0 (`nextafter(x, 0)`); 0 stays 0. */
export function nextDown(x: number): number {
  if (!(x > 0)) return x;
  if (x === Infinity) return Number.MAX_VALUE;
  F[0] = x;
  U[0] -= 1n;
  return F[0];
}

/** Mean of ψ(v_i + offset) over positive integer counts (Neumaier-compensated; ψ cached per count). */
export function meanDigamma(v: ArrayLike<number>, offset = 0): number {
  let top = 0;
  for (let i = 0; i < v.length; i++) if (v[i] > top) top = v[i];
  const cache = new Float64Array(top + 1).fill(NaN);
  let s = 0, c = 0;
  for (let i = 0; i < v.length; i++) {
    const a = v[i];
    let p = cache[a];
    if (p !== p) {
      p = digamma(a + offset);
      cache[a] = p;
    }
    const t = s + p;
    c += Math.abs(s) >= Math.abs(p) ? (s - t) + p : (p - t) + s;
    s = t;
  }
  return (s + c) / v.length;
}

/** log of the volume of the unit ball in d dimensions: Euclidean π^{d/2}/Γ(d/2+1), max-norm 2^d. */
export function logUnitBall(d: number, metric: "max" | "euclidean"): number {
  return metric === "max" ? d * Math.LN2 : (d / 2) * Math.log(Math.PI) - gammaln(d / 2 + 1);
}
