/**
 * Seeded parameter initialisers: Kaiming/He (He et al. 2015) and Xavier/Glorot (Glorot &
 * Bengio 2010), uniform and normal, plus torch's default for `nn.Linear`.
 *
 * Weights are stored [fanIn, fanOut] (y = x·W + b), so fanIn = shape[0], fanOut = shape[1]
 * for a rank-2 weight; for rank > 2 (convolution kernels [out, in, kh, kw] in torch order
 * are not used here) the last axis is fanOut and the rest multiply into fanIn.
 *
 * @module
 */

import { DomainError } from "../core/errors.ts";
import { Rng } from "../core/rng.ts";
import { randn, randu, shapeSize, type Tensor } from "../autodiff/tensor.ts";

/** Names of the built-in initialisers. */
export type InitName = "kaimingUniform" | "kaimingNormal" | "xavierUniform" | "xavierNormal" | "torchDefault";

/** fanIn and fanOut of a weight shape [fanIn, fanOut] (leading axes multiply into fanIn). */
export function fans(shape: readonly number[]): { fanIn: number; fanOut: number } {
  if (shape.length < 2) {
    throw new DomainError({ fn: "fans", arg: "shape", expected: "rank ≥ 2 (a weight)", got: `[${shape}]` });
  }
  const fanOut = shape[shape.length - 1];
  return { fanIn: shapeSize(shape) / fanOut, fanOut };
}

function rngOf(seed: Rng | number): Rng {
  return typeof seed === "number" ? new Rng(seed) : seed;
}

/**
 * Kaiming/He uniform: U(−b, b), b = gain·√(3/fanIn), gain = √2 (ReLU) by default.
 *
 * @param shape weight shape [fanIn, fanOut]
 * @param seed an `Rng` or an integer seed
 * @param gain activation gain (√2 for ReLU, 1 for linear/tanh-ish, √(2/(1+a²)) for leaky ReLU)
 * @example
 * ```ts
 * import { kaimingUniform } from "@parsimony/parsimony/nn";
 * const W = kaimingUniform([6, 4], 0);
 * W.data.every((v) => Math.abs(v) <= 1); // => true
 * ```
 */
export function kaimingUniform(shape: readonly number[], seed: Rng | number, gain: number = Math.SQRT2): Tensor {
  const b = gain * Math.sqrt(3 / fans(shape).fanIn);
  return randu(shape, rngOf(seed), -b, b);
}

/**
 * Kaiming/He normal: N(0, (gain/√fanIn)²).
 *
 * @example
 * ```ts
 * import { kaimingNormal } from "@parsimony/parsimony/nn";
 * kaimingNormal([8, 2], 1).shape; // => [8, 2]
 * ```
 */
export function kaimingNormal(shape: readonly number[], seed: Rng | number, gain: number = Math.SQRT2): Tensor {
  const t = randn(shape, rngOf(seed));
  const s = gain / Math.sqrt(fans(shape).fanIn);
  for (let i = 0; i < t.size; i++) t.data[i] *= s;
  return t;
}

/**
 * Xavier/Glorot uniform: U(−b, b), b = gain·√(6/(fanIn + fanOut)).
 *
 * @example
 * ```ts
 * import { xavierUniform } from "@parsimony/parsimony/nn";
 * xavierUniform([3, 3], 2).data.every((v) => Math.abs(v) <= 1); // => true
 * ```
 */
export function xavierUniform(shape: readonly number[], seed: Rng | number, gain = 1): Tensor {
  const { fanIn, fanOut } = fans(shape);
  const b = gain * Math.sqrt(6 / (fanIn + fanOut));
  return randu(shape, rngOf(seed), -b, b);
}

/**
 * Xavier/Glorot normal: N(0, gain²·2/(fanIn + fanOut)).
 *
 * @example
 * ```ts
 * import { xavierNormal } from "@parsimony/parsimony/nn";
 * xavierNormal([3, 5], 3).size; // => 15
 * ```
 */
export function xavierNormal(shape: readonly number[], seed: Rng | number, gain = 1): Tensor {
  const { fanIn, fanOut } = fans(shape);
  const t = randn(shape, rngOf(seed));
  const s = gain * Math.sqrt(2 / (fanIn + fanOut));
  for (let i = 0; i < t.size; i++) t.data[i] *= s;
  return t;
}

/**
 * torch's default for `nn.Linear` weights: U(−1/√fanIn, 1/√fanIn) (Kaiming uniform with
 * a = √5). Its biases use the same bound.
 *
 * @example
 * ```ts
 * import { torchDefault } from "@parsimony/parsimony/nn";
 * torchDefault([4, 2], 0).data.every((v) => Math.abs(v) <= 0.5); // => true
 * ```
 */
export function torchDefault(shape: readonly number[], seed: Rng | number): Tensor {
  const b = 1 / Math.sqrt(fans(shape).fanIn);
  return randu(shape, rngOf(seed), -b, b);
}

/** The initialiser called `name`. */
export const INITIALIZERS: Readonly<Record<InitName, (shape: readonly number[], seed: Rng | number) => Tensor>> = Object
  .freeze({
    kaimingUniform: (s: readonly number[], r: Rng | number) => kaimingUniform(s, r),
    kaimingNormal: (s: readonly number[], r: Rng | number) => kaimingNormal(s, r),
    xavierUniform: (s: readonly number[], r: Rng | number) => xavierUniform(s, r),
    xavierNormal: (s: readonly number[], r: Rng | number) => xavierNormal(s, r),
    torchDefault,
  });
