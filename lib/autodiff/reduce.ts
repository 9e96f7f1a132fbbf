/**
 * Reductions along axes, each forward next to its VJP: sum, mean, max, min, logsumexp.
 *
 * `axis` is one axis, a list, or omitted (all axes); negative axes count from the end;
 * `keepdims` keeps reduced axes as length 1. logsumexp runs lib/core's max-shifted
 * {@linkcode lseStrided} on each line.
 *
 * @module
 */

import { lseStrided } from "../core/reduce.ts";
import { record } from "./_tape.ts";
import { expand, forEachLine, keepShape, normAxes, reducedShape, sumTo } from "./_kernels.ts";
import { asTensor, shapeSize, Tensor, type TensorLike } from "./tensor.ts";
import { deviceOps } from "./_hook.ts";

/**
 * Σ over `axis`. VJP: the cotangent broadcast back over the reduced axes.
 *
 * @param x input
 * @param axis axis or axes to reduce (default: all)
 * @param keepdims keep reduced axes as length 1 (default false)
 * @throws {ShapeError} for an axis out of range
 * @example
 * ```ts
 * import { sum, tensor } from "@parsimony/parsimony/autodiff";
 * sum(tensor([[1, 2], [3, 4]])).item(); // => 10
 * sum(tensor([[1, 2], [3, 4]]), 0).toArray(); // => [4, 6]
 * ```
 */
export function sum(x: TensorLike, axis?: number | readonly number[], keepdims = false): Tensor {
  const D = deviceOps();
  if (D !== null) return D.sum(x, axis, keepdims);
  const X = asTensor(x, "sum", "x");
  const axes = normAxes(axis, X.rank, "sum");
  const ks = keepShape(X.shape, axes);
  const out = sumTo(X.data, X.shape, ks);
  const res = new Tensor(out === X.data ? out.slice() : out, reducedShape(X.shape, axes, keepdims));
  return record(res, [X], (g) => [expand(g, ks, X.shape)]);
}

/**
 * Arithmetic mean over `axis`. VJP: the cotangent broadcast back, divided by the count.
 *
 * @example
 * ```ts
 * import { mean, tensor } from "@parsimony/parsimony/autodiff";
 * mean(tensor([[1, 2], [3, 4]]), 1).toArray(); // => [1.5, 3.5]
 * ```
 */
export function mean(x: TensorLike, axis?: number | readonly number[], keepdims = false): Tensor {
  const D = deviceOps();
  if (D !== null) return D.mean(x, axis, keepdims);
  const X = asTensor(x, "mean", "x");
  const axes = normAxes(axis, X.rank, "mean");
  const ks = keepShape(X.shape, axes);
  const count = X.size / shapeSize(ks);
  const s = sumTo(X.data, X.shape, ks);
  const out = new Float64Array(s.length);
  for (let i = 0; i < s.length; i++) out[i] = s[i] / count;
  return record(new Tensor(out, reducedShape(X.shape, axes, keepdims)), [X], (g) => {
    const e = expand(g, ks, X.shape);
    const r = new Float64Array(e.length);
    for (let i = 0; i < r.length; i++) r[i] = e[i] / count;
    return [r];
  });
}

/** max (sign = 1) or min (sign = −1) with the tie-splitting VJP. */
function extreme(
  name: string,
  sign: 1 | -1,
  x: TensorLike,
  axis: number | readonly number[] | undefined,
  keepdims: boolean,
): Tensor {
  const X = asTensor(x, name, "x");
  const axes = normAxes(axis, X.rank, name);
  const ks = keepShape(X.shape, axes);
  const xs = sign === 1 ? X.data : X.data.map((v) => -v);
  // reduce axis by axis (max is associative), each along its lines
  let cur: Float64Array = xs, shape = X.shape.slice();
  for (const a of axes) {
    const next = keepShape(shape, [a]);
    const r = new Float64Array(shapeSize(next));
    forEachLine(shape, a, (off, n, stride, line) => {
      let m = -Infinity;
      for (let i = 0, p = off; i < n; i++, p += stride) if (cur[p] > m || Number.isNaN(cur[p])) m = cur[p];
      r[line] = m;
    });
    cur = r, shape = next;
  }
  const best = cur === xs ? xs.slice() : cur;
  const value = sign === 1 ? best : best.map((v) => -v);
  return record(new Tensor(value, reducedShape(X.shape, axes, keepdims)), [X], (g) => {
    const m = expand(best, ks, X.shape);
    const mask = new Float64Array(X.size);
    for (let i = 0; i < mask.length; i++) mask[i] = xs[i] === m[i] ? 1 : 0;
    const count = sumTo(mask, X.shape, ks);
    const share = new Float64Array(count.length);
    for (let i = 0; i < share.length; i++) share[i] = g[i] / count[i];
    const e = expand(share, ks, X.shape);
    for (let i = 0; i < mask.length; i++) mask[i] *= e[i];
    return [mask];
  });
}

/**
 * Maximum over `axis`. VJP: the cotangent goes to the maximal entries, split evenly among
 * ties (torch `amax` semantics).
 *
 * @example
 * ```ts
 * import { max, tensor } from "@parsimony/parsimony/autodiff";
 * max(tensor([[1, 5], [7, 2]]), 1).toArray(); // => [5, 7]
 * ```
 */
export function max(x: TensorLike, axis?: number | readonly number[], keepdims = false): Tensor {
  return extreme("max", 1, x, axis, keepdims);
}

/**
 * Minimum over `axis`. VJP: the cotangent goes to the minimal entries, split among ties.
 *
 * @example
 * ```ts
 * import { min, tensor } from "@parsimony/parsimony/autodiff";
 * min(tensor([[1, 5], [7, 2]]), 0).toArray(); // => [1, 2]
 * ```
 */
export function min(x: TensorLike, axis?: number | readonly number[], keepdims = false): Tensor {
  return extreme("min", -1, x, axis, keepdims);
}

/**
 * log Σ exp(x) over `axis`, max-shifted (exact for ±1e308, −∞ entries allowed).
 * VJP: g·softmax(x) along the reduced axes, i.e. g·exp(x − lse).
 *
 * @example
 * ```ts
 * import { logsumexp, tensor } from "@parsimony/parsimony/autodiff";
 * logsumexp(tensor([1000, 1000])).item(); // => 1000 + Math.LN2
 * ```
 */
export function logsumexp(x: TensorLike, axis?: number | readonly number[], keepdims = false): Tensor {
  const D = deviceOps();
  if (D !== null) return D.logsumexp(x, axis, keepdims);
  const X = asTensor(x, "logsumexp", "x");
  const axes = normAxes(axis, X.rank, "logsumexp");
  const ks = keepShape(X.shape, axes);
  // LSE over several axes = LSE over one axis after another (associative)
  let cur: Float64Array = X.data, shape = X.shape.slice();
  for (const a of axes) {
    const next = keepShape(shape, [a]);
    const r = new Float64Array(shapeSize(next));
    const src = cur;
    forEachLine(shape, a, (off, n, stride, line) => {
      r[line] = lseStrided(src, off, n, stride);
    });
    cur = r, shape = next;
  }
  const lse = cur === X.data ? cur.slice() : cur;
  return record(new Tensor(lse, reducedShape(X.shape, axes, keepdims)), [X], (g) => {
    const l = expand(lse, ks, X.shape), ge = expand(g, ks, X.shape);
    const r = new Float64Array(X.size);
    const xd = X.data;
    for (let i = 0; i < r.length; i++) r[i] = l[i] === -Infinity ? 0 : ge[i] * Math.exp(xd[i] - l[i]);
    return [r];
  });
}
