/**
 * Tiled matrix kernels on one template: C = α·op(A)·op(B) + β·C (`gemm`), squared distances
 * D_ij = Σ_k (x_ik − y_jk)² (`pairwiseSqDist`) and Gaussian Gram K_ij = exp(c·D_ij)
 * (`gaussianGram`, c = −1/(2σ²)).
 *
 * Classic shared-memory tiling: a workgroup of 16×16 invocations owns a 64×64 block of the
 * output, each invocation a 4×4 register micro-tile (outputs i = lid.y + 16r, j = lid.x + 16c,
 * so a warp's stores are 16 consecutive floats). The k dimension is walked in slabs of 16:
 * the 256 invocations cooperatively load the 64×16 slab of op(A) and the 16×64 slab of op(B)
 * into workgroup memory (8 KiB), with the load mapping chosen per layout so consecutive
 * invocations read consecutive addresses (A row-major: along k; Aᵀ: along i; B: along j;
 * Bᵀ: along k). Each loaded value is reused 64 times from shared memory and each shared read
 * feeds 4 multiply-adds from registers. Out-of-range rows/columns/slab entries are loaded as
 * 0 (which is also exact padding for squared differences) and never stored.
 *
 * CPU twins: `gemm`, `pairwiseSqDist`, `gaussianGram` (lib/core/blas.ts). As there, distances
 * use direct differences, not ‖x‖² + ‖y‖² − 2xᵀy, so D(X, X) has exact zeros on the diagonal.
 *
 * @module
 */

import { defineKernel, type WgslKernel } from "../_kernel.ts";

/** Output tile edge of the tiled kernels (rows and columns per workgroup). */
export const GEMM_TILE = 64;
/** k-slab depth of the tiled kernels. */
export const GEMM_BK = 16;

/** What the tiled template computes. */
export type TiledKind = "gemm" | "sqdist" | "gauss";

/** Variant of {@linkcode tiledKernel}. */
export interface TiledVariant {
  /** Product, squared distance or Gaussian kernel. */
  readonly kind: TiledKind;
  /** op(A) = Aᵀ (A stored K×M). gemm only. */
  readonly transA?: boolean;
  /** op(B) = Bᵀ (B stored N×K). Always true for distances (Y is m×d). */
  readonly transB?: boolean;
  /** Read C for β·C (gemm only). */
  readonly beta?: boolean;
}

const cache = new Map<string, WgslKernel>();

/**
 * The tiled kernel for one variant. Bindings: `A`, `B`, `C` (read_write output). Params:
 * M, N, K (op(A) is M×K, op(B) is K×N), alpha, beta, c.
 *
 * @param v variant
 * @returns the kernel (memoised)
 * @example
 * ```ts
 * import { tiledKernel } from "@parsimony/parsimony/gpu";
 * tiledKernel({ kind: "gemm", transB: true }).name; // => "gemm"
 * tiledKernel({ kind: "sqdist" }).name; // => "pairwiseSqDist"
 * ```
 */
export function tiledKernel(v: TiledVariant): WgslKernel {
  const kind = v.kind;
  const transA = kind === "gemm" ? !!v.transA : false;
  const transB = kind === "gemm" ? !!v.transB : true;
  const beta = kind === "gemm" && !!v.beta;
  const key = `${kind}/${transA}/${transB}/${beta}`;
  let k = cache.get(key);
  if (k) return k;
  const T = GEMM_TILE, BK = GEMM_BK;
  // Slab loads: element e of 1024 → (tile row/col, k) so that consecutive e are consecutive addresses.
  const loadA = transA
    ? `{ let kk = e / TM; let r = e % TM; let gi = row0 + r; let gk = k0 + kk;
        var val: f32 = 0.0; if (gi < params.M && gk < params.K) { val = A[gk * params.M + gi]; } As[kk * TM + r] = val; }`
    : `{ let r = e / BK; let kk = e % BK; let gi = row0 + r; let gk = k0 + kk;
        var val: f32 = 0.0; if (gi < params.M && gk < params.K) { val = A[gi * params.K + gk]; } As[kk * TM + r] = val; }`;
  const loadB = transB
    ? `{ let c = e / BK; let kk = e % BK; let gj = col0 + c; let gk = k0 + kk;
        var val: f32 = 0.0; if (gj < params.N && gk < params.K) { val = B[gj * params.K + gk]; } Bs[kk * TN + c] = val; }`
    : `{ let kk = e / TN; let c = e % TN; let gj = col0 + c; let gk = k0 + kk;
        var val: f32 = 0.0; if (gj < params.N && gk < params.K) { val = B[gk * params.N + gj]; } Bs[kk * TN + c] = val; }`;
  const inner = kind === "gemm"
    ? "acc[q] = fma(a[r], b[c], acc[q]);"
    : "let d = a[r] - b[c]; acc[q] = fma(d, d, acc[q]);";
  const store = kind === "gemm"
    ? (beta ? "C[o] = params.alpha * acc[q] + params.beta * C[o];" : "C[o] = params.alpha * acc[q];")
    : kind === "sqdist"
    ? "C[o] = acc[q];"
    // exp underflows to 0 below −87.3 (f32); the clamp keeps the argument finite for any D.
    : "C[o] = exp(max(params.c * acc[q], -104.0));";
  const name = kind === "gemm" ? "gemm" : kind === "sqdist" ? "pairwiseSqDist" : "gaussianGram";
  k = defineKernel({
    name,
    twin: `${name} (lib/core/blas.ts)`,
    workgroupSize: [16, 16, 1],
    params: [
      { name: "M", type: "u32" },
      { name: "N", type: "u32" },
      { name: "K", type: "u32" },
      { name: "alpha", type: "f32" },
      { name: "beta", type: "f32" },
      { name: "c", type: "f32" },
    ],
    buffers: [
      { name: "A", access: "read", type: "f32" },
      { name: "B", access: "read", type: "f32" },
      { name: "C", access: "read_write", type: "f32" },
    ],
    body: `
// variant: ${key}
const TM: u32 = ${T}u;
const TN: u32 = ${T}u;
const BK: u32 = ${BK}u;
var<workgroup> As: array<f32, ${T * BK}>;
var<workgroup> Bs: array<f32, ${T * BK}>;
@compute @workgroup_size(WG_X, WG_Y, 1)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>) {
  let row0 = wid.y * TM;
  let col0 = wid.x * TN;
  let tid = lid.y * WG_X + lid.x;
  var acc: array<f32, 16>;
  for (var q = 0u; q < 16u; q = q + 1u) { acc[q] = 0.0; }
  let ntiles = (params.K + BK - 1u) / BK;
  for (var t = 0u; t < ntiles; t = t + 1u) {
    let k0 = t * BK;
    for (var l = 0u; l < ${(T * BK) / 256}u; l = l + 1u) {
      let e = tid + l * WG;
      ${loadA}
      ${loadB}
    }
    workgroupBarrier();
    for (var kk = 0u; kk < BK; kk = kk + 1u) {
      var a: array<f32, 4>;
      var b: array<f32, 4>;
      for (var r = 0u; r < 4u; r = r + 1u) { a[r] = As[kk * TM + lid.y + 16u * r]; }
      for (var c = 0u; c < 4u; c = c + 1u) { b[c] = Bs[kk * TN + lid.x + 16u * c]; }
      for (var r = 0u; r < 4u; r = r + 1u) {
        for (var c = 0u; c < 4u; c = c + 1u) {
          let q = r * 4u + c;
          ${inner}
        }
      }
    }
    workgroupBarrier();
  }
  for (var r = 0u; r < 4u; r = r + 1u) {
    let i = row0 + lid.y + 16u * r;
    for (var c = 0u; c < 4u; c = c + 1u) {
      let j = col0 + lid.x + 16u * c;
      let q = r * 4u + c;
      if (i < params.M && j < params.N) {
        let o = i * params.N + j;
        ${store}
      }
    }
  }
}`,
  });
  cache.set(key, k);
  return k;
}
