/**
 * Checkpoints: a model's parameters (and optionally an optimizer's state) to a JSON string
 * and back. JSON keeps every f64 exactly (JavaScript prints the shortest decimal that
 * round-trips), so a reloaded model computes bit-identical outputs.
 *
 * @module
 */

import { describeValue, NonFiniteError, ShapeError, TypeMismatchError } from "../core/errors.ts";
import type { Module } from "./layers.ts";
import type { Optimizer, OptimizerState } from "./optim.ts";

/** The JSON document written by {@linkcode saveCheckpoint}. */
export interface Checkpoint {
  /** Always `"parsimony-checkpoint"`. */
  readonly format: "parsimony-checkpoint";
  /** Format version (1). */
  readonly version: 1;
  /** Parameters by name. */
  readonly params: Readonly<Record<string, { readonly shape: readonly number[]; readonly data: readonly number[] }>>;
  /** Optimizer state, when saved. */
  readonly optimizer?: OptimizerState;
  /** Free-form metadata (epoch, seed, notes). */
  readonly meta?: unknown;
}

/**
 * Serialise `model.parameters()` (and an optimizer's state) to a JSON string.
 *
 * @param model the model
 * @param options optimizer to include, free-form `meta`
 * @returns the JSON text of a {@linkcode Checkpoint}
 * @throws {NonFiniteError} for a NaN/±Inf parameter entry (JSON cannot hold it)
 * @example
 * ```ts
 * import { loadCheckpoint, mlp, saveCheckpoint } from "@parsimony/parsimony/nn";
 * const a = mlp([2, 3, 1], { seed: 1 }), b = mlp([2, 3, 1], { seed: 2 });
 * loadCheckpoint(b, saveCheckpoint(a));
 * b.parameters()["0.weight"].data[0] === a.parameters()["0.weight"].data[0]; // => true
 * ```
 */
export function saveCheckpoint(model: Module, options: { optimizer?: Optimizer; meta?: unknown } = {}): string {
  const params: Record<string, { shape: readonly number[]; data: number[] }> = {};
  for (const [name, t] of Object.entries(model.parameters())) {
    for (let i = 0; i < t.size; i++) {
      if (!Number.isFinite(t.data[i])) {
        throw new NonFiniteError({
          fn: "saveCheckpoint",
          arg: `params.${name}[${i}]`,
          expected: "finite",
          got: describeValue(t.data[i]),
        });
      }
    }
    params[name] = { shape: t.shape, data: Array.from(t.data) };
  }
  const ck: Checkpoint = {
    format: "parsimony-checkpoint",
    version: 1,
    params,
    optimizer: options.optimizer?.stateDict(),
    meta: options.meta,
  };
  return JSON.stringify(ck);
}

/**
 * Load parameters (and optionally optimizer state) saved by {@linkcode saveCheckpoint} into
 * `model` in place. Every parameter of the model must be present with the same shape.
 *
 * @param model the model to fill
 * @param json the JSON text (or the parsed object)
 * @param options optimizer to restore (the checkpoint must hold a state of the same kind)
 * @returns the checkpoint's `meta`
 * @throws {TypeMismatchError} for text that is not a parsimony checkpoint
 * @throws {ShapeError} for a missing parameter or a shape mismatch (naming the parameter)
 * @example
 * ```ts
 * import { loadCheckpoint, mlp, saveCheckpoint } from "@parsimony/parsimony/nn";
 * const meta = loadCheckpoint(mlp([2, 1]), saveCheckpoint(mlp([2, 1]), { meta: { epoch: 3 } }));
 * meta; // => { epoch: 3 }
 * ```
 */
export function loadCheckpoint(
  model: Module,
  json: string | Checkpoint,
  options: { optimizer?: Optimizer } = {},
): unknown {
  let ck: Checkpoint;
  try {
    ck = typeof json === "string" ? JSON.parse(json) : json;
  } catch {
    throw new TypeMismatchError({ fn: "loadCheckpoint", arg: "json", expected: "JSON text", got: "unparseable text" });
  }
  if (!ck || ck.format !== "parsimony-checkpoint" || typeof ck.params !== "object") {
    throw new TypeMismatchError({
      fn: "loadCheckpoint",
      arg: "json",
      expected: "a parsimony checkpoint",
      got: describeValue(ck),
    });
  }
  const params = model.parameters();
  for (const [name, t] of Object.entries(params)) {
    const p = ck.params[name];
    if (!p) {
      throw new ShapeError({
        fn: "loadCheckpoint",
        arg: `params.${name}`,
        expected: "present in the checkpoint",
        got: "missing",
      });
    }
    if (p.shape.length !== t.rank || p.shape.some((d, i) => d !== t.shape[i]) || p.data.length !== t.size) {
      throw new ShapeError({
        fn: "loadCheckpoint",
        arg: `params.${name}`,
        expected: `shape [${t.shape}]`,
        got: `[${p.shape}]`,
      });
    }
  }
  for (const [name, t] of Object.entries(params)) t.data.set(ck.params[name].data);
  if (options.optimizer) {
    if (!ck.optimizer) {
      throw new ShapeError({
        fn: "loadCheckpoint",
        arg: "json.optimizer",
        expected: "an optimizer state",
        got: "none saved",
      });
    }
    options.optimizer.loadStateDict(ck.optimizer);
  }
  return ck.meta;
}
