/**
 * Information-plane estimators for a layer of a deterministic network by binning its activations:
 * entropy-based adaptive binning (EBAB; Chelombiev, Houghton & O'Donnell, ICLR 2019; card A9) and the
 * fixed-width baselines (Shwartz-Ziv & Tishby 2017: 30 edges on [−1, 1]; Saxe et al. 2018: width 0.07).
 *
 * EBAB pools every unit of the layer, takes the sorted unique activation values u (excluding the lower
 * edge `low`) and places the edges E = [low] ∪ {u[⌊k·|u|/B⌋] : k = 0..B−1} ∪ {max u}: each bin holds the
 * same number of unique values (not of samples). Each activation v is replaced by the largest edge ≤ v
 * (values below `low` are clamped into the first bin; the released code wraps them to the top edge), a
 * row of binned values is one symbol τ_i, and
 * I(X; T) = H(T) − Σ_x p(x) H(T | X = x) (= H(T) when all inputs are distinct),
 * I(T; Y) = H(T) − Σ_c p_c H(T | Y = c), plug-in entropies.
 *
 * These numbers measure the clustering of T at the chosen resolution, not a resolution-free quantity:
 * for a deterministic network with distinct inputs I(X; T) = H(T) ≤ log N (card §1).
 * The released code casts edges and activations to f32; this implementation stays in f64.
 *
 * @module
 */

import { DomainError } from "../core/errors.ts";
import { type ConstraintTable, resolveOptions } from "../core/validate.ts";
import { toSamples } from "./_input.ts";
import { AB_CONSTRAINTS, digitizeEdges, layerInfo, resolveLow } from "./_layer_info.ts";
import type { InfoEstimate, LabelLike, SampleLike, Unit } from "./result.ts";
import { UNITS } from "./result.ts";

export { EBAB_LOW_TANH } from "./_layer_info.ts";

/** Options of {@linkcode adaptiveBinningMi}. */
export interface AdaptiveBinningOptions {
  /** Number of equal-unique-count bins B. @default 30 (repository default) */
  bins: number;
  /**
   * Lower edge: a number, or `"auto"` = −1.000001 ({@linkcode EBAB_LOW_TANH}) if any activation is negative,
   * else 0 — the code's choice for tanh/ELU and ReLU/softplus layers. @default "auto"
   */
  low: number | "auto";
  /** Input-pattern ids (equal ids = same x) when inputs repeat; omitted ⇒ all inputs distinct. @default null */
  inputIds: LabelLike | null;
  /** Unit (the paper reports bits). @default "nats" */
  unit: Unit;
}

/** Defaults of {@linkcode adaptiveBinningMi}. */
export const ADAPTIVE_BINNING_DEFAULTS: Readonly<AdaptiveBinningOptions> = Object.freeze({
  bins: 30,
  low: "auto",
  inputIds: null,
  unit: "nats",
});

/** Parameters of a binned layer estimate. */
export interface LayerBinningParams {
  /** Binning scheme. */
  readonly scheme: "ebab" | "fixed" | "width";
  /** Number of bins (EBAB B, or fixed edges count); the bin width for `"width"`. */
  readonly bins: number;
  /** Edges used (empty for `"width"`). */
  readonly edges: Float64Array;
  /** Lower edge (EBAB) or range start. */
  readonly low: number;
  /** Distinct binned activation levels that occur. */
  readonly levels: number;
  /** Distinct row patterns τ (occupied cells of T). */
  readonly patterns: number;
  /** Whether input ids were given (else all inputs are taken as distinct). */
  readonly inputIds: boolean;
}

/** A layer's information-plane point: `value` = I(X; T), plus I(T; Y) and H(T). */
export interface LayerMiResult<P = LayerBinningParams> extends InfoEstimate<P> {
  /** I(T; Y) when labels were given, else `null`. */
  readonly ity: number | null;
  /** H(T) of the binned layer. */
  readonly hT: number;
}

/**
 * Entropy-based adaptive binning (EBAB) information-plane point of one layer (Chelombiev et al. 2019;
 * card A9): equal-unique-count edges pooled over the layer, then plug-in I(X; T) and I(T; Y).
 * Strictly increasing maps g with g(low) = low leave the result unchanged (rank-based edges).
 *
 * @param t N×units activations of the layer (all N inputs)
 * @param labels N class labels for I(T; Y), or `null`
 * @param options `bins` (30), `low` ("auto"), `inputIds` (null), `unit`
 * @returns I(X; T) as `value`, `ity`, `hT`, with the edges used
 * @throws {ParsimonyError} for N < 2, non-finite activations, mismatched label lengths, bins < 1
 * @example
 * ```ts
 * import { adaptiveBinningMi } from "@parsimony/parsimony/info";
 * const t = [[0.1, 0.9], [0.2, 0.8], [0.7, 0.1], [0.9, 0.3]];
 * const r = adaptiveBinningMi(t, [0, 0, 1, 1], { unit: "bits" });
 * r.value; // => 2 (four distinct patterns: H(T) = log2 4)
 * r.ity; // => 1
 * ```
 */
export function adaptiveBinningMi(
  t: SampleLike,
  labels: LabelLike | null = null,
  options: Partial<AdaptiveBinningOptions> = {},
): LayerMiResult {
  const fn = "adaptiveBinningMi";
  const opts = resolveOptions(fn, ADAPTIVE_BINNING_DEFAULTS, options, AB_CONSTRAINTS);
  const T = toSamples(t, fn, "t");
  const low = resolveLow(fn, T, opts.low);
  const edges = ebabEdges(T.data, opts.bins, low);
  return layerInfo(fn, T, digitizeEdges(T.data, edges), labels, opts.inputIds, opts.unit, {
    scheme: "ebab",
    bins: opts.bins,
    edges,
    low,
  });
}

/**
 * EBAB edges (strictly increasing after removing repeats): [low] ∪ {u[⌊k·(|u|/B)⌋]} ∪ {max u}, u the sorted
 * unique values ≠ low. The index is computed as the released code does, int(k * (|u| / B)).
 */
export function ebabEdges(values: ArrayLike<number>, bins: number, low: number): Float64Array {
  const s = Float64Array.from(values).sort();
  const u: number[] = [];
  for (let i = 0; i < s.length; i++) if (s[i] !== low && (u.length === 0 || s[i] !== u[u.length - 1])) u.push(s[i]);
  const e: number[] = [low];
  if (u.length > 0) {
    for (let k = 0; k < bins; k++) e.push(u[Math.trunc(k * (u.length / bins))]);
    e.push(u[u.length - 1]);
  }
  // sorted already (low below every u when low ≤ min); sort anyway for an explicit low above some values
  e.sort((a, b) => a - b);
  const out: number[] = [];
  for (const v of e) if (out.length === 0 || v !== out[out.length - 1]) out.push(v);
  return Float64Array.from(out);
}

/** Options of {@linkcode fixedBinningMi}. */
export interface FixedBinningOptions {
  /** Number of equally spaced edges (IDNNs: `linspace(lo, hi, 30)`). @default 30 */
  bins: number;
  /** Edge range: `[lo, hi]`, or `"zeroToMax"` = [0, max activation of the layer]. @default [-1, 1] */
  range: readonly [number, number] | "zeroToMax";
  /** If set, Saxe et al.'s binning ⌊v / binWidth⌋ instead of edges (0.07 in their code). @default null */
  binWidth: number | null;
  /** Input-pattern ids when inputs repeat. @default null */
  inputIds: LabelLike | null;
  /** Unit. @default "nats" */
  unit: Unit;
}

/** Defaults of {@linkcode fixedBinningMi}. */
export const FIXED_BINNING_DEFAULTS: Readonly<FixedBinningOptions> = Object.freeze({
  bins: 30,
  range: Object.freeze([-1, 1] as const),
  binWidth: null,
  inputIds: null,
  unit: "nats",
});

const FB_CONSTRAINTS: ConstraintTable<FixedBinningOptions> = {
  bins: { kind: "number", min: 2, integer: true },
  range: { kind: "any" },
  binWidth: { kind: "any" },
  inputIds: { kind: "any" },
  unit: { kind: "enum", values: UNITS },
};

/**
 * Fixed-width binning baseline of the information plane (Shwartz-Ziv & Tishby 2017; Saxe et al. 2018;
 * card A9): edges `linspace(lo, hi, bins)` with each activation replaced by the largest edge ≤ v (values
 * below lo clamped into the first bin), or ⌊v / binWidth⌋. On [−1, 1] every ReLU activation above 1
 * collapses into the last bin (the IDNNs issue #12 mis-binning).
 *
 * @param t N×units activations
 * @param labels N class labels for I(T; Y), or `null`
 * @param options `bins` (30), `range` ([−1, 1]), `binWidth` (null), `inputIds`, `unit`
 * @returns I(X; T) as `value`, `ity`, `hT`
 * @throws {ParsimonyError} for bad shapes, non-finite values, an empty range or binWidth ≤ 0
 * @example
 * ```ts
 * import { fixedBinningMi } from "@parsimony/parsimony/info";
 * fixedBinningMi([[1.5], [2.5], [3.5]], null, { unit: "bits" }).value; // => 0 (all above 1: one bin)
 * ```
 */
export function fixedBinningMi(
  t: SampleLike,
  labels: LabelLike | null = null,
  options: Partial<FixedBinningOptions> = {},
): LayerMiResult {
  const fn = "fixedBinningMi";
  const opts = resolveOptions(fn, FIXED_BINNING_DEFAULTS, options, FB_CONSTRAINTS);
  const T = toSamples(t, fn, "t");
  const v = T.data;
  if (opts.binWidth !== null) {
    const w = opts.binWidth;
    if (typeof w !== "number" || !(w > 0) || !Number.isFinite(w)) {
      throw new DomainError({ fn, arg: "options.binWidth", expected: "null or a finite number > 0", got: String(w) });
    }
    const codes = new Float64Array(v.length);
    for (let i = 0; i < v.length; i++) codes[i] = Math.floor(v[i] / w);
    return layerInfo(fn, T, codes, labels, opts.inputIds, opts.unit, {
      scheme: "width",
      bins: w,
      edges: new Float64Array(0),
      low: 0,
    });
  }
  let lo: number, hi: number;
  if (opts.range === "zeroToMax") {
    lo = 0;
    hi = -Infinity;
    for (let i = 0; i < v.length; i++) if (v[i] > hi) hi = v[i];
  } else if (Array.isArray(opts.range) && opts.range.length === 2) {
    [lo, hi] = opts.range as [number, number];
  } else {
    throw new DomainError({ fn, arg: "options.range", expected: '[lo, hi] or "zeroToMax"', got: String(opts.range) });
  }
  if (!(Number.isFinite(lo) && Number.isFinite(hi) && hi > lo)) {
    throw new DomainError({ fn, arg: "options.range", expected: "finite lo < hi", got: `[${lo}, ${hi}]` });
  }
  const B = opts.bins;
  const edges = new Float64Array(B);
  for (let k = 0; k < B; k++) edges[k] = k === B - 1 ? hi : lo + k * ((hi - lo) / (B - 1)); // numpy.linspace arithmetic
  return layerInfo(fn, T, digitizeEdges(v, edges), labels, opts.inputIds, opts.unit, {
    scheme: "fixed",
    bins: B,
    edges,
    low: lo,
  });
}
