/**
 * Pieces of the plug-in binning estimators shared by the CPU path (`binned.ts`, `ebab.ts`) and the GPU
 * path (`binned_gpu.ts`): the option table, the per-column bin rules, and the result builders, so both
 * paths bin with the same arithmetic and finish with the same code. Private to lib/info.
 *
 * @module
 */

import type { ConstraintTable } from "../core/validate.ts";
import type { BinnedEntropyParams, BinnedMiParams, BinnedOptions } from "./binned.ts";
import { plugInEntropy, type PlugInMi } from "./_symbols.ts";
import { fromNats, type InfoEstimate, UNITS } from "./result.ts";

/** Option constraints of the binned estimators. */
export const BINNED_CONSTRAINTS: ConstraintTable<BinnedOptions> = {
  bins: { kind: "number", min: 1, integer: true },
  strategy: { kind: "enum", values: ["uniform", "quantile", "discrete"] },
  correction: { kind: "enum", values: ["none", "millerMadow"] },
  unit: { kind: "enum", values: UNITS },
};

/** Equal-width bin of v in [lo, lo + w] (w > 0): ⌊((v − lo)/w)·B⌋, the top value clamped into bin B − 1. */
export function uniformCode(v: number, lo: number, w: number, bins: number): number {
  const b = Math.floor(((v - lo) / w) * bins);
  return b >= bins ? bins - 1 : b;
}

/** Min and max of a column. */
export function columnRange(col: ArrayLike<number>): { lo: number; hi: number } {
  let lo = Infinity, hi = -Infinity;
  for (let i = 0; i < col.length; i++) {
    if (col[i] < lo) lo = col[i];
    if (col[i] > hi) hi = col[i];
  }
  return { lo, hi };
}

/** Inner edges at the k/B sample quantiles (linear interpolation) of a sorted column. */
export function quantileEdges(s: Float64Array, bins: number): Float64Array {
  const n = s.length;
  const edges = new Float64Array(Math.max(0, bins - 1));
  for (let k = 1; k < bins; k++) {
    const pos = (k / bins) * (n - 1);
    const f = Math.floor(pos), g = pos - f;
    edges[k - 1] = f + 1 < n ? s[f] + g * (s[f + 1] - s[f]) : s[f];
  }
  return edges;
}

/** Number of edges ≤ v (edges ascending). */
export function countEdgesBelow(edges: Float64Array, v: number): number {
  let lo = 0, hi = edges.length;
  while (lo < hi) {
    const m = (lo + hi) >> 1;
    if (edges[m] <= v) lo = m + 1;
    else hi = m;
  }
  return lo;
}

/** The entropy result from symbol counts in order of first appearance. */
export function binnedEntropyResult(
  opts: BinnedOptions,
  n: number,
  counts: ArrayLike<number>,
): InfoEstimate<BinnedEntropyParams> {
  const { h, occupied } = plugInEntropy(counts, n);
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

/** The MI result from the plug-in tables. */
export function binnedMiResult(opts: BinnedOptions, n: number, r: PlugInMi): InfoEstimate<BinnedMiParams> {
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
