/**
 * Sparsification of the plan for the SNS Hessian (method card A3, step 5): which off-diagonal
 * entries P̃ ⊂ P the Newton system keeps. The diagonal of H̃ (row and column sums of the
 * full P) is always exact, so H̃ ⪰ 0 and H̃ ≻ 0 once every row and column dropped some mass.
 *
 * Rules (all O(nm) in one pass over P, no full sort):
 * - `"top"` (card rule A, the paper's thresholding): the k largest entries of P (min-heap);
 * - `"mass"` (card rule B, SSNS-style): per row, the fewest largest entries whose kept mass is
 *   ≥ (1 − δ)·rowsum, likewise per column; the union of both;
 * - `"union"` (card rule C, default): `"top"` ∪ `"mass"`.
 *
 * Row/column candidates: an entry ≤ δ·rowsum/m can always be dropped together with all its
 * peers (they hold ≤ δ·rowsum), so only entries above that level are sorted.
 *
 * For problems of several row blocks (lib/ot/_simd.ts) the O(nm) scan — row rule, column
 * candidates, top-k heaps per block — runs as a blocked wasm kernel on the solver's threads; the
 * column rule, the merge of the block heaps (in block order) and the CSR stay here. Same marks as
 * the single scan except, possibly, which of several equal values at the top-k threshold is kept.
 *
 * @module
 */

import type { SparsifyScan } from "./_simd.ts";

/** Sparsification rule names (card rules A, B, C). */
export type SparsityRule = "top" | "mass" | "union";

/** Reusable buffers and the CSR result of {@linkcode sparsify}. */
export class SparseWorkspace {
  readonly n: number;
  readonly m: number;
  /** CSR row pointers (length n + 1). */
  rowPtr: Int32Array;
  /** CSR column indices (first `nnz` valid). */
  colIdx: Int32Array;
  /** CSR values (first `nnz` valid). */
  val: Float64Array;
  /** Number of stored entries. */
  nnz = 0;
  #mark: Uint8Array;
  #mark32: Uint32Array;
  #colVal: Float64Array;
  #colSortedVal: Float64Array;
  #cv: Float64Array;
  #ci: Int32Array;
  #colList: Int32Array;
  #colJ: Int32Array;
  #colLen = 0;
  #colCount: Int32Array;
  #colStart: Int32Array;
  #colSorted: Int32Array;
  #thetaCol: Float64Array;
  #heapV: Float64Array;
  #heapI: Int32Array;
  #scan: SparsifyScan | null;

  /** `scan`: the blocked kernel scan (its marks live in kernel memory), or null for the TS scan. */
  constructor(n: number, m: number, scan: SparsifyScan | null = null) {
    this.#scan = scan;
    this.n = n;
    this.m = m;
    this.rowPtr = new Int32Array(n + 1);
    const cap0 = Math.min(n * m, 16 * (n + m));
    this.colIdx = new Int32Array(cap0);
    this.val = new Float64Array(cap0);
    if (scan !== null) {
      this.#mark = scan.mark;
      // the kernel allocation is padded to 8 bytes: the word view covers every entry
      this.#mark32 = new Uint32Array(scan.mark.buffer, scan.mark.byteOffset, Math.ceil((n * m) / 4));
    } else {
      this.#mark32 = new Uint32Array(Math.ceil((n * m) / 4));
      this.#mark = new Uint8Array(this.#mark32.buffer);
    }
    this.#cv = new Float64Array(Math.max(n, m));
    this.#ci = new Int32Array(Math.max(n, m));
    this.#colList = new Int32Array(cap0);
    this.#colJ = new Int32Array(cap0);
    this.#colVal = new Float64Array(cap0);
    this.#colSortedVal = new Float64Array(cap0);
    this.#colCount = new Int32Array(m);
    this.#colStart = new Int32Array(m + 1);
    this.#colSorted = new Int32Array(cap0);
    this.#thetaCol = new Float64Array(m);
    this.#heapV = new Float64Array(0);
    this.#heapI = new Int32Array(0);
  }

  /**
   * Select P̃ from the plan P (row-major n×m) with its row and column sums; fills the CSR.
   *
   * @param keep number of largest entries for rules `"top"`/`"union"`
   * @param delta dropped-mass fraction per row/column for rules `"mass"`/`"union"`
   * @returns nnz(P̃)
   */
  sparsify(
    P: Float64Array,
    rowSum: Float64Array,
    colSum: Float64Array,
    rule: SparsityRule,
    keep: number,
    delta: number,
  ): number {
    const { n, m } = this;
    const useTop = rule !== "mass", useMass = rule !== "top";
    const k = useTop ? Math.max(1, Math.min(keep, n * m)) : 0;
    if (useTop && this.#heapV.length !== k) {
      this.#heapV = new Float64Array(k);
      this.#heapI = new Int32Array(k);
    }
    const hi = this.#heapI;
    let hlen: number;
    const scan = this.#scan !== null && k <= this.#scan.kCap ? this.#scan : null;
    const thetaCol = scan !== null ? scan.thetaCol : this.#thetaCol;
    if (useMass) { for (let j = 0; j < m; j++) thetaCol[j] = colSum[j] > 0 ? (delta * colSum[j]) / n : Infinity; }
    else thetaCol.fill(Infinity);
    if (scan !== null) {
      hlen = this.#kernelScan(scan, P, rowSum, delta, useMass, useTop, k);
    } else hlen = this.#scanRows(P, rowSum, useMass, useTop, k, delta, thetaCol);
    const mark = this.#mark;
    if (useTop) { for (let q = 0; q < hlen; q++) mark[hi[q]] = 1; }
    if (scan === null) {
      if (useMass) this.#columns(colSum, delta);
      if (this.#scan !== null && this.colIdx === this.#scan.colIdx) this.#plainCsr();
      return this.#csr(P);
    }
    // several row blocks: column rule and CSR as blocked kernels, the CSR in kernel memory
    if (useMass) scan.columns(P, colSum, delta);
    const nnz = scan.csr(P);
    if (nnz >= 0) {
      this.rowPtr = scan.rowPtr;
      this.colIdx = scan.colIdx;
      this.val = scan.val;
      this.nnz = nnz;
      return nnz;
    }
    // denser than the kernel CSR's capacity: build it here, in ordinary arrays
    if (this.colIdx === scan.colIdx) this.#plainCsr();
    return this.#csr(P);
  }

  /** Ordinary (growable) CSR arrays in place of the kernel's. */
  #plainCsr(): void {
    const { n, m } = this;
    this.rowPtr = new Int32Array(n + 1);
    this.colIdx = new Int32Array(Math.min(n * m, 16 * (n + m)));
    this.val = new Float64Array(this.colIdx.length);
  }

  /** The blocked kernel scan (row rule, column-candidate bits), then the merge of its block heaps (block order) into the top-k heap. */
  #kernelScan(
    scan: SparsifyScan,
    P: Float64Array,
    rowSum: Float64Array,
    delta: number,
    useMass: boolean,
    useTop: boolean,
    k: number,
  ): number {
    scan.run(P, rowSum, delta, useMass, useTop, k);
    const hv = this.#heapV, hi = this.#heapI;
    let hlen = 0;
    if (useTop) {
      let hmin = -Infinity;
      const sv = scan.heapV, si = scan.heapI;
      for (let b = 0; b < scan.blocks; b++) {
        for (let q = b * k, e = q + scan.heapLength(b); q < e; q++) {
          const x = sv[q];
          if (!(x > hmin)) continue;
          if (hlen < k) {
            hlen = heapPush(hv, hi, hlen, x, si[q]);
            if (hlen === k) hmin = hv[0];
          } else {
            siftDown(hv, hi, k, x, si[q]);
            hmin = hv[0];
          }
        }
      }
    }
    return hlen;
  }

  /** The single O(nm) scan: row rule (marks), column candidates, top-k heap; returns the heap length. */
  #scanRows(
    P: Float64Array,
    rowSum: Float64Array,
    useMass: boolean,
    useTop: boolean,
    k: number,
    delta: number,
    thetaCol: Float64Array,
  ): number {
    const { n, m } = this;
    const hv = this.#heapV, hi = this.#heapI;
    let hlen = 0;
    const cv = this.#cv, ci = this.#ci, mark = this.#mark;
    // Column candidates (entries above their column's mass-rule level) with their values, so the
    // column pass never reads P again. Capacity is ensured per row, not per entry.
    let colList = this.#colList, colJ = this.#colJ, colVal = this.#colVal, colLen = 0;
    // hmin: smallest value the top-k heap still takes (−∞ until it holds k entries)
    let hmin = useTop ? -Infinity : Infinity;
    for (let i = 0; i < n; i++) {
      const o = i * m;
      const rs = rowSum[i];
      const budget = delta * rs;
      const thetaRow = useMass && rs > 0 ? budget / m : Infinity;
      if (colLen + m > colList.length) {
        colList = this.#colList = grow(colList, n * m, colLen + m);
        colJ = this.#colJ = grow(colJ, n * m, colLen + m);
        colVal = this.#colVal = growF(colVal, n * m, colLen + m);
      }
      let nc = 0, dropped = 0;
      for (let j = 0; j < m; j++) {
        const x = P[o + j];
        if (x > thetaRow) {
          cv[nc] = x;
          ci[nc++] = j;
        } else dropped += x;
        if (x > thetaCol[j]) {
          colList[colLen] = o + j;
          colVal[colLen] = x;
          colJ[colLen++] = j;
        }
        if (x > hmin) {
          if (hlen < k) {
            hlen = heapPush(hv, hi, hlen, x, o + j);
            if (hlen === k) hmin = hv[0];
          } else {
            siftDown(hv, hi, k, x, o + j);
            hmin = hv[0];
          }
        }
      }
      if (useMass && nc > 0) {
        const cut = dropCut(cv, nc, budget - dropped);
        for (let q = 0; q < nc; q++) if (P[o + ci[q]] >= cut) mark[o + ci[q]] = 1;
      }
    }
    this.#colLen = colLen;
    return hlen;
  }

  /** CSR in row-major order by scanning the marks (no sort; four at a time through a 32-bit view), clearing them. */
  #csr(P: Float64Array): number {
    const { n, m } = this;
    const mark = this.#mark;
    const rowPtr = this.rowPtr, mark32 = this.#mark32;
    let nnz = 0, row = 0, rowStart = 0;
    rowPtr[0] = 0;
    for (let w = 0; w < mark32.length; w++) {
      if (mark32[w] === 0) continue;
      for (let q = 4 * w, e = q + 4; q < e; q++) {
        if (mark[q] === 0) continue;
        mark[q] = 0;
        while (q >= rowStart + m) {
          rowPtr[++row] = nnz;
          rowStart += m;
        }
        if (nnz === this.colIdx.length) {
          this.colIdx = grow(this.colIdx, n * m, nnz + 1);
          const v = new Float64Array(this.colIdx.length);
          v.set(this.val);
          this.val = v;
        }
        this.colIdx[nnz] = q - rowStart;
        this.val[nnz++] = P[q];
      }
    }
    while (row < n) rowPtr[++row] = nnz;
    this.nnz = nnz;
    return nnz;
  }

  /**
   * Reuse the current pattern with the new plan's values (O(nnz + n + m) instead of O(nm)) when it
   * still satisfies the mass rule at level `delta`: every row and column keeps ≥ (1 − δ) of its sum
   * (the SNS caller checks 2δ for a pattern built with δ). Near the
   * solution consecutive Newton plans differ by factors e^{α(du_i + dv_j)} ≈ 1, so the pattern
   * rarely changes [ours]. Returns false (pattern untouched but values stale) when a row or column
   * fails; the caller then runs {@linkcode SparseWorkspace.sparsify}.
   */
  refresh(P: Float64Array, rowSum: Float64Array, colSum: Float64Array, delta: number): boolean {
    const { n, m, rowPtr, colIdx, val } = this;
    if (this.nnz === 0) return false;
    const colKept = this.#thetaCol; // scratch (length m)
    colKept.fill(0);
    const slack = 1 - 1e-12;
    for (let i = 0; i < n; i++) {
      const o = i * m;
      let kept = 0;
      for (let k = rowPtr[i], e = rowPtr[i + 1]; k < e; k++) {
        const x = P[o + colIdx[k]];
        val[k] = x;
        kept += x;
        colKept[colIdx[k]] += x;
      }
      if (kept < (1 - delta) * rowSum[i] * slack) return false;
    }
    for (let j = 0; j < m; j++) if (colKept[j] < (1 - delta) * colSum[j] * slack) return false;
    return true;
  }

  #columns(colSum: Float64Array, delta: number): void {
    const { m } = this;
    const count = this.#colCount, start = this.#colStart;
    count.fill(0);
    const L = this.#colLen, cl = this.#colList, cj = this.#colJ, cval = this.#colVal, mark = this.#mark;
    for (let q = 0; q < L; q++) count[cj[q]]++;
    start[0] = 0;
    for (let j = 0; j < m; j++) start[j + 1] = start[j] + count[j];
    if (this.#colSorted.length < L) {
      this.#colSorted = new Int32Array(L + (L >> 1));
      this.#colSortedVal = new Float64Array(L + (L >> 1));
    }
    const sorted = this.#colSorted, sortedVal = this.#colSortedVal;
    count.fill(0);
    for (let q = 0; q < L; q++) {
      const j = cj[q], t = start[j] + count[j]++;
      sorted[t] = cl[q];
      sortedVal[t] = cval[q];
    }
    const cv = this.#cv;
    for (let j = 0; j < m; j++) {
      const s = start[j], e = start[j + 1];
      if (e === s) continue;
      let kept = 0;
      for (let q = s; q < e; q++) {
        cv[q - s] = sortedVal[q];
        kept += cv[q - s];
      }
      const budget = delta * colSum[j];
      const dropped = Math.max(0, colSum[j] - kept);
      const cut = dropCut(cv, e - s, budget - dropped);
      for (let q = s; q < e; q++) if (sortedVal[q] >= cut) mark[sorted[q]] = 1;
    }
  }
}

/**
 * Smallest value still kept among the `nc` candidates in `cv` when the smallest ones may be
 * dropped while their total stays ≤ `room`. Permutes `cv[0..nc)` (callers compare against the
 * plan, not against `cv`). Returns +∞ when every candidate may be dropped.
 */
function dropCut(cv: Float64Array, nc: number, room: number): number {
  if (!(room > 0)) return -Infinity;
  // Only values ≤ room can be dropped at all; move them to the front and sort just those.
  let q = 0, minAbove = Infinity;
  for (let k = 0; k < nc; k++) {
    const x = cv[k];
    if (x <= room) {
      cv[k] = cv[q];
      cv[q++] = x;
    } else if (x < minAbove) minAbove = x;
  }
  if (q === 0) return -Infinity;
  const s = cv.subarray(0, q);
  s.sort();
  let acc = 0, t = 0;
  while (t < q && acc + s[t] <= room) acc += s[t++];
  // Keep values ≥ the first value that did not fit; ties with dropped values are kept too
  // (keeping more never violates the mass budget). All values > room are kept.
  return t < q ? s[t] : minAbove;
}

/** Sift-up insertion into a min-heap of length `len` (< capacity); returns the new length. */
function heapPush(hv: Float64Array, hi: Int32Array, len: number, x: number, idx: number): number {
  let c = len;
  while (c > 0) {
    const par = (c - 1) >> 1;
    if (hv[par] <= x) break;
    hv[c] = hv[par];
    hi[c] = hi[par];
    c = par;
  }
  hv[c] = x;
  hi[c] = idx;
  return len + 1;
}

function siftDown(hv: Float64Array, hi: Int32Array, k: number, x: number, idx: number): void {
  let c = 0;
  for (;;) {
    const l = 2 * c + 1;
    if (l >= k) break;
    const r = l + 1;
    const s = r < k && hv[r] < hv[l] ? r : l;
    if (hv[s] >= x) break;
    hv[c] = hv[s];
    hi[c] = hi[s];
    c = s;
  }
  hv[c] = x;
  hi[c] = idx;
}

function grow(x: Int32Array, cap: number, need = 0): Int32Array {
  const y = new Int32Array(Math.min(cap, Math.max(16, x.length * 2, need)));
  y.set(x);
  return y;
}

function growF(x: Float64Array, cap: number, need: number): Float64Array {
  const y = new Float64Array(Math.min(cap, Math.max(16, x.length * 2, need)));
  y.set(x);
  return y;
}

/**
 * Mass of P outside its k largest entries, relative to ΣP: ε_λ(P)/ΣP of card §1 (k = ⌈λ·nm⌉).
 * Used by the adaptive Sinkhorn → Newton switch.
 */
export function tailMass(P: Float64Array, total: number, k: number, heapV: Float64Array, heapI: Int32Array): number {
  const kk = Math.min(k, P.length, heapV.length);
  let hlen = 0;
  for (let q = 0; q < P.length; q++) {
    const x = P[q];
    if (hlen < kk) {
      let c = hlen++;
      while (c > 0) {
        const par = (c - 1) >> 1;
        if (heapV[par] <= x) break;
        heapV[c] = heapV[par];
        c = par;
      }
      heapV[c] = x;
    } else if (x > heapV[0]) siftDown(heapV, heapI, kk, x, q);
  }
  let top = 0;
  for (let q = 0; q < hlen; q++) top += heapV[q];
  return Math.max(0, total - top) / total;
}
