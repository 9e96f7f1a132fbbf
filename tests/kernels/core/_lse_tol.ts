/**
 * First-order f32 error bound of the online log-sum-exp kernels, evaluated from the f64
 * reference data (u = 2⁻²⁴; WGSL accuracy: exp within 3 + 2|t| ULP, log within 2⁻²¹
 * absolute on [0.5, 2] and 3 ULP elsewhere; one ULP ≤ 2u relative).
 *
 * For one output r = α·LSE_j(L_j) + b with L_j = s·a_j + u_i + v_j:
 * 1. input and affine rounding: |δL_j| ≤ 4u·(|s·a_j| + |u_i| + |v_j|) =: δ; LSE is 1-Lipschitz
 *    in the sup norm, so it moves r/α by ≤ δ_max.
 * 2. each term e^{t_j} (t_j = L_j − m ≤ 0) carries relative error (6 + 5|t_j|)·u (rounding of
 *    t_j, then exp's ULP bound): relative error of the sum ≤ E₁ = u·Σ e^{t}(6 + 5|t|)/Σ e^{t}.
 * 3. the summation: `seq` sequential additions/merges each add ≤ u relative, and every online
 *    rescale s·e^{m_old − m_new} adds ≤ (6 + 5Δ)·u with ΣΔ along any path ≤ R (range of the
 *    finite L): ≤ u·(7·seq + 10·R).
 * 4. log(s): 2⁻²¹ + 6u·|log s|; m + log s: u·|LSE|; epilogue α·r + b: 3u·|α·LSE| + 2u·|b|.
 * The factor 1.01 covers second-order terms.
 */
import { U } from "../../gpu/_gpu.ts";

/** Tolerance for one log-sum-exp output from its (f64) terms L (finite ones; −∞ dropped). */
export function lseTol(L: readonly number[], inputScale: readonly number[], seq: number, alpha = 1, b = 0): number {
  const fin = L.filter((x) => Number.isFinite(x));
  if (fin.length !== L.filter((x) => x !== -Infinity).length || fin.length === 0) return 0; // ±∞ results must match exactly
  const m = Math.max(...fin), lo = Math.min(...fin);
  let s = 0, e1 = 0;
  for (const x of fin) {
    const t = x - m, w = Math.exp(t);
    s += w;
    e1 += w * (6 + 5 * Math.abs(t));
  }
  const delta = 4 * U * Math.max(...inputScale);
  const rel = U * (e1 / s) + U * (7 * seq + 10 * (m - lo));
  const lse = m + Math.log(s);
  const inner = delta + rel + 2 ** -21 + 6 * U * Math.abs(Math.log(s)) + U * Math.abs(lse);
  return 1.01 * (Math.abs(alpha) * inner + 3 * U * Math.abs(alpha * lse) + 2 * U * Math.abs(b));
}
