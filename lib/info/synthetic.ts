/**
 * Synthetic data with known mutual information (card E4, after Butakov et al., ICLR 2024): correlated
 * Gaussian vectors, and the same vectors pushed through smooth injective maps into 32×32 images.
 * MI is invariant under injective maps of each variable, so the truth stays the Gaussian I.
 *
 * @module
 */

import { DomainError } from "../core/errors.ts";
import { Matrix } from "../core/matrix.ts";
import { Rng } from "../core/rng.ts";
import { erf } from "../core/special.ts";
import { type ConstraintTable, resolveOptions } from "../core/validate.ts";

/** Options of {@linkcode correlatedGaussian}. */
export interface CorrelatedGaussianOptions {
  /** Total mutual information I(ξ; η) in nats, ≥ 0. @default 1 */
  mi: number;
  /** Number of independent correlated coordinate pairs d; ξ, η ∈ R^d. @default 1 */
  dims: number;
  /** Seed. @default 0 */
  seed: number;
}

/** Defaults of {@linkcode correlatedGaussian}. */
export const CORRELATED_GAUSSIAN_DEFAULTS: Readonly<CorrelatedGaussianOptions> = Object.freeze({
  mi: 1,
  dims: 1,
  seed: 0,
});

const CG_CONSTRAINTS: ConstraintTable<CorrelatedGaussianOptions> = {
  mi: { kind: "number", min: 0 },
  dims: { kind: "number", min: 1, integer: true },
  seed: { kind: "number", min: 0, integer: true },
};

/** Samples with known MI. */
export interface KnownMiSample {
  /** N×dx samples of X. */
  readonly x: Matrix;
  /** N×dy samples of Y. */
  readonly y: Matrix;
  /** The true I(X; Y) in nats. */
  readonly mi: number;
  /** Per-pair correlation ρ = √(1 − e^{−2I/d}). */
  readonly rho: number;
}

/**
 * Correlated standard Gaussians with I(ξ; η) = `mi` nats split evenly over `dims` coordinate pairs:
 * ξ_c, ε_c ~ N(0, 1), η_c = ρ ξ_c + √(1 − ρ²) ε_c, ρ = √(1 − e^{−2I/d}) (card E4).
 *
 * @param n number of samples (≥ 2)
 * @param options `mi` (1 nat), `dims` (1), `seed`
 * @returns x = ξ, y = η (N×dims each), the true MI and ρ
 * @throws {ParsimonyError} for n < 2, mi < 0, dims < 1
 * @example
 * ```ts
 * import { correlatedGaussian } from "@parsimony/parsimony/info";
 * const s = correlatedGaussian(1000, { mi: 2, dims: 2, seed: 1 });
 * s.mi; // => 2
 * s.x.cols; // => 2
 * ```
 */
export function correlatedGaussian(n: number, options: Partial<CorrelatedGaussianOptions> = {}): KnownMiSample {
  const fn = "correlatedGaussian";
  const opts = resolveOptions(fn, CORRELATED_GAUSSIAN_DEFAULTS, options, CG_CONSTRAINTS);
  checkN(n, fn);
  const d = opts.dims;
  const rho = Math.sqrt(-Math.expm1((-2 * opts.mi) / d));
  const s = Math.sqrt(Math.max(0, 1 - rho * rho));
  const r = new Rng(opts.seed);
  const x = new Matrix(n, d), y = new Matrix(n, d);
  for (let i = 0; i < n; i++) {
    for (let c = 0; c < d; c++) {
      const a = r.normal(), e = r.normal();
      x.data[i * d + c] = a;
      y.data[i * d + c] = rho * a + s * e;
    }
  }
  return { x, y, mi: opts.mi, rho };
}

function checkN(n: number, fn: string): void {
  if (!Number.isInteger(n) || n < 2) {
    throw new DomainError({ fn, arg: "n", expected: "an integer ≥ 2", got: String(n) });
  }
}

/** Standard normal CDF Φ(z) = ½(1 + erf(z/√2)) (lib/core erf; maps parameters into [0, 1] for rendering). */
function normalCdf(z: number): number {
  return 0.5 * (1 + erf(z / Math.SQRT2));
}

/** Image family of {@linkcode gaussianImages}. */
export type ImageKind = "bump" | "rectangle";

/** Options of {@linkcode gaussianImages}. */
export interface GaussianImagesOptions {
  /** True MI in nats. @default 1 */
  mi: number;
  /** `"bump"` (2 coordinates per image) or `"rectangle"` (4 coordinates). @default "bump" */
  kind: ImageKind;
  /** Image side in pixels. @default 32 */
  size: number;
  /** Seed. @default 0 */
  seed: number;
}

/** Defaults of {@linkcode gaussianImages}. */
export const GAUSSIAN_IMAGES_DEFAULTS: Readonly<GaussianImagesOptions> = Object.freeze({
  mi: 1,
  kind: "bump",
  size: 32,
  seed: 0,
});

/** Images with known MI and the Gaussian parameters behind them. */
export interface KnownMiImages extends KnownMiSample {
  /** The Gaussian coordinates of x (N×2 or N×4). */
  readonly xParams: Matrix;
  /** The Gaussian coordinates of y. */
  readonly yParams: Matrix;
  /** Image side. */
  readonly size: number;
}

/**
 * Images with known MI (card E4, Butakov et al. 2024): correlated Gaussian parameters (ξ, η) with I = `mi`
 * split over 2 (bump) or 4 (rectangle) coordinate pairs, mapped through Φ to [0, 1] and rendered into
 * size×size images, x from ξ and y from η. Bump: pixel (u, v) ∈ [0, 1]² has intensity
 * exp(−10((u − c₁)² + (v − c₂)²)), c = Φ(ξ). Rectangle (this toolkit's variant of P3's rasterised
 * rectangles, with anti-aliased edges so that the map stays injective): corners x₀ = Φ₁·(S − 2),
 * x₁ = x₀ + 2 + Φ₂·(S − 2 − x₀) (same for y with Φ₃, Φ₄), pixel value = covered fraction of the pixel.
 *
 * @param n number of images per variable
 * @param options `mi` (1), `kind` ("bump"), `size` (32), `seed`
 * @returns x, y (N×size² row-major images), true MI, and the Gaussian parameters
 * @throws {ParsimonyError} for n < 2, mi < 0, size < 4
 * @example
 * ```ts
 * import { gaussianImages } from "@parsimony/parsimony/info";
 * const s = gaussianImages(10, { mi: 2, size: 16 });
 * s.x.cols; // => 256
 * ```
 */
export function gaussianImages(n: number, options: Partial<GaussianImagesOptions> = {}): KnownMiImages {
  const fn = "gaussianImages";
  const opts = resolveOptions(fn, GAUSSIAN_IMAGES_DEFAULTS, options, {
    mi: { kind: "number", min: 0 },
    kind: { kind: "enum", values: ["bump", "rectangle"] },
    size: { kind: "number", min: 4, integer: true },
    seed: { kind: "number", min: 0, integer: true },
  });
  checkN(n, fn);
  const dims = opts.kind === "bump" ? 2 : 4;
  const g = correlatedGaussian(n, { mi: opts.mi, dims, seed: opts.seed });
  const S = opts.size;
  const render = (P: Matrix): Matrix => {
    const out = new Matrix(n, S * S);
    const img = new Float64Array(S * S);
    for (let i = 0; i < n; i++) {
      const u = Array.from(P.row(i), normalCdf);
      if (opts.kind === "bump") drawBump(img, S, u[0], u[1]);
      else drawRect(img, S, u);
      out.data.set(img, i * S * S);
    }
    return out;
  };
  return { x: render(g.x), y: render(g.y), mi: g.mi, rho: g.rho, xParams: g.x, yParams: g.y, size: S };
}

function drawBump(img: Float64Array, S: number, c1: number, c2: number): void {
  for (let r = 0; r < S; r++) {
    const v = r / (S - 1);
    for (let c = 0; c < S; c++) {
      const u = c / (S - 1);
      img[r * S + c] = Math.exp(-10 * ((u - c1) ** 2 + (v - c2) ** 2));
    }
  }
}

function drawRect(img: Float64Array, S: number, u: number[]): void {
  const x0 = u[0] * (S - 2), x1 = x0 + 2 + u[1] * (S - 2 - x0);
  const y0 = u[2] * (S - 2), y1 = y0 + 2 + u[3] * (S - 2 - y0);
  const cover = (a: number, b: number, p: number) => Math.max(0, Math.min(b, p + 1) - Math.max(a, p));
  for (let r = 0; r < S; r++) {
    const cy = cover(y0, y1, r);
    for (let c = 0; c < S; c++) img[r * S + c] = cy * cover(x0, x1, c);
  }
}

/** Options of {@linkcode sztData}. */
export interface SztDataOptions {
  /** Seed choosing which 5/6/7-ones patterns get label 1. @default 0 */
  seed: number;
}

/** The Shwartz-Ziv–Tishby binary task. */
export interface SztData {
  /** 4096×12 matrix of all 12-bit patterns (entries 0/1), pattern i = binary digits of i, most significant first. */
  readonly x: Matrix;
  /** Labels 0/1, one per pattern. */
  readonly y: Int32Array;
  /** Fraction of label 1 (2118/4096 = 0.51709, as the original file). */
  readonly pY1: number;
}

/**
 * A faithful simulation of the Shwartz-Ziv & Tishby (2017) information-plane task (`var_u.mat`, used by
 * Saxe et al. 2018 and Chelombiev et al. 2019; card §8): all 4096 distinct 12-bit patterns; label 0 when
 * the pattern has ≤ 4 ones, 1 when it has ≥ 8, and for 5/6/7 ones exactly 60/532/732 of the 792/924/792
 * patterns (seeded choice) get label 1 — the file's empirical rates 0.076/0.576/0.924 — so that
 * p(y = 1) = 2118/4096 = 0.51709 and H(Y) = 0.9991571 bits as in the file. The original file's rule is
 * a spherical-harmonic threshold; only these group rates are matched, not the exact labelling.
 *
 * @param options `seed`
 * @returns the 4096 patterns and their labels
 * @throws {ParsimonyError} for an invalid seed
 * @example
 * ```ts
 * import { sztData } from "@parsimony/parsimony/info";
 * const d = sztData({ seed: 0 });
 * d.x.rows; // => 4096
 * d.pY1; // => 0.51708984375
 * ```
 */
export function sztData(options: Partial<SztDataOptions> = {}): SztData {
  const opts = resolveOptions("sztData", { seed: 0 }, options, { seed: { kind: "number", min: 0, integer: true } });
  const x = new Matrix(4096, 12);
  const y = new Int32Array(4096);
  const groups: number[][] = [[], [], []];
  for (let i = 0; i < 4096; i++) {
    let ones = 0;
    for (let b = 0; b < 12; b++) {
      const bit = (i >> (11 - b)) & 1;
      x.data[i * 12 + b] = bit;
      ones += bit;
    }
    if (ones >= 8) y[i] = 1;
    else if (ones >= 5) groups[ones - 5].push(i);
  }
  const take = [60, 532, 732];
  const r = new Rng(opts.seed);
  groups.forEach((g, k) => {
    const pick = r.choice(g.length, take[k], { replace: false });
    for (const p of pick) y[g[p]] = 1;
  });
  let n1 = 0;
  for (let i = 0; i < 4096; i++) n1 += y[i];
  return { x, y, pY1: n1 / 4096 };
}
