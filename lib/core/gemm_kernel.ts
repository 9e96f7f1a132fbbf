/**
 * The trusted GEMM hot loop behind {@linkcode gemm} and the autodiff `matmul`:
 * C = α·op(A)·op(B) + β·C on flat row-major `Float64Array`s, no validation.
 *
 * Register-blocked 2×4 micro-kernels: each pass keeps a 2-row × 4-column tile of C in
 * eight local accumulators and walks the inner dimension once, so every loaded entry of
 * A feeds four products and every loaded entry of B feeds two (the previous i-k-j loop
 * streamed C through memory on every step and ran at a third to half the speed). The
 * three layouts that training needs (A·B, A·Bᵀ, Aᵀ·B) each get a kernel whose inner loop
 * walks contiguous memory; Aᵀ·Bᵀ and the tile edges go through one strided scalar loop.
 * Each accumulator sums in the natural order p = 0..k−1, like the textbook triple loop.
 *
 * Products of at least 4096 multiply-adds (and at least 4×4) run instead on the WebAssembly
 * SIMD kernel of `_gemm_wasm.ts` (packed operands, f64x2 4×4 tiles, k-blocks), which accumulates
 * in the same order, so both paths give bitwise-identical results; from 2^18 multiply-adds its
 * row blocks are shared with the worker pool (`parallel.ts`: `defaultThreads()` threads,
 * `PARSIMONY_THREADS`), still bitwise identical. Without WebAssembly SIMD everything stays on the
 * scalar kernels.
 *
 * @module
 */

import { wasmGemm } from "./_gemm_wasm.ts";

/**
 * C ← α·op(A)·op(B) + β·C with op(A) m×k and op(B) k×n, all row-major; inputs trusted.
 *
 * Storage: A is m×k (k×m when `transA`), B is k×n (n×k when `transB`), C is m×n.
 * β = 0 overwrites C (its old contents, even NaN, are ignored), as in BLAS.
 *
 * @param transA use Aᵀ
 * @param transB use Bᵀ
 * @param m rows of C
 * @param n columns of C
 * @param k inner dimension
 * @param alpha scale of the product
 * @param a storage of A
 * @param b storage of B
 * @param beta scale of the old C
 * @param c storage of C, written in place
 * @example
 * ```ts
 * import { gemmUnchecked } from "@parsimony/parsimony/core";
 * const c = new Float64Array(1);
 * gemmUnchecked(false, true, 1, 1, 2, 1, new Float64Array([1, 2]), new Float64Array([3, 4]), 0, c);
 * c[0]; // => 11
 * ```
 */
export function gemmUnchecked(
  transA: boolean,
  transB: boolean,
  m: number,
  n: number,
  k: number,
  alpha: number,
  a: Float64Array,
  b: Float64Array,
  beta: number,
  c: Float64Array,
): void {
  if (
    wasmGemm !== null && m * n * k >= WASM_MIN_WORK && m >= 4 && n >= 4 &&
    wasmGemm.gemm(transA, transB, m, n, k, alpha, a, b, beta, c)
  ) return;
  // strides of A(i,p) and B(p,j) in their storage
  const sai = transA ? 1 : k, sap = transA ? m : 1;
  const sbp = transB ? 1 : n, sbj = transB ? k : 1;
  const m2 = m - (m % 2), n4 = n - (n % 4);
  if (!transA && !transB) nn(m2, n4, n, k, alpha, a, b, beta, c);
  else if (!transA && transB) nt(m2, n4, n, k, alpha, a, b, beta, c);
  else if (transA && !transB) tn(m2, n4, m, n, alpha, k, a, b, beta, c);
  else strided(0, m2, 0, n4, n, k, alpha, a, sai, sap, b, sbp, sbj, beta, c);
  // edges: the last odd row and the last n mod 4 columns
  if (n4 < n) strided(0, m, n4, n, n, k, alpha, a, sai, sap, b, sbp, sbj, beta, c);
  if (m2 < m) strided(m2, m, 0, n4, n, k, alpha, a, sai, sap, b, sbp, sbj, beta, c);
}

/** Below this many multiply-adds the copies into WebAssembly memory cost more than SIMD saves. */
const WASM_MIN_WORK = 4096;

/** Write one 2×4 tile: C = α·acc + β·C (β = 0 ignores the old C). */
function store(
  c: Float64Array,
  o0: number,
  o1: number,
  alpha: number,
  beta: number,
  c00: number,
  c01: number,
  c02: number,
  c03: number,
  c10: number,
  c11: number,
  c12: number,
  c13: number,
): void {
  if (beta === 0) {
    c[o0] = alpha * c00, c[o0 + 1] = alpha * c01, c[o0 + 2] = alpha * c02, c[o0 + 3] = alpha * c03;
    c[o1] = alpha * c10, c[o1 + 1] = alpha * c11, c[o1 + 2] = alpha * c12, c[o1 + 3] = alpha * c13;
  } else {
    c[o0] = beta * c[o0] + alpha * c00, c[o0 + 1] = beta * c[o0 + 1] + alpha * c01;
    c[o0 + 2] = beta * c[o0 + 2] + alpha * c02, c[o0 + 3] = beta * c[o0 + 3] + alpha * c03;
    c[o1] = beta * c[o1] + alpha * c10, c[o1 + 1] = beta * c[o1 + 1] + alpha * c11;
    c[o1 + 2] = beta * c[o1 + 2] + alpha * c12, c[o1 + 3] = beta * c[o1 + 3] + alpha * c13;
  }
}

/** A·B: A m×k, B k×n; tiles of rows [0, m2) × columns [0, n4). */
function nn(
  m2: number,
  n4: number,
  n: number,
  k: number,
  alpha: number,
  a: Float64Array,
  b: Float64Array,
  beta: number,
  c: Float64Array,
): void {
  for (let i = 0; i < m2; i += 2) {
    const a0 = i * k, a1 = a0 + k;
    for (let j = 0; j < n4; j += 4) {
      let c00 = 0, c01 = 0, c02 = 0, c03 = 0, c10 = 0, c11 = 0, c12 = 0, c13 = 0;
      for (let p = 0, q = j; p < k; p++, q += n) {
        const b0 = b[q], b1 = b[q + 1], b2 = b[q + 2], b3 = b[q + 3];
        const x = a[a0 + p], y = a[a1 + p];
        c00 += x * b0, c01 += x * b1, c02 += x * b2, c03 += x * b3;
        c10 += y * b0, c11 += y * b1, c12 += y * b2, c13 += y * b3;
      }
      store(c, i * n + j, i * n + n + j, alpha, beta, c00, c01, c02, c03, c10, c11, c12, c13);
    }
  }
}

/** A·Bᵀ: A m×k, B n×k (row-dot-row, both contiguous along k). */
function nt(
  m2: number,
  n4: number,
  n: number,
  k: number,
  alpha: number,
  a: Float64Array,
  b: Float64Array,
  beta: number,
  c: Float64Array,
): void {
  for (let i = 0; i < m2; i += 2) {
    const a0 = i * k, a1 = a0 + k;
    for (let j = 0; j < n4; j += 4) {
      const q0 = j * k, q1 = q0 + k, q2 = q1 + k, q3 = q2 + k;
      let c00 = 0, c01 = 0, c02 = 0, c03 = 0, c10 = 0, c11 = 0, c12 = 0, c13 = 0;
      for (let p = 0; p < k; p++) {
        const b0 = b[q0 + p], b1 = b[q1 + p], b2 = b[q2 + p], b3 = b[q3 + p];
        const x = a[a0 + p], y = a[a1 + p];
        c00 += x * b0, c01 += x * b1, c02 += x * b2, c03 += x * b3;
        c10 += y * b0, c11 += y * b1, c12 += y * b2, c13 += y * b3;
      }
      store(c, i * n + j, i * n + n + j, alpha, beta, c00, c01, c02, c03, c10, c11, c12, c13);
    }
  }
}

/** Aᵀ·B: A k×m, B k×n (both walked row by row along p). */
function tn(
  m2: number,
  n4: number,
  m: number,
  n: number,
  alpha: number,
  k: number,
  a: Float64Array,
  b: Float64Array,
  beta: number,
  c: Float64Array,
): void {
  for (let i = 0; i < m2; i += 2) {
    for (let j = 0; j < n4; j += 4) {
      let c00 = 0, c01 = 0, c02 = 0, c03 = 0, c10 = 0, c11 = 0, c12 = 0, c13 = 0;
      for (let p = 0, pa = i, q = j; p < k; p++, pa += m, q += n) {
        const b0 = b[q], b1 = b[q + 1], b2 = b[q + 2], b3 = b[q + 3];
        const x = a[pa], y = a[pa + 1];
        c00 += x * b0, c01 += x * b1, c02 += x * b2, c03 += x * b3;
        c10 += y * b0, c11 += y * b1, c12 += y * b2, c13 += y * b3;
      }
      store(c, i * n + j, i * n + n + j, alpha, beta, c00, c01, c02, c03, c10, c11, c12, c13);
    }
  }
}

/** Any layout, one entry at a time, over rows [i0, i1) × columns [j0, j1). */
function strided(
  i0: number,
  i1: number,
  j0: number,
  j1: number,
  n: number,
  k: number,
  alpha: number,
  a: Float64Array,
  sai: number,
  sap: number,
  b: Float64Array,
  sbp: number,
  sbj: number,
  beta: number,
  c: Float64Array,
): void {
  for (let i = i0; i < i1; i++) {
    for (let j = j0; j < j1; j++) {
      let s = 0;
      for (let p = 0, pa = i * sai, pb = j * sbj; p < k; p++, pa += sap, pb += sbp) s += a[pa] * b[pb];
      const o = i * n + j;
      c[o] = beta === 0 ? alpha * s : beta * c[o] + alpha * s;
    }
  }
}
