/**
 * Regions and values outside differentiation: `noGrad` (torch `no_grad`) and `detach`
 * (JAX `stop_gradient`).
 *
 * @module
 */

import { pauseRecording, resumeRecording } from "./_tape.ts";
import { asTensor, Tensor, type TensorLike } from "./tensor.ts";
import { deviceOps } from "./_hook.ts";

/**
 * Run `f` without recording: ops inside produce constants (no tape nodes, no memory kept
 * for the backward pass). Use it for evaluation and for parameter updates.
 *
 * @param f the region
 * @returns what `f` returns
 * @example
 * ```ts
 * import { exp, grad, noGrad, sum, tensor } from "@parsimony/parsimony/autodiff";
 * const g = grad((x: ReturnType<typeof tensor>) => sum(noGrad(() => exp(x))))(tensor([1]));
 * g.toArray(); // => [0]
 * ```
 */
export function noGrad<T>(f: () => T): T {
  pauseRecording();
  try {
    return f();
  } finally {
    resumeRecording();
  }
}

/**
 * The same values, cut from the tape (a constant to differentiation; shares the data).
 * JAX calls this `stop_gradient`.
 *
 * @example
 * ```ts
 * import { detach, grad, mul, sum, tensor } from "@parsimony/parsimony/autodiff";
 * grad((x: ReturnType<typeof tensor>) => sum(mul(x, detach(x))))(tensor([3])).toArray(); // => [3]
 * ```
 */
export function detach(x: TensorLike): Tensor {
  const D = deviceOps();
  if (D !== null) return D.detach(x);
  const X = asTensor(x, "detach", "x");
  return new Tensor(X.data, X.shape);
}
