/**
 * How a GPU step is chosen: the work-size thresholds, the shape-only trace that measures a
 * step's work (and finds ops without a GPU kernel) before any device work, and the mapping of
 * "op has no GPU kernel" to a `BackendError` (forced GPU) or a CPU fallback (auto).
 *
 * @module
 */

import { BackendError } from "../core/errors.ts";
import { BACKEND_ENV, type BackendRequest } from "../gpu/backend.ts";
import { readEnv } from "../gpu/env.ts";
import { GpuRuntimeError, runtime } from "../gpu/runtime.ts";
import { DeviceUnsupportedError } from "./_hook.ts";
import { DeviceSession, GPU_OPS } from "./_device_session.ts";

/**
 * Work sizes from which `"auto"` runs autodiff on a hardware GPU, in the unit the shape-only
 * trace counts: multiply-adds of the forward products plus entries of the other forward
 * passes (≈ one third of a forward + backward step).
 *
 * - `call`: one `valueAndGradAsync` call, which uploads the parameters and reads the loss
 *   and every gradient back (≥ 10 ms of host round trip in Deno, whatever the GPU).
 * - `step`: one `fitAsync` training step, which stays on the device (parameters, optimizer
 *   state, data) and is read back once per epoch; what remains per step is the host's
 *   recording of ~10 passes per layer.
 *
 * Like lib/gpu's `GPU_THRESHOLDS` these are estimates (from the CPU engine's ≈ 5–12 GFLOP/s
 * against a per-step overhead of ~1 ms and a 10 ms readback), not measurements on a hardware
 * GPU; force `backend: "gpu"` or `"cpu"` to override.
 */
export const AUTODIFF_GPU_THRESHOLDS: Readonly<{ call: number; step: number }> = Object.freeze({
  call: 1 << 25,
  step: 1 << 21,
});

/**
 * Whether the `"auto"` decision depends on the work size: an explicit backend, a
 * `PARSIMONY_BACKEND` override, no adapter or a software adapter decide without it (so no
 * shape-only trace is run, and `f` is called once).
 *
 * @returns true when a shape-only trace should measure the work first
 */
export async function autoNeedsWork(requested: BackendRequest | undefined): Promise<boolean> {
  if (requested !== undefined && requested !== "auto") return false;
  const env = readEnv(BACKEND_ENV);
  if (env === "cpu" || env === "gpu") return false;
  const info = await runtime.info();
  return info.available && !info.isFallbackAdapter;
}

/** What a shape-only trace found. */
export interface DryTrace {
  /** Forward work (multiply-adds of products, entries of other passes). */
  readonly work: number;
  /** The first op without a GPU kernel, or null. */
  readonly unsupported: string | null;
}

/**
 * Trace a step on shapes only (no device, no arithmetic).
 *
 * @param build runs the step's forward inside the session (the caller binds inputs)
 * @returns the work and the first unsupported op
 */
export function dryTrace(build: (session: DeviceSession) => unknown): DryTrace {
  const s = new DeviceSession(null);
  try {
    s.trace(() => build(s));
  } catch (e) {
    if (e instanceof DeviceUnsupportedError) return { work: s.work, unsupported: e.message };
    throw e;
  }
  return { work: s.work, unsupported: null };
}

/**
 * Turn an op without a GPU kernel met while tracing on the device into the error the backend
 * rules ask for: a `BackendError` naming `arg` when the GPU was forced; otherwise a
 * `GpuRuntimeError`, on which `runWithFallback` reruns the step on the CPU.
 *
 * @returns never; always throws
 */
export function rethrowUnsupported(e: unknown, fn: string, arg: string, forced: boolean): never {
  if (!(e instanceof DeviceUnsupportedError)) throw e;
  if (forced) {
    throw new BackendError({
      fn,
      arg,
      expected: `only ops with a GPU kernel for backend 'gpu' (${GPU_OPS.join(", ")})`,
      got: e.message,
      hint: "Use backend: 'auto' (runs such a step on the CPU) or 'cpu'",
    });
  }
  throw new GpuRuntimeError(e.message);
}
