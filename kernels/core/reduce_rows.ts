/**
 * Row reductions, one workgroup per row: out_i = α·R_j(·) + β·b_i with R one of
 *
 * | op | R over row i | CPU twin |
 * |---|---|---|
 * | `sum` | Σ_j A_ij | `sumRows` (lib/gpu/twins.ts) |
 * | `max` | max_j A_ij | `maxRows` (lib/gpu/twins.ts) |
 * | `dot` | Σ_j A_ij x_j (gemv) | `gemv` (lib/core/blas.ts) |
 * | `lse` | log Σ_j exp(s·A_ij + u_i + v_j) (Sinkhorn K1) | `logSumExpRows` (lib/core/reduce.ts), `lseRows` (lib/gpu/twins.ts) |
 *
 * Invocations stride through the row (invocation t reads columns t, t + WG, …: consecutive
 * invocations, consecutive addresses), fold into a private accumulator, then a shared-memory
 * tree reduction of log₂ WG levels combines them; one write per row. The workgroup size is a
 * power of two chosen from the row length (see {@linkcode rowWorkgroupSize}), so short rows
 * do not leave most invocations idle. Rows beyond 65535 fold into a 2-D grid.
 *
 * @module
 */

import { defineKernel, type WgslKernel } from "../_kernel.ts";
import {
  EPILOGUE_FN,
  finalCode,
  foldCode,
  LSE_PACK_FN,
  type LseAffine,
  mergeShared,
  type ReduceOp,
  sharedDecl,
  stateDecl,
  toShared,
} from "./_reduce_ops.ts";

export type { LseAffine, ReduceOp } from "./_reduce_ops.ts";

/**
 * Workgroup size for a row of `cols` entries: the power of two near cols/4 (each invocation
 * folds ≥ 4 entries before the tree), clamped to [32, 256].
 *
 * @example
 * ```ts
 * import { rowWorkgroupSize } from "@parsimony/parsimony/gpu";
 * rowWorkgroupSize(10); // => 32
 * rowWorkgroupSize(4096); // => 256
 * ```
 */
export function rowWorkgroupSize(cols: number): number {
  let w = 32;
  while (w < 256 && w * 4 < cols) w *= 2;
  return w;
}

/** Variant of {@linkcode reduceRowsKernel}. */
export interface ReduceRowsVariant {
  /** Log-sum-exp offsets read (ignored by other ops). */
  readonly affine?: Partial<LseAffine>;
  /** Read b for the epilogue β·b_i. */
  readonly outOffset?: boolean;
}

const NAMES: Record<ReduceOp, string> = { sum: "sumRows", max: "maxRows", dot: "gemv", lse: "logSumExpRows" };
const TWINS: Record<ReduceOp, string> = {
  sum: "sumRows (lib/gpu/twins.ts)",
  max: "maxRows (lib/gpu/twins.ts)",
  dot: "gemv (lib/core/blas.ts)",
  lse: "logSumExpRows (lib/core/reduce.ts); with offsets lseRows (lib/gpu/twins.ts)",
};
const cache = new Map<string, WgslKernel>();

/**
 * Kernel for one row reduction. Bindings in order: `A` (rows×cols), then `x` (dot: length
 * cols), `U` (lse rowOffset: length rows), `V` (lse colOffset: length cols), `B` (outOffset:
 * length rows), `out` (length rows). Params: rows, cols, scale (lse), alpha, beta.
 *
 * @param op the reduction
 * @param wg workgroup size (a power of two ≤ 256), usually {@linkcode rowWorkgroupSize}
 * @param variant optional inputs
 * @returns the kernel (memoised)
 * @example
 * ```ts
 * import { reduceRowsKernel } from "@parsimony/parsimony/gpu";
 * reduceRowsKernel("lse", 256, { affine: { colOffset: true } }).bindings.map((b) => b.name); // => ["A", "V", "out"]
 * ```
 */
export function reduceRowsKernel(op: ReduceOp, wg: number, variant: ReduceRowsVariant = {}): WgslKernel {
  const uOff = op === "lse" && !!variant.affine?.rowOffset;
  const vOff = op === "lse" && !!variant.affine?.colOffset;
  const bOff = !!variant.outOffset;
  const key = `${op}/${wg}/${uOff}/${vOff}/${bOff}`;
  let k = cache.get(key);
  if (k) return k;
  if (!(wg >= 1 && wg <= 256 && (wg & (wg - 1)) === 0)) throw new RangeError(`reduceRowsKernel: workgroup size ${wg}`);
  const buffers: { name: string; access: "read" | "read_write"; type: "f32" }[] = [{
    name: "A",
    access: "read",
    type: "f32",
  }];
  if (op === "dot") buffers.push({ name: "x", access: "read", type: "f32" });
  if (uOff) buffers.push({ name: "U", access: "read", type: "f32" });
  if (vOff) buffers.push({ name: "V", access: "read", type: "f32" });
  if (bOff) buffers.push({ name: "B", access: "read", type: "f32" });
  buffers.push({ name: "out", access: "read_write", type: "f32" });
  const rowPrologue = op !== "lse"
    ? ""
    : uOff
    ? "let u = U[row];\n  let u_ninf = is_ninf(u);\n  let u_fin = select(u, 0.0, u_ninf);"
    : "let u_ninf = false;\n  let u_fin = 0.0;";
  const entry = op === "dot"
    ? "let a = A[base + j];\n    let w = x[j];"
    : op === "lse"
    ? (vOff
      ? "let a = A[base + j];\n    let v = V[j];\n    let zero_w = u_ninf || is_ninf(v);\n    let off = u_fin + select(v, 0.0, is_ninf(v));"
      : "let a = A[base + j];\n    let zero_w = u_ninf;\n    let off = u_fin;")
    : "let a = A[base + j];";
  k = defineKernel({
    name: NAMES[op],
    twin: TWINS[op],
    workgroupSize: [wg, 1, 1],
    params: [
      { name: "rows", type: "u32" },
      { name: "cols", type: "u32" },
      { name: "scale", type: "f32" },
      { name: "alpha", type: "f32" },
      { name: "beta", type: "f32" },
    ],
    buffers,
    body: `
${sharedDecl(op, "WG")}
${LSE_PACK_FN}
${EPILOGUE_FN}
@compute @workgroup_size(WG_X, 1, 1)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
  let row = group_index(wid, nwg);
  if (row >= params.rows) { return; }
  let base = row * params.cols;
  ${rowPrologue}
  ${stateDecl(op)}
  for (var j = lid; j < params.cols; j = j + WG) {
    ${entry}
    ${foldCode(op)}
  }
  ${toShared(op, "lid")}
  workgroupBarrier();
  for (var h = WG / 2u; h > 0u; h = h >> 1u) {
    if (lid < h) { ${mergeShared(op, "lid", "lid + h")} }
    workgroupBarrier();
  }
  if (lid == 0u) {
    ${finalCode(op, "0u", bOff ? "B[row]" : "0.0")}
    out[row] = r;
  }
}`,
  });
  cache.set(key, k);
  return k;
}
