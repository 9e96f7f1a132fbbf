/**
 * `fit`: minibatch training of a {@linkcode Module} with a progress line, validation-based
 * early stopping, LR schedules and gradient clipping; `evaluate` for loss/accuracy in
 * no-grad mode.
 *
 * @module
 */

import { describeValue, OptionError, ShapeError, TypeMismatchError } from "../core/errors.ts";
import type { Diagnostics, StopReason } from "../core/diagnostics.ts";
import { HistoryRecorder, stopwatch } from "../core/diagnostics.ts";
import { Matrix, type MatrixLike, toMatrix } from "../core/matrix.ts";
import { Rng } from "../core/rng.ts";
import { type ConstraintTable, resolveOptions } from "../core/validate.ts";
import { binaryCrossEntropyWithLogits, crossEntropy, mseLoss } from "../autodiff/loss.ts";
import { noGrad } from "../autodiff/no_grad.ts";
import { Tensor } from "../autodiff/tensor.ts";
import { valueAndGrad } from "../autodiff/value_and_grad.ts";
import { minibatches } from "./batches.ts";
import { clipGradNorm } from "./clip.ts";
import type { Module } from "./layers.ts";
import { Adam, AdamW, type Optimizer, Sgd } from "./optim.ts";
import type { Schedule } from "./schedule.ts";

/** Targets as the losses take them: class labels or a tensor. */
export type Target = Int32Array | Tensor;

/** A loss: model output and targets of a batch → a one-element tensor. */
export type LossFn = (output: Tensor, target: Target) => Tensor;

/** Built-in losses by name. */
export type LossName = "crossEntropy" | "mse" | "binaryCrossEntropyWithLogits";

/** Training (and optional validation) data. Rows of `x` are samples. */
export interface FitData {
  /** Inputs: a matrix (rows = samples) or a tensor whose first axis is the sample. */
  readonly x: Tensor | MatrixLike;
  /** Class labels (for cross-entropy) or regression targets (vector, matrix or tensor). */
  readonly y: ArrayLike<number> | Tensor | MatrixLike;
  /** Validation inputs (enables early stopping). */
  readonly xVal?: Tensor | MatrixLike;
  /** Validation targets. */
  readonly yVal?: ArrayLike<number> | Tensor | MatrixLike;
}

/** Facts about one finished epoch, passed to `onEpoch`. */
export interface EpochInfo {
  /** 0-based epoch index. */
  readonly epoch: number;
  /** Mean training loss over the epoch's batches (weighted by batch size). */
  readonly trainLoss: number;
  /** Training accuracy from the same forward passes (classification only, else null). */
  readonly trainAccuracy: number | null;
  /** Validation loss (null without validation data). */
  readonly valLoss: number | null;
  /** Validation accuracy (classification with validation data, else null). */
  readonly valAccuracy: number | null;
  /** Learning rate used in this epoch. */
  readonly lr: number;
  /** Wall time since `fit` started. */
  readonly elapsedMs: number;
}

/** Options of {@linkcode fit}. */
export interface FitOptions {
  /** Loss: a name or a function. @default "crossEntropy" */
  loss: LossName | LossFn;
  /** Optimizer: a name (built over `model.parameters()`) or an instance. @default "adam" */
  optimizer: "adam" | "adamw" | "sgd" | Optimizer;
  /** Learning rate (for a named optimizer; the base rate of `schedule`). @default 1e-3 */
  lr: number;
  /** Weight decay of a named optimizer. @default 0 */
  weightDecay: number;
  /** Momentum of `"sgd"`. @default 0 */
  momentum: number;
  /** Epochs at most. @default 10 */
  epochs: number;
  /** Samples per minibatch. @default 32 */
  batchSize: number;
  /** Seed of the shuffling. @default 0 */
  seed: number;
  /** Learning-rate schedule, applied at the start of each epoch. @default undefined (constant) */
  schedule: Schedule | undefined;
  /** Clip the global gradient norm to this (Infinity = off). @default Infinity */
  clipNorm: number;
  /** Stop after this many epochs without validation improvement (Infinity = off). @default Infinity */
  patience: number;
  /** Smallest decrease of the validation loss that counts as improvement. @default 0 */
  minDelta: number;
  /** At the end, restore the parameters of the best validation epoch. @default true */
  restoreBest: boolean;
  /** Print one progress line per epoch (console.log). @default false */
  verbose: boolean;
  /** Called after each epoch; return `false` to stop. @default undefined */
  onEpoch: ((info: EpochInfo) => void | boolean) | undefined;
}

/** Defaults of {@linkcode fit}. */
export const FIT_DEFAULTS: Readonly<FitOptions> = Object.freeze({
  loss: "crossEntropy",
  optimizer: "adam",
  lr: 1e-3,
  weightDecay: 0,
  momentum: 0,
  epochs: 10,
  batchSize: 32,
  seed: 0,
  schedule: undefined,
  clipNorm: Infinity,
  patience: Infinity,
  minDelta: 0,
  restoreBest: true,
  verbose: false,
  onEpoch: undefined,
});

const FIT_CONSTRAINTS: ConstraintTable<FitOptions> = {
  loss: { kind: "any" },
  optimizer: { kind: "any" },
  lr: { kind: "number", min: 0 },
  weightDecay: { kind: "number", min: 0 },
  momentum: { kind: "number", min: 0 },
  epochs: { kind: "number", min: 0, integer: true },
  batchSize: { kind: "number", min: 1, integer: true },
  seed: { kind: "number", min: 0, integer: true },
  schedule: { kind: "function" },
  clipNorm: { kind: "number", min: 0, minExclusive: true },
  patience: { kind: "number", min: 1 },
  minDelta: { kind: "number", min: 0 },
  restoreBest: { kind: "boolean" },
  verbose: { kind: "boolean" },
  onEpoch: { kind: "function" },
};

/** What {@linkcode fit} returns (plus the shared solver diagnostics; `history` = train loss per epoch). */
export interface FitResult extends Diagnostics<FitOptions> {
  /** Epochs run. */
  readonly epochs: number;
  /** Mean training loss per epoch. */
  readonly trainLoss: Float64Array;
  /** Training accuracy per epoch (empty for regression). */
  readonly trainAccuracy: Float64Array;
  /** Validation loss per epoch (empty without validation data). */
  readonly valLoss: Float64Array;
  /** Validation accuracy per epoch (empty unless classification with validation data). */
  readonly valAccuracy: Float64Array;
  /** Learning rate per epoch. */
  readonly lr: Float64Array;
  /** Epoch with the lowest validation loss (−1 without validation data). */
  readonly bestEpoch: number;
  /** Whether the parameters were restored to `bestEpoch`. */
  readonly restored: boolean;
}

/** Inputs as a tensor with samples on the first axis. */
function inputs(x: unknown, fn: string, arg: string): Tensor {
  if (x instanceof Tensor) {
    if (x.rank < 1) throw new ShapeError({ fn, arg, expected: "rank ≥ 1 (samples first)", got: "a scalar" });
    return x;
  }
  const m = toMatrix(x, fn, arg);
  return new Tensor(m.data, [m.rows, m.cols]);
}

/** Targets: Int32Array labels for classification, else a tensor shaped [N, k]. */
function targets(y: unknown, n: number, classification: boolean, fn: string, arg: string): Target {
  if (classification) {
    if (
      y === null || typeof y !== "object" || typeof (y as ArrayLike<number>).length !== "number" || y instanceof Tensor
    ) {
      throw new TypeMismatchError({ fn, arg, expected: "an array of integer class labels", got: describeValue(y) });
    }
    const a = y as ArrayLike<number>;
    if (a.length !== n) {
      throw new ShapeError({ fn, arg, expected: `${n} labels (one per row of x)`, got: `${a.length}` });
    }
    const out = new Int32Array(n);
    for (let i = 0; i < n; i++) {
      if (!Number.isInteger(a[i]) || a[i] < 0) {
        throw new TypeMismatchError({
          fn,
          arg: `${arg}[${i}]`,
          expected: "a non-negative integer label",
          got: describeValue(a[i]),
        });
      }
      out[i] = a[i];
    }
    return out;
  }
  let t: Tensor;
  if (y instanceof Tensor) t = y;
  else if (
    y instanceof Matrix || (Array.isArray(y) && Array.isArray(y[0])) ||
    (typeof y === "object" && y !== null && "rows" in y)
  ) {
    const m = toMatrix(y, fn, arg);
    t = new Tensor(m.data, [m.rows, m.cols]);
  } else if (ArrayBuffer.isView(y) || Array.isArray(y)) {
    const d = Float64Array.from(y as ArrayLike<number>);
    for (let i = 0; i < d.length; i++) {
      if (!Number.isFinite(d[i])) {
        throw new TypeMismatchError({ fn, arg: `${arg}[${i}]`, expected: "finite", got: describeValue(d[i]) });
      }
    }
    t = new Tensor(d, [d.length, 1]);
  } else throw new TypeMismatchError({ fn, arg, expected: "targets (array, matrix or tensor)", got: describeValue(y) });
  if (t.shape[0] !== n) {
    throw new ShapeError({ fn, arg, expected: `${n} rows (one per row of x)`, got: `shape [${t.shape}]` });
  }
  return t;
}

/** Rows `idx` of a samples-first tensor. */
function takeRows(x: Tensor, idx: Int32Array): Tensor {
  const w = x.size / x.shape[0];
  const out = new Float64Array(idx.length * w);
  for (let i = 0; i < idx.length; i++) out.set(x.data.subarray(idx[i] * w, (idx[i] + 1) * w), i * w);
  return new Tensor(out, [idx.length, ...x.shape.slice(1)]);
}

function takeTarget(y: Target, idx: Int32Array): Target {
  if (y instanceof Int32Array) return Int32Array.from(idx, (i) => y[i]);
  return takeRows(y, idx);
}

function lossOf(loss: LossName | LossFn): LossFn {
  if (typeof loss === "function") return loss;
  switch (loss) {
    case "crossEntropy":
      return (o, t) => crossEntropy(o, t as Int32Array);
    case "mse":
      return (o, t) => mseLoss(o, t as Tensor);
    case "binaryCrossEntropyWithLogits":
      return (o, t) => binaryCrossEntropyWithLogits(o, t as Tensor);
    default:
      throw new OptionError({
        fn: "fit",
        arg: "options.loss",
        expected: '"crossEntropy", "mse", "binaryCrossEntropyWithLogits" or a function',
        got: describeValue(loss),
      });
  }
}

/** Correct argmax predictions in a [B, C] logits tensor. */
function correct(out: Tensor, y: Int32Array): number {
  const C = out.shape[out.rank - 1];
  let k = 0;
  for (let i = 0; i < y.length; i++) {
    let best = 0;
    for (let c = 1; c < C; c++) if (out.data[i * C + c] > out.data[i * C + best]) best = c;
    if (best === y[i]) k++;
  }
  return k;
}

/** Result of {@linkcode evaluate}. */
export interface EvaluateResult {
  /** Mean loss. */
  readonly loss: number;
  /** Accuracy (classification with labels), else null. */
  readonly accuracy: number | null;
}

/**
 * Loss (and accuracy for classification) of `model` on a data set, without recording,
 * in batches of `batchSize`.
 *
 * @param model the model
 * @param x inputs (rows = samples)
 * @param y labels or targets
 * @param options loss (default "crossEntropy") and batch size (default 1024)
 * @throws {ShapeError} when x and y disagree on the number of samples
 * @example
 * ```ts
 * import { evaluate, mlp } from "@parsimony/parsimony/nn";
 * const r = evaluate(mlp([2, 3]), [[0, 1], [1, 0]], [0, 2]);
 * r.accuracy !== null; // => true
 * ```
 */
export function evaluate(
  model: Module,
  x: Tensor | MatrixLike,
  y: ArrayLike<number> | Tensor | MatrixLike,
  options: { loss?: LossName | LossFn; batchSize?: number } = {},
): EvaluateResult {
  const loss = options.loss ?? "crossEntropy";
  const X = inputs(x, "evaluate", "x");
  const n = X.shape[0];
  const classification = loss === "crossEntropy";
  const Y = targets(y, n, classification, "evaluate", "y");
  return evalOn(model, X, Y, lossOf(loss), options.batchSize ?? 1024);
}

function evalOn(model: Module, X: Tensor, Y: Target, loss: LossFn, batchSize: number): EvaluateResult {
  const n = X.shape[0];
  return noGrad(() => {
    let total = 0, hits = 0;
    for (const idx of minibatches(n, batchSize, { shuffle: false })) {
      const out = model.forward(takeRows(X, idx));
      const yb = takeTarget(Y, idx);
      total += loss(out, yb).item() * idx.length;
      if (yb instanceof Int32Array) hits += correct(out, yb);
    }
    return { loss: total / n, accuracy: Y instanceof Int32Array ? hits / n : null };
  });
}

/**
 * Train `model` by minibatch gradient descent.
 *
 * Each epoch: set the learning rate from `schedule`, shuffle with a seeded permutation, and
 * for every batch take `valueAndGrad` of the loss w.r.t. `model.parameters()`, clip, and step
 * the optimizer. With validation data, the validation loss is computed after each epoch;
 * training stops after `patience` epochs without a decrease of at least `minDelta`
 * (stopReason `"stalled"`, converged = true), and the best epoch's parameters are restored
 * if `restoreBest`. A non-finite batch loss stops training (stopReason `"nonFinite"`) before
 * the offending update is applied.
 *
 * @param model a {@linkcode Module} (its parameters are updated in place)
 * @param data training and optional validation data
 * @param options {@linkcode FitOptions}
 * @returns per-epoch losses/accuracies, the best epoch, and the diagnostics
 * @throws {ShapeError} when inputs and targets disagree on the number of samples
 * @throws {OptionError} for an unknown option or a value out of range
 * @example
 * ```ts
 * import { fit, mlp } from "@parsimony/parsimony/nn";
 * const x = [[0, 0], [0, 1], [1, 0], [1, 1]];
 * const r = fit(mlp([2, 8, 2], { seed: 1 }), { x, y: [0, 1, 1, 0] }, { epochs: 200, batchSize: 4, lr: 0.05 });
 * r.trainLoss[r.epochs - 1] < r.trainLoss[0]; // => true
 * ```
 */
export function fit(model: Module, data: FitData, options?: Partial<FitOptions>): FitResult {
  const clock = stopwatch();
  const o = resolveOptions("fit", FIT_DEFAULTS, options, FIT_CONSTRAINTS);
  const lossFn = lossOf(o.loss);
  const classification = o.loss === "crossEntropy";
  if (data === null || typeof data !== "object") {
    throw new TypeMismatchError({
      fn: "fit",
      arg: "data",
      expected: "{ x, y, xVal?, yVal? }",
      got: describeValue(data),
    });
  }
  const X = inputs(data.x, "fit", "data.x");
  const n = X.shape[0];
  const Y = targets(data.y, n, classification, "fit", "data.y");
  const hasVal = data.xVal !== undefined;
  if (hasVal !== (data.yVal !== undefined)) {
    throw new ShapeError({
      fn: "fit",
      arg: hasVal ? "data.yVal" : "data.xVal",
      expected: "given together with its partner",
      got: "undefined",
    });
  }
  const Xv = hasVal ? inputs(data.xVal, "fit", "data.xVal") : null;
  const Yv = Xv ? targets(data.yVal, Xv.shape[0], classification, "fit", "data.yVal") : null;
  const params = model.parameters();
  const opt = makeOptimizer(o, params);
  const baseLr = opt.lr;
  const rng = new Rng(o.seed);
  const trainLoss = new HistoryRecorder();
  const trainAcc: number[] = [], valLoss: number[] = [], valAcc: number[] = [], lrs: number[] = [];
  let best = Infinity, bestEpoch = -1, wait = 0;
  let snapshot: Map<string, Float64Array> | null = null;
  let stopReason: StopReason = "maxIter";
  let epochs = 0;
  outer: for (let epoch = 0; epoch < o.epochs; epoch++) {
    if (o.schedule) opt.lr = o.schedule(epoch, baseLr);
    let total = 0, hits = 0;
    for (const idx of minibatches(n, o.batchSize, { seed: rng })) {
      const xb = takeRows(X, idx), yb = takeTarget(Y, idx);
      let out: Tensor | null = null;
      const { value, grads } = valueAndGrad(() => lossFn(out = model.forward(xb), yb), params);
      if (!Number.isFinite(value)) {
        stopReason = "nonFinite";
        break outer;
      }
      if (o.clipNorm !== Infinity) clipGradNorm(grads, o.clipNorm);
      opt.step(grads);
      total += value * idx.length;
      if (yb instanceof Int32Array && out) hits += correct(out, yb);
    }
    epochs = epoch + 1;
    trainLoss.push(epoch, total / n);
    if (classification) trainAcc.push(hits / n);
    lrs.push(opt.lr);
    let v: EvaluateResult | null = null;
    if (Xv && Yv) {
      v = evalOn(model, Xv, Yv, lossFn, 1024);
      valLoss.push(v.loss);
      if (v.accuracy !== null) valAcc.push(v.accuracy);
      if (v.loss < best - o.minDelta) {
        best = v.loss, bestEpoch = epoch, wait = 0;
        if (o.restoreBest) snapshot = new Map(Object.entries(params).map(([k, t]) => [k, t.data.slice()]));
      } else wait++;
    }
    const info: EpochInfo = {
      epoch,
      trainLoss: total / n,
      trainAccuracy: classification ? hits / n : null,
      valLoss: v ? v.loss : null,
      valAccuracy: v ? v.accuracy : null,
      lr: opt.lr,
      elapsedMs: clock(),
    };
    if (o.verbose) console.log(progressLine(info, o.epochs));
    if (o.onEpoch && o.onEpoch(info) === false) {
      stopReason = "callback";
      break;
    }
    if (wait >= o.patience) {
      stopReason = "stalled";
      break;
    }
  }
  let restored = false;
  if (snapshot && o.restoreBest && bestEpoch >= 0 && bestEpoch !== epochs - 1) {
    for (const [k, t] of Object.entries(params)) t.data.set(snapshot.get(k)!);
    restored = true;
  }
  return {
    epochs,
    trainLoss: trainLoss.freeze().error,
    trainAccuracy: Float64Array.from(trainAcc),
    valLoss: Float64Array.from(valLoss),
    valAccuracy: Float64Array.from(valAcc),
    lr: Float64Array.from(lrs),
    bestEpoch,
    restored,
    converged: stopReason === "stalled",
    stopReason,
    history: trainLoss.freeze(),
    elapsedMs: clock(),
    backend: "cpu",
    backendReason: "autodiff runs on the CPU (f64)",
    options: o,
  };
}

function makeOptimizer(o: Readonly<FitOptions>, params: Record<string, Tensor>): Optimizer {
  const opt = o.optimizer;
  if (typeof opt === "object" && opt !== null && typeof opt.step === "function") return opt;
  switch (opt) {
    case "adam":
      return new Adam(params, { lr: o.lr, weightDecay: o.weightDecay });
    case "adamw":
      return new AdamW(params, { lr: o.lr, weightDecay: o.weightDecay });
    case "sgd":
      return new Sgd(params, { lr: o.lr, weightDecay: o.weightDecay, momentum: o.momentum });
    default:
      throw new OptionError({
        fn: "fit",
        arg: "options.optimizer",
        expected: '"adam", "adamw", "sgd" or an Optimizer',
        got: describeValue(opt),
      });
  }
}

/** One human-readable line per epoch. */
export function progressLine(info: EpochInfo, epochs: number): string {
  const parts = [`epoch ${info.epoch + 1}/${epochs}`, `loss ${info.trainLoss.toPrecision(5)}`];
  if (info.trainAccuracy !== null) parts.push(`acc ${(100 * info.trainAccuracy).toFixed(1)}%`);
  if (info.valLoss !== null) parts.push(`val ${info.valLoss.toPrecision(5)}`);
  if (info.valAccuracy !== null) parts.push(`val acc ${(100 * info.valAccuracy).toFixed(1)}%`);
  parts.push(`lr ${info.lr.toPrecision(3)}`, `${(info.elapsedMs / 1000).toFixed(1)} s`);
  return parts.join("  ");
}
