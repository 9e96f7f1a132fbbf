/**
 * k-nearest-neighbour mutual information: Kraskov–Stögbauer–Grassberger (KSG, Phys. Rev. E 69, 066138,
 * 2004) estimators 1 and 2 for continuous x, y (card A10), and Ross's estimator (PLoS ONE 9, e87357, 2014)
 * for continuous x with discrete labels (`mutual_info_classif`).
 *
 * Preprocessing follows scikit-learn's `mutual_info_regression`: each column is divided by its standard
 * deviation (ddof 0, no centring), then jitter 1e-10·max(1, mean|v|)·N(0, 1) from a seeded RNG breaks
 * ties. Neighbour search is an exact k-d tree (brute force for N ≤ 256 or d > 16); radii and counts use
 * one arithmetic, so "strictly inside ε" is exact. Unlike scikit-learn, x and y may be multivariate
 * (max-norm within each block) and the raw, unclipped estimate is `value` (`clipped` = max(0, value)).
 *
 * @module
 */

import { resolveOptions } from "../core/validate.ts";
import { assertK, assertSameRows, toLabels, toSamples } from "./_input.ts";
import type { KnnMetric } from "./_kdtree.ts";
import {
  KSG_CONSTRAINTS,
  ksgCountsCpu,
  ksgData,
  ksgResult,
  MIXED_CONSTRAINTS,
  mixedCountsCpu,
  mixedData,
  mixedResult,
} from "./_ksg_steps.ts";
import type { InfoEstimate, LabelLike, SampleLike, Unit } from "./result.ts";

/** Options of {@linkcode ksg}. */
export interface KsgOptions {
  /** Number of neighbours, 1 ≤ k < N. @default 3 (scikit-learn) */
  k: number;
  /** KSG estimator 1 (ε = k-th joint distance, strict counts) or 2 (marginal extents, ≤ counts). @default 1 */
  variant: 1 | 2;
  /** Divide each column by its standard deviation (ddof 0) first, as scikit-learn. @default true */
  standardize: boolean;
  /** Relative jitter amplitude (0 disables it). @default 1e-10 */
  jitter: number;
  /** Seed of the jitter. @default 0 */
  seed: number;
  /** Unit of the result. @default "nats" */
  unit: Unit;
}

/** Defaults of {@linkcode ksg}. */
export const KSG_DEFAULTS: Readonly<KsgOptions> = Object.freeze({
  k: 3,
  variant: 1,
  standardize: true,
  jitter: 1e-10,
  seed: 0,
  unit: "nats",
});

/** Resolved parameters of {@linkcode ksg}. */
export interface KsgParams {
  /** Neighbours. */
  readonly k: number;
  /** Estimator variant. */
  readonly variant: 1 | 2;
  /** Whether columns were divided by their standard deviation. */
  readonly standardize: boolean;
  /** Jitter amplitude. */
  readonly jitter: number;
  /** Jitter seed. */
  readonly seed: number;
  /** Dimensions of x and y. */
  readonly dx: number;
  /** Dimension of y. */
  readonly dy: number;
}

/** Result of {@linkcode ksg}: the raw estimate (can be negative) and its clipped form. */
export interface KsgResult extends InfoEstimate<KsgParams> {
  /** max(0, value), what scikit-learn reports. */
  readonly clipped: number;
}

export { prepareColumns } from "./_ksg_steps.ts";

/**
 * Kraskov–Stögbauer–Grassberger mutual information I(X; Y) (Kraskov et al. 2004; card A10).
 *
 * KSG-1: ε_i = k-th neighbour distance in the joint max-norm, n_x(i) = #{j ≠ i: ‖x_j − x_i‖∞ < ε_i};
 * Î = ψ(k) + ψ(N) − ⟨ψ(n_x + 1) + ψ(n_y + 1)⟩.
 * KSG-2: ε^x_i, ε^y_i = marginal extents of the k-NN set, n_x(i) = #{j ≠ i: ‖x_j − x_i‖∞ ≤ ε^x_i};
 * Î = ψ(k) − 1/k + ψ(N) − ⟨ψ(n_x) + ψ(n_y)⟩.
 * Near-zero bias for independent variables (estimates scatter around 0, hence negative values);
 * underestimates strong dependence in high dimension; for x = y it grows like log N (true MI = ∞).
 *
 * @param x N×dx samples (a vector is N×1)
 * @param y N×dy samples
 * @param options `k` (3), `variant` (1), `standardize` (true), `jitter` (1e-10), `seed` (0), `unit`
 * @returns raw estimate `value`, `clipped` = max(0, value), resolved params
 * @throws {ParsimonyError} for N < 2, mismatched rows, non-finite values, k ∉ [1, N)
 * @example
 * ```ts
 * import { ksg } from "@parsimony/parsimony/info";
 * import { Rng } from "@parsimony/parsimony/core";
 * const r = new Rng(1);
 * const x = r.normalArray(2000);
 * const y = x.map((v) => 0.6 * v + 0.8 * r.normal());
 * ksg(x, y).value; // ≈ 0.223 (truth −½ log(1 − 0.36) = 0.2231)
 * ```
 */
export function ksg(x: SampleLike, y: SampleLike, options: Partial<KsgOptions> = {}): KsgResult {
  const fn = "ksg";
  const opts = resolveOptions(fn, KSG_DEFAULTS, options, KSG_CONSTRAINTS);
  const X = toSamples(x, fn, "x");
  const Y = toSamples(y, fn, "y");
  assertSameRows(X, Y, fn, "x", "y");
  const n = X.rows, k = opts.k;
  assertK(k, n - 1, fn);
  const p = ksgData(X, Y, opts);
  const { nx, ny } = ksgCountsCpu(p);
  return ksgResult(p, nx, ny, opts);
}

/** Options of {@linkcode mixedKsg}. */
export interface MixedKsgOptions {
  /** Neighbours (per class, capped at N_c − 1). @default 3 */
  k: number;
  /** Norm of the continuous space (identical in 1-D). @default "max" */
  metric: KnnMetric;
  /** Divide each column of x by its standard deviation first. @default true */
  standardize: boolean;
  /** Relative jitter amplitude on x (0 disables it). @default 1e-10 */
  jitter: number;
  /** Seed of the jitter. @default 0 */
  seed: number;
  /** Unit of the result. @default "nats" */
  unit: Unit;
}

/** Defaults of {@linkcode mixedKsg}. */
export const MIXED_KSG_DEFAULTS: Readonly<MixedKsgOptions> = Object.freeze({
  k: 3,
  metric: "max",
  standardize: true,
  jitter: 1e-10,
  seed: 0,
  unit: "nats",
});

/** Resolved parameters of {@linkcode mixedKsg}. */
export interface MixedKsgParams {
  /** Requested neighbours. */
  readonly k: number;
  /** Norm. */
  readonly metric: KnnMetric;
  /** Standardised? */
  readonly standardize: boolean;
  /** Jitter amplitude. */
  readonly jitter: number;
  /** Jitter seed. */
  readonly seed: number;
  /** Number of classes. */
  readonly classes: number;
  /** Samples dropped because their class has a single member. */
  readonly singletons: number;
}

/** Result of {@linkcode mixedKsg}. */
export interface MixedKsgResult extends InfoEstimate<MixedKsgParams> {
  /** max(0, value), what scikit-learn reports. */
  readonly clipped: number;
}

/**
 * Mutual information between continuous x and discrete labels (Ross 2014; card A10, =
 * scikit-learn `mutual_info_classif`): per class c with N_c > 1, k_i = min(k, N_c − 1), r_i = distance
 * to the k_i-th same-class neighbour, m_i = #{all points within r_i strictly} (self included);
 * Î = ψ(N') + ⟨ψ(k_i)⟩ − ⟨ψ(N_{c_i})⟩ − ⟨ψ(m_i)⟩ over the N' points of non-singleton classes.
 *
 * @param x N×d continuous samples
 * @param labels N class labels (numbers or strings)
 * @param options `k` (3), `metric` ("max"), `standardize`, `jitter`, `seed`, `unit`
 * @returns raw estimate, `clipped` = max(0, value), params
 * @throws {ParsimonyError} for N < 2, mismatched lengths, non-finite values, k < 1, no class with 2 members
 * @example
 * ```ts
 * import { mixedKsg } from "@parsimony/parsimony/info";
 * mixedKsg([0.1, 0.2, 0.3, 5.1, 5.2, 5.3], [0, 0, 0, 1, 1, 1], { k: 2 }).value; // => 0.7833… (labels fixed by x: log 2 = 0.693 plus small-N bias)
 * ```
 */
export function mixedKsg(
  x: SampleLike,
  labels: LabelLike,
  options: Partial<MixedKsgOptions> = {},
): MixedKsgResult {
  const fn = "mixedKsg";
  const opts = resolveOptions(fn, MIXED_KSG_DEFAULTS, options, MIXED_CONSTRAINTS);
  const X = toSamples(x, fn, "x");
  const lab = toLabels(labels, fn, "labels", X.rows);
  const p = mixedData(fn, X, lab, opts);
  return mixedResult(p, mixedCountsCpu(p, opts.metric), opts);
}
