/**
 * Learning-rate schedules: functions from the epoch index (0-based) and the base rate to the
 * rate for that epoch, with torch's formulas (`StepLR`, `ExponentialLR`, `CosineAnnealingLR`,
 * linear warm-up).
 *
 * @module
 */

import { assertInteger, assertNumber } from "../core/validate.ts";

/** A schedule: (epoch, baseLr) → lr. */
export type Schedule = (epoch: number, baseLr: number) => number;

/**
 * Constant rate.
 *
 * @example
 * ```ts
 * import { constantLr } from "@parsimony/parsimony/nn";
 * constantLr()(7, 0.1); // => 0.1
 * ```
 */
export function constantLr(): Schedule {
  return (_e, lr) => lr;
}

/**
 * Step decay: lr·γ^⌊epoch/stepSize⌋ (torch `StepLR`).
 *
 * @example
 * ```ts
 * import { stepLr } from "@parsimony/parsimony/nn";
 * stepLr(10, 0.5)(25, 1); // => 0.25
 * ```
 */
export function stepLr(stepSize: number, gamma = 0.1): Schedule {
  assertInteger(stepSize, "stepLr", "stepSize", 1);
  assertNumber(gamma, "stepLr", "gamma");
  return (e, lr) => lr * gamma ** Math.floor(e / stepSize);
}

/**
 * Exponential decay: lr·γ^epoch (torch `ExponentialLR`).
 *
 * @example
 * ```ts
 * import { exponentialLr } from "@parsimony/parsimony/nn";
 * exponentialLr(0.5)(2, 1); // => 0.25
 * ```
 */
export function exponentialLr(gamma: number): Schedule {
  assertNumber(gamma, "exponentialLr", "gamma");
  return (e, lr) => lr * gamma ** e;
}

/**
 * Cosine annealing: ηmin + (lr − ηmin)(1 + cos(π·epoch/T))/2 for epoch ≤ T, then ηmin
 * (torch `CosineAnnealingLR` in closed form).
 *
 * @param tMax epochs to reach ηmin
 * @param etaMin final rate (default 0)
 * @example
 * ```ts
 * import { cosineLr } from "@parsimony/parsimony/nn";
 * cosineLr(10)(5, 1); // => 0.5
 * ```
 */
export function cosineLr(tMax: number, etaMin = 0): Schedule {
  assertInteger(tMax, "cosineLr", "tMax", 1);
  assertNumber(etaMin, "cosineLr", "etaMin");
  return (e, lr) => etaMin + (lr - etaMin) * (1 + Math.cos(Math.PI * Math.min(e, tMax) / tMax)) / 2;
}

/**
 * Linear warm-up over `epochs` epochs (from lr/(epochs+1) up to lr), then `after`.
 *
 * @example
 * ```ts
 * import { constantLr, warmupLr } from "@parsimony/parsimony/nn";
 * warmupLr(3, constantLr())(0, 1); // => 0.25
 * ```
 */
export function warmupLr(epochs: number, after: Schedule): Schedule {
  assertInteger(epochs, "warmupLr", "epochs", 0);
  return (e, lr) => (e < epochs ? lr * (e + 1) / (epochs + 1) : after(e - epochs, lr));
}
