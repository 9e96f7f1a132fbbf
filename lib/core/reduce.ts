/**
 * Numerically careful reductions: compensated sums, log-sum-exp and softmax over
 * vectors, rows and columns, norms, mean and variance.
 *
 * The one implementation of log-sum-exp in parsimony: OT's log-domain Sinkhorn,
 * MoE gating, the information estimators and autodiff's `logsumexp` op call these.
 *
 * Conventions: `-Infinity` entries mean "log of zero weight" and are allowed in
 * log-domain functions; NaN is rejected at the public boundary (checked variants)
 * and never produced from finite input.
 *
 * @module
 */

import { NonFiniteError, ShapeError } from "./errors.ts";
import { Matrix, type MatrixLike, toMatrix } from "./matrix.ts";
import { assertFinite, type VectorLike } from "./validate.ts";

/**
 * Σ xᵢ with Neumaier's compensated summation: error O(ε)·Σ|xᵢ| independent of n
 * (plain summation has O(nε)).
 *
 * @example
 * ```ts
 * import { sum } from "@parsimony/parsimony/core";
 * sum([1e16, 1, -1e16]); // => 1 (plain summation gives 0)
 * ```
 */
export function sum(x: VectorLike): number {
  let s = 0, c = 0;
  for (let i = 0; i < x.length; i++) {
    const v = x[i];
    const t = s + v;
    // Keep the low-order bits lost by whichever operand is smaller in magnitude.
    if (Math.abs(s) >= Math.abs(v)) c += (s - t) + v;
    else c += (v - t) + s;
    s = t;
  }
  return s + c;
}

/**
 * Arithmetic mean (compensated).
 *
 * @throws {ShapeError} for an empty input
 * @example
 * ```ts
 * import { mean } from "@parsimony/parsimony/core";
 * mean([1, 2, 3, 4]); // => 2.5
 * ```
 */
export function mean(x: VectorLike): number {
  if (x.length === 0) throw new ShapeError({ fn: "mean", arg: "x", expected: "non-empty", got: "length 0" });
  return sum(x) / x.length;
}

/**
 * Variance Σ(xᵢ − x̄)²/(n − ddof), two-pass with the compensating correction term
 * (Chan, Golub & LeVeque 1983), so it is exact to O(ε) even for large means.
 *
 * @param ddof delta degrees of freedom: 0 = population, 1 = unbiased sample variance
 * @default ddof 1
 * @throws {ShapeError} when n ≤ ddof
 * @example
 * ```ts
 * import { variance } from "@parsimony/parsimony/core";
 * variance([1, 2, 3, 4]); // => 1.6666666666666667
 * variance([1, 2, 3, 4], 0); // => 1.25
 * ```
 */
export function variance(x: VectorLike, ddof = 1): number {
  const n = x.length;
  if (n <= ddof) {
    throw new ShapeError({
      fn: "variance",
      arg: "x",
      expected: `more than ddof = ${ddof} entries`,
      got: `length ${n}`,
    });
  }
  const m = mean(x);
  let ss = 0, corr = 0;
  for (let i = 0; i < n; i++) {
    const d = x[i] - m;
    ss += d * d;
    corr += d;
  }
  return (ss - (corr * corr) / n) / (n - ddof);
}

/**
 * log Σᵢ exp(xᵢ) without overflow or underflow: M + log Σ exp(xᵢ − M), M = max xᵢ.
 *
 * Entries may be ±Infinity: all −∞ gives −∞ (an empty sum), any +∞ gives +∞.
 * Works for entries of magnitude up to the f64 limit (±1e308).
 *
 * @throws {NonFiniteError} if an entry is NaN
 * @example
 * ```ts
 * import { logSumExp } from "@parsimony/parsimony/core";
 * logSumExp([1000, 1000]); // => 1000 + Math.LN2
 * logSumExp([-1e308, 1e308]); // => 1e308
 * logSumExp([-Infinity, -Infinity]); // => -Infinity
 * ```
 */
export function logSumExp(x: VectorLike): number {
  for (let i = 0; i < x.length; i++) {
    if (Number.isNaN(x[i])) {
      throw new NonFiniteError({ fn: "logSumExp", arg: `x[${i}]`, expected: "a number or ±Infinity", got: "NaN" });
    }
  }
  return lseStrided(x, 0, x.length, 1);
}

/**
 * Log-sum-exp of `n` entries of `x` starting at `offset` with `stride`; trusted inputs.
 * The hot-loop form used by solvers after boundary validation.
 *
 * @example
 * ```ts
 * import { lseStrided } from "@parsimony/parsimony/core";
 * lseStrided([0, 9, 0, 9], 0, 2, 2); // => Math.LN2 (entries 0 and 2)
 * ```
 */
export function lseStrided(x: VectorLike, offset: number, n: number, stride: number): number {
  let m = -Infinity;
  for (let k = 0, p = offset; k < n; k++, p += stride) if (x[p] > m) m = x[p];
  if (m === -Infinity || m === Infinity) return m;
  let s = 0;
  for (let k = 0, p = offset; k < n; k++, p += stride) s += Math.exp(x[p] - m);
  return m + Math.log(s);
}

/**
 * Row-wise log-sum-exp: out_i = log Σ_j exp(A_ij).
 *
 * @throws {NonFiniteError} if an entry is NaN
 * @example
 * ```ts
 * import { logSumExpRows } from "@parsimony/parsimony/core";
 * logSumExpRows([[0, 0], [1, -Infinity]]); // => Float64Array [Math.LN2, 1]
 * ```
 */
export function logSumExpRows(A: MatrixLike): Float64Array {
  const M = toMatrix(A, "logSumExpRows", "A", { finite: false });
  rejectNaN(M.data, "logSumExpRows", "A", M.cols);
  const out = new Float64Array(M.rows);
  for (let i = 0; i < M.rows; i++) out[i] = lseStrided(M.data, i * M.cols, M.cols, 1);
  return out;
}

/**
 * Column-wise log-sum-exp: out_j = log Σ_i exp(A_ij). Walks rows (contiguous) with
 * per-column running maxima instead of striding down columns.
 *
 * @throws {NonFiniteError} if an entry is NaN
 * @example
 * ```ts
 * import { logSumExpCols } from "@parsimony/parsimony/core";
 * logSumExpCols([[0, 1], [0, -Infinity]]); // => Float64Array [Math.LN2, 1]
 * ```
 */
export function logSumExpCols(A: MatrixLike): Float64Array {
  const M = toMatrix(A, "logSumExpCols", "A", { finite: false });
  rejectNaN(M.data, "logSumExpCols", "A", M.cols);
  const { rows, cols, data } = M;
  const mx = new Float64Array(cols).fill(-Infinity);
  for (let i = 0; i < rows; i++) {
    const b = i * cols;
    for (let j = 0; j < cols; j++) if (data[b + j] > mx[j]) mx[j] = data[b + j];
  }
  const s = new Float64Array(cols);
  for (let i = 0; i < rows; i++) {
    const b = i * cols;
    for (let j = 0; j < cols; j++) {
      const m = mx[j];
      if (m !== Infinity && m !== -Infinity) s[j] += Math.exp(data[b + j] - m);
    }
  }
  const out = new Float64Array(cols);
  for (let j = 0; j < cols; j++) {
    const m = mx[j];
    out[j] = m === Infinity || m === -Infinity ? m : m + Math.log(s[j]);
  }
  return out;
}

/**
 * Softmax exp(xᵢ − LSE(x)) = exp(xᵢ − max x)/Σⱼ exp(xⱼ − max x); stable for any finite or −∞ input.
 *
 * @throws {NonFiniteError} for NaN or +Infinity entries, or when every entry is −∞ (no distribution)
 * @example
 * ```ts
 * import { softmax } from "@parsimony/parsimony/core";
 * softmax([0, Math.log(3)]); // => Float64Array [0.25, 0.75]
 * ```
 */
export function softmax(x: VectorLike): Float64Array {
  const out = new Float64Array(x.length);
  for (let i = 0; i < x.length; i++) {
    if (Number.isNaN(x[i]) || x[i] === Infinity) {
      throw new NonFiniteError({ fn: "softmax", arg: `x[${i}]`, expected: "finite or -Infinity", got: String(x[i]) });
    }
  }
  let m = -Infinity;
  for (let i = 0; i < x.length; i++) if (x[i] > m) m = x[i];
  if (m === -Infinity) {
    throw new NonFiniteError({
      fn: "softmax",
      arg: "x",
      expected: "at least one entry > -Infinity",
      got: "all -Infinity",
    });
  }
  // exp(xᵢ − max)/Σ rather than exp(xᵢ − LSE): subtracting the rounded LSE costs ulp(LSE) in
  // every exponent (5e-14 relative at logits near 1000); dividing by the sum costs one ulp.
  let s = 0;
  for (let i = 0; i < x.length; i++) s += out[i] = Math.exp(x[i] - m);
  for (let i = 0; i < x.length; i++) out[i] /= s;
  return out;
}

/**
 * Row-wise softmax: each row of the result sums to 1.
 *
 * @example
 * ```ts
 * import { softmaxRows } from "@parsimony/parsimony/core";
 * softmaxRows([[0, 0]]).toArray(); // => [[0.5, 0.5]]
 * ```
 */
export function softmaxRows(A: MatrixLike): Matrix {
  const M = toMatrix(A, "softmaxRows", "A", { finite: false });
  const out = new Matrix(M.rows, M.cols);
  for (let i = 0; i < M.rows; i++) out.row(i).set(softmax(M.row(i)));
  return out;
}

/**
 * Column-wise softmax: each column of the result sums to 1.
 *
 * @example
 * ```ts
 * import { softmaxCols } from "@parsimony/parsimony/core";
 * softmaxCols([[0], [0]]).toArray(); // => [[0.5], [0.5]]
 * ```
 */
export function softmaxCols(A: MatrixLike): Matrix {
  const M = toMatrix(A, "softmaxCols", "A", { finite: false });
  return softmaxRows(M.transpose()).transpose();
}

/**
 * ℓ1 norm Σ|xᵢ| (compensated).
 *
 * @example
 * ```ts
 * import { norm1 } from "@parsimony/parsimony/core";
 * norm1([3, -4]); // => 7
 * ```
 */
export function norm1(x: VectorLike): number {
  const a = new Float64Array(x.length);
  for (let i = 0; i < x.length; i++) a[i] = Math.abs(x[i]);
  return sum(a);
}

/**
 * Euclidean norm, scaled by max|xᵢ| so that entries near 1e200 or 1e-200 neither overflow
 * nor underflow when squared.
 *
 * @example
 * ```ts
 * import { norm2 } from "@parsimony/parsimony/core";
 * norm2([3, 4]); // => 5
 * norm2([3e200, 4e200]); // => 5e200
 * ```
 */
export function norm2(x: VectorLike): number {
  let m = 0;
  for (let i = 0; i < x.length; i++) {
    const a = Math.abs(x[i]);
    if (a > m || Number.isNaN(a)) m = a;
  }
  if (m === 0 || !Number.isFinite(m)) return m;
  let s = 0;
  for (let i = 0; i < x.length; i++) {
    const t = x[i] / m;
    s += t * t;
  }
  return m * Math.sqrt(s);
}

/**
 * Max norm max|xᵢ|.
 *
 * @example
 * ```ts
 * import { normInf } from "@parsimony/parsimony/core";
 * normInf([3, -4]); // => 4
 * ```
 */
export function normInf(x: VectorLike): number {
  let m = 0;
  for (let i = 0; i < x.length; i++) {
    const a = Math.abs(x[i]);
    if (a > m || Number.isNaN(a)) m = a;
  }
  return m;
}

/**
 * Frobenius norm of a matrix (scaled like {@linkcode norm2}).
 *
 * @example
 * ```ts
 * import { frobenius } from "@parsimony/parsimony/core";
 * frobenius([[1, 2], [2, 4]]); // => 5
 * ```
 */
export function frobenius(A: MatrixLike): number {
  return norm2(toMatrix(A, "frobenius", "A", { finite: false }).data);
}

/**
 * Index of the largest entry (first one on ties); −1 for an empty input.
 *
 * @example
 * ```ts
 * import { argmax } from "@parsimony/parsimony/core";
 * argmax([1, 5, 5, 2]); // => 1
 * ```
 */
export function argmax(x: VectorLike): number {
  assertFinite(x, "argmax", "x");
  let best = -1, bv = -Infinity;
  for (let i = 0; i < x.length; i++) {
    if (x[i] > bv || best === -1) {
      bv = x[i];
      best = i;
    }
  }
  return best;
}

function rejectNaN(d: Float64Array, fn: string, arg: string, cols: number): void {
  for (let k = 0; k < d.length; k++) {
    if (Number.isNaN(d[k])) {
      throw new NonFiniteError({
        fn,
        arg: `${arg}[${Math.floor(k / cols)}][${k % cols}]`,
        expected: "a number or ±Infinity",
        got: "NaN",
      });
    }
  }
}
