/**
 * WGSL kernels for the kNN estimators (method card §6.2): brute-force k nearest neighbours under the
 * max-norm, and radius counts with a guard band, both streamed (no N×N matrix, no workgroup memory).
 *
 * - `knnMaxNorm`: one invocation per query point i walks every j ≠ i (optionally only those with the
 *   same label, for Ross's estimator), forms d_ij = max_c |p_jc − p_ic| in f32 and keeps the K
 *   smallest in a private sorted list (insertion, ties by smaller j). Distances are non-negative, so
 *   their f32 bit patterns compare as u32 in the same order; the list holds those keys. Outputs: the
 *   K keys (f32 bits, 0xffffffff where fewer than K candidates exist) and the K indices.
 * - `radiusBandCount`: one invocation per point i walks every j (i included) in one or two spaces
 *   (x and y of KSG) and sorts each j into "surely inside" (d̃ ≤ lo_i), "band" (lo_i < d̃ ≤ hi_i) or
 *   outside; it counts both and stores the first G band indices. The host chooses lo/hi from the f32
 *   error bound so that only band points can differ from the f64 comparison, and re-checks them in
 *   f64 (lib/info/_knn_gpu.ts).
 *
 * Both kernels walk only the columns j ∈ [j0, j1) per dispatch and keep their state (the list, the
 * counters) in the output buffers between dispatches (`init` = 1 on the first tile): the host splits the
 * j range so that no invocation runs more than ~60,000 loop iterations, because llvmpipe stops every loop
 * of an invocation after 65,535 iterations in total (Mesa's gallivm loop limiter) and would otherwise
 * return silently truncated results; on hardware GPUs the tiles only add a few dispatches to one
 * submission (lib/info/_tiles.ts).
 *
 * Only subtraction, `abs` and `max` touch the data, and WGSL rounds subtraction correctly, so on
 * f32 inputs the kernels are bit-for-bit reproducible by the f64 twins in `lib/info/_knn_gpu.ts`
 * (`knnMaxNormTwin`, `radiusBandCountTwin` with `f32: true`). Workgroup 64, no barriers — cheap to
 * compile on llvmpipe; every invocation of a workgroup reads the same p_j at the same step, which
 * hardware GPUs serve by broadcast from cache.
 *
 * @module
 */

import { defineKernel, type WgslKernel } from "../_kernel.ts";

/** Largest list length K (= k + guard) the kNN kernel keeps per point. */
export const KNN_MAX_LIST = 32;

/** Band indices stored per point and space by `radiusBandCount`. */
export const RADIUS_BAND_SLOTS = 8;

/** Marker of an empty list slot (key and index). */
export const KNN_EMPTY = 0xffffffff;

const knnCache = new Map<string, WgslKernel>();

/**
 * The kNN kernel for list length K. Bindings: `p` (N×d, f32), `labels` (N, u32; read only when
 * `labeled`), `keys` (N×K, u32: f32 bits of the distances), `idx` (N×K, u32). Params: n, d, and the tile
 * j0, j1, init (1: start from an empty list; 0: continue the list in `keys`/`idx`).
 *
 * @param K list length, 1 ≤ K ≤ {@linkcode KNN_MAX_LIST}
 * @param labeled restrict neighbours to points with the same label
 * @returns the kernel (memoised)
 * @throws {RangeError} for K outside [1, 32]
 * @example
 * ```ts
 * import { knnMaxNormKernel } from "./knn.ts";
 * knnMaxNormKernel(5, false).workgroupSize; // => [64, 1, 1]
 * ```
 */
export function knnMaxNormKernel(K: number, labeled: boolean): WgslKernel {
  const key = `${K}/${labeled}`;
  let kern = knnCache.get(key);
  if (kern) return kern;
  if (!Number.isInteger(K) || K < 1 || K > KNN_MAX_LIST) throw new RangeError(`knnMaxNormKernel: K = ${K}`);
  kern = defineKernel({
    name: labeled ? "knnMaxNormLabeled" : "knnMaxNorm",
    twin: "knnMaxNormTwin (lib/info/_knn_gpu.ts); f64 reference knnBrute (lib/info/_kdtree.ts)",
    workgroupSize: [64, 1, 1],
    params: [
      { name: "n", type: "u32" },
      { name: "d", type: "u32" },
      { name: "j0", type: "u32" },
      { name: "j1", type: "u32" },
      { name: "init", type: "u32" },
    ],
    buffers: [
      { name: "p", access: "read", type: "f32" },
      { name: "labels", access: "read", type: "u32" },
      { name: "keys", access: "read_write", type: "u32" },
      { name: "idx", access: "read_write", type: "u32" },
    ],
    body: `
const K: u32 = ${K}u;
const EMPTY: u32 = 0xffffffffu;
@compute @workgroup_size(WG_X, WG_Y, WG_Z)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
  let i = group_index(wid, nwg) * WG + lid;
  if (i >= params.n) { return; }
  let d = params.d;
  let io = i * d;
  ${labeled ? "let li = labels[i];" : ""}
  var bk: array<u32, ${K}>;
  var bi: array<u32, ${K}>;
  if (params.init == 1u) {
    for (var t = 0u; t < K; t = t + 1u) { bk[t] = EMPTY; bi[t] = EMPTY; }
  } else {
    for (var t = 0u; t < K; t = t + 1u) { bk[t] = keys[i * K + t]; bi[t] = idx[i * K + t]; }
  }
  for (var j = params.j0; j < params.j1; j = j + 1u) {
    if (j == i) { continue; }
    ${labeled ? "if (labels[j] != li) { continue; }" : ""}
    let jo = j * d;
    var dist: f32 = 0.0;
    for (var c = 0u; c < d; c = c + 1u) { dist = max(dist, abs(p[jo + c] - p[io + c])); }
    // dist ≥ 0: its bits (sign cleared, −0 → +0) order like the value.
    let key = bitcast<u32>(dist) & 0x7fffffffu;
    if (key < bk[K - 1u]) {
      var q = K - 1u;
      loop {
        if (q == 0u) { break; }
        if (!(key < bk[q - 1u])) { break; }
        bk[q] = bk[q - 1u];
        bi[q] = bi[q - 1u];
        q = q - 1u;
      }
      bk[q] = key;
      bi[q] = j;
    }
  }
  for (var t = 0u; t < K; t = t + 1u) {
    keys[i * K + t] = bk[t];
    idx[i * K + t] = bi[t];
  }
}`,
  });
  knnCache.set(key, kern);
  return kern;
}

const countCache = new Map<boolean, WgslKernel>();

/**
 * The guard-band radius-count kernel over one space (`a`) or two (`a`, `b`). Bindings: `a` (N×da),
 * [`b` (N×db)], `bounds` (N×4 f32: lo_a, hi_a, lo_b, hi_b), `cnt` (N×4 u32: inside_a, band_a,
 * inside_b, band_b), `band` (N×2G u32: the first G band indices of a, then of b). Params: n, da, db.
 *
 * @param two count in two spaces (KSG's x and y) instead of one (Ross's estimator)
 * @returns the kernel (memoised)
 * @example
 * ```ts
 * import { radiusBandCountKernel } from "./knn.ts";
 * radiusBandCountKernel(true).bindings.length; // => 5
 * ```
 */
export function radiusBandCountKernel(two: boolean): WgslKernel {
  let kern = countCache.get(two);
  if (kern) return kern;
  const G = RADIUS_BAND_SLOTS;
  const space = (name: string, dim: string, slot: number) => `
    {
      var dist: f32 = 0.0;
      for (var c = 0u; c < ${dim}; c = c + 1u) { dist = max(dist, abs(${name}[j * ${dim} + c] - ${name}[i * ${dim} + c])); }
      if (dist <= lo${slot}) { in${slot} = in${slot} + 1u; }
      else if (dist <= hi${slot}) {
        if (bd${slot} < G) { band[i * 2u * G + ${slot}u * G + bd${slot}] = j; }
        bd${slot} = bd${slot} + 1u;
      }
    }`;
  kern = defineKernel({
    name: two ? "radiusBandCount2" : "radiusBandCount1",
    twin: "radiusBandCountTwin (lib/info/_knn_gpu.ts); f64 reference countWithin (lib/info/_kdtree.ts)",
    workgroupSize: [64, 1, 1],
    params: [
      { name: "n", type: "u32" },
      { name: "da", type: "u32" },
      { name: "db", type: "u32" },
      { name: "j0", type: "u32" },
      { name: "j1", type: "u32" },
      { name: "init", type: "u32" },
    ],
    buffers: [
      { name: "a", access: "read", type: "f32" },
      ...(two ? [{ name: "b", access: "read" as const, type: "f32" as const }] : []),
      { name: "bounds", access: "read", type: "f32" },
      { name: "cnt", access: "read_write", type: "u32" },
      { name: "band", access: "read_write", type: "u32" },
    ],
    body: `
const G: u32 = ${G}u;
@compute @workgroup_size(WG_X, WG_Y, WG_Z)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
  let i = group_index(wid, nwg) * WG + lid;
  if (i >= params.n) { return; }
  let da = params.da;
  let db = params.db;
  let lo0 = bounds[4u * i];
  let hi0 = bounds[4u * i + 1u];
  let lo1 = bounds[4u * i + 2u];
  let hi1 = bounds[4u * i + 3u];
  var in0 = 0u; var bd0 = 0u; var in1 = 0u; var bd1 = 0u;
  if (params.init == 0u) { in0 = cnt[4u * i]; bd0 = cnt[4u * i + 1u]; in1 = cnt[4u * i + 2u]; bd1 = cnt[4u * i + 3u]; }
  for (var j = params.j0; j < params.j1; j = j + 1u) {${space("a", "da", 0)}${two ? space("b", "db", 1) : ""}
  }
  cnt[4u * i] = in0;
  cnt[4u * i + 1u] = bd0;
  cnt[4u * i + 2u] = in1;
  cnt[4u * i + 3u] = bd1;
}`,
  });
  countCache.set(two, kern);
  return kern;
}
