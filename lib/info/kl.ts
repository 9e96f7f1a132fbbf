/**
 * Kozachenko–Leonenko k-nearest-neighbour differential entropy (Kozachenko & Leonenko 1987; card A11),
 * its weighted form (Berrett, Samworth & Yuan, Ann. Statist. 2019), and the entropy-difference mutual
 * information Î = ĥ(X) + ĥ(Y) − ĥ(X, Y) with per-block whitening used by Butakov et al. (ICLR 2024).
 *
 * ĥ = ψ(N) − ψ(k) + log V_d + (d/N) Σ_i log r_{i,k}, r_{i,k} the distance from x_i to its k-th
 * neighbour, V_d the unit-ball volume (π^{d/2}/Γ(d/2 + 1) Euclidean, 2^d max-norm). Exact duplicate rows
 * give r = 0 and ĥ = −∞: they are dropped (and counted) or rejected.
 *
 * @module
 */

import { DomainError } from "../core/errors.ts";
import { eigSym, pinv } from "../core/linalg.ts";
import { Matrix } from "../core/matrix.ts";
import { type ConstraintTable, resolveOptions } from "../core/validate.ts";
import { assertK, assertSameRows, toLabels, toSamples } from "./_input.ts";
import { knn, type KnnMetric } from "./_kdtree.ts";
import { digamma, gammaln, logUnitBall } from "./_special.ts";
import { fromNats, type InfoEstimate, type LabelLike, type SampleLike, type Unit, UNITS } from "./result.ts";

/** What to do with exact duplicate rows (zero neighbour distances). */
export type DuplicatePolicy = "drop" | "error";

/** Options of {@linkcode klEntropy}. */
export interface KlEntropyOptions {
  /** Neighbour order, 1 ≤ k < N. @default 3 */
  k: number;
  /** Norm (Euclidean or max-norm, with the matching unit-ball volume). @default "euclidean" */
  metric: KnnMetric;
  /** Berrett–Samworth–Yuan weighted estimator Σ_j w_j ĥ_j over j = 1..k. @default false */
  weighted: boolean;
  /** Whiten first (z = (v − mean)Σ̂^{−1/2}, ĥ(v) = ĥ(z) + ½ log det Σ̂). @default false */
  whiten: boolean;
  /** Exact duplicate rows: drop all but one (`params.duplicatesDropped`) or throw. @default "drop" */
  duplicates: DuplicatePolicy;
  /** Unit of the result. @default "nats" */
  unit: Unit;
}

/** Defaults of {@linkcode klEntropy}. */
export const KL_ENTROPY_DEFAULTS: Readonly<KlEntropyOptions> = Object.freeze({
  k: 3,
  metric: "euclidean",
  weighted: false,
  whiten: false,
  duplicates: "drop",
  unit: "nats",
});

const KL_CONSTRAINTS: ConstraintTable<KlEntropyOptions> = {
  k: { kind: "number", min: 1, integer: true },
  metric: { kind: "enum", values: ["euclidean", "max"] },
  weighted: { kind: "boolean" },
  whiten: { kind: "boolean" },
  duplicates: { kind: "enum", values: ["drop", "error"] },
  unit: { kind: "enum", values: UNITS },
};

/** Resolved parameters of {@linkcode klEntropy}. */
export interface KlEntropyParams {
  /** Neighbour order. */
  readonly k: number;
  /** Norm. */
  readonly metric: KnnMetric;
  /** Dimension. */
  readonly d: number;
  /** Weighted estimator? */
  readonly weighted: boolean;
  /** Weights w_1..w_k (a single 1 at k when unweighted). */
  readonly weights: Float64Array;
  /** Whitened? */
  readonly whiten: boolean;
  /** ½ log det Σ̂ added back after whitening (0 without whitening), nats. */
  readonly halfLogDet: number;
  /** Duplicate rows removed. */
  readonly duplicatesDropped: number;
}

/**
 * Kozachenko–Leonenko differential entropy ĥ(X) (card A11):
 * ĥ = ψ(N) − ψ(k) + log V_d + (d/N) Σ_i log r_{i,k}; weighted form ĥ_w = Σ_j w_j ĥ_j with Σ_j w_j = 1 and
 * Σ_j w_j Γ(j + 2l/d)/Γ(j) = 0 for l = 1..⌊d/4⌋ (minimum-norm weights; for d < 4 this is the mean of
 * ĥ_1..ĥ_k). Consistent; root-N efficient unweighted only for d ≤ 3.
 *
 * @param x N×d samples (a vector is N×1)
 * @param options `k` (3), `metric` ("euclidean"), `weighted`, `whiten`, `duplicates` ("drop"), `unit`
 * @returns the entropy estimate with resolved parameters
 * @throws {ParsimonyError} for N < 2 (after dropping duplicates), non-finite values, k ∉ [1, N), duplicates
 * with `duplicates: "error"`, a singular covariance with `whiten`
 * @example
 * ```ts
 * import { klEntropy } from "@parsimony/parsimony/info";
 * import { Rng } from "@parsimony/parsimony/core";
 * klEntropy(new Rng(0).normalArray(2000)).value; // ≈ 1.419 (½ log(2πe))
 * ```
 */
export function klEntropy(x: SampleLike, options: Partial<KlEntropyOptions> = {}): InfoEstimate<KlEntropyParams> {
  const fn = "klEntropy";
  const opts = resolveOptions(fn, KL_ENTROPY_DEFAULTS, options, KL_CONSTRAINTS);
  const X = toSamples(x, fn, "x");
  const r = entropyNats(X, opts, fn, "x");
  return { value: fromNats(r.value, opts.unit), unit: opts.unit, n: r.n, params: r.params };
}

interface EntropyCore {
  value: number;
  n: number;
  params: KlEntropyParams;
}

/** ĥ in nats for a validated matrix. */
function entropyNats(X0: Matrix, opts: Readonly<KlEntropyOptions>, fn: string, arg: string): EntropyCore {
  let X = X0;
  let dropped = 0;
  const uniq = uniqueRows(X);
  if (uniq.rows !== X.rows) {
    if (opts.duplicates === "error") {
      throw new DomainError({
        fn,
        arg,
        expected: "distinct rows (zero neighbour distances make ĥ = −∞)",
        got: `${X.rows - uniq.rows} duplicate rows`,
        hint: 'Use duplicates: "drop", or add noise',
      });
    }
    dropped = X.rows - uniq.rows;
    X = uniq;
  }
  const n = X.rows, d = X.cols, k = opts.k;
  if (n < 2) throw new DomainError({ fn, arg, expected: "at least 2 distinct samples", got: `${n}` });
  assertK(k, n - 1, fn);
  let halfLogDet = 0;
  if (opts.whiten) {
    const w = whiten(X, fn, arg);
    X = w.Z;
    halfLogDet = w.halfLogDet;
  }
  const nb = knn(X.data, n, d, k, opts.metric);
  const logVd = logUnitBall(d, opts.metric);
  const sq = opts.metric === "euclidean" ? 0.5 : 1; // Euclidean distances come squared
  const weights = opts.weighted ? klWeights(k, d) : unitWeight(k);
  // ĥ_j for each j with nonzero weight
  let h = 0;
  for (let j = 1; j <= k; j++) {
    const w = weights[j - 1];
    if (w === 0) continue;
    let s = 0, c = 0;
    for (let i = 0; i < n; i++) {
      const v = sq * Math.log(nb.dist[i * k + j - 1]);
      const t = s + v;
      c += Math.abs(s) >= Math.abs(v) ? (s - t) + v : (v - t) + s;
      s = t;
    }
    const hj = digamma(n) - digamma(j) + logVd + (d / n) * (s + c);
    h += w * hj;
  }
  return {
    value: h + halfLogDet,
    n,
    params: {
      k,
      metric: opts.metric,
      d,
      weighted: opts.weighted,
      weights,
      whiten: opts.whiten,
      halfLogDet,
      duplicatesDropped: dropped,
    },
  };
}

function unitWeight(k: number): Float64Array {
  const w = new Float64Array(k);
  w[k - 1] = 1;
  return w;
}

/**
 * Weights of the weighted KL estimator (Berrett et al. 2019): the minimum-norm w ∈ R^k with Σ w_j = 1 and
 * Σ_j w_j Γ(j + 2l/d)/Γ(j) = 0, l = 1..⌊d/4⌋ (least squares when infeasible).
 */
export function klWeights(k: number, d: number): Float64Array {
  const L = Math.floor(d / 4);
  const A = new Matrix(L + 1, k);
  const b = new Float64Array(L + 1);
  b[0] = 1;
  for (let j = 1; j <= k; j++) {
    A.set(0, j - 1, 1);
    for (let l = 1; l <= L; l++) A.set(l, j - 1, Math.exp(gammaln(j + (2 * l) / d) - gammaln(j)));
  }
  const P = pinv(A);
  const w = new Float64Array(k);
  for (let j = 0; j < k; j++) {
    let s = 0;
    for (let l = 0; l <= L; l++) s += P.get(j, l) * b[l];
    w[j] = s;
  }
  return w;
}

/** Remove exact duplicate rows (keeps first occurrences, in order). */
function uniqueRows(X: Matrix): Matrix {
  const seen = new Set<string>();
  const keep: number[] = [];
  const d = X.cols;
  for (let i = 0; i < X.rows; i++) {
    const key = d === 1 ? String(X.data[i]) : Array.prototype.join.call(X.row(i), ",");
    if (!seen.has(key)) {
      seen.add(key);
      keep.push(i);
    }
  }
  if (keep.length === X.rows) return X;
  const out = new Matrix(keep.length, d);
  for (let p = 0; p < keep.length; p++) out.data.set(X.row(keep[p]), p * d);
  return out;
}

/** Whitening z = (v − mean)·Σ̂^{−1/2} (symmetric inverse square root, ddof 1) and ½ log det Σ̂. */
export function whiten(X: Matrix, fn: string, arg: string): { Z: Matrix; halfLogDet: number } {
  const n = X.rows, d = X.cols;
  const mean = new Float64Array(d);
  for (let i = 0; i < n; i++) for (let c = 0; c < d; c++) mean[c] += X.data[i * d + c];
  for (let c = 0; c < d; c++) mean[c] /= n;
  const S = new Matrix(d, d);
  for (let i = 0; i < n; i++) {
    for (let a = 0; a < d; a++) {
      const va = X.data[i * d + a] - mean[a];
      for (let b = a; b < d; b++) S.data[a * d + b] += va * (X.data[i * d + b] - mean[b]);
    }
  }
  for (let a = 0; a < d; a++) {
    for (let b = a; b < d; b++) {
      S.data[a * d + b] /= n - 1;
      S.data[b * d + a] = S.data[a * d + b];
    }
  }
  const { values, vectors } = eigSym(S);
  const tol = 1e-12 * Math.max(...values.map(Math.abs));
  let halfLogDet = 0;
  for (let c = 0; c < d; c++) {
    if (!(values[c] > tol)) {
      throw new DomainError({
        fn,
        arg,
        expected: "a non-singular sample covariance to whiten",
        got: `eigenvalue ${values[c]}`,
        hint: "Reduce the dimension (e.g. PCA to the intrinsic dimension) or add noise",
      });
    }
    halfLogDet += 0.5 * Math.log(values[c]);
  }
  // W = Q diag(λ^{-1/2}) Qᵀ
  const W = new Matrix(d, d);
  for (let a = 0; a < d; a++) {
    for (let b = 0; b < d; b++) {
      let s = 0;
      for (let c = 0; c < d; c++) s += vectors.get(a, c) * vectors.get(b, c) / Math.sqrt(values[c]);
      W.set(a, b, s);
    }
  }
  const Z = new Matrix(n, d);
  for (let i = 0; i < n; i++) {
    for (let b = 0; b < d; b++) {
      let s = 0;
      for (let a = 0; a < d; a++) s += (X.data[i * d + a] - mean[a]) * W.get(a, b);
      Z.data[i * d + b] = s;
    }
  }
  return { Z, halfLogDet };
}

/** Options of {@linkcode klMi} and {@linkcode klMiDiscrete}. */
export interface KlMiOptions {
  /** Neighbour order. @default 5 (Butakov et al.) */
  k: number;
  /** Norm. @default "euclidean" */
  metric: KnnMetric;
  /** Weighted entropies (Berrett et al.). @default false */
  weighted: boolean;
  /** Whiten each block (x, y and the joint) before its entropy estimate. @default true */
  whiten: boolean;
  /** Exact duplicate rows. @default "drop" */
  duplicates: DuplicatePolicy;
  /** Unit. @default "nats" */
  unit: Unit;
}

/** Defaults of {@linkcode klMi}. */
export const KL_MI_DEFAULTS: Readonly<KlMiOptions> = Object.freeze({
  k: 5,
  metric: "euclidean",
  weighted: false,
  whiten: true,
  duplicates: "drop",
  unit: "nats",
});

/** Resolved parameters of {@linkcode klMi}. */
export interface KlMiParams {
  /** Neighbour order. */
  readonly k: number;
  /** Norm. */
  readonly metric: KnnMetric;
  /** Weighted? */
  readonly weighted: boolean;
  /** Whitened per block (x, y, joint)? */
  readonly whiten: boolean;
  /** ĥ(X) in the result's unit. */
  readonly hX: number;
  /** ĥ(Y) or, for {@linkcode klMiDiscrete}, Σ_c p_c ĥ(X | Y = c). */
  readonly hY: number;
  /** ĥ(X, Y) (`null` for {@linkcode klMiDiscrete}). */
  readonly hXY: number | null;
}

/**
 * Mutual information by Kozachenko–Leonenko entropies, Î = ĥ(X) + ĥ(Y) − ĥ(X, Y) (card A11; Butakov et al.
 * 2024 use k = 5 with whitening). With `whiten`, each of the three blocks x, y and (x, y) is whitened on its
 * own and ĥ(v) = ĥ(z) + ½ log det Σ̂_v, so the joint kNN search sees an isotropic cloud even under strong
 * dependence.
 *
 * @param x N×dx samples
 * @param y N×dy samples
 * @param options `k` (5), `metric`, `weighted`, `whiten` (true), `duplicates`, `unit`
 * @returns Î with the three entropies
 * @throws {ParsimonyError} as {@linkcode klEntropy}, and for mismatched rows
 * @example
 * ```ts
 * import { klMi } from "@parsimony/parsimony/info";
 * import { Rng } from "@parsimony/parsimony/core";
 * const r = new Rng(0);
 * const x = r.normalArray(2000);
 * klMi(x, x.map((v) => 0.6 * v + 0.8 * r.normal())).value; // ≈ 0.22
 * ```
 */
export function klMi(x: SampleLike, y: SampleLike, options: Partial<KlMiOptions> = {}): InfoEstimate<KlMiParams> {
  const fn = "klMi";
  const opts = resolveOptions(fn, KL_MI_DEFAULTS, options, KL_MI_CONSTRAINTS);
  const X = toSamples(x, fn, "x");
  const Y = toSamples(y, fn, "y");
  assertSameRows(X, Y, fn, "x", "y");
  assertK(opts.k, X.rows - 1, fn);
  const J = new Matrix(X.rows, X.cols + Y.cols);
  for (let i = 0; i < X.rows; i++) {
    J.data.set(X.row(i), i * J.cols);
    J.data.set(Y.row(i), i * J.cols + X.cols);
  }
  // Each block (x, y and the joint) is whitened on its own, ĥ(v) = ĥ(z) + ½ log det Σ̂_v.
  const hX = entropyNats(X, opts, fn, "x").value;
  const hY = entropyNats(Y, opts, fn, "y").value;
  const hXY = entropyNats(J, opts, fn, "x").value;
  const u = opts.unit;
  return {
    value: fromNats(hX + hY - hXY, u),
    unit: u,
    n: X.rows,
    params: {
      k: opts.k,
      metric: opts.metric,
      weighted: opts.weighted,
      whiten: opts.whiten,
      hX: fromNats(hX, u),
      hY: fromNats(hY, u),
      hXY: fromNats(hXY, u),
    },
  };
}

const KL_MI_CONSTRAINTS: ConstraintTable<KlMiOptions> = {
  k: { kind: "number", min: 1, integer: true },
  metric: { kind: "enum", values: ["euclidean", "max"] },
  weighted: { kind: "boolean" },
  whiten: { kind: "boolean" },
  duplicates: { kind: "enum", values: ["drop", "error"] },
  unit: { kind: "enum", values: UNITS },
};

/**
 * Mutual information between continuous x and discrete labels by Kozachenko–Leonenko entropies,
 * Î = ĥ(X) − Σ_c p̂_c ĥ(X | Y = c) (card A11, the class-conditional form of Butakov et al.), refitting
 * the estimator (and the whitening) per class.
 *
 * @param x N×d samples
 * @param labels N class labels; every class needs more than k samples
 * @param options as {@linkcode klMi}
 * @returns Î with ĥ(X) in `params.hX` and Σ_c p_c ĥ(X|c) in `params.hY`
 * @throws {ParsimonyError} as {@linkcode klEntropy}; a class with ≤ k samples
 * @example
 * ```ts
 * import { klMiDiscrete } from "@parsimony/parsimony/info";
 * import { Rng } from "@parsimony/parsimony/core";
 * const r = new Rng(0);
 * const y = Array.from({ length: 2000 }, (_, i) => i % 2);
 * const x = y.map((c) => r.normal(c === 0 ? -4 : 4, 1));
 * klMiDiscrete(x, y).value; // ≈ log 2 = 0.693
 * ```
 */
export function klMiDiscrete(
  x: SampleLike,
  labels: LabelLike,
  options: Partial<KlMiOptions> = {},
): InfoEstimate<KlMiParams> {
  const fn = "klMiDiscrete";
  const opts = resolveOptions(fn, KL_MI_DEFAULTS, options, KL_MI_CONSTRAINTS);
  const X = toSamples(x, fn, "x");
  const lab = toLabels(labels, fn, "labels", X.rows);
  const n = X.rows, d = X.cols;
  const hX = entropyNats(X, opts, fn, "x").value;
  let hCond = 0;
  for (let c = 0; c < lab.counts.length; c++) {
    const Nc = lab.counts[c];
    if (Nc <= opts.k) {
      throw new DomainError({
        fn,
        arg: "labels",
        expected: `more than k = ${opts.k} samples in every class`,
        got: `class ${JSON.stringify(lab.classes[c])} has ${Nc}`,
      });
    }
    const Xc = new Matrix(Nc, d);
    let p = 0;
    for (let i = 0; i < n; i++) if (lab.codes[i] === c) Xc.data.set(X.row(i), d * p++);
    hCond += (Nc / n) * entropyNats(Xc, opts, fn, "x").value;
  }
  const u = opts.unit;
  return {
    value: fromNats(hX - hCond, u),
    unit: u,
    n,
    params: {
      k: opts.k,
      metric: opts.metric,
      weighted: opts.weighted,
      whiten: opts.whiten,
      hX: fromNats(hX, u),
      hY: fromNats(hCond, u),
      hXY: null,
    },
  };
}
