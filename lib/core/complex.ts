/**
 * Complex dense matrices (split real/imaginary `Float64Array` storage) and the Hermitian
 * linear algebra that complex-valued models need (IRS-MIMO channels in sparse Bayesian
 * learning, complex Gaussian noise): products with conjugation, Cholesky solves, and a
 * Hermitian eigendecomposition.
 *
 * Storage: entry (i, j) is `re[i·cols + j] + i·im[i·cols + j]` (row-major, as {@linkcode Matrix}).
 * Split storage lets every product reuse the real kernels of `blas.ts`:
 * (A_r + iA_i)(B_r + iB_i) = (A_rB_r − A_iB_i) + i(A_rB_i + A_iB_r).
 *
 * `ml-matrix` has no complex decompositions, so the two factorisations are written here:
 * Cholesky (L Lᴴ, the textbook column algorithm) and cyclic complex Jacobi for Hermitian
 * eigenproblems (each 2×2 pivot is reduced to a real symmetric one by a phase, then rotated),
 * which is accurate to a few ulp of ‖H‖ and fast for the small M_i×M_i factors that
 * Kronecker-structured models decompose.
 *
 * @module
 */

import { gemm } from "./blas.ts";
import { NumericalError, ShapeError, TypeMismatchError } from "./errors.ts";
import { Matrix, type MatrixLike, toMatrix } from "./matrix.ts";
import { describeValue } from "./errors.ts";
import { assertFinite, type VectorLike } from "./validate.ts";

/** A complex vector in split storage. */
export interface ComplexVector {
  /** Real parts. */
  readonly re: Float64Array;
  /** Imaginary parts (same length). */
  readonly im: Float64Array;
}

/**
 * Dense row-major complex matrix with split storage.
 *
 * @example
 * ```ts
 * import { CMatrix } from "@parsimony/parsimony/core";
 * const H = CMatrix.fromParts([[2, 1], [1, 3]], [[0, -1], [1, 0]]); // [[2, 1 − i], [1 + i, 3]]
 * H.conjTranspose().imagPart().toArray(); // => [[0, -1], [1, 0]] (Hermitian: Hᴴ = H)
 * ```
 */
export class CMatrix {
  /** Number of rows. */
  readonly rows: number;
  /** Number of columns. */
  readonly cols: number;
  /** Real parts, row-major. */
  readonly re: Float64Array;
  /** Imaginary parts, row-major. */
  readonly im: Float64Array;

  /**
   * Wrap (without copying) split storage, or allocate zeros.
   *
   * @throws {ShapeError} if a part's length is not rows·cols
   */
  constructor(rows: number, cols: number, re?: Float64Array, im?: Float64Array) {
    const n = rows * cols;
    re ??= new Float64Array(n);
    im ??= new Float64Array(n);
    if (re.length !== n) {
      throw new ShapeError({ fn: "CMatrix", arg: "re", expected: `length ${n}`, got: `length ${re.length}` });
    }
    if (im.length !== n) {
      throw new ShapeError({ fn: "CMatrix", arg: "im", expected: `length ${n}`, got: `length ${im.length}` });
    }
    this.rows = rows;
    this.cols = cols;
    this.re = re;
    this.im = im;
  }

  /**
   * Build from real and (optional) imaginary parts, copied.
   *
   * @throws {ShapeError} if the parts' shapes differ
   * @example
   * ```ts
   * import { CMatrix } from "@parsimony/parsimony/core";
   * CMatrix.fromParts([[1, 2]]).im; // => Float64Array [0, 0]
   * ```
   */
  static fromParts(re: MatrixLike, im?: MatrixLike): CMatrix {
    const R = toMatrix(re, "CMatrix.fromParts", "re", { reuse: false });
    const I = im === undefined ? new Matrix(R.rows, R.cols) : toMatrix(im, "CMatrix.fromParts", "im", { reuse: false });
    if (I.rows !== R.rows || I.cols !== R.cols) {
      throw new ShapeError({
        fn: "CMatrix.fromParts",
        arg: "im",
        expected: `shape ${R.rows}×${R.cols} (as re)`,
        got: `${I.rows}×${I.cols}`,
      });
    }
    return new CMatrix(R.rows, R.cols, R.data, I.data);
  }

  /**
   * The n×n identity.
   *
   * @example
   * ```ts
   * import { CMatrix } from "@parsimony/parsimony/core";
   * CMatrix.identity(2).re; // => Float64Array [1, 0, 0, 1]
   * ```
   */
  static identity(n: number): CMatrix {
    const m = new CMatrix(n, n);
    for (let i = 0; i < n; i++) m.re[i * n + i] = 1;
    return m;
  }

  /** The real part as a {@linkcode Matrix} (copy). */
  realPart(): Matrix {
    return new Matrix(this.rows, this.cols, this.re.slice());
  }

  /** The imaginary part as a {@linkcode Matrix} (copy). */
  imagPart(): Matrix {
    return new Matrix(this.rows, this.cols, this.im.slice());
  }

  /** A deep copy. */
  clone(): CMatrix {
    return new CMatrix(this.rows, this.cols, this.re.slice(), this.im.slice());
  }

  /** The transpose Aᵀ (no conjugation), as a new matrix. */
  transpose(): CMatrix {
    return new CMatrix(this.cols, this.rows, this.realPart().transpose().data, this.imagPart().transpose().data);
  }

  /** The conjugate transpose Aᴴ, as a new matrix. */
  conjTranspose(): CMatrix {
    const im = this.imagPart().transpose().data;
    for (let k = 0; k < im.length; k++) im[k] = -im[k];
    return new CMatrix(this.cols, this.rows, this.realPart().transpose().data, im);
  }

  /** Entrywise squared modulus |a_ij|² as a real {@linkcode Matrix}. */
  abs2(): Matrix {
    const out = new Matrix(this.rows, this.cols);
    for (let k = 0; k < out.data.length; k++) out.data[k] = this.re[k] * this.re[k] + this.im[k] * this.im[k];
    return out;
  }
}

/** Anything {@linkcode toCMatrix} accepts: a CMatrix, a real {@linkcode MatrixLike}, or `{ re, im }` parts. */
export type CMatrixLike = CMatrix | MatrixLike | { re: MatrixLike; im?: MatrixLike };

/**
 * Convert a complex-matrix argument, validating shapes and finiteness; real input gets a zero
 * imaginary part.
 *
 * @throws {ShapeError} | {NonFiniteError} | {TypeMismatchError}
 * @example
 * ```ts
 * import { toCMatrix } from "@parsimony/parsimony/core";
 * toCMatrix([[1, 2]], "demo", "A").cols; // => 2
 * toCMatrix({ re: [[1]], im: [[-1]] }, "demo", "A").im; // => Float64Array [-1]
 * ```
 */
export function toCMatrix(x: unknown, fn: string, arg: string): CMatrix {
  if (x instanceof CMatrix) {
    assertFinite(x.re, fn, `${arg}.re`);
    assertFinite(x.im, fn, `${arg}.im`);
    return x;
  }
  if (typeof x === "object" && x !== null && "re" in x && !(x instanceof Matrix)) {
    const o = x as { re: MatrixLike; im?: MatrixLike };
    const R = toMatrix(o.re, fn, `${arg}.re`, { reuse: false });
    const I = o.im === undefined ? new Matrix(R.rows, R.cols) : toMatrix(o.im, fn, `${arg}.im`, { reuse: false });
    if (I.rows !== R.rows || I.cols !== R.cols) {
      throw new ShapeError({
        fn,
        arg: `${arg}.im`,
        expected: `shape ${R.rows}×${R.cols} (as ${arg}.re)`,
        got: `${I.rows}×${I.cols}`,
      });
    }
    return new CMatrix(R.rows, R.cols, R.data, I.data);
  }
  try {
    const R = toMatrix(x, fn, arg, { reuse: false });
    return new CMatrix(R.rows, R.cols, R.data);
  } catch (e) {
    if (e instanceof TypeMismatchError && e.arg === arg) {
      throw new TypeMismatchError({
        fn,
        arg,
        expected: "a complex matrix (CMatrix, {re, im} or a real matrix)",
        got: describeValue(x),
      });
    }
    throw e;
  }
}

/** Options of {@linkcode cgemm}. */
export interface CgemmOptions {
  /** Use Aᵀ (with `conjA`: Aᴴ). @default false */
  transA?: boolean;
  /** Conjugate A. @default false */
  conjA?: boolean;
  /** Use Bᵀ (with `conjB`: Bᴴ). @default false */
  transB?: boolean;
  /** Conjugate B. @default false */
  conjB?: boolean;
}

/**
 * Complex matrix product op(A)·op(B), op = identity, transpose, conjugate or conjugate
 * transpose, by four real {@linkcode gemm} calls on the split parts.
 *
 * @throws {ShapeError} when inner dimensions differ
 * @example
 * ```ts
 * import { CMatrix, cgemm } from "@parsimony/parsimony/core";
 * const A = CMatrix.fromParts([[0]], [[1]]); // i
 * cgemm(A, A).re; // => Float64Array [-1] (i·i = −1)
 * cgemm(A, A, { conjA: true }).re; // => Float64Array [1] (−i·i = 1)
 * ```
 */
export function cgemm(A: CMatrixLike, B: CMatrixLike, options: CgemmOptions = {}): CMatrix {
  const a = toCMatrix(A, "cgemm", "A"), b = toCMatrix(B, "cgemm", "B");
  const transA = options.transA ?? false, transB = options.transB ?? false;
  const sA = options.conjA ? -1 : 1, sB = options.conjB ? -1 : 1;
  const k = transA ? a.rows : a.cols, kB = transB ? b.cols : b.rows;
  if (k !== kB) throw new ShapeError({ fn: "cgemm", arg: "B", expected: `inner dimension ${k}`, got: `${kB}` });
  const Ar = new Matrix(a.rows, a.cols, a.re), Ai = new Matrix(a.rows, a.cols, a.im);
  const Br = new Matrix(b.rows, b.cols, b.re), Bi = new Matrix(b.rows, b.cols, b.im);
  const o = { transA, transB };
  const re = gemm(Ar, Br, o);
  gemm(Ai, Bi, { ...o, alpha: -sA * sB, beta: 1, out: re });
  const im = gemm(Ar, Bi, { ...o, alpha: sB });
  gemm(Ai, Br, { ...o, alpha: sA, beta: 1, out: im });
  return new CMatrix(re.rows, re.cols, re.data, im.data);
}

/**
 * Complex matrix–vector product op(A)·x (op as in {@linkcode cgemm}, via `trans`/`conj`).
 *
 * @example
 * ```ts
 * import { CMatrix, cgemv } from "@parsimony/parsimony/core";
 * cgemv(CMatrix.identity(2), { re: new Float64Array([1, 2]), im: new Float64Array([3, 4]) }).im; // => Float64Array [3, 4]
 * ```
 */
export function cgemv(
  A: CMatrixLike,
  x: ComplexVector,
  options: { trans?: boolean; conj?: boolean } = {},
): ComplexVector {
  const a = toCMatrix(A, "cgemv", "A");
  checkVector(x, "cgemv", "x");
  const X = new CMatrix(x.re.length, 1, Float64Array.from(x.re), Float64Array.from(x.im));
  const y = cgemm(a, X, { transA: options.trans, conjA: options.conj });
  return { re: y.re, im: y.im };
}

function checkVector(x: ComplexVector, fn: string, arg: string): void {
  if (!x || !ArrayBuffer.isView(x.re) || !ArrayBuffer.isView(x.im)) {
    throw new TypeMismatchError({ fn, arg, expected: "a complex vector {re, im}", got: describeValue(x) });
  }
  if (x.re.length !== x.im.length) {
    throw new ShapeError({
      fn,
      arg: `${arg}.im`,
      expected: `length ${x.re.length} (as ${arg}.re)`,
      got: `length ${x.im.length}`,
    });
  }
  assertFinite(x.re, fn, `${arg}.re`);
  assertFinite(x.im, fn, `${arg}.im`);
}

function assertHermitian(H: CMatrix, fn: string, arg: string): void {
  const n = H.rows;
  if (H.cols !== n) throw new ShapeError({ fn, arg, expected: "a square matrix", got: `${H.rows}×${H.cols}` });
  let scale = 0;
  for (let k = 0; k < n * n; k++) scale = Math.max(scale, Math.hypot(H.re[k], H.im[k]));
  const tol = 1e-12 * Math.max(scale, Number.MIN_VALUE);
  for (let i = 0; i < n; i++) {
    if (Math.abs(H.im[i * n + i]) > tol) {
      throw new ShapeError({
        fn,
        arg: `${arg}[${i}][${i}]`,
        expected: "a real diagonal (Hermitian)",
        got: `imaginary part ${H.im[i * n + i]}`,
      });
    }
    for (let j = i + 1; j < n; j++) {
      const dr = H.re[i * n + j] - H.re[j * n + i], di = H.im[i * n + j] + H.im[j * n + i];
      if (Math.hypot(dr, di) > tol) {
        throw new ShapeError({
          fn,
          arg: `${arg}[${i}][${j}]`,
          expected: `the conjugate of ${arg}[${j}][${i}] (Hermitian)`,
          got: `${H.re[i * n + j]} + ${H.im[i * n + j]}i`,
        });
      }
    }
  }
}

/** Hermitian eigendecomposition H = U diag(λ) Uᴴ. */
export interface EigHermitianResult {
  /** Real eigenvalues, ascending. */
  readonly values: Float64Array;
  /** Unitary eigenvector matrix; column j pairs with values[j]. */
  readonly vectors: CMatrix;
  /** Jacobi sweeps used. */
  readonly sweeps: number;
}

/**
 * Eigendecomposition of a Hermitian matrix by cyclic complex Jacobi rotations: each pivot
 * (p, q) with h_pq = |h_pq|e^{iφ} is turned real by the phase diag(1, e^{−iφ}) and then
 * annihilated by a real rotation; sweeps repeat until the off-diagonal mass is below
 * ε·‖H‖_F. Real symmetric input gives the same values as {@linkcode eigSym}.
 *
 * @param H n×n Hermitian (CMatrix, `{re, im}`, or a real symmetric matrix)
 * @throws {ShapeError} if H is not square and Hermitian (to 1e-12 relative)
 * @throws {NumericalError} if the sweeps do not converge (never observed; 50 sweeps allowed)
 * @example
 * ```ts
 * import { CMatrix, eigHermitian } from "@parsimony/parsimony/core";
 * const H = CMatrix.fromParts([[2, 0], [0, 2]], [[0, -1], [1, 0]]); // [[2, −i], [i, 2]]
 * eigHermitian(H).values; // => Float64Array [1, 3]
 * ```
 */
export function eigHermitian(H: CMatrixLike): EigHermitianResult {
  const A = toCMatrix(H, "eigHermitian", "H").clone();
  assertHermitian(A, "eigHermitian", "H");
  const n = A.rows;
  const ar = A.re, ai = A.im;
  for (let i = 0; i < n; i++) ai[i * n + i] = 0;
  const V = CMatrix.identity(n);
  const vr = V.re, vi = V.im;
  let total = 0;
  for (let k = 0; k < n * n; k++) total += ar[k] * ar[k] + ai[k] * ai[k];
  const target = (Number.EPSILON * Number.EPSILON) * total;
  let sweeps = 0;
  for (; sweeps < 50; sweeps++) {
    let off = 0;
    for (let p = 0; p < n; p++) {
      for (let q = p + 1; q < n; q++) off += ar[p * n + q] ** 2 + ai[p * n + q] ** 2;
    }
    if (off <= target || off === 0) break;
    for (let p = 0; p < n - 1; p++) {
      for (let q = p + 1; q < n; q++) {
        const br = ar[p * n + q], bi = ai[p * n + q];
        const mag = Math.hypot(br, bi);
        if (mag === 0) continue;
        const app = ar[p * n + p], aqq = ar[q * n + q];
        // Skip pivots already negligible against their diagonal (classic Jacobi threshold).
        if (sweeps > 3 && mag < 1e-18 * (Math.abs(app) + Math.abs(aqq))) {
          ar[p * n + q] =
            ai[p * n + q] =
            ar[q * n + p] =
            ai[q * n + p] =
              0;
          continue;
        }
        const er = br / mag, ei = bi / mag; // e^{iφ}
        const theta = (aqq - app) / (2 * mag);
        const t = (theta >= 0 ? 1 : -1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1), s = t * c;
        // U (on rows/cols p, q) = [[c, s], [−s·e^{−iφ}, c·e^{−iφ}]]; first H ← H U (columns).
        // e^{−iφ} = (er, −ei).
        for (let k = 0; k < n; k++) {
          const hpr = ar[k * n + p], hpi = ai[k * n + p], hqr = ar[k * n + q], hqi = ai[k * n + q];
          // x = h_kq · e^{−iφ}
          const xr = hqr * er + hqi * ei, xi = hqi * er - hqr * ei;
          ar[k * n + p] = c * hpr - s * xr;
          ai[k * n + p] = c * hpi - s * xi;
          ar[k * n + q] = s * hpr + c * xr;
          ai[k * n + q] = s * hpi + c * xi;
          const vpr = vr[k * n + p], vpi = vi[k * n + p], vqr = vr[k * n + q], vqi = vi[k * n + q];
          const yr = vqr * er + vqi * ei, yi = vqi * er - vqr * ei;
          vr[k * n + p] = c * vpr - s * yr;
          vi[k * n + p] = c * vpi - s * yi;
          vr[k * n + q] = s * vpr + c * yr;
          vi[k * n + q] = s * vpi + c * yi;
        }
        // Then H ← Uᴴ H (rows): row p = c·row p − s·e^{iφ}·row q; row q = s·row p + c·e^{iφ}·row q.
        for (let k = 0; k < n; k++) {
          const hpr = ar[p * n + k], hpi = ai[p * n + k], hqr = ar[q * n + k], hqi = ai[q * n + k];
          const xr = hqr * er - hqi * ei, xi = hqi * er + hqr * ei; // h_qk · e^{iφ}
          ar[p * n + k] = c * hpr - s * xr;
          ai[p * n + k] = c * hpi - s * xi;
          ar[q * n + k] = s * hpr + c * xr;
          ai[q * n + k] = s * hpi + c * xi;
        }
        // The rotation annihilates (p, q) exactly in exact arithmetic; store the exact zeros.
        ar[p * n + q] =
          ai[p * n + q] =
          ar[q * n + p] =
          ai[q * n + p] =
            0;
        ai[p * n + p] = ai[q * n + q] = 0;
      }
    }
  }
  if (sweeps === 50) {
    throw new NumericalError({ fn: "eigHermitian", arg: "H", expected: "to converge within 50 Jacobi sweeps" });
  }
  const order = Array.from({ length: n }, (_, i) => i).sort((x, y) => ar[x * n + x] - ar[y * n + y]);
  const values = Float64Array.from(order, (i) => ar[i * n + i]);
  const U = new CMatrix(n, n);
  for (let k = 0; k < n; k++) {
    for (let j = 0; j < n; j++) {
      U.re[k * n + j] = vr[k * n + order[j]];
      U.im[k * n + j] = vi[k * n + order[j]];
    }
  }
  return { values, vectors: U, sweeps };
}

/**
 * Cholesky factor of a Hermitian positive definite matrix: H = L Lᴴ, L lower triangular with
 * a real positive diagonal.
 *
 * @throws {ShapeError} if H is not Hermitian
 * @throws {NumericalError} if H is not (numerically) positive definite
 * @example
 * ```ts
 * import { CMatrix, choleskyC } from "@parsimony/parsimony/core";
 * const L = choleskyC(CMatrix.fromParts([[4, 2], [2, 5]], [[0, 2], [-2, 0]]));
 * L.re; // => Float64Array [2, 0, 1, 1.7320508075688772]
 * ```
 */
export function choleskyC(H: CMatrixLike): CMatrix {
  const A = toCMatrix(H, "choleskyC", "H");
  assertHermitian(A, "choleskyC", "H");
  const n = A.rows;
  const L = new CMatrix(n, n);
  const lr = L.re, li = L.im;
  for (let j = 0; j < n; j++) {
    let d = A.re[j * n + j];
    for (let k = 0; k < j; k++) d -= lr[j * n + k] ** 2 + li[j * n + k] ** 2;
    if (!(d > 0)) {
      throw new NumericalError({
        fn: "choleskyC",
        arg: "H",
        expected: "positive definite",
        got: `pivot ${j} = ${d}`,
        hint: "Add a ridge to the diagonal",
      });
    }
    const ljj = Math.sqrt(d);
    lr[j * n + j] = ljj;
    for (let i = j + 1; i < n; i++) {
      // L_ij = (H_ij − Σ_k L_ik·conj(L_jk)) / L_jj
      let sr = A.re[i * n + j], si = A.im[i * n + j];
      for (let k = 0; k < j; k++) {
        const ar = lr[i * n + k], ai = li[i * n + k], br = lr[j * n + k], bi = -li[j * n + k];
        sr -= ar * br - ai * bi;
        si -= ar * bi + ai * br;
      }
      lr[i * n + j] = sr / ljj;
      li[i * n + j] = si / ljj;
    }
  }
  return L;
}

/**
 * Solve H x = b for Hermitian positive definite H (Cholesky, then two triangular solves).
 *
 * @throws {NumericalError} if H is not positive definite
 * @throws {ShapeError} if b's length differs from H's size
 * @example
 * ```ts
 * import { CMatrix, choleskySolveC } from "@parsimony/parsimony/core";
 * const x = choleskySolveC(CMatrix.identity(2), { re: new Float64Array([1, 2]), im: new Float64Array([0, 1]) });
 * x.im; // => Float64Array [0, 1]
 * ```
 */
export function choleskySolveC(H: CMatrixLike, b: ComplexVector): ComplexVector {
  const L = choleskyC(H);
  checkVector(b, "choleskySolveC", "b");
  const n = L.rows;
  if (b.re.length !== n) {
    throw new ShapeError({ fn: "choleskySolveC", arg: "b", expected: `length ${n}`, got: `length ${b.re.length}` });
  }
  const lr = L.re, li = L.im;
  const yr = Float64Array.from(b.re), yi = Float64Array.from(b.im);
  for (let i = 0; i < n; i++) { // L y = b
    let sr = yr[i], si = yi[i];
    for (let k = 0; k < i; k++) {
      const ar = lr[i * n + k], ai = li[i * n + k];
      sr -= ar * yr[k] - ai * yi[k];
      si -= ar * yi[k] + ai * yr[k];
    }
    const d = lr[i * n + i];
    yr[i] = sr / d;
    yi[i] = si / d;
  }
  for (let i = n - 1; i >= 0; i--) { // Lᴴ x = y; (Lᴴ)_ik = conj(L_ki)
    let sr = yr[i], si = yi[i];
    for (let k = i + 1; k < n; k++) {
      const ar = lr[k * n + i], ai = -li[k * n + i];
      sr -= ar * yr[k] - ai * yi[k];
      si -= ar * yi[k] + ai * yr[k];
    }
    const d = lr[i * n + i];
    yr[i] = sr / d;
    yi[i] = si / d;
  }
  return { re: yr, im: yi };
}

/**
 * Split a vector-like pair into a validated {@linkcode ComplexVector} (imaginary part zero when omitted).
 *
 * @example
 * ```ts
 * import { complexVector } from "@parsimony/parsimony/core";
 * complexVector([1, 2]).im; // => Float64Array [0, 0]
 * ```
 */
export function complexVector(re: VectorLike, im?: VectorLike): ComplexVector {
  const r = Float64Array.from(re);
  const i = im === undefined ? new Float64Array(r.length) : Float64Array.from(im);
  checkVector({ re: r, im: i }, "complexVector", "x");
  return { re: r, im: i };
}
