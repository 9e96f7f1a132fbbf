/**
 * Kronecker products without forming them.
 *
 * Index convention (row-major, first factor slowest — what {@linkcode kron} produces):
 * for factors of sizes N_1, …, N_I, entry j of a1 ⊗ … ⊗ aI is ∏ a_{i, j_i} with
 * j = ((j_1·N_2 + j_2)·N_3 + j_3)…. Hence (B_1 ⊗ … ⊗ B_I)·v = vec(reshape(v) ×_1 B_1 … ×_I B_I):
 * one mode product per factor, O(Σ_i M_i·∏(other dims)) work instead of O(M·N) — the
 * workhorse of Kronecker-structured models (KroSBL's E-step, separable OT costs, tensor
 * regressions).
 *
 * @module
 */

import { ShapeError } from "./errors.ts";
import { type CMatrix, type CMatrixLike, type ComplexVector, toCMatrix } from "./complex.ts";
import { Matrix, type MatrixLike, toMatrix } from "./matrix.ts";
import { toVector, type VectorLike } from "./validate.ts";

/**
 * The explicit Kronecker product A ⊗ B ((m_A·m_B) × (n_A·n_B)); for tests and small factors.
 *
 * @example
 * ```ts
 * import { kron } from "@parsimony/parsimony/core";
 * kron([[1, 2]], [[1], [10]]).toArray(); // => [[1, 2], [10, 20]]
 * ```
 */
export function kron(A: MatrixLike, B: MatrixLike): Matrix {
  const a = toMatrix(A, "kron", "A"), b = toMatrix(B, "kron", "B");
  const out = new Matrix(a.rows * b.rows, a.cols * b.cols);
  const oc = out.cols;
  for (let i = 0; i < a.rows; i++) {
    for (let j = 0; j < a.cols; j++) {
      const s = a.data[i * a.cols + j];
      for (let k = 0; k < b.rows; k++) {
        const o = (i * b.rows + k) * oc + j * b.cols;
        for (let l = 0; l < b.cols; l++) out.data[o + l] = s * b.data[k * b.cols + l];
      }
    }
  }
  return out;
}

/**
 * Kronecker product of vectors v_1 ⊗ … ⊗ v_I (e.g. a Kronecker-structured variance γ_1 ⊗ γ_2 ⊗ γ_3).
 *
 * @example
 * ```ts
 * import { kronVectors } from "@parsimony/parsimony/core";
 * kronVectors([[1, 2], [1, 10]]); // => Float64Array [1, 10, 2, 20]
 * ```
 */
export function kronVectors(vs: readonly VectorLike[]): Float64Array {
  if (vs.length === 0) {
    throw new ShapeError({ fn: "kronVectors", arg: "vs", expected: "at least one vector", got: "none" });
  }
  let out = toVector(vs[0], "kronVectors", "vs[0]");
  for (let t = 1; t < vs.length; t++) {
    const v = toVector(vs[t], "kronVectors", `vs[${t}]`);
    const next = new Float64Array(out.length * v.length);
    for (let i = 0; i < out.length; i++) for (let j = 0; j < v.length; j++) next[i * v.length + j] = out[i] * v[j];
    out = next;
  }
  return out;
}

/** Options of the Kronecker mat-vecs. */
export interface KronMatVecOptions {
  /** Use (⊗B_i)ᵀ = ⊗B_iᵀ (for complex: with `conj`, the conjugate transpose ⊗B_iᴴ). @default false */
  transpose?: boolean;
}

/** Dimensions after applying factors; validates v's length. */
function kronDims(rows: number[], cols: number[], len: number, transpose: boolean, fn: string): { inDims: number[] } {
  const inDims = transpose ? rows : cols;
  const need = inDims.reduce((a, b) => a * b, 1);
  if (len !== need) {
    throw new ShapeError({
      fn,
      arg: "v",
      expected: `length ∏ ${transpose ? "M_i" : "N_i"} = ${need}`,
      got: `length ${len}`,
    });
  }
  return { inDims };
}

/**
 * (B_1 ⊗ … ⊗ B_I)·v by successive mode products, never forming the Kronecker matrix.
 *
 * @param factors B_i of shape M_i×N_i
 * @param v vector of length ∏N_i (∏M_i with `transpose`)
 * @returns vector of length ∏M_i (∏N_i with `transpose`)
 * @throws {ShapeError} if v's length does not match
 * @example
 * ```ts
 * import { kronMatVec } from "@parsimony/parsimony/core";
 * kronMatVec([[[1, 2]], [[1], [10]]], [1, 1]); // => Float64Array [3, 30]: ([1 2] ⊗ [1; 10])·[1, 1]
 * ```
 */
export function kronMatVec(
  factors: readonly MatrixLike[],
  v: VectorLike,
  options: KronMatVecOptions = {},
): Float64Array {
  if (factors.length === 0) {
    throw new ShapeError({ fn: "kronMatVec", arg: "factors", expected: "at least one factor", got: "none" });
  }
  const transpose = options.transpose ?? false;
  const Bs = factors.map((F, i) => toMatrix(F, "kronMatVec", `factors[${i}]`));
  const x = toVector(v, "kronMatVec", "v");
  const { inDims } = kronDims(Bs.map((b) => b.rows), Bs.map((b) => b.cols), x.length, transpose, "kronMatVec");
  const dims = inDims.slice();
  let cur = x;
  for (let i = 0; i < Bs.length; i++) {
    const B = Bs[i];
    const mOut = transpose ? B.cols : B.rows, nIn = dims[i];
    let pre = 1, post = 1;
    for (let k = 0; k < i; k++) pre *= dims[k];
    for (let k = i + 1; k < dims.length; k++) post *= dims[k];
    const out = new Float64Array(pre * mOut * post);
    const bd = B.data, bc = B.cols;
    for (let p = 0; p < pre; p++) {
      for (let m = 0; m < mOut; m++) {
        const ob = (p * mOut + m) * post;
        for (let n = 0; n < nIn; n++) {
          const b = transpose ? bd[n * bc + m] : bd[m * bc + n];
          if (b === 0) continue;
          const ib = (p * nIn + n) * post;
          for (let q = 0; q < post; q++) out[ob + q] += b * cur[ib + q];
        }
      }
    }
    dims[i] = mOut;
    cur = out;
  }
  return cur;
}

/**
 * Complex (B_1 ⊗ … ⊗ B_I)·v, optionally with the (conjugate) transpose of every factor.
 *
 * @param factors complex (or real) B_i of shape M_i×N_i
 * @param v complex vector of length ∏N_i (∏M_i with `transpose`)
 * @param options `transpose` and `conj`: transpose + conj gives (⊗B_i)ᴴ·v
 * @example
 * ```ts
 * import { CMatrix, kronMatVecC } from "@parsimony/parsimony/core";
 * const I = CMatrix.fromParts([[0]], [[1]]); // the 1×1 factor i
 * kronMatVecC([I, I], { re: new Float64Array([1]), im: new Float64Array([0]) }).re; // => Float64Array [-1]
 * ```
 */
export function kronMatVecC(
  factors: readonly CMatrixLike[],
  v: ComplexVector,
  options: KronMatVecOptions & { conj?: boolean } = {},
): ComplexVector {
  if (factors.length === 0) {
    throw new ShapeError({ fn: "kronMatVecC", arg: "factors", expected: "at least one factor", got: "none" });
  }
  const transpose = options.transpose ?? false;
  const sgn = options.conj ? -1 : 1;
  const Bs: CMatrix[] = factors.map((F, i) => toCMatrix(F, "kronMatVecC", `factors[${i}]`));
  let cr = toVector(v.re, "kronMatVecC", "v.re"), ci = toVector(v.im, "kronMatVecC", "v.im");
  if (ci.length !== cr.length) {
    throw new ShapeError({
      fn: "kronMatVecC",
      arg: "v.im",
      expected: `length ${cr.length}`,
      got: `length ${ci.length}`,
    });
  }
  const { inDims } = kronDims(Bs.map((b) => b.rows), Bs.map((b) => b.cols), cr.length, transpose, "kronMatVecC");
  const dims = inDims.slice();
  for (let i = 0; i < Bs.length; i++) {
    const B = Bs[i];
    const mOut = transpose ? B.cols : B.rows, nIn = dims[i];
    let pre = 1, post = 1;
    for (let k = 0; k < i; k++) pre *= dims[k];
    for (let k = i + 1; k < dims.length; k++) post *= dims[k];
    const or = new Float64Array(pre * mOut * post), oi = new Float64Array(pre * mOut * post);
    const bc = B.cols;
    for (let p = 0; p < pre; p++) {
      for (let m = 0; m < mOut; m++) {
        const ob = (p * mOut + m) * post;
        for (let n = 0; n < nIn; n++) {
          const idx = transpose ? n * bc + m : m * bc + n;
          const br = B.re[idx], bi = sgn * B.im[idx];
          if (br === 0 && bi === 0) continue;
          const ib = (p * nIn + n) * post;
          for (let q = 0; q < post; q++) {
            const xr = cr[ib + q], xi = ci[ib + q];
            or[ob + q] += br * xr - bi * xi;
            oi[ob + q] += br * xi + bi * xr;
          }
        }
      }
    }
    dims[i] = mOut;
    cr = or;
    ci = oi;
  }
  return { re: cr, im: ci };
}
