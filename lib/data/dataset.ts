/**
 * The shape every loader returns: the full data, a seeded split, and provenance.
 *
 * @module
 */

import type { Matrix } from "../core/matrix.ts";
import { resolveOptions } from "../core/validate.ts";
import {
  SPLIT_CONSTRAINTS,
  SPLIT_DEFAULTS,
  type SplitIndices,
  type SplitOptions,
  takeRows,
  trainValTestSplit,
} from "./split.ts";

/** One part of a split. */
export interface Part<Y> {
  /** Inputs, one sample per row. */
  readonly x: Matrix;
  /** Labels (Int32Array) or targets (Float64Array). */
  readonly y: Y;
}

/** A loaded data set with its seeded train/validation/test split. */
export interface Dataset<Y extends Int32Array | Float64Array> extends Part<Y> {
  /** Short name. */
  readonly name: string;
  /** Column names of `x`. */
  readonly featureNames: readonly string[];
  /** Class names (classification) or the target's name (regression). */
  readonly classNames?: readonly string[];
  /** Name of the regression target. */
  readonly targetName?: string;
  /** Training part. */
  readonly train: Part<Y>;
  /** Validation part. */
  readonly val: Part<Y>;
  /** Test part. */
  readonly test: Part<Y>;
  /** Row indices of the parts in `x`. */
  readonly indices: SplitIndices;
  /** Resolved split options. */
  readonly split: Readonly<SplitOptions>;
  /** Where the data comes from (see data/README.md). */
  readonly source: string;
  /** Licence of the data. */
  readonly license: string;
}

/** Options every loader accepts (the split). */
export type LoaderOptions = Partial<SplitOptions>;

/** Assemble a {@linkcode Dataset} from the full data (internal). */
export function makeDataset<Y extends Int32Array | Float64Array>(
  fn: string,
  x: Matrix,
  y: Y,
  meta: {
    name: string;
    featureNames: readonly string[];
    classNames?: readonly string[];
    targetName?: string;
    source: string;
    license: string;
  },
  options: LoaderOptions | undefined,
  classification: boolean,
): Dataset<Y> {
  const split = resolveOptions(fn, { ...SPLIT_DEFAULTS, stratify: classification }, options, SPLIT_CONSTRAINTS);
  const indices = trainValTestSplit(x.rows, split, classification ? y : undefined);
  const part = (idx: Int32Array): Part<Y> => ({ x: takeRows(x, idx), y: pick(y, idx) });
  return {
    ...meta,
    x,
    y,
    train: part(indices.train),
    val: part(indices.val),
    test: part(indices.test),
    indices,
    split,
  };
}

function pick<Y extends Int32Array | Float64Array>(y: Y, idx: Int32Array): Y {
  const out = new (y.constructor as { new (n: number): Y })(idx.length);
  for (let i = 0; i < idx.length; i++) out[i] = y[idx[i]];
  return out;
}
