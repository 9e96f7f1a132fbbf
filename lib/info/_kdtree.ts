/**
 * k-d tree for the kNN estimators (KSG, Ross, Kozachenko–Leonenko): exact k-nearest-neighbour
 * queries and radius counts under the max-norm or the Euclidean norm, O(N log N) build and
 * roughly O(log N + k) per query in low dimension. Brute force is used for small N or large d.
 *
 * Distances are computed with one fixed arithmetic everywhere (coordinate differences in column
 * order; squared Euclidean without the square root), and box bounds use the same operations, so a
 * radius taken from a kNN query and a later radius count agree bit for bit (KSG needs this).
 * Private to lib/info.
 *
 * @module
 */

import { Matrix } from "../core/matrix.ts";
import { kSmallestPerRow } from "../core/select.ts";

/** Distance used by a tree: `"max"` = ‖·‖∞, `"euclidean"` = squared Euclidean ‖·‖₂². */
export type KnnMetric = "max" | "euclidean";

const LEAF = 12;

/** A static k-d tree over N points in d dimensions (row-major input, copied in tree order). */
export class KdTree {
  readonly n: number;
  readonly d: number;
  readonly metric: KnnMetric;
  /** Points in tree order (N×d). */
  readonly pts: Float64Array;
  /** Original index of the point at each tree position. */
  readonly perm: Int32Array;
  readonly start: Int32Array;
  readonly end: Int32Array;
  readonly left: Int32Array;
  readonly right: Int32Array;
  readonly lo: Float64Array;
  readonly hi: Float64Array;
  nodes = 0;

  constructor(data: Float64Array, n: number, d: number, metric: KnnMetric) {
    this.n = n;
    this.d = d;
    this.metric = metric;
    const maxNodes = 2 * Math.ceil(n / (LEAF / 2)) + 1;
    this.start = new Int32Array(maxNodes);
    this.end = new Int32Array(maxNodes);
    this.left = new Int32Array(maxNodes).fill(-1);
    this.right = new Int32Array(maxNodes).fill(-1);
    this.lo = new Float64Array(maxNodes * d);
    this.hi = new Float64Array(maxNodes * d);
    const idx = new Int32Array(n);
    for (let i = 0; i < n; i++) idx[i] = i;
    this.build(data, idx);
    this.perm = idx;
    this.pts = new Float64Array(n * d);
    for (let p = 0; p < n; p++) {
      const s = idx[p] * d;
      for (let c = 0; c < d; c++) this.pts[p * d + c] = data[s + c];
    }
  }

  private build(data: Float64Array, idx: Int32Array): void {
    const d = this.d;
    // Explicit stack of (node, start, end).
    const stack: number[] = [];
    const root = this.nodes++;
    stack.push(root, 0, this.n);
    while (stack.length > 0) {
      const e = stack.pop()!, s = stack.pop()!, node = stack.pop()!;
      this.start[node] = s;
      this.end[node] = e;
      const lo = this.lo, hi = this.hi, bo = node * d;
      for (let c = 0; c < d; c++) {
        lo[bo + c] = Infinity;
        hi[bo + c] = -Infinity;
      }
      for (let p = s; p < e; p++) {
        const o = idx[p] * d;
        for (let c = 0; c < d; c++) {
          const v = data[o + c];
          if (v < lo[bo + c]) lo[bo + c] = v;
          if (v > hi[bo + c]) hi[bo + c] = v;
        }
      }
      if (e - s <= LEAF) continue;
      let dim = 0, spread = -1;
      for (let c = 0; c < d; c++) {
        const w = hi[bo + c] - lo[bo + c];
        if (w > spread) {
          spread = w;
          dim = c;
        }
      }
      if (spread <= 0) continue; // all points equal: keep as a leaf
      const mid = (s + e) >> 1;
      quickselect(data, idx, s, e - 1, mid, d, dim);
      const l = this.nodes++, r = this.nodes++;
      this.left[node] = l;
      this.right[node] = r;
      stack.push(l, s, mid, r, mid, e);
    }
  }

  /** Min distance from q (offset qo in qd) to the box of `node` (same metric arithmetic). */
  boxMin(qd: Float64Array, qo: number, node: number): number {
    const d = this.d, lo = this.lo, hi = this.hi, bo = node * d;
    let acc = 0;
    if (this.metric === "max") {
      for (let c = 0; c < d; c++) {
        const v = qd[qo + c];
        const t = v < lo[bo + c] ? lo[bo + c] - v : v > hi[bo + c] ? v - hi[bo + c] : 0;
        if (t > acc) acc = t;
      }
    } else {
      for (let c = 0; c < d; c++) {
        const v = qd[qo + c];
        const t = v < lo[bo + c] ? lo[bo + c] - v : v > hi[bo + c] ? v - hi[bo + c] : 0;
        acc += t * t;
      }
    }
    return acc;
  }

  /** Max distance from q to any point of the box of `node`. */
  boxMax(qd: Float64Array, qo: number, node: number): number {
    const d = this.d, lo = this.lo, hi = this.hi, bo = node * d;
    let acc = 0;
    if (this.metric === "max") {
      for (let c = 0; c < d; c++) {
        const v = qd[qo + c];
        const a = v - lo[bo + c], b = hi[bo + c] - v;
        const t = a > b ? a : b;
        if (t > acc) acc = t;
      }
    } else {
      for (let c = 0; c < d; c++) {
        const v = qd[qo + c];
        const a = v - lo[bo + c], b = hi[bo + c] - v;
        const t = a > b ? a : b;
        acc += t * t;
      }
    }
    return acc;
  }

  /**
   * k nearest neighbours of every point of the tree, itself excluded (by index; duplicates of it count
   * as neighbours at distance 0). Writes ascending distances and original indices, N×k each.
   */
  knnAll(k: number, outDist: Float64Array, outIdx: Int32Array): void {
    const n = this.n, d = this.d, pts = this.pts, perm = this.perm;
    const left = this.left, right = this.right, start = this.start, end = this.end;
    const bd = new Float64Array(k), bi = new Int32Array(k);
    const depth = 64 + 4 * Math.ceil(Math.log2(n + 1));
    const stack = new Int32Array(depth), stackD = new Float64Array(depth);
    const max = this.metric === "max";
    for (let p = 0; p < n; p++) {
      const qo = p * d;
      bd.fill(Infinity);
      bi.fill(-1);
      let worst = Infinity;
      let sp = 0;
      stack[sp] = 0;
      stackD[sp++] = 0;
      while (sp > 0) {
        --sp;
        if (stackD[sp] > worst) continue;
        const node = stack[sp];
        const l = left[node];
        if (l < 0) {
          const e = end[node];
          for (let j = start[node]; j < e; j++) {
            if (j === p) continue;
            const jo = j * d;
            let dist = 0;
            if (max) {
              for (let c = 0; c < d; c++) {
                const t = pts[jo + c] - pts[qo + c];
                const a = t < 0 ? -t : t;
                if (a > dist) dist = a;
              }
            } else {
              for (let c = 0; c < d; c++) {
                const t = pts[jo + c] - pts[qo + c];
                dist += t * t;
              }
            }
            if (dist < worst) {
              // insertion into the sorted top-k
              let m = k - 1;
              while (m > 0 && bd[m - 1] > dist) {
                bd[m] = bd[m - 1];
                bi[m] = bi[m - 1];
                m--;
              }
              bd[m] = dist;
              bi[m] = j;
              worst = bd[k - 1];
            }
          }
        } else {
          const r = right[node];
          const dl = this.boxMin(pts, qo, l), dr = this.boxMin(pts, qo, r);
          // Push the farther child first so the nearer one is searched first.
          if (dl <= dr) {
            if (dr <= worst) {
              stack[sp] = r;
              stackD[sp++] = dr;
            }
            if (dl <= worst) {
              stack[sp] = l;
              stackD[sp++] = dl;
            }
          } else {
            if (dl <= worst) {
              stack[sp] = l;
              stackD[sp++] = dl;
            }
            if (dr <= worst) {
              stack[sp] = r;
              stackD[sp++] = dr;
            }
          }
        }
      }
      const oo = perm[p] * k;
      for (let m = 0; m < k; m++) {
        outDist[oo + m] = bd[m];
        outIdx[oo + m] = perm[bi[m]];
      }
    }
  }

  /**
   * For each query point (row-major, N×d, indexed like the original data), count tree points with
   * distance ≤ radius[i] (itself included when it is in the tree).
   */
  countWithin(qd: Float64Array, nq: number, radius: Float64Array, out: Int32Array): void {
    const d = this.d, pts = this.pts;
    const stack = new Int32Array(64 + 4 * Math.ceil(Math.log2(this.n + 1)));
    const max = this.metric === "max";
    for (let i = 0; i < nq; i++) {
      const qo = i * d, r = radius[i];
      let count = 0, sp = 0;
      stack[sp++] = 0;
      while (sp > 0) {
        const node = stack[--sp];
        if (this.boxMin(qd, qo, node) > r) continue;
        if (this.boxMax(qd, qo, node) <= r) {
          count += this.end[node] - this.start[node];
          continue;
        }
        const l = this.left[node];
        if (l < 0) {
          const e = this.end[node];
          for (let j = this.start[node]; j < e; j++) {
            const jo = j * d;
            let dist = 0;
            if (max) {
              for (let c = 0; c < d; c++) {
                const t = pts[jo + c] - qd[qo + c];
                const a = t < 0 ? -t : t;
                if (a > dist) dist = a;
              }
            } else {
              for (let c = 0; c < d; c++) {
                const t = pts[jo + c] - qd[qo + c];
                dist += t * t;
              }
            }
            if (dist <= r) count++;
          }
        } else {
          stack[sp++] = this.right[node];
          stack[sp++] = l;
        }
      }
      out[i] = count;
    }
  }
}

/** Partially sort idx[lo..hi] so that idx[kth] has the kth smallest coordinate `dim`. */
function quickselect(
  data: Float64Array,
  idx: Int32Array,
  lo: number,
  hi: number,
  kth: number,
  d: number,
  dim: number,
): void {
  while (hi > lo) {
    const mid = (lo + hi) >> 1;
    // median of three as pivot
    const a = data[idx[lo] * d + dim], b = data[idx[mid] * d + dim], c = data[idx[hi] * d + dim];
    const pivot = a < b ? (b < c ? b : a < c ? c : a) : (a < c ? a : b < c ? c : b);
    let i = lo, j = hi;
    while (i <= j) {
      while (data[idx[i] * d + dim] < pivot) i++;
      while (data[idx[j] * d + dim] > pivot) j--;
      if (i <= j) {
        const t = idx[i];
        idx[i] = idx[j];
        idx[j] = t;
        i++;
        j--;
      }
    }
    if (kth <= j) hi = j;
    else if (kth >= i) lo = i;
    else return;
  }
}

/** Distance between rows i and j of `data` with the tree arithmetic. */
export function pointDist(data: Float64Array, d: number, i: number, j: number, metric: KnnMetric): number {
  let dist = 0;
  const io = i * d, jo = j * d;
  if (metric === "max") {
    for (let c = 0; c < d; c++) {
      const t = data[jo + c] - data[io + c];
      const a = t < 0 ? -t : t;
      if (a > dist) dist = a;
    }
  } else {
    for (let c = 0; c < d; c++) {
      const t = data[jo + c] - data[io + c];
      dist += t * t;
    }
  }
  return dist;
}

/**
 * Brute-force kNN (self excluded by index), same output layout and distance arithmetic as
 * {@linkcode KdTree.knnAll}: distance rows are built in blocks with {@linkcode pointDist} (self set to
 * +∞) and reduced with lib/core's `kSmallestPerRow` (ties by smaller index).
 */
export function knnBrute(
  data: Float64Array,
  n: number,
  d: number,
  k: number,
  metric: KnnMetric,
  outDist: Float64Array,
  outIdx: Int32Array,
): void {
  const b = Math.max(1, Math.min(n, Math.floor((1 << 18) / n)));
  for (let i0 = 0; i0 < n; i0 += b) {
    const i1 = Math.min(n, i0 + b);
    const D = new Matrix(i1 - i0, n);
    for (let i = i0; i < i1; i++) {
      const o = (i - i0) * n;
      for (let j = 0; j < n; j++) D.data[o + j] = j === i ? Infinity : pointDist(data, d, i, j, metric);
    }
    const r = kSmallestPerRow(D, k);
    outDist.set(r.values, i0 * k);
    outIdx.set(r.indices, i0 * k);
  }
}

/** Result of {@linkcode knn}: N×k ascending distances (squared for Euclidean) and neighbour indices. */
export interface KnnResult {
  readonly dist: Float64Array;
  readonly idx: Int32Array;
}

/** Exact kNN of every point (self excluded): k-d tree for N > 256 and d ≤ 16, brute force otherwise. */
export function knn(data: Float64Array, n: number, d: number, k: number, metric: KnnMetric): KnnResult {
  const dist = new Float64Array(n * k), idx = new Int32Array(n * k);
  if (n <= 256 || d > 16) knnBrute(data, n, d, k, metric, dist, idx);
  else new KdTree(data, n, d, metric).knnAll(k, dist, idx);
  return { dist, idx };
}

/**
 * Count, for each point i, the points j (i included) with dist(i, j) ≤ radius[i]; 1-D uses a sorted
 * array and binary search with the same subtraction as the tree, otherwise a k-d tree (or brute force
 * for small N).
 */
export function countWithin(
  data: Float64Array,
  n: number,
  d: number,
  radius: Float64Array,
  metric: KnnMetric,
): Int32Array {
  const out = new Int32Array(n);
  if (d === 1) {
    const s = Float64Array.from(data.subarray(0, n)).sort();
    const sq = metric === "euclidean";
    for (let i = 0; i < n; i++) {
      const v = data[i], r = radius[i];
      // last position with s[p] − v ≤ r (monotone in s[p])
      let lo = 0, hi = n; // find first p with (s[p] − v) > r
      while (lo < hi) {
        const m = (lo + hi) >> 1;
        const t = s[m] - v;
        const dist = t < 0 ? (sq ? t * t : -t) : (sq ? t * t : t);
        if (t <= 0 || dist <= r) lo = m + 1;
        else hi = m;
      }
      const upper = lo;
      lo = 0;
      hi = n; // first p with v − s[p] ≤ r, i.e. s[p] within radius from below
      while (lo < hi) {
        const m = (lo + hi) >> 1;
        const t = s[m] - v;
        const dist = t < 0 ? (sq ? t * t : -t) : (sq ? t * t : t);
        if (t < 0 && dist > r) lo = m + 1;
        else hi = m;
      }
      out[i] = upper - lo;
    }
    return out;
  }
  if (n <= 256 || d > 16) {
    for (let i = 0; i < n; i++) {
      let c = 0;
      for (let j = 0; j < n; j++) if (pointDist(data, d, i, j, metric) <= radius[i]) c++;
      out[i] = c;
    }
    return out;
  }
  new KdTree(data, n, d, metric).countWithin(data, n, radius, out);
  return out;
}
