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
 * Workgroup memory is WG·k·8 bytes, so WG = 64 for k ≤ 32 and 32 for k ≤ 64 (16 KiB, the
 * WebGPU default limit); larger k stays on the CPU.
 *
 * @module
 */

import { defineKernel, type WgslKernel } from "../_kernel.ts";

/** Largest k the GPU kernel supports. */
export const K_SMALLEST_MAX_K = 64;

/**
 * Workgroup size used for a given k (WG·k·8 bytes of workgroup memory ≤ 16 KiB).
 *
 * @example
 * ```ts
 * import { kSmallestWorkgroupSize } from "@parsimony/parsimony/gpu";
 * kSmallestWorkgroupSize(5); // => 64
 * kSmallestWorkgroupSize(64); // => 32
 * ```
 */
export function kSmallestWorkgroupSize(k: number): number {
  return k <= 32 ? 64 : 32;
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
var<workgroup> skey: array<u32, ${wg * k}>;
var<workgroup> sidx: array<u32, ${wg * k}>;
fn before(k1: u32, i1: u32, k2: u32, i2: u32) -> bool { return k1 < k2 || (k1 == k2 && i1 < i2); }
@compute @workgroup_size(WG_X, 1, 1)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
  let row = group_index(wid, nwg);
  if (row >= params.rows) { return; }
  let base = row * params.cols;
  let skip = select(EMPTY, row, params.excl == 1u);
  var kk: array<u32, ${k}>;
  var ii: array<u32, ${k}>;
  for (var t = 0u; t < K; t = t + 1u) { kk[t] = EMPTY; ii[t] = EMPTY; }
  for (var j = lid; j < params.cols; j = j + WG) {
    if (j == skip) { continue; }
    let key = f32_key(D[base + j]);
    // j increases along this invocation's scan, so an equal key never displaces a kept one.
    if (key < kk[K - 1u]) {
      var p = K - 1u;
      loop {
        if (p == 0u) { break; }
        if (!(key < kk[p - 1u])) { break; }
        kk[p] = kk[p - 1u];
        ii[p] = ii[p - 1u];
        p = p - 1u;
      }
      kk[p] = key;
      ii[p] = j;
    }
  }
  for (var t = 0u; t < K; t = t + 1u) { skey[lid * K + t] = kk[t]; sidx[lid * K + t] = ii[t]; }
  workgroupBarrier();
  for (var h = WG / 2u; h > 0u; h = h >> 1u) {
    if (lid < h) {
      let a0 = lid * K;
      let b0 = (lid + h) * K;
      var pa = 0u;
      var pb = 0u;
      for (var t = 0u; t < K; t = t + 1u) {
        let qa = a0 + min(pa, K - 1u); let ka = skey[qa]; let ia = sidx[qa];
        let qb = b0 + min(pb, K - 1u); let kb = skey[qb]; let ib = sidx[qb];
        if (pb >= K || (pa < K && before(ka, ia, kb, ib))) { kk[t] = ka; ii[t] = ia; pa = pa + 1u; }
        else { kk[t] = kb; ii[t] = ib; pb = pb + 1u; }
      }
      for (var t = 0u; t < K; t = t + 1u) { skey[a0 + t] = kk[t]; sidx[a0 + t] = ii[t]; }
    }
    workgroupBarrier();
  }
  if (lid == 0u) {
    for (var t = 0u; t < K; t = t + 1u) {
      vals[row * K + t] = key_f32(skey[t]);
      idx[row * K + t] = sidx[t];
    }
  }
}`,
  });
  cache.set(k, kern);
  return kern;
}
