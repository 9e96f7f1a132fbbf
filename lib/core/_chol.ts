/**
 * Blocked Cholesky factorization and triangular solves on row-major `Float64Array`s (trusted
 * inputs; the validated entry points are `cholesky` and `choleskySolve` in `linalg.ts`).
 *
 * Right-looking block algorithm (LAPACK's dpotrf shape): for each block column of width NB,
 * factor the block column left-looking within itself — for j in the block and i ≥ j,
 * l_ij = (a_ij − Σ_{p in block, p<j} l_ip l_jp) / l_jj with l_jj = √(a_jj − Σ l_jp²) — then update
 * the trailing matrix A₂₂ ← A₂₂ − L₂₁ L₂₁ᵀ with the toolkit's GEMM (WebAssembly SIMD, worker
 * pool), writing back its lower triangle only. The triangular solves with many right-hand sides
 * are blocked the same way (a GEMM for the rows already solved, a small substitution in the
 * block). About 10× faster than ml-matrix's unblocked loops at n = 500–1000 (bench in the
 * README), and the same mathematics: every entry is one dot product in a fixed order, so results
 * agree with the textbook algorithm to rounding (tests: reconstruction ‖LLᵀ − A‖ and ml-matrix).
 *
 * @module
 */

import { wasmGemm } from "./_gemm_wasm.ts";
import { gemmUnchecked } from "./gemm_kernel.ts";

/** Block width (columns of L per step; rows per step of the solves). */
const NB = 64;
/** Column-panel width of the trailing update (a multiple of 4). */
const TRAIL_W = 128;
/** Right-hand sides below which the solves run plain substitutions (no GEMM). */
const RHS_GEMM_MIN = 8;

/**
 * C ← C + α·op(A)·op(B) on row-major blocks inside larger arrays (offsets and row strides), with
 * the option to write only C's lower triangle. The WebAssembly kernel copies its operands in
 * before it writes C, so A, B and C may share one array (disjoint regions here).
 */
function gemmAdd(
  transA: boolean,
  transB: boolean,
  m: number,
  n: number,
  k: number,
  alpha: number,
  a: Float64Array,
  aOff: number,
  lda: number,
  b: Float64Array,
  bOff: number,
  ldb: number,
  c: Float64Array,
  cOff: number,
  ldc: number,
  lower: boolean,
): void {
  if (m === 0 || n === 0 || k === 0) return;
  if (
    wasmGemm !== null && m * n * k >= 4096 &&
    wasmGemm.gemm(transA, transB, m, n, k, alpha, a, b, 1, c, {}, { aOff, lda, bOff, ldb, cOff, ldc, lower })
  ) return;
  // small products (or no WebAssembly SIMD): dense copies through the one GEMM of the toolkit
  const A = new Float64Array(m * k), B = new Float64Array(k * n), T = new Float64Array(m * n);
  const ar = transA ? k : m, ac = transA ? m : k, br = transB ? n : k, bc = transB ? k : n;
  for (let r = 0; r < ar; r++) A.set(a.subarray(aOff + r * lda, aOff + r * lda + ac), r * ac);
  for (let r = 0; r < br; r++) B.set(b.subarray(bOff + r * ldb, bOff + r * ldb + bc), r * bc);
  gemmUnchecked(transA, transB, m, n, k, alpha, A, B, 0, T);
  for (let i = 0; i < m; i++) {
    const w = lower ? Math.min(n, i + 1) : n, o = cOff + i * ldc;
    for (let j = 0; j < w; j++) c[o + j] += T[i * n + j];
  }
}

/**
 * Overwrite the lower triangle of the n×n row-major `a` with its Cholesky factor L (A = LLᵀ);
 * the strict upper triangle is left as it was.
 *
 * @returns −1 on success, else the index j of the first pivot a_jj − Σ l_jp² that is not > 0 (or NaN)
 */
export function choleskyInPlace(a: Float64Array, n: number): number {
  for (let j0 = 0; j0 < n; j0 += NB) {
    const j1 = Math.min(n, j0 + NB);
    for (let j = j0; j < j1; j++) {
      const rj = j * n;
      let d = a[rj + j];
      for (let p = j0; p < j; p++) d -= a[rj + p] * a[rj + p];
      if (!(d > 0)) return j;
      const ljj = Math.sqrt(d);
      a[rj + j] = ljj;
      // rows below, four at a time (the loads of row j are shared)
      let i = j + 1;
      for (; i + 3 < n; i += 4) {
        const r0 = i * n, r1 = r0 + n, r2 = r1 + n, r3 = r2 + n;
        let s0 = a[r0 + j], s1 = a[r1 + j], s2 = a[r2 + j], s3 = a[r3 + j];
        for (let p = j0; p < j; p++) {
          const l = a[rj + p];
          s0 -= a[r0 + p] * l, s1 -= a[r1 + p] * l, s2 -= a[r2 + p] * l, s3 -= a[r3 + p] * l;
        }
        a[r0 + j] = s0 / ljj, a[r1 + j] = s1 / ljj, a[r2 + j] = s2 / ljj, a[r3 + j] = s3 / ljj;
      }
      for (; i < n; i++) {
        const ri = i * n;
        let s = a[ri + j];
        for (let p = j0; p < j; p++) s -= a[ri + p] * a[rj + p];
        a[ri + j] = s / ljj;
      }
    }
    // trailing update A₂₂ ← A₂₂ − L₂₁L₂₁ᵀ, lower triangle only: in column panels of width W, each
    // from its diagonal down (about half the products of one square update)
    const m2 = n - j1, jb = j1 - j0;
    for (let c0 = 0; c0 < m2; c0 += TRAIL_W) {
      const w = Math.min(TRAIL_W, m2 - c0), r0 = (j1 + c0) * n;
      gemmAdd(false, true, m2 - c0, w, jb, -1, a, r0 + j0, n, a, r0 + j0, n, a, r0 + j1 + c0, n, true);
    }
  }
  return -1;
}

/**
 * Solve L X = B in place (forward substitution): L lower triangular n×n (row-major, only its
 * lower triangle read), B row-major n×r overwritten by X.
 */
export function solveLowerInPlace(L: Float64Array, n: number, B: Float64Array, r: number): void {
  if (r < RHS_GEMM_MIN) {
    for (let i = 0; i < n; i++) {
      const li = i * n, d = L[li + i];
      for (let c = 0; c < r; c++) {
        let s = B[i * r + c];
        for (let p = 0; p < i; p++) s -= L[li + p] * B[p * r + c];
        B[i * r + c] = s / d;
      }
    }
    return;
  }
  for (let i0 = 0; i0 < n; i0 += NB) {
    const i1 = Math.min(n, i0 + NB);
    // rows i0..i1 of B minus L[i0:i1, 0:i0]·X[0:i0, :]
    gemmAdd(false, false, i1 - i0, r, i0, -1, L, i0 * n, n, B, 0, r, B, i0 * r, r, false);
    for (let i = i0; i < i1; i++) {
      const li = i * n, bi = i * r;
      for (let p = i0; p < i; p++) {
        const l = L[li + p], bp = p * r;
        if (l !== 0) { for (let c = 0; c < r; c++) B[bi + c] -= l * B[bp + c]; }
      }
      const d = L[li + i];
      for (let c = 0; c < r; c++) B[bi + c] /= d;
    }
  }
}

/**
 * Solve Lᵀ X = B in place (back substitution with the transpose of the lower-triangular L).
 */
export function solveLowerTransInPlace(L: Float64Array, n: number, B: Float64Array, r: number): void {
  if (r < RHS_GEMM_MIN) {
    for (let i = n - 1; i >= 0; i--) {
      const li = i * n, d = L[li + i];
      for (let c = 0; c < r; c++) {
        const x = B[i * r + c] / d;
        B[i * r + c] = x;
        // x_i is final: remove its contribution from the rows above (row i of L is contiguous)
        for (let p = 0; p < i; p++) B[p * r + c] -= L[li + p] * x;
      }
    }
    return;
  }
  for (let i1 = n; i1 > 0; i1 -= NB) {
    const i0 = Math.max(0, i1 - NB);
    // rows i0..i1 of B minus (L[i1:n, i0:i1])ᵀ·X[i1:n, :]
    gemmAdd(true, false, i1 - i0, r, n - i1, -1, L, i1 * n + i0, n, B, i1 * r, r, B, i0 * r, r, false);
    for (let i = i1 - 1; i >= i0; i--) {
      const li = i * n, bi = i * r, d = L[li + i];
      for (let c = 0; c < r; c++) B[bi + c] /= d;
      for (let p = i0; p < i; p++) {
        const l = L[li + p], bp = p * r;
        if (l !== 0) { for (let c = 0; c < r; c++) B[bp + c] -= l * B[bi + c]; }
      }
    }
  }
}
