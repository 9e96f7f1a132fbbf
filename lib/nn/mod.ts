/**
 * `@parsimony/parsimony/nn` — a small neural-network kit on top of the autodiff engine:
 * layers, seeded initialisers, optimizers with torch's update rules, schedules, clipping,
 * minibatches, a training loop and checkpoints.
 *
 * | piece | file | what |
 * |---|---|---|
 * | {@linkcode Linear}, {@linkcode Activation}, {@linkcode Sequential}, {@linkcode mlp}, {@linkcode Module} | `layers.ts` | layers and the MLP builder |
 * | {@linkcode kaimingUniform}, {@linkcode kaimingNormal}, {@linkcode xavierUniform}, {@linkcode xavierNormal}, {@linkcode torchDefault} | `init.ts` | He 2015 / Glorot 2010 initialisers (seeded) |
 * | {@linkcode Sgd}, {@linkcode Adam}, {@linkcode AdamW} | `optim.ts` | SGD (momentum, Nesterov), Adam (Kingma & Ba 2015), AdamW (Loshchilov & Hutter 2019) |
 * | {@linkcode stepLr}, {@linkcode exponentialLr}, {@linkcode cosineLr}, {@linkcode warmupLr}, {@linkcode constantLr} | `schedule.ts` | learning-rate schedules |
 * | {@linkcode clipGradNorm}, {@linkcode clipGradValue} | `clip.ts` | gradient clipping |
 * | {@linkcode minibatches} | `batches.ts` | seeded minibatch index sets |
 * | {@linkcode fit}, {@linkcode fitAsync}, {@linkcode evaluate} | `fit.ts`, `_fit_device.ts` | training loop with progress line and early stopping; `fitAsync` can train on the GPU (one readback per epoch) |
 * | {@linkcode saveCheckpoint}, {@linkcode loadCheckpoint} | `checkpoint.ts` | JSON checkpoints |
 *
 * Conv2d is not included (dense layers only).
 *
 * @example
 * ```ts
 * import { fit, mlp } from "@parsimony/parsimony/nn";
 * const net = mlp([2, 16, 2], { seed: 0 });
 * const r = fit(net, { x: [[0, 0], [0, 1], [1, 0], [1, 1]], y: [0, 1, 1, 0] }, { epochs: 300, batchSize: 4, lr: 0.03 });
 * r.trainAccuracy[r.epochs - 1]; // => 1
 * ```
 *
 * @module
 */

export {
  Activation,
  type ActivationName,
  Linear,
  type LinearOptions,
  mlp,
  type MlpOptions,
  type Module,
  Sequential,
} from "./layers.ts";
export {
  fans,
  INITIALIZERS,
  type InitName,
  kaimingNormal,
  kaimingUniform,
  torchDefault,
  xavierNormal,
  xavierUniform,
} from "./init.ts";
export {
  Adam,
  ADAM_DEFAULTS,
  type AdamOptions,
  AdamW,
  ADAMW_DEFAULTS,
  type Optimizer,
  type OptimizerState,
  Sgd,
  SGD_DEFAULTS,
  type SgdOptions,
} from "./optim.ts";
export { constantLr, cosineLr, exponentialLr, type Schedule, stepLr, warmupLr } from "./schedule.ts";
export { clipGradNorm, clipGradValue } from "./clip.ts";
export { minibatches, type MinibatchOptions } from "./batches.ts";
export {
  type EpochInfo,
  evaluate,
  type EvaluateResult,
  fit,
  FIT_DEFAULTS,
  fitAsync,
  type FitData,
  type FitOptions,
  type FitResult,
  type LossFn,
  type LossName,
  progressLine,
  type Target,
} from "./fit.ts";
export { type Checkpoint, loadCheckpoint, saveCheckpoint } from "./checkpoint.ts";
