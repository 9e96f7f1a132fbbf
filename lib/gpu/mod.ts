/**
 * `@parsimony/parsimony/gpu` — the WebGPU runtime: WGSL compute kernels (in `kernels/`) with
 * their f64 CPU twins as reference and fallback, one backend selector for every solver, and
 * device-resident matrices so iterative solvers upload once and read back only what they need.
 *
 * ```ts ignore
 * import { gpu } from "@parsimony/parsimony/gpu";
 * await gpu.info(); // { available: true, description: "llvmpipe (LLVM 15.0.6, 256 bits)", limits: {…}, … }
 * const { value, backend, backendReason } = await gpu.logSumExpRows(C, { scale: -1 / reg, backend: "auto" });
 * ```
 *
 * ## Pieces
 *
 * | piece | file | what |
 * |---|---|---|
 * | {@linkcode gpu} | `api.ts`, `ops.ts` | `info()` and one async op per kernel: validate like the twin → `selectBackend` → kernel or twin → `{ value, backend, backendReason, elapsedMs }` |
 * | {@linkcode selectBackend}, {@linkcode runWithFallback}, {@linkcode GPU_THRESHOLDS} | `backend.ts` | the one CPU/GPU decision (option, `PARSIMONY_BACKEND`, adapter, size) and the CPU fallback on device loss / WebGPU errors / f32 overflow |
 * | {@linkcode runtime}, {@linkcode GpuDevice}, {@linkcode GpuMatrix} | `runtime.ts` | cached adapter/device, buffer pool, pipeline + bind-group caches, f64→f32 upload, f32→f64 download, {@linkcode GpuStats} counters |
 * | {@linkcode GpuBatch} | `batch.ts` | record passes on device matrices, run them in one command encoder / one submission, read back chosen ranges |
 * | twins `elementwiseMap`, `elementwiseZip`, `sumRows`, `sumCols`, `maxRows`, `maxCols`, `lseRows`, `lseCols`, `softmaxRowsAffine`, `softmaxColsAffine` | `twins.ts` | f64 twins that core does not already have |
 * | {@linkcode defineKernel}, {@linkcode WgslKernel} | `kernels/_kernel.ts` | kernel = WGSL + metadata (entry point, workgroup size, params, bindings, cache key) |
 *
 * | kernel | file | CPU twin |
 * |---|---|---|
 * | `elementwiseMap` y = f(a·x+b), `elementwiseZip` z = g(αx, βy) | `kernels/core/elementwise.ts` | `elementwiseMap`, `elementwiseZip` (`twins.ts`) |
 * | `sumRows`, `maxRows`, `gemv`, `logSumExpRows` (row reductions, one workgroup per row) | `kernels/core/reduce_rows.ts` | `sumRows`, `maxRows` (`twins.ts`); core `gemv`, `logSumExpRows` / `lseRows` |
 * | `sumCols`, `maxCols`, `gemvT`, `logSumExpCols` (two-pass column reductions) | `kernels/core/reduce_cols.ts` | `sumCols`, `maxCols`; core `gemv(trans)`, `logSumExpCols` / `lseCols` |
 * | `softmaxRows`, `softmaxColsNormalize` | `kernels/core/softmax.ts` | core `softmaxRows`, `softmaxCols` / `softmax…Affine` |
 * | `gemm`, `pairwiseSqDist`, `gaussianGram` (64×64 shared-memory tiles, 4×4 per invocation) | `kernels/core/gemm.ts` | core `gemm`, `pairwiseSqDist`, `gaussianGram` |
 * | `kSmallestPerRow` (per-invocation top-k + shared-memory merge tree) | `kernels/core/k_smallest_per_row.ts` | core `kSmallestPerRow` (`lib/core/select.ts`) |
 *
 * ## Contract for solvers (OT, information estimators, autodiff, …)
 *
 * 1. Take `backend?: "auto" | "cpu" | "gpu"` in the options (default `"auto"`).
 * 2. Validate inputs first (same errors on both backends), then
 *    `const choice = await selectBackend("sinkhornLog", options.backend, n * m, GPU_THRESHOLDS.solverIteration)`.
 * 3. Wrap the GPU loop: `await runWithFallback(fn, choice, () => cpuSolver(...), async (dev) => { … })`.
 *    Inside, upload once (`dev.upload(C)`), allocate outputs once (`dev.alloc(n)`), record
 *    the passes of an iteration on one `dev.batch()` and `await batch.run()` (no reads: it
 *    does not wait for the GPU). Every k iterations `await batch.run([errorVector])` to read
 *    back only what the stopping test needs: each readback is a host round trip (≥ 10 ms in
 *    Deno 2.x, whose `mapAsync` polls on a 10 ms timer, whatever the GPU). Write changing
 *    host data with `dev.write(handle, values)` (no new buffer). Release handles in a
 *    `finally` (or `using`).
 * 4. Put `backend` and `backendReason` from the result into `Diagnostics`.
 * 5. Test that the loop is allocation-free: `runtime.stats.buffersCreated` after a short and
 *    a long run must not differ (see `tests/gpu/runtime_test.ts`).
 *
 * Kernels of other families (`kernels/ot/…`) are declared with {@linkcode defineKernel} and
 * launched with {@linkcode GpuBatch.dispatch}; they get the pool, the caches and the fallback
 * for free. `PARSIMONY_GPU_DEBUG=1` prints every WGSL source the runtime compiles.
 *
 * ## Backend rules
 *
 * An explicit `backend: "cpu" | "gpu"` wins; with `"auto"` the environment variable
 * `PARSIMONY_BACKEND=cpu|gpu` forces a backend for the whole run (read only when env access is
 * already permitted). `"auto"` uses the GPU only for a hardware adapter (a software adapter
 * such as llvmpipe is slower than the f64 CPU path and only f32) and work ≥ threshold.
 * Forced `"gpu"` without an adapter is a {@linkcode BackendError} naming `options.backend`;
 * an adapter that gives no device, a lost device, a WebGPU validation/out-of-memory error or
 * an f32 overflow runs the CPU twin instead, warns once, and the result says `"cpu"` and why.
 *
 * ## Precision policy (WGSL has f32 only; u = 2⁻²⁴ ≈ 6e-8)
 *
 * Inputs are rounded to f32 on upload (relative error u; finite |x| > 3.4e38 is refused), so
 * no GPU result is better than the conditioning of the problem times u. Results come back as
 * f64 holding f32 values.
 *
 * | class | kernels | device | error bound used in the parity tests |
 * |---|---|---|---|
 * | safe in f32 | `elementwiseMap/Zip`, `maxRows/Cols`, `kSmallestPerRow` | entrywise; max and selection compare exact u32 keys of the f32 bits | map/zip: a few u plus the WGSL ULP bound of f (exp 3 + 2\|t\| ULP, log 2⁻²¹ abs); max: exactly the f32-rounded max; selection: identical to the twin on f32-representable input |
 * | f32 with care | `gemm`, `gemv`, `pairwiseSqDist` | fma accumulation in registers; distances by direct differences (no ‖x‖²+‖y‖²−2xᵀy cancellation; exact zeros on D(X, X)'s diagonal) | (k + 2)·u·Σ\|a\|\|b\|; D: 2u·Σ\|x−y\|(\|x\|+\|y\|) + (d + 2)·u·D |
 * | compensated sums | `sumRows/Cols`, `gemv` | Kahan per invocation (kept alive through `opaque()`, since compilers fold it), tree across the workgroup, Kahan over column chunks | (n + 1)·u·Σ\|a\| worst case; ≈ (3 + log₂ WG)·u·Σ\|a\| in practice |
 * | log domain | `logSumExpRows/Cols`, `softmaxRows/Cols`, `gaussianGram` | online max-shifted LSE (no positive exp argument, −∞ as zero weight by bit pattern); softmax = exp(L − m)/s; Gram = exp of a clamped argument (underflows to 0 below e⁻⁸⁷) | LSE: u·(3·max\|L\| + \|r\|) + (n + 3)·u + 2⁻²¹; softmax entrywise p·(…); Gram: K·(\|c\|·δD + (3 + 2\|t\|)·u) + 2⁻¹²⁶ |
 * | stays on the CPU in f64 | anything needing more than ~6 significant digits: Sinkhorn–Newton polish and final marginals (f32 potentials give ~η·6e-8 relative plan error), KSG digamma sums and neighbour counts on tied data, CS divergences below ~1e-4, linear solves (Cholesky, SVD, eig), RNG | — | — |
 *
 * Rules for kernel authors: never form exp(−C/ε) in f32 (it underflows at C/ε ≈ 87); pass
 * −1/ε as the `scale` of the log-sum-exp kernels instead. Sum long vectors with the
 * compensated reductions, and finish small partial vectors in f64 on the host. Validate the
 * GPU path against the twin at the tolerance its error analysis gives (state it in the
 * test), never tighter by luck or looser by convenience.
 *
 * @module
 */

export { gpu, type GpuApi } from "./api.ts";
export {
  BACKEND_ENV,
  BACKEND_REQUESTS,
  type BackendChoice,
  type BackendRequest,
  type CpuChoice,
  F32RangeError,
  GPU_THRESHOLDS,
  type GpuChoice,
  type GpuOpResult,
  runWithFallback,
  selectBackend,
  type Unsuitable,
} from "./backend.ts";
export {
  type AdapterProvider,
  GpuDevice,
  type GpuInfo,
  type GpuInfoAvailable,
  type GpuInfoUnavailable,
  GpuMatrix,
  GpuRuntime,
  GpuRuntimeError,
  type GpuStats,
  type ReadRange,
  resetGpuRuntime,
  runtime,
  setAdapterProvider,
  UNIFORM_SLOT_BYTES,
} from "./runtime.ts";
export { type DeviceAffine, type DeviceEpilogue, GpuBatch } from "./batch.ts";
export { gpuDebug, readEnv } from "./env.ts";
export {
  elementwiseMap,
  elementwiseZip,
  type LseAffineOptions,
  lseCols,
  lseRows,
  type MapParams,
  maxCols,
  maxRows,
  softmaxColsAffine,
  softmaxRowsAffine,
  sumCols,
  sumRows,
  type ZipParams,
} from "./twins.ts";
export {
  type BackendOption,
  F32_MAX,
  type GpuGemmOptions,
  type GpuGemvOptions,
  type GpuKSmallestOptions,
  type GpuLseOptions,
  type GpuMapOptions,
  type GpuSoftmaxOptions,
  type GpuZipOptions,
} from "./ops.ts";
export {
  defineKernel,
  hashSource,
  type KernelBinding,
  type KernelParam,
  type KernelScalar,
  type KernelSpec,
  WGSL_HELPERS,
  type WgslKernel,
} from "../../kernels/_kernel.ts";
export {
  elementwiseMapKernel,
  elementwiseZipKernel,
  MAP_OPS,
  type MapOp,
  ZIP_OPS,
  type ZipOp,
} from "../../kernels/core/elementwise.ts";
export {
  type LseAffine,
  type ReduceOp,
  reduceRowsKernel,
  type ReduceRowsVariant,
  rowWorkgroupSize,
} from "../../kernels/core/reduce_rows.ts";
export {
  COL_TILE,
  colChunks,
  reduceColsFinishKernel,
  reduceColsPartialKernel,
} from "../../kernels/core/reduce_cols.ts";
export { softmaxColsNormalizeKernel, softmaxRowsKernel } from "../../kernels/core/softmax.ts";
export { GEMM_BK, GEMM_TILE, tiledKernel, type TiledKind, type TiledVariant } from "../../kernels/core/gemm.ts";
export {
  K_SMALLEST_MAX_K,
  kSmallestPerRowKernel,
  kSmallestWorkgroupSize,
} from "../../kernels/core/k_smallest_per_row.ts";
