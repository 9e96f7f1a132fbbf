/**
 * The `gpu` namespace object: `await gpu.info()`, and one async op per kernel, each with
 * backend dispatch and CPU fallback (implementations in `ops.ts`).
 *
 * @module
 */

import type { Matrix, MatrixLike } from "../core/matrix.ts";
import type { KSmallest } from "../core/select.ts";
import type { MapOp, ZipOp } from "../../kernels/core/elementwise.ts";
import type { BackendChoice, BackendRequest, GpuOpResult } from "./backend.ts";
import { selectBackend } from "./backend.ts";
import { type GpuDevice, type GpuInfo, type GpuStats, runtime } from "./runtime.ts";
import * as ops from "./ops.ts";
import type {
  BackendOption,
  GpuGemmOptions,
  GpuGemvOptions,
  GpuKSmallestOptions,
  GpuLseOptions,
  GpuMapOptions,
  GpuSoftmaxOptions,
  GpuZipOptions,
} from "./ops.ts";

/**
 * The operations of `@parsimony/parsimony/gpu`. Every op validates like its CPU twin, takes
 * `backend: "auto" | "cpu" | "gpu"` in its options, and resolves to
 * `{ value, backend, backendReason, elapsedMs }`.
 */
export interface GpuApi {
  /**
   * The adapter in use: vendor, description, limits, features — or `{ available: false, reason }`.
   *
   * @example
   * ```ts
   * import { gpu } from "@parsimony/parsimony/gpu";
   * const info = await gpu.info();
   * info.available ? info.description : info.reason; // => e.g. "llvmpipe (LLVM 15.0.6, 256 bits)"
   * ```
   */
  info(): Promise<GpuInfo>;

  /**
   * The process's device (acquired on first use).
   *
   * @throws {GpuRuntimeError} when there is no adapter or it gives no device
   */
  device(): Promise<GpuDevice>;

  /** Live counters: buffers created/reused, pipelines, submissions, bytes moved, fallbacks. */
  readonly stats: Readonly<GpuStats>;

  /**
   * Choose CPU or GPU for a call (the same function solvers use).
   *
   * @see selectBackend
   */
  selectBackend(
    fn: string,
    requested: BackendRequest | undefined,
    workSize: number,
    threshold: number,
  ): Promise<BackendChoice>;

  /**
   * C = α·op(A)·op(B) (tiled WGSL gemm; twin core `gemm`).
   *
   * @param A m×k (k×m with transA), finite
   * @param B k×n (n×k with transB), finite
   * @throws {ShapeError} on mismatched inner dimensions
   * @throws {NonFiniteError} for non-finite entries
   * @throws {BackendError} forced GPU without adapter, or input beyond f32 range / binding size
   * @example
   * ```ts ignore
   * const r = await gpu.gemm([[1, 2], [3, 4]], [[5], [6]], { backend: "gpu" });
   * r.value.toArray(); // => [[17], [39]]
   * r.backend; // => "gpu"
   * ```
   */
  gemm(A: MatrixLike, B: MatrixLike, options?: GpuGemmOptions): Promise<GpuOpResult<Matrix>>;

  /**
   * y = α·op(A)·x (row reduction; Aᵀx by two-pass column reduction; twin core `gemv`).
   *
   * @throws {ShapeError} | {NonFiniteError} | {BackendError}
   */
  gemv(A: MatrixLike, x: ArrayLike<number>, options?: GpuGemvOptions): Promise<GpuOpResult<Float64Array>>;

  /**
   * out_i = α·log Σ_j exp(s·A_ij + u_i + v_j) + b_i (online log-sum-exp, one workgroup per
   * row; twin core `logSumExpRows`, or `lseRows` with options). A may hold ±Infinity.
   *
   * @throws {NonFiniteError} for NaN | {ShapeError} for offsets | {OptionError} | {BackendError}
   * @example
   * ```ts ignore
   * (await gpu.logSumExpRows([[0, 0], [1, -Infinity]])).value; // => Float64Array [Math.LN2, 1]
   * ```
   */
  logSumExpRows(A: MatrixLike, options?: GpuLseOptions): Promise<GpuOpResult<Float64Array>>;

  /**
   * out_j = α·log Σ_i exp(s·A_ij + u_i + v_j) + b_j (two-pass column log-sum-exp; twin core
   * `logSumExpCols`, or `lseCols` with options).
   *
   * @throws as `logSumExpRows`
   */
  logSumExpCols(A: MatrixLike, options?: GpuLseOptions): Promise<GpuOpResult<Float64Array>>;

  /**
   * Row softmax of L = s·A + u ⊕ v (twin core `softmaxRows` / `softmaxRowsAffine`).
   *
   * @throws {NonFiniteError} for NaN, +∞ after scaling, or a row of zero weights
   */
  softmaxRows(A: MatrixLike, options?: GpuSoftmaxOptions): Promise<GpuOpResult<Matrix>>;

  /**
   * Column softmax of L = s·A + u ⊕ v (twin core `softmaxCols` / `softmaxColsAffine`).
   *
   * @throws {NonFiniteError} for NaN, +∞ after scaling, or a column of zero weights
   */
  softmaxCols(A: MatrixLike, options?: GpuSoftmaxOptions): Promise<GpuOpResult<Matrix>>;

  /** Σ_j A_ij (Kahan per invocation + tree; twin `sumRows`). @throws {NonFiniteError} */
  sumRows(A: MatrixLike, options?: BackendOption): Promise<GpuOpResult<Float64Array>>;

  /** Σ_i A_ij (two passes; twin `sumCols`). @throws {NonFiniteError} */
  sumCols(A: MatrixLike, options?: BackendOption): Promise<GpuOpResult<Float64Array>>;

  /** max_j A_ij (exact on f32 keys; twin `maxRows`). @throws {NonFiniteError} for NaN */
  maxRows(A: MatrixLike, options?: BackendOption): Promise<GpuOpResult<Float64Array>>;

  /** max_i A_ij (twin `maxCols`). @throws {NonFiniteError} for NaN */
  maxCols(A: MatrixLike, options?: BackendOption): Promise<GpuOpResult<Float64Array>>;

  /**
   * D_ij = ‖x_i − y_j‖² by direct differences (tiled; twin core `pairwiseSqDist`).
   *
   * @param X n×d points
   * @param Y m×d points (default X)
   * @throws {ShapeError} | {NonFiniteError} | {BackendError}
   */
  pairwiseSqDist(X: MatrixLike, Y?: MatrixLike, options?: BackendOption): Promise<GpuOpResult<Matrix>>;

  /**
   * K_ij = exp(−‖x_i − y_j‖²/(2σ²)) (tiled; twin core `gaussianGram`).
   *
   * @throws {DomainError} for σ ≤ 0 | {ShapeError} | {NonFiniteError} | {BackendError}
   */
  gaussianGram(X: MatrixLike, sigma: number, Y?: MatrixLike, options?: BackendOption): Promise<GpuOpResult<Matrix>>;

  /**
   * The k smallest entries per row, ascending, ties by smaller index (twin core
   * `kSmallestPerRow`). The GPU path takes k ≤ 64.
   *
   * @throws {NonFiniteError} for NaN | {DomainError} for k out of range | {BackendError}
   */
  kSmallestPerRow(D: MatrixLike, k: number, options?: GpuKSmallestOptions): Promise<GpuOpResult<KSmallest>>;

  /**
   * y = f(a·x + b) entrywise (twin `elementwiseMap`).
   *
   * @throws {NonFiniteError} | {DomainError} | {OptionError} | {BackendError}
   */
  elementwiseMap(x: ArrayLike<number>, op: MapOp, options?: GpuMapOptions): Promise<GpuOpResult<Float64Array>>;

  /**
   * z = g(α·x, β·y) entrywise (twin `elementwiseZip`).
   *
   * @throws {ShapeError} | {NonFiniteError} | {DomainError} | {OptionError} | {BackendError}
   */
  elementwiseZip(
    x: ArrayLike<number>,
    y: ArrayLike<number>,
    op: ZipOp,
    options?: GpuZipOptions,
  ): Promise<GpuOpResult<Float64Array>>;
}

/**
 * The `gpu` namespace: adapter info, backend selection and the async ops.
 *
 * @example
 * ```ts
 * import { gpu } from "@parsimony/parsimony/gpu";
 * const r = await gpu.logSumExpRows([[0, 0]], { backend: "cpu" });
 * r.value; // => Float64Array [Math.LN2]
 * r.backend; // => "cpu"
 * ```
 */
export const gpu: GpuApi = Object.freeze({
  info: () => runtime.info(),
  device: () => runtime.device(),
  get stats(): Readonly<GpuStats> {
    return runtime.stats;
  },
  selectBackend,
  gemm: ops.gemm,
  gemv: ops.gemv,
  logSumExpRows: ops.logSumExpRows,
  logSumExpCols: ops.logSumExpCols,
  softmaxRows: ops.softmaxRows,
  softmaxCols: ops.softmaxCols,
  sumRows: ops.sumRows,
  sumCols: ops.sumCols,
  maxRows: ops.maxRows,
  maxCols: ops.maxCols,
  pairwiseSqDist: ops.pairwiseSqDist,
  gaussianGram: ops.gaussianGram,
  kSmallestPerRow: ops.kSmallestPerRow,
  elementwiseMap: ops.elementwiseMap,
  elementwiseZip: ops.elementwiseZip,
});
