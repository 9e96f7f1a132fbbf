/**
 * The reverse-mode engine (JAX `vjp`): run `f` once while recording, and return its output
 * with a function that maps an output cotangent to the input cotangents.
 * {@linkcode valueAndGrad} seeds it with 1 and {@linkcode grad} drops the value.
 *
 * @module
 */

import { ShapeError, TypeMismatchError } from "../core/errors.ts";
import { describeValue } from "../core/errors.ts";
import { backward, trace } from "./_tape.ts";
import { expand } from "./_kernels.ts";
import { asTensor, Tensor, type TensorLike } from "./tensor.ts";

/** What {@linkcode vjp} returns. */
export interface VjpResult {
  /** f(primals). */
  readonly out: Tensor;
  /**
   * Map a cotangent of `out` (same shape, or a number broadcast to it) to one cotangent per
   * primal (zeros for a primal `out` does not depend on). May be called several times.
   */
  readonly vjp: (cotangent: TensorLike) => Tensor[];
}

/**
 * Vector–Jacobian product of `f` at `primals` (reverse mode): evaluates `out = f(...primals)`
 * once, recording a tape, and returns `vjp(v) = vᵀ·∂f/∂primals` for any cotangent `v`.
 *
 * @param f function of tensors to a tensor
 * @param primals points to differentiate at (tracked by identity: the same tensor object
 *   used twice is one variable)
 * @returns the output and the VJP function
 * @throws {TypeMismatchError} when a primal is not a tensor or `f` does not return one
 * @example
 * ```ts
 * import { mul, tensor, vjp } from "@parsimony/parsimony/autodiff";
 * const { out, vjp: back } = vjp((x) => mul(x, x), tensor([3]));
 * out.toArray(); // => [9]
 * back(1)[0].toArray(); // => [6]
 * ```
 */
export function vjp(f: (...primals: Tensor[]) => Tensor, ...primals: Tensor[]): VjpResult {
  primals.forEach((p, i) => {
    if (!(p instanceof Tensor)) {
      throw new TypeMismatchError({ fn: "vjp", arg: `primals[${i}]`, expected: "a Tensor", got: describeValue(p) });
    }
  });
  let slots: number[] = [];
  const { tape, result: out } = trace(primals, () => {
    slots = primals.map((p) => p._slot);
    return f(...primals);
  });
  if (!(out instanceof Tensor)) {
    throw new TypeMismatchError({
      fn: "vjp",
      arg: "f",
      expected: "a function returning a Tensor",
      got: describeValue(out),
    });
  }
  const tracked = out._tape === tape.id;
  const outSlot = out._slot;
  return {
    out,
    vjp: (cotangent: TensorLike): Tensor[] => {
      const ct = asTensor(cotangent, "vjp", "cotangent");
      if (ct.size !== 1 && ct.size !== out.size) {
        throw new ShapeError({
          fn: "vjp",
          arg: "cotangent",
          expected: `shape [${out.shape}] (as the output) or a scalar`,
          got: `[${ct.shape}]`,
        });
      }
      const seed = ct.size === out.size ? ct.data.slice() : expand(ct.data, [1], [out.size]);
      const gs = tracked ? backward(tape, outSlot, seed, slots) : slots.map(() => null);
      // copy: a cotangent may alias saved forward values or the seed
      return primals.map((p, i) => new Tensor(gs[i] ? gs[i]!.slice() : new Float64Array(p.size), p.shape));
    },
  };
}
