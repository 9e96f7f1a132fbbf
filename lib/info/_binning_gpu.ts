/**
 * Host side of the GPU binning kernels (`kernels/info/binning.ts`): 64-bit order-preserving keys of
 * f64 values, the exact step points of equal-width bins, the kernel's twin, and the symbol tables the
 * CPU path would build, recovered from the histogram and each cell's first row. Private to lib/info.
 *
 * Exactness: the kernels compare keys, which order exactly like the f64 values (−0 = +0), so a value's
 * bin is the CPU's whatever its distance to an edge. Equal-width bins use the CPU's formula
 * b(v) = min(B − 1, ⌊((v − lo)/w)·B⌋); every f64 operation in it is monotone, so b is a non-decreasing
 * step function of v and b(v) ≥ m ⇔ v ≥ t_m, with t_m the smallest f64 where the formula reaches m.
 * {@linkcode uniformStepEdges} finds each t_m by bisection over the 64-bit keys, and counting the t_m
 * ≤ v gives b(v) exactly.
 *
 * @module
 */

import { uniformCode } from "./_binning.ts";

const F64 = new Float64Array(1);
const W = new Uint32Array(F64.buffer);
const LITTLE = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
const LO = LITTLE ? 0 : 1, HI = LITTLE ? 1 : 0;
const B64 = new BigUint64Array(F64.buffer);
const TOP = 1n << 63n, MASK = (1n << 64n) - 1n;

/** Write the order-preserving key of each value as (hi, lo) u32 words into `out` at `2·i`. */
export function keysInto(values: ArrayLike<number>, out: Uint32Array, offset = 0): void {
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    F64[0] = v === 0 ? 0 : v;
    const hi = W[HI], lo = W[LO];
    const o = offset + 2 * i;
    if (hi >>> 31) {
      out[o] = ~hi >>> 0;
      out[o + 1] = ~lo >>> 0;
    } else {
      out[o] = (hi | 0x80000000) >>> 0;
      out[o + 1] = lo;
    }
  }
}

/** Keys of a vector, 2 words per value. */
export function keysOf(values: ArrayLike<number>): Uint32Array {
  const out = new Uint32Array(2 * values.length);
  keysInto(values, out);
  return out;
}

function key(v: number): bigint {
  F64[0] = v === 0 ? 0 : v;
  const b = B64[0];
  return b & TOP ? ~b & MASK : b | TOP;
}

function unkey(k: bigint): number {
  B64[0] = k & TOP ? k ^ TOP : ~k & MASK;
  return F64[0];
}

/**
 * Step points t_1 < … < t_{B−1} of the equal-width bins on [lo, lo + w] (w > 0): t_m = the smallest f64
 * v ≥ lo with min(B − 1, ⌊((v − lo)/w)·B⌋) ≥ m (module doc). Repeated points (several steps at one v)
 * are kept, so #{m : t_m ≤ v} is the bin.
 */
export function uniformStepEdges(lo: number, hi: number, bins: number): Float64Array {
  const w = hi - lo;
  const out = new Float64Array(Math.max(0, bins - 1));
  if (!(w > 0)) return new Float64Array(0);
  const kLo = key(lo), kHi = key(hi);
  for (let m = 1; m < bins; m++) {
    // invariant: code(unkey(a)) < m ≤ code(unkey(b)); code(lo) = 0, code(hi) = B − 1
    let a = kLo, b = kHi;
    while (b - a > 1n) {
      const mid = (a + b) >> 1n;
      if (uniformCode(unkey(mid), lo, w, bins) >= m) b = mid;
      else a = mid;
    }
    out[m - 1] = unkey(b);
  }
  return out;
}

/** Kernel output: cell counts and the first row of each cell (0xffffffff when empty). */
export interface CellHistogram {
  readonly hist: Uint32Array;
  readonly first: Uint32Array;
}

/**
 * Twin of `binHistogram`: per-entry codes (N×d, the CPU's `discretize`/`digitizeEdges` output) → cell =
 * Σ code_c·B^c, counts and first rows.
 */
export function binHistogramTwin(codes: ArrayLike<number>, n: number, d: number, bins: number): CellHistogram {
  let cells = 1;
  for (let c = 0; c < d; c++) cells *= bins;
  const hist = new Uint32Array(cells), first = new Uint32Array(cells).fill(0xffffffff);
  for (let i = 0; i < n; i++) {
    let cell = 0, stride = 1;
    for (let c = 0; c < d; c++) {
      cell += codes[i * d + c] * stride;
      stride *= bins;
    }
    hist[cell]++;
    if (i < first[cell]) first[cell] = i;
  }
  return { hist, first };
}

/** Occupied cells in order of first appearance (the CPU's symbol-id order). */
export function cellsByFirstRow(h: CellHistogram): Int32Array {
  const occ: number[] = [];
  for (let c = 0; c < h.hist.length; c++) if (h.hist[c] > 0) occ.push(c);
  occ.sort((a, b) => h.first[a] - h.first[b]);
  return Int32Array.from(occ);
}

/**
 * The tables `plugInMiCounts` takes, built from a joint histogram over cells x + cellsX·y: marginal and
 * joint counts indexed by symbol ids in order of first appearance, and each joint cell's marginal ids —
 * exactly what the CPU's `rowSymbols` + `plugInMi` build from the samples.
 */
export function miTablesFromCells(
  h: CellHistogram,
  cellsX: number,
): { na: Float64Array; nb: Float64Array; nab: Float64Array; ra: Int32Array; rb: Int32Array } {
  const order = cellsByFirstRow(h);
  const q = order.length;
  const idA = new Map<number, number>(), idB = new Map<number, number>();
  const na: number[] = [], nb: number[] = [];
  const nab = new Float64Array(q), ra = new Int32Array(q), rb = new Int32Array(q);
  for (let t = 0; t < q; t++) {
    const cell = order[t], cnt = h.hist[cell];
    const xa = cell % cellsX, yb = (cell - xa) / cellsX;
    let a = idA.get(xa);
    if (a === undefined) {
      a = na.length;
      idA.set(xa, a);
      na.push(0);
    }
    let b = idB.get(yb);
    if (b === undefined) {
      b = nb.length;
      idB.set(yb, b);
      nb.push(0);
    }
    na[a] += cnt;
    nb[b] += cnt;
    nab[t] = cnt;
    ra[t] = a;
    rb[t] = b;
  }
  return { na: Float64Array.from(na), nb: Float64Array.from(nb), nab, ra, rb };
}
