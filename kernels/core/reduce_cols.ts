/**
 * Column reductions in two passes (WGSL has no floating-point atomics, so partial results
 * go through memory):
 *
 * 1. `reduceColsPartial`: a workgroup of 64 invocations covers 64 consecutive columns × one
 *    chunk of rows; at every row the 64 invocations read 64 consecutive floats (coalesced).
 *    Each invocation folds its column over the chunk in registers and writes one partial
 *    state per (chunk, column) — no workgroup memory, no barrier. Up to 256 chunks give the
 *    device (columns/64)·chunks workgroups to schedule.
 * 2. `reduceColsFinish`: one invocation per column merges the chunk partials in order and
 *    applies the epilogue α·r_j + β·b_j (or, in `stats` mode, writes the (max, scaled sum)
 *    pair that `softmaxCols` normalises with).
 *
 * | op | R over column j | CPU twin |
 * |---|---|---|
 * | `sum` | Σ_i A_ij | `sumCols` (lib/gpu/twins.ts) |
 * | `max` | max_i A_ij | `maxCols` (lib/gpu/twins.ts) |
 * | `dot` | Σ_i x_i A_ij (gemv with trans) | `gemv` (lib/core/blas.ts) |
 * | `lse` | log Σ_i exp(s·A_ij + u_i + v_j) (Sinkhorn K2) | `logSumExpCols` (lib/core/reduce.ts), `lseCols` (lib/gpu/twins.ts) |
 *
 * Partial state layout: 2 floats per (chunk, column) at `2·(chunk·cols + j)`: sum → (s, 0);
 * max → (value, 0); lse → (m, s) with s = 0 for "no finite term" and s = −1 for "a +∞ term".
 *
 * @module
 */

import { defineKernel, type WgslKernel } from "../_kernel.ts";
import { EPILOGUE_FN, foldCode, LSE_PACK_FN, type LseAffine, type ReduceOp, stateDecl } from "./_reduce_ops.ts";

/** Columns per partial workgroup. */
export const COL_TILE = 64;

/**
 * Row-chunking of a column reduction: `chunks` workgroup rows of `rowsPerChunk` rows each.
 * At most 256 chunks, at least 32 rows per chunk (each invocation folds ≥ 32 entries).
 *
 * @example
 * ```ts
 * import { colChunks } from "@parsimony/parsimony/gpu";
 * colChunks(4096); // => { chunks: 128, rowsPerChunk: 32 }
 * colChunks(10); // => { chunks: 1, rowsPerChunk: 10 }
 * ```
 */
export function colChunks(rows: number): { chunks: number; rowsPerChunk: number } {
  const chunks = Math.max(1, Math.min(256, Math.floor(rows / 32)));
  const rowsPerChunk = Math.max(1, Math.ceil(rows / chunks));
  return { chunks: Math.max(1, Math.ceil(rows / rowsPerChunk)), rowsPerChunk };
}

const NAMES: Record<ReduceOp, string> = { sum: "sumCols", max: "maxCols", dot: "gemvT", lse: "logSumExpCols" };
const TWINS: Record<ReduceOp, string> = {
  sum: "sumCols (lib/gpu/twins.ts)",
  max: "maxCols (lib/gpu/twins.ts)",
  dot: "gemv with trans (lib/core/blas.ts)",
  lse: "logSumExpCols (lib/core/reduce.ts); with offsets lseCols (lib/gpu/twins.ts)",
};
const cache = new Map<string, WgslKernel>();

/**
 * Pass 1 of a column reduction. Bindings: `A` (rows×cols), `x` (dot weights, length rows),
 * `U` (lse rowOffset, length rows), `V` (lse colOffset, length cols), `part` (2·chunks·cols).
 * Params: rows, cols, rowsPerChunk, scale.
 *
 * @param op the reduction
 * @param affine log-sum-exp offsets read
 * @returns the kernel (memoised)
 * @example
 * ```ts
 * import { reduceColsPartialKernel } from "@parsimony/parsimony/gpu";
 * reduceColsPartialKernel("sum").workgroupSize; // => [64, 4, 1]
 * ```
 */
export function reduceColsPartialKernel(op: ReduceOp, affine: Partial<LseAffine> = {}): WgslKernel {
  const uOff = op === "lse" && !!affine.rowOffset;
  const vOff = op === "lse" && !!affine.colOffset;
  const key = `partial/${op}/${uOff}/${vOff}`;
  let k = cache.get(key);
  if (k) return k;
  const buffers: { name: string; access: "read" | "read_write"; type: "f32" }[] = [{
    name: "A",
    access: "read",
    type: "f32",
  }];
  if (op === "dot") buffers.push({ name: "x", access: "read", type: "f32" });
  if (uOff) buffers.push({ name: "U", access: "read", type: "f32" });
  if (vOff) buffers.push({ name: "V", access: "read", type: "f32" });
  buffers.push({ name: "part", access: "read_write", type: "f32" });
  const colPrologue = op !== "lse"
    ? ""
    : vOff
    ? "let v = V[col];\n  let v_ninf = is_ninf(v);\n  let v_fin = select(v, 0.0, v_ninf);"
    : "let v_ninf = false;\n  let v_fin = 0.0;";
  const entry = op === "dot"
    ? "let a = A[i * params.cols + col];\n      let w = x[i];"
    : op === "lse"
    ? (uOff
      ? "let a = A[i * params.cols + col];\n      let u = U[i];\n      let zero_w = v_ninf || is_ninf(u);\n      let off = v_fin + select(u, 0.0, is_ninf(u));"
      : "let a = A[i * params.cols + col];\n      let zero_w = v_ninf;\n      let off = v_fin;")
    : "let a = A[i * params.cols + col];";
  const write = op === "lse"
    ? "let q = lse_pack(m, s, any, pin); part[p] = q.x; part[p + 1u] = q.y;"
    : op === "max"
    ? "part[p] = key_f32(k); part[p + 1u] = 0.0;"
    : "part[p] = s - c; part[p + 1u] = 0.0;";
  k = defineKernel({
    name: `${NAMES[op]}Partial`,
    twin: TWINS[op],
    workgroupSize: [COL_TILE, 1, 1],
    params: [
      { name: "rows", type: "u32" },
      { name: "cols", type: "u32" },
      { name: "rowsPerChunk", type: "u32" },
      { name: "scale", type: "f32" },
    ],
    buffers,
    body: `
${LSE_PACK_FN}
@compute @workgroup_size(WG_X, 1, 1)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  let col = wid.x * WG_X + lid;
  if (col >= params.cols) { return; }
  let chunk = wid.y;
  let r0 = chunk * params.rowsPerChunk;
  let r1 = min(params.rows, r0 + params.rowsPerChunk);
  ${colPrologue}
  ${stateDecl(op)}
  for (var i = r0; i < r1; i = i + 1u) {
    ${entry}
    ${foldCode(op)}
  }
  let p = 2u * (chunk * params.cols + col);
  ${write}
}`,
  });
  cache.set(key, k);
  return k;
}

/**
 * Pass 2 of a column reduction. Bindings: `part` (2·chunks·cols), `B` (outOffset, length
 * cols), `out` (length cols, or 2·cols in `stats` mode: (m_j, s_j) pairs). Params: cols,
 * chunks, alpha, beta.
 *
 * @param op the reduction
 * @param mode `"value"` (α·r + β·b) or `"stats"` (lse only: the (m, s) pair)
 * @param outOffset read b for the epilogue
 * @returns the kernel (memoised)
 * @example
 * ```ts
 * import { reduceColsFinishKernel } from "@parsimony/parsimony/gpu";
 * reduceColsFinishKernel("lse", "stats", false).name; // => "logSumExpColsFinish"
 * ```
 */
export function reduceColsFinishKernel(op: ReduceOp, mode: "value" | "stats", outOffset: boolean): WgslKernel {
  const key = `finish/${op}/${mode}/${outOffset}`;
  let k = cache.get(key);
  if (k) return k;
  if (mode === "stats" && op !== "lse") throw new RangeError("reduceColsFinishKernel: stats mode is for lse");
  const buffers: { name: string; access: "read" | "read_write"; type: "f32" }[] = [{
    name: "part",
    access: "read",
    type: "f32",
  }];
  if (outOffset) buffers.push({ name: "B", access: "read", type: "f32" });
  buffers.push({ name: "out", access: "read_write", type: "f32" });
  const b = outOffset ? "B[col]" : "0.0";
  let combine: string;
  if (op === "sum" || op === "dot") {
    combine = `var s: f32 = 0.0;
  var c: f32 = 0.0;
  for (var q = 0u; q < params.chunks; q = q + 1u) {
    let a = part[2u * (q * params.cols + col)];
    let yk = a - c; let tk = s + yk; c = (opaque(tk, params.cols) - s) - yk; s = tk;
  }
  out[col] = epilogue(s - c, ${b});`;
  } else if (op === "max") {
    combine = `var k: u32 = 0u;
  for (var q = 0u; q < params.chunks; q = q + 1u) { k = max(k, f32_key(part[2u * (q * params.cols + col)])); }
  out[col] = epilogue(key_f32(k), ${b});`;
  } else {
    const tail = mode === "stats"
      ? `out[2u * col] = select(0.0, acc.x, acc.y > 0.0);
  out[2u * col + 1u] = max(acc.y, 0.0);`
      : `out[col] = epilogue(lse_value(acc), ${b});`;
    combine = `var acc = vec2<f32>(0.0, 0.0);
  for (var q = 0u; q < params.chunks; q = q + 1u) {
    let p = 2u * (q * params.cols + col);
    acc = lse_merge(acc, vec2<f32>(part[p], part[p + 1u]));
  }
  ${tail}`;
  }
  k = defineKernel({
    name: `${NAMES[op]}Finish`,
    twin: TWINS[op],
    workgroupSize: [256, 1, 1],
    params: [
      { name: "cols", type: "u32" },
      { name: "chunks", type: "u32" },
      { name: "alpha", type: "f32" },
      { name: "beta", type: "f32" },
    ],
    buffers,
    body: `
${LSE_PACK_FN}
${EPILOGUE_FN}
@compute @workgroup_size(WG_X, 1, 1)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
  let col = group_index(wid, nwg) * WG + lid;
  if (col >= params.cols) { return; }
  ${combine}
}`,
  });
  cache.set(key, k);
  return k;
}
