/**
 * Pairwise-distance KDE bounds on the entropy of a noisy layer T + Z, Z ~ N(0, s²I) (Kolchinsky & Tracey,
 * Entropy 2017; used by Saxe et al. 2018; card A7), and the adaptive-noise version of Chelombiev et al.
 * (ICLR 2019; aKDE, card A8).
 *
 * Upper (KL) bound: Ĥ_up = d/2 + (d/2) log(2πs²) − (1/N) Σ_i log[(1/N) Σ_j exp(−‖t_i − t_j‖²/(2s²))];
 * lower (Bhattacharyya) bound: the same with 8s² inside the exponential. Subtracting H(T + Z | X) =
 * (d/2) log(2πe s²) gives Î(X; T) ∈ [0, log N]; Î(T; Y) = Ĥ(T) − Σ_c p_c Ĥ(T | Y = c) with the same s² and
 * bound type. Row sums are log-sum-exps of streamed Gram rows.
 *
 * @module
 */

import { DomainError } from "../core/errors.ts";
import { Matrix } from "../core/matrix.ts";
import { lseStrided } from "../core/reduce.ts";
import { pairwiseSqDist } from "../core/blas.ts";
import { type ConstraintTable, resolveOptions } from "../core/validate.ts";
import { blockRows } from "./_gram.ts";
import { toLabels, toSamples } from "./_input.ts";
import { fromNats, type InfoEstimate, type LabelLike, type SampleLike, type Unit, UNITS } from "./result.ts";

/** Upper (KL) and lower (Bhattacharyya) bounds of one information quantity. */
export interface KdeBounds {
  /** Kolchinsky–Tracey upper bound. */
  readonly upper: number;
  /** Bhattacharyya lower bound. */
  readonly lower: number;
}

/** Options of {@linkcode kdeMiBounds}. */
export interface KdeMiBoundsOptions {
  /** Noise variance s² of Z ~ N(0, s²I). @default 1e-3 (Saxe et al.'s ibsgd) */
  noiseVariance: number;
  /** Unit. @default "nats" */
  unit: Unit;
}

/** Defaults of {@linkcode kdeMiBounds}. */
export const KDE_MI_BOUNDS_DEFAULTS: Readonly<KdeMiBoundsOptions> = Object.freeze({
  noiseVariance: 1e-3,
  unit: "nats",
});

/** Parameters of the KDE estimates. */
export interface KdeParams {
  /** Noise variance s² used. */
  readonly noiseVariance: number;
  /** Dimension of T. */
  readonly d: number;
}

/** Result of {@linkcode kdeMiBounds}: `value` is the upper bound on I(X; T). */
export interface KdeMiBoundsResult extends InfoEstimate<KdeParams> {
  /** Bounds on I(X; T). */
  readonly ixt: KdeBounds;
  /** Bounds on I(T; Y) when labels were given, else `null`. */
  readonly ity: KdeBounds | null;
  /** Bounds on the differential entropy H(T + Z). */
  readonly hT: KdeBounds;
}

/** −(1/N) Σ_i log[(1/N) Σ_j exp(c·D2_ij)] for rows `idx` (all when null), nats. */
function meanNegLogKernel(T: Matrix, c: number): number {
  const n = T.rows;
  const b = blockRows(n);
  let s = 0;
  for (let i0 = 0; i0 < n; i0 += b) {
    const i1 = Math.min(n, i0 + b);
    const D = pairwiseSqDist(T.rowBlock(i0, i1), T).data;
    for (let p = 0; p < D.length; p++) D[p] *= c;
    for (let r = 0; r < i1 - i0; r++) s += lseStrided(D, r * n, n, 1) - Math.log(n);
  }
  return -s / n;
}

function subset(T: Matrix, codes: Int32Array, c: number, count: number): Matrix {
  const out = new Matrix(count, T.cols);
  let p = 0;
  for (let i = 0; i < T.rows; i++) if (codes[i] === c) out.data.set(T.row(i), T.cols * p++);
  return out;
}

/** KDE bound quantities in nats: I(X;T) upper/lower, H upper/lower, I(T;Y) upper/lower. */
function kdeCore(T: Matrix, s2: number, labels: LabelLike | null, fn: string) {
  const d = T.cols;
  const cUp = -1 / (2 * s2), cLow = -1 / (8 * s2);
  const ixtUp = meanNegLogKernel(T, cUp);
  const ixtLow = meanNegLogKernel(T, cLow);
  const hCond = (d / 2) * Math.log(2 * Math.PI * Math.E * s2);
  let ity: { upper: number; lower: number } | null = null;
  if (labels !== null && labels !== undefined) {
    const lab = toLabels(labels, fn, "labels", T.rows);
    let condUp = 0, condLow = 0;
    for (let c = 0; c < lab.counts.length; c++) {
      const Tc = subset(T, lab.codes, c, lab.counts[c]);
      const p = lab.counts[c] / T.rows;
      condUp += p * meanNegLogKernel(Tc, cUp);
      condLow += p * meanNegLogKernel(Tc, cLow);
    }
    // the (d/2) log(2π s²) + d/2 constants of Ĥ(T) and Ĥ(T|c) cancel
    ity = { upper: ixtUp - condUp, lower: ixtLow - condLow };
  }
  return { ixtUp, ixtLow, hUp: ixtUp + hCond, hLow: ixtLow + hCond, ity };
}

/**
 * Kolchinsky–Tracey pairwise-distance bounds (card A7): upper (KL) and lower (Bhattacharyya) bounds on
 * I(X; T + Z) and I(T + Z; Y) for Gaussian noise Z ~ N(0, s²I) added to a deterministic layer T.
 * Î_up(X; T) = −(1/N) Σ_i log[(1/N) Σ_j exp(−‖t_i − t_j‖²/(2s²))] ∈ [0, log N].
 *
 * @param t N×d layer activations
 * @param labels N class labels for I(T; Y), or `null`
 * @param options `noiseVariance` (1e-3), `unit`
 * @returns `value` = upper bound on I(X; T); `ixt`, `ity`, `hT` bounds
 * @throws {ParsimonyError} for N < 2, non-finite values, noiseVariance ≤ 0, label length mismatch
 * @example
 * ```ts
 * import { kdeMiBounds } from "@parsimony/parsimony/info";
 * kdeMiBounds([[0, 0], [1, 0], [0, 1], [3, 3]], null, { noiseVariance: 0.5 }).value; // => 1.0446283124… (card O7)
 * ```
 */
export function kdeMiBounds(
  t: SampleLike,
  labels: LabelLike | null = null,
  options: Partial<KdeMiBoundsOptions> = {},
): KdeMiBoundsResult {
  const fn = "kdeMiBounds";
  const opts = resolveOptions(fn, KDE_MI_BOUNDS_DEFAULTS, options, {
    noiseVariance: { kind: "number", min: 0, minExclusive: true },
    unit: { kind: "enum", values: UNITS },
  });
  const T = toSamples(t, fn, "t");
  const r = kdeCore(T, opts.noiseVariance, labels, fn);
  const u = opts.unit;
  return {
    value: fromNats(r.ixtUp, u),
    unit: u,
    n: T.rows,
    ixt: { upper: fromNats(r.ixtUp, u), lower: fromNats(r.ixtLow, u) },
    ity: r.ity ? { upper: fromNats(r.ity.upper, u), lower: fromNats(r.ity.lower, u) } : null,
    hT: { upper: fromNats(r.hUp, u), lower: fromNats(r.hLow, u) },
    params: { noiseVariance: opts.noiseVariance, d: T.cols },
  };
}

/** Options of {@linkcode adaptiveKdeMi}. */
export interface AdaptiveKdeOptions {
  /**
   * Noise constant κ: s² = κ·max|T| (`scale: "variance"`) or s = κ·max|T| (`scale: "std"`). Not given in the
   * released code (card A8); 0.1 reduces to the common s² = 0.1 for tanh layers whose max ≈ 1. @default 0.1
   */
  kappa: number;
  /** `"variance"`: noise variance ∝ max|T| (the paper's description); `"std"`: std ∝ max|T| (scale-invariant). @default "variance" */
  scale: "variance" | "std";
  /** Which Kolchinsky–Tracey bound is reported as `value`/`ity`. @default "upper" */
  bound: "upper" | "lower";
  /** Unit (the paper reports bits). @default "nats" */
  unit: Unit;
}

/** Defaults of {@linkcode adaptiveKdeMi}. */
export const ADAPTIVE_KDE_DEFAULTS: Readonly<AdaptiveKdeOptions> = Object.freeze({
  kappa: 0.1,
  scale: "variance",
  bound: "upper",
  unit: "nats",
});

const AKDE_CONSTRAINTS: ConstraintTable<AdaptiveKdeOptions> = {
  kappa: { kind: "number", min: 0, minExclusive: true },
  scale: { kind: "enum", values: ["variance", "std"] },
  bound: { kind: "enum", values: ["upper", "lower"] },
  unit: { kind: "enum", values: UNITS },
};

/** Parameters of {@linkcode adaptiveKdeMi}. */
export interface AdaptiveKdeParams extends KdeParams {
  /** κ. */
  readonly kappa: number;
  /** Scaling rule. */
  readonly scale: "variance" | "std";
  /** Bound reported. */
  readonly bound: "upper" | "lower";
  /** max_{i,k} |T_ik| of this layer at this epoch. */
  readonly maxAbs: number;
}

/** Result of {@linkcode adaptiveKdeMi}: `value` = I(X; T) (chosen bound). */
export interface AdaptiveKdeResult extends InfoEstimate<AdaptiveKdeParams> {
  /** I(T; Y) (chosen bound) when labels were given, else `null`. */
  readonly ity: number | null;
}

/**
 * Adaptive KDE (aKDE) information-plane point (Chelombiev et al. 2019; card A8): the Kolchinsky–Tracey
 * bound with the noise scaled to the layer's activity range at that epoch, s² = κ·max|T| (or s = κ·max|T|).
 * The exact form and κ are not in the released code (flagged [recalled] in the card); κ is exposed.
 *
 * @param t N×d activations of one layer at one epoch
 * @param labels N class labels for I(T; Y), or `null`
 * @param options `kappa` (0.1), `scale` ("variance"), `bound` ("upper"), `unit`
 * @returns I(X; T), I(T; Y) and the resolved noise variance
 * @throws {ParsimonyError} for bad shapes, non-finite values, κ ≤ 0, an all-zero layer (max|T| = 0)
 * @example
 * ```ts
 * import { adaptiveKdeMi } from "@parsimony/parsimony/info";
 * const r = adaptiveKdeMi([[0.1], [0.9], [-0.5], [0.3]], [0, 1, 0, 1]);
 * r.params.noiseVariance; // ≈ 0.09 (0.1 × 0.9)
 * ```
 */
export function adaptiveKdeMi(
  t: SampleLike,
  labels: LabelLike | null = null,
  options: Partial<AdaptiveKdeOptions> = {},
): AdaptiveKdeResult {
  const fn = "adaptiveKdeMi";
  const opts = resolveOptions(fn, ADAPTIVE_KDE_DEFAULTS, options, AKDE_CONSTRAINTS);
  const T = toSamples(t, fn, "t");
  let maxAbs = 0;
  for (let i = 0; i < T.data.length; i++) maxAbs = Math.max(maxAbs, Math.abs(T.data[i]));
  if (!(maxAbs > 0)) {
    throw new DomainError({
      fn,
      arg: "t",
      expected: "a layer with some nonzero activation (noise ∝ max|T|)",
      got: "max|T| = 0",
    });
  }
  const s2 = opts.scale === "variance" ? opts.kappa * maxAbs : (opts.kappa * maxAbs) ** 2;
  const r = kdeCore(T, s2, labels, fn);
  const u = opts.unit, up = opts.bound === "upper";
  return {
    value: fromNats(up ? r.ixtUp : r.ixtLow, u),
    unit: u,
    n: T.rows,
    ity: r.ity ? fromNats(up ? r.ity.upper : r.ity.lower, u) : null,
    params: { noiseVariance: s2, d: T.cols, kappa: opts.kappa, scale: opts.scale, bound: opts.bound, maxAbs },
  };
}
