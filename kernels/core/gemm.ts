/**
 * Tiled matrix kernels on one template: C = α·op(A)·op(B) + β·C (`gemm`), squared distances
 * D_ij = Σ_k (x_ik − y_jk)² (`pairwiseSqDist`) and Gaussian Gram K_ij = exp(c·D_ij)
 * (`gaussianGram`, c = −1/(2σ²)).
 *
 * Classic shared-memory tiling: a workgroup of 16×16 invocations owns a 64×64 block of the
 * output and each invocation a 4×4 register micro-tile (rows i = lid.y + 16r, columns
 * j = lid.x + 16c, so 16 neighbouring invocations store 16 consecutive floats), held as four
 * vec4 accumulators. The k dimension is walked in slabs of 8: the 256 invocations
 * cooperatively load the 64×8 slab of op(A) and the 8×64 slab of op(B) into workgroup memory,
 * with the load mapping chosen per layout so consecutive invocations read consecutive
 * addresses (A row-major: along k; Aᵀ: along i; B: along j; Bᵀ: along k). The slabs are
 * stored as vec4s gathering the four rows (columns) one invocation needs, so each step of the
 * inner loop is two vec4 workgroup loads feeding 16 fused multiply-adds; every loaded value
 * is reused 64 times. Out-of-range rows/columns/slab entries are loaded as 0 (exact padding
 * for products and for squared differences) and never stored.
 *
 * Workgroup memory is 2 × 128 vec4 (4 KiB). Larger slabs would cut barriers, but llvmpipe's
 * JIT time grows steeply with the element count of workgroup arrays (≈ 16 s for two
 * `array<f32, 1024>` against < 1 s for two `array<vec4<f32>, 128>`), and CI runs on llvmpipe.
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
export const GEMM_BK = 8;

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
  // Slab loads: element e of 512 → (tile row/col, k) so that consecutive e are consecutive
  // addresses; the value goes to component ⌊r/16⌋ of the vec4 at (k, r mod 16).
  const loadA = transA
    ? `{ let kk = e / TM; let r = e % TM; let gi = row0 + r; let gk = k0 + kk;
        var val: f32 = 0.0; if (gi < params.M && gk < params.K) { val = A[gk * params.M + gi]; } As[kk * 16u + r % 16u][r / 16u] = val; }`
    : `{ let r = e / BK; let kk = e % BK; let gi = row0 + r; let gk = k0 + kk;
        var val: f32 = 0.0; if (gi < params.M && gk < params.K) { val = A[gi * params.K + gk]; } As[kk * 16u + r % 16u][r / 16u] = val; }`;
  const loadB = transB
    ? `{ let c = e / BK; let kk = e % BK; let gj = col0 + c; let gk = k0 + kk;
        var val: f32 = 0.0; if (gj < params.N && gk < params.K) { val = B[gj * params.K + gk]; } Bs[kk * 16u + c % 16u][c / 16u] = val; }`
    : `{ let kk = e / TN; let c = e % TN; let gj = col0 + c; let gk = k0 + kk;
        var val: f32 = 0.0; if (gj < params.N && gk < params.K) { val = B[gk * params.N + gj]; } Bs[kk * 16u + c % 16u][c / 16u] = val; }`;
  // Row r of the micro-tile accumulates av[r] times the four columns bv.
  const inner = kind === "gemm"
    ? `acc0 = fma(vec4<f32>(av.x), bv, acc0);
      acc1 = fma(vec4<f32>(av.y), bv, acc1);
      acc2 = fma(vec4<f32>(av.z), bv, acc2);
      acc3 = fma(vec4<f32>(av.w), bv, acc3);`
    : `let d0 = vec4<f32>(av.x) - bv; acc0 = fma(d0, d0, acc0);
      let d1 = vec4<f32>(av.y) - bv; acc1 = fma(d1, d1, acc1);
      let d2 = vec4<f32>(av.z) - bv; acc2 = fma(d2, d2, acc2);
      let d3 = vec4<f32>(av.w) - bv; acc3 = fma(d3, d3, acc3);`;
  const store = kind === "gemm"
    ? (beta ? "C[o] = params.alpha * v + params.beta * C[o];" : "C[o] = params.alpha * v;")
    : kind === "sqdist"
    ? "C[o] = v;"
    // exp underflows to 0 below −87.3 (f32); the clamp keeps the argument finite for any D.
    : "C[o] = exp(max(params.c * v, -104.0));";
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
var<workgroup> As: array<vec4<f32>, ${16 * BK}>;
var<workgroup> Bs: array<vec4<f32>, ${16 * BK}>;
fn store_row(i: u32, j0: u32, acc: vec4<f32>) {
  if (i >= params.M) { return; }
  for (var c = 0u; c < 4u; c = c + 1u) {
    let j = j0 + 16u * c;
    if (j < params.N) {
      let o = i * params.N + j;
      let v = acc[c];
      ${store}
    }
  }
}
@compute @workgroup_size(WG_X, WG_Y, 1)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>) {
  let row0 = wid.y * TM;
  let col0 = wid.x * TN;
  let tid = lid.y * WG_X + lid.x;
  var acc0 = vec4<f32>(0.0);
  var acc1 = vec4<f32>(0.0);
  var acc2 = vec4<f32>(0.0);
  var acc3 = vec4<f32>(0.0);
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
      let av = As[kk * 16u + lid.y];
      let bv = Bs[kk * 16u + lid.x];
      ${inner}
    }
    workgroupBarrier();
  }
  let i0 = row0 + lid.y;
  let j0 = col0 + lid.x;
  store_row(i0, j0, acc0);
  store_row(i0 + 16u, j0, acc1);
  store_row(i0 + 32u, j0, acc2);
  store_row(i0 + 48u, j0, acc3);
}`,
  });
  cache.set(key, k);
  return k;
}
