/**
 * Dense level-1/2/3 kernels on {@linkcode Matrix}: dot, axpy, gemv, gemm, and the
 * pairwise squared distances / Gaussian Gram matrices that OT costs, CS divergence
 * and KDE share.
 *
 * These are the f64 CPU references (and fallbacks) of the WGSL kernels in `kernels/`.
 * Loops are ordered so the innermost one walks contiguous memory; gemm runs the
 * register-blocked kernels of `gemm_kernel.ts`.
 *
 * @module
 */

import { ShapeError } from "./errors.ts";
import { gemmUnchecked } from "./gemm_kernel.ts";
import { Matrix, type MatrixLike, toMatrix } from "./matrix.ts";
import { assertPositive, toVector, type VectorLike } from "./validate.ts";

/**
 * Dot product Σ xᵢ yᵢ (4-way unrolled, which also splits the rounding error over 4 partial sums).
 *
 * @throws {ShapeError} on length mismatch
 * @example
 * ```ts
 * import { dot } from "@parsimony/parsimony/core";
 * dot([1, 2, 3], [4, 5, 6]); // => 32
 * ```
 */
export function dot(x: VectorLike, y: VectorLike): number {
  const n = x.length;
  if (y.length !== n) throw new ShapeError({ fn: "dot", arg: "y", expected: `length ${n}`, got: `length ${y.length}` });
  return dotUnchecked(x, y, 0, 0, n);
}

/** Dot product of `n` entries from offsets `ox`, `oy`; inputs trusted (inner loops). */
export function dotUnchecked(x: VectorLike, y: VectorLike, ox: number, oy: number, n: number): number {
  let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
  let k = 0;
  for (; k + 3 < n; k += 4) {
    s0 += x[ox + k] * y[oy + k];
    s1 += x[ox + k + 1] * y[oy + k + 1];
    s2 += x[ox + k + 2] * y[oy + k + 2];
    s3 += x[ox + k + 3] * y[oy + k + 3];
  }
  for (; k < n; k++) s0 += x[ox + k] * y[oy + k];
  return (s0 + s1) + (s2 + s3);
}

/**
 * y ← α·x + y, in place.
 *
 * @example
 * ```ts
 * import { axpy } from "@parsimony/parsimony/core";
 * const y = new Float64Array([1, 1]);
 * axpy(2, [1, 2], y); // y => Float64Array [3, 5]
 * ```
 */
export function axpy(alpha: number, x: VectorLike, y: Float64Array): void {
  if (y.length !== x.length) {
    throw new ShapeError({ fn: "axpy", arg: "y", expected: `length ${x.length}`, got: `length ${y.length}` });
  }
  for (let i = 0; i < x.length; i++) y[i] += alpha * x[i];
}

/** Options of {@linkcode gemv}. */
export interface GemvOptions {
  /** Use Aᵀ instead of A. @default false */
  trans?: boolean;
  /** Scale of the product. @default 1 */
  alpha?: number;
  /** Scale of `out` before accumulation (only with `out`). @default 0 */
  beta?: number;
  /** Output vector, written in place. */
  out?: Float64Array;
}

/**
 * Matrix–vector product y = α·op(A)·x + β·y, op(A) = A or Aᵀ.
 *
 * @param A m×n matrix
 * @param x vector of length n (or m when `trans`)
 * @returns y (a new array, or `options.out`)
 * @throws {ShapeError} on mismatched lengths
 * @example
 * ```ts
 * import { gemv, Matrix } from "@parsimony/parsimony/core";
 * const A = Matrix.fromRows([[1, 2], [3, 4]]);
 * gemv(A, [1, 1]); // => Float64Array [3, 7]
 * gemv(A, [1, 1], { trans: true }); // => Float64Array [4, 6]
 * ```
 */
export function gemv(A: MatrixLike, x: VectorLike, options: GemvOptions = {}): Float64Array {
  const M = toMatrix(A, "gemv", "A");
  const trans = options.trans ?? false;
  const alpha = options.alpha ?? 1;
  const beta = options.beta ?? 0;
  const nIn = trans ? M.rows : M.cols;
  const nOut = trans ? M.cols : M.rows;
  if (x.length !== nIn) {
    throw new ShapeError({ fn: "gemv", arg: "x", expected: `length ${nIn}`, got: `length ${x.length}` });
  }
  const y = options.out ?? new Float64Array(nOut);
  if (y.length !== nOut) {
    throw new ShapeError({ fn: "gemv", arg: "options.out", expected: `length ${nOut}`, got: `length ${y.length}` });
  }
  if (!options.out || beta === 0) y.fill(0);
  else if (beta !== 1) { for (let i = 0; i < nOut; i++) y[i] *= beta; }
  const { rows, cols, data } = M;
  if (!trans) {
    for (let i = 0; i < rows; i++) y[i] += alpha * dotUnchecked(data, x, i * cols, 0, cols);
  } else {
    // Aᵀx = Σ_i x_i·A[i,:]: walks A row by row (contiguous) instead of down columns.
    for (let i = 0; i < rows; i++) {
      const xi = alpha * x[i];
      if (xi === 0) continue;
      const base = i * cols;
      for (let j = 0; j < cols; j++) y[j] += xi * data[base + j];
    }
  }
  return y;
}

/** Options of {@linkcode gemm}. */
export interface GemmOptions {
  /** Use Aᵀ. @default false */
  transA?: boolean;
  /** Use Bᵀ. @default false */
  transB?: boolean;
  /** Scale of the product. @default 1 */
  alpha?: number;
  /** Scale of `out` before accumulation (only with `out`). @default 0 */
  beta?: number;
  /** Output matrix, written in place. */
  out?: Matrix;
}

/**
 * General matrix product C = α·op(A)·op(B) + β·C.
 *
 * Validates and converts its arguments, then runs the register-blocked kernel
 * {@linkcode gemmUnchecked} (`gemm_kernel.ts`) for every transpose combination: WebAssembly
 * SIMD from 4096 multiply-adds, and from 2^19 shared with the worker pool (`defaultThreads()`
 * threads; set `PARSIMONY_THREADS=1` for one). Every entry sums its products in the order
 * p = 0..k−1, so the result is the same to the bit on every path and thread count.
 *
 * @throws {ShapeError} when inner dimensions differ
 * @example
 * ```ts
 * import { gemm, Matrix } from "@parsimony/parsimony/core";
 * const A = Matrix.fromRows([[1, 2], [3, 4]]);
 * gemm(A, A).toArray(); // => [[7, 10], [15, 22]]
 * gemm(A, A, { transB: true }).toArray(); // => [[5, 11], [11, 25]]
 * ```
 */
export function gemm(A: MatrixLike, B: MatrixLike, options: GemmOptions = {}): Matrix {
  const a = toMatrix(A, "gemm", "A");
  const b = toMatrix(B, "gemm", "B");
  const transA = options.transA ?? false;
  const transB = options.transB ?? false;
  const m = transA ? a.cols : a.rows, k = transA ? a.rows : a.cols;
  const kB = transB ? b.cols : b.rows;
  const n = transB ? b.rows : b.cols;
  if (kB !== k) {
    throw new ShapeError({
      fn: "gemm",
      arg: "B",
      expected: `inner dimension ${k}`,
      got: `${kB} (B is ${b.rows}×${b.cols}${transB ? ", transposed" : ""})`,
    });
  }
  const alpha = options.alpha ?? 1;
  const beta = options.out ? options.beta ?? 0 : 0;
  const C = options.out ?? new Matrix(m, n);
  if (C.rows !== m || C.cols !== n) {
    throw new ShapeError({ fn: "gemm", arg: "options.out", expected: `shape ${m}×${n}`, got: `${C.rows}×${C.cols}` });
  }
  gemmUnchecked(transA, transB, m, n, k, alpha, a.data, b.data, beta, C.data);
  return C;
}

/**
 * Convenience A·B.
 *
 * @example
 * ```ts
 * import { matmul } from "@parsimony/parsimony/core";
 * matmul([[1, 0], [0, 2]], [[3], [4]]).toArray(); // => [[3], [8]]
 * ```
 */
export function matmul(A: MatrixLike, B: MatrixLike): Matrix {
  return gemm(A, B);
}

/**
 * Pairwise squared Euclidean distances D_ij = ‖x_i − y_j‖² between the rows of X (n×d) and Y (m×d).
 *
 * Computed entry by entry as Σ_k (x_ik − y_jk)² — not via ‖x‖² + ‖y‖² − 2xᵀy, which cancels
 * catastrophically for nearby points (it can return small negative numbers for x = y). Exact
 * zeros on the diagonal of D(X, X) matter to kNN and KSG estimators.
 *
 * @param X n×d points
 * @param Y m×d points (default: X)
 * @returns n×m matrix
 * @throws {ShapeError} if the dimensions differ
 * @example
 * ```ts
 * import { pairwiseSqDist } from "@parsimony/parsimony/core";
 * pairwiseSqDist([[0, 0], [1, 1]], [[1, 0]]).toArray(); // => [[1], [1]]
 * ```
 */
export function pairwiseSqDist(X: MatrixLike, Y?: MatrixLike): Matrix {
  const x = toMatrix(X, "pairwiseSqDist", "X");
  const y = Y === undefined ? x : toMatrix(Y, "pairwiseSqDist", "Y");
  if (x.cols !== y.cols) {
    throw new ShapeError({ fn: "pairwiseSqDist", arg: "Y", expected: `${x.cols} columns (as X)`, got: `${y.cols}` });
  }
  const n = x.rows, m = y.rows, d = x.cols;
  const out = new Matrix(n, m);
  const xd = x.data, yd = y.data, o = out.data;
  if (d === 1) {
    for (let i = 0; i < n; i++) {
      const xi = xd[i];
      for (let j = 0; j < m; j++) {
        const t = xi - yd[j];
        o[i * m + j] = t * t;
      }
    }
    return out;
  }
  for (let i = 0; i < n; i++) {
    const xi = i * d;
    for (let j = 0; j < m; j++) {
      const yj = j * d;
      let s = 0;
      for (let k = 0; k < d; k++) {
        const t = xd[xi + k] - yd[yj + k];
        s += t * t;
      }
      o[i * m + j] = s;
    }
  }
  return out;
}

/**
 * Gaussian Gram matrix K_ij = exp(−‖x_i − y_j‖² / (2σ²)).
 *
 * @param sigma kernel width σ > 0
 * @throws {DomainError} if σ ≤ 0
 * @example
 * ```ts
 * import { gaussianGram } from "@parsimony/parsimony/core";
 * gaussianGram([[0], [1]], 1).get(0, 1); // => Math.exp(-0.5)
 * ```
 */
export function gaussianGram(X: MatrixLike, sigma: number, Y?: MatrixLike): Matrix {
  assertPositive(sigma, "gaussianGram", "sigma");
  const D = pairwiseSqDist(X, Y);
  const s = -1 / (2 * sigma * sigma);
  const d = D.data;
  for (let i = 0; i < d.length; i++) d[i] = Math.exp(d[i] * s);
  return D;
}

/**
 * Outer product x yᵀ.
 *
 * @example
 * ```ts
 * import { outer } from "@parsimony/parsimony/core";
 * outer([1, 2], [3, 4]).toArray(); // => [[3, 4], [6, 8]]
 * ```
 */
export function outer(x: VectorLike, y: VectorLike): Matrix {
  const xv = toVector(x, "outer", "x"), yv = toVector(y, "outer", "y");
  const out = new Matrix(xv.length, yv.length);
  for (let i = 0; i < xv.length; i++) {
    const base = i * yv.length;
    for (let j = 0; j < yv.length; j++) out.data[base + j] = xv[i] * yv[j];
  }
  return out;
}
