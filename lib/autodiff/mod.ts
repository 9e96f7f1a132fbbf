/**
 * `@parsimony/parsimony/autodiff` — reverse-mode automatic differentiation over f64 tensors,
 * layered like JAX: every primitive's VJP sits in the same file as its forward, `vjp` is the
 * engine, `valueAndGrad` seeds it with 1, `grad` drops the value.
 *
 * | piece | file | what |
 * |---|---|---|
 * | {@linkcode Tensor}, {@linkcode tensor}, {@linkcode zeros}, {@linkcode randn}, … | `tensor.ts` | rank 0–4 row-major `Float64Array` tensors |
 * | {@linkcode vjp} | `vjp.ts` | the engine: output + vector–Jacobian product |
 * | {@linkcode valueAndGrad} | `value_and_grad.ts` | value and gradient w.r.t. a tensor, array or record of tensors |
 * | {@linkcode valueAndGradAsync}, {@linkcode GPU_OPS}, {@linkcode AUTODIFF_GPU_THRESHOLDS} | `value_and_grad_async.ts`, `_device_session.ts`, `_device_backend.ts` | the same on a WebGPU device (f32): one traced step, one submission, one readback |
 * | {@linkcode grad} | `grad.ts` | gradient function |
 * | {@linkcode noGrad}, {@linkcode detach} | `no_grad.ts` | regions and values outside differentiation |
 * | {@linkcode customVjp} | `custom.ts` | user ops with their own backward (surrogate spikes, straight-through, max-plus) |
 * | {@linkcode checkGrads} | `check_grads.ts` | gradients vs central finite differences |
 * | {@linkcode add}, {@linkcode mul}, {@linkcode pow}, {@linkcode exp}, {@linkcode clamp}, {@linkcode where}, … | `elementwise.ts` | broadcasting arithmetic |
 * | {@linkcode matmul}, {@linkcode linear} | `matmul.ts` | batched matrix product and fused x·W + b (lib/core `gemmUnchecked`) |
 * | {@linkcode reshape}, {@linkcode transpose}, {@linkcode broadcastTo}, {@linkcode concat}, {@linkcode stack}, {@linkcode slice}, {@linkcode gather} | `shape.ts` | shapes and indexing |
 * | {@linkcode pairwiseSqDist} | `distance.ts` | squared distances for Gram matrices (lib/core forward) |
 * | {@linkcode sum}, {@linkcode mean}, {@linkcode max}, {@linkcode min}, {@linkcode logsumexp} | `reduce.ts` | reductions along axes |
 * | {@linkcode relu}, {@linkcode sigmoid}, {@linkcode gelu}, {@linkcode softmax}, {@linkcode logSoftmax}, … | `activation.ts` | activations |
 * | {@linkcode mseLoss}, {@linkcode crossEntropy}, {@linkcode binaryCrossEntropy}, … | `loss.ts` | fused losses |
 *
 * Conventions: f64 on the CPU, row-major, numpy broadcasting, natural logarithms. Ties of
 * non-smooth ops follow torch (relu′(0) = 0, |x|′(0) = 0, max/minimum split ties evenly).
 * First-order reverse mode: a nested `valueAndGrad` is a constant to the outer one.
 *
 * GPU: `valueAndGradAsync(f, params, { backend })` (and `fitAsync` in nn) trace a whole step
 * onto one lib/gpu batch — every op in {@linkcode GPU_OPS} records its forward and VJP passes
 * (matmul/linear on the tiled gemm, reductions and softmax on lib/gpu's row/column kernels,
 * elementwise ops on its map/zip kernels and on `kernels/autodiff/`) — because WebGPU reads
 * back asynchronously (≥ 10 ms per readback in Deno). The backend is chosen once by lib/gpu's
 * `selectBackend` ("auto": a hardware adapter and work ≥ {@linkcode AUTODIFF_GPU_THRESHOLDS});
 * no adapter, a device failure, an f32 overflow or an op without a GPU kernel run the f64
 * engine instead and say so. f32 precision: about 1e-7–1e-6 relative in the gradients of a
 * well-scaled network; the per-op bounds are in the README.
 *
 * @example
 * ```ts
 * import { add, crossEntropy, matmul, randn, relu, tensor, valueAndGrad, zeros } from "@parsimony/parsimony/autodiff";
 * const params = { W: randn([4, 3], 0), b: zeros([3]) };
 * const x = randn([5, 4], 1);
 * const y = [0, 1, 2, 1, 0];
 * const { value, grads } = valueAndGrad((p) => crossEntropy(relu(add(matmul(x, p.W), p.b)), y), params);
 * grads.W.shape; // => [4, 3]
 * Number.isFinite(value); // => true
 * ```
 *
 * @module
 */

export {
  asTensor,
  full,
  MAX_RANK,
  type NestedArray,
  ones,
  randn,
  randu,
  shapeSize,
  Tensor,
  tensor,
  type TensorLike,
  zeros,
} from "./tensor.ts";
export { vjp, type VjpResult } from "./vjp.ts";
export { type Params, type ValueAndGrad, valueAndGrad } from "./value_and_grad.ts";
export {
  VALUE_AND_GRAD_ASYNC_DEFAULTS,
  valueAndGradAsync,
  type ValueAndGradAsyncOptions,
  type ValueAndGradAsyncResult,
} from "./value_and_grad_async.ts";
export { AUTODIFF_GPU_THRESHOLDS } from "./_device_backend.ts";
export { GPU_OPS } from "./_device_session.ts";
export { grad } from "./grad.ts";
export { detach, noGrad } from "./no_grad.ts";
export { type CustomBackward, type CustomForward, customVjp } from "./custom.ts";
export { CHECK_GRADS_DEFAULTS, checkGrads, type CheckGradsOptions, type CheckGradsResult } from "./check_grads.ts";
export {
  abs,
  add,
  clamp,
  div,
  exp,
  log,
  log1p,
  maximum,
  minimum,
  mul,
  neg,
  pow,
  sqrt,
  square,
  sub,
  where,
} from "./elementwise.ts";
export { linear, matmul } from "./matmul.ts";
export { broadcastTo, concat, gather, reshape, slice, stack, transpose } from "./shape.ts";
export { pairwiseSqDist } from "./distance.ts";
export { logsumexp, max, mean, min, sum } from "./reduce.ts";
export { gelu, leakyRelu, logSoftmax, relu, sigmoid, softmax, softplus, tanh } from "./activation.ts";
export {
  binaryCrossEntropy,
  binaryCrossEntropyWithLogits,
  crossEntropy,
  type LossOptions,
  mseLoss,
  type Reduction,
} from "./loss.ts";
