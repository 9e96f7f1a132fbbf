/**
 * Seeded minibatches: index sets for one epoch, and row gathering.
 *
 * @module
 */

import { Rng } from "../core/rng.ts";
import { assertInteger } from "../core/validate.ts";

/** Options of {@linkcode minibatches}. */
export interface MinibatchOptions {
  /** Shuffle with a seeded permutation. @default true */
  shuffle?: boolean;
  /** Seed of the permutation (or an `Rng` to draw it from, for one permutation per epoch). @default 0 */
  seed?: number | Rng;
  /** Drop the last, smaller batch. @default false */
  dropLast?: boolean;
}

/**
 * Split 0..n−1 into batches of `batchSize` indices (a seeded permutation when shuffling).
 *
 * @param n number of samples
 * @param batchSize indices per batch (the last may be smaller unless `dropLast`)
 * @returns one `Int32Array` of indices per batch
 * @throws {DomainError} for n < 0 or batchSize < 1
 * @example
 * ```ts
 * import { minibatches } from "@parsimony/parsimony/nn";
 * minibatches(5, 2, { shuffle: false }).map((b) => [...b]); // => [[0, 1], [2, 3], [4]]
 * ```
 */
export function minibatches(n: number, batchSize: number, options: MinibatchOptions = {}): Int32Array[] {
  assertInteger(n, "minibatches", "n", 0);
  assertInteger(batchSize, "minibatches", "batchSize", 1);
  const shuffle = options.shuffle ?? true;
  let order: Int32Array;
  if (shuffle) {
    const rng = typeof options.seed === "object" ? options.seed : new Rng(options.seed ?? 0);
    order = rng.permutation(n);
  } else order = Int32Array.from({ length: n }, (_, i) => i);
  const out: Int32Array[] = [];
  for (let s = 0; s < n; s += batchSize) {
    if (options.dropLast && s + batchSize > n) break;
    out.push(order.subarray(s, Math.min(s + batchSize, n)));
  }
  return out;
}
