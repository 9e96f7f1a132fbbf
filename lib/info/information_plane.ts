/**
 * Information plane (Shwartz-Ziv & Tishby 2017; Saxe et al. 2018; Chelombiev et al. 2019; card §1, A7–A9):
 * for every recorded epoch and every layer ℓ, the point (I(X; T_ℓ), I(T_ℓ; Y)) from one estimator.
 *
 * Input is a list of snapshots — the activations of each layer on the same N inputs at one epoch — so any
 * model can feed it (record them during training, e.g. with `layerActivations` of an MLP). The binning
 * and KDE estimates of a deterministic network measure the clustering of T at a resolution; with all
 * inputs distinct, I(X; T) = H(T) ≤ log N (card §1).
 *
 * @module
 */

import type { DataFrame } from "nodejs-polars";
import { noGrad, softmax, Tensor } from "../autodiff/mod.ts";
import type { Matrix } from "../core/matrix.ts";
import { Activation } from "../nn/mod.ts";
import { OptionError, ShapeError } from "../core/errors.ts";
import { type ConstraintTable, resolveOptions } from "../core/validate.ts";
import { toLabels, toSamples } from "./_input.ts";
import { adaptiveBinningMi, fixedBinningMi } from "./ebab.ts";
import { adaptiveKdeMi, kdeMiBounds } from "./kde.ts";
import type { LabelLike, SampleLike, Unit } from "./result.ts";
import { UNITS } from "./result.ts";

/** Activations of every layer at one epoch (rows = the same N inputs in every snapshot). */
export interface InformationPlaneSnapshot {
  /** Epoch (or step) number. */
  readonly epoch: number;
  /** One N×units activation matrix per layer, input side first. */
  readonly layers: readonly SampleLike[];
}

/** The estimator of each information-plane point. */
export type InformationPlaneEstimator = "ebab" | "fixed" | "akde" | "kde";

/** Options of {@linkcode informationPlane}. */
export interface InformationPlaneOptions {
  /**
   * `"ebab"` entropy-based adaptive binning (Chelombiev et al.), `"fixed"` 30 edges on [−1, 1] (Shwartz-Ziv &
   * Tishby), `"akde"` adaptive KDE upper bound, `"kde"` Kolchinsky–Tracey upper bound with fixed noise.
   * @default "ebab"
   */
  estimator: InformationPlaneEstimator;
  /** Bins (EBAB B, or fixed edges). @default 30 */
  bins: number;
  /** aKDE constant κ (s² = κ·max|T|). @default 0.1 */
  kappa: number;
  /** Fixed noise variance of `"kde"`. @default 1e-3 */
  noiseVariance: number;
  /** Input-pattern ids when inputs repeat (default: all distinct). @default null */
  inputIds: LabelLike | null;
  /** Unit (the papers plot bits). @default "bits" */
  unit: Unit;
}

/** Defaults of {@linkcode informationPlane}. */
export const INFORMATION_PLANE_DEFAULTS: Readonly<InformationPlaneOptions> = Object.freeze({
  estimator: "ebab",
  bins: 30,
  kappa: 0.1,
  noiseVariance: 1e-3,
  inputIds: null,
  unit: "bits",
});

const IP_CONSTRAINTS: ConstraintTable<InformationPlaneOptions> = {
  estimator: { kind: "enum", values: ["ebab", "fixed", "akde", "kde"] },
  bins: { kind: "number", min: 2, integer: true },
  kappa: { kind: "number", min: 0, minExclusive: true },
  noiseVariance: { kind: "number", min: 0, minExclusive: true },
  inputIds: { kind: "any" },
  unit: { kind: "enum", values: UNITS },
};

/** One information-plane point. */
export interface InformationPlaneRow {
  /** Epoch of the snapshot. */
  readonly epoch: number;
  /** Layer index (0 = first hidden layer given). */
  readonly layer: number;
  /** I(X; T_ℓ) in `unit`. */
  readonly ixt: number;
  /** I(T_ℓ; Y) in `unit`. */
  readonly ity: number;
  /** Estimator used. */
  readonly estimator: InformationPlaneEstimator;
  /** Unit of ixt, ity. */
  readonly unit: Unit;
  /** Resolved resolution: bins (binning) or noise variance (KDE). */
  readonly resolution: number;
  [key: string]: string | number;
}

/**
 * Information-plane points as plain rows: for every snapshot (epoch) and layer, (I(X; T), I(T; Y)) with the
 * chosen estimator (card A7–A9). The web-standard twin of {@linkcode informationPlane}.
 *
 * @param snapshots per epoch, the activations of each layer on the same N inputs
 * @param labels N class labels
 * @param options `estimator` ("ebab"), `bins` (30), `kappa` (0.1), `noiseVariance` (1e-3), `inputIds`, `unit` ("bits")
 * @returns one row per (epoch, layer)
 * @throws {ParsimonyError} for no snapshots, mismatched sample counts, non-finite activations, bad options
 * @example
 * ```ts
 * import { informationPlaneRows } from "@parsimony/parsimony/info";
 * const rows = informationPlaneRows([{ epoch: 0, layers: [[[0.1], [0.9], [0.5], [0.2]]] }], [0, 1, 1, 0]);
 * rows[0].ixt; // => 2 (four distinct levels: log2 4 bits)
 * ```
 */
export function informationPlaneRows(
  snapshots: readonly InformationPlaneSnapshot[],
  labels: LabelLike,
  options: Partial<InformationPlaneOptions> = {},
): InformationPlaneRow[] {
  const fn = "informationPlane";
  const opts = resolveOptions(fn, INFORMATION_PLANE_DEFAULTS, options, IP_CONSTRAINTS);
  if (!Array.isArray(snapshots) || snapshots.length === 0) {
    throw new ShapeError({
      fn,
      arg: "snapshots",
      expected: "a non-empty array of { epoch, layers }",
      got: String(snapshots),
    });
  }
  let n = -1;
  const rows: InformationPlaneRow[] = [];
  snapshots.forEach((snap, si) => {
    if (typeof snap?.epoch !== "number" || !Array.isArray(snap.layers) || snap.layers.length === 0) {
      throw new OptionError({
        fn,
        arg: `snapshots[${si}]`,
        expected: "{ epoch: number, layers: non-empty array }",
        got: typeof snap,
      });
    }
    snap.layers.forEach((layer: SampleLike, li: number) => {
      const arg = `snapshots[${si}].layers[${li}]`;
      const T = toSamples(layer, fn, arg);
      if (n < 0) {
        n = T.rows;
        toLabels(labels, fn, "labels", n);
      } else if (T.rows !== n) {
        throw new ShapeError({ fn, arg, expected: `${n} rows (the same inputs in every snapshot)`, got: `${T.rows}` });
      }
      let ixt: number, ity: number, resolution: number;
      if (opts.estimator === "ebab" || opts.estimator === "fixed") {
        const r = opts.estimator === "ebab"
          ? adaptiveBinningMi(T, labels, { bins: opts.bins, inputIds: opts.inputIds, unit: opts.unit })
          : fixedBinningMi(T, labels, { bins: opts.bins, inputIds: opts.inputIds, unit: opts.unit });
        ixt = r.value;
        ity = r.ity!;
        resolution = opts.bins;
      } else if (opts.estimator === "akde") {
        const r = adaptiveKdeMi(T, labels, { kappa: opts.kappa, unit: opts.unit });
        ixt = r.value;
        ity = r.ity!;
        resolution = r.params.noiseVariance;
      } else {
        const r = kdeMiBounds(T, labels, { noiseVariance: opts.noiseVariance, unit: opts.unit });
        ixt = r.ixt.upper;
        ity = r.ity!.upper;
        resolution = opts.noiseVariance;
      }
      rows.push({ epoch: snap.epoch, layer: li, ixt, ity, estimator: opts.estimator, unit: opts.unit, resolution });
    });
  });
  return rows;
}

/**
 * Information plane as a polars DataFrame (columns epoch, layer, ixt, ity, estimator, unit, resolution):
 * {@linkcode informationPlaneRows} wrapped by `@parsimony/parsimony/table` (loaded on first use, since
 * nodejs-polars is a Node-API addon that browsers do not have).
 *
 * @param snapshots per epoch, the activations of each layer on the same N inputs
 * @param labels N class labels
 * @param options as {@linkcode informationPlaneRows}
 * @returns a promise of the DataFrame
 * @throws {ParsimonyError} as {@linkcode informationPlaneRows}
 * @example
 * ```ts
 * import { informationPlane } from "@parsimony/parsimony/info";
 * const df = await informationPlane([{ epoch: 0, layers: [[[0.1], [0.9], [0.5], [0.2]]] }], [0, 1, 1, 0]);
 * df.height; // => 1
 * ```
 */
export async function informationPlane(
  snapshots: readonly InformationPlaneSnapshot[],
  labels: LabelLike,
  options: Partial<InformationPlaneOptions> = {},
): Promise<DataFrame> {
  const rows = informationPlaneRows(snapshots, labels, options);
  const { toDataFrame } = await import("../table/mod.ts");
  return toDataFrame(rows);
}

/** A sequential network: layers applied in order (e.g. `mlp(...)` of `@parsimony/parsimony/nn`). */
export interface LayeredModel {
  /** Modules in application order. */
  readonly layers: readonly { forward(x: Tensor): Tensor }[];
}

/**
 * The representations T_ℓ of a sequential network on inputs x, for {@linkcode informationPlane}: the output of
 * every activation layer (each hidden layer after its nonlinearity), plus the softmax of the final logits
 * when `softmaxOutput` (the adaptive-estimators code bins softmax probabilities of the output layer).
 *
 * @param model a sequential network (`Sequential` / `mlp` of lib/nn)
 * @param x N×d inputs
 * @param options `softmaxOutput` (default true)
 * @returns one N×units matrix per layer, input side first
 * @throws {ParsimonyError} for non-finite inputs
 * @example
 * ```ts
 * import { mlp } from "@parsimony/parsimony/nn";
 * import { layerActivations } from "@parsimony/parsimony/info";
 * const net = mlp([3, 4, 2], { activation: "tanh", seed: 0 });
 * layerActivations(net, [[0, 1, 2], [1, 0, 0]]).map((m) => m.cols); // => [4, 2]
 * ```
 */
export function layerActivations(
  model: LayeredModel,
  x: SampleLike,
  options: { softmaxOutput?: boolean } = {},
): Matrix[] {
  const X = toSamples(x, "layerActivations", "x", 1);
  return noGrad(() => {
    const out: Matrix[] = [];
    let h = new Tensor(Float64Array.from(X.data), [X.rows, X.cols]);
    model.layers.forEach((l, i) => {
      h = l.forward(h);
      const isLast = i === model.layers.length - 1;
      if (l instanceof Activation && !isLast) out.push(h.toMatrix());
      if (isLast) {
        out.push(
          (options.softmaxOutput ?? true) && !(l instanceof Activation) ? softmax(h, 1).toMatrix() : h.toMatrix(),
        );
      }
    });
    return out;
  });
}
