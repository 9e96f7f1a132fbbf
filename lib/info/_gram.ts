/**
 * Streamed Gaussian-Gram row reductions on the CPU (f64 reference of the WGSL Gram-row kernels):
 * every Cauchy–Schwarz statistic needs only row sums and Hadamard-product row sums, so the Gram
 * matrices are built one block of rows at a time with lib/core's `pairwiseSqDist`/`gaussianGram`
 * and reduced at once; memory is O(block·N), never N×N. Private to lib/info.
 *
 * @module
 */

import { gaussianGram, pairwiseSqDist } from "../core/blas.ts";
import type { Matrix } from "../core/matrix.ts";
import { logSumExp, lseStrided } from "../core/reduce.ts";

/** Rows per block so that one block holds about 2^18 entries (2 MiB of f64). */
export function blockRows(n: number): number {
  return Math.max(1, Math.min(n, Math.floor((1 << 18) / Math.max(1, n))));
}

/** Row statistics of K = κ_σx(X, X) and Q = κ_σt(T, T). */
export interface PairRowStats {
  /** kr_i = Σ_j K_ij. */
  readonly kr: Float64Array;
  /** qr_i = Σ_j Q_ij. */
  readonly qr: Float64Array;
  /** h_i = Σ_j K_ij Q_ij. */
  readonly h: Float64Array;
}

/** kr, qr and h for the CS-QMI estimator (card A2), streamed in row blocks. */
export function pairRowStats(X: Matrix, sx: number, T: Matrix, st: number): PairRowStats {
  const n = X.rows;
  const kr = new Float64Array(n), qr = new Float64Array(n), h = new Float64Array(n);
  const b = blockRows(n);
  for (let i0 = 0; i0 < n; i0 += b) {
    const i1 = Math.min(n, i0 + b);
    const K = gaussianGram(X.rowBlock(i0, i1), sx, X).data;
    const Q = gaussianGram(T.rowBlock(i0, i1), st, T).data;
    for (let r = 0; r < i1 - i0; r++) {
      let sk = 0, sq = 0, sh = 0;
      const o = r * n;
      for (let j = 0; j < n; j++) {
        const k = K[o + j], q = Q[o + j];
        sk += k;
        sq += q;
        sh += k * q;
      }
      kr[i0 + r] = sk;
      qr[i0 + r] = sq;
      h[i0 + r] = sh;
    }
  }
  return { kr, qr, h };
}

/** log Σ_i Σ_j exp(−‖a_i − b_j‖² / (2σ²)), accumulated in the log domain (no underflow to log 0). */
export function logGramSum(A: Matrix, B: Matrix, sigma: number): number {
  const n = A.rows, m = B.rows;
  const s = -1 / (2 * sigma * sigma);
  const b = blockRows(m);
  const parts: number[] = [];
  for (let i0 = 0; i0 < n; i0 += b) {
    const i1 = Math.min(n, i0 + b);
    const D = pairwiseSqDist(A.rowBlock(i0, i1), B).data;
    for (let p = 0; p < D.length; p++) D[p] *= s;
    parts.push(lseStrided(D, 0, D.length, 1));
  }
  return logSumExp(parts);
}

/** Per-row log Σ_j exp(−‖a_i − b_j‖² / (2σ²)) (f64 twin of the `gramRowLse` kernel). */
export function logGramRowSums(A: Matrix, B: Matrix, sigma: number): Float64Array {
  const n = A.rows, m = B.rows;
  const s = -1 / (2 * sigma * sigma);
  const out = new Float64Array(n);
  const b = blockRows(m);
  for (let i0 = 0; i0 < n; i0 += b) {
    const i1 = Math.min(n, i0 + b);
    const D = pairwiseSqDist(A.rowBlock(i0, i1), B).data;
    for (let p = 0; p < D.length; p++) D[p] *= s;
    for (let r = 0; r < i1 - i0; r++) out[i0 + r] = lseStrided(D, r * m, m, 1);
  }
  return out;
}

/**
 * Per-row log-domain sums for the conditional CS divergence (card A3), row j of
 * K = κ_σx(X, X), L = κ_σy(Y, Y), L̂ = κ_σy(Ŷ, Ŷ), L× = κ_σy(Ŷ, Y):
 * logS_j = log Σ_i K_ji, logS2_j = log Σ_i K_ji², logA_j = log Σ_i K_ji L_ji,
 * logB_j = log Σ_i K_ji L̂_ji, logC_j = log Σ_i K_ji L×_ji.
 */
export interface ConditionalRowStats {
  readonly logS: Float64Array;
  readonly logS2: Float64Array;
  readonly logA: Float64Array;
  readonly logB: Float64Array;
  readonly logC: Float64Array;
}

/** Row statistics of the conditional CS divergence, streamed in blocks, every sum in the log domain. */
export function conditionalRowStats(X: Matrix, sx: number, Y: Matrix, Yh: Matrix, sy: number): ConditionalRowStats {
  const n = X.rows;
  const out = {
    logS: new Float64Array(n),
    logS2: new Float64Array(n),
    logA: new Float64Array(n),
    logB: new Float64Array(n),
    logC: new Float64Array(n),
  };
  const cx = -1 / (2 * sx * sx), cy = -1 / (2 * sy * sy);
  const b = blockRows(n);
  const tmp = new Float64Array(n);
  for (let i0 = 0; i0 < n; i0 += b) {
    const i1 = Math.min(n, i0 + b);
    const Dx = pairwiseSqDist(X.rowBlock(i0, i1), X).data;
    const Dy = pairwiseSqDist(Y.rowBlock(i0, i1), Y).data;
    const Dh = pairwiseSqDist(Yh.rowBlock(i0, i1), Yh).data;
    const Dc = pairwiseSqDist(Yh.rowBlock(i0, i1), Y).data;
    for (let r = 0; r < i1 - i0; r++) {
      const o = r * n, j = i0 + r;
      for (let i = 0; i < n; i++) tmp[i] = cx * Dx[o + i];
      out.logS[j] = lseStrided(tmp, 0, n, 1);
      for (let i = 0; i < n; i++) tmp[i] = 2 * cx * Dx[o + i];
      out.logS2[j] = lseStrided(tmp, 0, n, 1);
      for (let i = 0; i < n; i++) tmp[i] = cx * Dx[o + i] + cy * Dy[o + i];
      out.logA[j] = lseStrided(tmp, 0, n, 1);
      for (let i = 0; i < n; i++) tmp[i] = cx * Dx[o + i] + cy * Dh[o + i];
      out.logB[j] = lseStrided(tmp, 0, n, 1);
      for (let i = 0; i < n; i++) tmp[i] = cx * Dx[o + i] + cy * Dc[o + i];
      out.logC[j] = lseStrided(tmp, 0, n, 1);
    }
  }
  return out;
}
