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
import { Adam, type AdamOptions, AdamW, type Optimizer, Sgd, type SgdOptions } from "./optim.ts";
import type { Schedule } from "./schedule.ts";
import { type BackendRequest, runWithFallback, selectBackend, type Unsuitable } from "../gpu/backend.ts";
import type { GpuDevice } from "../gpu/runtime.ts";
import { AUTODIFF_GPU_THRESHOLDS, autoNeedsWork, dryTrace } from "../autodiff/_device_backend.ts";
import { trainOnDevice } from "./_fit_device.ts";

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
  /**
   * Where to train. `fit` is synchronous and always trains on the CPU in f64 (`"gpu"` is an
   * error there); `fitAsync` follows lib/gpu's rules: `"auto"` uses a hardware GPU when a
   * training step's work reaches `AUTODIFF_GPU_THRESHOLDS.step`, `"gpu"` forces it (f32).
   * @default "auto"
   */
  backend: BackendRequest;
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
  backend: "auto",
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
  backend: { kind: "enum", values: ["auto", "cpu", "gpu"] },
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

/** Validated inputs of a training run (shared by {@linkcode fit} and {@linkcode fitAsync}). */
export interface Prepared {
  /** Resolved options. */
  readonly o: Readonly<FitOptions>;
  /** The loss function. */
  readonly lossFn: LossFn;
  /** Cross-entropy with labels (accuracy is tracked). */
  readonly classification: boolean;
  /** Training inputs, samples first. */
  readonly X: Tensor;
  /** Training targets. */
  readonly Y: Target;
  /** Validation inputs, or null. */
  readonly Xv: Tensor | null;
  /** Validation targets, or null. */
  readonly Yv: Target | null;
  /** The model's parameters. */
  readonly params: Record<string, Tensor>;
}

function prepare(fn: string, model: Module, data: FitData, options: Partial<FitOptions> | undefined): Prepared {
  const o = resolveOptions(fn, FIT_DEFAULTS, options, FIT_CONSTRAINTS);
  const lossFn = lossOf(o.loss);
  const classification = o.loss === "crossEntropy";
  if (data === null || typeof data !== "object") {
    throw new TypeMismatchError({
      fn,
      arg: "data",
      expected: "{ x, y, xVal?, yVal? }",
      got: describeValue(data),
    });
  }
  const X = inputs(data.x, fn, "data.x");
  const n = X.shape[0];
  const Y = targets(data.y, n, classification, fn, "data.y");
  const hasVal = data.xVal !== undefined;
  if (hasVal !== (data.yVal !== undefined)) {
    throw new ShapeError({
      fn,
      arg: hasVal ? "data.yVal" : "data.xVal",
      expected: "given together with its partner",
      got: "undefined",
    });
  }
  const Xv = hasVal ? inputs(data.xVal, fn, "data.xVal") : null;
  const Yv = Xv ? targets(data.yVal, Xv.shape[0], classification, fn, "data.yVal") : null;
  makeOptimizer(o, {}); // validates options.optimizer before any work
  return { o, lossFn, classification, X, Y, Xv, Yv, params: model.parameters() };
}

/**
 * Per-epoch bookkeeping shared by the CPU and GPU loops: histories, validation-based early
 * stopping, the progress line and the callback.
 */
export class EpochLog {
  /** Mean training loss per epoch. */
  readonly trainLoss: HistoryRecorder = new HistoryRecorder();
  /** Training accuracy per epoch. */
  readonly trainAcc: number[] = [];
  /** Validation loss per epoch. */
  readonly valLoss: number[] = [];
  /** Validation accuracy per epoch. */
  readonly valAcc: number[] = [];
  /** Learning rate per epoch. */
  readonly lrs: number[] = [];
  /** Best validation loss. */
  best = Infinity;
  /** Its epoch (−1 without validation). */
  bestEpoch = -1;
  /** Epochs without improvement. */
  wait = 0;
  /** Epochs completed. */
  epochs = 0;
  /** Why training stopped. */
  stopReason: StopReason = "maxIter";
  readonly #o: Readonly<FitOptions>;
  readonly #clock: () => number;

  /** @param o resolved options @param clock milliseconds since the start */
  constructor(o: Readonly<FitOptions>, clock: () => number) {
    this.#o = o;
    this.#clock = clock;
  }

  /**
   * Record a finished epoch; `snapshot` runs when the validation loss improved (before the
   * callback, as it always has).
   *
   * @returns whether to stop
   */
  end(
    epoch: number,
    trainLoss: number,
    trainAcc: number | null,
    lr: number,
    v: EvaluateResult | null,
    snapshot: () => void,
  ): boolean {
    const o = this.#o;
    this.epochs = epoch + 1;
    this.trainLoss.push(epoch, trainLoss);
    if (trainAcc !== null) this.trainAcc.push(trainAcc);
    this.lrs.push(lr);
    if (v) {
      this.valLoss.push(v.loss);
      if (v.accuracy !== null) this.valAcc.push(v.accuracy);
      if (v.loss < this.best - o.minDelta) {
        this.best = v.loss, this.bestEpoch = epoch, this.wait = 0;
        if (o.restoreBest) snapshot();
      } else this.wait++;
    }
    const info: EpochInfo = {
      epoch,
      trainLoss,
      trainAccuracy: trainAcc,
      valLoss: v ? v.loss : null,
      valAccuracy: v ? v.accuracy : null,
      lr,
      elapsedMs: this.#clock(),
    };
    if (o.verbose) console.log(progressLine(info, o.epochs));
    if (o.onEpoch && o.onEpoch(info) === false) {
      this.stopReason = "callback";
      return true;
    }
    if (this.wait >= o.patience) {
      this.stopReason = "stalled";
      return true;
    }
    return false;
  }

  /** Whether the best epoch's parameters are to be restored at the end. */
  get restore(): boolean {
    return this.#o.restoreBest && this.bestEpoch >= 0 && this.bestEpoch !== this.epochs - 1;
  }

  /** The result object. */
  result(restored: boolean, elapsedMs: number, backend: "cpu" | "gpu", backendReason: string): FitResult {
    return {
      epochs: this.epochs,
      trainLoss: this.trainLoss.freeze().error,
      trainAccuracy: Float64Array.from(this.trainAcc),
      valLoss: Float64Array.from(this.valLoss),
      valAccuracy: Float64Array.from(this.valAcc),
      lr: Float64Array.from(this.lrs),
      bestEpoch: this.bestEpoch,
      restored,
      converged: this.stopReason === "stalled",
      stopReason: this.stopReason,
      history: this.trainLoss.freeze(),
      elapsedMs,
      backend,
      backendReason,
      options: this.#o,
    };
  }
}

/** The f64 CPU training loop. */
function trainCpu(model: Module, P: Prepared, log: EpochLog): boolean {
  const { o, lossFn, X, Y, Xv, Yv, params } = P;
  const n = X.shape[0];
  const opt = makeOptimizer(o, params);
  const baseLr = opt.lr;
  const rng = new Rng(o.seed);
  let snapshot: Map<string, Float64Array> | null = null;
  outer: for (let epoch = 0; epoch < o.epochs; epoch++) {
    if (o.schedule) opt.lr = o.schedule(epoch, baseLr);
    let total = 0, hits = 0;
    for (const idx of minibatches(n, o.batchSize, { seed: rng })) {
      const xb = takeRows(X, idx), yb = takeTarget(Y, idx);
      let out: Tensor | null = null;
      const { value, grads } = valueAndGrad(() => lossFn(out = model.forward(xb), yb), params);
      if (!Number.isFinite(value)) {
        log.stopReason = "nonFinite";
        break outer;
      }
      if (o.clipNorm !== Infinity) clipGradNorm(grads, o.clipNorm);
      opt.step(grads);
      total += value * idx.length;
      if (yb instanceof Int32Array && out) hits += correct(out, yb);
    }
    const v = Xv && Yv ? evalOn(model, Xv, Yv, lossFn, 1024) : null;
    const stop = log.end(epoch, total / n, P.classification ? hits / n : null, opt.lr, v, () => {
      snapshot = new Map(Object.entries(params).map(([k, t]) => [k, t.data.slice()]));
    });
    if (stop) break;
  }
  if (snapshot && log.restore) {
    for (const [k, t] of Object.entries(params)) t.data.set((snapshot as Map<string, Float64Array>).get(k)!);
    return true;
  }
  return false;
}

/**
 * Train `model` by minibatch gradient descent, on the CPU in f64 (see {@linkcode fitAsync}
 * for the GPU).
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
 * @returns per-epoch losses/accuracies, the best epoch, and the diagnostics (backend "cpu")
 * @throws {ShapeError} when inputs and targets disagree on the number of samples
 * @throws {OptionError} for an unknown option or a value out of range, or `backend: "gpu"`
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
  const P = prepare("fit", model, data, options);
  if (P.o.backend === "gpu") {
    throw new OptionError({
      fn: "fit",
      arg: "options.backend",
      expected: `"auto" or "cpu" (fit is synchronous and trains on the CPU; use fitAsync for the GPU)`,
      got: `"gpu"`,
    });
  }
  const log = new EpochLog(P.o, clock);
  const restored = trainCpu(model, P, log);
  const reason = P.o.backend === "cpu"
    ? "backend 'cpu' requested"
    : "fit is synchronous and trains on the CPU in f64 (fitAsync can use the GPU)";
  return log.result(restored, clock(), "cpu", reason);
}

/**
 * {@linkcode fit} with a backend choice: the same loop, options and result, returned as a
 * promise. The backend is chosen once, by lib/gpu's `selectBackend`, from `options.backend`
 * and the work of one training step (measured by a shape-only trace of the model and loss).
 *
 * On the GPU (f32) the whole run stays on the device: the training (and validation) data
 * are uploaded once, every minibatch is gathered on the device through the epoch's seeded
 * permutation (the same batches as on the CPU), each step — forward, backward, gradient
 * clipping, the optimizer update with its state — is one submission, and the loss and
 * accuracy of every step are written to a device buffer that is read back once per epoch
 * (WebGPU readbacks are asynchronous and cost ≥ 10 ms each in Deno). A non-finite loss
 * freezes the parameters on the device at the values before that step, as on the CPU. The
 * trained parameters are written back into the model's tensors at the end.
 *
 * The GPU needs a named optimizer (`"adam"`, `"adamw"`, `"sgd"`) and a model and loss built
 * from ops with a GPU kernel (`GPU_OPS` in autodiff: Linear/MLP layers with relu, leakyRelu,
 * tanh, sigmoid, softplus; crossEntropy, mse). Otherwise `"auto"` trains on the CPU and says
 * why, and a forced `"gpu"` is a `BackendError`. If the device fails mid-run, training
 * restarts on the CPU from the initial parameters (`onEpoch` then sees the epochs again).
 *
 * @param model a {@linkcode Module} (its parameters are updated in place)
 * @param data training and optional validation data
 * @param options {@linkcode FitOptions}
 * @returns as {@linkcode fit}, with `backend` and `backendReason` saying where it ran
 * @throws {ShapeError} when inputs and targets disagree on the number of samples
 * @throws {OptionError} for an unknown option or a value out of range
 * @throws {BackendError} for `backend: "gpu"` with no adapter, an optimizer instance, or an op without a GPU kernel
 * @example
 * ```ts
 * import { fitAsync, mlp } from "@parsimony/parsimony/nn";
 * const x = [[0, 0], [0, 1], [1, 0], [1, 1]];
 * const r = await fitAsync(mlp([2, 8, 2], { seed: 1 }), { x, y: [0, 1, 1, 0] }, { epochs: 200, batchSize: 4, lr: 0.05, backend: "cpu" });
 * r.backend; // => "cpu"
 * ```
 */
export async function fitAsync(model: Module, data: FitData, options?: Partial<FitOptions>): Promise<FitResult> {
  const clock = stopwatch();
  const fn = "fitAsync";
  const P = prepare(fn, model, data, options);
  const { o, X, Y } = P;
  const cpu = () => {
    const log = new EpochLog(o, clock);
    return { log, restored: trainCpu(model, P, log) };
  };
  let work = 0;
  if (await autoNeedsWork(o.backend)) {
    const rows = Math.min(o.batchSize, X.shape[0]);
    const dry = dryTrace((s) => {
      for (const t of Object.values(P.params)) s.bind(t);
      const xb = s.placeholder([rows, ...X.shape.slice(1)]);
      const yb = Y instanceof Int32Array ? s.placeholder([rows], true) : s.placeholder([rows, ...Y.shape.slice(1)]);
      return P.lossFn(model.forward(xb), yb);
    });
    if (dry.unsupported !== null) {
      const { log, restored } = cpu();
      return log.result(restored, clock(), "cpu", `${dry.unsupported}; trained on the CPU`);
    }
    work = dry.work;
  }
  const choice = await selectBackend(fn, o.backend, work, AUTODIFF_GPU_THRESHOLDS.step);
  const unsuitable = (dev: GpuDevice): Unsuitable | null => {
    const opt = o.optimizer;
    if (typeof opt === "object" && opt !== null) {
      return {
        arg: "options.optimizer",
        expected: 'a named optimizer ("adam", "adamw", "sgd"; an Optimizer instance steps on the host)',
        got: "an Optimizer instance",
      };
    }
    for (const [arg, t] of [["data.x", X], ["data.xVal", P.Xv]] as const) {
      if (t && t.size > dev.maxEntries) {
        return { arg, expected: `at most ${dev.maxEntries} entries (one storage binding)`, got: `${t.size}` };
      }
    }
    return null;
  };
  const r = await runWithFallback(
    fn,
    choice,
    cpu,
    async (dev) => {
      const log = new EpochLog(o, clock);
      const restored = await trainOnDevice(dev, model, P, log, choice.forced, makeOptimizerSpec(o));
      return { log, restored };
    },
    unsuitable,
  );
  return r.value.log.result(r.value.restored, clock(), r.backend, r.backendReason);
}

/** The update rule of a named optimizer, for the device loop. */
export type OptimizerSpec =
  | { readonly kind: "adam"; readonly decoupled: boolean; readonly options: Readonly<AdamOptions> }
  | { readonly kind: "sgd"; readonly options: Readonly<SgdOptions> };

function makeOptimizerSpec(o: Readonly<FitOptions>): OptimizerSpec {
  const opt = makeOptimizer(o, {});
  if (opt instanceof Adam) return { kind: "adam", decoupled: opt instanceof AdamW, options: opt.options };
  if (opt instanceof Sgd) return { kind: "sgd", options: opt.options };
  throw new OptionError({
    fn: "fitAsync",
    arg: "options.optimizer",
    expected: '"adam", "adamw" or "sgd" on the GPU',
    got: describeValue(o.optimizer),
  });
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
