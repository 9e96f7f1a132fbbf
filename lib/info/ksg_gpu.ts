/**
 * GPU paths of the kNN mutual-information estimators: `ksgAsync` (Kraskov–Stögbauer–Grassberger 1
 * and 2) and `mixedKsgAsync` (Ross 2014) run the O(N²) neighbour search and radius counts as WGSL
 * kernels (`kernels/info/knn.ts`: brute-force max-norm k-NN lists, guard-band radius counts) through
 * lib/gpu's backend selection, and finish in f64 on the host: the GPU's f32 distances only decide what
 * is certainly inside or outside a radius, everything closer to a decision than the f32 error bound is
 * compared again in f64 with the CPU path's arithmetic (lib/info/_knn_gpu.ts has the bound). The
 * counts, and so the estimates, are therefore the CPU's, bit for bit (KSG-2 with an exact f64 tie at
 * the k-th neighbour distance is the one exception; see {@linkcode KnnRecheckStats.kthTies}).
 *
 * @module
 */

import type { Backend } from "../core/diagnostics.ts";
import { resolveOptions } from "../core/validate.ts";
import { type BackendRequest, runWithFallback, selectBackend, type Unsuitable } from "../gpu/backend.ts";
import type { GpuDevice, GpuMatrix } from "../gpu/runtime.ts";
import { KNN_MAX_LIST, knnMaxNormKernel, RADIUS_BAND_SLOTS, radiusBandCountKernel } from "../../kernels/info/knn.ts";
import { assertK, assertSameRows, toLabels, toSamples } from "./_input.ts";
import { bandBounds, certifyKnn, decodeLists, gpuSpace, recheckCounts } from "./_knn_gpu.ts";
import {
  KSG_CONSTRAINTS,
  ksgCountsCpu,
  type KsgData,
  ksgData,
  ksgRadii,
  ksgResult,
  MIXED_CONSTRAINTS,
  mixedCountsCpu,
  type MixedData,
  mixedData,
  mixedResult,
} from "./_ksg_steps.ts";
import { nextDown } from "./_special.ts";
import { countTile, dispatchTiles, knnTile } from "./_tiles.ts";
import {
  KSG_DEFAULTS,
  type KsgOptions,
  type KsgResult,
  MIXED_KSG_DEFAULTS,
  type MixedKsgOptions,
  type MixedKsgResult,
} from "./ksg.ts";
import type { LabelLike, SampleLike } from "./result.ts";

/** Extra list entries the GPU keeps beyond k, so that near-ties at the k-th distance are usually certified. */
export const KNN_GUARD = 2;

/** Largest k the GPU path takes (the list of k + {@linkcode KNN_GUARD} lives in registers). */
export const KSG_GPU_MAX_K: number = KNN_MAX_LIST - KNN_GUARD;

/**
 * Work N²·(dx + dy) from which `backend: "auto"` uses a hardware GPU for the kNN estimators. The CPU path
 * is an O(N log N) k-d tree in low dimension, so brute force on the GPU pays only for large N or d; the
 * value is a guess until measured on a hardware GPU (none was available when it was set).
 */
export const KSG_GPU_THRESHOLD: number = 2 ** 28;

/** Largest centred magnitude the kernels take (differences must stay finite in f32). */
const GPU_MAX_ABS = 1e37;

/** What the f64 certification and re-check of the GPU path did. */
export interface KnnRecheckStats {
  /** List length K = k + guard the kernel kept per point. */
  readonly listLength: number;
  /** Rows whose list could not certify the k-NN set and were recomputed in f64 on the CPU. */
  readonly knnRowsRecomputed: number;
  /** (row, point) pairs in a guard band, compared again in f64. */
  readonly bandChecks: number;
  /** (row, space) counts whose band overflowed the kernel's slots and were recounted in f64. */
  readonly countRowsRecounted: number;
  /**
   * Rows with an exact f64 tie at the k-th neighbour distance. KSG-1 and Ross use only the distance, so
   * ties cannot change them; KSG-2 uses the neighbours' identities: ties are broken by the smaller index
   * here (as the CPU's brute force, N ≤ 256), while the CPU's k-d tree (N > 256) may keep another tied
   * point — the estimates can then differ in the last digits.
   */
  readonly kthTies: number;
}

/** Options of {@linkcode ksgAsync}: those of `ksg` plus the backend. */
export interface KsgAsyncOptions extends KsgOptions {
  /** `"auto"` (GPU only for a hardware adapter and N²·(dx + dy) ≥ 2²⁸), `"cpu"` or `"gpu"`. @default "auto" */
  backend: BackendRequest;
}

/** Result of {@linkcode ksgAsync}: `ksg`'s result plus where the neighbour search ran. */
export interface KsgAsyncResult extends KsgResult {
  /** Backend of the neighbour search and counts. */
  readonly backend: Backend;
  /** Why that backend. */
  readonly backendReason: string;
  /** What the f64 re-check did on the GPU path; `null` on the CPU. */
  readonly gpu: KnnRecheckStats | null;
}

interface Counts {
  readonly a: Int32Array;
  readonly b: Int32Array;
  readonly stats: KnnRecheckStats | null;
}

function unsuitable(dev: GpuDevice, k: number, n: number, d: number, data: Float64Array[]): Unsuitable | null {
  if (k > KSG_GPU_MAX_K) {
    return {
      arg: "options.k",
      expected: `k ≤ ${KSG_GPU_MAX_K} (the k + ${KNN_GUARD} list is kept in registers)`,
      got: `${k}`,
    };
  }
  const K = k + KNN_GUARD;
  if (Math.max(n * K, n * d, 2 * RADIUS_BAND_SLOTS * n) > dev.maxEntries) {
    return { arg: "x", expected: `at most ${dev.maxEntries} entries per GPU buffer`, got: `N = ${n}, d = ${d}` };
  }
  for (const v of data) {
    for (let i = 0; i < v.length; i++) {
      if (!(Math.abs(v[i]) <= GPU_MAX_ABS / 2)) {
        return { arg: "x", expected: `values within ±${GPU_MAX_ABS / 2} after scaling`, got: `${v[i]}` };
      }
    }
  }
  return null;
}

const groups = (n: number) => Math.ceil(n / 64);

function release(ms: GpuMatrix[]): void {
  for (const m of ms) m.release();
}

/** The GPU neighbour step of KSG: k-NN lists, f64 certification, guard-band counts, f64 re-check. */
async function ksgCountsGpu(dev: GpuDevice, p: KsgData): Promise<Counts> {
  const { n, k, dx, dy } = p;
  const d = dx + dy;
  const K = Math.min(k + KNN_GUARD, n - 1);
  const J = gpuSpace(p.joint, n, d), Sx = gpuSpace(p.xd, n, dx), Sy = gpuSpace(p.yd, n, dy);
  const held: GpuMatrix[] = [];
  try {
    const gj = dev.upload(J.values), lab = dev.alloc(1, 1, "u32");
    const keys = dev.alloc(n * K, 1, "u32"), idx = dev.alloc(n * K, 1, "u32");
    held.push(gj, lab, keys, idx);
    const b1 = dev.batch();
    dispatchTiles(b1, knnMaxNormKernel(K, false), [gj, lab, keys, idx], { n, d }, groups(n), n, knnTile(d, K));
    const [kv, iv] = await b1.run([keys, idx]);
    const cert = certifyKnn(decodeLists(kv, iv, K), p.joint, n, d, J.a, () => k, () => n - 1, null, k);
    const { rx, ry } = ksgRadii(p, cert.eps, cert.idx);
    const bounds = new Float32Array(4 * n);
    for (let i = 0; i < n; i++) {
      const bx = bandBounds(rx[i], Sx.a[i]), by = bandBounds(ry[i], Sy.a[i]);
      bounds[4 * i] = bx[0];
      bounds[4 * i + 1] = bx[1];
      bounds[4 * i + 2] = by[0];
      bounds[4 * i + 3] = by[1];
    }
    const gx = dev.upload(Sx.values), gy = dev.upload(Sy.values), gb = dev.upload(bounds);
    const cnt = dev.alloc(4 * n, 1, "u32"), band = dev.alloc(2 * RADIUS_BAND_SLOTS * n, 1, "u32");
    held.push(gx, gy, gb, cnt, band);
    const b2 = dev.batch();
    dispatchTiles(
      b2,
      radiusBandCountKernel(true),
      [gx, gy, gb, cnt, band],
      { n, da: dx, db: dy },
      groups(n),
      n,
      countTile(dx + dy),
    );
    const [cv, bv] = await b2.run([cnt, band]);
    const bc = { cnt: Uint32Array.from(cv), band: Uint32Array.from(bv) };
    const cx = recheckCounts(bc, 0, p.xd, n, dx, rx), cy = recheckCounts(bc, 1, p.yd, n, dy, ry);
    return {
      a: cx.counts,
      b: cy.counts,
      stats: {
        listLength: K,
        knnRowsRecomputed: cert.recomputed,
        bandChecks: cx.checks + cy.checks,
        countRowsRecounted: cx.recounted + cy.recounted,
        kthTies: cert.ties,
      },
    };
  } finally {
    release(held);
  }
}

/**
 * Kraskov–Stögbauer–Grassberger mutual information (card A10) with the neighbour search on WebGPU when
 * selected: brute-force max-norm k-NN lists and guard-band radius counts in WGSL (O(N²(dx + dy)), never an
 * N×N matrix), certified and completed in f64 on the host, so the estimate equals {@linkcode ksg}'s
 * exactly (module doc; KSG-2 with exact ties at the k-th distance excepted, counted in `gpu.kthTies`).
 * The CPU path is `ksg` itself (k-d tree).
 *
 * @param x N×dx samples (a vector is N×1)
 * @param y N×dy samples
 * @param options those of `ksg` (`k`, `variant`, `standardize`, `jitter`, `seed`, `unit`) plus `backend`
 * @returns `ksg`'s result with `backend`, `backendReason` and the re-check statistics `gpu`
 * @throws {ParsimonyError} as `ksg`; `backend: "gpu"` without an adapter, or with k > 30 (`options.k`)
 * @example
 * ```ts
 * import { ksgAsync } from "@parsimony/parsimony/info";
 * const r = await ksgAsync([0.1, 0.4, 0.35, 0.8, 0.9], [1, 2, 2.5, 3.9, 4.2], { k: 2, backend: "cpu" });
 * r.backend; // => "cpu"
 * ```
 */
export async function ksgAsync(
  x: SampleLike,
  y: SampleLike,
  options: Partial<KsgAsyncOptions> = {},
): Promise<KsgAsyncResult> {
  const fn = "ksgAsync";
  const opts = resolveOptions(fn, { ...KSG_DEFAULTS, backend: "auto" as BackendRequest }, options, {
    ...KSG_CONSTRAINTS,
    backend: { kind: "any" },
  });
  const X = toSamples(x, fn, "x");
  const Y = toSamples(y, fn, "y");
  assertSameRows(X, Y, fn, "x", "y");
  const n = X.rows, k = opts.k;
  assertK(k, n - 1, fn);
  const dx = X.cols, dy = Y.cols;
  const p = ksgData(X, Y, opts);
  const choice = await selectBackend(fn, opts.backend, n * n * (dx + dy), KSG_GPU_THRESHOLD);
  const r = await runWithFallback<Counts>(
    fn,
    choice,
    () => {
      const c = ksgCountsCpu(p);
      return { a: c.nx, b: c.ny, stats: null };
    },
    (dev) => ksgCountsGpu(dev, p),
    (dev) => unsuitable(dev, k, n, dx + dy, [p.joint]),
  );
  return {
    ...ksgResult(p, r.value.a, r.value.b, opts),
    backend: r.backend,
    backendReason: r.backendReason,
    gpu: r.value.stats,
  };
}

/** Options of {@linkcode mixedKsgAsync}: those of `mixedKsg` plus the backend. */
export interface MixedKsgAsyncOptions extends MixedKsgOptions {
  /** `"auto"` (GPU only for a hardware adapter and N²·d ≥ 2²⁸), `"cpu"` or `"gpu"`. @default "auto" */
  backend: BackendRequest;
}

/** Result of {@linkcode mixedKsgAsync}: `mixedKsg`'s result plus where the neighbour search ran. */
export interface MixedKsgAsyncResult extends MixedKsgResult {
  /** Backend of the neighbour search and counts. */
  readonly backend: Backend;
  /** Why that backend. */
  readonly backendReason: string;
  /** What the f64 re-check did on the GPU path; `null` on the CPU. */
  readonly gpu: KnnRecheckStats | null;
}

function maxClass(p: MixedData): number {
  let m = 0;
  for (let i = 0; i < p.n; i++) m = Math.max(m, p.nc[i]);
  return m;
}

/** The GPU neighbour step of Ross's estimator: same-class k-NN lists (labelled kernel), one-space counts. */
async function mixedCountsGpu(dev: GpuDevice, p: MixedData, k: number): Promise<Counts> {
  const { n, d } = p;
  const K = Math.min(k + KNN_GUARD, maxClass(p) - 1);
  const S = gpuSpace(p.kept, n, d);
  const held: GpuMatrix[] = [];
  try {
    const gs = dev.upload(S.values), lab = dev.alloc(n, 1, "u32");
    dev.writeU32(lab, p.codes);
    const keys = dev.alloc(n * K, 1, "u32"), idx = dev.alloc(n * K, 1, "u32");
    held.push(gs, lab, keys, idx);
    const b1 = dev.batch();
    dispatchTiles(b1, knnMaxNormKernel(K, true), [gs, lab, keys, idx], { n, d }, groups(n), n, knnTile(d, K));
    const [kv, iv] = await b1.run([keys, idx]);
    const cert = certifyKnn(
      decodeLists(kv, iv, K),
      p.kept,
      n,
      d,
      S.a,
      (i) => p.kc[i],
      (i) => p.nc[i] - 1,
      p.codes,
      0,
    );
    const radius = new Float64Array(n);
    const bounds = new Float32Array(4 * n);
    for (let i = 0; i < n; i++) {
      radius[i] = nextDown(cert.eps[i]);
      const b = bandBounds(radius[i], S.a[i]);
      bounds[4 * i] = b[0];
      bounds[4 * i + 1] = b[1];
    }
    const gb = dev.upload(bounds);
    const cnt = dev.alloc(4 * n, 1, "u32"), band = dev.alloc(2 * RADIUS_BAND_SLOTS * n, 1, "u32");
    held.push(gb, cnt, band);
    const b2 = dev.batch();
    dispatchTiles(
      b2,
      radiusBandCountKernel(false),
      [gs, gb, cnt, band],
      { n, da: d, db: 0 },
      groups(n),
      n,
      countTile(d),
    );
    const [cv, bv] = await b2.run([cnt, band]);
    const c = recheckCounts({ cnt: Uint32Array.from(cv), band: Uint32Array.from(bv) }, 0, p.kept, n, d, radius);
    return {
      a: c.counts,
      b: c.counts,
      stats: {
        listLength: K,
        knnRowsRecomputed: cert.recomputed,
        bandChecks: c.checks,
        countRowsRecounted: c.recounted,
        kthTies: cert.ties,
      },
    };
  } finally {
    release(held);
  }
}

/**
 * Ross's mutual information between continuous x and discrete labels (card A10, = scikit-learn
 * `mutual_info_classif`) with the same-class neighbour search and the radius counts on WebGPU when
 * selected (max-norm only), certified and completed in f64, so the estimate equals {@linkcode mixedKsg}'s
 * exactly. `metric: "euclidean"` runs on the CPU (a forced `"gpu"` is a BackendError naming
 * `options.metric`).
 *
 * @param x N×d continuous samples
 * @param labels N class labels (numbers or strings)
 * @param options those of `mixedKsg` (`k`, `metric`, `standardize`, `jitter`, `seed`, `unit`) plus `backend`
 * @returns `mixedKsg`'s result with `backend`, `backendReason` and the re-check statistics `gpu`
 * @throws {ParsimonyError} as `mixedKsg`; `backend: "gpu"` without an adapter, with k > 30 or the Euclidean metric
 * @example
 * ```ts
 * import { mixedKsgAsync } from "@parsimony/parsimony/info";
 * const r = await mixedKsgAsync([0.1, 0.2, 0.3, 5.1, 5.2, 5.3], [0, 0, 0, 1, 1, 1], { k: 2, backend: "cpu" });
 * r.value; // => 0.7833… (as mixedKsg)
 * ```
 */
export async function mixedKsgAsync(
  x: SampleLike,
  labels: LabelLike,
  options: Partial<MixedKsgAsyncOptions> = {},
): Promise<MixedKsgAsyncResult> {
  const fn = "mixedKsgAsync";
  const opts = resolveOptions(fn, { ...MIXED_KSG_DEFAULTS, backend: "auto" as BackendRequest }, options, {
    ...MIXED_CONSTRAINTS,
    backend: { kind: "any" },
  });
  const X = toSamples(x, fn, "x");
  const lab = toLabels(labels, fn, "labels", X.rows);
  const p = mixedData(fn, X, lab, opts);
  const n = p.n;
  const choice = await selectBackend(fn, opts.backend, n * n * p.d, KSG_GPU_THRESHOLD);
  const r = await runWithFallback<Counts>(
    fn,
    choice,
    () => {
      const m = mixedCountsCpu(p, opts.metric);
      return { a: m, b: m, stats: null };
    },
    (dev) => mixedCountsGpu(dev, p, opts.k),
    (dev) =>
      opts.metric !== "max"
        ? { arg: "options.metric", expected: '"max" (the GPU kernels use the max-norm)', got: `"${opts.metric}"` }
        : unsuitable(dev, Math.min(opts.k, maxClass(p) - 1), n, p.d, [p.kept]),
  );
  return {
    ...mixedResult(p, r.value.a, opts),
    backend: r.backend,
    backendReason: r.backendReason,
    gpu: r.value.stats,
  };
}
