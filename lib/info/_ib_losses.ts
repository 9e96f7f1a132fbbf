/**
 * Differentiable (lib/autodiff) forms of the information-bottleneck regularisers used by `trainCsIb`:
 * CS-QMI and its normalised form (card A2), the conditional CS divergence (A3, log domain), the
 * Kolchinsky–Tracey upper bound (A7) with a trainable noise variance, the VIB KL term and the biased
 * HSIC. All in nats; the caller converts. The f64 estimators in `cs.ts`/`kde.ts` are their references
 * (tests compare values). Private to lib/info.
 *
 * @module
 */

import {
  add,
  clamp,
  div,
  exp,
  log,
  logsumexp,
  matmul,
  mean,
  mul,
  reshape,
  square,
  sub,
  sum,
  Tensor,
  transpose,
} from "../autodiff/mod.ts";
import { pairwiseSqDist } from "../core/blas.ts";
import type { Matrix } from "../core/matrix.ts";

/**
 * Squared distances D_ij = ‖a_i − b_j‖² of rank-2 tensors (differentiable): direct differences for one
 * column; for more, ‖a‖² + ‖b‖² − 2abᵀ clamped at 0 (one matmul instead of an N×N×d tensor; the
 * cancellation near 0 only perturbs kernels that are ≈ 1 anyway).
 */
export function sqDist(a: Tensor, b: Tensor): Tensor {
  const [n, d] = a.shape, m = b.shape[0];
  if (d === 1) return square(sub(reshape(a, [n, 1]), reshape(b, [1, m])));
  const ra = sum(square(a), 1, true), rb = reshape(sum(square(b), 1), [1, m]);
  return clamp(sub(add(ra, rb), mul(2, matmul(a, transpose(b)))), 0);
}

/** Constant squared distances of a data matrix (no gradient needed) as a tensor. */
export function sqDistConst(x: Matrix): Tensor {
  const D = pairwiseSqDist(x);
  return new Tensor(D.data, [D.rows, D.cols]);
}

/** CS-QMI Î = log A + log B − 2 log C (nats) from log-Gram matrices given as −D/(2σ²). */
export function csQmiT(logK: Tensor, logQ: Tensor): Tensor {
  const n = logK.shape[0];
  const K = exp(logK), Q = exp(logQ);
  const kr = sum(K, 1), qr = sum(Q, 1);
  const a = div(sum(mul(K, Q)), n * n);
  const b = div(mul(sum(kr), sum(qr)), n ** 4);
  const c = div(sum(mul(kr, qr)), n ** 3);
  return sub(add(log(a), log(b)), mul(2, log(c)));
}

/** Conditional CS divergence (card A3) in the log domain; `paper` divides by (Σ_i K_ji)², else by Σ_i K_ji². */
export function csConditionalT(logK: Tensor, y: Tensor, yHat: Tensor, sigmaY: number, paper: boolean): Tensor {
  const c = -1 / (2 * sigmaY * sigmaY);
  const logL = mul(c, sqDist(y, y));
  const logLh = mul(c, sqDist(yHat, yHat));
  const logLx = mul(c, sqDist(yHat, y)); // [j, i] = κ(ŷ_j, y_i)
  const den = paper ? mul(2, logsumexp(logK, 1)) : logsumexp(mul(2, logK), 1);
  const term = (logM: Tensor) => logsumexp(sub(logsumexp(add(logK, logM), 1), den));
  return sub(add(term(logL), term(logLh)), mul(2, term(logLx)));
}

/** Kolchinsky–Tracey upper bound Î(X; T+Z) = −mean_i log mean_j exp(−D_ij/(2s²)) with s² = exp(logS2). */
export function kdeUpperT(t: Tensor, logS2: Tensor): Tensor {
  const n = t.shape[0];
  const inv = mul(-0.5, exp(mul(-1, logS2)));
  const L = mul(sqDist(t, t), inv);
  return mul(-1, sub(mean(logsumexp(L, 1)), Math.log(n)));
}

/** VIB term: mean over the batch of KL(N(μ, diag e^{logvar}) ‖ N(0, I)) (nats). */
export function vibKlT(mu: Tensor, logvar: Tensor): Tensor {
  const kl = mul(0.5, sum(sub(add(exp(logvar), square(mu)), add(1, logvar)), 1));
  return mean(kl);
}

/** Biased HSIC tr(KHQH)/(N − 1)² from Gram matrices (the HSIC-bottleneck normalisation). */
export function hsicT(K: Tensor, Q: Tensor): Tensor {
  const n = K.shape[0];
  // tr(KHQH) = Σ K∘Q − (2/n) Σ_i kr_i qr_i + (1/n²) ΣK ΣQ
  const kr = sum(K, 1), qr = sum(Q, 1);
  const t1 = sum(mul(K, Q));
  const t2 = mul(2 / n, sum(mul(kr, qr)));
  const t3 = mul(1 / (n * n), mul(sum(K), sum(Q)));
  return div(add(sub(t1, t2), t3), (n - 1) * (n - 1));
}

/** exp(−D/(2σ²)) of a constant or differentiable distance matrix. */
export function gramT(D: Tensor, sigma: number): Tensor {
  return exp(mul(-1 / (2 * sigma * sigma), D));
}

/** Transposed column vector helper. */
export function col(v: Float64Array): Tensor {
  return transpose(new Tensor(Float64Array.from(v), [1, v.length]));
}
