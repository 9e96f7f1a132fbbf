/**
 * WGSL kernels for the plug-in binning estimators (method card §6.3): per-value `digitize` by binary
 * search over per-column edges, then either a dense joint histogram with u32 atomics (plug-in
 * entropy / MI of binned samples) or the codes themselves plus a level histogram (EBAB layer patterns).
 *
 * Values and edges are not compared as f32: the host uploads each f64 as its 64-bit order-preserving
 * key (two u32 words, hi then lo: sign bit flipped for x ≥ 0, all bits inverted for x < 0, −0 folded onto
 * +0), so `edge ≤ v` is decided exactly as in f64 and the bin of every value is the CPU's, including
 * values that sit on an edge or one ulp from it. Uniform (equal-width) bins are turned into exact f64
 * step points by the host (lib/info/_binning_gpu.ts), so they follow the same path.
 *
 * - `binHistogram`: one invocation per row i; code_c = #{edges of column c ≤ v_ic} (mode 0) or
 *   max(#, 1) − 1 (mode 1: index of the largest edge ≤ v, clamped to 0); cell = Σ_c code_c·stride_c;
 *   `atomicAdd(hist[cell], 1)` and `atomicMin(first[cell], i)` (the first row of each cell orders the
 *   cells as the CPU's symbol ids, so the host's sums run in the CPU's order).
 * - `binCodes`: one invocation per entry; writes code (same rule) and `atomicAdd(levels[code], 1)`.
 * - `fillU32`: out[i] = value (clears the histograms before a run).
 *
 * CPU twins: `discretize` (lib/info/binned.ts) / `digitizeEdges` (lib/info/_layer_info.ts) followed by
 * the symbol counting of lib/info/_symbols.ts; the kernel-level twin is `binHistogramTwin`
 * (lib/info/_binning_gpu.ts). Workgroup 64 (256 for the elementwise ones), no workgroup memory.
 *
 * @module
 */

import { defineKernel, type WgslKernel } from "../_kernel.ts";

const SEARCH = `
// a ≤ b for 64-bit order-preserving keys (x = hi word, y = lo word)
fn key_le(a: vec2<u32>, b: vec2<u32>) -> bool { return a.x < b.x || (a.x == b.x && a.y <= b.y); }
// code of value key v against the sorted edges [eoff[c], eoff[c + 1])
fn code_of(c: u32, v: vec2<u32>) -> u32 {
  let base = eoff[c];
  var lo = base;
  var hi = eoff[c + 1u];
  loop {
    if (lo >= hi) { break; }
    let mid = (lo + hi) / 2u;
    if (key_le(vec2<u32>(edges[2u * mid], edges[2u * mid + 1u]), v)) { lo = mid + 1u; } else { hi = mid; }
  }
  let cnt = lo - base;
  if (params.mode == 1u) { return max(cnt, 1u) - 1u; }
  return cnt;
}`;

/**
 * Dense joint histogram. Bindings: `vals` (N×d keys, 2 u32 each), `eoff` (d + 1 edge offsets),
 * `edges` (keys, 2 u32 each), `strides` (d), `hist` (cells, atomic), `first` (cells, atomic; preset to
 * 0xffffffff). Params: n, d, mode.
 */
export const BIN_HISTOGRAM_KERNEL: WgslKernel = defineKernel({
  name: "binHistogram",
  twin: "binHistogramTwin (lib/info/_binning_gpu.ts); discretize + symbol counts (lib/info/binned.ts)",
  workgroupSize: [64, 1, 1],
  params: [{ name: "n", type: "u32" }, { name: "d", type: "u32" }, { name: "mode", type: "u32" }],
  buffers: [
    { name: "vals", access: "read", type: "u32" },
    { name: "eoff", access: "read", type: "u32" },
    { name: "edges", access: "read", type: "u32" },
    { name: "strides", access: "read", type: "u32" },
    { name: "hist", access: "read_write", type: "atomic<u32>" },
    { name: "first", access: "read_write", type: "atomic<u32>" },
  ],
  body: `${SEARCH}
@compute @workgroup_size(WG_X, WG_Y, WG_Z)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
  let i = group_index(wid, nwg) * WG + lid;
  if (i >= params.n) { return; }
  var cell = 0u;
  for (var c = 0u; c < params.d; c = c + 1u) {
    let o = 2u * (i * params.d + c);
    cell = cell + code_of(c, vec2<u32>(vals[o], vals[o + 1u])) * strides[c];
  }
  atomicAdd(&hist[cell], 1u);
  atomicMin(&first[cell], i);
}`,
});

/**
 * Per-entry codes against one shared edge list (EBAB pools every unit of a layer). Bindings: `vals`
 * (N·d keys), `eoff` (2 offsets: 0 and the edge count), `edges`, `codes` (N·d, u32), `levels` (edge
 * count, atomic, preset to 0). Params: n (entries), d (unused, 0), mode.
 */
export const BIN_CODES_KERNEL: WgslKernel = defineKernel({
  name: "binCodes",
  twin: "digitizeEdges (lib/info/_layer_info.ts)",
  workgroupSize: [256, 1, 1],
  params: [{ name: "n", type: "u32" }, { name: "d", type: "u32" }, { name: "mode", type: "u32" }],
  buffers: [
    { name: "vals", access: "read", type: "u32" },
    { name: "eoff", access: "read", type: "u32" },
    { name: "edges", access: "read", type: "u32" },
    { name: "codes", access: "read_write", type: "u32" },
    { name: "levels", access: "read_write", type: "atomic<u32>" },
  ],
  body: `${SEARCH}
@compute @workgroup_size(WG_X, WG_Y, WG_Z)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
  let e = group_index(wid, nwg) * WG + lid;
  if (e >= params.n) { return; }
  let code = code_of(0u, vec2<u32>(vals[2u * e], vals[2u * e + 1u]));
  codes[e] = code;
  atomicAdd(&levels[code], 1u);
}`,
});

/** out[i] = value for i < n. Bindings: `out` (u32). Params: n, value. */
export const FILL_U32_KERNEL: WgslKernel = defineKernel({
  name: "fillU32",
  twin: "Uint32Array.prototype.fill",
  workgroupSize: [256, 1, 1],
  params: [{ name: "n", type: "u32" }, { name: "value", type: "u32" }],
  buffers: [{ name: "out", access: "read_write", type: "u32" }],
  body: `
@compute @workgroup_size(WG_X, WG_Y, WG_Z)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
  let i = group_index(wid, nwg) * WG + lid;
  if (i < params.n) { out[i] = params.value; }
}`,
});
