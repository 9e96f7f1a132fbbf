/**
 * Boundary conversion shared by the estimators: samples → Matrix (N×d), labels → codes,
 * unit and sample-count checks. Private to lib/info.
 *
 * @module
 */

import { describeValue, DomainError, NonFiniteError, ShapeError, TypeMismatchError } from "../core/errors.ts";
import { Matrix, toMatrix } from "../core/matrix.ts";

/**
 * Convert a {@linkcode SampleLike} to an N×d matrix (a vector becomes N×1), requiring finite
 * entries, d ≥ 1 and N ≥ `minRows`.
 */
export function toSamples(x: unknown, fn: string, arg: string, minRows = 2): Matrix {
  let m: Matrix;
  if (ArrayBuffer.isView(x) && !(x instanceof DataView)) {
    const v = x as unknown as ArrayLike<number>;
    m = new Matrix(v.length, 1, vectorData(v, fn, arg));
  } else if (Array.isArray(x) && (x.length === 0 || !isRow(x[0]))) {
    m = new Matrix(x.length, 1, vectorData(x, fn, arg));
  } else {
    m = toMatrix(x, fn, arg);
  }
  if (m.rows < minRows) {
    throw new ShapeError({ fn, arg, expected: `at least ${minRows} samples (rows)`, got: `${m.rows}` });
  }
  if (m.cols < 1) throw new ShapeError({ fn, arg, expected: "at least one column", got: `${m.rows}×${m.cols}` });
  return m;
}

function isRow(r: unknown): boolean {
  return Array.isArray(r) || (ArrayBuffer.isView(r) && !(r instanceof DataView));
}

function vectorData(v: ArrayLike<number>, fn: string, arg: string): Float64Array {
  const out = new Float64Array(v.length);
  for (let i = 0; i < v.length; i++) {
    const e = v[i];
    if (typeof e !== "number") {
      throw new TypeMismatchError({ fn, arg: `${arg}[${i}]`, expected: "a number", got: describeValue(e) });
    }
    if (!Number.isFinite(e)) {
      throw new NonFiniteError({ fn, arg: `${arg}[${i}]`, expected: "finite", got: describeValue(e) });
    }
    out[i] = e;
  }
  return out;
}

/** Throw a ShapeError unless `y` has as many rows as `x`. */
export function assertSameRows(x: Matrix, y: Matrix, fn: string, argX: string, argY: string): void {
  if (x.rows !== y.rows) {
    throw new ShapeError({
      fn,
      arg: argY,
      expected: `${x.rows} samples (as many rows as '${argX}')`,
      got: `${y.rows}`,
    });
  }
}

/** Labels mapped to dense codes 0..C−1 (in order of first appearance) with class counts. */
export interface LabelCodes {
  /** Code of each sample. */
  readonly codes: Int32Array;
  /** Number of samples of each class. */
  readonly counts: Int32Array;
  /** Class values in code order. */
  readonly classes: readonly (number | string)[];
}

/** Convert labels to dense codes; checks length `n` when given. */
export function toLabels(y: unknown, fn: string, arg: string, n?: number): LabelCodes {
  const isTyped = ArrayBuffer.isView(y) && !(y instanceof DataView);
  if (!Array.isArray(y) && !isTyped) {
    throw new TypeMismatchError({
      fn,
      arg,
      expected: "an array of labels (numbers or strings)",
      got: describeValue(y),
    });
  }
  const v = y as ArrayLike<unknown>;
  if (n !== undefined && v.length !== n) {
    throw new ShapeError({ fn, arg, expected: `${n} labels (one per sample)`, got: `${v.length}` });
  }
  const map = new Map<number | string, number>();
  const codes = new Int32Array(v.length);
  const counts: number[] = [];
  const classes: (number | string)[] = [];
  for (let i = 0; i < v.length; i++) {
    const e = v[i];
    if (typeof e === "number") {
      if (!Number.isFinite(e)) {
        throw new NonFiniteError({ fn, arg: `${arg}[${i}]`, expected: "finite", got: describeValue(e) });
      }
    } else if (typeof e !== "string") {
      throw new TypeMismatchError({ fn, arg: `${arg}[${i}]`, expected: "a number or a string", got: describeValue(e) });
    }
    const key = Object.is(e, -0) ? 0 : e as number | string;
    let c = map.get(key);
    if (c === undefined) {
      c = classes.length;
      map.set(key, c);
      classes.push(key);
      counts.push(0);
    }
    codes[i] = c;
    counts[c]++;
  }
  return { codes, counts: Int32Array.from(counts), classes };
}

/** Check 1 ≤ k ≤ kMax (integer), naming the option. */
export function assertK(k: number, kMax: number, fn: string, arg = "options.k"): void {
  if (!(k <= kMax)) {
    throw new DomainError({
      fn,
      arg,
      expected: `≤ ${kMax} (k must be smaller than the number of samples)`,
      got: describeValue(k),
    });
  }
}
