/**
 * Broadcasting elementwise kernel of the autodiff engine's GPU path:
 * z_i = g(α·x[(i / dx) mod mx], β·y[(i / dy) mod my]), one invocation per output entry.
 *
 * numpy broadcasting of an operand whose non-broadcast axes form one contiguous block of the
 * output's axes is an index map i ↦ (i / inner) mod m, with m the operand's size and inner
 * the product of the output axes after the block: a bias row over a batch ([n] in [B, n]:
 * inner 1, m n), a column ([B, 1] in [B, n]: inner n, m B), a scalar (m 1), or the same
 * shape (inner 1, m n). `copy` broadcasts y alone (z = β·y[…]): the VJP of a reduction and the
 * bias prefill of `linear`. Consecutive invocations write consecutive addresses.
 *
 * CPU twin: `broadcastZip` (lib/autodiff/_gpu_twins.ts), the same formulas in f64.
 *
 * @module
 */

import { defineKernel, type WgslKernel } from "../_kernel.ts";

/** Operations of {@linkcode broadcastZipKernel}, applied to (u, v) = (α·x, β·y). */
export const BROADCAST_OPS = ["add", "sub", "mul", "div", "copy"] as const;
/** One of {@linkcode BROADCAST_OPS}. */
export type BroadcastOp = typeof BROADCAST_OPS[number];

const EXPR: Record<BroadcastOp, string> = { add: "u + v", sub: "u - v", mul: "u * v", div: "u / v", copy: "v" };

const cache = new Map<BroadcastOp, WgslKernel>();

/**
 * Kernel z_i = g(α·x[(i / xdiv) mod xmod], β·y[(i / ydiv) mod ymod]) over `params.n` entries
 * (for `copy`, z_i = β·y[…] and there is no `x` binding). Bindings: `x`, `y`, `z`; params n,
 * xdiv, xmod, ydiv, ymod, alpha, beta.
 *
 * @param op the operation
 * @returns the kernel (memoised per op)
 * @example
 * ```ts
 * import { broadcastZipKernel } from "./broadcast.ts";
 * broadcastZipKernel("copy").bindings.map((b) => b.name); // => ["y", "z"]
 * ```
 */
export function broadcastZipKernel(op: BroadcastOp): WgslKernel {
  let k = cache.get(op);
  if (k) return k;
  const copy = op === "copy";
  k = defineKernel({
    name: "broadcastZip",
    twin: "broadcastZip (lib/autodiff/_gpu_twins.ts)",
    workgroupSize: [256, 1, 1],
    params: [
      { name: "n", type: "u32" },
      { name: "xdiv", type: "u32" },
      { name: "xmod", type: "u32" },
      { name: "ydiv", type: "u32" },
      { name: "ymod", type: "u32" },
      { name: "alpha", type: "f32" },
      { name: "beta", type: "f32" },
    ],
    buffers: [
      ...(copy ? [] : [{ name: "x", access: "read" as const, type: "f32" as const }]),
      { name: "y", access: "read", type: "f32" },
      { name: "z", access: "read_write", type: "f32" },
    ],
    body: `
// op: ${op}
@compute @workgroup_size(WG_X, 1, 1)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
  let i = group_index(wid, nwg) * WG + lid;
  if (i >= params.n) { return; }
  ${copy ? "" : "let u = params.alpha * x[(i / params.xdiv) % params.xmod];"}
  let v = params.beta * y[(i / params.ydiv) % params.ymod];
  z[i] = ${EXPR[op]};
}`,
  });
  cache.set(op, k);
  return k;
}
