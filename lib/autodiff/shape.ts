/**
 * Shape and indexing ops, each forward next to its VJP: reshape, transpose, broadcastTo,
 * concat, slice, gather.
 *
 * @module
 */

import { describeValue, ShapeError, TypeMismatchError } from "../core/errors.ts";
import { record } from "./_tape.ts";
import { expand, lines, normAxis, sumTo } from "./_kernels.ts";
import { asTensor, checkShape, MAX_RANK, shapeSize, Tensor, type TensorLike } from "./tensor.ts";
import { deviceOps } from "./_hook.ts";

/**
 * Same entries, new shape (one entry may be −1: inferred). Shares the data. VJP: reshape back.
 *
 * @throws {ShapeError} when the sizes differ or the rank exceeds 4
 * @example
 * ```ts
 * import { reshape, tensor } from "@parsimony/parsimony/autodiff";
 * reshape(tensor([1, 2, 3, 4]), [2, -1]).shape; // => [2, 2]
 * ```
 */
export function reshape(x: TensorLike, shape: readonly number[]): Tensor {
  const D = deviceOps();
  if (D !== null) return D.reshape(x, shape);
  const X = asTensor(x, "reshape", "x");
  const s = reshapeTarget(X, shape);
  return record(new Tensor(X.data, s), [X], (g) => [g]);
}

/** @internal The validated target shape of `reshape` (one −1 inferred). */
export function reshapeTarget(X: Tensor, shape: readonly number[]): number[] {
  const s = shape.slice();
  const free = s.indexOf(-1);
  if (free >= 0) {
    const rest = shapeSize(s.filter((_, i) => i !== free));
    s[free] = rest === 0 ? 0 : X.size / rest;
  }
  checkShape(s, "reshape", "shape");
  if (shapeSize(s) !== X.size) {
    throw new ShapeError({
      fn: "reshape",
      arg: "shape",
      expected: `size ${X.size} (from [${X.shape}])`,
      got: `[${shape}]`,
    });
  }
  return s;
}

/**
 * Permute axes (default: reverse them, as numpy/JAX). VJP: the inverse permutation.
 *
 * @param x input
 * @param perm new order of the axes, e.g. [0, 2, 1]
 * @throws {ShapeError} when `perm` is not a permutation of the axes
 * @example
 * ```ts
 * import { tensor, transpose } from "@parsimony/parsimony/autodiff";
 * transpose(tensor([[1, 2, 3]])).toArray(); // => [[1], [2], [3]]
 * ```
 */
export function transpose(x: TensorLike, perm?: readonly number[]): Tensor {
  const X = asTensor(x, "transpose", "x");
  const r = X.rank;
  const p = perm
    ? perm.map((a) => normAxis(a, r, "transpose", "perm"))
    : Array.from({ length: r }, (_, i) => r - 1 - i);
  if (p.length !== r || new Set(p).size !== r) {
    throw new ShapeError({
      fn: "transpose",
      arg: "perm",
      expected: `a permutation of the ${r} axes`,
      got: `[${perm}]`,
    });
  }
  const out = permute(X.data, X.shape, p);
  const inv = new Array<number>(r);
  for (let i = 0; i < r; i++) inv[p[i]] = i;
  return record(new Tensor(out, p.map((a) => X.shape[a])), [X], (g) => [permute(g, p.map((a) => X.shape[a]), inv)]);
}

/** Copy of `x` with axes permuted: out axis i is input axis p[i]. */
function permute(x: Float64Array, shape: readonly number[], p: readonly number[]): Float64Array {
  const r = shape.length;
  const strides = new Array<number>(r);
  for (let d = r - 1, acc = 1; d >= 0; d--) strides[d] = acc, acc *= shape[d];
  const os = [1, 1, 1, 1], st = [0, 0, 0, 0];
  for (let i = 0; i < r; i++) os[MAX_RANK - r + i] = shape[p[i]], st[MAX_RANK - r + i] = strides[p[i]];
  const out = new Float64Array(x.length);
  let o = 0;
  for (let i0 = 0; i0 < os[0]; i0++) {
    for (let i1 = 0; i1 < os[1]; i1++) {
      for (let i2 = 0; i2 < os[2]; i2++) {
        const base = i0 * st[0] + i1 * st[1] + i2 * st[2];
        for (let i3 = 0; i3 < os[3]; i3++) out[o++] = x[base + i3 * st[3]];
      }
    }
  }
  return out;
}

/**
 * Broadcast to `shape` (numpy rules). VJP: sum over the broadcast axes.
 *
 * @throws {ShapeError} when `x` does not broadcast to `shape`
 * @example
 * ```ts
 * import { broadcastTo, tensor } from "@parsimony/parsimony/autodiff";
 * broadcastTo(tensor([1, 2]), [2, 2]).toArray(); // => [[1, 2], [1, 2]]
 * ```
 */
export function broadcastTo(x: TensorLike, shape: readonly number[]): Tensor {
  const D = deviceOps();
  if (D !== null) return D.broadcastTo(x, shape);
  const X = asTensor(x, "broadcastTo", "x");
  const s = checkShape(shape, "broadcastTo", "shape");
  const ok = X.rank <= s.length && X.shape.every((d, i) => d === 1 || d === s[s.length - X.rank + i]);
  if (!ok) {
    throw new ShapeError({
      fn: "broadcastTo",
      arg: "shape",
      expected: `a shape that [${X.shape}] broadcasts to`,
      got: `[${shape}]`,
    });
  }
  const out = expand(X.data, X.shape, s);
  return record(new Tensor(out === X.data ? out.slice() : out, s), [X], (g) => [sumTo(g, s, X.shape)]);
}

/**
 * Join tensors along an existing axis. VJP: the matching slices of the cotangent.
 *
 * @param xs tensors with equal shapes except along `axis`
 * @param axis axis to join along (default 0)
 * @throws {ShapeError} for an empty list or mismatched shapes (naming `xs[i]`)
 * @example
 * ```ts
 * import { concat, tensor } from "@parsimony/parsimony/autodiff";
 * concat([tensor([[1], [2]]), tensor([[3], [4]])], 1).toArray(); // => [[1, 3], [2, 4]]
 * ```
 */
export function concat(xs: readonly Tensor[], axis = 0): Tensor {
  if (!Array.isArray(xs) || xs.length === 0) {
    throw new ShapeError({ fn: "concat", arg: "xs", expected: "a non-empty array of tensors", got: describeValue(xs) });
  }
  const T = xs.map((x, i) => asTensor(x, "concat", `xs[${i}]`));
  const r = T[0].rank;
  const a = normAxis(axis, r, "concat");
  T.forEach((t, i) => {
    if (t.rank !== r || t.shape.some((d, j) => j !== a && d !== T[0].shape[j])) {
      throw new ShapeError({
        fn: "concat",
        arg: `xs[${i}]`,
        expected: `shape [${T[0].shape}] except along axis ${a}`,
        got: `[${t.shape}]`,
      });
    }
  });
  const shape = T[0].shape.slice();
  shape[a] = T.reduce((s, t) => s + t.shape[a], 0);
  const { outer, inner } = lines(shape, a);
  const out = new Float64Array(shapeSize(shape));
  const rowOut = shape[a] * inner;
  let off = 0;
  for (const t of T) {
    const w = t.shape[a] * inner;
    for (let o = 0; o < outer; o++) out.set(t.data.subarray(o * w, (o + 1) * w), o * rowOut + off);
    off += w;
  }
  return record(new Tensor(out, shape), T, (g, needs) => {
    let start = 0;
    return T.map((t, i) => {
      const w = t.shape[a] * inner, s0 = start;
      start += w;
      if (!needs[i]) return null;
      const gi = new Float64Array(t.size);
      for (let o = 0; o < outer; o++) gi.set(g.subarray(o * rowOut + s0, o * rowOut + s0 + w), o * w);
      return gi;
    });
  });
}

/**
 * A contiguous block: entries begin[d] ≤ i_d < end[d] on each axis (missing trailing axes
 * are taken whole; negative indices count from the end). VJP: the cotangent placed back
 * into zeros.
 *
 * @throws {ShapeError} for bounds outside the tensor or begin > end
 * @example
 * ```ts
 * import { slice, tensor } from "@parsimony/parsimony/autodiff";
 * slice(tensor([[1, 2, 3], [4, 5, 6]]), [0, 1], [2, 3]).toArray(); // => [[2, 3], [5, 6]]
 * ```
 */
export function slice(x: TensorLike, begin: readonly number[], end?: readonly number[]): Tensor {
  const X = asTensor(x, "slice", "x");
  const r = X.rank;
  if (begin.length > r) {
    throw new ShapeError({ fn: "slice", arg: "begin", expected: `at most ${r} entries`, got: `[${begin}]` });
  }
  const lo = new Array<number>(r), hi = new Array<number>(r);
  for (let d = 0; d < r; d++) {
    const n = X.shape[d];
    let b = begin[d] ?? 0, e = end?.[d] ?? n;
    if (b < 0) b += n;
    if (e < 0) e += n;
    if (!Number.isInteger(b) || !Number.isInteger(e) || b < 0 || e > n || b > e) {
      throw new ShapeError({
        fn: "slice",
        arg: `begin[${d}]/end[${d}]`,
        expected: `0 ≤ begin ≤ end ≤ ${n}`,
        got: `${begin[d]}, ${end?.[d]}`,
      });
    }
    lo[d] = b, hi[d] = e;
  }
  const shape = lo.map((b, d) => hi[d] - b);
  const pad = (v: number[], fill: number) => [...new Array(MAX_RANK - r).fill(fill), ...v];
  const ds = pad(X.shape.slice(), 1), l4 = pad(lo, 0), s4 = pad(shape, 1);
  const st = [ds[1] * ds[2] * ds[3], ds[2] * ds[3], ds[3], 1];
  // copy block rows (the last axis is contiguous)
  const copy = (src: Float64Array, dst: Float64Array, toBlock: boolean): void => {
    let o = 0;
    for (let i0 = 0; i0 < s4[0]; i0++) {
      for (let i1 = 0; i1 < s4[1]; i1++) {
        for (let i2 = 0; i2 < s4[2]; i2++) {
          const base = (l4[0] + i0) * st[0] + (l4[1] + i1) * st[1] + (l4[2] + i2) * st[2] + l4[3];
          if (toBlock) dst.set(src.subarray(base, base + s4[3]), o);
          else dst.set(src.subarray(o, o + s4[3]), base);
          o += s4[3];
        }
      }
    }
  };
  const out = new Float64Array(shapeSize(shape));
  copy(X.data, out, true);
  return record(new Tensor(out, shape), [X], (g) => {
    const gx = new Float64Array(X.size);
    copy(g, gx, false);
    return [gx];
  });
}

/**
 * Take entries at integer `indices` along `axis` (numpy `take`; e.g. the rows of a minibatch
 * or an embedding lookup). Repeated indices are allowed. VJP: scatter-add of the cotangent.
 *
 * @param x input
 * @param indices integer positions along `axis` (negative count from the end)
 * @param axis axis to index (default 0)
 * @throws {ShapeError} for an index out of range (naming `indices[i]`)
 * @example
 * ```ts
 * import { gather, tensor } from "@parsimony/parsimony/autodiff";
 * gather(tensor([[1, 2], [3, 4], [5, 6]]), [2, 0]).toArray(); // => [[5, 6], [1, 2]]
 * ```
 */
export function gather(x: TensorLike, indices: ArrayLike<number>, axis = 0): Tensor {
  const X = asTensor(x, "gather", "x");
  if (X.rank === 0) throw new ShapeError({ fn: "gather", arg: "x", expected: "rank ≥ 1", got: "a scalar" });
  const a = normAxis(axis, X.rank, "gather");
  const { outer, dim, inner } = lines(X.shape, a);
  if (indices === null || typeof indices !== "object" || typeof indices.length !== "number") {
    throw new TypeMismatchError({
      fn: "gather",
      arg: "indices",
      expected: "an array of integers",
      got: describeValue(indices),
    });
  }
  const idx = new Int32Array(indices.length);
  for (let i = 0; i < idx.length; i++) {
    let v = indices[i];
    if (v < 0) v += dim;
    if (!Number.isInteger(v) || v < 0 || v >= dim) {
      throw new ShapeError({
        fn: "gather",
        arg: `indices[${i}]`,
        expected: `an integer in [${-dim}, ${dim - 1}]`,
        got: describeValue(indices[i]),
      });
    }
    idx[i] = v;
  }
  const shape = X.shape.slice();
  shape[a] = idx.length;
  const out = new Float64Array(shapeSize(shape));
  const xd = X.data;
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < idx.length; i++) {
      const src = (o * dim + idx[i]) * inner;
      out.set(xd.subarray(src, src + inner), (o * idx.length + i) * inner);
    }
  }
  return record(new Tensor(out, shape), [X], (g) => {
    const gx = new Float64Array(X.size);
    for (let o = 0; o < outer; o++) {
      for (let i = 0; i < idx.length; i++) {
        const dst = (o * dim + idx[i]) * inner, src = (o * idx.length + i) * inner;
        for (let j = 0; j < inner; j++) gx[dst + j] += g[src + j];
      }
    }
    return [gx];
  });
}

/**
 * Join equally shaped tensors along a new axis (numpy `stack`): reshape each to insert a
 * length-1 axis, then {@linkcode concat}. Differentiable through those two ops.
 *
 * @param xs tensors of one shape
 * @param axis position of the new axis in the result (default 0; negative counts from the end)
 * @throws {ShapeError} for an empty list, differing shapes, or a result of rank > 4
 * @example
 * ```ts
 * import { stack, tensor } from "@parsimony/parsimony/autodiff";
 * stack([tensor([1, 2]), tensor([3, 4])], 1).toArray(); // => [[1, 3], [2, 4]]
 * ```
 */
export function stack(xs: readonly Tensor[], axis = 0): Tensor {
  if (!Array.isArray(xs) || xs.length === 0) {
    throw new ShapeError({ fn: "stack", arg: "xs", expected: "a non-empty array of tensors", got: describeValue(xs) });
  }
  const T = xs.map((x, i) => asTensor(x, "stack", `xs[${i}]`));
  const r = T[0].rank;
  const a = normAxis(axis, r + 1, "stack");
  T.forEach((t, i) => {
    if (t.rank !== r || t.shape.some((d, j) => d !== T[0].shape[j])) {
      throw new ShapeError({ fn: "stack", arg: `xs[${i}]`, expected: `shape [${T[0].shape}]`, got: `[${t.shape}]` });
    }
  });
  const shape = [...T[0].shape.slice(0, a), 1, ...T[0].shape.slice(a)];
  return concat(T.map((t) => reshape(t, shape)), a);
}
