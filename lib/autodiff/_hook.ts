/**
 * The seam between the f64 ops and the GPU path. While a GPU step is being traced
 * (`valueAndGradAsync` with backend "gpu", `fitAsync`), a device session is installed here
 * and every op that has a device implementation hands its call over to it on its first line;
 * `asTensor` refuses device values for the ops that have none. Outside a GPU trace the hook
 * is null and the ops run on the CPU as always.
 *
 * This module imports nothing but types, so the CPU engine does not load lib/gpu.
 *
 * @module
 */

import type { LossOptions } from "./loss.ts";
import type { Tensor, TensorLike } from "./tensor.ts";

/** The device implementations of the ops (same signatures as the public ops). */
export interface DeviceOps {
  /** Whether `t` lives on the device in this session (a device tensor, or a bound parameter). */
  owns(t: Tensor): boolean;
  /** The error to throw when an op without a GPU kernel meets a device value. */
  unsupported(op: string): Error;
  add(a: TensorLike, b: TensorLike): Tensor;
  sub(a: TensorLike, b: TensorLike): Tensor;
  mul(a: TensorLike, b: TensorLike): Tensor;
  div(a: TensorLike, b: TensorLike): Tensor;
  neg(x: TensorLike): Tensor;
  exp(x: TensorLike): Tensor;
  log(x: TensorLike): Tensor;
  log1p(x: TensorLike): Tensor;
  sqrt(x: TensorLike): Tensor;
  abs(x: TensorLike): Tensor;
  square(x: TensorLike): Tensor;
  clamp(x: TensorLike, min: number, max: number): Tensor;
  relu(x: TensorLike): Tensor;
  leakyRelu(x: TensorLike, slope: number): Tensor;
  sigmoid(x: TensorLike): Tensor;
  tanh(x: TensorLike): Tensor;
  softplus(x: TensorLike): Tensor;
  matmul(a: TensorLike, b: TensorLike): Tensor;
  linear(x: TensorLike, w: TensorLike, b?: TensorLike): Tensor;
  pairwiseSqDist(x: TensorLike, y?: TensorLike): Tensor;
  sum(x: TensorLike, axis: number | readonly number[] | undefined, keepdims: boolean): Tensor;
  mean(x: TensorLike, axis: number | readonly number[] | undefined, keepdims: boolean): Tensor;
  logsumexp(x: TensorLike, axis: number | readonly number[] | undefined, keepdims: boolean): Tensor;
  softmax(x: TensorLike, axis: number): Tensor;
  logSoftmax(x: TensorLike, axis: number): Tensor;
  crossEntropy(logits: Tensor, target: ArrayLike<number> | Tensor, options?: LossOptions): Tensor;
  mseLoss(pred: TensorLike, target: TensorLike, options?: LossOptions): Tensor;
  reshape(x: TensorLike, shape: readonly number[]): Tensor;
  broadcastTo(x: TensorLike, shape: readonly number[]): Tensor;
  detach(x: TensorLike): Tensor;
}

let active: DeviceOps | null = null;

/** The session tracing a GPU step, or null (ops run on the CPU). */
export function deviceOps(): DeviceOps | null {
  return active;
}

/**
 * Install `ops` (or null) and return what was installed before.
 *
 * @param ops the session, or null
 * @returns the previous value
 */
export function setDeviceOps(ops: DeviceOps | null): DeviceOps | null {
  const prev = active;
  active = ops;
  return prev;
}

/**
 * Thrown while tracing a GPU step when an op has no GPU kernel for its arguments (or code
 * reads the values of a device tensor): the step then runs on the CPU (`"auto"`) or fails
 * with a `BackendError` (forced `"gpu"`).
 */
export class DeviceUnsupportedError extends Error {
  /** The op (and, where it matters, the argument shapes) that has no GPU path. */
  readonly op: string;
  /** @param op what is unsupported @param detail why */
  constructor(op: string, detail = "has no GPU kernel") {
    super(`${op} ${detail}`);
    this.name = "DeviceUnsupportedError";
    this.op = op;
  }
}
