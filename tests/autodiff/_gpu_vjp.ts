/**
 * Shared by the GPU autodiff tests: run a function of tensors on the device (one traced step,
 * seeded with a given cotangent) and on the f64 CPU engine, and the f32 error-analysis helpers
 * the tolerances are written with (u = 2⁻²⁴).
 */
import { DeviceSession } from "../../lib/autodiff/_device_session.ts";
import { DeviceTensor } from "../../lib/autodiff/_device_tensor.ts";
import * as ad from "../../lib/autodiff/mod.ts";
import type { Tensor } from "../../lib/autodiff/mod.ts";
import { gpu } from "../../lib/gpu/mod.ts";

export { U } from "../gpu/_gpu.ts";
import { U } from "../gpu/_gpu.ts";

/** Output and input cotangents of `f` at `inputs` for the output cotangent `cot`. */
export interface VjpValues {
  /** f(inputs), flat. */
  readonly out: Float64Array;
  /** One cotangent per input (zeros where f does not depend on it). */
  readonly grads: Float64Array[];
}

/**
 * Trace `f` on the GPU (inputs uploaded as leaves), record the reverse sweep seeded with `cot`,
 * run it as one submission and read everything back.
 *
 * @returns the output and the input cotangents (f32 values in f64)
 */
export async function gpuVjp(f: (...xs: Tensor[]) => Tensor, inputs: Tensor[], cot: Tensor): Promise<VjpValues> {
  const dev = await gpu.device();
  const s = new DeviceSession(dev);
  try {
    const leaves = inputs.map((x) => s.bind(x));
    const out = s.trace(() => f(...inputs));
    if (!(out instanceof DeviceTensor)) throw new Error("f did not run on the device");
    const grads = s.backward(out, leaves, cot);
    const reads = [out.buf!, ...grads.filter((g) => g !== null).map((g) => g!.buf!)];
    const back = await s.batch!.run(reads);
    let k = 1;
    return {
      out: back[0].slice(0, out.size),
      grads: inputs.map((x, i) => (grads[i] ? back[k++].slice(0, x.size) : new Float64Array(x.size))),
    };
  } finally {
    s.release();
  }
}

/** The same on the f64 CPU engine. */
export function cpuVjp(f: (...xs: Tensor[]) => Tensor, inputs: Tensor[], cot: Tensor): VjpValues {
  const { out, vjp } = ad.vjp(f, ...inputs);
  return { out: out.data.slice(), grads: vjp(cot).map((g) => g.data.slice()) };
}

/** Entrywise |x| as a tensor of the same shape. */
export function absT(x: Tensor): Tensor {
  return new ad.Tensor(x.data.map(Math.abs), x.shape);
}

/**
 * Error bound of a sum of `count` terms computed by lib/gpu's reductions, relative to the sum of
 * their magnitudes: row sums (4 + log₂ WG ≤ 12)u, column sums 7u, a two-stage middle-block sum
 * ≤ 12u + 7u; with the n·u² term: (20 + count·u)·u.
 */
export function reduceRel(count: number): number {
  return (20 + count * U) * U;
}

/** Σ|x| over everything. */
export function absSum(x: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < x.length; i++) s += Math.abs(x[i]);
  return s;
}

/** Map an entrywise bound over indices. */
export function each(n: number, f: (i: number) => number): Float64Array {
  return Float64Array.from({ length: n }, (_, i) => f(i));
}
