/**
 * Optimizer updates on the device, with torch's exact rules (the same as lib/nn/optim.ts),
 * one invocation per parameter entry:
 *
 * - `adamUpdate` (Adam, AdamW): g ← s·g (+ λθ for Adam; θ ← θ(1 − ηλ) for AdamW);
 *   m ← β₁m + (1 − β₁)g; v ← β₂v + (1 − β₂)g²; θ ← θ − (η/(1 − β₁ᵗ))·m / (√v/√(1 − β₂ᵗ) + ε).
 * - `sgdUpdate`: d = s·g + λθ; with momentum b ← μb + (1 − τ)d (b = d on the first step) and
 *   d ← d + μb (Nesterov) or b; θ ← θ − η·d.
 *
 * s = `gscale[0]` is the gradient-clipping factor (1 without clipping). If `status[0]` ≠ 0
 * (a non-finite loss was seen earlier in the same run, see `stepStats` in train.ts) the
 * update is skipped, so the parameters keep the values from before the offending step, as
 * the CPU loop that stops before applying it. Scalars that depend on the step count (bias
 * corrections, 1 − β) are computed in f64 on the host and passed as parameters.
 *
 * CPU twins: `Adam.step`, `AdamW.step`, `Sgd.step` (lib/nn/optim.ts).
 *
 * @module
 */

import { defineKernel, type WgslKernel } from "../_kernel.ts";

let adam: WgslKernel | null = null;

/**
 * Adam/AdamW kernel. Bindings `g`, `gscale` (1), `status` (1, u32), `x`, `m`, `v`; params n,
 * stepSize = η/(1 − β₁ᵗ), b1, omb1 = 1 − β₁, b2, omb2 = 1 − β₂, bc2 = √(1 − β₂ᵗ), eps,
 * wd (L2, Adam), shrink = 1 − ηλ (AdamW; 1 for Adam).
 *
 * @returns the kernel
 * @example
 * ```ts
 * import { adamUpdateKernel } from "./optim.ts";
 * adamUpdateKernel().bindings.length; // => 6
 * ```
 */
export function adamUpdateKernel(): WgslKernel {
  return adam ??= defineKernel({
    name: "adamUpdate",
    twin: "Adam.step / AdamW.step (lib/nn/optim.ts)",
    workgroupSize: [256, 1, 1],
    params: [
      { name: "n", type: "u32" },
      { name: "stepSize", type: "f32" },
      { name: "b1", type: "f32" },
      { name: "omb1", type: "f32" },
      { name: "b2", type: "f32" },
      { name: "omb2", type: "f32" },
      { name: "bc2", type: "f32" },
      { name: "eps", type: "f32" },
      { name: "wd", type: "f32" },
      { name: "shrink", type: "f32" },
    ],
    buffers: [
      { name: "g", access: "read", type: "f32" },
      { name: "gscale", access: "read", type: "f32" },
      { name: "status", access: "read", type: "u32" },
      { name: "x", access: "read_write", type: "f32" },
      { name: "m", access: "read_write", type: "f32" },
      { name: "v", access: "read_write", type: "f32" },
    ],
    body: `
@compute @workgroup_size(WG_X, 1, 1)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
  let i = group_index(wid, nwg) * WG + lid;
  if (i >= params.n || status[0] != 0u) { return; }
  let xi = x[i] * params.shrink;
  let gi = g[i] * gscale[0] + params.wd * x[i];
  let mi = params.b1 * m[i] + params.omb1 * gi;
  let vi = params.b2 * v[i] + params.omb2 * gi * gi;
  m[i] = mi;
  v[i] = vi;
  x[i] = xi - params.stepSize * mi / (sqrt(vi) / params.bc2 + params.eps);
}`,
  });
}

const sgdCache = new Map<boolean, WgslKernel>();

/**
 * SGD kernel. Bindings `g`, `gscale`, `status`, `x` and, with momentum, `buf`; params n, lr,
 * mu, damp1 = 1 − τ, wd, nesterov (0/1), fresh (1 on the step that creates the buffer).
 *
 * @param momentum whether a momentum buffer is kept
 * @returns the kernel (memoised)
 * @example
 * ```ts
 * import { sgdUpdateKernel } from "./optim.ts";
 * sgdUpdateKernel(false).bindings.length; // => 4
 * ```
 */
export function sgdUpdateKernel(momentum: boolean): WgslKernel {
  let k = sgdCache.get(momentum);
  if (k) return k;
  k = defineKernel({
    name: "sgdUpdate",
    twin: "Sgd.step (lib/nn/optim.ts)",
    workgroupSize: [256, 1, 1],
    params: [
      { name: "n", type: "u32" },
      { name: "lr", type: "f32" },
      { name: "mu", type: "f32" },
      { name: "damp1", type: "f32" },
      { name: "wd", type: "f32" },
      { name: "nesterov", type: "u32" },
      { name: "fresh", type: "u32" },
    ],
    buffers: [
      { name: "g", access: "read", type: "f32" },
      { name: "gscale", access: "read", type: "f32" },
      { name: "status", access: "read", type: "u32" },
      { name: "x", access: "read_write", type: "f32" },
      ...(momentum ? [{ name: "buf", access: "read_write" as const, type: "f32" as const }] : []),
    ],
    body: `
// momentum: ${momentum}
@compute @workgroup_size(WG_X, 1, 1)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
  let i = group_index(wid, nwg) * WG + lid;
  if (i >= params.n || status[0] != 0u) { return; }
  var d = g[i] * gscale[0] + params.wd * x[i];
  ${
      momentum
        ? `let b = select(params.mu * buf[i] + params.damp1 * d, d, params.fresh != 0u);
  buf[i] = b;
  d = select(b, d + params.mu * b, params.nesterov != 0u);`
        : ""
    }
  x[i] = x[i] - params.lr * d;
}`,
  });
  sgdCache.set(momentum, k);
  return k;
}
