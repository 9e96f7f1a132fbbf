/**
 * The high-level `gpu.*` operations: each validates its input exactly as its f64 CPU twin
 * does, picks a backend with `selectBackend`, runs the WGSL kernel (upload f64 → f32, one
 * submission, read back f32 → f64) or the twin, and returns `{ value, backend,
 * backendReason, elapsedMs }`. A GPU failure (device lost, WebGPU error, f32 overflow) falls
 * back to the twin with one warning, so `value` is always there.
 *
 * @module
 */

import { Matrix, type MatrixLike, toMatrix } from "../core/matrix.ts";
import {
  gaussianGram as gaussianGramCpu,
  gemm as gemmCpu,
  gemv as gemvCpu,
  pairwiseSqDist as pairwiseSqDistCpu,
} from "../core/blas.ts";
import { type KSmallest, kSmallestPerRow as kSmallestCpu } from "../core/select.ts";
import { NonFiniteError, OptionError, ShapeError } from "../core/errors.ts";
import { assertInteger, assertPositive, toVector } from "../core/validate.ts";
import { K_SMALLEST_MAX_K } from "../../kernels/core/k_smallest_per_row.ts";
import type { MapOp, ZipOp } from "../../kernels/core/elementwise.ts";
import {
  type BackendRequest,
  F32RangeError,
  GPU_THRESHOLDS,
  type GpuOpResult,
  runWithFallback,
  selectBackend,
  type Unsuitable,
} from "./backend.ts";
import type { GpuDevice, GpuMatrix } from "./runtime.ts";
import {
  checkMap,
  checkSoftmax,
  checkZip,
  type LseAffineOptions,
  lseColsResolved,
  lseRowsResolved,
  mapUnchecked,
  maxCols as maxColsCpu,
  maxRows as maxRowsCpu,
  resolveAffine,
  type ResolvedAffine,
  softmaxColsResolved,
  softmaxRowsResolved,
  sumCols as sumColsCpu,
  sumRows as sumRowsCpu,
  zipUnchecked,
} from "./twins.ts";

/** Largest finite f32. */
export const F32_MAX = 3.4028234663852886e38;

/** `{ backend }`: every op takes it. */
export interface BackendOption {
  /** Where to run. @default "auto" (see `selectBackend`) */
  backend?: BackendRequest;
}

/** Largest |x| over the finite entries. */
function maxAbsFinite(d: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < d.length; i++) {
    const a = Math.abs(d[i]);
    if (a > m && a !== Infinity) m = a;
  }
  return m;
}

/** Size / range pre-check shared by the ops. */
function fits(
  dev: GpuDevice,
  items: readonly { arg: string; data: ArrayLike<number> | null; rows?: number; cols?: number }[],
  extraEntries = 0,
): Unsuitable | null {
  for (const it of items) {
    if (!it.data) continue;
    if (it.data.length > dev.maxEntries) {
      return {
        arg: it.arg,
        expected: `at most ${dev.maxEntries} entries per matrix (maxStorageBufferBindingSize on ${dev.description})`,
        got: `${it.data.length}`,
      };
    }
    const m = maxAbsFinite(it.data);
    if (m > F32_MAX) {
      return {
        arg: it.arg,
        expected: "finite entries within the f32 range (|x| ≤ 3.4e38)",
        got: `an entry of magnitude ${m}`,
      };
    }
  }
  if (extraEntries > dev.maxEntries) {
    return {
      arg: "output",
      expected: `at most ${dev.maxEntries} entries (maxStorageBufferBindingSize on ${dev.description})`,
      got: `${extraEntries}`,
    };
  }
  return null;
}

function assertAllFinite(v: Float64Array, what: string): Float64Array {
  for (let i = 0; i < v.length; i++) {
    if (!Number.isFinite(v[i])) throw new F32RangeError(`${what}[${i}] = ${v[i]} in f32`);
  }
  return v;
}

/** Upload helpers that release everything they made, whatever happens. */
async function withDevice<T>(
  dev: GpuDevice,
  body: (
    up: (x: MatrixLike | ArrayLike<number>) => GpuMatrix,
    alloc: (r: number, c?: number, t?: "f32" | "u32") => GpuMatrix,
  ) => Promise<T>,
): Promise<T> {
  const held: GpuMatrix[] = [];
  try {
    return await body(
      (x) => {
        const m = dev.upload(x);
        held.push(m);
        return m;
      },
      (r, c = 1, t = "f32") => {
        const m = dev.alloc(r, c, t);
        held.push(m);
        return m;
      },
    );
  } finally {
    for (const m of held) m.release();
  }
}

// ---- products ----------------------------------------------------------------------------

/** Options of `gpu.gemm`. */
export interface GpuGemmOptions extends BackendOption {
  /** Use Aᵀ. @default false */
  transA?: boolean;
  /** Use Bᵀ. @default false */
  transB?: boolean;
  /** Scale of the product. @default 1 */
  alpha?: number;
}

/** @internal `gpu.gemm`. */
export async function gemm(A: MatrixLike, B: MatrixLike, options: GpuGemmOptions = {}): Promise<GpuOpResult<Matrix>> {
  const fn = "gpu.gemm";
  const { backend, transA, transB, alpha = 1, ...rest } = options;
  rejectUnknown(fn, rest);
  const a = toMatrix(A, fn, "A"), b = toMatrix(B, fn, "B");
  const m = transA ? a.cols : a.rows, k = transA ? a.rows : a.cols, n = transB ? b.rows : b.cols;
  const kB = transB ? b.cols : b.rows;
  if (kB !== k) {
    throw new ShapeError({
      fn,
      arg: "B",
      expected: `inner dimension ${k}`,
      got: `${kB} (B is ${b.rows}×${b.cols}${transB ? ", transposed" : ""})`,
    });
  }
  if (!Number.isFinite(alpha)) {
    throw new NonFiniteError({ fn, arg: "options.alpha", expected: "finite", got: String(alpha) });
  }
  const choice = await selectBackend(fn, backend, m * n * k, GPU_THRESHOLDS.gemm);
  return runWithFallback(
    fn,
    choice,
    () => gemmCpu(a, b, { transA, transB, alpha }),
    (dev) =>
      withDevice(dev, async (up, alloc) => {
        const C = alloc(m, n);
        const batch = dev.batch().gemm(up(a), up(b), C, { transA, transB, alpha });
        const [v] = await batch.run([C]);
        return new Matrix(m, n, assertAllFinite(v, "C"));
      }),
    (dev) => fits(dev, [{ arg: "A", data: a.data }, { arg: "B", data: b.data }], m * n),
  );
}

/** Options of `gpu.gemv`. */
export interface GpuGemvOptions extends BackendOption {
  /** Use Aᵀ. @default false */
  trans?: boolean;
  /** Scale of the product. @default 1 */
  alpha?: number;
}

/** @internal `gpu.gemv`. */
export async function gemv(
  A: MatrixLike,
  x: ArrayLike<number>,
  options: GpuGemvOptions = {},
): Promise<GpuOpResult<Float64Array>> {
  const fn = "gpu.gemv";
  const { backend, trans = false, alpha = 1, ...rest } = options;
  rejectUnknown(fn, rest);
  const a = toMatrix(A, fn, "A");
  const xv = toVector(x, fn, "x", true);
  const nIn = trans ? a.rows : a.cols, nOut = trans ? a.cols : a.rows;
  if (xv.length !== nIn) throw new ShapeError({ fn, arg: "x", expected: `length ${nIn}`, got: `length ${xv.length}` });
  if (!Number.isFinite(alpha)) {
    throw new NonFiniteError({ fn, arg: "options.alpha", expected: "finite", got: String(alpha) });
  }
  const choice = await selectBackend(fn, backend, a.rows * a.cols, GPU_THRESHOLDS.reduce);
  return runWithFallback(
    fn,
    choice,
    () => gemvCpu(a, xv, { trans, alpha }),
    (dev) =>
      withDevice(dev, async (up, alloc) => {
        const y = alloc(nOut);
        const [v] = await dev.batch().gemv(up(a), up(xv), y, { trans, alpha }).run([y]);
        return assertAllFinite(v, "y");
      }),
    (dev) => fits(dev, [{ arg: "A", data: a.data }, { arg: "x", data: xv }]),
  );
}

// ---- reductions --------------------------------------------------------------------------

/** Options of `gpu.logSumExpRows` / `gpu.logSumExpCols`: affine input, epilogue, backend. */
export interface GpuLseOptions extends LseAffineOptions, BackendOption {}

/** Magnitude check of L = s·A + u ⊕ v and of the epilogue, so nothing overflows in f32. */
function affineRange(M: Matrix, r: ResolvedAffine, epilogue: boolean): Unsuitable | null {
  const L = Math.abs(r.scale) * maxAbsFinite(M.data) + (r.rowOffset ? maxAbsFinite(r.rowOffset) : 0) +
    (r.colOffset ? maxAbsFinite(r.colOffset) : 0);
  if (L > F32_MAX / 4) {
    return { arg: "A", expected: "|scale·A| + |u| + |v| within the f32 range", got: `magnitude ${L}` };
  }
  if (epilogue) {
    const n = Math.max(M.rows, M.cols, 1);
    const o = Math.abs(r.outScale) * (L + Math.log(n)) + (r.outOffset ? maxAbsFinite(r.outOffset) : 0);
    if (o > F32_MAX / 4) {
      return { arg: "options.outScale", expected: "an output within the f32 range", got: `magnitude ${o}` };
    }
  }
  return null;
}

async function lse(
  fn: string,
  byRows: boolean,
  A: MatrixLike,
  options: GpuLseOptions,
): Promise<GpuOpResult<Float64Array>> {
  const { backend, ...affine } = options;
  const M = toMatrix(A, fn, "A", { finite: false });
  const outLen = byRows ? M.rows : M.cols;
  const r = resolveAffine(fn, M.rows, M.cols, affine, outLen, true);
  for (let p = 0; p < M.data.length; p++) {
    if (Number.isNaN(M.data[p])) {
      throw new NonFiniteError({
        fn,
        arg: `A[${Math.floor(p / M.cols)}][${p % M.cols}]`,
        expected: "a number or ±Infinity",
        got: "NaN",
      });
    }
  }
  const choice = await selectBackend(fn, backend, M.rows * M.cols, GPU_THRESHOLDS.reduce);
  return runWithFallback(
    fn,
    choice,
    () => byRows ? lseRowsResolved(M, r) : lseColsResolved(M, r),
    (dev) =>
      withDevice(dev, async (up, alloc) => {
        const out = alloc(outLen);
        const opts = {
          scale: r.scale,
          rowOffset: r.rowOffset ? up(r.rowOffset) : undefined,
          colOffset: r.colOffset ? up(r.colOffset) : undefined,
          outScale: r.outScale,
          outOffset: r.outOffset ? up(r.outOffset) : undefined,
        };
        const b = dev.batch();
        if (byRows) b.logSumExpRows(up(M), out, opts);
        else b.logSumExpCols(up(M), out, opts);
        return (await b.run([out]))[0];
      }),
    (dev) => fits(dev, [{ arg: "A", data: M.data }]) ?? affineRange(M, r, true),
  );
}

/** @internal `gpu.logSumExpRows`. */
export function logSumExpRows(A: MatrixLike, options: GpuLseOptions = {}): Promise<GpuOpResult<Float64Array>> {
  return lse("gpu.logSumExpRows", true, A, options);
}

/** @internal `gpu.logSumExpCols`. */
export function logSumExpCols(A: MatrixLike, options: GpuLseOptions = {}): Promise<GpuOpResult<Float64Array>> {
  return lse("gpu.logSumExpCols", false, A, options);
}

/** Options of `gpu.softmaxRows` / `gpu.softmaxCols`. */
export interface GpuSoftmaxOptions extends Pick<LseAffineOptions, "scale" | "rowOffset" | "colOffset">, BackendOption {}

async function softmaxOp(
  fn: string,
  byRows: boolean,
  A: MatrixLike,
  options: GpuSoftmaxOptions,
): Promise<GpuOpResult<Matrix>> {
  const { backend, ...affine } = options;
  const M = toMatrix(A, fn, "A", { finite: false });
  const r = resolveAffine(fn, M.rows, M.cols, affine, 0, false);
  checkSoftmax(fn, M, r, byRows);
  const choice = await selectBackend(fn, backend, M.rows * M.cols, GPU_THRESHOLDS.reduce);
  return runWithFallback(
    fn,
    choice,
    () => byRows ? softmaxRowsResolved(M, r) : softmaxColsResolved(M, r),
    (dev) =>
      withDevice(dev, async (up, alloc) => {
        const out = alloc(M.rows, M.cols);
        const opts = {
          scale: r.scale,
          rowOffset: r.rowOffset ? up(r.rowOffset) : undefined,
          colOffset: r.colOffset ? up(r.colOffset) : undefined,
        };
        const b = dev.batch();
        if (byRows) b.softmaxRows(up(M), out, opts);
        else b.softmaxCols(up(M), out, opts);
        return new Matrix(M.rows, M.cols, assertAllFinite((await b.run([out]))[0], "softmax"));
      }),
    (dev) => fits(dev, [{ arg: "A", data: M.data }]) ?? affineRange(M, r, false),
  );
}

/** @internal `gpu.softmaxRows`. */
export function softmaxRows(A: MatrixLike, options: GpuSoftmaxOptions = {}): Promise<GpuOpResult<Matrix>> {
  return softmaxOp("gpu.softmaxRows", true, A, options);
}

/** @internal `gpu.softmaxCols`. */
export function softmaxCols(A: MatrixLike, options: GpuSoftmaxOptions = {}): Promise<GpuOpResult<Matrix>> {
  return softmaxOp("gpu.softmaxCols", false, A, options);
}

type Simple = "sumRows" | "sumCols" | "maxRows" | "maxCols";

async function simpleReduce(which: Simple, A: MatrixLike, options: BackendOption): Promise<GpuOpResult<Float64Array>> {
  const fn = `gpu.${which}`;
  const { backend, ...rest } = options;
  rejectUnknown(fn, rest);
  const isSum = which.startsWith("sum");
  const byRows = which.endsWith("Rows");
  const M = toMatrix(A, fn, "A", { finite: isSum });
  if (!isSum) {
    for (let p = 0; p < M.data.length; p++) {
      if (Number.isNaN(M.data[p])) {
        throw new NonFiniteError({
          fn,
          arg: `A[${Math.floor(p / M.cols)}][${p % M.cols}]`,
          expected: "a number or ±Infinity",
          got: "NaN",
        });
      }
    }
  }
  const cpu = { sumRows: sumRowsCpu, sumCols: sumColsCpu, maxRows: maxRowsCpu, maxCols: maxColsCpu }[which];
  const choice = await selectBackend(fn, backend, M.rows * M.cols, GPU_THRESHOLDS.reduce);
  return runWithFallback(
    fn,
    choice,
    () => cpu(M),
    (dev) =>
      withDevice(dev, async (up, alloc) => {
        const out = alloc(byRows ? M.rows : M.cols);
        const b = dev.batch();
        b[which](up(M), out);
        const [v] = await b.run([out]);
        return isSum ? assertAllFinite(v, which) : v;
      }),
    (dev) => fits(dev, [{ arg: "A", data: M.data }]),
  );
}

/** @internal `gpu.sumRows`. */
export function sumRows(A: MatrixLike, options: BackendOption = {}): Promise<GpuOpResult<Float64Array>> {
  return simpleReduce("sumRows", A, options);
}
/** @internal `gpu.sumCols`. */
export function sumCols(A: MatrixLike, options: BackendOption = {}): Promise<GpuOpResult<Float64Array>> {
  return simpleReduce("sumCols", A, options);
}
/** @internal `gpu.maxRows`. */
export function maxRows(A: MatrixLike, options: BackendOption = {}): Promise<GpuOpResult<Float64Array>> {
  return simpleReduce("maxRows", A, options);
}
/** @internal `gpu.maxCols`. */
export function maxCols(A: MatrixLike, options: BackendOption = {}): Promise<GpuOpResult<Float64Array>> {
  return simpleReduce("maxCols", A, options);
}

// ---- distances and Gram matrices ----------------------------------------------------------

async function distance(
  fn: string,
  X: MatrixLike,
  Y: MatrixLike | undefined,
  sigma: number | null,
  options: BackendOption,
): Promise<GpuOpResult<Matrix>> {
  const { backend, ...rest } = options;
  rejectUnknown(fn, rest);
  if (sigma !== null) assertPositive(sigma, fn, "sigma");
  const x = toMatrix(X, fn, "X");
  const y = Y === undefined ? x : toMatrix(Y, fn, "Y");
  if (x.cols !== y.cols) throw new ShapeError({ fn, arg: "Y", expected: `${x.cols} columns (as X)`, got: `${y.cols}` });
  const n = x.rows, m = y.rows;
  const choice = await selectBackend(fn, backend, n * m * Math.max(1, x.cols), GPU_THRESHOLDS.pairwise);
  return runWithFallback(
    fn,
    choice,
    () => sigma === null ? pairwiseSqDistCpu(x, y) : gaussianGramCpu(x, sigma, y),
    (dev) =>
      withDevice(dev, async (up, alloc) => {
        const out = alloc(n, m);
        const dx = up(x);
        const dy = Y === undefined ? dx : up(y);
        const b = dev.batch();
        if (sigma === null) b.pairwiseSqDist(dx, dy, out);
        else b.gaussianGram(dx, dy, out, sigma);
        return new Matrix(n, m, assertAllFinite((await b.run([out]))[0], sigma === null ? "D" : "K"));
      }),
    (dev) => {
      const f = fits(dev, [{ arg: "X", data: x.data }, { arg: "Y", data: y.data }], n * m);
      if (f || sigma === null) return f;
      const c = 1 / (2 * sigma * sigma);
      return c > F32_MAX / 4 || c < 1e-30
        ? { arg: "sigma", expected: "1/(2σ²) within the f32 range", got: `σ = ${sigma}` }
        : null;
    },
  );
}

/** @internal `gpu.pairwiseSqDist`. */
export function pairwiseSqDist(
  X: MatrixLike,
  Y?: MatrixLike,
  options: BackendOption = {},
): Promise<GpuOpResult<Matrix>> {
  return distance("gpu.pairwiseSqDist", X, Y, null, options);
}

/** @internal `gpu.gaussianGram`. */
export function gaussianGram(
  X: MatrixLike,
  sigma: number,
  Y?: MatrixLike,
  options: BackendOption = {},
): Promise<GpuOpResult<Matrix>> {
  return distance("gpu.gaussianGram", X, Y, sigma, options);
}

// ---- selection ---------------------------------------------------------------------------

/** Options of `gpu.kSmallestPerRow`. */
export interface GpuKSmallestOptions extends BackendOption {
  /** Skip the diagonal entry (i, i). @default false */
  excludeDiagonal?: boolean;
}

/** @internal `gpu.kSmallestPerRow`. */
export async function kSmallestPerRow(
  D: MatrixLike,
  k: number,
  options: GpuKSmallestOptions = {},
): Promise<GpuOpResult<KSmallest>> {
  const fn = "gpu.kSmallestPerRow";
  const { backend, excludeDiagonal = false, ...rest } = options;
  rejectUnknown(fn, rest);
  const M = toMatrix(D, fn, "D", { finite: false });
  const { rows, cols } = M;
  for (let p = 0; p < M.data.length; p++) {
    if (Number.isNaN(M.data[p])) {
      throw new NonFiniteError({
        fn,
        arg: `D[${Math.floor(p / cols)}][${p % cols}]`,
        expected: "a number or ±Infinity",
        got: "NaN",
      });
    }
  }
  const avail = excludeDiagonal && rows > 0 ? cols - 1 : cols;
  if (rows > 0 && avail < 1) {
    throw new ShapeError({
      fn,
      arg: "D",
      expected: excludeDiagonal ? "at least 2 columns with excludeDiagonal" : "at least 1 column",
      got: `${cols}`,
    });
  }
  assertInteger(k, fn, "k", 1, rows > 0 ? Math.max(1, avail) : Number.MAX_SAFE_INTEGER);
  const choice = await selectBackend(fn, backend, rows * cols, GPU_THRESHOLDS.kSmallest);
  return runWithFallback(
    fn,
    choice,
    () => kSmallestCpu(M, k, { excludeDiagonal }),
    (dev) =>
      withDevice(dev, async (up, alloc) => {
        const vals = alloc(rows, k), idx = alloc(rows, k, "u32");
        const [v, ix] = await dev.batch().kSmallestPerRow(up(M), k, vals, idx, { excludeDiagonal }).run([vals, idx]);
        return { rows, k, values: v, indices: Int32Array.from(ix) };
      }),
    (dev) =>
      k > K_SMALLEST_MAX_K
        ? { arg: "k", expected: `k ≤ ${K_SMALLEST_MAX_K} (workgroup memory)`, got: `${k}` }
        : fits(dev, [{ arg: "D", data: M.data }], rows * k),
  );
}

// ---- elementwise -------------------------------------------------------------------------

/** Options of `gpu.elementwiseMap`: y = f(a·x + b). */
export interface GpuMapOptions extends BackendOption {
  /** a. @default 1 */
  a?: number;
  /** b. @default 0 */
  b?: number;
}

/** @internal `gpu.elementwiseMap`. */
export async function elementwiseMap(
  x: ArrayLike<number>,
  op: MapOp,
  options: GpuMapOptions = {},
): Promise<GpuOpResult<Float64Array>> {
  const fn = "gpu.elementwiseMap";
  const { backend, ...params } = options;
  rejectUnknown(fn, params, ["a", "b"]);
  const xv = toVector(x, fn, "x", true);
  const { a, b } = checkMap(fn, xv, op, params);
  const choice = await selectBackend(fn, backend, xv.length, GPU_THRESHOLDS.elementwise);
  return runWithFallback(
    fn,
    choice,
    () => mapUnchecked(xv, op, a, b),
    (dev) =>
      withDevice(dev, async (up, alloc) => {
        const y = alloc(xv.length);
        const [v] = await dev.batch().elementwiseMap(up(xv), y, op, { a, b }).run([y]);
        for (let i = 0; i < v.length; i++) {
          // log(0) = −∞ is a legitimate value; any other non-finite entry is an f32 overflow.
          if (!Number.isFinite(v[i]) && !(op === "log" && a * xv[i] + b === 0)) {
            throw new F32RangeError(`${op}(${a}·x[${i}] + ${b}) = ${v[i]} in f32`);
          }
        }
        return v;
      }),
    (dev) => fits(dev, [{ arg: "x", data: xv }]),
  );
}

/** Options of `gpu.elementwiseZip`: z = g(α·x, β·y). */
export interface GpuZipOptions extends BackendOption {
  /** α. @default 1 */
  alpha?: number;
  /** β. @default 1 */
  beta?: number;
}

/** @internal `gpu.elementwiseZip`. */
export async function elementwiseZip(
  x: ArrayLike<number>,
  y: ArrayLike<number>,
  op: ZipOp,
  options: GpuZipOptions = {},
): Promise<GpuOpResult<Float64Array>> {
  const fn = "gpu.elementwiseZip";
  const { backend, ...params } = options;
  rejectUnknown(fn, params, ["alpha", "beta"]);
  const xv = toVector(x, fn, "x", true), yv = toVector(y, fn, "y", true);
  const { alpha, beta } = checkZip(fn, xv, yv, op, params);
  const choice = await selectBackend(fn, backend, xv.length, GPU_THRESHOLDS.elementwise);
  return runWithFallback(
    fn,
    choice,
    () => zipUnchecked(xv, yv, op, alpha, beta),
    (dev) =>
      withDevice(dev, async (up, alloc) => {
        const z = alloc(xv.length);
        const [v] = await dev.batch().elementwiseZip(up(xv), up(yv), z, op, { alpha, beta }).run([z]);
        return assertAllFinite(v, "z");
      }),
    (dev) => fits(dev, [{ arg: "x", data: xv }, { arg: "y", data: yv }]),
  );
}

function rejectUnknown(fn: string, rest: object, known: readonly string[] = []): void {
  for (const key of Object.keys(rest)) {
    if (!known.includes(key)) {
      throw new OptionError({
        fn,
        arg: `options.${key}`,
        expected: "a known option (see the function's options type)",
        got: "an unknown key",
      });
    }
  }
}
