/**
 * Cauchy–Schwarz divergence estimators (Yu, Yu, Løkse, Jenssen & Príncipe, "Cauchy–Schwarz Divergence
 * Information Bottleneck for Regression", ICLR 2024): the two-sample divergence (card A1), the CS
 * quadratic mutual information and its normalised form (A2, Proposition 2), and the conditional CS
 * divergence used as the prediction term (A3, Proposition 1).
 *
 * All use the unnormalised Gaussian kernel κ_σ(a, b) = exp(−‖a − b‖²/(2σ²)); normalising constants
 * cancel in every log-ratio. Gram matrices are reduced one block of rows at a time, so memory is
 * O(N·block), never N×N. These plug-in estimators converge to the CS divergence of the densities
 * smoothed by N(0, σ²/2·I), not of the densities themselves (card T3), and I_CS is not Shannon MI.
 *
 * @module
 */

import { DomainError } from "../core/errors.ts";
import type { Matrix } from "../core/matrix.ts";
import { sum } from "../core/reduce.ts";
import { type ConstraintTable, resolveOptions } from "../core/validate.ts";
import {
  COND_CONSTRAINTS,
  csConditionalInputs,
  csConditionalResult,
  CSD_CONSTRAINTS,
  csDivergenceInputs,
  csDivergenceResult,
} from "./_cs_steps.ts";
import { conditionalRowStats, logGramSum, pairRowStats } from "./_gram.ts";
import { assertSameRows, toSamples } from "./_input.ts";
import { type KernelWidthRule, resolveWidth } from "./kernel_width.ts";
import { fromNats, type InfoEstimate, type SampleLike, type Unit, UNITS } from "./result.ts";

// ---------------------------------------------------------------------------------------------
// A1: two-sample CS divergence

/** Options of {@linkcode csDivergence}. */
export interface CsDivergenceOptions {
  /** Kernel width σ > 0 or a rule (resolved on the pooled samples). @default 1 */
  sigma: KernelWidthRule;
  /** Unit of the result. @default "nats" */
  unit: Unit;
}

/** Defaults of {@linkcode csDivergence}. */
export const CS_DIVERGENCE_DEFAULTS: Readonly<CsDivergenceOptions> = Object.freeze({ sigma: 1, unit: "nats" });

/** Resolved parameters of {@linkcode csDivergence}. */
export interface CsDivergenceParams {
  /** Kernel width used. */
  readonly sigma: number;
  /** The rule it came from (a number when fixed). */
  readonly sigmaRule: KernelWidthRule;
  /** Sample sizes M (of a) and N (of b). */
  readonly m: number;
  /** log of the V-statistic (1/M²) Σ κ(a_i, a_j), nats. */
  readonly logPp: number;
  /** log (1/N²) Σ κ(b_i, b_j), nats. */
  readonly logQq: number;
  /** log (1/(MN)) Σ κ(a_i, b_j), nats (log-domain, finite even when every cross kernel underflows). */
  readonly logPq: number;
}

/**
 * Two-sample Cauchy–Schwarz divergence (Yu et al. 2024, card A1):
 * D̂_CS = log((1/M²)Σκ(a_i,a_j)) + log((1/N²)Σκ(b_i,b_j)) − 2 log((1/(MN))Σκ(a_i,b_j)) ≥ 0.
 *
 * V-statistics (diagonal included); the cross term is a log-sum-exp of −‖a_i − b_j‖²/(2σ²), so far-apart
 * samples give a large finite value instead of log 0. O((M+N)² d) time, O((M+N)·block) memory.
 *
 * @param a M×d samples of p (a vector is M×1)
 * @param b N×d samples of q, same d
 * @param options `sigma` (default 1), `unit` (default nats)
 * @returns the divergence with the resolved σ and the three log terms
 * @throws {ParsimonyError} for fewer than 2 samples, mismatched columns, non-finite values, σ ≤ 0
 * @example
 * ```ts
 * import { csDivergence } from "@parsimony/parsimony/info";
 * csDivergence([0, 1, 2], [0.5, 2.5]).value; // => 0.1475983784… (card oracle O6)
 * ```
 */
export function csDivergence(
  a: SampleLike,
  b: SampleLike,
  options: Partial<CsDivergenceOptions> = {},
): InfoEstimate<CsDivergenceParams> {
  const fn = "csDivergence";
  const opts = resolveOptions(fn, CS_DIVERGENCE_DEFAULTS, options, CSD_CONSTRAINTS);
  const { A, B, sigma } = csDivergenceInputs(fn, a, b, opts.sigma);
  return csDivergenceResult(
    opts,
    A,
    B,
    sigma,
    logGramSum(A, A, sigma),
    logGramSum(B, B, sigma),
    logGramSum(A, B, sigma),
  );
}

// ---------------------------------------------------------------------------------------------
// A2: CS quadratic mutual information

/** Options of {@linkcode csQmi} and {@linkcode csQmiNormalized}. */
export interface CsQmiOptions {
  /** Kernel width of x (σ > 0 or a rule resolved on x). @default 1 */
  sigmaX: KernelWidthRule;
  /** Kernel width of t (σ > 0 or a rule resolved on t). @default 1 */
  sigmaT: KernelWidthRule;
  /** Unit of the result. @default "nats" */
  unit: Unit;
}

/** Defaults of {@linkcode csQmi}: σ = 1 for both kernels, as the released CS-IB code. */
export const CS_QMI_DEFAULTS: Readonly<CsQmiOptions> = Object.freeze({ sigmaX: 1, sigmaT: 1, unit: "nats" });

const QMI_CONSTRAINTS: ConstraintTable<CsQmiOptions> = {
  sigmaX: { kind: "any" },
  sigmaT: { kind: "any" },
  unit: { kind: "enum", values: UNITS },
};

/** Resolved parameters of {@linkcode csQmi}. */
export interface CsQmiParams {
  /** Kernel width of x. */
  readonly sigmaX: number;
  /** Kernel width of t. */
  readonly sigmaT: number;
  /** A = tr(KQ)/N² = ‖μ_xt‖² (card T4). */
  readonly a: number;
  /** B = (1ᵀK1)(1ᵀQ1)/N⁴ = ‖μ_x ⊗ μ_t‖². */
  readonly b: number;
  /** C = 1ᵀKQ1/N³ = ⟨μ_xt, μ_x ⊗ μ_t⟩. */
  readonly c: number;
  /** Biased HSIC = A + B − 2C = tr(KHQH)/N² (card T4), in kernel units (not an information quantity). */
  readonly hsic: number;
}

const QMI_PARSE = (fn: string, x: SampleLike, t: SampleLike, options: Partial<CsQmiOptions>) => {
  const opts = resolveOptions(fn, CS_QMI_DEFAULTS, options, QMI_CONSTRAINTS);
  const X = toSamples(x, fn, "x");
  const T = toSamples(t, fn, "t");
  assertSameRows(X, T, fn, "x", "t");
  const sx = resolveWidth(X, opts.sigmaX, fn, "options.sigmaX");
  const st = resolveWidth(T, opts.sigmaT, fn, "options.sigmaT");
  return { opts, X, T, sx, st };
};

/** CS-QMI in nats with its A, B, C; inputs trusted. */
function qmiNats(X: Matrix, sx: number, T: Matrix, st: number): { value: number; a: number; b: number; c: number } {
  const N = X.rows;
  const { kr, qr, h } = pairRowStats(X, sx, T, st);
  const prod = new Float64Array(N);
  for (let i = 0; i < N; i++) prod[i] = kr[i] * qr[i];
  const a = sum(h) / (N * N);
  const b = (sum(kr) / (N * N)) * (sum(qr) / (N * N));
  const c = sum(prod) / (N * N * N);
  // Cauchy–Schwarz makes C² ≤ AB; clamp the rounding-level negatives to 0.
  const value = Math.max(0, Math.log(a) + Math.log(b) - 2 * Math.log(c));
  return { value, a, b, c };
}

/**
 * Cauchy–Schwarz quadratic mutual information (Yu et al. 2024, Proposition 2; card A2):
 * Î_CS = log A + log B − 2 log C with A = tr(KQ)/N², B = (1ᵀK1)(1ᵀQ1)/N⁴, C = 1ᵀKQ1/N³,
 * K = κ_σx(x, x), Q = κ_σt(t, t). Î_CS = D_CS(p_xt; p_x p_t) ≥ 0, symmetric in (x, t), 0 when t is
 * constant. It is not Shannon MI: for a bivariate Gaussian with ρ = 0.6 the population value is
 * 0.1288 nats against I = 0.2231 (card §1).
 *
 * @param x N×dx samples
 * @param t N×dt samples (same N)
 * @param options `sigmaX`, `sigmaT` (default 1), `unit` (default nats)
 * @returns the estimate; `params` holds σx, σt, A, B, C and the biased HSIC A + B − 2C
 * @throws {ParsimonyError} for N < 2, mismatched rows, non-finite values, σ ≤ 0
 * @example
 * ```ts
 * import { csQmi } from "@parsimony/parsimony/info";
 * csQmi([0, 1, 2, 3], [0, 0, 0, 0]).value; // => 0 (t constant)
 * ```
 */
export function csQmi(x: SampleLike, t: SampleLike, options: Partial<CsQmiOptions> = {}): InfoEstimate<CsQmiParams> {
  const { opts, X, T, sx, st } = QMI_PARSE("csQmi", x, t, options);
  const r = qmiNats(X, sx, T, st);
  return {
    value: fromNats(r.value, opts.unit),
    unit: opts.unit,
    n: X.rows,
    params: { sigmaX: sx, sigmaT: st, a: r.a, b: r.b, c: r.c, hsic: r.a + r.b - 2 * r.c },
  };
}

/** Resolved parameters of {@linkcode csQmiNormalized}. */
export interface CsQmiNormalizedParams {
  /** Kernel width of x. */
  readonly sigmaX: number;
  /** Kernel width of t. */
  readonly sigmaT: number;
  /** Î_CS(x; t) in the result's unit. */
  readonly xt: number;
  /** Î_CS(x; x) (both kernels σx) in the result's unit. */
  readonly xx: number;
  /** Î_CS(t; t) (both kernels σt) in the result's unit. */
  readonly tt: number;
}

/**
 * Normalised CS-QMI of the released CS-IB training script (card A2):
 * Ĩ = Î_CS(x; t) / √(Î_CS(x; x) · Î_CS(t; t)), in [0, 1] in practice. The ratio has no unit (it is
 * the same in nats and bits); `unit` applies to the three terms in `params`.
 *
 * @param x N×dx samples
 * @param t N×dt samples
 * @param options `sigmaX`, `sigmaT` (default 1), `unit`
 * @returns the ratio, with the three CS-QMI terms in `params`
 * @throws {ParsimonyError} as {@linkcode csQmi}; also when x or t is constant (Î_CS(x; x) = 0)
 * @example
 * ```ts
 * import { csQmiNormalized } from "@parsimony/parsimony/info";
 * csQmiNormalized([0, 1, 2, 3], [0, 1, 2, 3]).value; // => 1
 * ```
 */
export function csQmiNormalized(
  x: SampleLike,
  t: SampleLike,
  options: Partial<CsQmiOptions> = {},
): InfoEstimate<CsQmiNormalizedParams> {
  const fn = "csQmiNormalized";
  const { opts, X, T, sx, st } = QMI_PARSE(fn, x, t, options);
  const xt = qmiNats(X, sx, T, st).value;
  const xx = qmiNats(X, sx, X, sx).value;
  const tt = qmiNats(T, st, T, st).value;
  if (!(xx > 0)) {
    throw new DomainError({ fn, arg: "x", expected: "non-constant samples (Î_CS(x; x) > 0)", got: "Î_CS(x; x) = 0" });
  }
  if (!(tt > 0)) {
    throw new DomainError({ fn, arg: "t", expected: "non-constant samples (Î_CS(t; t) > 0)", got: "Î_CS(t; t) = 0" });
  }
  return {
    value: xt / Math.sqrt(xx * tt),
    unit: opts.unit,
    n: X.rows,
    params: {
      sigmaX: sx,
      sigmaT: st,
      xt: fromNats(xt, opts.unit),
      xx: fromNats(xx, opts.unit),
      tt: fromNats(tt, opts.unit),
    },
  };
}

// ---------------------------------------------------------------------------------------------
// A3: conditional CS divergence

/** Which denominator the conditional CS estimator uses. */
export type CsConditionalVariant = "paper" | "released-code";

/** Options of {@linkcode csConditional}. */
export interface CsConditionalOptions {
  /** Kernel width of x (σ > 0 or a rule resolved on x). @default 1 */
  sigmaX: KernelWidthRule;
  /** Kernel width of y and ŷ (σ > 0 or a rule resolved on y). @default 1 */
  sigmaY: KernelWidthRule;
  /**
   * `"paper"`: denominators s_j² = (Σ_i K_ji)² (Proposition 1, slides); `"released-code"`: Σ_i K_ji²
   * as `loss_cs.CS_Div`. @default "paper"
   */
  variant: CsConditionalVariant;
  /** Unit of the result. @default "nats" */
  unit: Unit;
}

/** Defaults of {@linkcode csConditional}. */
export const CS_CONDITIONAL_DEFAULTS: Readonly<CsConditionalOptions> = Object.freeze({
  sigmaX: 1,
  sigmaY: 1,
  variant: "paper",
  unit: "nats",
});

/** Resolved parameters of {@linkcode csConditional}. */
export interface CsConditionalParams {
  /** Kernel width of x. */
  readonly sigmaX: number;
  /** Kernel width of y and ŷ. */
  readonly sigmaY: number;
  /** Denominator variant. */
  readonly variant: CsConditionalVariant;
  /** log A (nats), A = Σ_j (Σ_i K_ji L_ji)/den_j. */
  readonly logA: number;
  /** log B (nats), B = Σ_j (Σ_i K_ji L̂_ji)/den_j. */
  readonly logB: number;
  /** log C (nats), C = Σ_j (Σ_i K_ji L×_ji)/den_j. */
  readonly logC: number;
}

/**
 * Conditional Cauchy–Schwarz divergence D_CS(p(y|x); q(ŷ|x)) (Yu et al. 2024, Proposition 1; card A3),
 * the CS-IB prediction term: D̂ = log A + log B − 2 log C with
 * A = Σ_j (Σ_i K_ji L_ji)/s_j², B = Σ_j (Σ_i K_ji L̂_ji)/s_j², C = Σ_j (Σ_i K_ji L×_ji)/s_j²,
 * K = κ_σx(x, x), L = κ_σy(y, y), L̂ = κ_σy(ŷ, ŷ), L×_ji = κ_σy(ŷ_j, y_i), s_j = Σ_i K_ji.
 *
 * D̂ = 0 exactly when ŷ = y; D̂ can be negative (it is a plug-in estimate, not a divergence); as σx → 0
 * it tends to the correntropy loss −2 log((1/N) Σ_j exp(−(y_j − ŷ_j)²/(2σy²))). Every sum is taken in
 * the log domain, so far-off predictions give a large finite value. The released code divides by
 * Σ_i K_ji² instead of s_j²: `variant: "released-code"`.
 *
 * @param x N×dx inputs
 * @param y N×dy targets
 * @param yHat N×dy predictions
 * @param options `sigmaX`, `sigmaY` (default 1), `variant` (default "paper"), `unit`
 * @returns the estimate with the resolved widths and log A, log B, log C
 * @throws {ParsimonyError} for N < 2, mismatched rows or columns, non-finite values, σ ≤ 0
 * @example
 * ```ts
 * import { csConditional } from "@parsimony/parsimony/info";
 * csConditional([[0], [1], [2]], [1, 2, 3], [1, 2, 3]).value; // => 0
 * ```
 */
export function csConditional(
  x: SampleLike,
  y: SampleLike,
  yHat: SampleLike,
  options: Partial<CsConditionalOptions> = {},
): InfoEstimate<CsConditionalParams> {
  const fn = "csConditional";
  const opts = resolveOptions(fn, CS_CONDITIONAL_DEFAULTS, options, COND_CONSTRAINTS);
  const { X, Y, Yh, sx, sy } = csConditionalInputs(fn, x, y, yHat, opts);
  return csConditionalResult(opts, X.rows, sx, sy, conditionalRowStats(X, sx, Y, Yh, sy));
}
