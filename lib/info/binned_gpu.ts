/**
 * GPU paths of the plug-in binning estimators: `binnedEntropyAsync` / `binnedMiAsync` (card A12) digitise
 * every value and fill a dense joint histogram with u32 atomics; `adaptiveBinningMiAsync` (EBAB, card A9)
 * digitises a layer's activations against its pooled edges and counts the occupied levels with atomics.
 * Kernels: `kernels/info/binning.ts`. Values and edges are compared as 64-bit order-preserving keys,
 * not as f32, so every bin — and, because the host sums the histogram in the CPU's symbol order, every
 * result — is identical to the CPU path's. Edges (quantiles, equal-width step points, EBAB's unique-value
 * edges) are computed on the CPU in f64.
 *
 * Binning is O(N·d) with 8 bytes uploaded per value, so the GPU pays only when the data are large (the
 * auto threshold is N·d ≥ 2²⁴) or already on the device.
 *
 * @module
 */

import type { Backend } from "../core/diagnostics.ts";
import type { Matrix } from "../core/matrix.ts";
import { resolveOptions } from "../core/validate.ts";
import { type BackendRequest, runWithFallback, selectBackend, type Unsuitable } from "../gpu/backend.ts";
import type { GpuDevice, GpuMatrix } from "../gpu/runtime.ts";
import { BIN_CODES_KERNEL, BIN_HISTOGRAM_KERNEL, FILL_U32_KERNEL } from "../../kernels/info/binning.ts";
import { BINNED_CONSTRAINTS, binnedEntropyResult, binnedMiResult, columnRange, quantileEdges } from "./_binning.ts";
import { type CellHistogram, cellsByFirstRow, keysInto, miTablesFromCells, uniformStepEdges } from "./_binning_gpu.ts";
import { assertSameRows, toSamples } from "./_input.ts";
import { AB_CONSTRAINTS, digitizeEdges, layerInfo, resolveLow } from "./_layer_info.ts";
import { type PlugInMi, plugInMi, plugInMiCounts, rowSymbols, symbolCounts } from "./_symbols.ts";
import {
  BINNED_DEFAULTS,
  type BinnedEntropyParams,
  type BinnedMiParams,
  type BinnedOptions,
  type BinningStrategy,
  discretize,
} from "./binned.ts";
import { ADAPTIVE_BINNING_DEFAULTS, type AdaptiveBinningOptions, ebabEdges, type LayerMiResult } from "./ebab.ts";
import type { InfoEstimate, LabelLike, SampleLike } from "./result.ts";

/** Most histogram cells (bins^(dx+dy)) the GPU path of the binned estimators allocates. */
export const BIN_GPU_MAX_CELLS: number = 1 << 22;

/** Work N·d from which `backend: "auto"` uses a hardware GPU for binning (a guess; binning is memory-bound). */
export const BIN_GPU_THRESHOLD: number = 1 << 24;

/** Where a binned estimate ran. */
export interface BackendInfo {
  /** Backend of the digitisation and histogram. */
  readonly backend: Backend;
  /** Why that backend. */
  readonly backendReason: string;
}

/** Options of {@linkcode binnedEntropyAsync} and {@linkcode binnedMiAsync}: those of `binnedMi` plus the backend. */
export interface BinnedAsyncOptions extends BinnedOptions {
  /** `"auto"` (GPU only for a hardware adapter and N·d ≥ 2²⁴), `"cpu"` or `"gpu"`. @default "auto" */
  backend: BackendRequest;
}

/** Per-column edges on the host: equal-width step points or quantile edges (count of edges ≤ v = bin). */
function columnEdges(M: Matrix, bins: number, strategy: BinningStrategy): Float64Array[] {
  const out: Float64Array[] = [];
  for (let c = 0; c < M.cols; c++) {
    const col = M.col(c);
    if (strategy === "uniform") {
      const { lo, hi } = columnRange(col);
      out.push(uniformStepEdges(lo, hi, bins));
    } else out.push(quantileEdges(Float64Array.from(col).sort(), bins));
  }
  return out;
}

/** Keys of the row-major [A | B] values (B may be null). */
function rowKeys(A: Matrix, B: Matrix | null): Uint32Array {
  const n = A.rows, da = A.cols, db = B ? B.cols : 0, d = da + db;
  const out = new Uint32Array(2 * n * d);
  for (let i = 0; i < n; i++) {
    keysInto(A.data.subarray(i * da, i * da + da), out, 2 * i * d);
    if (B) keysInto(B.data.subarray(i * db, i * db + db), out, 2 * (i * d + da));
  }
  return out;
}

function edgeBuffers(cols: Float64Array[]): { eoff: Uint32Array; keys: Uint32Array } {
  const eoff = new Uint32Array(cols.length + 1);
  for (let c = 0; c < cols.length; c++) eoff[c + 1] = eoff[c] + cols[c].length;
  const keys = new Uint32Array(2 * Math.max(1, eoff[cols.length]));
  for (let c = 0; c < cols.length; c++) keysInto(cols[c], keys, 2 * eoff[c]);
  return { eoff, keys };
}

function release(ms: GpuMatrix[]): void {
  for (const m of ms) m.release();
}

/** Dense joint histogram of the binned rows of [A | B] on the GPU (cells Σ code_c·bins^c). */
async function histogramGpu(dev: GpuDevice, A: Matrix, B: Matrix | null, opts: BinnedOptions): Promise<CellHistogram> {
  const n = A.rows, d = A.cols + (B ? B.cols : 0);
  const edges = columnEdges(A, opts.bins, opts.strategy);
  if (B) edges.push(...columnEdges(B, opts.bins, opts.strategy));
  const { eoff, keys } = edgeBuffers(edges);
  const strides = new Uint32Array(d);
  let cells = 1;
  for (let c = 0; c < d; c++) {
    strides[c] = cells;
    cells *= opts.bins;
  }
  const held: GpuMatrix[] = [];
  try {
    const vals = dev.alloc(2 * n * d, 1, "u32"), ge = dev.alloc(d + 1, 1, "u32"), gk = dev.alloc(keys.length, 1, "u32");
    const gs = dev.alloc(d, 1, "u32"), hist = dev.alloc(cells, 1, "u32"), first = dev.alloc(cells, 1, "u32");
    held.push(vals, ge, gk, gs, hist, first);
    dev.writeU32(vals, rowKeys(A, B));
    dev.writeU32(ge, eoff);
    dev.writeU32(gk, keys);
    dev.writeU32(gs, strides);
    const fillGroups = Math.ceil(cells / 256);
    const [h, f] = await dev.batch()
      .dispatch(FILL_U32_KERNEL, [hist], { n: cells, value: 0 }, fillGroups)
      .dispatch(FILL_U32_KERNEL, [first], { n: cells, value: 0xffffffff }, fillGroups)
      .dispatch(BIN_HISTOGRAM_KERNEL, [vals, ge, gk, gs, hist, first], { n, d, mode: 0 }, Math.ceil(n / 64))
      .run([hist, first]);
    return { hist: Uint32Array.from(h), first: Uint32Array.from(f) };
  } finally {
    release(held);
  }
}

function histUnsuitable(dev: GpuDevice, n: number, d: number, opts: BinnedOptions): Unsuitable | null {
  if (opts.strategy === "discrete") {
    return {
      arg: "options.strategy",
      expected: '"uniform" or "quantile" (discrete values are relabelled on the CPU)',
      got: '"discrete"',
    };
  }
  const cells = opts.bins ** d;
  if (cells > BIN_GPU_MAX_CELLS) {
    return { arg: "options.bins", expected: `bins^${d} ≤ ${BIN_GPU_MAX_CELLS} histogram cells`, got: `${opts.bins}` };
  }
  if (2 * n * d > dev.maxEntries) {
    return { arg: "x", expected: `at most ${dev.maxEntries / 2} values per GPU buffer`, got: `${n}×${d}` };
  }
  return null;
}

function binnedOpts(fn: string, options: Partial<BinnedAsyncOptions>): BinnedAsyncOptions {
  return resolveOptions(fn, { ...BINNED_DEFAULTS, backend: "auto" as BackendRequest }, options, {
    ...BINNED_CONSTRAINTS,
    backend: { kind: "any" },
  });
}

/**
 * Plug-in (histogram) entropy of the discretised samples (card A12) with the digitisation and the
 * histogram on WebGPU when selected (u32 atomics over bins^d cells); identical to {@linkcode binnedEntropy}
 * on both backends (exact key comparisons; sums in the CPU's order). `strategy: "discrete"` and more than
 * 2²² cells run on the CPU (a forced `"gpu"` is a BackendError naming the option).
 *
 * @param x N×d samples (a vector is N×1)
 * @param options those of `binnedEntropy` (`bins`, `strategy`, `correction`, `unit`) plus `backend`
 * @returns `binnedEntropy`'s result with `backend` and `backendReason`
 * @throws {ParsimonyError} as `binnedEntropy`; `backend: "gpu"` without an adapter or for unsuitable options
 * @example
 * ```ts
 * import { binnedEntropyAsync } from "@parsimony/parsimony/info";
 * const r = await binnedEntropyAsync([0, 0.1, 0.9, 1], { bins: 2, unit: "bits", backend: "cpu" });
 * r.value; // => 1
 * ```
 */
export async function binnedEntropyAsync(
  x: SampleLike,
  options: Partial<BinnedAsyncOptions> = {},
): Promise<InfoEstimate<BinnedEntropyParams> & BackendInfo> {
  const fn = "binnedEntropyAsync";
  const opts = binnedOpts(fn, options);
  const X = toSamples(x, fn, "x");
  const n = X.rows;
  const choice = await selectBackend(fn, opts.backend, n * X.cols, BIN_GPU_THRESHOLD);
  const r = await runWithFallback<Float64Array>(
    fn,
    choice,
    () => {
      const s = rowSymbols(discretize(X, opts.bins, opts.strategy), n, X.cols);
      return symbolCounts(s.ids, s.count);
    },
    async (dev) => {
      const h = await histogramGpu(dev, X, null, opts);
      return Float64Array.from(cellsByFirstRow(h), (c) => h.hist[c]);
    },
    (dev) => histUnsuitable(dev, n, X.cols, opts),
  );
  return { ...binnedEntropyResult(opts, n, r.value), backend: r.backend, backendReason: r.backendReason };
}

/**
 * Plug-in mutual information of the discretised samples (card A12) with the digitisation and the joint
 * histogram on WebGPU when selected (u32 atomics over bins^(dx+dy) cells; the marginals come from the
 * joint); identical to {@linkcode binnedMi} on both backends. `strategy: "discrete"` and more than 2²²
 * cells run on the CPU (a forced `"gpu"` is a BackendError naming the option).
 *
 * @param x N×dx samples
 * @param y N×dy samples
 * @param options those of `binnedMi` (`bins`, `strategy`, `correction`, `unit`) plus `backend`
 * @returns `binnedMi`'s result with `backend` and `backendReason`
 * @throws {ParsimonyError} as `binnedMi`; `backend: "gpu"` without an adapter or for unsuitable options
 * @example
 * ```ts
 * import { binnedMiAsync } from "@parsimony/parsimony/info";
 * const r = await binnedMiAsync([0, 0.1, 0.9, 1], [5, 5, 7, 7], { bins: 2, backend: "cpu" });
 * r.value; // => Math.LN2
 * ```
 */
export async function binnedMiAsync(
  x: SampleLike,
  y: SampleLike,
  options: Partial<BinnedAsyncOptions> = {},
): Promise<InfoEstimate<BinnedMiParams> & BackendInfo> {
  const fn = "binnedMiAsync";
  const opts = binnedOpts(fn, options);
  const X = toSamples(x, fn, "x");
  const Y = toSamples(y, fn, "y");
  assertSameRows(X, Y, fn, "x", "y");
  const n = X.rows, d = X.cols + Y.cols;
  const choice = await selectBackend(fn, opts.backend, n * d, BIN_GPU_THRESHOLD);
  const r = await runWithFallback<PlugInMi>(
    fn,
    choice,
    () => {
      const a = rowSymbols(discretize(X, opts.bins, opts.strategy), n, X.cols);
      const b = rowSymbols(discretize(Y, opts.bins, opts.strategy), n, Y.cols);
      return plugInMi(a.ids, a.count, b.ids, b.count);
    },
    async (dev) => {
      const h = await histogramGpu(dev, X, Y, opts);
      const t = miTablesFromCells(h, opts.bins ** X.cols);
      return plugInMiCounts(t.na, t.nb, t.nab, t.ra, t.rb, n);
    },
    (dev) => histUnsuitable(dev, n, d, opts),
  );
  return { ...binnedMiResult(opts, n, r.value), backend: r.backend, backendReason: r.backendReason };
}

/** Options of {@linkcode adaptiveBinningMiAsync}: those of `adaptiveBinningMi` plus the backend. */
export interface AdaptiveBinningAsyncOptions extends AdaptiveBinningOptions {
  /** `"auto"` (GPU only for a hardware adapter and N·units ≥ 2²⁴), `"cpu"` or `"gpu"`. @default "auto" */
  backend: BackendRequest;
}

/**
 * EBAB information-plane point of one layer (Chelombiev et al. 2019; card A9) with the digitisation of
 * every activation on WebGPU when selected (binary search over the pooled edges as exact 64-bit keys,
 * occupied levels counted with u32 atomics); the edges (sorted unique values) and the pattern counting
 * stay on the CPU. Identical to {@linkcode adaptiveBinningMi} on both backends.
 *
 * @param t N×units activations
 * @param labels N class labels for I(T; Y), or `null`
 * @param options those of `adaptiveBinningMi` (`bins`, `low`, `inputIds`, `unit`) plus `backend`
 * @returns `adaptiveBinningMi`'s result with `backend` and `backendReason`
 * @throws {ParsimonyError} as `adaptiveBinningMi`; `backend: "gpu"` without an adapter
 * @example
 * ```ts
 * import { adaptiveBinningMiAsync } from "@parsimony/parsimony/info";
 * const t = [[0.1, 0.9], [0.2, 0.8], [0.7, 0.1], [0.9, 0.3]];
 * const r = await adaptiveBinningMiAsync(t, [0, 0, 1, 1], { unit: "bits", backend: "cpu" });
 * r.value; // => 2
 * ```
 */
export async function adaptiveBinningMiAsync(
  t: SampleLike,
  labels: LabelLike | null = null,
  options: Partial<AdaptiveBinningAsyncOptions> = {},
): Promise<LayerMiResult & BackendInfo> {
  const fn = "adaptiveBinningMiAsync";
  const opts = resolveOptions(fn, { ...ADAPTIVE_BINNING_DEFAULTS, backend: "auto" as BackendRequest }, options, {
    ...AB_CONSTRAINTS,
    backend: { kind: "any" },
  });
  const T = toSamples(t, fn, "t");
  const low = resolveLow(fn, T, opts.low);
  const edges = ebabEdges(T.data, opts.bins, low);
  const m = T.data.length;
  const choice = await selectBackend(fn, opts.backend, m, BIN_GPU_THRESHOLD);
  const r = await runWithFallback<{ codes: Float64Array; levels?: number }>(
    fn,
    choice,
    () => ({ codes: digitizeEdges(T.data, edges) }),
    async (dev) => {
      const held: GpuMatrix[] = [];
      try {
        const vals = dev.alloc(2 * m, 1, "u32"),
          ge = dev.alloc(2, 1, "u32"),
          gk = dev.alloc(2 * edges.length, 1, "u32");
        const codes = dev.alloc(m, 1, "u32"), lev = dev.alloc(edges.length, 1, "u32");
        held.push(vals, ge, gk, codes, lev);
        dev.writeU32(vals, rowKeys(T, null));
        dev.writeU32(ge, [0, edges.length]);
        const ek = new Uint32Array(2 * edges.length);
        keysInto(edges, ek);
        dev.writeU32(gk, ek);
        const [cv, lv] = await dev.batch()
          .dispatch(FILL_U32_KERNEL, [lev], { n: edges.length, value: 0 }, Math.ceil(edges.length / 256))
          .dispatch(BIN_CODES_KERNEL, [vals, ge, gk, codes, lev], { n: m, d: 0, mode: 1 }, Math.ceil(m / 256))
          .run([codes, lev]);
        let levels = 0;
        for (let i = 0; i < lv.length; i++) if (lv[i] > 0) levels++;
        return { codes: cv, levels };
      } finally {
        release(held);
      }
    },
    (dev) =>
      2 * m > dev.maxEntries
        ? { arg: "t", expected: `at most ${dev.maxEntries / 2} activations per GPU buffer`, got: `${T.rows}×${T.cols}` }
        : null,
  );
  const res = layerInfo(fn, T, r.value.codes, labels, opts.inputIds, opts.unit, {
    scheme: "ebab",
    bins: opts.bins,
    edges,
    low,
  }, r.value.levels);
  return { ...res, backend: r.backend, backendReason: r.backendReason };
}
