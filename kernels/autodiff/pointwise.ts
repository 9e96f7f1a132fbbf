/**
 * Pointwise kernels of the autodiff engine's GPU path that lib/gpu's `elementwiseMap/Zip`
 * do not cover: forward maps y = f(x; a, b) and VJP maps z = g·f′(x) (or g·f′ written in
 * terms of the forward output y), one invocation per entry, 256 per workgroup.
 *
 * | forward op | y | VJP op | z |
 * |---|---|---|---|
 * | `leakyRelu` | x > 0 ? x : a·x | `leakyRelu` | x > 0 ? g : a·g (`relu`: a = 0) |
 * | `softplus` | max(x, 0) + log1p(e^{−\|x\|}) | `softplus` | g·σ(x) |
 * | `log1p` | log(1 + x) | `log1p` | g / (1 + x) |
 * | `clamp` | min(max(x, a), b) | `clamp` | a ≤ x ≤ b ? g : 0 |
 * | | | `sigmoid` | g·y(1 − y), y = σ(x) |
 * | | | `tanh` | g·(1 − y²), y = tanh x |
 * | | | `abs` | g·sign(x), sign(0) = 0 |
 *
 * WGSL has no log1p, and its `log` is only 2⁻²¹-accurate in absolute terms near 1, so
 * `log1p` uses the series 2·atanh(s) = 2(s + s³/3 + … + s¹³/13), s = x/(2 + x), for
 * |x| < 0.5 (truncation < 0.2¹⁴/15 relative) and log(1 + x) elsewhere.
 *
 * CPU twins: `pointwiseForward`, `pointwiseVjp` (lib/autodiff/_gpu_twins.ts), which are
 * also the formulas of the f64 ops in lib/autodiff/elementwise.ts and activation.ts.
 *
 * @module
 */

import { defineKernel, type WgslKernel } from "../_kernel.ts";

/** Forward ops of {@linkcode pointwiseForwardKernel}. */
export const POINTWISE_FORWARD_OPS = ["leakyRelu", "softplus", "log1p", "clamp"] as const;
/** One of {@linkcode POINTWISE_FORWARD_OPS}. */
export type PointwiseForwardOp = typeof POINTWISE_FORWARD_OPS[number];

/** VJP ops of {@linkcode pointwiseVjpKernel}. */
export const POINTWISE_VJP_OPS = ["leakyRelu", "softplus", "log1p", "clamp", "sigmoid", "tanh", "abs"] as const;
/** One of {@linkcode POINTWISE_VJP_OPS}. */
export type PointwiseVjpOp = typeof POINTWISE_VJP_OPS[number];

/** log1p and the stable logistic function, shared by the pointwise kernels. */
export const POINTWISE_FNS = `
fn log1p_(x: f32) -> f32 {
  if (abs(x) < 0.5) {
    let s = x / (2.0 + x);
    let s2 = s * s;
    var p = 1.0 / 13.0;
    p = p * s2 + 1.0 / 11.0;
    p = p * s2 + 1.0 / 9.0;
    p = p * s2 + 1.0 / 7.0;
    p = p * s2 + 1.0 / 5.0;
    p = p * s2 + 1.0 / 3.0;
    p = p * s2 + 1.0;
    return 2.0 * s * p;
  }
  return log(1.0 + x);
}
fn sigmoid_(t: f32) -> f32 {
  if (t >= 0.0) { return 1.0 / (1.0 + exp(-t)); }
  let e = exp(t);
  return e / (1.0 + e);
}
`;

const FORWARD: Record<PointwiseForwardOp, string> = {
  leakyRelu: "select(params.a * t, t, t > 0.0)",
  softplus: "max(t, 0.0) + log1p_(exp(-abs(t)))",
  log1p: "log1p_(t)",
  clamp: "min(max(t, params.a), params.b)",
};

const VJP: Record<PointwiseVjpOp, string> = {
  leakyRelu: "select(params.a * g, g, t > 0.0)",
  softplus: "g * sigmoid_(t)",
  log1p: "g / (1.0 + t)",
  clamp: "select(0.0, g, t >= params.a && t <= params.b)",
  sigmoid: "g * t * (1.0 - t)",
  tanh: "g * (1.0 - t * t)",
  abs: "g * sign(t)",
};

const fwdCache = new Map<string, WgslKernel>();
const vjpCache = new Map<string, WgslKernel>();

/**
 * Kernel y_i = f(x_i; a, b). Bindings `x`, `y`; params n, a, b.
 *
 * @param op the forward op
 * @returns the kernel (memoised per op)
 * @example
 * ```ts
 * import { pointwiseForwardKernel } from "./pointwise.ts";
 * pointwiseForwardKernel("softplus").name; // => "pointwiseForward"
 * ```
 */
export function pointwiseForwardKernel(op: PointwiseForwardOp): WgslKernel {
  let k = fwdCache.get(op);
  if (k) return k;
  k = defineKernel({
    name: "pointwiseForward",
    twin: "pointwiseForward (lib/autodiff/_gpu_twins.ts)",
    workgroupSize: [256, 1, 1],
    params: [{ name: "n", type: "u32" }, { name: "a", type: "f32" }, { name: "b", type: "f32" }],
    buffers: [{ name: "x", access: "read", type: "f32" }, { name: "y", access: "read_write", type: "f32" }],
    body: `${POINTWISE_FNS}
// op: ${op}
@compute @workgroup_size(WG_X, 1, 1)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
  let i = group_index(wid, nwg) * WG + lid;
  if (i >= params.n) { return; }
  let t = x[i];
  y[i] = ${FORWARD[op]};
}`,
  });
  fwdCache.set(op, k);
  return k;
}

/**
 * Kernel z_i = g_i·f′(t_i), with t the forward input x (or the output y for `sigmoid` and
 * `tanh`). Bindings `gin` (the cotangent), `t`, `z`; params n, a, b.
 *
 * @param op the VJP op
 * @returns the kernel (memoised per op)
 * @example
 * ```ts
 * import { pointwiseVjpKernel } from "./pointwise.ts";
 * pointwiseVjpKernel("abs").bindings.length; // => 3
 * ```
 */
export function pointwiseVjpKernel(op: PointwiseVjpOp): WgslKernel {
  let k = vjpCache.get(op);
  if (k) return k;
  k = defineKernel({
    name: "pointwiseVjp",
    twin: "pointwiseVjp (lib/autodiff/_gpu_twins.ts)",
    workgroupSize: [256, 1, 1],
    params: [{ name: "n", type: "u32" }, { name: "a", type: "f32" }, { name: "b", type: "f32" }],
    buffers: [
      { name: "gin", access: "read", type: "f32" },
      { name: "tin", access: "read", type: "f32" },
      { name: "z", access: "read_write", type: "f32" },
    ],
    body: `${POINTWISE_FNS}
// op: ${op}
@compute @workgroup_size(WG_X, 1, 1)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
  let i = group_index(wid, nwg) * WG + lid;
  if (i >= params.n) { return; }
  let g = gin[i];
  let t = tin[i];
  z[i] = ${VJP[op]};
}`,
  });
  vjpCache.set(op, k);
  return k;
}
