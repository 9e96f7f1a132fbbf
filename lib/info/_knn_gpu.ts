/**
 * Host side of the GPU kNN estimators (KSG, Ross): f32 error bounds of max-norm distances, the guard
 * band, the f64 certification of the GPU's neighbour lists and the f64 re-check of band points, and
 * the f64 twins of the kernels in `kernels/info/knn.ts`. Private to lib/info.
 *
 * ## Why the GPU result equals the CPU result exactly
 *
 * Column c is uploaded as w̃ = fl32(fl64(v − m_c)), m_c the column's mid-range (centring keeps the
 * absolute rounding error small; a difference of centred values is the same real number). With
 * u = 2⁻²⁴, u₁ = u(1 + 2⁻²⁸) (the f64 shift and the f32 rounding together), τ = 2⁻¹²⁶ (a subnormal
 * flushed to zero), R_c = max_j |v_jc − m_c| and s_ic = v_ic − m_c, the kernel's f32 distance d̃_ij =
 * max_c |fl32(w̃_jc − w̃_ic)| (subtraction is correctly rounded in WGSL; abs and max are exact) obeys
 *
 *   |d̃_ij − d_ij| ≤ A_i + u·d_ij,   A_i = (1 + u)·u₁·max_c (R_c + |s_ic|) + 3(1 + u)τ,
 *
 * where d_ij is the f64 distance of the CPU path. Hence, for a radius r (f64):
 * d̃ ≤ lo = ↓f32(r(1 − 2u) − 2A_i) ⇒ d < r ("surely inside"), and d̃ > hi = ↑f32(r(1 + 2u) + 2A_i) ⇒
 * d > r ("surely outside"). Only points in the band (lo, hi] are compared again in f64, with the CPU's
 * arithmetic, so every count is the CPU's count (a band of more than G points sends the row to an
 * f64 recount).
 *
 * For the neighbour list: if the GPU's k-th smallest f32 distance is ṽ_k, the f64 k-th distance is
 * ε ≤ ε⁺ = (ṽ_k + A_i)/(1 − u), and every j with d_ij ≤ ε⁺ has d̃_ij ≤ thr = ε⁺(1 + u) + A_i. When the
 * list (length K = k + guard) ends above thr (or holds every candidate) it contains every point within
 * ε, so recomputing its distances in f64 and sorting by (distance, index) gives exactly ε and the
 * brute-force k-NN set (ties by smaller index); otherwise the row is recomputed in f64 on the CPU.
 * The bounds are used with a factor-2 margin (the f64 arithmetic forming lo, hi and thr rounds too).
 *
 * @module
 */

import { KNN_EMPTY, RADIUS_BAND_SLOTS } from "../../kernels/info/knn.ts";

/** f32 unit roundoff. */
export const U32 = 2 ** -24;
const U1 = U32 * (1 + 2 ** -28);
const TAU = 2 ** -126;

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

/** Largest f32 ≤ x (finite x). */
export function f32Down(x: number): number {
  f32[0] = x;
  if (f32[0] <= x) return f32[0];
  // f32[0] > x: step one f32 towards −∞
  if (f32[0] === 0) return -(2 ** -149);
  if (f32[0] > 0) u32[0] -= 1;
  else u32[0] += 1;
  return f32[0];
}

/** Smallest f32 ≥ x (finite x). */
export function f32Up(x: number): number {
  f32[0] = x;
  if (f32[0] >= x) return f32[0];
  if (f32[0] === 0) return 2 ** -149;
  if (f32[0] > 0) u32[0] += 1;
  else u32[0] -= 1;
  return f32[0];
}

/** Decode a kernel key (f32 bits of a non-negative distance) to its value; the empty key is +∞. */
export function keyValue(key: number): number {
  if (key === KNN_EMPTY) return Infinity;
  u32[0] = key;
  return f32[0];
}

/** A space prepared for upload: centred f32 values and the per-row error term A_i. */
export interface GpuSpace {
  /** N×d centred values rounded to f32 (upload exactly). */
  readonly values: Float32Array;
  /** A_i of the module doc, per row. */
  readonly a: Float64Array;
  /** max |centred value| over the space (the kernel needs it well inside the f32 range). */
  readonly maxAbs: number;
}

/** Centre each column at its mid-range, round to f32 and compute A_i (module doc). */
export function gpuSpace(data: Float64Array, n: number, d: number): GpuSpace {
  const values = new Float32Array(n * d);
  const mid = new Float64Array(d), R = new Float64Array(d);
  for (let c = 0; c < d; c++) {
    let lo = Infinity, hi = -Infinity;
    for (let i = 0; i < n; i++) {
      const v = data[i * d + c];
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
    mid[c] = lo / 2 + hi / 2;
  }
  for (let i = 0; i < n; i++) {
    for (let c = 0; c < d; c++) {
      const s = data[i * d + c] - mid[c];
      values[i * d + c] = s;
      const a = Math.abs(s);
      if (a > R[c]) R[c] = a;
    }
  }
  let maxAbs = 0;
  for (let c = 0; c < d; c++) maxAbs = Math.max(maxAbs, R[c]);
  const a = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let m = 0;
    for (let c = 0; c < d; c++) {
      const t = R[c] + Math.abs(data[i * d + c] - mid[c]);
      if (t > m) m = t;
    }
    a[i] = (1 + U32) * U1 * m * (1 + 2 ** -50) + 4 * TAU;
  }
  return { values, a, maxAbs };
}

/** Guard band [lo, hi] (f32) of radius r for a row with error term A (module doc). */
export function bandBounds(r: number, A: number): [number, number] {
  const lo = r * (1 - 2 * U32) - 2 * A;
  return [lo < 0 ? -1 : f32Down(lo), f32Up(r * (1 + 2 * U32) + 2 * A)];
}

/** Max-norm distance between rows i and j of an N×d f64 array, with the CPU path's arithmetic. */
export function maxDist(data: ArrayLike<number>, d: number, i: number, j: number): number {
  let dist = 0;
  const io = i * d, jo = j * d;
  for (let c = 0; c < d; c++) {
    const t = data[jo + c] - data[io + c];
    const a = t < 0 ? -t : t;
    if (a > dist) dist = a;
  }
  return dist;
}

/** Decoded output of the kNN kernel (or its twin): N×K distances (+∞ empty) and indices (−1 empty). */
export interface KnnLists {
  /** List length K. */
  readonly K: number;
  /** Ascending distances per row. */
  readonly dist: Float64Array;
  /** Neighbour indices. */
  readonly idx: Int32Array;
}

/**
 * f64 twin of the `knnMaxNorm` kernel: the K nearest j ≠ i (same label when `labels` is given) in
 * the max-norm, ascending, ties by smaller j. With `f32: true` each coordinate difference is rounded
 * to f32 (`Math.fround` of the exact difference of two f32 values = WGSL's subtraction), which
 * reproduces the kernel bit for bit on f32 input.
 */
export function knnMaxNormTwin(
  values: ArrayLike<number>,
  n: number,
  d: number,
  K: number,
  labels: ArrayLike<number> | null,
  f32: boolean,
): KnnLists {
  const dist = new Float64Array(n * K).fill(Infinity), idx = new Int32Array(n * K).fill(-1);
  for (let i = 0; i < n; i++) {
    const o = i * K;
    for (let j = 0; j < n; j++) {
      if (j === i || (labels && labels[j] !== labels[i])) continue;
      let dd = 0;
      for (let c = 0; c < d; c++) {
        let t = values[j * d + c] - values[i * d + c];
        if (f32) t = Math.fround(t);
        const a = t < 0 ? -t : t;
        if (a > dd) dd = a;
      }
      if (dd < dist[o + K - 1]) {
        let q = K - 1;
        while (q > 0 && dd < dist[o + q - 1]) {
          dist[o + q] = dist[o + q - 1];
          idx[o + q] = idx[o + q - 1];
          q--;
        }
        dist[o + q] = dd;
        idx[o + q] = j;
      }
    }
  }
  return { K, dist, idx };
}

/** Decode the kernel's u32 outputs (read back as f64 numbers). */
export function decodeLists(keys: ArrayLike<number>, idx: ArrayLike<number>, K: number): KnnLists {
  const n = keys.length;
  const dist = new Float64Array(n), ix = new Int32Array(n);
  for (let p = 0; p < n; p++) {
    dist[p] = keyValue(keys[p]);
    ix[p] = idx[p] === KNN_EMPTY ? -1 : idx[p];
  }
  return { K, dist, idx: ix };
}

/** Output of the radius-count kernel (or its twin). */
export interface BandCounts {
  /** N×4: inside_a, band_a, inside_b, band_b. */
  readonly cnt: Uint32Array;
  /** N×2G: the first G band indices of a, then of b (unspecified beyond the band count). */
  readonly band: Uint32Array;
}

/**
 * f64 twin of `radiusBandCount`: for each i and each space, count j (i included) with d ≤ lo_i and
 * lo_i < d ≤ hi_i, storing the first G band indices in j order. `bounds` is N×4 (lo_a, hi_a, lo_b,
 * hi_b). `f32: true` rounds coordinate differences to f32 as the kernel does.
 */
export function radiusBandCountTwin(
  a: ArrayLike<number>,
  da: number,
  b: ArrayLike<number> | null,
  db: number,
  n: number,
  bounds: ArrayLike<number>,
  f32: boolean,
): BandCounts {
  const G = RADIUS_BAND_SLOTS;
  const cnt = new Uint32Array(4 * n), band = new Uint32Array(2 * G * n);
  const dist = (v: ArrayLike<number>, d: number, i: number, j: number) => {
    let dd = 0;
    for (let c = 0; c < d; c++) {
      let t = v[j * d + c] - v[i * d + c];
      if (f32) t = Math.fround(t);
      const x = t < 0 ? -t : t;
      if (x > dd) dd = x;
    }
    return dd;
  };
  for (let i = 0; i < n; i++) {
    for (let s = 0; s < (b ? 2 : 1); s++) {
      const v = s === 0 ? a : b!, d = s === 0 ? da : db;
      const lo = bounds[4 * i + 2 * s], hi = bounds[4 * i + 2 * s + 1];
      let inside = 0, bd = 0;
      for (let j = 0; j < n; j++) {
        const dd = dist(v, d, i, j);
        if (dd <= lo) inside++;
        else if (dd <= hi) {
          if (bd < G) band[i * 2 * G + s * G + bd] = j;
          bd++;
        }
      }
      cnt[4 * i + 2 * s] = inside;
      cnt[4 * i + 2 * s + 1] = bd;
    }
  }
  return { cnt, band };
}

/** Per-row certified k-th distances (and, when asked, neighbour sets) from GPU lists. */
export interface CertifiedKnn {
  /** ε_i = exact f64 k_i-th neighbour distance. */
  readonly eps: Float64Array;
  /** N×kMax exact k-NN indices (ties by smaller index) when requested, else empty. */
  readonly idx: Int32Array;
  /** Rows recomputed on the CPU. */
  readonly recomputed: number;
  /** Rows with an f64 tie at the k-th distance. */
  readonly ties: number;
}

/**
 * Certify the GPU lists in f64 (module doc). `kOf(i)` is the neighbour rank wanted for row i, `cands(i)`
 * the number of candidates row i has (N − 1, or its class size − 1), `data`/`d` the f64 points with
 * the CPU's arithmetic, `a` the rows' error terms, `labels` restrict candidates for recomputed rows.
 */
export function certifyKnn(
  lists: KnnLists,
  data: Float64Array,
  n: number,
  d: number,
  a: Float64Array,
  kOf: (i: number) => number,
  cands: (i: number) => number,
  labels: ArrayLike<number> | null,
  keepIdx: number,
): CertifiedKnn {
  const K = lists.K;
  const eps = new Float64Array(n), out = new Int32Array(n * keepIdx);
  let recomputed = 0, ties = 0;
  const cd: number[] = [], cj: number[] = [];
  const order: number[] = [];
  for (let i = 0; i < n; i++) {
    const k = kOf(i), o = i * K;
    const full = cands(i) <= K;
    const vk = lists.dist[o + k - 1];
    const thr = (vk + 2 * a[i]) * (1 + 4 * U32) + 2 * a[i];
    cd.length = cj.length = order.length = 0;
    if (full || lists.dist[o + K - 1] > thr) {
      for (let t = 0; t < K; t++) {
        const j = lists.idx[o + t];
        if (j < 0) break;
        cd.push(maxDist(data, d, i, j));
        cj.push(j);
      }
    } else {
      recomputed++;
      for (let j = 0; j < n; j++) {
        if (j === i || (labels && labels[j] !== labels[i])) continue;
        cd.push(maxDist(data, d, i, j));
        cj.push(j);
      }
    }
    for (let t = 0; t < cd.length; t++) order.push(t);
    order.sort((p, q) => cd[p] - cd[q] || cj[p] - cj[q]);
    eps[i] = cd[order[k - 1]];
    if (k < order.length && cd[order[k]] === eps[i]) ties++;
    for (let t = 0; t < Math.min(k, keepIdx); t++) out[i * keepIdx + t] = cj[order[t]];
  }
  return { eps, idx: out, recomputed, ties };
}

/**
 * Exact counts #{j : d_ij ≤ r_i} (i included, CPU arithmetic) from the kernel's sure-inside counts and
 * band indices: band points are compared in f64; a band longer than G is recounted over all j.
 * `space` selects inside/band columns 0 (a) or 1 (b) of the kernel output.
 */
export function recheckCounts(
  bc: BandCounts,
  space: 0 | 1,
  data: Float64Array,
  n: number,
  d: number,
  radius: Float64Array,
): { counts: Int32Array; checks: number; recounted: number } {
  const G = RADIUS_BAND_SLOTS;
  const counts = new Int32Array(n);
  let checks = 0, recounted = 0;
  for (let i = 0; i < n; i++) {
    const r = radius[i];
    const bd = bc.cnt[4 * i + 2 * space + 1];
    if (bd > G) {
      recounted++;
      let c = 0;
      for (let j = 0; j < n; j++) if (maxDist(data, d, i, j) <= r) c++;
      counts[i] = c;
      continue;
    }
    let c = bc.cnt[4 * i + 2 * space];
    for (let t = 0; t < bd; t++) {
      const j = bc.band[i * 2 * G + space * G + t];
      if (maxDist(data, d, i, j) <= r) c++;
    }
    checks += bd;
    counts[i] = c;
  }
  return { counts, checks, recounted };
}
