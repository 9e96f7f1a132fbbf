/**
 * `grad`: the gradient function of a scalar function (JAX `grad`), i.e. `valueAndGrad`
 * without the value.
 *
 * @module
 */

import { type Params, valueAndGrad } from "./value_and_grad.ts";
import type { Tensor } from "./tensor.ts";

/**
 * Gradient of a scalar function: `grad(f)(x)` = ∂f/∂x, shaped like `x` (a tensor, an array
 * or a record of tensors).
 *
 * @param f function returning a one-element tensor
 * @returns the function x ↦ ∇f(x)
 * @throws {ShapeError} (when called) if `f` returns more than one entry
 * @example
 * ```ts
 * import { grad, sum, square, tensor } from "@parsimony/parsimony/autodiff";
 * grad((x: ReturnType<typeof tensor>) => sum(square(x)))(tensor([1, 2])).toArray(); // => [2, 4]
 * ```
 */
export function grad<P extends Params>(f: (x: P) => Tensor): (x: P) => P {
  return (x: P): P => valueAndGrad(f, x).grads;
}
