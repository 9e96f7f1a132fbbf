/**
 * Pieces of the layer binning estimators (EBAB, fixed-width) shared by the CPU path (`ebab.ts`) and the
 * GPU path (`binned_gpu.ts`): option table, lower-edge rule, digitisation against edges, and the
 * plug-in information of the binned layer. Private to lib/info.
 *
 * @module
 */

import { DomainError } from "../core/errors.ts";
import type { Matrix } from "../core/matrix.ts";
import type { ConstraintTable } from "../core/validate.ts";
import type { AdaptiveBinningOptions, LayerMiResult } from "./ebab.ts";
import { toLabels } from "./_input.ts";
import { plugInEntropy, plugInMi, rowSymbols, symbolCounts } from "./_symbols.ts";
import { fromNats, type LabelLike, type Unit, UNITS } from "./result.ts";

/** Lower edge the released EBAB code uses for tanh and ELU layers. */
export const EBAB_LOW_TANH = -1.000001;

/** Option constraints of `adaptiveBinningMi` / `adaptiveBinningMiAsync`. */
export const AB_CONSTRAINTS: ConstraintTable<AdaptiveBinningOptions> = {
  bins: { kind: "number", min: 1, integer: true },
  low: { kind: "any" },
  inputIds: { kind: "any" },
  unit: { kind: "enum", values: UNITS },
};

/** The EBAB lower edge: a finite number, or "auto" = −1.000001 when any activation is negative, else 0. */
export function resolveLow(fn: string, T: Matrix, low: number | "auto"): number {
  if (low === "auto") {
    let mn = Infinity;
    for (let i = 0; i < T.data.length; i++) if (T.data[i] < mn) mn = T.data[i];
    return mn < 0 ? EBAB_LOW_TANH : 0;
  }
  if (typeof low === "number" && Number.isFinite(low)) return low;
  throw new DomainError({ fn, arg: "options.low", expected: 'a finite number or "auto"', got: String(low) });
}

/** Index of the largest edge ≤ v for each value (values below the first edge go to bin 0). */
export function digitizeEdges(values: Float64Array, edges: Float64Array): Float64Array {
  const out = new Float64Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    let lo = 0, hi = edges.length;
    while (lo < hi) {
      const m = (lo + hi) >> 1;
      if (edges[m] <= v) lo = m + 1;
      else hi = m;
    }
    out[i] = lo === 0 ? 0 : lo - 1;
  }
  return out;
}

/**
 * Plug-in H(T), I(X; T) and I(T; Y) of a binned layer from its per-entry codes (row pattern = symbol);
 * `levelCount` = number of distinct codes when already known (the GPU's level histogram).
 */
export function layerInfo(
  fn: string,
  T: Matrix,
  codes: Float64Array,
  labels: LabelLike | null,
  inputIds: LabelLike | null,
  unit: Unit,
  p: { scheme: "ebab" | "fixed" | "width"; bins: number; edges: Float64Array; low: number },
  levelCount?: number,
): LayerMiResult {
  const n = T.rows;
  let levels = levelCount;
  if (levels === undefined) {
    const seen = new Set<number>();
    for (let i = 0; i < codes.length; i++) seen.add(codes[i]);
    levels = seen.size;
  }
  const tau = rowSymbols(codes, n, T.cols);
  const hT = plugInEntropy(symbolCounts(tau.ids, tau.count), n).h;
  let ixt = hT;
  if (inputIds !== null && inputIds !== undefined) {
    const xi = toLabels(inputIds, fn, "options.inputIds", n);
    ixt = plugInMi(tau.ids, tau.count, xi.codes, xi.counts.length).mi;
  }
  let ity: number | null = null;
  if (labels !== null && labels !== undefined) {
    const yl = toLabels(labels, fn, "labels", n);
    ity = fromNats(plugInMi(tau.ids, tau.count, yl.codes, yl.counts.length).mi, unit);
  }
  return {
    value: fromNats(ixt, unit),
    unit,
    n,
    ity,
    hT: fromNats(hT, unit),
    params: { ...p, levels, patterns: tau.count, inputIds: inputIds !== null && inputIds !== undefined },
  };
}
