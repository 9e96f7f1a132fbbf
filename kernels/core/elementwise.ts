/**
 * Elementwise kernels: `elementwiseMap` y = f(a·x + b) and `elementwiseZip` z = g(α·x, β·y),
 * one invocation per entry, 256 per workgroup, consecutive invocations on consecutive
 * addresses (coalesced), a 2-D grid when the entry count needs more than 65535 workgroups.
 *
 * CPU twins: `elementwiseMap`, `elementwiseZip` in `lib/gpu/twins.ts` (same formulas in f64).
 *
 * @module
 */

import { defineKernel, type WgslKernel } from "../_kernel.ts";

/** Unary operations of {@linkcode elementwiseMapKernel}, applied to t = a·x + b. */
export const MAP_OPS = ["affine", "neg", "abs", "square", "sqrt", "exp", "log", "relu", "sigmoid", "tanh"] as const;
/** One of {@linkcode MAP_OPS}. */
export type MapOp = typeof MAP_OPS[number];

/** Binary operations of {@linkcode elementwiseZipKernel}, applied to (α·x, β·y). */
export const ZIP_OPS = ["add", "sub", "mul", "div", "max", "min"] as const;
/** One of {@linkcode ZIP_OPS}. */
export type ZipOp = typeof ZIP_OPS[number];

/** WGSL expression of each unary op in terms of `t` (domain guards mirror the CPU twin). */
const MAP_EXPR: Record<MapOp, string> = {
  affine: "t",
  neg: "-t",
  abs: "abs(t)",
  square: "t * t",
  // Inputs are validated t ≥ 0 in f64 on the host; max() absorbs an f32 rounding to −0/−tiny.
  sqrt: "sqrt(max(t, 0.0))",
  exp: "exp(t)",
  // log(0) = −∞ made explicit (WGSL leaves log at 0 undefined).
  log: "select(ninf(), log(t), t > 0.0)",
  relu: "max(t, 0.0)",
  // Two-sided logistic: never evaluates exp of a positive argument (no overflow).
  sigmoid: "select(exp(t) / (1.0 + exp(t)), 1.0 / (1.0 + exp(-t)), t >= 0.0)",
  // |t| ≥ 10 gives ±1 in f32 exactly; the clamp keeps sinh/cosh-based tanh away from ∞/∞.
  tanh: "tanh(clamp(t, -10.0, 10.0))",
};

const ZIP_EXPR: Record<ZipOp, string> = {
  add: "u + v",
  sub: "u - v",
  mul: "u * v",
  div: "u / v",
  max: "max(u, v)",
  min: "min(u, v)",
};

const mapCache = new Map<string, WgslKernel>();

/**
 * Kernel y_i = f(a·x_i + b) over `params.n` entries; with `inPlace`, x is overwritten (one
 * read_write binding, since WebGPU forbids binding one buffer as both input and output).
 *
 * @param op the unary operation
 * @param inPlace overwrite the input instead of writing a second buffer
 * @returns the kernel (memoised per op and mode)
 * @example
 * ```ts
 * import { elementwiseMapKernel } from "@parsimony/parsimony/gpu";
 * elementwiseMapKernel("exp", false).bindings.length; // => 2
 * ```
 */
export function elementwiseMapKernel(op: MapOp, inPlace: boolean): WgslKernel {
  const key = `${op}/${inPlace}`;
  let k = mapCache.get(key);
  if (k) return k;
  k = defineKernel({
    name: "elementwiseMap",
    twin: "elementwiseMap (lib/gpu/twins.ts)",
    workgroupSize: [256, 1, 1],
    params: [{ name: "n", type: "u32" }, { name: "a", type: "f32" }, { name: "b", type: "f32" }],
    buffers: inPlace ? [{ name: "x", access: "read_write", type: "f32" }] : [
      { name: "x", access: "read", type: "f32" },
      { name: "y", access: "read_write", type: "f32" },
    ],
    body: `
// op: ${op}
@compute @workgroup_size(WG_X, 1, 1)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
  let i = group_index(wid, nwg) * WG + lid;
  if (i >= params.n) { return; }
  let t = params.a * x[i] + params.b;
  ${inPlace ? "x" : "y"}[i] = ${MAP_EXPR[op]};
}`,
  });
  mapCache.set(key, k);
  return k;
}

const zipCache = new Map<string, WgslKernel>();

/**
 * Kernel z_i = g(α·x_i, β·y_i) over `params.n` entries.
 *
 * @param op the binary operation
 * @returns the kernel (memoised per op)
 * @example
 * ```ts
 * import { elementwiseZipKernel } from "@parsimony/parsimony/gpu";
 * elementwiseZipKernel("add").params.map((p) => p.name); // => ["n", "alpha", "beta"]
 * ```
 */
export function elementwiseZipKernel(op: ZipOp): WgslKernel {
  let k = zipCache.get(op);
  if (k) return k;
  k = defineKernel({
    name: "elementwiseZip",
    twin: "elementwiseZip (lib/gpu/twins.ts)",
    workgroupSize: [256, 1, 1],
    params: [{ name: "n", type: "u32" }, { name: "alpha", type: "f32" }, { name: "beta", type: "f32" }],
    buffers: [
      { name: "x", access: "read", type: "f32" },
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
  let u = params.alpha * x[i];
  let v = params.beta * y[i];
  z[i] = ${ZIP_EXPR[op]};
}`,
  });
  zipCache.set(op, k);
  return k;
}
