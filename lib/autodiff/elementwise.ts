/**
 * Elementwise arithmetic with numpy broadcasting, each forward next to its VJP
 * (JAX `lax.py` style): add, sub, mul, div, pow, minimum, maximum, neg, exp, log, log1p,
 * sqrt, abs, square, clamp, where.
 *
 * Binary ops broadcast their operands to a common shape; the VJP of an operand is the
 * cotangent summed back over the broadcast axes. Plain numbers are accepted as scalars.
 *
 * @module
 */

import { ShapeError, TypeMismatchError } from "../core/errors.ts";
import { describeValue } from "../core/errors.ts";
import { record } from "./_tape.ts";
import { broadcastShapes, expand, sumTo } from "./_kernels.ts";
import { asTensor, Tensor, type TensorLike } from "./tensor.ts";
import { deviceOps } from "./_hook.ts";

type Grads2 = [Float64Array | null, Float64Array | null];

/**
 * Shared body of the binary ops: broadcast, run `fwd` on the expanded operands, record a VJP
 * that maps the output cotangent to full-shape cotangents and sums them back.
 */
function binary(
  name: string,
  a: TensorLike,
  b: TensorLike,
  fwd: (x: Float64Array, y: Float64Array, out: Float64Array) => void,
  bwd: (g: Float64Array, x: Float64Array, y: Float64Array, out: Float64Array, needs: readonly boolean[]) => Grads2,
): Tensor {
  const A = asTensor(a, name, "a"), B = asTensor(b, name, "b");
  const shape = broadcastShapes(A.shape, B.shape, name);
  const x = expand(A.data, A.shape, shape), y = expand(B.data, B.shape, shape);
  const out = new Float64Array(x.length);
  fwd(x, y, out);
  return record(new Tensor(out, shape), [A, B], (g, needs) => {
    const [gx, gy] = bwd(g, x, y, out, needs);
    return [gx && sumTo(gx, shape, A.shape), gy && sumTo(gy, shape, B.shape)];
  });
}

/** Shared body of the unary ops. */
function unary(
  name: string,
  a: TensorLike,
  fwd: (x: Float64Array, out: Float64Array) => void,
  bwd: (g: Float64Array, x: Float64Array, out: Float64Array) => Float64Array,
): Tensor {
  const A = asTensor(a, name, "x");
  const out = new Float64Array(A.size);
  fwd(A.data, out);
  const x = A.data;
  return record(new Tensor(out, A.shape), [A], (g) => [bwd(g, x, out)]);
}

/** g ⊙ f(i) into a new array. */
function scale(g: Float64Array, f: (i: number) => number): Float64Array {
  const r = new Float64Array(g.length);
  for (let i = 0; i < g.length; i++) r[i] = g[i] * f(i);
  return r;
}

/**
 * a + b (broadcast). VJP: (g, g), each summed to its operand's shape.
 *
 * @example
 * ```ts
 * import { add, tensor } from "@parsimony/parsimony/autodiff";
 * add(tensor([[1, 2], [3, 4]]), tensor([10, 20])).toArray(); // => [[11, 22], [13, 24]]
 * ```
 */
export function add(a: TensorLike, b: TensorLike): Tensor {
  const D = deviceOps();
  if (D !== null) return D.add(a, b);
  // bias fast path: b's shape is a suffix of a's (x·W + b), no expanded copy of b
  if (
    a instanceof Tensor && b instanceof Tensor && b.rank >= 1 && b.rank < a.rank &&
    a.shape.slice(a.rank - b.rank).every((d, i) => d === b.shape[i])
  ) {
    const x = a.data, y = b.data, m = y.length, out = new Float64Array(x.length);
    for (let o = 0; o < x.length; o += m) for (let j = 0; j < m; j++) out[o + j] = x[o + j] + y[j];
    return record(new Tensor(out, a.shape), [a, b], (g, needs) => [g, needs[1] ? sumTo(g, a.shape, b.shape) : null]);
  }
  return binary("add", a, b, (x, y, o) => {
    for (let i = 0; i < o.length; i++) o[i] = x[i] + y[i];
  }, (g) => [g, g]);
}

/**
 * a − b (broadcast). VJP: (g, −g).
 *
 * @example
 * ```ts
 * import { sub, tensor } from "@parsimony/parsimony/autodiff";
 * sub(tensor([3, 4]), 1).toArray(); // => [2, 3]
 * ```
 */
export function sub(a: TensorLike, b: TensorLike): Tensor {
  const D = deviceOps();
  if (D !== null) return D.sub(a, b);
  return binary("sub", a, b, (x, y, o) => {
    for (let i = 0; i < o.length; i++) o[i] = x[i] - y[i];
  }, (g, _x, _y, _o, needs) => [g, needs[1] ? scale(g, () => -1) : null]);
}

/**
 * a ⊙ b (broadcast). VJP: (g ⊙ b, g ⊙ a).
 *
 * @example
 * ```ts
 * import { mul, tensor } from "@parsimony/parsimony/autodiff";
 * mul(tensor([1, 2]), tensor([3, 4])).toArray(); // => [3, 8]
 * ```
 */
export function mul(a: TensorLike, b: TensorLike): Tensor {
  const D = deviceOps();
  if (D !== null) return D.mul(a, b);
  return binary("mul", a, b, (x, y, o) => {
    for (let i = 0; i < o.length; i++) o[i] = x[i] * y[i];
  }, (g, x, y, _o, needs) => [needs[0] ? scale(g, (i) => y[i]) : null, needs[1] ? scale(g, (i) => x[i]) : null]);
}

/**
 * a / b (broadcast). VJP: (g / b, −g·a / b²).
 *
 * @example
 * ```ts
 * import { div, tensor } from "@parsimony/parsimony/autodiff";
 * div(tensor([1, 3]), 2).toArray(); // => [0.5, 1.5]
 * ```
 */
export function div(a: TensorLike, b: TensorLike): Tensor {
  const D = deviceOps();
  if (D !== null) return D.div(a, b);
  return binary("div", a, b, (x, y, o) => {
    for (let i = 0; i < o.length; i++) o[i] = x[i] / y[i];
  }, (g, _x, y, o, needs) => [
    needs[0] ? scale(g, (i) => 1 / y[i]) : null,
    needs[1] ? scale(g, (i) => -o[i] / y[i]) : null,
  ]);
}

/**
 * aᵇ (broadcast). VJP: (g·b·aᵇ⁻¹, g·aᵇ·log a); the exponent's cotangent is 0 where a = 0
 * (the limit for b > 0) and NaN for a < 0 (aᵇ is not differentiable in b there).
 *
 * @example
 * ```ts
 * import { pow, tensor } from "@parsimony/parsimony/autodiff";
 * pow(tensor([2, 3]), 2).toArray(); // => [4, 9]
 * ```
 */
export function pow(a: TensorLike, b: TensorLike): Tensor {
  return binary("pow", a, b, (x, y, o) => {
    for (let i = 0; i < o.length; i++) o[i] = x[i] ** y[i];
  }, (g, x, y, o, needs) => [
    needs[0] ? scale(g, (i) => (y[i] === 0 ? 0 : y[i] * x[i] ** (y[i] - 1))) : null,
    needs[1] ? scale(g, (i) => (x[i] === 0 ? 0 : o[i] * Math.log(x[i]))) : null,
  ]);
}

/**
 * Elementwise min(a, b). VJP: g goes to the smaller operand; on ties it is split in half
 * (as torch does), so the finite-difference derivative is matched on both sides' average.
 *
 * @example
 * ```ts
 * import { minimum, tensor } from "@parsimony/parsimony/autodiff";
 * minimum(tensor([1, 5]), 3).toArray(); // => [1, 3]
 * ```
 */
export function minimum(a: TensorLike, b: TensorLike): Tensor {
  return binary("minimum", a, b, (x, y, o) => {
    for (let i = 0; i < o.length; i++) o[i] = x[i] <= y[i] ? x[i] : y[i];
  }, (g, x, y, _o, needs) => [
    needs[0] ? scale(g, (i) => (x[i] < y[i] ? 1 : x[i] === y[i] ? 0.5 : 0)) : null,
    needs[1] ? scale(g, (i) => (y[i] < x[i] ? 1 : x[i] === y[i] ? 0.5 : 0)) : null,
  ]);
}

/**
 * Elementwise max(a, b). VJP: g goes to the larger operand, split in half on ties.
 *
 * @example
 * ```ts
 * import { maximum, tensor } from "@parsimony/parsimony/autodiff";
 * maximum(tensor([1, 5]), 3).toArray(); // => [3, 5]
 * ```
 */
export function maximum(a: TensorLike, b: TensorLike): Tensor {
  return binary("maximum", a, b, (x, y, o) => {
    for (let i = 0; i < o.length; i++) o[i] = x[i] >= y[i] ? x[i] : y[i];
  }, (g, x, y, _o, needs) => [
    needs[0] ? scale(g, (i) => (x[i] > y[i] ? 1 : x[i] === y[i] ? 0.5 : 0)) : null,
    needs[1] ? scale(g, (i) => (y[i] > x[i] ? 1 : x[i] === y[i] ? 0.5 : 0)) : null,
  ]);
}

/**
 * −x. VJP: −g.
 *
 * @example
 * ```ts
 * import { neg, tensor } from "@parsimony/parsimony/autodiff";
 * neg(tensor([1, -2])).toArray(); // => [-1, 2]
 * ```
 */
export function neg(x: TensorLike): Tensor {
  const D = deviceOps();
  if (D !== null) return D.neg(x);
  return unary("neg", x, (a, o) => {
    for (let i = 0; i < o.length; i++) o[i] = -a[i];
  }, (g) => scale(g, () => -1));
}

/**
 * eˣ. VJP: g·eˣ.
 *
 * @example
 * ```ts
 * import { exp, tensor } from "@parsimony/parsimony/autodiff";
 * exp(tensor([0])).toArray(); // => [1]
 * ```
 */
export function exp(x: TensorLike): Tensor {
  const D = deviceOps();
  if (D !== null) return D.exp(x);
  return unary("exp", x, (a, o) => {
    for (let i = 0; i < o.length; i++) o[i] = Math.exp(a[i]);
  }, (g, _a, o) => scale(g, (i) => o[i]));
}

/**
 * Natural logarithm. VJP: g / x.
 *
 * @example
 * ```ts
 * import { log, tensor } from "@parsimony/parsimony/autodiff";
 * log(tensor([1])).toArray(); // => [0]
 * ```
 */
export function log(x: TensorLike): Tensor {
  const D = deviceOps();
  if (D !== null) return D.log(x);
  return unary("log", x, (a, o) => {
    for (let i = 0; i < o.length; i++) o[i] = Math.log(a[i]);
  }, (g, a) => scale(g, (i) => 1 / a[i]));
}

/**
 * log(1 + x), accurate for small x. VJP: g / (1 + x).
 *
 * @example
 * ```ts
 * import { log1p, tensor } from "@parsimony/parsimony/autodiff";
 * log1p(tensor([1e-20])).toArray(); // => [1e-20]
 * ```
 */
export function log1p(x: TensorLike): Tensor {
  const D = deviceOps();
  if (D !== null) return D.log1p(x);
  return unary("log1p", x, (a, o) => {
    for (let i = 0; i < o.length; i++) o[i] = Math.log1p(a[i]);
  }, (g, a) => scale(g, (i) => 1 / (1 + a[i])));
}

/**
 * √x. VJP: g / (2√x).
 *
 * @example
 * ```ts
 * import { sqrt, tensor } from "@parsimony/parsimony/autodiff";
 * sqrt(tensor([4])).toArray(); // => [2]
 * ```
 */
export function sqrt(x: TensorLike): Tensor {
  const D = deviceOps();
  if (D !== null) return D.sqrt(x);
  return unary("sqrt", x, (a, o) => {
    for (let i = 0; i < o.length; i++) o[i] = Math.sqrt(a[i]);
  }, (g, _a, o) => scale(g, (i) => 0.5 / o[i]));
}

/**
 * |x|. VJP: g·sign(x), with sign(0) = 0 (the subgradient torch and JAX use).
 *
 * @example
 * ```ts
 * import { abs, tensor } from "@parsimony/parsimony/autodiff";
 * abs(tensor([-2, 3])).toArray(); // => [2, 3]
 * ```
 */
export function abs(x: TensorLike): Tensor {
  const D = deviceOps();
  if (D !== null) return D.abs(x);
  return unary("abs", x, (a, o) => {
    for (let i = 0; i < o.length; i++) o[i] = Math.abs(a[i]);
  }, (g, a) => scale(g, (i) => (a[i] > 0 ? 1 : a[i] < 0 ? -1 : 0)));
}

/**
 * x². VJP: 2x·g.
 *
 * @example
 * ```ts
 * import { square, tensor } from "@parsimony/parsimony/autodiff";
 * square(tensor([-3])).toArray(); // => [9]
 * ```
 */
export function square(x: TensorLike): Tensor {
  const D = deviceOps();
  if (D !== null) return D.square(x);
  return unary("square", x, (a, o) => {
    for (let i = 0; i < o.length; i++) o[i] = a[i] * a[i];
  }, (g, a) => scale(g, (i) => 2 * a[i]));
}

/**
 * Clip into [min, max] (either bound may be omitted). VJP: g where min ≤ x ≤ max, else 0
 * (the boundary passes the gradient, as in torch.clamp).
 *
 * @param x input
 * @param min lower bound (default −∞)
 * @param max upper bound (default +∞)
 * @throws {ShapeError} when min > max
 * @example
 * ```ts
 * import { clamp, tensor } from "@parsimony/parsimony/autodiff";
 * clamp(tensor([-2, 0.5, 3]), 0, 1).toArray(); // => [0, 0.5, 1]
 * ```
 */
export function clamp(x: TensorLike, min = -Infinity, max = Infinity): Tensor {
  if (typeof min !== "number" || Number.isNaN(min)) {
    throw new TypeMismatchError({ fn: "clamp", arg: "min", expected: "a number", got: describeValue(min) });
  }
  if (typeof max !== "number" || Number.isNaN(max)) {
    throw new TypeMismatchError({ fn: "clamp", arg: "max", expected: "a number", got: describeValue(max) });
  }
  if (min > max) throw new ShapeError({ fn: "clamp", arg: "max", expected: `≥ min = ${min}`, got: String(max) });
  const D = deviceOps();
  if (D !== null) return D.clamp(x, min, max);
  return unary("clamp", x, (a, o) => {
    for (let i = 0; i < o.length; i++) o[i] = a[i] < min ? min : a[i] > max ? max : a[i];
  }, (g, a) => scale(g, (i) => (a[i] >= min && a[i] <= max ? 1 : 0)));
}

/**
 * Select: cond ? a : b, elementwise with broadcasting. `cond` is not differentiated (any
 * non-zero entry is true). VJP: (g where cond, g where not cond).
 *
 * @param cond condition tensor (or boolean/0-1 array of the broadcast size)
 * @throws {ShapeError} when the three shapes do not broadcast together
 * @example
 * ```ts
 * import { tensor, where } from "@parsimony/parsimony/autodiff";
 * where(tensor([1, 0]), tensor([1, 2]), tensor([9, 9])).toArray(); // => [1, 9]
 * ```
 */
export function where(cond: Tensor | ArrayLike<boolean | number>, a: TensorLike, b: TensorLike): Tensor {
  const C = cond instanceof Tensor
    ? cond
    : new Tensor(Float64Array.from(cond as ArrayLike<number>, Number), [cond.length]);
  const A = asTensor(a, "where", "a"), B = asTensor(b, "where", "b");
  const shape = broadcastShapes(broadcastShapes(C.shape, A.shape, "where", "a"), B.shape, "where", "b");
  const c = expand(C.data, C.shape, shape), x = expand(A.data, A.shape, shape), y = expand(B.data, B.shape, shape);
  const out = new Float64Array(c.length);
  for (let i = 0; i < out.length; i++) out[i] = c[i] !== 0 ? x[i] : y[i];
  return record(new Tensor(out, shape), [A, B], (g, needs) => [
    needs[0] ? sumTo(scale(g, (i) => (c[i] !== 0 ? 1 : 0)), shape, A.shape) : null,
    needs[1] ? sumTo(scale(g, (i) => (c[i] !== 0 ? 0 : 1)), shape, B.shape) : null,
  ]);
}
