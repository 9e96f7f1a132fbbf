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

import { DomainError } from "../core/errors.ts";
import type { Matrix } from "../core/matrix.ts";
import { Rng } from "../core/rng.ts";
import { type ConstraintTable, resolveOptions } from "../core/validate.ts";
import { assertK, assertSameRows, toLabels, toSamples } from "./_input.ts";
import { countWithin, knn, type KnnMetric } from "./_kdtree.ts";
import { digamma, meanDigamma, nextDown } from "./_special.ts";
import { fromNats, type InfoEstimate, type LabelLike, type SampleLike, type Unit, UNITS } from "./result.ts";

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

const KSG_CONSTRAINTS: ConstraintTable<KsgOptions> = {
  k: { kind: "number", min: 1, integer: true },
  variant: { kind: "enum", values: [1, 2] },
  standardize: { kind: "boolean" },
  jitter: { kind: "number", min: 0 },
  seed: { kind: "number", min: 0, integer: true },
  unit: { kind: "enum", values: UNITS },
};

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

/** Divide columns by their std (ddof 0) and add seeded jitter, as scikit-learn; returns a copy. */
export function prepareColumns(M: Matrix, standardize: boolean, jitter: number, rng: Rng | null): Float64Array {
  const n = M.rows, d = M.cols;
  const out = Float64Array.from(M.data);
  for (let c = 0; c < d; c++) {
    if (standardize) {
      let mean = 0;
      for (let i = 0; i < n; i++) mean += out[i * d + c];
      mean /= n;
      let ss = 0;
      for (let i = 0; i < n; i++) {
        const t = out[i * d + c] - mean;
        ss += t * t;
      }
      const sd = Math.sqrt(ss / n);
      if (sd > 0) { for (let i = 0; i < n; i++) out[i * d + c] /= sd; }
    }
    if (jitter > 0 && rng) {
      let ma = 0;
      for (let i = 0; i < n; i++) ma += Math.abs(out[i * d + c]);
      const amp = jitter * Math.max(1, ma / n);
      for (let i = 0; i < n; i++) out[i * d + c] += amp * rng.normal();
    }
  }
  return out;
}

function concatColumns(a: Float64Array, da: number, b: Float64Array, db: number, n: number): Float64Array {
  const d = da + db, out = new Float64Array(n * d);
  for (let i = 0; i < n; i++) {
    for (let c = 0; c < da; c++) out[i * d + c] = a[i * da + c];
    for (let c = 0; c < db; c++) out[i * d + da + c] = b[i * db + c];
  }
  return out;
}

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
  const rng = opts.jitter > 0 ? new Rng(opts.seed) : null;
  const xd = prepareColumns(X, opts.standardize, opts.jitter, rng);
  const yd = prepareColumns(Y, opts.standardize, opts.jitter, rng);
  const dx = X.cols, dy = Y.cols;
  const joint = concatColumns(xd, dx, yd, dy, n);
  const nb = knn(joint, n, dx + dy, k, "max");
  const rx = new Float64Array(n), ry = new Float64Array(n);
  let value: number;
  if (opts.variant === 1) {
    for (let i = 0; i < n; i++) rx[i] = ry[i] = nextDown(nb.dist[i * k + k - 1]);
    const nx = countWithin(xd, n, dx, rx, "max");
    const ny = countWithin(yd, n, dy, ry, "max");
    // counts include i itself: n_x + 1 = count
    value = digamma(k) + digamma(n) - meanDigamma(nx) - meanDigamma(ny);
  } else {
    for (let i = 0; i < n; i++) {
      let ex = 0, ey = 0;
      for (let m = 0; m < k; m++) {
        const j = nb.idx[i * k + m];
        for (let c = 0; c < dx; c++) {
          const t = xd[j * dx + c] - xd[i * dx + c];
          const a = t < 0 ? -t : t;
          if (a > ex) ex = a;
        }
        for (let c = 0; c < dy; c++) {
          const t = yd[j * dy + c] - yd[i * dy + c];
          const a = t < 0 ? -t : t;
          if (a > ey) ey = a;
        }
      }
      rx[i] = ex;
      ry[i] = ey;
    }
    const nx = countWithin(xd, n, dx, rx, "max");
    const ny = countWithin(yd, n, dy, ry, "max");
    // n_x = count − 1 (self excluded)
    value = digamma(k) - 1 / k + digamma(n) - meanDigamma(nx, -1) - meanDigamma(ny, -1);
  }
  const v = fromNats(value, opts.unit);
  return {
    value: v,
    clipped: Math.max(0, v),
    unit: opts.unit,
    n,
    params: { k, variant: opts.variant, standardize: opts.standardize, jitter: opts.jitter, seed: opts.seed, dx, dy },
  };
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

const MIXED_CONSTRAINTS: ConstraintTable<MixedKsgOptions> = {
  k: { kind: "number", min: 1, integer: true },
  metric: { kind: "enum", values: ["max", "euclidean"] },
  standardize: { kind: "boolean" },
  jitter: { kind: "number", min: 0 },
  seed: { kind: "number", min: 0, integer: true },
  unit: { kind: "enum", values: UNITS },
};

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
  const rng = opts.jitter > 0 ? new Rng(opts.seed) : null;
  const xd = prepareColumns(X, opts.standardize, opts.jitter, rng);
  const d = X.cols, C = lab.counts.length;
  // keep samples of non-singleton classes
  const keep: number[] = [];
  for (let i = 0; i < X.rows; i++) if (lab.counts[lab.codes[i]] > 1) keep.push(i);
  const n = keep.length;
  if (n < 2) {
    throw new DomainError({
      fn,
      arg: "labels",
      expected: "at least one class with two or more samples",
      got: `${C} classes, all singletons`,
    });
  }
  const kept = new Float64Array(n * d);
  for (let p = 0; p < n; p++) kept.set(xd.subarray(keep[p] * d, keep[p] * d + d), p * d);
  const radius = new Float64Array(n), kAll = new Float64Array(n), nc = new Float64Array(n);
  for (let c = 0; c < C; c++) {
    const Nc = lab.counts[c];
    if (Nc < 2) continue;
    const members: number[] = [];
    for (let p = 0; p < n; p++) if (lab.codes[keep[p]] === c) members.push(p);
    const kc = Math.min(opts.k, Nc - 1);
    const sub = new Float64Array(Nc * d);
    for (let q = 0; q < Nc; q++) sub.set(kept.subarray(members[q] * d, members[q] * d + d), q * d);
    const nb = knn(sub, Nc, d, kc, opts.metric);
    for (let q = 0; q < Nc; q++) {
      const p = members[q];
      radius[p] = nextDown(nb.dist[q * kc + kc - 1]);
      kAll[p] = kc;
      nc[p] = Nc;
    }
  }
  const m = countWithin(kept, n, d, radius, opts.metric);
  const value = digamma(n) + meanDigamma(kAll) - meanDigamma(nc) - meanDigamma(m);
  const v = fromNats(value, opts.unit);
  return {
    value: v,
    clipped: Math.max(0, v),
    unit: opts.unit,
    n,
    params: {
      k: opts.k,
      metric: opts.metric,
      standardize: opts.standardize,
      jitter: opts.jitter,
      seed: opts.seed,
      classes: C,
      singletons: X.rows - n,
    },
  };
}
