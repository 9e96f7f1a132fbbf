/**
 * k smallest entries of each row, ascending, ties by smaller column index — the kNN step
 * of KSG / Kozachenko–Leonenko on a distance matrix. CPU twin: `kSmallestPerRow`
 * (lib/core/select.ts), same order rule.
 *
 * One workgroup per row. Each invocation scans a strided subset of the row (coalesced) and
 * keeps a private sorted list of k (key, index) pairs by bounded insertion; the lists then
 * meet in workgroup memory and a log₂ WG tree of two-list merges leaves the k smallest in
 * list 0. Values are compared as order-preserving u32 keys of the f32 bits (−0 folded onto
 * +0), which is exact, total, and immune to any floating-point assumption about ±∞.
 * Workgroup memory holds WG·k (key, index) pairs; WG is the power of two with WG·k ≤ 256
 * (64 invocations per row for k ≤ 4 … 4 for k ≤ 64), which keeps it at 2 KiB — small for any
 * GPU, and small enough for llvmpipe, whose JIT time grows steeply with the element count of
 * workgroup arrays. Rows are independent, so a kNN problem with many points still fills the
 * device. Larger k stays on the CPU.
 *
 * @module
 */

import { defineKernel, type WgslKernel } from "../_kernel.ts";

/** Largest k the GPU kernel supports. */
export const K_SMALLEST_MAX_K = 64;

/**
 * Workgroup size used for a given k: the largest power of two ≤ 64 with WG·k ≤ 256.
 *
 * @example
 * ```ts
 * import { kSmallestWorkgroupSize } from "@parsimony/parsimony/gpu";
 * kSmallestWorkgroupSize(3); // => 64
 * kSmallestWorkgroupSize(5); // => 32
 * kSmallestWorkgroupSize(64); // => 4
 * ```
 */
export function kSmallestWorkgroupSize(k: number): number {
  let wg = 64;
  while (wg > 1 && wg * k > 256) wg /= 2;
  return wg;
}

const cache = new Map<number, WgslKernel>();

/**
 * Kernel for a fixed k. Bindings: `D` (rows×cols), `vals` (rows×k, f32), `idx` (rows×k, u32).
 * Params: rows, cols, excl (1 = skip the diagonal entry (i, i)).
 *
 * @param k entries kept, 1 ≤ k ≤ {@linkcode K_SMALLEST_MAX_K}
 * @returns the kernel (memoised per k)
 * @throws {RangeError} for k outside [1, 64]
 * @example
 * ```ts
 * import { kSmallestPerRowKernel } from "@parsimony/parsimony/gpu";
 * kSmallestPerRowKernel(3).workgroupSize; // => [64, 1, 1]
 * ```
 */
export function kSmallestPerRowKernel(k: number): WgslKernel {
  let kern = cache.get(k);
  if (kern) return kern;
  if (!Number.isInteger(k) || k < 1 || k > K_SMALLEST_MAX_K) throw new RangeError(`kSmallestPerRowKernel: k = ${k}`);
  const wg = kSmallestWorkgroupSize(k);
  kern = defineKernel({
    name: "kSmallestPerRow",
    twin: "kSmallestPerRow (lib/core/select.ts)",
    workgroupSize: [wg, 1, 1],
    params: [{ name: "rows", type: "u32" }, { name: "cols", type: "u32" }, { name: "excl", type: "u32" }],
    buffers: [
      { name: "D", access: "read", type: "f32" },
      { name: "vals", access: "read_write", type: "f32" },
      { name: "idx", access: "read_write", type: "u32" },
    ],
    body: `
const K: u32 = ${k}u;
const EMPTY: u32 = 0xffffffffu;
// (key, column) pairs of every invocation's list, list t at [t·K, (t+1)·K).
var<workgroup> sh: array<vec2<u32>, ${wg * k}>;
fn before(a: vec2<u32>, b: vec2<u32>) -> bool { return a.x < b.x || (a.x == b.x && a.y < b.y); }
@compute @workgroup_size(WG_X, 1, 1)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
  let row = group_index(wid, nwg);
  if (row >= params.rows) { return; }
  let base = row * params.cols;
  let skip = select(EMPTY, row, params.excl == 1u);
  var lst: array<vec2<u32>, ${k}>;
  for (var t = 0u; t < K; t = t + 1u) { lst[t] = vec2<u32>(EMPTY, EMPTY); }
  for (var j = lid; j < params.cols; j = j + WG) {
    if (j == skip) { continue; }
    let key = f32_key(D[base + j]);
    // j increases along this invocation's scan, so an equal key never displaces a kept one.
    if (key < lst[K - 1u].x) {
      var p = K - 1u;
      loop {
        if (p == 0u) { break; }
        if (!(key < lst[p - 1u].x)) { break; }
        lst[p] = lst[p - 1u];
        p = p - 1u;
      }
      lst[p] = vec2<u32>(key, j);
    }
  }
  for (var t = 0u; t < K; t = t + 1u) { sh[lid * K + t] = lst[t]; }
  workgroupBarrier();
  for (var h = WG / 2u; h > 0u; h = h >> 1u) {
    if (lid < h) {
      let a0 = lid * K;
      let b0 = (lid + h) * K;
      var pa = 0u;
      var pb = 0u;
      for (var t = 0u; t < K; t = t + 1u) {
        let ea = sh[a0 + min(pa, K - 1u)];
        let eb = sh[b0 + min(pb, K - 1u)];
        if (pb >= K || (pa < K && before(ea, eb))) { lst[t] = ea; pa = pa + 1u; }
        else { lst[t] = eb; pb = pb + 1u; }
      }
      for (var t = 0u; t < K; t = t + 1u) { sh[a0 + t] = lst[t]; }
    }
    workgroupBarrier();
  }
  if (lid == 0u) {
    for (var t = 0u; t < K; t = t + 1u) {
      let e = sh[t];
      vals[row * K + t] = key_f32(e.x);
      idx[row * K + t] = e.y;
    }
  }
}`,
  });
  cache.set(k, kern);
  return kern;
}
