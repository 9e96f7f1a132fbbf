/**
 * Seeded train/validation/test splits (optionally stratified by class) and z-scoring with
 * training statistics.
 *
 * @module
 */

import { DomainError, ShapeError } from "../core/errors.ts";
import { Matrix } from "../core/matrix.ts";
import { Rng } from "../core/rng.ts";
import { type ConstraintTable, resolveOptions } from "../core/validate.ts";

/** Options of {@linkcode trainValTestSplit} and of every loader. */
export interface SplitOptions {
  /** Seed of the permutation. @default 0 */
  seed: number;
  /** Fraction of samples in the validation part. @default 0.1 */
  valFraction: number;
  /** Fraction of samples in the test part. @default 0.2 */
  testFraction: number;
  /** Keep class proportions in every part (needs labels). @default true for classification */
  stratify: boolean;
}

/** Defaults of {@linkcode trainValTestSplit}. */
export const SPLIT_DEFAULTS: Readonly<SplitOptions> = Object.freeze({
  seed: 0,
  valFraction: 0.1,
  testFraction: 0.2,
  stratify: true,
});

/** Constraint table of {@linkcode SplitOptions}. */
export const SPLIT_CONSTRAINTS: ConstraintTable<SplitOptions> = {
  seed: { kind: "number", min: 0, integer: true },
  valFraction: { kind: "number", min: 0, max: 1 },
  testFraction: { kind: "number", min: 0, max: 1 },
  stratify: { kind: "boolean" },
};

/** Indices of the three parts. */
export interface SplitIndices {
  /** Training rows. */
  readonly train: Int32Array;
  /** Validation rows. */
  readonly val: Int32Array;
  /** Test rows. */
  readonly test: Int32Array;
}

/**
 * Split 0..n−1 into train/validation/test index sets with a seeded permutation. With
 * `labels` and `stratify`, each class is split separately (round(fraction·n_c) samples of
 * class c go to the test part, then to validation), so every part keeps the class mix.
 *
 * @param n number of samples
 * @param options {@linkcode SplitOptions}
 * @param labels class of each sample (for stratification)
 * @returns the three index sets, each in seeded random order
 * @throws {DomainError} when valFraction + testFraction > 1
 * @example
 * ```ts
 * import { trainValTestSplit } from "@parsimony/parsimony/data";
 * const s = trainValTestSplit(10, { valFraction: 0.2, testFraction: 0.3, stratify: false });
 * [s.train.length, s.val.length, s.test.length]; // => [5, 2, 3]
 * ```
 */
export function trainValTestSplit(
  n: number,
  options?: Partial<SplitOptions>,
  labels?: ArrayLike<number>,
): SplitIndices {
  const o = resolveOptions("trainValTestSplit", SPLIT_DEFAULTS, options, SPLIT_CONSTRAINTS);
  if (o.valFraction + o.testFraction > 1) {
    throw new DomainError({
      fn: "trainValTestSplit",
      arg: "options.testFraction",
      expected: `≤ 1 − valFraction = ${1 - o.valFraction}`,
      got: String(o.testFraction),
    });
  }
  if (labels && labels.length !== n) {
    throw new ShapeError({
      fn: "trainValTestSplit",
      arg: "labels",
      expected: `length ${n}`,
      got: `length ${labels.length}`,
    });
  }
  const rng = new Rng(o.seed);
  const groups: number[][] = [];
  if (labels && o.stratify) {
    const byClass = new Map<number, number[]>();
    for (let i = 0; i < n; i++) {
      const g = byClass.get(labels[i]) ?? [];
      g.push(i);
      byClass.set(labels[i], g);
    }
    for (const k of [...byClass.keys()].sort((a, b) => a - b)) groups.push(byClass.get(k)!);
  } else groups.push(Array.from({ length: n }, (_, i) => i));
  const train: number[] = [], val: number[] = [], test: number[] = [];
  for (const g of groups) {
    const perm = rng.permutation(g.length);
    const nt = Math.round(o.testFraction * g.length), nv = Math.round(o.valFraction * g.length);
    perm.forEach((p, j) => (j < nt ? test : j < nt + nv ? val : train).push(g[p]));
  }
  const shuffle = (a: number[]) => Int32Array.from(rng.permutation(a.length), (p) => a[p]);
  return { train: shuffle(train), val: shuffle(val), test: shuffle(test) };
}

/** Rows `idx` of a matrix, as a new matrix. */
export function takeRows(x: Matrix, idx: ArrayLike<number>): Matrix {
  const out = new Matrix(idx.length, x.cols);
  for (let i = 0; i < idx.length; i++) out.data.set(x.row(idx[i]), i * x.cols);
  return out;
}

/** Result of {@linkcode standardize}. */
export interface Standardized {
  /** The z-scored matrices, in the order given. */
  readonly matrices: Matrix[];
  /** Column means of the first (training) matrix. */
  readonly mean: Float64Array;
  /** Column standard deviations (ddof 0) of the training matrix; constant columns get 1. */
  readonly std: Float64Array;
}

/**
 * z-score columns with the first matrix's mean and standard deviation (ddof 0, as sklearn's
 * StandardScaler), applied to every matrix given (training statistics only: no leakage).
 *
 * @example
 * ```ts
 * import { standardize } from "@parsimony/parsimony/data";
 * import { Matrix } from "@parsimony/parsimony/core";
 * standardize(Matrix.fromRows([[1], [3]])).matrices[0].toArray(); // => [[-1], [1]]
 * ```
 */
export function standardize(train: Matrix, ...others: Matrix[]): Standardized {
  const { rows, cols, data } = train;
  const mean = new Float64Array(cols), std = new Float64Array(cols);
  for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) mean[j] += data[i * cols + j] / rows;
  for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) std[j] += (data[i * cols + j] - mean[j]) ** 2 / rows;
  for (let j = 0; j < cols; j++) std[j] = std[j] > 0 ? Math.sqrt(std[j]) : 1;
  const z = (m: Matrix) => {
    if (m.cols !== cols) {
      throw new ShapeError({ fn: "standardize", arg: "others", expected: `${cols} columns`, got: `${m.cols}` });
    }
    const out = new Matrix(m.rows, cols);
    for (let i = 0; i < m.rows; i++) {
      for (let j = 0; j < cols; j++) out.data[i * cols + j] = (m.data[i * cols + j] - mean[j]) / std[j];
    }
    return out;
  };
  return { matrices: [train, ...others].map(z), mean, std };
}
