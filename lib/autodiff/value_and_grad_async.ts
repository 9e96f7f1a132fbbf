/**
 * `valueAndGradAsync`: {@linkcode valueAndGrad} with a backend choice. On the GPU the whole
 * step — parameter upload, forward, backward — is recorded on one batch and submitted once;
 * the loss and the gradients come back in one readback (WebGPU reads back asynchronously,
 * hence the promise).
 *
 * @module
 */

import type { Backend } from "../core/diagnostics.ts";
import { describeValue, ShapeError } from "../core/errors.ts";
import { type ConstraintTable, resolveOptions } from "../core/validate.ts";
import { type BackendRequest, F32RangeError, runWithFallback, selectBackend } from "../gpu/backend.ts";
import type { GpuDevice } from "../gpu/runtime.ts";
import { AUTODIFF_GPU_THRESHOLDS, autoNeedsWork, dryTrace, rethrowUnsupported } from "./_device_backend.ts";
import { DeviceSession } from "./_device_session.ts";
import { flattenParams, type Params, valueAndGrad } from "./value_and_grad.ts";
import { Tensor } from "./tensor.ts";

/** Options of {@linkcode valueAndGradAsync}. */
export interface ValueAndGradAsyncOptions {
  /**
   * Where to compute: `"auto"` (GPU for a hardware adapter and work ≥
   * `AUTODIFF_GPU_THRESHOLDS.call`, else the f64 CPU engine), `"cpu"` or `"gpu"` (f32).
   * @default "auto"
   */
  backend: BackendRequest;
}

/** Defaults of {@linkcode valueAndGradAsync}. */
export const VALUE_AND_GRAD_ASYNC_DEFAULTS: Readonly<ValueAndGradAsyncOptions> = Object.freeze({ backend: "auto" });

const CONSTRAINTS: ConstraintTable<ValueAndGradAsyncOptions> = {
  backend: { kind: "enum", values: ["auto", "cpu", "gpu"] },
};

/** What {@linkcode valueAndGradAsync} returns. */
export interface ValueAndGradAsyncResult<P extends Params> {
  /** f(params). */
  readonly value: number;
  /** ∂f/∂params, shaped like `params` (f32 values held in f64 when computed on the GPU). */
  readonly grads: P;
  /** Where it was computed. */
  readonly backend: Backend;
  /** Why that backend. */
  readonly backendReason: string;
  /** Wall time of the call in milliseconds. */
  readonly elapsedMs: number;
}

/**
 * Value and gradient of a scalar function, on the CPU (f64, exactly {@linkcode valueAndGrad})
 * or on the GPU (f32), chosen once per call by lib/gpu's `selectBackend`.
 *
 * On the GPU the parameters are uploaded, `f` is traced: every op with a GPU kernel
 * (`GPU_OPS`: arithmetic, activations, matmul/linear, pairwise distances, sum/mean/logsumexp,
 * softmax/logSoftmax, crossEntropy with labels, mseLoss, reshape/broadcastTo/detach) records
 * its passes, the reverse sweep is recorded after them, and everything runs as one
 * submission with one readback of the loss and the gradients. Under `"auto"` with a hardware
 * adapter, `f` is first traced on shapes only (no arithmetic) to measure the work, so it runs
 * twice: keep it free of side effects such as drawing random numbers (draw them outside). A
 * step that uses an op without a GPU kernel runs on the CPU (forced `"gpu"`: `BackendError`). No
 * adapter, a lost device, a WebGPU error or an f32 overflow: the CPU engine computes the
 * result and `backend` says `"cpu"` and why.
 *
 * `f` must compute with ops only (no reads of `.data` or `.item()` inside it: on the GPU the
 * values exist only on the device until the step has run).
 *
 * @param f function returning a one-element tensor
 * @param params a tensor, an array of tensors or a record of tensors
 * @param options {@linkcode ValueAndGradAsyncOptions}
 * @returns value, gradients, backend and reason
 * @throws {ShapeError} when `f` returns more than one entry
 * @throws {OptionError} for an unknown option or backend
 * @throws {BackendError} for `backend: "gpu"` with no adapter, or an op without a GPU kernel
 * @example
 * ```ts
 * import { matmul, square, sum, tensor, valueAndGradAsync } from "@parsimony/parsimony/autodiff";
 * const w = tensor([[1], [2]]), x = tensor([[1, 1]]);
 * const r = await valueAndGradAsync((p) => sum(square(matmul(x, p.w))), { w }, { backend: "cpu" });
 * r.value; // => 9
 * r.grads.w.toArray(); // => [[6], [6]]
 * r.backend; // => "cpu"
 * ```
 */
export async function valueAndGradAsync<P extends Params>(
  f: (params: P) => Tensor,
  params: P,
  options?: Partial<ValueAndGradAsyncOptions>,
): Promise<ValueAndGradAsyncResult<P>> {
  const fn = "valueAndGradAsync";
  const o = resolveOptions(fn, VALUE_AND_GRAD_ASYNC_DEFAULTS, options, CONSTRAINTS);
  const { list, rebuild } = flattenParams(params, fn);
  const cpu = () => valueAndGrad(f, params);
  let work = 0;
  if (await autoNeedsWork(o.backend)) {
    const dry = dryTrace((s) => {
      for (const p of list) s.bind(p);
      return f(params);
    });
    if (dry.unsupported !== null) {
      const t0 = performance.now();
      const r = cpu();
      return {
        value: r.value,
        grads: r.grads,
        backend: "cpu",
        backendReason: `${dry.unsupported}; ran on the CPU`,
        elapsedMs: performance.now() - t0,
      };
    }
    work = dry.work;
  }
  const choice = await selectBackend(fn, o.backend, work, AUTODIFF_GPU_THRESHOLDS.call);
  const r = await runWithFallback(
    fn,
    choice,
    () => {
      const v = cpu();
      return { value: v.value, grads: v.grads };
    },
    (dev) => onDevice(dev, f, params, list, rebuild, choice.forced),
  );
  return {
    value: r.value.value,
    grads: r.value.grads,
    backend: r.backend,
    backendReason: r.backendReason,
    elapsedMs: r.elapsedMs,
  };
}

async function onDevice<P extends Params>(
  dev: GpuDevice,
  f: (params: P) => Tensor,
  params: P,
  list: Tensor[],
  rebuild: (ts: Tensor[]) => P,
  forced: boolean,
): Promise<{ value: number; grads: P }> {
  const s = new DeviceSession(dev);
  try {
    let out: Tensor;
    let leaves: ReturnType<DeviceSession["bind"]>[];
    try {
      leaves = list.map((p) => s.bind(p));
      out = s.trace(() => f(params));
    } catch (e) {
      await s.batch!.run(); // return the batch's scratch buffers; its passes are harmless
      return rethrowUnsupported(e, "valueAndGradAsync", "f", forced);
    }
    if (!(out instanceof Tensor) || out.size !== 1) {
      await s.batch!.run();
      throw new ShapeError({
        fn: "valueAndGradAsync",
        arg: "f",
        expected: "a function returning a one-element tensor",
        got: out instanceof Tensor ? `shape [${out.shape}]` : describeValue(out),
      });
    }
    const dout = s.lookup(out);
    if (dout === undefined) {
      // f did not touch a device value: a constant
      await s.batch!.run();
      return { value: out.data[0], grads: rebuild(list.map((p) => new Tensor(new Float64Array(p.size), p.shape))) };
    }
    const grads = s.backward(dout, leaves);
    const reads = [dout.buf!, ...grads.filter((g) => g !== null).map((g) => g!.buf!)];
    const back = await s.batch!.run(reads);
    const value = back[0];
    if (!Number.isFinite(value[0])) throw new F32RangeError(`the loss is ${value[0]} in f32`);
    let k = 1;
    const ts = list.map((p, i) => {
      if (grads[i] === null) return new Tensor(new Float64Array(p.size), p.shape);
      const g = back[k++];
      return new Tensor(g.length === p.size ? g : g.slice(0, p.size), p.shape);
    });
    return { value: value[0], grads: rebuild(ts) };
  } finally {
    s.release();
  }
}
