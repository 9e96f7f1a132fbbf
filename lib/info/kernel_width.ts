/**
 * Kernel-width (σ) rules for the Gaussian kernels of the Cauchy–Schwarz estimators (method card A4),
 * and a σ-sweep helper (reviewers of Yu et al. 2024 asked for σ-sensitivity).
 *
 * | rule | σ |
 * |---|---|
 * | a number | that σ (the released CS-IB code uses σ = 1 everywhere) |
 * | `"medianDist"` | median over i < j of ‖z_i − z_j‖ (Euclidean, not squared) |
 * | `"silverman"` | ŝ·(4/((d+2)N))^{1/(d+4)} |
 * | `"scott"` | ŝ·N^{−1/(d+4)} |
 * | `"releasedCode"` | 10 × median of the *squared* distances, floored at 0.01 (the CS-IB repository's `sigma_estimation`) |
 *
 * ŝ = √(mean over the d columns of the sample variance, ddof 1); for z-scored data ŝ = 1.
 *
 * @module
 */

import { DomainError, OptionError } from "../core/errors.ts";
import { Matrix } from "../core/matrix.ts";
import { variance } from "../core/reduce.ts";
import { Rng } from "../core/rng.ts";
import { type ConstraintTable, resolveOptions } from "../core/validate.ts";
import { toSamples } from "./_input.ts";
import type { InfoEstimate, SampleLike, Unit } from "./result.ts";

/** A kernel-width rule name (card A4). */
export type KernelWidthRuleName = "medianDist" | "silverman" | "scott" | "releasedCode";

/** A fixed σ > 0 or the name of a data-dependent rule. */
export type KernelWidthRule = number | KernelWidthRuleName;

/** The rule names, for option validation and notebooks. */
export const KERNEL_WIDTH_RULES: readonly KernelWidthRuleName[] = Object.freeze(
  [
    "medianDist",
    "silverman",
    "scott",
    "releasedCode",
  ] as const,
);

/** Options of {@linkcode kernelWidth}. */
export interface KernelWidthOptions {
  /** Median rules use at most this many samples (a seeded subsample above it). @default 1000 */
  maxSamples: number;
  /** Seed of the subsample (only used when N > maxSamples). @default 0 */
  seed: number;
}

/** Defaults of {@linkcode kernelWidth}. */
export const KERNEL_WIDTH_DEFAULTS: Readonly<KernelWidthOptions> = Object.freeze({ maxSamples: 1000, seed: 0 });

const KW_CONSTRAINTS: ConstraintTable<KernelWidthOptions> = {
  maxSamples: { kind: "number", min: 2, integer: true },
  seed: { kind: "number", min: 0, integer: true },
};

/**
 * Resolve a Gaussian kernel width σ for the samples `z` (card A4).
 *
 * @param z N×d samples (a vector is N×1); apply the rule after z-scoring if that is what you want
 * @param rule a fixed σ > 0, or `"medianDist" | "silverman" | "scott" | "releasedCode"`
 * @param options `maxSamples` (median rules) and `seed`
 * @returns σ > 0
 * @throws {ParsimonyError} for N < 2, non-finite samples, an unknown rule, σ ≤ 0, or when every pair coincides
 * (median rule 0)
 * @example
 * ```ts
 * import { kernelWidth } from "@parsimony/parsimony/info";
 * kernelWidth([0, 1, 3], "medianDist"); // => 2 (distances 1, 3, 2)
 * kernelWidth([0, 1, 3], 0.5); // => 0.5
 * ```
 */
export function kernelWidth(z: SampleLike, rule: KernelWidthRule, options: Partial<KernelWidthOptions> = {}): number {
  const fn = "kernelWidth";
  const opts = resolveOptions(fn, KERNEL_WIDTH_DEFAULTS, options, KW_CONSTRAINTS);
  const Z = toSamples(z, fn, "z");
  return resolveWidth(Z, rule, fn, "rule", opts);
}

/** Resolve a rule on an already validated matrix; `arg` names the option in errors. */
export function resolveWidth(
  Z: Matrix,
  rule: unknown,
  fn: string,
  arg: string,
  opts: Readonly<KernelWidthOptions> = KERNEL_WIDTH_DEFAULTS,
): number {
  if (typeof rule === "number") {
    if (!(rule > 0) || !Number.isFinite(rule)) {
      throw new DomainError({ fn, arg, expected: "a finite σ > 0 or a rule name", got: String(rule) });
    }
    return rule;
  }
  const N = Z.rows, d = Z.cols;
  switch (rule) {
    case "silverman":
      return spread(Z, fn, arg) * Math.pow(4 / ((d + 2) * N), 1 / (d + 4));
    case "scott":
      return spread(Z, fn, arg) * Math.pow(N, -1 / (d + 4));
    case "medianDist": {
      const m = medianSqDist(subsample(Z, opts), false, true);
      if (!(m > 0)) {
        throw new DomainError({
          fn,
          arg,
          expected: "a rule giving σ > 0",
          got: "median distance 0",
          hint: "Most samples coincide; pass a fixed σ",
        });
      }
      return m;
    }
    case "releasedCode": {
      // sigma_estimation(x, x): median of squared distances among cat([x, x]) (lower triangle,
      // which includes the N zero distances between the copies); mean if the median is 0; floor 1e-2; × 10.
      const S = subsample(Z, opts);
      let med = medianSqDist(S, true);
      if (med <= 0) med = meanSqDistDoubled(S);
      if (med < 1e-2) med = 1e-2;
      return 10 * med;
    }
    default:
      throw new OptionError({
        fn,
        arg,
        expected: `a number σ > 0 or one of ${KERNEL_WIDTH_RULES.map((r) => JSON.stringify(r)).join(", ")}`,
        got: typeof rule === "string" ? JSON.stringify(rule) : String(rule),
      });
  }
}

function spread(Z: Matrix, fn: string, arg: string): number {
  let s = 0;
  for (let j = 0; j < Z.cols; j++) s += variance(Z.col(j), 1);
  const r = Math.sqrt(s / Z.cols);
  if (!(r > 0)) throw new DomainError({ fn, arg, expected: "a rule giving σ > 0", got: "zero sample variance" });
  return r;
}

function subsample(Z: Matrix, opts: Readonly<KernelWidthOptions>): Matrix {
  if (Z.rows <= opts.maxSamples) return Z;
  const idx = new Rng(opts.seed).choice(Z.rows, opts.maxSamples, { replace: false });
  const out = new Matrix(idx.length, Z.cols);
  for (let r = 0; r < idx.length; r++) out.data.set(Z.row(idx[r]), r * Z.cols);
  return out;
}

/**
 * Median of the squared pairwise distances over i < j (of the distances with `root`); `doubled` mimics
 * cat([z, z]).
 */
function medianSqDist(Z: Matrix, doubled: boolean, root = false): number {
  const n = Z.rows, d = Z.cols, x = Z.data;
  const m = n * (n - 1) / 2;
  const vals = new Float64Array(doubled ? 4 * m + n : m);
  let p = 0;
  for (let i = 1; i < n; i++) {
    for (let j = 0; j < i; j++) {
      let s = 0;
      for (let c = 0; c < d; c++) {
        const t = x[i * d + c] - x[j * d + c];
        s += t * t;
      }
      vals[p++] = root ? Math.sqrt(s) : s;
    }
  }
  if (doubled) {
    // Pairs (copy_i, orig_j) for all i, j: the m off-diagonal values twice more plus n zeros; and
    // (copy_i, copy_j) once more: 4m + n values in all.
    const base = p;
    for (let q = 0; q < base; q++) {
      vals[p++] = vals[q];
      vals[p++] = vals[q];
      vals[p++] = vals[q];
    }
    for (let i = 0; i < n; i++) vals[p++] = 0;
  }
  vals.sort();
  const L = vals.length;
  return L % 2 === 1 ? vals[(L - 1) / 2] : 0.5 * (vals[L / 2 - 1] + vals[L / 2]);
}

function meanSqDistDoubled(Z: Matrix): number {
  const n = Z.rows, d = Z.cols, x = Z.data;
  let s = 0;
  for (let i = 1; i < n; i++) {
    for (let j = 0; j < i; j++) {
      let q = 0;
      for (let c = 0; c < d; c++) {
        const t = x[i * d + c] - x[j * d + c];
        q += t * t;
      }
      s += q;
    }
  }
  const m = n * (n - 1) / 2;
  return (4 * s) / (4 * m + n);
}

/** Result of {@linkcode sigmaSweep}: one estimate per σ. */
export interface SigmaSweepResult {
  /** The kernel widths, in the order given. */
  readonly sigma: Float64Array;
  /** The estimate at each σ. */
  readonly value: Float64Array;
  /** Unit of `value` (that of the first estimate). */
  readonly unit: Unit;
  /** The full estimates. */
  readonly estimates: readonly InfoEstimate[];
}

/**
 * Evaluate an estimator over a grid of kernel widths (σ-sensitivity study, card A4).
 *
 * @param sigmas kernel widths, each > 0
 * @param estimate called once per σ; returns any estimate of this module
 * @returns the σ grid and the estimates
 * @throws {ParsimonyError} if a σ is not finite and > 0, or if the estimates mix units
 * @example
 * ```ts
 * import { csQmi, sigmaSweep } from "@parsimony/parsimony/info";
 * const x = [0, 1, 2, 3], t = [0, 1, 2, 4];
 * const s = sigmaSweep([0.5, 1, 2], (sigma) => csQmi(x, t, { sigmaX: sigma, sigmaT: sigma }));
 * s.value.length; // => 3
 * ```
 */
export function sigmaSweep(sigmas: ArrayLike<number>, estimate: (sigma: number) => InfoEstimate): SigmaSweepResult {
  const fn = "sigmaSweep";
  if (typeof estimate !== "function") {
    throw new OptionError({ fn, arg: "estimate", expected: "a function (sigma) => estimate", got: typeof estimate });
  }
  const s = Float64Array.from(sigmas);
  if (s.length === 0) throw new DomainError({ fn, arg: "sigmas", expected: "at least one σ", got: "length 0" });
  for (let i = 0; i < s.length; i++) {
    if (!(s[i] > 0) || !Number.isFinite(s[i])) {
      throw new DomainError({ fn, arg: `sigmas[${i}]`, expected: "finite and > 0", got: String(s[i]) });
    }
  }
  const estimates: InfoEstimate[] = [];
  const value = new Float64Array(s.length);
  for (let i = 0; i < s.length; i++) {
    const e = estimate(s[i]);
    if (estimates.length > 0 && e.unit !== estimates[0].unit) {
      throw new DomainError({
        fn,
        arg: "estimate",
        expected: "estimates in one unit",
        got: `${estimates[0].unit} and ${e.unit}`,
      });
    }
    estimates.push(e);
    value[i] = e.value;
  }
  return { sigma: s, value, unit: estimates[0].unit, estimates };
}
