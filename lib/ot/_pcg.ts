/**
 * Jacobi-preconditioned conjugate gradients on the SNS Newton system (method card A3, step 6):
 *
 *   H̃ d = g,   H̃ = [[diag(r), P̃], [P̃ᵀ, diag(c)]]
 *
 * with r, c the row and column sums of the FULL plan (exact diagonal) and P̃ the CSR
 * sparsified plan. The mat-vec is one pass over the nnz entries: O(nnz + n + m).
 * (In the card's unscaled variables the system reads η·H̃ d = ∇f; with scaled potentials
 * u = ηx the factor η disappears.)
 *
 * @module
 */

/** Reusable PCG buffers for n + m unknowns. */
export class PcgWorkspace {
  readonly res: Float64Array;
  readonly z: Float64Array;
  readonly p: Float64Array;
  readonly q: Float64Array;
  readonly dinv: Float64Array;
  /** `alloc`: where the vectors live (kernel memory for a kernel mat-vec). */
  constructor(size: number, alloc: (len: number) => Float64Array = (len) => new Float64Array(len)) {
    this.res = alloc(size);
    this.z = alloc(size);
    this.p = alloc(size);
    this.q = alloc(size);
    this.dinv = alloc(size);
  }
}

/**
 * out = H̃ w for w = (w₁ ∈ ℝⁿ, w₂ ∈ ℝᵐ): out₁ = r⊙w₁ + P̃w₂, out₂ = P̃ᵀw₁ + c⊙w₂.
 */
export function hessVec(
  n: number,
  m: number,
  rowPtr: Int32Array,
  colIdx: Int32Array,
  val: Float64Array,
  r: Float64Array,
  c: Float64Array,
  w: Float64Array,
  out: Float64Array,
): void {
  for (let j = 0; j < m; j++) out[n + j] = c[j] * w[n + j];
  for (let i = 0; i < n; i++) {
    const wi = w[i];
    let s = r[i] * wi;
    for (let k = rowPtr[i], e = rowPtr[i + 1]; k < e; k++) {
      const j = n + colIdx[k], x = val[k];
      s += x * w[j];
      out[j] += x * wi;
    }
    out[i] = s;
  }
}

/**
 * Solve H̃ d = g by Jacobi PCG from d = 0; stops when ‖res‖₂ ≤ rtol·‖g‖₂ or after maxIter.
 * `apply(w, out)` replaces {@linkcode hessVec} (the blocked, multi-threaded kernel operator of
 * lib/ot/_simd.ts for problems of several row blocks; `ws` then lives in kernel memory).
 *
 * @returns CG iterations used
 */
export function pcg(
  n: number,
  m: number,
  rowPtr: Int32Array,
  colIdx: Int32Array,
  val: Float64Array,
  r: Float64Array,
  c: Float64Array,
  g: Float64Array,
  d: Float64Array,
  ws: PcgWorkspace,
  rtol: number,
  maxIter: number,
  apply?: (w: Float64Array, out: Float64Array) => void,
): number {
  const N = n + m;
  const { res, z, p, q, dinv } = ws;
  for (let i = 0; i < n; i++) dinv[i] = r[i] > 0 ? 1 / r[i] : 1;
  for (let j = 0; j < m; j++) dinv[n + j] = c[j] > 0 ? 1 / c[j] : 1;
  let gg = 0;
  for (let k = 0; k < N; k++) {
    d[k] = 0;
    res[k] = g[k];
    gg += g[k] * g[k];
    z[k] = dinv[k] * g[k];
    p[k] = z[k];
  }
  const stop2 = rtol * rtol * gg;
  let rz = 0;
  for (let k = 0; k < N; k++) rz += res[k] * z[k];
  let it = 0;
  while (it < maxIter) {
    if (apply) apply(p, q);
    else hessVec(n, m, rowPtr, colIdx, val, r, c, p, q);
    let pq = 0;
    for (let k = 0; k < N; k++) pq += p[k] * q[k];
    if (!(pq > 0)) break; // numerically singular direction: keep the current iterate
    const alpha = rz / pq;
    let rr = 0;
    for (let k = 0; k < N; k++) {
      d[k] += alpha * p[k];
      res[k] -= alpha * q[k];
      rr += res[k] * res[k];
    }
    it++;
    if (rr <= stop2) break;
    let rzNew = 0;
    for (let k = 0; k < N; k++) {
      z[k] = dinv[k] * res[k];
      rzNew += res[k] * z[k];
    }
    const beta = rzNew / rz;
    rz = rzNew;
    for (let k = 0; k < N; k++) p[k] = z[k] + beta * p[k];
  }
  return it;
}
