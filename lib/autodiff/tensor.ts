/**
 * The value type of the autodiff engine: a dense f64 tensor of rank 0–4, row-major.
 *
 * A tensor is a shape plus a `Float64Array`. Operations never modify their inputs; only
 * optimizers write into a parameter's `data` in place (between gradient evaluations).
 * Tape bookkeeping (which recording a tensor belongs to) lives in two internal fields
 * managed by `_tape.ts`.
 *
 * @module
 */

import { describeValue, NonFiniteError, ShapeError, TypeMismatchError } from "../core/errors.ts";
import { Matrix } from "../core/matrix.ts";
import { Rng } from "../core/rng.ts";
import { deviceOps } from "./_hook.ts";

/** Largest rank the engine supports (batch × channel × height × width). */
export const MAX_RANK = 4;

/** A nested array of numbers up to depth 4, or a number. */
export type NestedArray = number | readonly number[] | readonly NestedArray[];

/** What the op functions accept where a tensor is expected: a tensor or a plain number (a scalar). */
export type TensorLike = Tensor | number;

/**
 * Dense row-major f64 tensor of rank 0–4.
 *
 * @example
 * ```ts
 * import { tensor } from "@parsimony/parsimony/autodiff";
 * const x = tensor([[1, 2, 3], [4, 5, 6]]);
 * x.shape; // => [2, 3]
 * x.get(1, 2); // => 6
 * ```
 */
export class Tensor {
  /** Dimensions, outermost first; `[]` for a scalar. */
  readonly shape: readonly number[];
  /** Number of entries, the product of `shape`. */
  readonly size: number;
  /** Row-major storage of length `size` (may be shared with a reshaped view). */
  readonly data: Float64Array;
  /** @internal id of the tape that tracks this tensor (0 = none). */
  _tape = 0;
  /** @internal slot of this tensor on that tape. */
  _slot = -1;

  /**
   * Wrap `data` (no copy) with a shape; the shape is trusted to match (use {@linkcode tensor}
   * for validated construction).
   *
   * @param data row-major entries
   * @param shape dimensions (product must equal `data.length`)
   */
  constructor(data: Float64Array, shape: readonly number[]) {
    this.data = data;
    this.shape = Object.freeze(shape.slice());
    this.size = data.length;
  }

  /** Number of dimensions. */
  get rank(): number {
    return this.shape.length;
  }

  /**
   * The single entry of a one-element tensor as a number.
   *
   * @throws {ShapeError} when the tensor has more than one entry
   */
  item(): number {
    if (this.size !== 1) {
      throw new ShapeError({
        fn: "Tensor.item",
        arg: "this",
        expected: "a one-element tensor",
        got: `shape [${this.shape}]`,
      });
    }
    return this.data[0];
  }

  /** Entry at a full multi-index (no bounds check beyond the rank). */
  get(...index: number[]): number {
    let off = 0;
    for (let d = 0; d < this.shape.length; d++) off = off * this.shape[d] + (index[d] ?? 0);
    return this.data[off];
  }

  /** Nested `number[]` copy (a number for a scalar). */
  toArray(): NestedArray {
    const build = (dim: number, off: number): NestedArray => {
      if (dim === this.shape.length) return this.data[off];
      const n = this.shape[dim];
      let stride = 1;
      for (let d = dim + 1; d < this.shape.length; d++) stride *= this.shape[d];
      const out: NestedArray[] = [];
      for (let i = 0; i < n; i++) out.push(build(dim + 1, off + i * stride));
      return out as NestedArray;
    };
    return build(0, 0);
  }

  /**
   * View a rank-2 tensor as a {@linkcode Matrix} (shares the data).
   *
   * @throws {ShapeError} when the rank is not 2
   */
  toMatrix(): Matrix {
    if (this.shape.length !== 2) {
      throw new ShapeError({ fn: "Tensor.toMatrix", arg: "this", expected: "rank 2", got: `shape [${this.shape}]` });
    }
    return new Matrix(this.shape[0], this.shape[1], this.data);
  }

  /** Short description with the shape and the first entries. */
  toString(): string {
    const head = Array.from(this.data.subarray(0, 6), (v) => Number(v.toPrecision(6))).join(", ");
    return `Tensor [${this.shape.join("×")}] (${head}${this.size > 6 ? ", …" : ""})`;
  }
}

/** Product of a shape's dimensions (1 for the scalar shape). */
export function shapeSize(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

/** Validate a shape: integers ≥ 0, rank ≤ 4. */
export function checkShape(shape: unknown, fn: string, arg: string): number[] {
  if (!Array.isArray(shape)) {
    throw new TypeMismatchError({ fn, arg, expected: "an array of dimensions", got: describeValue(shape) });
  }
  if (shape.length > MAX_RANK) {
    throw new ShapeError({ fn, arg, expected: `rank ≤ ${MAX_RANK}`, got: `rank ${shape.length}` });
  }
  for (let i = 0; i < shape.length; i++) {
    const d = shape[i];
    if (!Number.isInteger(d) || d < 0) {
      throw new ShapeError({ fn, arg: `${arg}[${i}]`, expected: "a non-negative integer", got: describeValue(d) });
    }
  }
  return shape.slice();
}

function rejectNaN(data: Float64Array, fn: string, arg: string): void {
  for (let i = 0; i < data.length; i++) {
    if (Number.isNaN(data[i])) {
      throw new NonFiniteError({
        fn,
        arg: `${arg}[${i}]`,
        expected: "a number (±Infinity allowed, NaN not)",
        got: "NaN",
      });
    }
  }
}

/**
 * Build a tensor from a number, a nested array (rank ≤ 4), a {@linkcode Matrix}, or a flat
 * array with an explicit shape. The data is copied.
 *
 * @param x values
 * @param shape dimensions when `x` is flat (default: inferred)
 * @returns a new tensor
 * @throws {ShapeError} ragged nesting, rank > 4, or a flat length that does not match `shape`
 * @throws {NonFiniteError} for a NaN entry
 * @example
 * ```ts
 * import { tensor } from "@parsimony/parsimony/autodiff";
 * tensor(3).shape; // => []
 * tensor([1, 2, 3, 4], [2, 2]).toArray(); // => [[1, 2], [3, 4]]
 * ```
 */
export function tensor(x: NestedArray | Float64Array | Matrix | Tensor, shape?: readonly number[]): Tensor {
  const fn = "tensor";
  if (x instanceof Tensor) return new Tensor(x.data.slice(), shape ? checkShape(shape, fn, "shape") : x.shape);
  if (x instanceof Matrix) return tensor(x.data, shape ?? [x.rows, x.cols]);
  if (typeof x === "number") {
    const t = new Tensor(new Float64Array([x]), shape ? checkShape(shape, fn, "shape") : []);
    if (t.size !== 1) throw new ShapeError({ fn, arg: "shape", expected: "size 1 for a number", got: `[${shape}]` });
    rejectNaN(t.data, fn, "x");
    return t;
  }
  if (ArrayBuffer.isView(x) || (Array.isArray(x) && (x.length === 0 || typeof x[0] === "number") && shape)) {
    const data = Float64Array.from(x as ArrayLike<number>);
    const s = shape ? checkShape(shape, fn, "shape") : [data.length];
    if (shapeSize(s) !== data.length) {
      throw new ShapeError({
        fn,
        arg: "shape",
        expected: `size ${data.length} (the length of x)`,
        got: `[${s}] (size ${shapeSize(s)})`,
      });
    }
    rejectNaN(data, fn, "x");
    return new Tensor(data, s);
  }
  if (!Array.isArray(x)) {
    throw new TypeMismatchError({
      fn,
      arg: "x",
      expected: "a number, nested array, Float64Array, Matrix or Tensor",
      got: describeValue(x),
    });
  }
  // infer the shape from the first element at each depth, then check every branch
  const inferred: number[] = [];
  let probe: unknown = x;
  while (Array.isArray(probe)) {
    inferred.push(probe.length);
    probe = probe[0];
  }
  if (inferred.length > MAX_RANK) {
    throw new ShapeError({ fn, arg: "x", expected: `rank ≤ ${MAX_RANK}`, got: `rank ${inferred.length}` });
  }
  const data = new Float64Array(shapeSize(inferred));
  let k = 0;
  const walk = (v: unknown, depth: number, path: string): void => {
    if (depth === inferred.length) {
      if (typeof v !== "number") {
        throw new TypeMismatchError({ fn, arg: `x${path}`, expected: "a number", got: describeValue(v) });
      }
      data[k++] = v;
      return;
    }
    if (!Array.isArray(v) || v.length !== inferred[depth]) {
      throw new ShapeError({
        fn,
        arg: `x${path}`,
        expected: `an array of length ${inferred[depth]}`,
        got: describeValue(v),
      });
    }
    for (let i = 0; i < v.length; i++) walk(v[i], depth + 1, `${path}[${i}]`);
  };
  walk(x, 0, "");
  const t = new Tensor(data, shape ? checkShape(shape, fn, "shape") : inferred);
  if (t.size !== data.length) {
    throw new ShapeError({ fn, arg: "shape", expected: `size ${data.length}`, got: `[${shape}]` });
  }
  rejectNaN(data, fn, "x");
  return t;
}

/**
 * Tensor of zeros.
 *
 * @example
 * ```ts
 * import { zeros } from "@parsimony/parsimony/autodiff";
 * zeros([2, 3]).size; // => 6
 * ```
 */
export function zeros(shape: readonly number[]): Tensor {
  const s = checkShape(shape, "zeros", "shape");
  return new Tensor(new Float64Array(shapeSize(s)), s);
}

/**
 * Tensor filled with one value.
 *
 * @example
 * ```ts
 * import { full } from "@parsimony/parsimony/autodiff";
 * full([2], 7).toArray(); // => [7, 7]
 * ```
 */
export function full(shape: readonly number[], value: number): Tensor {
  const s = checkShape(shape, "full", "shape");
  if (Number.isNaN(value)) throw new NonFiniteError({ fn: "full", arg: "value", expected: "not NaN", got: "NaN" });
  return new Tensor(new Float64Array(shapeSize(s)).fill(value), s);
}

/**
 * Tensor of ones.
 *
 * @example
 * ```ts
 * import { ones } from "@parsimony/parsimony/autodiff";
 * ones([3]).toArray(); // => [1, 1, 1]
 * ```
 */
export function ones(shape: readonly number[]): Tensor {
  return full(shape, 1);
}

/**
 * Standard normal entries from a seeded {@linkcode Rng} (or a seed).
 *
 * @param shape dimensions
 * @param rng an `Rng` to draw from, or an integer seed
 * @example
 * ```ts
 * import { randn } from "@parsimony/parsimony/autodiff";
 * randn([2, 2], 0).shape; // => [2, 2]
 * ```
 */
export function randn(shape: readonly number[], rng: Rng | number): Tensor {
  const s = checkShape(shape, "randn", "shape");
  const r = typeof rng === "number" ? new Rng(rng) : rng;
  return new Tensor(r.normalArray(shapeSize(s)), s);
}

/**
 * Uniform entries on [low, high) from a seeded {@linkcode Rng} (or a seed).
 *
 * @example
 * ```ts
 * import { randu } from "@parsimony/parsimony/autodiff";
 * randu([3], 1, -1, 1).data.every((v) => v >= -1 && v < 1); // => true
 * ```
 */
export function randu(shape: readonly number[], rng: Rng | number, low = 0, high = 1): Tensor {
  const s = checkShape(shape, "randu", "shape");
  const r = typeof rng === "number" ? new Rng(rng) : rng;
  return new Tensor(r.uniformArray(shapeSize(s), low, high), s);
}

/** Convert a {@linkcode TensorLike} argument (numbers become scalars). */
export function asTensor(x: unknown, fn: string, arg: string): Tensor {
  if (x instanceof Tensor) {
    // tracing a GPU step: an op without a device implementation cannot take device values
    const D = deviceOps();
    if (D !== null && D.owns(x)) throw D.unsupported(fn);
    return x;
  }
  if (typeof x === "number") return new Tensor(new Float64Array([x]), []);
  throw new TypeMismatchError({ fn, arg, expected: "a Tensor or a number", got: describeValue(x) });
}
