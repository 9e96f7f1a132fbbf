/**
 * Backend selection — the one place that decides CPU or GPU (tfjs `shouldExecuteOnCPU`), used
 * by every solver and by the `gpu.*` ops — and the fallback wrapper that runs the CPU twin
 * when the GPU path fails.
 *
 * Rules, in order:
 * 1. An explicit `backend: "cpu"` or `"gpu"` option wins.
 * 2. Otherwise (`"auto"` or omitted) the environment variable `PARSIMONY_BACKEND=cpu|gpu`
 *    forces a backend for the whole run (any other non-empty value is an {@linkcode OptionError}).
 * 3. `"auto"` picks the GPU only when an adapter exists, it is a hardware adapter (a software
 *    adapter such as llvmpipe computes in f32 and is slower than the f64 CPU path), and the
 *    work size reaches the threshold; otherwise the CPU, with the reason.
 * 4. Forced `"gpu"` with no adapter throws {@linkcode BackendError} naming `options.backend`
 *    (or `PARSIMONY_BACKEND`). An adapter that gives no device, or a device lost later, is
 *    not an error: the call runs on the CPU, prints one warning, and says so.
 *
 * @module
 */

import { BackendError, describeValue, OptionError, ParsimonyError } from "../core/errors.ts";
import type { Backend } from "../core/diagnostics.ts";
import { readEnv } from "./env.ts";
import { type GpuDevice, GpuRuntimeError, runtime } from "./runtime.ts";

/** What a caller may ask for. */
export type BackendRequest = "auto" | "cpu" | "gpu";

/** The allowed values of `options.backend`. */
export const BACKEND_REQUESTS: readonly BackendRequest[] = Object.freeze(["auto", "cpu", "gpu"] as const);

/** Name of the environment variable that forces a backend for a whole run. */
export const BACKEND_ENV = "PARSIMONY_BACKEND";

/**
 * Work sizes from which `"auto"` uses a hardware GPU, per kind of call. A one-shot op pays an
 * upload and a readback, so its threshold is high; an iterative solver keeps its data on the
 * device and compares its per-iteration work with `solverIteration`. These are conservative
 * defaults, not measurements on any particular GPU (none was available when they were set);
 * pass your own threshold to {@linkcode selectBackend} or force `backend: "gpu"`.
 */
export const GPU_THRESHOLDS: Readonly<{
  /** Entries of an elementwise map/zip. */
  elementwise: number;
  /** Entries of a row/column reduction, log-sum-exp, softmax or gemv. */
  reduce: number;
  /** Multiply-adds m·n·k of a gemm. */
  gemm: number;
  /** n·m·d of a pairwise distance / Gram matrix. */
  pairwise: number;
  /** Entries of the matrix a k-smallest selection scans. */
  kSmallest: number;
  /** Per-iteration entries touched by an iterative solver whose data stays on the device. */
  solverIteration: number;
}> = Object.freeze({
  elementwise: 1 << 24,
  reduce: 1 << 22,
  gemm: 1 << 24,
  pairwise: 1 << 24,
  kSmallest: 1 << 22,
  solverIteration: 1 << 16,
});

/** The CPU was chosen. */
export interface CpuChoice {
  /** `"cpu"`. */
  readonly backend: "cpu";
  /** Why, in words (for `Diagnostics.backendReason`). */
  readonly reason: string;
  /** Whether the GPU was explicitly required (then only a device failure leads here). */
  readonly forced: boolean;
}

/** The GPU was chosen, with its device. */
export interface GpuChoice {
  /** `"gpu"`. */
  readonly backend: "gpu";
  /** Why, in words. */
  readonly reason: string;
  /** Whether the GPU was explicitly required (option or environment). */
  readonly forced: boolean;
  /** The acquired device: upload, record passes with `device.batch()`, read back. */
  readonly device: GpuDevice;
}

/** Result of {@linkcode selectBackend}. */
export type BackendChoice = CpuChoice | GpuChoice;

/**
 * Decide where a call runs (rules in the module doc) and, for the GPU, acquire the device.
 *
 * @param fn calling public function (for messages), e.g. `"sinkhornLog"`
 * @param requested `options.backend` as the caller passed it (`undefined` = `"auto"`)
 * @param workSize the call's work in the unit of `threshold` (entries, multiply-adds, …)
 * @param threshold smallest work for which `"auto"` uses a hardware GPU (see {@linkcode GPU_THRESHOLDS})
 * @returns the choice and its reason; `device` when the GPU was chosen
 * @throws {OptionError} for a `requested` outside "auto" | "cpu" | "gpu", naming `options.backend`,
 *   or a bad `PARSIMONY_BACKEND` value
 * @throws {BackendError} when the GPU is forced and no adapter exists, naming `options.backend`
 *   (or `PARSIMONY_BACKEND` when the environment forced it)
 * @example
 * ```ts
 * import { selectBackend } from "@parsimony/parsimony/gpu";
 * const c = await selectBackend("demo", "cpu", 1e9, 1e6);
 * c.backend; // => "cpu"
 * c.reason; // => "backend 'cpu' requested"
 * ```
 */
export async function selectBackend(
  fn: string,
  requested: BackendRequest | undefined,
  workSize: number,
  threshold: number,
): Promise<BackendChoice> {
  if (requested !== undefined && !BACKEND_REQUESTS.includes(requested)) {
    throw new OptionError({
      fn,
      arg: "options.backend",
      expected: `one of "auto", "cpu", "gpu"`,
      got: describeValue(requested),
    });
  }
  let want: BackendRequest = requested ?? "auto";
  let source = "options.backend";
  if (want === "auto") {
    const env = readEnv(BACKEND_ENV);
    if (env !== undefined && env !== "" && env !== "auto") {
      if (env !== "cpu" && env !== "gpu") {
        throw new OptionError({
          fn,
          arg: BACKEND_ENV,
          expected: `"cpu", "gpu" or "auto" (environment variable)`,
          got: describeValue(env),
        });
      }
      want = env;
      source = BACKEND_ENV;
    }
  }
  if (want === "cpu") {
    return {
      backend: "cpu",
      forced: false,
      reason: source === BACKEND_ENV ? `${BACKEND_ENV}=cpu` : "backend 'cpu' requested",
    };
  }
  const forced = want === "gpu";
  const { adapter, reason: adapterReason } = await runtime.adapter();
  if (!adapter) {
    if (forced) {
      throw new BackendError({
        fn,
        arg: source,
        expected: `"auto" or "cpu" here: there is no WebGPU adapter (${adapterReason})`,
        got: `"gpu"`,
        hint: "Use backend: 'auto' (CPU fallback) or run where navigator.gpu offers an adapter",
      });
    }
    return { backend: "cpu", forced, reason: `no WebGPU adapter (${adapterReason})` };
  }
  if (!forced) {
    const info = adapter.info as Partial<GPUAdapterInfo> | undefined;
    if (info?.isFallbackAdapter) {
      return {
        backend: "cpu",
        forced,
        reason: `the WebGPU adapter is a software fallback (${
          info.description || "unnamed"
        }); auto keeps the f64 CPU path — pass backend: 'gpu' to use it`,
      };
    }
    if (!(workSize >= threshold)) {
      return { backend: "cpu", forced, reason: `work size ${workSize} below the GPU threshold ${threshold}` };
    }
  }
  let device: GpuDevice;
  try {
    device = await runtime.device();
  } catch (e) {
    const why = e instanceof Error ? e.message : String(e);
    runtime.warnOnce(`device:${why}`, `parsimony: ${fn}: ${why}; running on the CPU`);
    return { backend: "cpu", forced, reason: `${why}; ran on the CPU` };
  }
  const reason = forced
    ? `${source === BACKEND_ENV ? `${BACKEND_ENV}=gpu` : "backend 'gpu' requested"} (${device.description})`
    : `work size ${workSize} ≥ GPU threshold ${threshold} (${device.description})`;
  return { backend: "gpu", forced, reason, device };
}

/** What a `gpu.*` op returns: the value and where it was computed. */
export interface GpuOpResult<T> {
  /** The result (f64 on the host whichever backend ran). */
  readonly value: T;
  /** The backend that produced `value`. */
  readonly backend: Backend;
  /** Why that backend (for `Diagnostics.backendReason`). */
  readonly backendReason: string;
  /** Wall time of the call in milliseconds (validation, transfers and compute). */
  readonly elapsedMs: number;
}

/**
 * Thrown by a GPU path whose result left the f32 range (overflow to ±∞ where f64 stays
 * finite): {@linkcode runWithFallback} then recomputes on the CPU.
 */
export class F32RangeError extends Error {
  /** @param message what overflowed */
  constructor(message: string) {
    super(message);
    this.name = "F32RangeError";
  }
}

/** A reason a GPU path cannot take this input (size or range), found before dispatch. */
export interface Unsuitable {
  /** Argument at fault, e.g. `"A"`. */
  readonly arg: string;
  /** What the GPU would need, e.g. `"entries within the f32 range ±3.4e38"`. */
  readonly expected: string;
  /** What was received. */
  readonly got: string;
}

/**
 * Run `gpuPath` on the chosen device and fall back to `cpuPath` when it fails: device lost,
 * WebGPU validation / out-of-memory error, f32 overflow. A {@linkcode ParsimonyError} from
 * either path propagates unchanged (it is the caller's input, not the backend). Each distinct
 * failure prints one `console.warn`; the returned reason says what happened.
 *
 * Solvers use it around their whole GPU loop, with the CPU solver as `cpuPath`.
 *
 * @param fn calling public function
 * @param choice result of {@linkcode selectBackend}
 * @param cpuPath the f64 twin
 * @param gpuPath the GPU implementation
 * @param unsuitable optional pre-check: inputs the GPU cannot take (too large for one
 *   binding, beyond f32 range). Forced GPU → {@linkcode BackendError} naming the argument;
 *   auto → CPU with the reason.
 * @returns value, backend and reason
 * @throws {BackendError} for unsuitable input under a forced GPU
 * @example
 * ```ts
 * import { runWithFallback, selectBackend } from "@parsimony/parsimony/gpu";
 * const choice = await selectBackend("demo", "cpu", 0, 1);
 * const r = await runWithFallback("demo", choice, () => 42, () => Promise.resolve(42));
 * r.backend; // => "cpu"
 * ```
 */
export async function runWithFallback<T>(
  fn: string,
  choice: BackendChoice,
  cpuPath: () => T | Promise<T>,
  gpuPath: (device: GpuDevice) => Promise<T>,
  unsuitable?: (device: GpuDevice) => Unsuitable | null,
): Promise<GpuOpResult<T>> {
  const t0 = performance.now();
  const done = (value: T, backend: Backend, backendReason: string): GpuOpResult<T> => ({
    value,
    backend,
    backendReason,
    elapsedMs: performance.now() - t0,
  });
  if (choice.backend === "cpu") return done(await cpuPath(), "cpu", choice.reason);
  const dev = choice.device;
  const u = unsuitable?.(dev) ?? null;
  if (u) {
    if (choice.forced) {
      throw new BackendError({
        fn,
        arg: u.arg,
        expected: `${u.expected} for backend 'gpu'`,
        got: u.got,
        hint: "Use backend: 'cpu' or 'auto' for this input",
      });
    }
    return done(await cpuPath(), "cpu", `${u.arg}: GPU needs ${u.expected}, got ${u.got}; ran on the CPU`);
  }
  try {
    return done(await gpuPath(dev), "gpu", choice.reason);
  } catch (e) {
    if (e instanceof ParsimonyError) throw e;
    if (!(e instanceof GpuRuntimeError || e instanceof F32RangeError || dev.lost)) throw e;
    // Give a pending device.lost notification the chance to land before reporting.
    await Promise.resolve();
    const why = e instanceof F32RangeError
      ? `f32 range exceeded: ${e.message}`
      : dev.lost
      ? `WebGPU device lost (${dev.lostReason})`
      : (e as Error).message;
    runtime.stats.fallbacks++;
    runtime.warnOnce(
      `fallback:${e instanceof F32RangeError ? `range:${fn}` : why}`,
      `parsimony: ${fn}: ${why}; recomputed on the CPU in f64`,
    );
    return done(await cpuPath(), "cpu", `${why}; recomputed on the CPU in f64`);
  }
}
