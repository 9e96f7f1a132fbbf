/**
 * Dense linear algebra on {@linkcode Matrix}: Cholesky factorization and solves by the
 * blocked algorithm of `_chol.ts` (on the toolkit's GEMM: ~10× faster than ml-matrix's loops
 * at n ≥ 500), and thin wrappers over `ml-matrix` (a maintained port of JAMA/Mapack) for LU
 * solve, SVD, symmetric eigendecomposition, least squares and the pseudo-inverse.
 *
 * The wrappers convert to and from `ml-matrix` once per call, validate their
 * inputs at the boundary, return typed results in parsimony's conventions
 * (singular values descending, eigenvalues ascending, thin factors) and turn
 * numerical failure into a {@linkcode NumericalError} that says what to use
 * instead, never a silent NaN.
 *
 * @module
 */

import {
  EigenvalueDecomposition,
  LuDecomposition,
  Matrix as MlMatrix,
  QrDecomposition,
  SingularValueDecomposition,
} from "ml-matrix";
import { gemm } from "./blas.ts";
import { choleskyInPlace, solveLowerInPlace, solveLowerTransInPlace } from "./_chol.ts";
import { NumericalError, ShapeError } from "./errors.ts";
import { Matrix, type MatrixLike, toMatrix } from "./matrix.ts";
import { toVector, type VectorLike } from "./validate.ts";

/**
 * Copy a {@linkcode Matrix} into an `ml-matrix` matrix (for calling ml-matrix directly).
 *
 * @example
 * ```ts
 * import { Matrix, toMl } from "@parsimony/parsimony/core";
 * toMl(Matrix.identity(2)).get(1, 1); // => 1
 * ```
 */
export function toMl(m: Matrix): MlMatrix {
  return MlMatrix.from1DArray(m.rows, m.cols, m.data);
}

/**
 * Copy an `ml-matrix` matrix into a {@linkcode Matrix}.
 *
 * @example
 * ```ts
 * import { fromMl, Matrix, toMl } from "@parsimony/parsimony/core";
 * fromMl(toMl(Matrix.identity(2))).get(0, 0); // => 1
 * ```
 */
export function fromMl(m: MlMatrix): Matrix {
  return new Matrix(m.rows, m.columns, Float64Array.from(m.to1DArray()));
}

function assertSquare(m: Matrix, fn: string, arg: string): void {
  if (m.rows !== m.cols) throw new ShapeError({ fn, arg, expected: "a square matrix", got: `${m.rows}×${m.cols}` });
}

function assertSymmetric(m: Matrix, fn: string, arg: string): void {
  assertSquare(m, fn, arg);
  const n = m.rows;
  let scale = 0;
  for (let k = 0; k < m.data.length; k++) scale = Math.max(scale, Math.abs(m.data[k]));
  const tol = 1e-12 * Math.max(scale, Number.MIN_VALUE);
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      if (Math.abs(m.data[i * n + j] - m.data[j * n + i]) > tol) {
        throw new ShapeError({
          fn,
          arg: `${arg}[${i}][${j}]`,
          expected: `symmetric (equal to ${arg}[${j}][${i}] = ${m.data[j * n + i]})`,
          got: String(m.data[i * n + j]),
        });
      }
    }
  }
}

/** Right-hand side as a matrix: a vector becomes one column. */
function rhs(B: MatrixLike | VectorLike, fn: string): { M: Matrix; vector: boolean } {
  if (Array.isArray(B) && (B.length === 0 || typeof B[0] === "number")) {
    const v = toVector(B as number[], fn, "b");
    return { M: new Matrix(v.length, 1, v), vector: true };
  }
  if (ArrayBuffer.isView(B)) {
    const v = toVector(B as unknown as VectorLike, fn, "b");
    return { M: new Matrix(v.length, 1, v), vector: true };
  }
  return { M: toMatrix(B, fn, "B"), vector: false };
}

function checkRows(A: Matrix, B: Matrix, fn: string): void {
  if (B.rows !== A.rows) throw new ShapeError({ fn, arg: "b", expected: `${A.rows} rows (as A)`, got: `${B.rows}` });
}

/**
 * Cholesky factor L (lower triangular) with A = L Lᵀ.
 *
 * @param A symmetric positive definite n×n
 * @throws {ShapeError} if A is not square and symmetric
 * @throws {NumericalError} if A is not (numerically) positive definite
 * @example
 * ```ts
 * import { cholesky } from "@parsimony/parsimony/core";
 * cholesky([[4, 2], [2, 3]]).toArray(); // => [[2, 0], [1, Math.SQRT2]]
 * ```
 */
export function cholesky(A: MatrixLike): Matrix {
  const M = toMatrix(A, "cholesky", "A");
  assertSymmetric(M, "cholesky", "A");
  const L = factor(M, "cholesky", "Add a small ridge to the diagonal or use solve/lstsq");
  const n = M.rows;
  for (let i = 0; i < n; i++) L.fill(0, i * n + i + 1, (i + 1) * n);
  return new Matrix(n, n, L);
}

/** The Cholesky factor's storage (lower triangle; the upper one still holds A's), or a NumericalError. */
function factor(M: Matrix, fn: string, hint: string): Float64Array {
  const L = Float64Array.from(M.data);
  const j = choleskyInPlace(L, M.rows);
  if (j >= 0) {
    throw new NumericalError({
      fn,
      arg: "A",
      expected: "positive definite",
      got: `a pivot ≤ 0 at row ${j} of the factorization`,
      hint,
    });
  }
  return L;
}

/**
 * Solve A x = b for symmetric positive definite A by Cholesky.
 *
 * @param b vector (returns a vector) or matrix of right-hand sides (returns a matrix)
 * @throws {NumericalError} if A is not positive definite
 * @example
 * ```ts
 * import { choleskySolve } from "@parsimony/parsimony/core";
 * choleskySolve([[4, 2], [2, 3]], [2, 1]); // => Float64Array [0.5, 0]
 * ```
 */
export function choleskySolve(A: MatrixLike, b: VectorLike): Float64Array;
export function choleskySolve(A: MatrixLike, B: MatrixLike): Matrix;
export function choleskySolve(A: MatrixLike, B: MatrixLike | VectorLike): Float64Array | Matrix {
  const M = toMatrix(A, "choleskySolve", "A");
  assertSymmetric(M, "choleskySolve", "A");
  const { M: R, vector } = rhs(B, "choleskySolve");
  checkRows(M, R, "choleskySolve");
  const L = factor(M, "choleskySolve", "Use solve (LU) or lstsq for indefinite or singular systems");
  const X = Float64Array.from(R.data);
  solveLowerInPlace(L, M.rows, X, R.cols);
  solveLowerTransInPlace(L, M.rows, X, R.cols);
  return vector ? X : new Matrix(R.rows, R.cols, X);
}

/** Options of {@linkcode solveTriangular}. */
export interface SolveTriangularOptions {
  /** T is lower triangular (its strict upper triangle is ignored); false: upper. @default true */
  lower?: boolean;
  /** Solve Tᵀ X = B instead of T X = B. @default false */
  trans?: boolean;
}

/**
 * Solve T X = B (or Tᵀ X = B) for a triangular T by blocked substitution (scipy's
 * `solve_triangular`): only T's triangle named by `lower` is read. With many right-hand sides
 * the rows already solved are applied by the toolkit's GEMM, block by block.
 *
 * @param T n×n triangular matrix
 * @param B vector (returns a vector) or n×k matrix of right-hand sides (returns a matrix)
 * @param options {@linkcode SolveTriangularOptions}
 * @throws {ShapeError} if T is not square or B's rows differ from n
 * @throws {NumericalError} naming `T[i][i]` if a diagonal entry is 0 (singular)
 * @example
 * ```ts
 * import { solveTriangular } from "@parsimony/parsimony/core";
 * solveTriangular([[2, 0], [1, 1]], [2, 3]); // => Float64Array [1, 2]
 * solveTriangular([[2, 0], [1, 1]], [2, 3], { trans: true }); // => Float64Array [-0.5, 3]
 * ```
 */
export function solveTriangular(T: MatrixLike, b: VectorLike, options?: SolveTriangularOptions): Float64Array;
export function solveTriangular(T: MatrixLike, B: MatrixLike, options?: SolveTriangularOptions): Matrix;
export function solveTriangular(
  T: MatrixLike,
  B: MatrixLike | VectorLike,
  options: SolveTriangularOptions = {},
): Float64Array | Matrix {
  const fn = "solveTriangular";
  const M = toMatrix(T, fn, "T");
  assertSquare(M, fn, "T");
  const { M: R, vector } = rhs(B, fn);
  checkRows(M, R, fn);
  const n = M.rows, lower = options.lower ?? true, trans = options.trans ?? false;
  for (let i = 0; i < n; i++) {
    if (M.data[i * n + i] === 0) {
      throw new NumericalError({ fn, arg: `T[${i}][${i}]`, expected: "non-zero (T non-singular)", got: "0" });
    }
  }
  // the kernels read a lower-triangular L row-major; an upper T is the transpose of one
  let L = M.data;
  if (!lower) {
    L = new Float64Array(n * n);
    for (let i = 0; i < n; i++) for (let j = i; j < n; j++) L[j * n + i] = M.data[i * n + j];
  }
  const X = Float64Array.from(R.data);
  // lower: T = L; upper: T = Lᵀ
  if (lower !== trans) solveLowerInPlace(L, n, X, R.cols);
  else solveLowerTransInPlace(L, n, X, R.cols);
  return vector ? X : new Matrix(R.rows, R.cols, X);
}

/**
 * Solve a square system A x = b by LU with partial pivoting.
 *
 * @throws {NumericalError} if A is singular
 * @example
 * ```ts
 * import { solve } from "@parsimony/parsimony/core";
 * solve([[0, 1], [1, 0]], [2, 3]); // => Float64Array [3, 2]
 * ```
 */
export function solve(A: MatrixLike, b: VectorLike): Float64Array;
export function solve(A: MatrixLike, B: MatrixLike): Matrix;
export function solve(A: MatrixLike, B: MatrixLike | VectorLike): Float64Array | Matrix {
  const M = toMatrix(A, "solve", "A");
  assertSquare(M, "solve", "A");
  const { M: R, vector } = rhs(B, "solve");
  checkRows(M, R, "solve");
  const lu = new LuDecomposition(toMl(M));
  if (lu.isSingular()) {
    throw new NumericalError({ fn: "solve", arg: "A", expected: "non-singular", hint: "Use lstsq or pinv" });
  }
  const X = fromMl(lu.solve(toMl(R)));
  return vector ? X.data : X;
}

/** Thin singular value decomposition A = U diag(s) Vᵀ. */
export interface SvdResult {
  /** m×k left singular vectors, k = min(m, n). */
  readonly U: Matrix;
  /** k singular values, descending. */
  readonly s: Float64Array;
  /** n×k right singular vectors. */
  readonly V: Matrix;
}

/**
 * Thin SVD, A = U diag(s) Vᵀ with s descending (one-sided Golub–Kahan via ml-matrix,
 * transposing wide matrices first for accuracy).
 *
 * @example
 * ```ts
 * import { svd } from "@parsimony/parsimony/core";
 * svd([[3, 0], [0, -2]]).s; // => Float64Array [3, 2]
 * ```
 */
export function svd(A: MatrixLike): SvdResult {
  const M = toMatrix(A, "svd", "A");
  const wide = M.cols > M.rows;
  const src = wide ? M.transpose() : M; // JAMA's SVD wants rows ≥ cols
  const d = new SingularValueDecomposition(toMl(src), { autoTranspose: false });
  const k = Math.min(M.rows, M.cols);
  const s = Float64Array.from(d.diagonal.slice(0, k));
  const Ufull = fromMl(d.leftSingularVectors);
  const Vfull = fromMl(d.rightSingularVectors);
  const take = (X: Matrix): Matrix => {
    const out = new Matrix(X.rows, k);
    for (let i = 0; i < X.rows; i++) for (let j = 0; j < k; j++) out.data[i * k + j] = X.data[i * X.cols + j];
    return out;
  };
  let U = take(Ufull), V = take(Vfull);
  if (wide) [U, V] = [V, U];
  // Ensure descending order (JAMA already sorts, but make it a guarantee of ours).
  const order = Array.from(s.keys()).sort((a, b) => s[b] - s[a]);
  if (order.some((v, i) => v !== i)) {
    const s2 = Float64Array.from(order, (i) => s[i]);
    const perm = (X: Matrix) => X.map((_, i, j) => X.get(i, order[j]));
    return { U: perm(U), s: s2, V: perm(V) };
  }
  return { U, s, V };
}

/** Eigendecomposition of a symmetric matrix A = Q diag(λ) Qᵀ. */
export interface EigSymResult {
  /** Eigenvalues, ascending. */
  readonly values: Float64Array;
  /** Orthonormal eigenvectors as columns (column j pairs with values[j]). */
  readonly vectors: Matrix;
}

/**
 * Symmetric eigendecomposition (Householder tridiagonalisation + QL, via ml-matrix).
 *
 * @throws {ShapeError} if A is not symmetric
 * @example
 * ```ts
 * import { eigSym } from "@parsimony/parsimony/core";
 * eigSym([[2, 1], [1, 2]]).values; // => Float64Array [1, 3]
 * ```
 */
export function eigSym(A: MatrixLike): EigSymResult {
  const M = toMatrix(A, "eigSym", "A");
  assertSymmetric(M, "eigSym", "A");
  const e = new EigenvalueDecomposition(toMl(M), { assumeSymmetric: true });
  const vals = e.realEigenvalues;
  const Q = fromMl(e.eigenvectorMatrix);
  const order = Array.from(vals.keys()).sort((a, b) => vals[a] - vals[b]);
  return {
    values: Float64Array.from(order, (i) => vals[i]),
    vectors: Q.map((_, i, j) => Q.get(i, order[j])),
  };
}

/**
 * Least squares: x minimising ‖A x − b‖₂. Uses Householder QR when A has full column rank
 * (rows ≥ cols), otherwise the minimum-norm solution through the pseudo-inverse.
 *
 * @example
 * ```ts
 * import { lstsq } from "@parsimony/parsimony/core";
 * lstsq([[1, 0], [1, 1], [1, 2]], [1, 2, 3]); // => Float64Array [1, 1] (intercept 1, slope 1)
 * ```
 */
export function lstsq(A: MatrixLike, b: VectorLike): Float64Array;
export function lstsq(A: MatrixLike, B: MatrixLike): Matrix;
export function lstsq(A: MatrixLike, B: MatrixLike | VectorLike): Float64Array | Matrix {
  const M = toMatrix(A, "lstsq", "A");
  const { M: RM, vector } = rhs(B, "lstsq");
  checkRows(M, RM, "lstsq");
  let X: Matrix | undefined;
  if (M.rows >= M.cols) {
    const qr = new QrDecomposition(toMl(M));
    // Use QR only when R is well conditioned; otherwise fall back to the minimum-norm solution.
    const R = qr.upperTriangularMatrix;
    let dmin = Infinity, dmax = 0;
    for (let i = 0; i < M.cols; i++) {
      const d = Math.abs(R.get(i, i));
      dmin = Math.min(dmin, d);
      dmax = Math.max(dmax, d);
    }
    if (qr.isFullRank() && dmin > 1e-13 * dmax) X = fromMl(qr.solve(toMl(RM)));
  }
  if (X === undefined) X = gemm(pinv(M), RM);
  return vector ? X.data : X;
}

/**
 * Moore–Penrose pseudo-inverse A⁺ = V diag(1/sᵢ) Uᵀ over singular values sᵢ > rcond·s₁.
 *
 * @param rcond relative cut-off; default max(m, n)·ε (as numpy.linalg.pinv's `rcond` default in lstsq)
 * @example
 * ```ts
 * import { pinv } from "@parsimony/parsimony/core";
 * pinv([[2, 0], [0, 0]]).toArray(); // => [[0.5, 0], [0, 0]]
 * ```
 */
export function pinv(A: MatrixLike, rcond?: number): Matrix {
  const M = toMatrix(A, "pinv", "A");
  const { U, s, V } = svd(M);
  const cut = (rcond ?? Math.max(M.rows, M.cols) * Number.EPSILON) * (s[0] ?? 0);
  const k = s.length;
  const out = new Matrix(M.cols, M.rows);
  for (let r = 0; r < k; r++) {
    if (!(s[r] > cut)) continue;
    const inv = 1 / s[r];
    for (let i = 0; i < M.cols; i++) {
      const vi = V.data[i * k + r] * inv;
      if (vi === 0) continue;
      for (let j = 0; j < M.rows; j++) out.data[i * M.rows + j] += vi * U.data[j * k + r];
    }
  }
  return out;
}
