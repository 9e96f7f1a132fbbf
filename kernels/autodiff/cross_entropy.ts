/**
 * Cross-entropy from logits on the GPU, around lib/gpu's row log-sum-exp (`logSumExpRows`
 * gives lse_i = log Σ_c exp z_ic first):
 *
 * - `crossEntropyRows`: ℓ_i = lse_i − z_{i, y_i}, one invocation per row;
 * - `crossEntropyVjp`: ∂/∂z_ic = s_i·(exp(z_ic − lse_i) − [c = y_i]), one invocation per
 *   entry, with s_i = α·g_0 (mean: α = 1/N, sum: α = 1) or α·g_i (reduction "none").
 *
 * Labels are stored as f32 (class indices are exact below 2²⁴) so that they can be gathered
 * on the device with the same kernel as the inputs. exp(z − lse) ≤ 1, so nothing overflows.
 *
 * CPU twins: `crossEntropyRows`, `crossEntropyVjp` (lib/autodiff/_gpu_twins.ts), the
 * formulas of `crossEntropy` in lib/autodiff/loss.ts.
 *
 * @module
 */

import { defineKernel, type WgslKernel } from "../_kernel.ts";

let rowsKernel: WgslKernel | null = null;

/**
 * Kernel ℓ_i = lse_i − z[i·C + y_i]. Bindings `Z` (N×C), `lse` (N), `labels` (N, f32), `loss`
 * (N); params rows, cols.
 *
 * @returns the kernel
 * @example
 * ```ts
 * import { crossEntropyRowsKernel } from "./cross_entropy.ts";
 * crossEntropyRowsKernel().bindings.map((b) => b.name); // => ["Z", "lse", "labels", "loss"]
 * ```
 */
export function crossEntropyRowsKernel(): WgslKernel {
  return rowsKernel ??= defineKernel({
    name: "crossEntropyRows",
    twin: "crossEntropyRows (lib/autodiff/_gpu_twins.ts)",
    workgroupSize: [64, 1, 1],
    params: [{ name: "rows", type: "u32" }, { name: "cols", type: "u32" }],
    buffers: [
      { name: "Z", access: "read", type: "f32" },
      { name: "lse", access: "read", type: "f32" },
      { name: "labels", access: "read", type: "f32" },
      { name: "loss", access: "read_write", type: "f32" },
    ],
    body: `
@compute @workgroup_size(WG_X, 1, 1)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
  let i = group_index(wid, nwg) * WG + lid;
  if (i >= params.rows) { return; }
  let y = u32(labels[i]);
  loss[i] = lse[i] - Z[i * params.cols + y];
}`,
  });
}

const vjpCache = new Map<boolean, WgslKernel>();

/**
 * Kernel dZ_ic = α·g_k·(exp(z_ic − lse_i) − [c = y_i]) with k = i (`perRow`) or 0. Bindings
 * `Z`, `lse`, `labels`, `g`, `dZ`; params n (= N·C), cols, alpha.
 *
 * @param perRow the cotangent has one entry per row (reduction "none") instead of one
 * @returns the kernel (memoised)
 * @example
 * ```ts
 * import { crossEntropyVjpKernel } from "./cross_entropy.ts";
 * crossEntropyVjpKernel(false).params.map((p) => p.name); // => ["n", "cols", "alpha"]
 * ```
 */
export function crossEntropyVjpKernel(perRow: boolean): WgslKernel {
  let k = vjpCache.get(perRow);
  if (k) return k;
  k = defineKernel({
    name: "crossEntropyVjp",
    twin: "crossEntropyVjp (lib/autodiff/_gpu_twins.ts)",
    workgroupSize: [256, 1, 1],
    params: [{ name: "n", type: "u32" }, { name: "cols", type: "u32" }, { name: "alpha", type: "f32" }],
    buffers: [
      { name: "Z", access: "read", type: "f32" },
      { name: "lse", access: "read", type: "f32" },
      { name: "labels", access: "read", type: "f32" },
      { name: "g", access: "read", type: "f32" },
      { name: "dZ", access: "read_write", type: "f32" },
    ],
    body: `
// cotangent per row: ${perRow}
@compute @workgroup_size(WG_X, 1, 1)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
  let k = group_index(wid, nwg) * WG + lid;
  if (k >= params.n) { return; }
  let i = k / params.cols;
  let c = k - i * params.cols;
  let s = params.alpha * g[${perRow ? "i" : "0u"}];
  let p = exp(Z[k] - lse[i]);
  dZ[k] = s * select(p, p - 1.0, c == u32(labels[i]));
}`,
  });
  vjpCache.set(perRow, k);
  return k;
}
