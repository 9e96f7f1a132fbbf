/**
 * Training-loop kernels: what lets a whole epoch run on the device with one readback.
 *
 * - `gatherRows`: dst_r = src_{idx[offset + r]} (rows of width w): the minibatch, gathered
 *   from the resident training set through the epoch's permutation, so no batch is uploaded.
 * - `stepStats`: one workgroup of 64 invocations records the step's loss and (for
 *   classification) the number of rows whose first arg-max equals the label, at `stats[2k]`
 *   and `stats[2k + 1]`; with `track`, a non-finite loss sets `status[0] = 1`, which makes
 *   every later optimizer update of the run a no-op (see optim.ts).
 * - `sumSquares`: out[k] = Σ_i g_i² for one gradient (one workgroup of 64; Kahan per
 *   invocation, tree across the workgroup), for clipping by global norm.
 * - `clipScale`: gscale[0] = min(1, maxNorm/(√(Σ_k sq_k) + 10⁻⁶)) (one invocation).
 *
 * Non-finite tests look at the f32 bit pattern (WGSL lets compilers assume finite floats,
 * so `x != x` could be folded away).
 *
 * CPU twins: `gatherRows`, `stepStats`, `sumSquares`, `clipScale` (lib/autodiff/_gpu_twins.ts);
 * `clipScale` is the formula of `clipGradNorm` (lib/nn/clip.ts), `stepStats` counts hits as
 * `fit` does.
 *
 * @module
 */

import { defineKernel, type WgslKernel } from "../_kernel.ts";

let gather: WgslKernel | null = null;
let stats: WgslKernel | null = null;
let sq: WgslKernel | null = null;
let clip: WgslKernel | null = null;

/**
 * Gather kernel. Bindings `src` (f32), `idx` (u32), `dst`; params n (= rows·width), width,
 * offset.
 *
 * @returns the kernel
 * @example
 * ```ts
 * import { gatherRowsKernel } from "./train.ts";
 * gatherRowsKernel().bindings[1].type; // => "u32"
 * ```
 */
export function gatherRowsKernel(): WgslKernel {
  return gather ??= defineKernel({
    name: "gatherRows",
    twin: "gatherRows (lib/autodiff/_gpu_twins.ts)",
    workgroupSize: [256, 1, 1],
    params: [{ name: "n", type: "u32" }, { name: "width", type: "u32" }, { name: "offset", type: "u32" }],
    buffers: [
      { name: "src", access: "read", type: "f32" },
      { name: "idx", access: "read", type: "u32" },
      { name: "dst", access: "read_write", type: "f32" },
    ],
    body: `
@compute @workgroup_size(WG_X, 1, 1)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
  let i = group_index(wid, nwg) * WG + lid;
  if (i >= params.n) { return; }
  let r = i / params.width;
  let c = i - r * params.width;
  dst[i] = src[idx[params.offset + r] * params.width + c];
}`,
  });
}

/**
 * Step-statistics kernel (dispatch one workgroup). Bindings `loss` (1), `logits` (rows×cols),
 * `labels` (rows, f32), `stats`, `status` (u32); params k, rows, cols, classify, track.
 *
 * @returns the kernel
 * @example
 * ```ts
 * import { stepStatsKernel } from "./train.ts";
 * stepStatsKernel().workgroupSize; // => [64, 1, 1]
 * ```
 */
export function stepStatsKernel(): WgslKernel {
  return stats ??= defineKernel({
    name: "stepStats",
    twin: "stepStats (lib/autodiff/_gpu_twins.ts)",
    workgroupSize: [64, 1, 1],
    params: [
      { name: "k", type: "u32" },
      { name: "rows", type: "u32" },
      { name: "cols", type: "u32" },
      { name: "classify", type: "u32" },
      { name: "track", type: "u32" },
    ],
    buffers: [
      { name: "loss", access: "read", type: "f32" },
      { name: "logits", access: "read", type: "f32" },
      { name: "labels", access: "read", type: "f32" },
      { name: "stats", access: "read_write", type: "f32" },
      { name: "status", access: "read_write", type: "u32" },
    ],
    body: `
var<workgroup> hits: array<u32, 64>;
@compute @workgroup_size(WG_X, 1, 1)
fn main(@builtin(local_invocation_index) lid: u32) {
  var h = 0u;
  if (params.classify != 0u) {
    for (var i = lid; i < params.rows; i += WG) {
      let o = i * params.cols;
      var best = 0u;
      var bv = logits[o];
      for (var c = 1u; c < params.cols; c++) {
        let v = logits[o + c];
        if (v > bv) { bv = v; best = c; }
      }
      if (best == u32(labels[i])) { h += 1u; }
    }
  }
  hits[lid] = h;
  workgroupBarrier();
  for (var s = WG / 2u; s > 0u; s = s / 2u) {
    if (lid < s) { hits[lid] += hits[lid + s]; }
    workgroupBarrier();
  }
  if (lid == 0u) {
    let l = loss[0];
    stats[2u * params.k] = l;
    stats[2u * params.k + 1u] = f32(hits[0]);
    if (params.track != 0u && (bitcast<u32>(l) & 0x7f800000u) == 0x7f800000u) { status[0] = 1u; }
  }
}`,
  });
}

/**
 * Sum-of-squares kernel (dispatch one workgroup). Bindings `g`, `out`; params n, k.
 *
 * @returns the kernel
 * @example
 * ```ts
 * import { sumSquaresKernel } from "./train.ts";
 * sumSquaresKernel().name; // => "sumSquares"
 * ```
 */
export function sumSquaresKernel(): WgslKernel {
  return sq ??= defineKernel({
    name: "sumSquares",
    twin: "sumSquares (lib/autodiff/_gpu_twins.ts)",
    workgroupSize: [64, 1, 1],
    params: [{ name: "n", type: "u32" }, { name: "k", type: "u32" }],
    buffers: [{ name: "g", access: "read", type: "f32" }, { name: "out", access: "read_write", type: "f32" }],
    body: `
var<workgroup> part: array<f32, 64>;
@compute @workgroup_size(WG_X, 1, 1)
fn main(@builtin(local_invocation_index) lid: u32) {
  var s = 0.0;
  var comp = 0.0;
  for (var i = lid; i < params.n; i += WG) {
    let y = g[i] * g[i] - comp;
    let t = opaque(s + y, params.n);
    comp = (t - s) - y;
    s = t;
  }
  part[lid] = s;
  workgroupBarrier();
  for (var w = WG / 2u; w > 0u; w = w / 2u) {
    if (lid < w) { part[lid] += part[lid + w]; }
    workgroupBarrier();
  }
  if (lid == 0u) { out[params.k] = part[0]; }
}`,
  });
}

/**
 * Clip-factor kernel (dispatch one workgroup; invocation 0 works). Bindings `sq` (p),
 * `gscale` (1); params p, maxNorm.
 *
 * @returns the kernel
 * @example
 * ```ts
 * import { clipScaleKernel } from "./train.ts";
 * clipScaleKernel().params.map((p) => p.name); // => ["p", "maxNorm"]
 * ```
 */
export function clipScaleKernel(): WgslKernel {
  return clip ??= defineKernel({
    name: "clipScale",
    twin: "clipScale (lib/autodiff/_gpu_twins.ts); clipGradNorm (lib/nn/clip.ts)",
    workgroupSize: [1, 1, 1],
    params: [{ name: "p", type: "u32" }, { name: "maxNorm", type: "f32" }],
    buffers: [{ name: "sq", access: "read", type: "f32" }, { name: "gscale", access: "read_write", type: "f32" }],
    body: `
@compute @workgroup_size(1, 1, 1)
fn main() {
  var s = 0.0;
  for (var k = 0u; k < params.p; k++) { s += sq[k]; }
  gscale[0] = min(1.0, params.maxNorm / (sqrt(s) + 1e-6));
}`,
  });
}
