/**
 * WGSL kernels for the Cauchy–Schwarz divergences (method card §6.1): streamed Gaussian-Gram row sums
 * in the log domain, one invocation per row, nothing N×N stored; the host finishes in f64.
 *
 * - `gramRowLse` (two-sample CS divergence, card A1): row i of A against every row of B,
 *   t_ij = c·‖a_i − b_j‖² (c = −1/(2σ²), direct differences). Self variant (A = B): the diagonal gives
 *   the row maximum t = 0 exactly, so s_i = Σ_j exp(t_ij) (Kahan) and out = (0, s_i, ·) (· = compensation). Cross variant: a
 *   first pass finds m_i = max_j t_ij, a second sums Σ_j exp(t_ij − m_i) (Kahan), out = (m_i, s_i, ·); far
 *   apart samples never underflow to log 0. log row sum = m_i + log s_i (host, f64).
 * - `condRowLse` (conditional CS divergence, card A3): row j against every i, with
 *   tS = cx‖x_j − x_i‖², tA = tS + cy‖y_j − y_i‖², tB = tS + cy‖ŷ_j − ŷ_i‖², tC = tS + cy‖ŷ_j − y_i‖²:
 *   Kahan sums of exp(tS), exp(2tS), exp(tA), exp(tB) (all ≤ 0 with 0 at i = j, so no shift is needed),
 *   and the two-pass shifted sum of exp(tC) (its maximum is not at i = j when ŷ_j ≠ y_j). Out per row
 *   (12 entries): mC, then (sum, compensation) of S, S2, A, B, C, and one unused.
 *
 * Tiles: each dispatch walks the columns j ∈ [j0, j1) only and keeps its state — the running maximum
 * (`phase` 0) or the Kahan sums and compensations (`phase` 1) — in `out` between dispatches (`init` = 1 on
 * the first tile of a phase), so the host can keep every invocation under llvmpipe's 65,535-iteration
 * loop limit (lib/info/_tiles.ts); the result equals one pass over all j.
 *
 * f64 twins: `logGramRowSums` and `conditionalRowStats` (lib/info/_gram.ts). Workgroup 64, no
 * workgroup memory. Error analysis (per term: distance error, exp's 3 + 2|x| ULP, Kahan) in
 * `tests/kernels/info/gram_lse_test.ts`.
 *
 * @module
 */

import { defineKernel, type WgslKernel } from "../_kernel.ts";

/** WGSL squared distance between row offsets of two global buffers (direct differences). */
function sqdist(name: string, p: string, q: string, d: string): string {
  return `
fn ${name}(po: u32, qo: u32) -> f32 {
  var s: f32 = 0.0;
  for (var c = 0u; c < ${d}; c = c + 1u) { let v = ${p}[po + c] - ${q}[qo + c]; s = s + v * v; }
  return s;
}`;
}

const KAHAN = `
// Kahan step on (s, comp): y = term − comp; t = s + y; comp = (t − s) − y; s = t.
fn kahan(sc: vec2<f32>, term: f32, g: u32) -> vec2<f32> {
  let y = term - sc.y;
  let t = opaque(sc.x + y, g);
  return vec2<f32>(t, (t - sc.x) - y);
}`;

const cache = new Map<boolean, WgslKernel>();

const TILE_PARAMS = [
  { name: "j0", type: "u32" },
  { name: "j1", type: "u32" },
  { name: "init", type: "u32" },
  { name: "phase", type: "u32" },
] as const;

/**
 * Row log-sum kernel of a Gaussian Gram block. Bindings: `a` (M×d), `b` (N×d), `out` (M×3: shift, sum,
 * compensation). Params: m, nb, d, c and the tile j0, j1, init, phase (cross: 0 = maximum, 1 = sum).
 *
 * @param self A and B are the same samples (single sum pass, shift 0)
 * @returns the kernel (memoised)
 * @example
 * ```ts
 * import { gramRowLseKernel } from "./gram_lse.ts";
 * gramRowLseKernel(true).name; // => "gramRowLseSelf"
 * ```
 */
export function gramRowLseKernel(self: boolean): WgslKernel {
  let k = cache.get(self);
  if (k) return k;
  k = defineKernel({
    name: self ? "gramRowLseSelf" : "gramRowLseCross",
    twin: "logGramRowSums (lib/info/_gram.ts)",
    workgroupSize: [64, 1, 1],
    params: [
      { name: "m", type: "u32" },
      { name: "nb", type: "u32" },
      { name: "d", type: "u32" },
      { name: "c", type: "f32" },
      ...TILE_PARAMS,
    ],
    buffers: [
      { name: "a", access: "read", type: "f32" },
      { name: "b", access: "read", type: "f32" },
      { name: "out", access: "read_write", type: "f32" },
    ],
    body: `${sqdist("dab", "a", "b", "params.d")}${KAHAN}
@compute @workgroup_size(WG_X, WG_Y, WG_Z)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
  let i = group_index(wid, nwg) * WG + lid;
  if (i >= params.m) { return; }
  let d = params.d;
  ${
      self ? "" : `if (params.phase == 0u) {
    var j = params.j0;
    var mx = out[3u * i];
    if (params.init == 1u) { mx = params.c * dab(i * d, j * d); j = j + 1u; }
    for (; j < params.j1; j = j + 1u) { mx = max(mx, params.c * dab(i * d, j * d)); }
    out[3u * i] = mx;
    return;
  }
  let mx = out[3u * i];`
    }
  var sc = vec2<f32>(0.0, 0.0);
  if (params.init == 0u) { sc = vec2<f32>(out[3u * i + 1u], out[3u * i + 2u]); }
  for (var j = params.j0; j < params.j1; j = j + 1u) {
    sc = kahan(sc, exp(params.c * dab(i * d, j * d)${self ? "" : " - mx"}), params.nb);
  }
  ${self ? "out[3u * i] = 0.0;" : ""}
  out[3u * i + 1u] = sc.x;
  out[3u * i + 2u] = sc.y;
}`,
  });
  cache.set(self, k);
  return k;
}

/**
 * Row statistics of the conditional CS divergence. Bindings: `x` (N×dx), `y` (N×dy), `yh` (N×dy),
 * `out` (N×12: mC, then sum and compensation of S, S2, A, B, C). Params: n, dx, dy, cx, cy and the tile
 * j0, j1, init, phase (0 = maximum of tC, 1 = sums).
 */
export const COND_ROW_LSE_KERNEL: WgslKernel = defineKernel({
  name: "condRowLse",
  twin: "conditionalRowStats (lib/info/_gram.ts)",
  workgroupSize: [64, 1, 1],
  params: [
    { name: "n", type: "u32" },
    { name: "dx", type: "u32" },
    { name: "dy", type: "u32" },
    { name: "cx", type: "f32" },
    { name: "cy", type: "f32" },
    ...TILE_PARAMS,
  ],
  buffers: [
    { name: "x", access: "read", type: "f32" },
    { name: "y", access: "read", type: "f32" },
    { name: "yh", access: "read", type: "f32" },
    { name: "out", access: "read_write", type: "f32" },
  ],
  body: `${sqdist("dxx", "x", "x", "params.dx")}${sqdist("dyy", "y", "y", "params.dy")}${
    sqdist("dhh", "yh", "yh", "params.dy")
  }${sqdist("dhy", "yh", "y", "params.dy")}${KAHAN}
@compute @workgroup_size(WG_X, WG_Y, WG_Z)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
  let j = group_index(wid, nwg) * WG + lid;
  if (j >= params.n) { return; }
  let dx = params.dx;
  let dy = params.dy;
  let o = 12u * j;
  if (params.phase == 0u) {
    var i = params.j0;
    var mc = out[o];
    if (params.init == 1u) { mc = params.cx * dxx(j * dx, i * dx) + params.cy * dhy(j * dy, i * dy); i = i + 1u; }
    for (; i < params.j1; i = i + 1u) {
      mc = max(mc, params.cx * dxx(j * dx, i * dx) + params.cy * dhy(j * dy, i * dy));
    }
    out[o] = mc;
    return;
  }
  let mc = out[o];
  var sS = vec2<f32>(0.0, 0.0);
  var sS2 = vec2<f32>(0.0, 0.0);
  var sA = vec2<f32>(0.0, 0.0);
  var sB = vec2<f32>(0.0, 0.0);
  var sC = vec2<f32>(0.0, 0.0);
  if (params.init == 0u) {
    sS = vec2<f32>(out[o + 1u], out[o + 2u]);
    sS2 = vec2<f32>(out[o + 3u], out[o + 4u]);
    sA = vec2<f32>(out[o + 5u], out[o + 6u]);
    sB = vec2<f32>(out[o + 7u], out[o + 8u]);
    sC = vec2<f32>(out[o + 9u], out[o + 10u]);
  }
  let n = params.n;
  for (var i = params.j0; i < params.j1; i = i + 1u) {
    let tS = params.cx * dxx(j * dx, i * dx);
    sS = kahan(sS, exp(tS), n);
    sS2 = kahan(sS2, exp(2.0 * tS), n);
    sA = kahan(sA, exp(tS + params.cy * dyy(j * dy, i * dy)), n);
    sB = kahan(sB, exp(tS + params.cy * dhh(j * dy, i * dy)), n);
    sC = kahan(sC, exp(tS + params.cy * dhy(j * dy, i * dy) - mc), n);
  }
  out[o + 1u] = sS.x;
  out[o + 2u] = sS.y;
  out[o + 3u] = sS2.x;
  out[o + 4u] = sS2.y;
  out[o + 5u] = sA.x;
  out[o + 6u] = sA.y;
  out[o + 7u] = sB.x;
  out[o + 8u] = sB.y;
  out[o + 9u] = sC.x;
  out[o + 10u] = sC.y;
}`,
});
