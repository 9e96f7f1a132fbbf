/**
 * Gaussian closed forms (card A13, T1, T3): mutual information and entropy from a covariance, Shannon MI
 * from samples through the sample covariance, and the KL and Cauchy–Schwarz divergences between two
 * Gaussians, including the kernel-smoothed CS-QMI target that the plug-in estimator `csQmi` converges to.
 * Log-determinants come from Cholesky factors.
 *
 * @module
 */

import { DomainError, ParsimonyError, ShapeError } from "../core/errors.ts";
import { cholesky, choleskySolve } from "../core/linalg.ts";
import { Matrix, type MatrixLike, toMatrix } from "../core/matrix.ts";
import { type ConstraintTable, resolveOptions } from "../core/validate.ts";
import { assertSameRows, toSamples } from "./_input.ts";
import { fromNats, type InfoEstimate, type SampleLike, type Unit, UNITS } from "./result.ts";

/** log det of a symmetric positive-definite matrix by Cholesky, errors naming `fn`/`arg`. */
function logDetSpd(S: Matrix, fn: string, arg: string): number {
  let L: Matrix;
  try {
    L = cholesky(S);
  } catch (e) {
    if (e instanceof ParsimonyError) {
      throw new DomainError({
        fn,
        arg,
        expected: "a symmetric positive-definite covariance",
        got: e.expected === "positive definite" ? "not positive definite" : e.message,
      });
    }
    throw e;
  }
  let s = 0;
  for (let i = 0; i < S.rows; i++) s += Math.log(L.get(i, i));
  return 2 * s;
}

function toCov(c: unknown, fn: string, arg: string): Matrix {
  const S = toMatrix(c, fn, arg);
  if (S.rows !== S.cols || S.rows === 0) {
    throw new ShapeError({ fn, arg, expected: "a non-empty square matrix", got: `${S.rows}×${S.cols}` });
  }
  return S;
}

function block(S: Matrix, from: number, to: number): Matrix {
  const d = to - from, out = new Matrix(d, d);
  for (let i = 0; i < d; i++) for (let j = 0; j < d; j++) out.set(i, j, S.get(from + i, from + j));
  return out;
}

/** Options of {@linkcode gaussianMi}. */
export interface GaussianMiOptions {
  /** X = the first `dx` coordinates, Y = the rest (1 ≤ dx < d). @default 1 */
  dx: number;
  /** Unit. @default "nats" */
  unit: Unit;
}

/** Defaults of {@linkcode gaussianMi}. */
export const GAUSSIAN_MI_DEFAULTS: Readonly<GaussianMiOptions> = Object.freeze({ dx: 1, unit: "nats" });

const GMI_CONSTRAINTS: ConstraintTable<GaussianMiOptions> = {
  dx: { kind: "number", min: 1, integer: true },
  unit: { kind: "enum", values: UNITS },
};

/** Parameters of {@linkcode gaussianMi}. */
export interface GaussianMiParams {
  /** Dimension of X. */
  readonly dx: number;
  /** Dimension of Y. */
  readonly dy: number;
}

/**
 * Mutual information of a jointly Gaussian (X, Y) from its covariance (card A13):
 * I = ½ [log det Σ_XX + log det Σ_YY − log det Σ]; for a correlation ρ, −½ log(1 − ρ²).
 *
 * @param cov d×d symmetric positive-definite covariance of (X, Y)
 * @param options `dx` (X = first dx coordinates; default 1), `unit`
 * @returns I (n = null: a closed form)
 * @throws {ParsimonyError} for a non-square or non-positive-definite covariance, dx ∉ [1, d)
 * @example
 * ```ts
 * import { gaussianMi } from "@parsimony/parsimony/info";
 * gaussianMi([[1, 0.6], [0.6, 1]]).value; // => 0.2231435513… = −½ log(0.64)
 * ```
 */
export function gaussianMi(cov: MatrixLike, options: Partial<GaussianMiOptions> = {}): InfoEstimate<GaussianMiParams> {
  const fn = "gaussianMi";
  const opts = resolveOptions(fn, GAUSSIAN_MI_DEFAULTS, options, GMI_CONSTRAINTS);
  const S = toCov(cov, fn, "cov");
  const d = S.rows, dx = opts.dx;
  if (dx >= d) {
    throw new DomainError({ fn, arg: "options.dx", expected: `< ${d} (Y needs a coordinate)`, got: String(dx) });
  }
  const mi = 0.5 *
    (logDetSpd(block(S, 0, dx), fn, "cov") + logDetSpd(block(S, dx, d), fn, "cov") - logDetSpd(S, fn, "cov"));
  return { value: fromNats(Math.max(0, mi), opts.unit), unit: opts.unit, n: null, params: { dx, dy: d - dx } };
}

/** Options of {@linkcode gaussianEntropy}. */
export interface GaussianEntropyOptions {
  /** Unit. @default "nats" */
  unit: Unit;
}

/**
 * Differential entropy of N(μ, Σ): h = ½ log det(2πe Σ) (card A13).
 *
 * @param cov d×d symmetric positive-definite covariance
 * @param options `unit`
 * @returns h (n = null)
 * @throws {ParsimonyError} for a non-positive-definite covariance
 * @example
 * ```ts
 * import { gaussianEntropy } from "@parsimony/parsimony/info";
 * gaussianEntropy([[1]]).value; // => 1.4189385332… = ½ log(2πe)
 * ```
 */
export function gaussianEntropy(
  cov: MatrixLike,
  options: Partial<GaussianEntropyOptions> = {},
): InfoEstimate<{ readonly d: number }> {
  const fn = "gaussianEntropy";
  const opts = resolveOptions(fn, { unit: "nats" as Unit }, options, { unit: { kind: "enum", values: UNITS } });
  const S = toCov(cov, fn, "cov");
  const d = S.rows;
  const h = 0.5 * (d * Math.log(2 * Math.PI * Math.E) + logDetSpd(S, fn, "cov"));
  return { value: fromNats(h, opts.unit), unit: opts.unit, n: null, params: { d } };
}

/** Options of {@linkcode gaussianMiSamples}. */
export interface GaussianMiSamplesOptions {
  /** Unit. @default "nats" */
  unit: Unit;
}

/**
 * Gaussian (linear) mutual information estimate from samples: {@linkcode gaussianMi} of the sample
 * covariance of (x, y) (ddof 1). Exact for Gaussian data up to sampling error; a lower bound on the MI
 * of any distribution with that covariance.
 *
 * @param x N×dx samples
 * @param y N×dy samples
 * @param options `unit`
 * @returns Î with n = N
 * @throws {ParsimonyError} for N ≤ dx + dy (singular sample covariance), mismatched rows, non-finite values
 * @example
 * ```ts
 * import { gaussianMiSamples } from "@parsimony/parsimony/info";
 * gaussianMiSamples([1, 2, 3, 4], [1, 3, 2, 4]).value; // => 0.5108256237… = −½ log(1 − 0.8²)
 * ```
 */
export function gaussianMiSamples(
  x: SampleLike,
  y: SampleLike,
  options: Partial<GaussianMiSamplesOptions> = {},
): InfoEstimate<GaussianMiParams> {
  const fn = "gaussianMiSamples";
  const opts = resolveOptions(fn, { unit: "nats" as Unit }, options, { unit: { kind: "enum", values: UNITS } });
  const X = toSamples(x, fn, "x");
  const Y = toSamples(y, fn, "y");
  assertSameRows(X, Y, fn, "x", "y");
  const n = X.rows, dx = X.cols, d = dx + Y.cols;
  const mean = new Float64Array(d);
  const get = (i: number, c: number) => (c < dx ? X.data[i * dx + c] : Y.data[i * Y.cols + c - dx]);
  for (let i = 0; i < n; i++) for (let c = 0; c < d; c++) mean[c] += get(i, c);
  for (let c = 0; c < d; c++) mean[c] /= n;
  const S = new Matrix(d, d);
  for (let i = 0; i < n; i++) {
    for (let a = 0; a < d; a++) {
      const va = get(i, a) - mean[a];
      for (let b = a; b < d; b++) S.data[a * d + b] += va * (get(i, b) - mean[b]);
    }
  }
  for (let a = 0; a < d; a++) {
    for (let b = a; b < d; b++) {
      S.data[a * d + b] /= n - 1;
      S.data[b * d + a] = S.data[a * d + b];
    }
  }
  const mi = 0.5 * (logDetSpd(block(S, 0, dx), fn, "x") + logDetSpd(block(S, dx, d), fn, "y") - logDetSpd(S, fn, "x"));
  return { value: fromNats(Math.max(0, mi), opts.unit), unit: opts.unit, n, params: { dx, dy: d - dx } };
}

/** Parameters of the two-Gaussian divergences. */
export interface GaussianPairParams {
  /** Dimension. */
  readonly d: number;
}

function pair(fn: string, mean1: ArrayLike<number>, cov1: MatrixLike, mean2: ArrayLike<number>, cov2: MatrixLike) {
  const S1 = toCov(cov1, fn, "cov1"), S2 = toCov(cov2, fn, "cov2");
  const d = S1.rows;
  if (S2.rows !== d) {
    throw new ShapeError({ fn, arg: "cov2", expected: `${d}×${d} (as cov1)`, got: `${S2.rows}×${S2.cols}` });
  }
  const m1 = toSamples(Array.from(mean1 as ArrayLike<number>), fn, "mean1", 1);
  const m2 = toSamples(Array.from(mean2 as ArrayLike<number>), fn, "mean2", 1);
  if (m1.rows !== d) throw new ShapeError({ fn, arg: "mean1", expected: `length ${d}`, got: `length ${m1.rows}` });
  if (m2.rows !== d) throw new ShapeError({ fn, arg: "mean2", expected: `length ${d}`, got: `length ${m2.rows}` });
  const delta = new Float64Array(d);
  for (let i = 0; i < d; i++) delta[i] = m1.data[i] - m2.data[i];
  return { S1, S2, d, delta };
}

/**
 * KL divergence between Gaussians:
 * KL(p‖q) = ½ [tr(Σ_q⁻¹Σ_p) + Δᵀ Σ_q⁻¹ Δ − d + log det Σ_q − log det Σ_p], Δ = μ_p − μ_q.
 *
 * @param mean1 μ_p (length d)
 * @param cov1 Σ_p (d×d SPD)
 * @param mean2 μ_q
 * @param cov2 Σ_q
 * @param options `unit`
 * @returns KL(p‖q) (n = null)
 * @throws {ParsimonyError} for shape mismatches or non-SPD covariances
 * @example
 * ```ts
 * import { gaussianKl } from "@parsimony/parsimony/info";
 * gaussianKl([0], [[1]], [1], [[4]]).value; // => 0.4431471806… (card O1)
 * ```
 */
export function gaussianKl(
  mean1: ArrayLike<number>,
  cov1: MatrixLike,
  mean2: ArrayLike<number>,
  cov2: MatrixLike,
  options: Partial<GaussianEntropyOptions> = {},
): InfoEstimate<GaussianPairParams> {
  const fn = "gaussianKl";
  const opts = resolveOptions(fn, { unit: "nats" as Unit }, options, { unit: { kind: "enum", values: UNITS } });
  const { S1, S2, d, delta } = pair(fn, mean1, cov1, mean2, cov2);
  const ld1 = logDetSpd(S1, fn, "cov1"), ld2 = logDetSpd(S2, fn, "cov2");
  const W = choleskySolve(S2, S1);
  let tr = 0;
  for (let i = 0; i < d; i++) tr += W.get(i, i);
  const z = choleskySolve(S2, delta);
  let q = 0;
  for (let i = 0; i < d; i++) q += delta[i] * z[i];
  const kl = 0.5 * (tr + q - d + ld2 - ld1);
  return { value: fromNats(Math.max(0, kl), opts.unit), unit: opts.unit, n: null, params: { d } };
}

/**
 * Cauchy–Schwarz divergence between Gaussians (card T1):
 * D_CS = log det((Σ_p + Σ_q)/2) − ½ log det Σ_p − ½ log det Σ_q + Δᵀ(Σ_p + Σ_q)⁻¹Δ.
 * Equal covariances give ½ΔᵀΣ⁻¹Δ = KL. D_CS ≤ ½[KL(p‖q) + KL(q‖p)] always, but not D_CS ≤ KL(p‖q)
 * in general (card T2; p = N(0, 0.5), q = N(3, 1) violates it).
 *
 * @param mean1 μ_p
 * @param cov1 Σ_p
 * @param mean2 μ_q
 * @param cov2 Σ_q
 * @param options `unit`
 * @returns D_CS (n = null)
 * @throws {ParsimonyError} for shape mismatches or non-SPD covariances
 * @example
 * ```ts
 * import { gaussianCsDivergence } from "@parsimony/parsimony/info";
 * gaussianCsDivergence([0], [[1]], [1], [[4]]).value; // => 0.4231435513… (card O1)
 * ```
 */
export function gaussianCsDivergence(
  mean1: ArrayLike<number>,
  cov1: MatrixLike,
  mean2: ArrayLike<number>,
  cov2: MatrixLike,
  options: Partial<GaussianEntropyOptions> = {},
): InfoEstimate<GaussianPairParams> {
  const fn = "gaussianCsDivergence";
  const opts = resolveOptions(fn, { unit: "nats" as Unit }, options, { unit: { kind: "enum", values: UNITS } });
  const { S1, S2, d, delta } = pair(fn, mean1, cov1, mean2, cov2);
  const ld1 = logDetSpd(S1, fn, "cov1"), ld2 = logDetSpd(S2, fn, "cov2");
  const Ssum = new Matrix(d, d), Savg = new Matrix(d, d);
  for (let i = 0; i < d * d; i++) {
    Ssum.data[i] = S1.data[i] + S2.data[i];
    Savg.data[i] = 0.5 * Ssum.data[i];
  }
  const z = choleskySolve(Ssum, delta);
  let q = 0;
  for (let i = 0; i < d; i++) q += delta[i] * z[i];
  const v = logDetSpd(Savg, fn, "cov1") - 0.5 * ld1 - 0.5 * ld2 + q;
  return { value: fromNats(Math.max(0, v), opts.unit), unit: opts.unit, n: null, params: { d } };
}

/** Options of {@linkcode gaussianCsQmi}. */
export interface GaussianCsQmiOptions {
  /** X = the first dx coordinates. @default 1 */
  dx: number;
  /** Kernel width of x; 0 gives the population I_CS. @default 0 */
  sigmaX: number;
  /** Kernel width of t; 0 gives the population I_CS. @default 0 */
  sigmaT: number;
  /** Unit. @default "nats" */
  unit: Unit;
}

/** Defaults of {@linkcode gaussianCsQmi}. */
export const GAUSSIAN_CS_QMI_DEFAULTS: Readonly<GaussianCsQmiOptions> = Object.freeze({
  dx: 1,
  sigmaX: 0,
  sigmaT: 0,
  unit: "nats",
});

/**
 * Cauchy–Schwarz QMI of a jointly Gaussian (X, T) in closed form (card §1, T3):
 * I_CS = D_CS(p_xt; p_x p_t) of the densities smoothed by N(0, diag(σx²/2·I, σt²/2·I)) — the limit of the
 * plug-in {@linkcode csQmi} with widths σx, σt; σ = 0 gives the population value. For unit variances and
 * correlation ρ with σx = σt = σ, a = 1 + σ²/2: I_CS = log[(a² − ρ²/4)/√((a² − ρ²)a²)].
 *
 * @param cov covariance of (X, T)
 * @param options `dx` (1), `sigmaX`, `sigmaT` (0), `unit`
 * @returns I_CS (n = null)
 * @throws {ParsimonyError} for a non-SPD covariance, dx ∉ [1, d), negative widths
 * @example
 * ```ts
 * import { gaussianCsQmi } from "@parsimony/parsimony/info";
 * gaussianCsQmi([[1, 0.6], [0.6, 1]]).value; // => 0.1288… (Shannon MI 0.2231)
 * gaussianCsQmi([[1, 0.6], [0.6, 1]], { sigmaX: 1, sigmaT: 1 }).value; // => 0.0463546991… (card O3)
 * ```
 */
export function gaussianCsQmi(
  cov: MatrixLike,
  options: Partial<GaussianCsQmiOptions> = {},
): InfoEstimate<GaussianCsQmiOptions> {
  const fn = "gaussianCsQmi";
  const opts = resolveOptions(fn, GAUSSIAN_CS_QMI_DEFAULTS, options, {
    dx: { kind: "number", min: 1, integer: true },
    sigmaX: { kind: "number", min: 0 },
    sigmaT: { kind: "number", min: 0 },
    unit: { kind: "enum", values: UNITS },
  });
  const S = toCov(cov, fn, "cov");
  const d = S.rows, dx = opts.dx;
  if (dx >= d) throw new DomainError({ fn, arg: "options.dx", expected: `< ${d}`, got: String(dx) });
  logDetSpd(S, fn, "cov"); // positive definite (then so are the smoothed joint and product covariances)
  const joint = S.clone(), prod = new Matrix(d, d);
  for (let i = 0; i < d; i++) {
    for (let j = 0; j < d; j++) if ((i < dx) === (j < dx)) prod.set(i, j, S.get(i, j));
    const s2 = 0.5 * (i < dx ? opts.sigmaX * opts.sigmaX : opts.sigmaT * opts.sigmaT);
    joint.data[i * d + i] += s2;
    prod.data[i * d + i] += s2;
  }
  const zero = new Float64Array(d);
  const v = gaussianCsDivergence(zero, joint, zero, prod).value;
  return { value: fromNats(v, opts.unit), unit: opts.unit, n: null, params: opts };
}
