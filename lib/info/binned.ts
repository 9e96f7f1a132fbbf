/**
 * Plug-in (histogram) entropy and mutual information with the Miller–Madow bias correction (card A12).
 *
 * Each column is discretised on its own (equal-width bins over [min, max], equal-frequency bins at the
 * sample quantiles, or the values taken as labels), a row's tuple of bin indices is one symbol, and
 * Ĥ = −Σ p̂ log p̂, Î = Σ_ab (n_ab/N) log(N n_ab/(n_a n_b)). Miller–Madow adds (m̂ − 1)/(2N) to each
 * entropy (m̂ = occupied cells), i.e. [(m̂_x − 1) + (m̂_y − 1) − (m̂_xy − 1)]/(2N) to Î. With
 * `strategy: "discrete"` and no correction, `binnedMi` equals scikit-learn's `mutual_info_score`.
 *
 * @module
 */

import type { Matrix } from "../core/matrix.ts";
import { type ConstraintTable, resolveOptions } from "../core/validate.ts";
import { assertSameRows, toSamples } from "./_input.ts";
import { plugInEntropy, plugInMi, rowSymbols, symbolCounts } from "./_symbols.ts";
import { fromNats, type InfoEstimate, type SampleLike, type Unit, UNITS } from "./result.ts";

/** How columns are discretised. */
export type BinningStrategy = "uniform" | "quantile" | "discrete";

/** Bias correction of plug-in entropies. */
export type EntropyCorrection = "none" | "millerMadow";

/** Options of {@linkcode binnedEntropy} and {@linkcode binnedMi}. */
export interface BinnedOptions {
  /** Bins per column (ignored for `"discrete"`). @default 10 */
  bins: number;
  /** Equal-width (`"uniform"`), equal-frequency (`"quantile"`) or values as labels (`"discrete"`). @default "uniform" */
  strategy: BinningStrategy;
  /** `"millerMadow"` adds (m̂ − 1)/(2N) per entropy. @default "none" */
  correction: EntropyCorrection;
  /** Unit. @default "nats" */
  unit: Unit;
}

/** Defaults of the binned estimators. */
export const BINNED_DEFAULTS: Readonly<BinnedOptions> = Object.freeze({
  bins: 10,
  strategy: "uniform",
  correction: "none",
  unit: "nats",
});

const BINNED_CONSTRAINTS: ConstraintTable<BinnedOptions> = {
  bins: { kind: "number", min: 1, integer: true },
  strategy: { kind: "enum", values: ["uniform", "quantile", "discrete"] },
  correction: { kind: "enum", values: ["none", "millerMadow"] },
  unit: { kind: "enum", values: UNITS },
};

/** Resolved parameters of {@linkcode binnedEntropy}. */
export interface BinnedEntropyParams {
  /** Bins per column. */
  readonly bins: number;
  /** Discretisation. */
  readonly strategy: BinningStrategy;
  /** Correction. */
  readonly correction: EntropyCorrection;
  /** Occupied cells m̂. */
  readonly occupied: number;
  /** Uncorrected plug-in value, in the result's unit. */
  readonly plugIn: number;
}

/** Bin index of every entry, column by column (N×d codes). */
export function discretize(X: Matrix, bins: number, strategy: BinningStrategy): Float64Array {
  const n = X.rows, d = X.cols;
  const out = new Float64Array(n * d);
  for (let c = 0; c < d; c++) {
    const col = X.col(c);
    if (strategy === "discrete") {
      for (let i = 0; i < n; i++) out[i * d + c] = col[i];
      continue;
    }
    if (strategy === "uniform") {
      let lo = Infinity, hi = -Infinity;
      for (let i = 0; i < n; i++) {
        if (col[i] < lo) lo = col[i];
        if (col[i] > hi) hi = col[i];
      }
      const w = hi - lo;
      for (let i = 0; i < n; i++) {
        const b = w > 0 ? Math.floor(((col[i] - lo) / w) * bins) : 0;
        out[i * d + c] = b >= bins ? bins - 1 : b;
      }
      continue;
    }
    // quantile: inner edges at the k/B sample quantiles (linear interpolation), right-closed search
    const s = Float64Array.from(col).sort();
    const edges = new Float64Array(Math.max(0, bins - 1));
    for (let k = 1; k < bins; k++) {
      const pos = (k / bins) * (n - 1);
      const f = Math.floor(pos), g = pos - f;
      edges[k - 1] = f + 1 < n ? s[f] + g * (s[f + 1] - s[f]) : s[f];
    }
    for (let i = 0; i < n; i++) {
      let lo = 0, hi = edges.length; // number of edges ≤ v
      const v = col[i];
      while (lo < hi) {
        const m = (lo + hi) >> 1;
        if (edges[m] <= v) lo = m + 1;
        else hi = m;
      }
      out[i * d + c] = lo;
    }
  }
  return out;
}

/**
 * Plug-in (histogram) entropy of the discretised samples (card A12), optionally
 * Miller–Madow corrected: Ĥ_MM = Ĥ + (m̂ − 1)/(2N). E[Ĥ_plug-in] ≈ H − (m − 1)/(2N) (card T7).
 *
 * @param x N×d samples (a vector is N×1)
 * @param options `bins` (10), `strategy` ("uniform"), `correction` ("none"), `unit`
 * @returns the entropy of the binned variable (not a differential entropy)
 * @throws {ParsimonyError} for N < 2, non-finite values, bins < 1
 * @example
 * ```ts
 * import { binnedEntropy } from "@parsimony/parsimony/info";
 * binnedEntropy([0, 0, 1, 1], { strategy: "discrete", unit: "bits" }).value; // => 1
 * ```
 */
export function binnedEntropy(x: SampleLike, options: Partial<BinnedOptions> = {}): InfoEstimate<BinnedEntropyParams> {
  const fn = "binnedEntropy";
  const opts = resolveOptions(fn, BINNED_DEFAULTS, options, BINNED_CONSTRAINTS);
  const X = toSamples(x, fn, "x");
  const n = X.rows;
  const s = rowSymbols(discretize(X, opts.bins, opts.strategy), n, X.cols);
  const { h, occupied } = plugInEntropy(symbolCounts(s.ids, s.count), n);
  const v = opts.correction === "millerMadow" ? h + (occupied - 1) / (2 * n) : h;
  return {
    value: fromNats(v, opts.unit),
    unit: opts.unit,
    n,
    params: {
      bins: opts.bins,
      strategy: opts.strategy,
      correction: opts.correction,
      occupied,
      plugIn: fromNats(h, opts.unit),
    },
  };
}

/** Resolved parameters of {@linkcode binnedMi}. */
export interface BinnedMiParams {
  /** Bins per column. */
  readonly bins: number;
  /** Discretisation. */
  readonly strategy: BinningStrategy;
  /** Correction. */
  readonly correction: EntropyCorrection;
  /** Occupied cells of x, y and (x, y). */
  readonly occupiedX: number;
  /** Occupied cells of y. */
  readonly occupiedY: number;
  /** Occupied joint cells. */
  readonly occupiedXY: number;
  /** Uncorrected plug-in value, in the result's unit. */
  readonly plugIn: number;
}

/**
 * Plug-in mutual information of the discretised samples (card A12):
 * Î = Σ_ab (n_ab/N) log(N n_ab/(n_a n_b)), optionally Miller–Madow corrected. For independent variables
 * the plug-in bias is ≈ +(B_x − 1)(B_y − 1)/(2N).
 *
 * @param x N×dx samples
 * @param y N×dy samples
 * @param options `bins` (10), `strategy` ("uniform"), `correction` ("none"), `unit`
 * @returns Î with occupied-cell counts and the uncorrected value
 * @throws {ParsimonyError} for N < 2, mismatched rows, non-finite values, bins < 1
 * @example
 * ```ts
 * import { binnedMi } from "@parsimony/parsimony/info";
 * binnedMi([0, 0, 1, 1], [5, 5, 7, 7], { strategy: "discrete" }).value; // => Math.LN2
 * ```
 */
export function binnedMi(
  x: SampleLike,
  y: SampleLike,
  options: Partial<BinnedOptions> = {},
): InfoEstimate<BinnedMiParams> {
  const fn = "binnedMi";
  const opts = resolveOptions(fn, BINNED_DEFAULTS, options, BINNED_CONSTRAINTS);
  const X = toSamples(x, fn, "x");
  const Y = toSamples(y, fn, "y");
  assertSameRows(X, Y, fn, "x", "y");
  const n = X.rows;
  const a = rowSymbols(discretize(X, opts.bins, opts.strategy), n, X.cols);
  const b = rowSymbols(discretize(Y, opts.bins, opts.strategy), n, Y.cols);
  const r = plugInMi(a.ids, a.count, b.ids, b.count);
  const v = opts.correction === "millerMadow" ? r.mi + ((r.ma - 1) + (r.mb - 1) - (r.mab - 1)) / (2 * n) : r.mi;
  return {
    value: fromNats(v, opts.unit),
    unit: opts.unit,
    n,
    params: {
      bins: opts.bins,
      strategy: opts.strategy,
      correction: opts.correction,
      occupiedX: r.ma,
      occupiedY: r.mb,
      occupiedXY: r.mab,
      plugIn: fromNats(r.mi, opts.unit),
    },
  };
}
