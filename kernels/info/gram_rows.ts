/**
 * WGSL kernel `gramRowStats` (method card §6.1): streamed Gaussian-Gram row reductions for the CS-QMI
 * estimator. One invocation per row i walks all j, forms K_ij = exp(−‖x_i − x_j‖²/(2σx²)) and
 * Q_ij = exp(−‖t_i − t_j‖²/(2σt²)) on the fly (direct differences, no expansion), and accumulates
 * kr_i = Σ_j K_ij, qr_i = Σ_j Q_ij and h_i = Σ_j K_ij Q_ij with Kahan compensation. Nothing N×N is
 * stored; the host finishes A, B, C in f64. CPU twin: `pairRowStats` (lib/info/_gram.ts).
 *
 * Each dispatch walks the columns j ∈ [j0, j1) and carries the sums and their Kahan compensations in
 * `kr`, `qr`, `h` and `comp` between dispatches (`init` = 1 on the first tile), so the host can keep every
 * invocation under llvmpipe's 65,535-iteration loop limit (lib/info/_tiles.ts); the result is the same as
 * one pass over all j.
 *
 * @module
 */

import { defineKernel, type WgslKernel } from "../_kernel.ts";

/** The Gram-row statistics kernel (workgroup 64). */
export const GRAM_ROW_STATS_KERNEL: WgslKernel = defineKernel({
  name: "gramRowStats",
  twin: "pairRowStats (lib/info/_gram.ts)",
  workgroupSize: [64, 1, 1],
  params: [
    { name: "n", type: "u32" },
    { name: "dx", type: "u32" },
    { name: "dt", type: "u32" },
    { name: "cx", type: "f32" },
    { name: "ct", type: "f32" },
    { name: "j0", type: "u32" },
    { name: "j1", type: "u32" },
    { name: "init", type: "u32" },
  ],
  buffers: [
    { name: "x", access: "read", type: "f32" },
    { name: "t", access: "read", type: "f32" },
    { name: "kr", access: "read_write", type: "f32" },
    { name: "qr", access: "read_write", type: "f32" },
    { name: "h", access: "read_write", type: "f32" },
    { name: "comp", access: "read_write", type: "f32" },
  ],
  body: `
@compute @workgroup_size(WG_X, WG_Y, WG_Z)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
  let i = group_index(wid, nwg) * WG + lid;
  if (i >= params.n) { return; }
  let dx = params.dx;
  let dt = params.dt;
  var sk: f32 = 0.0; var ck: f32 = 0.0;
  var sq: f32 = 0.0; var cq: f32 = 0.0;
  var sh: f32 = 0.0; var chh: f32 = 0.0;
  if (params.init == 0u) {
    sk = kr[i]; sq = qr[i]; sh = h[i];
    ck = comp[3u * i]; cq = comp[3u * i + 1u]; chh = comp[3u * i + 2u];
  }
  for (var j: u32 = params.j0; j < params.j1; j = j + 1u) {
    var d2x: f32 = 0.0;
    for (var c: u32 = 0u; c < dx; c = c + 1u) {
      let v = x[i * dx + c] - x[j * dx + c];
      d2x = d2x + v * v;
    }
    var d2t: f32 = 0.0;
    for (var c: u32 = 0u; c < dt; c = c + 1u) {
      let v = t[i * dt + c] - t[j * dt + c];
      d2t = d2t + v * v;
    }
    let k = exp(d2x * params.cx);
    let q = exp(d2t * params.ct);
    // Kahan: y = term − c; s' = s + y; c = (s' − s) − y
    let yk = k - ck; let tk = opaque(sk + yk, params.n); ck = (tk - sk) - yk; sk = tk;
    let yq = q - cq; let tq = opaque(sq + yq, params.n); cq = (tq - sq) - yq; sq = tq;
    let yh = k * q - chh; let th = opaque(sh + yh, params.n); chh = (th - sh) - yh; sh = th;
  }
  kr[i] = sk;
  qr[i] = sq;
  h[i] = sh;
  comp[3u * i] = ck;
  comp[3u * i + 1u] = cq;
  comp[3u * i + 2u] = chh;
}
`,
});
