/**
 * Compress-then-estimate mutual information (Butakov et al., "Information Bottleneck Analysis of Deep
 * Neural Networks via Lossy Compression", ICLR 2024, Algorithm 1; card A14): fit a compressor per variable
 * (PCA here) on held-out samples, map both variables to d dimensions, and estimate I(c_X(X); c_Y(Y)) with
 * a kNN estimator (Kozachenko–Leonenko with whitening, k = 5, as the paper; or KSG).
 *
 * By the data-processing inequality the compressed estimate targets a lower bound of I(X; Y), exact when
 * the compressor is injective on the data. Failure mode (card A14): compressing to more dimensions than
 * the data's intrinsic dimension, with no noise, makes the joint density singular and KL estimates
 * diverge — choose d = intrinsic dimension or keep injected noise. The autoencoder compressor of the
 * paper is not provided here.
 *
 * @module
 */

import { DomainError, ShapeError } from "../core/errors.ts";
import { eigSym } from "../core/linalg.ts";
import { Matrix } from "../core/matrix.ts";
import { Rng } from "../core/rng.ts";
import { type ConstraintTable, resolveOptions } from "../core/validate.ts";
import { assertSameRows, toLabels, toSamples } from "./_input.ts";
import { klMi, klMiDiscrete } from "./kl.ts";
import { ksg, mixedKsg } from "./ksg.ts";
import { type InfoEstimate, type LabelLike, type SampleLike, type Unit, UNITS } from "./result.ts";

/** A fitted PCA projection z = (v − mean)·W, W = the top components as columns. */
export interface PcaModel {
  /** Column means of the fit data (length D). */
  readonly mean: Float64Array;
  /** D×d orthonormal components (columns), by decreasing variance. */
  readonly components: Matrix;
  /** Variance along each component (ddof 1). */
  readonly variance: Float64Array;
  /** Fraction of the total variance explained by the d components. */
  readonly explained: number;
}

/** Options of {@linkcode pcaFit}. */
export interface PcaOptions {
  /** Number of components d (1 ≤ d ≤ min(N − 1, D)). @default 2 */
  components: number;
  /** Seed of the randomized subspace iteration (used when D > 64). @default 0 */
  seed: number;
  /** Subspace (power) iterations of the randomized solver. @default 8 */
  iterations: number;
}

/** Defaults of {@linkcode pcaFit}. */
export const PCA_DEFAULTS: Readonly<PcaOptions> = Object.freeze({ components: 2, seed: 0, iterations: 8 });

/**
 * Principal component analysis of N×D samples: exact (eigendecomposition of the D×D covariance) for D ≤ 64,
 * otherwise randomized subspace iteration (Halko, Martinsson & Tropp 2011) with d + 10 columns, seeded,
 * followed by a Rayleigh–Ritz step.
 *
 * @param x N×D samples
 * @param options `components` (2), `seed`, `iterations` (8)
 * @returns the mean, components, their variances and the explained fraction
 * @throws {ParsimonyError} for N < 2, non-finite values, components out of range
 * @example
 * ```ts
 * import { pcaFit } from "@parsimony/parsimony/info";
 * const m = pcaFit([[0, 0], [1, 1], [2, 2], [3, 3]], { components: 1 });
 * Math.abs(m.components.get(0, 0)); // => Math.SQRT1_2
 * ```
 */
export function pcaFit(x: SampleLike, options: Partial<PcaOptions> = {}): PcaModel {
  const fn = "pcaFit";
  const opts = resolveOptions(fn, PCA_DEFAULTS, options, {
    components: { kind: "number", min: 1, integer: true },
    seed: { kind: "number", min: 0, integer: true },
    iterations: { kind: "number", min: 1, integer: true },
  });
  const X = toSamples(x, fn, "x");
  return fitPca(X, opts.components, opts.seed, opts.iterations, fn);
}

function fitPca(X: Matrix, d: number, seed: number, iters: number, fn: string, arg = "options.components"): PcaModel {
  const n = X.rows, D = X.cols;
  if (d > Math.min(n - 1, D)) {
    throw new DomainError({
      fn,
      arg,
      expected: `≤ min(N − 1, D) = ${Math.min(n - 1, D)}`,
      got: String(d),
    });
  }
  const mean = new Float64Array(D);
  for (let i = 0; i < n; i++) for (let c = 0; c < D; c++) mean[c] += X.data[i * D + c];
  for (let c = 0; c < D; c++) mean[c] /= n;
  const Xc = new Matrix(n, D);
  let total = 0;
  for (let i = 0; i < n; i++) {
    for (let c = 0; c < D; c++) {
      const v = X.data[i * D + c] - mean[c];
      Xc.data[i * D + c] = v;
      total += v * v;
    }
  }
  total /= n - 1;
  let Q: Matrix; // D×q basis
  if (D <= 64) {
    Q = Matrix.identity(D);
  } else {
    const q = Math.min(D, d + 10);
    const r = new Rng(seed);
    Q = new Matrix(D, q, r.normalArray(D * q));
    orthonormalize(Q);
    for (let it = 0; it < iters; it++) {
      Q = mulT(Xc, mul(Xc, Q)); // Xcᵀ (Xc Q)
      orthonormalize(Q);
    }
  }
  // Rayleigh–Ritz: B = (Xc Q)ᵀ (Xc Q)/(n − 1)
  const Z = mul(Xc, Q);
  const q = Q.cols;
  const B = new Matrix(q, q);
  for (let a = 0; a < q; a++) {
    for (let b = a; b < q; b++) {
      let s = 0;
      for (let i = 0; i < n; i++) s += Z.data[i * q + a] * Z.data[i * q + b];
      B.data[a * q + b] = B.data[b * q + a] = s / (n - 1);
    }
  }
  const { values, vectors } = eigSym(B);
  const comps = new Matrix(D, d), variance = new Float64Array(d);
  for (let j = 0; j < d; j++) {
    const col = q - 1 - j; // eigSym is ascending
    variance[j] = values[col];
    for (let r = 0; r < D; r++) {
      let s = 0;
      for (let c = 0; c < q; c++) s += Q.data[r * q + c] * vectors.data[c * q + col];
      comps.data[r * d + j] = s;
    }
  }
  let expl = 0;
  for (const v of variance) expl += v;
  return { mean, components: comps, variance, explained: total > 0 ? expl / total : 1 };
}

/** A·B (row-major, trusted). */
function mul(A: Matrix, B: Matrix): Matrix {
  const n = A.rows, k = A.cols, m = B.cols, out = new Matrix(n, m);
  for (let i = 0; i < n; i++) {
    for (let p = 0; p < k; p++) {
      const a = A.data[i * k + p];
      if (a === 0) continue;
      for (let j = 0; j < m; j++) out.data[i * m + j] += a * B.data[p * m + j];
    }
  }
  return out;
}

/** Aᵀ·B (trusted). */
function mulT(A: Matrix, B: Matrix): Matrix {
  const n = A.rows, k = A.cols, m = B.cols, out = new Matrix(k, m);
  for (let i = 0; i < n; i++) {
    for (let p = 0; p < k; p++) {
      const a = A.data[i * k + p];
      if (a === 0) continue;
      for (let j = 0; j < m; j++) out.data[p * m + j] += a * B.data[i * m + j];
    }
  }
  return out;
}

/** In-place modified Gram–Schmidt (twice) on the columns. */
function orthonormalize(Q: Matrix): void {
  const D = Q.rows, q = Q.cols, d = Q.data;
  for (let pass = 0; pass < 2; pass++) {
    for (let j = 0; j < q; j++) {
      for (let i = 0; i < j; i++) {
        let s = 0;
        for (let r = 0; r < D; r++) s += d[r * q + i] * d[r * q + j];
        for (let r = 0; r < D; r++) d[r * q + j] -= s * d[r * q + i];
      }
      let nn = 0;
      for (let r = 0; r < D; r++) nn += d[r * q + j] ** 2;
      const inv = nn > 0 ? 1 / Math.sqrt(nn) : 0;
      for (let r = 0; r < D; r++) d[r * q + j] *= inv;
    }
  }
}

/**
 * Project samples with a fitted PCA: z = (v − mean)·W.
 *
 * @param model from {@linkcode pcaFit}
 * @param x N×D samples (same D)
 * @returns N×d scores
 * @throws {ParsimonyError} for a column mismatch or non-finite values
 * @example
 * ```ts
 * import { pcaFit, pcaTransform } from "@parsimony/parsimony/info";
 * const m = pcaFit([[0, 0], [1, 1], [2, 2]], { components: 1 });
 * pcaTransform(m, [[1, 1]]).get(0, 0); // => 0
 * ```
 */
export function pcaTransform(model: PcaModel, x: SampleLike): Matrix {
  const fn = "pcaTransform";
  const X = toSamples(x, fn, "x", 1);
  const D = model.mean.length, d = model.components.cols;
  if (X.cols !== D) throw new ShapeError({ fn, arg: "x", expected: `${D} columns`, got: `${X.cols}` });
  const out = new Matrix(X.rows, d);
  for (let i = 0; i < X.rows; i++) {
    for (let j = 0; j < d; j++) {
      let s = 0;
      for (let c = 0; c < D; c++) s += (X.data[i * D + c] - model.mean[c]) * model.components.data[c * d + j];
      out.data[i * d + j] = s;
    }
  }
  return out;
}

/** Options of {@linkcode compressThenEstimate}. */
export interface CompressThenEstimateOptions {
  /** Dimension of the compressed x (null: keep x as is). @default 2 */
  dimX: number | null;
  /** Dimension of the compressed y (null: keep as is; ignored with `discreteY`). @default 2 */
  dimY: number | null;
  /** Held-out samples to fit the x compressor on (null: fit on x itself). @default null */
  fitX: SampleLike | null;
  /** Held-out samples to fit the y compressor on. @default null */
  fitY: SampleLike | null;
  /** Treat y as class labels: Î = ĥ(c_X(X)) − Σ_c p_c ĥ(c_X(X) | c) (KL) or Ross (KSG). @default false */
  discreteY: boolean;
  /** Estimator on the compressed variables. @default "kl" */
  estimator: "kl" | "ksg";
  /** Neighbours. @default 5 */
  k: number;
  /** Seed (PCA subspace iteration, KSG jitter). @default 0 */
  seed: number;
  /** Unit. @default "nats" */
  unit: Unit;
}

/** Defaults of {@linkcode compressThenEstimate}. */
export const COMPRESS_DEFAULTS: Readonly<CompressThenEstimateOptions> = Object.freeze({
  dimX: 2,
  dimY: 2,
  fitX: null,
  fitY: null,
  discreteY: false,
  estimator: "kl",
  k: 5,
  seed: 0,
  unit: "nats",
});

const COMPRESS_CONSTRAINTS: ConstraintTable<CompressThenEstimateOptions> = {
  dimX: { kind: "any" },
  dimY: { kind: "any" },
  fitX: { kind: "any" },
  fitY: { kind: "any" },
  discreteY: { kind: "boolean" },
  estimator: { kind: "enum", values: ["kl", "ksg"] },
  k: { kind: "number", min: 1, integer: true },
  seed: { kind: "number", min: 0, integer: true },
  unit: { kind: "enum", values: UNITS },
};

/** Parameters of {@linkcode compressThenEstimate}. */
export interface CompressThenEstimateParams {
  /** Compressed dimension of x (original when not compressed). */
  readonly dimX: number;
  /** Compressed dimension of y (null for labels). */
  readonly dimY: number | null;
  /** Explained variance fraction of the x compressor (1 when not compressed). */
  readonly explainedX: number;
  /** Explained variance fraction of the y compressor (null for labels). */
  readonly explainedY: number | null;
  /** Estimator used. */
  readonly estimator: "kl" | "ksg";
  /** Neighbours. */
  readonly k: number;
  /** The inner estimate's own parameters. */
  readonly inner: Readonly<Record<string, unknown>>;
}

function dimOpt(v: unknown, fn: string, arg: string): number | null {
  if (v === null) return null;
  if (typeof v !== "number" || !Number.isInteger(v) || v < 1) {
    throw new DomainError({ fn, arg, expected: "null or an integer ≥ 1", got: String(v) });
  }
  return v;
}

/**
 * Compress-then-estimate MI (Butakov et al. 2024, Algorithm 1; card A14): PCA to `dimX`/`dimY` dimensions
 * (fitted on `fitX`/`fitY` when given), then Kozachenko–Leonenko MI with whitening (k = 5) or KSG.
 *
 * @param x N×Dx samples
 * @param y N×Dy samples, or N labels with `discreteY`
 * @param options dims, held-out fit sets, `discreteY`, `estimator` ("kl"), `k` (5), `seed`, `unit`
 * @returns the MI estimate of the compressed variables, with the compressors' explained variance
 * @throws {ParsimonyError} for bad shapes, non-finite values, dims out of range, estimator failures
 * @example
 * ```ts
 * import { compressThenEstimate, gaussianImages } from "@parsimony/parsimony/info";
 * const s = gaussianImages(500, { mi: 2, size: 16, seed: 0 });
 * compressThenEstimate(s.x, s.y, { dimX: 2, dimY: 2 }).value; // ≈ 0.9 (truth 2 nats: PCA-2 of images undershoots)
 * ```
 */
export function compressThenEstimate(
  x: SampleLike,
  y: SampleLike | LabelLike,
  options: Partial<CompressThenEstimateOptions> = {},
): InfoEstimate<CompressThenEstimateParams> {
  const fn = "compressThenEstimate";
  const opts = resolveOptions(fn, COMPRESS_DEFAULTS, options, COMPRESS_CONSTRAINTS);
  const dimX = dimOpt(opts.dimX, fn, "options.dimX");
  const dimY = dimOpt(opts.dimY, fn, "options.dimY");
  const X = toSamples(x, fn, "x");
  const compress = (
    V: Matrix,
    dim: number | null,
    fit: SampleLike | null,
    arg: string,
    dimArg: string,
    seed: number,
  ) => {
    if (dim === null) return { Z: V, explained: 1 };
    const F = fit === null ? V : toSamples(fit, fn, arg);
    if (F.cols !== V.cols) throw new ShapeError({ fn, arg, expected: `${V.cols} columns`, got: `${F.cols}` });
    if (dim === V.cols && fit === null) return { Z: V, explained: 1 };
    const m = fitPca(F, dim, seed, PCA_DEFAULTS.iterations, fn, dimArg);
    return { Z: pcaTransform(m, V), explained: m.explained };
  };
  const lab = opts.discreteY ? toLabels(y, fn, "y", X.rows) : null;
  const Y = opts.discreteY ? null : toSamples(y, fn, "y");
  if (Y) assertSameRows(X, Y, fn, "x", "y");
  const cx = compress(X, dimX, opts.fitX, "options.fitX", "options.dimX", opts.seed);
  let est: InfoEstimate<unknown>;
  let dY: number | null = null, explY: number | null = null;
  if (lab) {
    const labels = Array.from(lab.codes);
    est = opts.estimator === "kl"
      ? klMiDiscrete(cx.Z, labels, { k: opts.k, unit: opts.unit })
      : ksgDiscrete(cx.Z, labels, opts);
  } else {
    const cy = compress(Y!, dimY, opts.fitY, "options.fitY", "options.dimY", opts.seed + 1);
    dY = cy.Z.cols;
    explY = cy.explained;
    est = opts.estimator === "kl"
      ? klMi(cx.Z, cy.Z, { k: opts.k, unit: opts.unit })
      : ksg(cx.Z, cy.Z, { k: opts.k, seed: opts.seed, unit: opts.unit });
  }
  return {
    value: est.value,
    unit: est.unit,
    n: est.n,
    params: {
      dimX: cx.Z.cols,
      dimY: dY,
      explainedX: cx.explained,
      explainedY: explY,
      estimator: opts.estimator,
      k: opts.k,
      inner: est.params as Readonly<Record<string, unknown>>,
    },
  };
}

function ksgDiscrete(Z: Matrix, labels: number[], opts: Readonly<CompressThenEstimateOptions>): InfoEstimate<unknown> {
  return mixedKsg(Z, labels, { k: opts.k, seed: opts.seed, unit: opts.unit });
}
