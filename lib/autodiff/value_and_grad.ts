/**
 * `valueAndGrad`: the value of a scalar function and its gradient with respect to a set of
 * parameters, by one reverse sweep seeded with 1 (JAX `value_and_grad`).
 *
 * @module
 */

import { describeValue, ShapeError, TypeMismatchError } from "../core/errors.ts";
import { vjp } from "./vjp.ts";
import { Tensor } from "./tensor.ts";

/** Parameters to differentiate: one tensor, an array of tensors, or a record of named tensors. */
export type Params = Tensor | readonly Tensor[] | { readonly [name: string]: Tensor };

/** What {@linkcode valueAndGrad} returns. */
export interface ValueAndGrad<P extends Params> {
  /** f(params) as a number. */
  readonly value: number;
  /** ∂f/∂params, in the same structure as `params` (zeros where f does not depend on a parameter). */
  readonly grads: P;
  /** The scalar output tensor itself. */
  readonly output: Tensor;
}

/** Flatten a {@linkcode Params} structure to a list, with a function that rebuilds it. */
export function flattenParams<P extends Params>(
  params: P,
  fn: string,
): { list: Tensor[]; rebuild: (ts: Tensor[]) => P } {
  if (params instanceof Tensor) return { list: [params], rebuild: (ts) => ts[0] as P };
  if (Array.isArray(params)) {
    params.forEach((p, i) => {
      if (!(p instanceof Tensor)) {
        throw new TypeMismatchError({ fn, arg: `params[${i}]`, expected: "a Tensor", got: describeValue(p) });
      }
    });
    return { list: params.slice(), rebuild: (ts) => ts as unknown as P };
  }
  if (params === null || typeof params !== "object") {
    throw new TypeMismatchError({
      fn,
      arg: "params",
      expected: "a Tensor, an array of tensors or a record of tensors",
      got: describeValue(params),
    });
  }
  const keys = Object.keys(params);
  const rec = params as { readonly [name: string]: Tensor };
  keys.forEach((k) => {
    if (!(rec[k] instanceof Tensor)) {
      throw new TypeMismatchError({ fn, arg: `params.${k}`, expected: "a Tensor", got: describeValue(rec[k]) });
    }
  });
  return {
    list: keys.map((k) => rec[k]),
    rebuild: (ts) => Object.fromEntries(keys.map((k, i) => [k, ts[i]])) as unknown as P,
  };
}

/**
 * Value and gradient of a scalar function: f(params) and ∂f/∂params.
 *
 * `f` receives `params` and may also reach the same tensors through a closure (a model's
 * layers): tensors are tracked by identity. First-order only; a `valueAndGrad` nested in
 * `f` records on its own tape and is a constant to the outer one.
 *
 * @param f function returning a one-element tensor (the loss)
 * @param params a tensor, an array of tensors or a record of named tensors
 * @returns `{ value, grads, output }`, `grads` shaped like `params`
 * @throws {ShapeError} when `f` returns more than one entry
 * @throws {TypeMismatchError} when `params` holds something other than tensors
 * @example
 * ```ts
 * import { matmul, sum, square, tensor, valueAndGrad } from "@parsimony/parsimony/autodiff";
 * const w = tensor([[1], [2]]);
 * const x = tensor([[1, 1]]);
 * const { value, grads } = valueAndGrad((p) => sum(square(matmul(x, p.w))), { w });
 * value; // => 9
 * grads.w.toArray(); // => [[6], [6]]
 * ```
 */
export function valueAndGrad<P extends Params>(f: (params: P) => Tensor, params: P): ValueAndGrad<P> {
  const { list, rebuild } = flattenParams(params, "valueAndGrad");
  const { out, vjp: back } = vjp(() => f(params), ...list);
  if (!(out instanceof Tensor) || out.size !== 1) {
    throw new ShapeError({
      fn: "valueAndGrad",
      arg: "f",
      expected: "a function returning a one-element tensor",
      got: out instanceof Tensor ? `shape [${out.shape}]` : describeValue(out),
    });
  }
  return { value: out.data[0], grads: rebuild(back(1)), output: out };
}
