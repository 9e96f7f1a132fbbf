/**
 * Custom operations with their own backward pass (JAX `custom_vjp`, torch
 * `autograd.Function`): surrogate-gradient spikes, straight-through estimators, max-plus
 * units, implicit-function VJPs of fixed-point solvers.
 *
 * ## How to add an op
 * ```ts
 * import { customVjp, grad, sum, Tensor, tensor } from "@parsimony/parsimony/autodiff";
 * // sign(x) forward, straight-through backward clipped to |x| ≤ 1 (BinaryConnect style)
 * const signSte = customVjp<Tensor>(
 *   "signSte",
 *   (x) => ({ out: new Tensor(x.data.map((v) => (v >= 0 ? 1 : -1)), x.shape), residuals: x }),
 *   (g, x) => [new Tensor(g.data.map((gi, i) => (Math.abs(x.data[i]) <= 1 ? gi : 0)), x.shape)],
 * );
 * grad((x: Tensor) => sum(signSte(x)))(tensor([0.5, -3])).toArray(); // => [1, 0]
 * ```
 * - `fwd(...inputs)` computes the output (and optional residuals saved for the backward
 *   pass). It runs with recording off, so it may use any tensor op or plain loops over
 *   `x.data`; what it computes inside is not differentiated.
 * - `bwd(g, residuals, inputs, needs)` receives the output cotangent `g` (a tensor shaped
 *   like the output) and returns one cotangent per input: a tensor of that input's shape,
 *   a number (broadcast), or `null` (no gradient). It also runs with recording off.
 * - The returned function takes tensors or numbers and records one tape node per call.
 *
 * `checkGrads` verifies a custom op against central differences when its backward is meant
 * to be the true derivative; a surrogate or straight-through backward deliberately differs.
 *
 * @module
 */

import { describeValue, ShapeError, TypeMismatchError } from "../core/errors.ts";
import { pauseRecording, record, resumeRecording } from "./_tape.ts";
import { asTensor, Tensor, type TensorLike } from "./tensor.ts";

/** What a custom op's forward returns. */
export interface CustomForward<R> {
  /** The op's output. */
  readonly out: Tensor;
  /** Anything the backward pass needs (saved tensors, masks, constants). */
  readonly residuals?: R;
}

/** A custom op's backward: one cotangent (tensor, number or null) per input. */
export type CustomBackward<R> = (
  g: Tensor,
  residuals: R,
  inputs: readonly Tensor[],
  needs: readonly boolean[],
) => readonly (Tensor | number | null)[];

/**
 * Define a differentiable op from a forward and a hand-written backward (VJP).
 *
 * @param name op name (used in error messages)
 * @param fwd forward: inputs → `{ out, residuals? }`
 * @param bwd backward: (g, residuals, inputs, needs) → cotangents, one per input
 * @returns the op, callable on tensors or numbers
 * @throws {ShapeError} (when the backward runs) if a returned cotangent has the wrong size
 * @example
 * ```ts
 * import { customVjp, grad, sum, Tensor, tensor } from "@parsimony/parsimony/autodiff";
 * // Heaviside spike forward; backward = derivative of σ(10·v) (a surrogate gradient)
 * const spike = customVjp<Tensor>(
 *   "spike",
 *   (v) => ({ out: new Tensor(v.data.map((x) => (x > 0 ? 1 : 0)), v.shape), residuals: v }),
 *   (g, v) => [new Tensor(g.data.map((gi, i) => {
 *     const s = 1 / (1 + Math.exp(-10 * v.data[i]));
 *     return gi * 10 * s * (1 - s);
 *   }), v.shape)],
 * );
 * spike(tensor([0.3, -0.2])).toArray(); // => [1, 0]
 * grad((v: Tensor) => sum(spike(v)))(tensor([0])).toArray(); // => [2.5]
 * ```
 */
export function customVjp<R = undefined>(
  name: string,
  fwd: (...inputs: Tensor[]) => CustomForward<R>,
  bwd: CustomBackward<R>,
): (...inputs: TensorLike[]) => Tensor {
  if (typeof fwd !== "function") {
    throw new TypeMismatchError({ fn: "customVjp", arg: "fwd", expected: "a function", got: describeValue(fwd) });
  }
  if (typeof bwd !== "function") {
    throw new TypeMismatchError({ fn: "customVjp", arg: "bwd", expected: "a function", got: describeValue(bwd) });
  }
  return (...args: TensorLike[]): Tensor => {
    const inputs = args.map((a, i) => asTensor(a, name, `inputs[${i}]`));
    pauseRecording();
    let res: CustomForward<R>;
    try {
      res = fwd(...inputs);
    } finally {
      resumeRecording();
    }
    if (!res || !(res.out instanceof Tensor)) {
      throw new TypeMismatchError({
        fn: name,
        arg: "fwd",
        expected: "to return { out: Tensor, residuals? }",
        got: describeValue(res),
      });
    }
    // a fresh tensor object: the forward may return one of its inputs unchanged (identity STE)
    const out = new Tensor(res.out.data, res.out.shape);
    const residuals = res.residuals as R;
    return record(out, inputs, (g, needs) => {
      const gs = bwd(new Tensor(g, out.shape), residuals, inputs, needs);
      if (!Array.isArray(gs) || gs.length !== inputs.length) {
        throw new ShapeError({
          fn: name,
          arg: "bwd",
          expected: `to return ${inputs.length} cotangents (one per input)`,
          got: describeValue(gs),
        });
      }
      return gs.map((gi, i) => {
        if (gi === null || gi === undefined || !needs[i]) return null;
        if (typeof gi === "number") return new Float64Array(inputs[i].size).fill(gi);
        if (!(gi instanceof Tensor) || gi.size !== inputs[i].size) {
          throw new ShapeError({
            fn: name,
            arg: `bwd[${i}]`,
            expected: `a cotangent of shape [${inputs[i].shape}]`,
            got: gi instanceof Tensor ? `[${gi.shape}]` : describeValue(gi),
          });
        }
        return gi.data;
      });
    });
  };
}
