/**
 * CPU building blocks shared by the ops: numpy broadcasting (expand a tensor to a shape,
 * and its adjoint: sum a cotangent back to a shape), axis normalisation, and iteration over
 * the 1-D lines of a tensor along one axis (what softmax, logsumexp and friends reduce).
 *
 * Everything here works on flat row-major arrays with shapes padded on the left to rank 4.
 *
 * @module
 */

import { ShapeError } from "../core/errors.ts";
import { MAX_RANK, shapeSize } from "./tensor.ts";

/** Broadcast two shapes (numpy rules: align on the right, 1 stretches). */
export function broadcastShapes(a: readonly number[], b: readonly number[], fn: string, arg = "b"): number[] {
  const r = Math.max(a.length, b.length);
  const out = new Array<number>(r);
  for (let i = 0; i < r; i++) {
    const da = a[a.length - r + i] ?? 1, db = b[b.length - r + i] ?? 1;
    if (da !== db && da !== 1 && db !== 1) {
      throw new ShapeError({ fn, arg, expected: `a shape broadcastable with [${a}]`, got: `[${b}]` });
    }
    out[i] = da === 1 ? db : da;
  }
  return out;
}

/** Same shape (element by element). */
export function sameShape(a: readonly number[], b: readonly number[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Pad a shape with leading ones to rank 4. */
function pad4(shape: readonly number[]): number[] {
  const p = [1, 1, 1, 1];
  for (let i = 0; i < shape.length; i++) p[MAX_RANK - shape.length + i] = shape[i];
  return p;
}

/** Strides of `shape` (padded to 4) inside the index space of `big`, 0 on broadcast axes. */
function broadcastStrides(shape: readonly number[], big: readonly number[]): number[] {
  const s = pad4(shape), b = pad4(big);
  const st = [0, 0, 0, 0];
  let acc = 1;
  for (let d = 3; d >= 0; d--) {
    st[d] = s[d] === 1 && b[d] !== 1 ? 0 : acc;
    acc *= s[d];
  }
  return st;
}

/**
 * Entries of `x` (shape `from`) broadcast to shape `to`; returns `x` itself when the shapes
 * are equal (callers must not write into the result).
 */
export function expand(x: Float64Array, from: readonly number[], to: readonly number[]): Float64Array {
  if (sameShape(from, to)) return x;
  const n = shapeSize(to);
  const out = new Float64Array(n);
  if (x.length === 1) return out.fill(x[0]);
  const inner = from.length ? from[from.length - 1] : 1;
  // common case: x is a suffix of `to` (a bias row): tile it
  if (isSuffix(from, to)) {
    const m = x.length;
    for (let o = 0; o < n; o += m) out.set(x, o);
    return out;
  }
  const [d0, d1, d2, d3] = pad4(to);
  const [s0, s1, s2, s3] = broadcastStrides(from, to);
  let o = 0;
  for (let i0 = 0; i0 < d0; i0++) {
    for (let i1 = 0; i1 < d1; i1++) {
      for (let i2 = 0; i2 < d2; i2++) {
        const base = i0 * s0 + i1 * s1 + i2 * s2;
        if (s3 === 1 && inner === d3) {
          out.set(x.subarray(base, base + d3), o);
          o += d3;
        } else {
          for (let i3 = 0; i3 < d3; i3++) out[o++] = x[base + i3 * s3];
        }
      }
    }
  }
  return out;
}

/** Whether `small` equals the trailing dimensions of `big` (after dropping leading ones). */
function isSuffix(small: readonly number[], big: readonly number[]): boolean {
  let k = 0;
  while (k < small.length && small[k] === 1) k++;
  const s = small.slice(k);
  if (s.length > big.length) return false;
  for (let i = 0; i < s.length; i++) if (s[i] !== big[big.length - s.length + i]) return false;
  return true;
}

/**
 * Adjoint of {@linkcode expand}: sum `g` (shape `from`, the broadcast shape) down to shape
 * `to`. Returns `g` itself when the shapes are equal.
 */
export function sumTo(g: Float64Array, from: readonly number[], to: readonly number[]): Float64Array {
  if (sameShape(from, to)) return g;
  const out = new Float64Array(shapeSize(to));
  if (out.length === 1) {
    let s = 0;
    for (let i = 0; i < g.length; i++) s += g[i];
    out[0] = s;
    return out;
  }
  if (isSuffix(to, from)) {
    const m = out.length;
    for (let o = 0; o < g.length; o += m) {
      for (let j = 0; j < m; j++) out[j] += g[o + j];
    }
    return out;
  }
  const [d0, d1, d2, d3] = pad4(from);
  const [s0, s1, s2, s3] = broadcastStrides(to, from);
  let o = 0;
  for (let i0 = 0; i0 < d0; i0++) {
    for (let i1 = 0; i1 < d1; i1++) {
      for (let i2 = 0; i2 < d2; i2++) {
        const base = i0 * s0 + i1 * s1 + i2 * s2;
        for (let i3 = 0; i3 < d3; i3++) out[base + i3 * s3] += g[o++];
      }
    }
  }
  return out;
}

/** Normalise an axis (negative counts from the end) and check it. */
export function normAxis(axis: number, rank: number, fn: string, arg = "axis"): number {
  const a = axis < 0 ? axis + rank : axis;
  if (!Number.isInteger(axis) || a < 0 || a >= rank) {
    throw new ShapeError({ fn, arg, expected: `an integer axis in [${-rank}, ${rank - 1}]`, got: String(axis) });
  }
  return a;
}

/** Normalise `axes` (undefined = all), sorted and unique. */
export function normAxes(axes: number | readonly number[] | undefined, rank: number, fn: string): number[] {
  if (axes === undefined) return Array.from({ length: rank }, (_, i) => i);
  const list = typeof axes === "number" ? [axes] : axes;
  const out = [...new Set(list.map((a) => normAxis(a, rank, fn, "axes")))];
  return out.sort((a, b) => a - b);
}

/** The shape after reducing `axes` (kept as 1 when `keepdims`). */
export function reducedShape(shape: readonly number[], axes: readonly number[], keepdims: boolean): number[] {
  const out: number[] = [];
  for (let d = 0; d < shape.length; d++) {
    if (axes.includes(d)) {
      if (keepdims) out.push(1);
    } else out.push(shape[d]);
  }
  return out;
}

/** `shape` with the reduced `axes` set to 1 (the broadcastable form of a reduction). */
export function keepShape(shape: readonly number[], axes: readonly number[]): number[] {
  return shape.map((d, i) => (axes.includes(i) ? 1 : d));
}

/** Geometry of the lines along `axis`: `outer` blocks of `dim·inner`, each with `inner` lines of stride `inner`. */
export function lines(shape: readonly number[], axis: number): { outer: number; dim: number; inner: number } {
  let outer = 1, inner = 1;
  for (let d = 0; d < axis; d++) outer *= shape[d];
  for (let d = axis + 1; d < shape.length; d++) inner *= shape[d];
  return { outer, dim: shape[axis], inner };
}

/** Call `f(offset, n, stride, lineIndex)` for every line of `shape` along `axis`. */
export function forEachLine(
  shape: readonly number[],
  axis: number,
  f: (offset: number, n: number, stride: number, line: number) => void,
): void {
  const { outer, dim, inner } = lines(shape, axis);
  let line = 0;
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) f(o * dim * inner + i, dim, inner, line++);
  }
}

/**
 * log softmax of one strided line into `out`: (x − m) − log Σ exp(x − m), m = max. Written
 * out rather than as x − lseStrided(x): subtracting the rounded m + log s from x cancels for
 * the largest entry (1e-15 absolute error where the answer is ~1e-10), the form torch uses
 * avoids it. A line of all −∞ gives NaN, as log(0/0).
 */
export function logSoftmaxLine(x: Float64Array, off: number, n: number, stride: number, out: Float64Array): void {
  let m = -Infinity;
  for (let i = 0, p = off; i < n; i++, p += stride) if (x[p] > m) m = x[p];
  if (m === Infinity) {
    for (let i = 0, p = off; i < n; i++, p += stride) out[p] = x[p] === Infinity ? NaN : -Infinity;
    return;
  }
  let s = 0;
  for (let i = 0, p = off; i < n; i++, p += stride) s += Math.exp(x[p] - m);
  const ls = Math.log(s);
  for (let i = 0, p = off; i < n; i++, p += stride) out[p] = x[p] - m - ls;
}
