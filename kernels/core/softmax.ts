/**
 * Row and column softmax of L_ij = s·A_ij + u_i + v_j (u, v optional; −∞ offsets are zero
 * weights), computed as exp(L_ij − m)/Σ exp(L − m) like the f64 twins `softmaxRows` /
 * `softmaxCols` (lib/core/reduce.ts; `softmax` applied to L in lib/gpu/twins.ts).
 *
 * - `softmaxRows`: one workgroup per row; pass 1 is the online log-sum-exp of
 *   `reduce_rows.ts` (m, s in shared memory), pass 2 re-reads the row and writes
 *   exp(L − m)/s. Two coalesced reads and one write per entry.
 * - `softmaxCols`: the column log-sum-exp passes of `reduce_cols.ts` in `stats` mode give
 *   (m_j, s_j); {@linkcode softmaxColsNormalizeKernel} then writes exp(L_ij − m_j)/s_j
 *   entrywise (coalesced over j).
 *
 * Rows (columns) whose entries are all zero-weight are written as 0 here; the public op
 * rejects them before dispatch, as the twin does.
 *
 * @module
 */

import { defineKernel, type WgslKernel } from "../_kernel.ts";
import { foldCode, LSE_PACK_FN, type LseAffine, mergeShared, sharedDecl, stateDecl, toShared } from "./_reduce_ops.ts";

const cache = new Map<string, WgslKernel>();

/** Shared entry classification: `zero_w`, `off` for L = scale·a + off. */
function entryCode(uOff: boolean, vOff: boolean, aExpr: string, uExpr: string, vExpr: string): string {
  const parts: string[] = [`let a = ${aExpr};`];
  const zs: string[] = [];
  const offs: string[] = [];
  if (uOff) {
    parts.push(`let u = ${uExpr};`);
    zs.push("is_ninf(u)");
    offs.push("select(u, 0.0, is_ninf(u))");
  }
  if (vOff) {
    parts.push(`let v = ${vExpr};`);
    zs.push("is_ninf(v)");
    offs.push("select(v, 0.0, is_ninf(v))");
  }
  parts.push(`let zero_w = ${zs.length ? zs.join(" || ") : "false"};`);
  parts.push(`let off = ${offs.length ? offs.join(" + ") : "0.0"};`);
  return parts.join("\n    ");
}

/**
 * Row softmax kernel. Bindings: `A`, `U` (rowOffset), `V` (colOffset), `out`. Params: rows,
 * cols, scale.
 *
 * @param wg workgroup size (power of two ≤ 256), usually `rowWorkgroupSize(cols)`
 * @param affine offsets read
 * @returns the kernel (memoised)
 * @example
 * ```ts
 * import { softmaxRowsKernel } from "@parsimony/parsimony/gpu";
 * softmaxRowsKernel(64).name; // => "softmaxRows"
 * ```
 */
export function softmaxRowsKernel(wg: number, affine: Partial<LseAffine> = {}): WgslKernel {
  const uOff = !!affine.rowOffset, vOff = !!affine.colOffset;
  const key = `rows/${wg}/${uOff}/${vOff}`;
  let k = cache.get(key);
  if (k) return k;
  const buffers: { name: string; access: "read" | "read_write"; type: "f32" }[] = [{
    name: "A",
    access: "read",
    type: "f32",
  }];
  if (uOff) buffers.push({ name: "U", access: "read", type: "f32" });
  if (vOff) buffers.push({ name: "V", access: "read", type: "f32" });
  buffers.push({ name: "out", access: "read_write", type: "f32" });
  const entry = entryCode(uOff, vOff, "A[base + j]", "U[row]", "V[j]");
  k = defineKernel({
    name: "softmaxRows",
    twin: "softmaxRows (lib/core/reduce.ts); with offsets softmaxRowsAffine (lib/gpu/twins.ts)",
    workgroupSize: [wg, 1, 1],
    params: [{ name: "rows", type: "u32" }, { name: "cols", type: "u32" }, { name: "scale", type: "f32" }],
    buffers,
    body: `
${sharedDecl("lse", "WG")}
${LSE_PACK_FN}
@compute @workgroup_size(WG_X, 1, 1)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
  let row = group_index(wid, nwg);
  if (row >= params.rows) { return; }
  let base = row * params.cols;
  ${stateDecl("lse")}
  for (var j = lid; j < params.cols; j = j + WG) {
    ${entry}
    ${foldCode("lse")}
  }
  ${toShared("lse", "lid")}
  workgroupBarrier();
  for (var h = WG / 2u; h > 0u; h = h >> 1u) {
    if (lid < h) { ${mergeShared("lse", "lid", "lid + h")} }
    workgroupBarrier();
  }
  let mx = sh[0].x;
  let den = sh[0].y;
  let ok = den > 0.0;
  for (var j = lid; j < params.cols; j = j + WG) {
    ${entry}
    var p: f32 = 0.0;
    if (ok && !zero_w && !is_inf(a)) { p = exp(params.scale * a + off - mx) / den; }
    out[base + j] = p;
  }
}`,
  });
  cache.set(key, k);
  return k;
}

/**
 * Column softmax, pass 3: out_ij = exp(L_ij − m_j)/s_j from the (m_j, s_j) pairs of the
 * column log-sum-exp in `stats` mode. Bindings: `A`, `U`, `V`, `stats` (2·cols), `out`.
 * Params: n (= rows·cols), cols, scale.
 *
 * @param affine offsets read
 * @returns the kernel (memoised)
 * @example
 * ```ts
 * import { softmaxColsNormalizeKernel } from "@parsimony/parsimony/gpu";
 * softmaxColsNormalizeKernel().bindings.map((b) => b.name); // => ["A", "stats", "out"]
 * ```
 */
export function softmaxColsNormalizeKernel(affine: Partial<LseAffine> = {}): WgslKernel {
  const uOff = !!affine.rowOffset, vOff = !!affine.colOffset;
  const key = `colsnorm/${uOff}/${vOff}`;
  let k = cache.get(key);
  if (k) return k;
  const buffers: { name: string; access: "read" | "read_write"; type: "f32" }[] = [{
    name: "A",
    access: "read",
    type: "f32",
  }];
  if (uOff) buffers.push({ name: "U", access: "read", type: "f32" });
  if (vOff) buffers.push({ name: "V", access: "read", type: "f32" });
  buffers.push({ name: "stats", access: "read", type: "f32" }, { name: "out", access: "read_write", type: "f32" });
  k = defineKernel({
    name: "softmaxColsNormalize",
    twin: "softmaxCols (lib/core/reduce.ts); with offsets softmaxColsAffine (lib/gpu/twins.ts)",
    workgroupSize: [256, 1, 1],
    params: [{ name: "n", type: "u32" }, { name: "cols", type: "u32" }, { name: "scale", type: "f32" }],
    buffers,
    body: `
@compute @workgroup_size(WG_X, 1, 1)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
  let idx = group_index(wid, nwg) * WG + lid;
  if (idx >= params.n) { return; }
  let row = idx / params.cols;
  let j = idx - row * params.cols;
  ${entryCode(uOff, vOff, "A[idx]", "U[row]", "V[j]")}
  let s = stats[2u * j + 1u];
  var p: f32 = 0.0;
  if (s > 0.0 && !zero_w && !is_inf(a)) { p = exp(params.scale * a + off - stats[2u * j]) / s; }
  out[idx] = p;
}`,
  });
  cache.set(key, k);
  return k;
}
