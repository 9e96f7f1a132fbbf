/**
 * A dense, row-major `Float64Array` matrix: the one array type every module shares.
 *
 * Element (i, j) lives at `data[i * cols + j]`. Rows are contiguous, so a row
 * is a zero-copy `subarray` ({@linkcode Matrix.row}) and a block of rows is a
 * zero-copy {@linkcode Matrix} view ({@linkcode Matrix.rowBlock}). Columns are
 * strided and are copied on request.
 *
 * Public functions accept a {@linkcode MatrixLike} (`number[][]`, a `Matrix`
 * or `{ rows, cols, data }`) and convert it once with {@linkcode toMatrix},
 * which validates the shape and (by default) finiteness and names the argument
 * in any error.
 *
 * @module
 */

import { describeValue, NonFiniteError, ShapeError, TypeMismatchError } from "./errors.ts";
import { assertInteger } from "./validate.ts";

/** A plain `{ rows, cols, data }` record in row-major order, e.g. from JSON or another library. */
export interface MatrixData {
  /** Number of rows. */
  readonly rows: number;
  /** Number of columns. */
  readonly cols: number;
  /** `rows·cols` entries, row-major. */
  readonly data: ArrayLike<number>;
}

/** Anything {@linkcode toMatrix} accepts. */
export type MatrixLike = Matrix | MatrixData | readonly (readonly number[])[] | readonly Float64Array[];

/**
 * Dense row-major f64 matrix.
 *
 * @example
 * ```ts
 * import { Matrix } from "@parsimony/parsimony/core";
 * const A = Matrix.fromRows([[1, 2, 3], [4, 5, 6]]);
 * A.get(1, 2); // => 6
 * A.row(0); // => Float64Array [1, 2, 3] (a view)
 * A.transpose().toArray(); // => [[1, 4], [2, 5], [3, 6]]
 * ```
 */
export class Matrix {
  /** Number of rows. */
  readonly rows: number;
  /** Number of columns. */
  readonly cols: number;
  /** Row-major storage, length `rows·cols`. May be a view into a larger buffer. */
  readonly data: Float64Array;

  /**
   * Wrap (without copying) row-major `data`, or allocate zeros when `data` is omitted.
   *
   * @throws {ShapeError} if `data.length !== rows·cols`
   */
  constructor(rows: number, cols: number, data?: Float64Array) {
    assertInteger(rows, "Matrix", "rows", 0);
    assertInteger(cols, "Matrix", "cols", 0);
    if (data === undefined) data = new Float64Array(rows * cols);
    else if (data.length !== rows * cols) {
      throw new ShapeError({
        fn: "Matrix",
        arg: "data",
        expected: `length rows·cols = ${rows * cols}`,
        got: `length ${data.length}`,
      });
    }
    this.rows = rows;
    this.cols = cols;
    this.data = data;
  }

  /**
   * An all-zero matrix.
   *
   * @example
   * ```ts
   * import { Matrix } from "@parsimony/parsimony/core";
   * Matrix.zeros(2, 3).data.length; // => 6
   * ```
   */
  static zeros(rows: number, cols: number): Matrix {
    return new Matrix(rows, cols);
  }

  /**
   * A matrix filled with one value.
   *
   * @example
   * ```ts
   * import { Matrix } from "@parsimony/parsimony/core";
   * Matrix.full(2, 2, 7).get(1, 1); // => 7
   * ```
   */
  static full(rows: number, cols: number, value: number): Matrix {
    const m = new Matrix(rows, cols);
    m.data.fill(value);
    return m;
  }

  /**
   * The n×n identity.
   *
   * @example
   * ```ts
   * import { Matrix } from "@parsimony/parsimony/core";
   * Matrix.identity(3).get(2, 2); // => 1
   * ```
   */
  static identity(n: number): Matrix {
    const m = new Matrix(n, n);
    for (let i = 0; i < n; i++) m.data[i * n + i] = 1;
    return m;
  }

  /**
   * Copy a `number[][]` (rows of equal length) into a new matrix.
   *
   * @throws {ShapeError} for ragged rows
   * @example
   * ```ts
   * import { Matrix } from "@parsimony/parsimony/core";
   * Matrix.fromRows([[1, 2], [3, 4]]).cols; // => 2
   * ```
   */
  static fromRows(rows: readonly (ArrayLike<number>)[]): Matrix {
    return toMatrix(rows, "Matrix.fromRows", "rows", { finite: false });
  }

  /**
   * Build from row-major typed data (copied unless `copy` is false).
   *
   * @example
   * ```ts
   * import { Matrix } from "@parsimony/parsimony/core";
   * Matrix.fromTypedArray(new Float64Array([1, 2, 3, 4]), 2, 2).get(1, 0); // => 3
   * ```
   */
  static fromTypedArray(data: ArrayLike<number>, rows: number, cols: number, copy = true): Matrix {
    const d = !copy && data instanceof Float64Array ? data : Float64Array.from(data);
    return new Matrix(rows, cols, d);
  }

  /**
   * A diagonal matrix with `d` on the diagonal.
   *
   * @example
   * ```ts
   * import { Matrix } from "@parsimony/parsimony/core";
   * Matrix.diag([1, 2]).toArray(); // => [[1, 0], [0, 2]]
   * ```
   */
  static diag(d: ArrayLike<number>): Matrix {
    const n = d.length;
    const m = new Matrix(n, n);
    for (let i = 0; i < n; i++) m.data[i * n + i] = d[i];
    return m;
  }

  /** `[rows, cols]`. */
  get shape(): [number, number] {
    return [this.rows, this.cols];
  }

  /** Entry (i, j); no bounds check (hot path). */
  get(i: number, j: number): number {
    return this.data[i * this.cols + j];
  }

  /** Set entry (i, j); no bounds check (hot path). */
  set(i: number, j: number, v: number): void {
    this.data[i * this.cols + j] = v;
  }

  /** Row i as a zero-copy view: writing to it writes the matrix. */
  row(i: number): Float64Array {
    return this.data.subarray(i * this.cols, (i + 1) * this.cols);
  }

  /** Column j, copied into a new array. */
  col(j: number): Float64Array {
    const out = new Float64Array(this.rows);
    for (let i = 0; i < this.rows; i++) out[i] = this.data[i * this.cols + j];
    return out;
  }

  /** Diagonal entries, copied. */
  diagonal(): Float64Array {
    const k = Math.min(this.rows, this.cols);
    const out = new Float64Array(k);
    for (let i = 0; i < k; i++) out[i] = this.data[i * this.cols + i];
    return out;
  }

  /**
   * Rows `start ≤ i < end` as a zero-copy matrix view sharing this buffer.
   *
   * @example
   * ```ts
   * import { Matrix } from "@parsimony/parsimony/core";
   * const A = Matrix.fromRows([[1, 2], [3, 4], [5, 6]]);
   * A.rowBlock(1, 3).toArray(); // => [[3, 4], [5, 6]]
   * ```
   */
  rowBlock(start: number, end: number): Matrix {
    if (!(0 <= start && start <= end && end <= this.rows)) {
      throw new ShapeError({
        fn: "Matrix.rowBlock",
        arg: "start, end",
        expected: `0 ≤ start ≤ end ≤ ${this.rows}`,
        got: `${start}, ${end}`,
      });
    }
    return new Matrix(end - start, this.cols, this.data.subarray(start * this.cols, end * this.cols));
  }

  /** A deep copy. */
  clone(): Matrix {
    return new Matrix(this.rows, this.cols, this.data.slice());
  }

  /**
   * The transpose (blocked copy, so large transposes stay cache-friendly), into a new array or
   * into `out` (length rows·cols, must not overlap this matrix's data).
   *
   * @param out optional destination; the returned matrix wraps it
   * @throws {ShapeError} naming `out` when its length is not rows·cols
   */
  transpose(out?: Float64Array): Matrix {
    const { rows: r, cols: c, data: a } = this;
    if (out === undefined) out = new Float64Array(r * c);
    else if (out.length !== r * c) {
      throw new ShapeError({
        fn: "Matrix.transpose",
        arg: "out",
        expected: `length ${r * c}`,
        got: `length ${out.length}`,
      });
    }
    const B = 32;
    for (let ii = 0; ii < r; ii += B) {
      const iMax = Math.min(ii + B, r);
      for (let jj = 0; jj < c; jj += B) {
        const jMax = Math.min(jj + B, c);
        for (let i = ii; i < iMax; i++) {
          const base = i * c;
          for (let j = jj; j < jMax; j++) out[j * r + i] = a[base + j];
        }
      }
    }
    return new Matrix(c, r, out);
  }

  /** Same data, another shape with the same number of entries (zero-copy). */
  reshape(rows: number, cols: number): Matrix {
    if (rows * cols !== this.data.length) {
      throw new ShapeError({
        fn: "Matrix.reshape",
        arg: "rows, cols",
        expected: `rows·cols = ${this.data.length}`,
        got: `${rows}×${cols}`,
      });
    }
    return new Matrix(rows, cols, this.data);
  }

  /** Apply `f` to every entry, returning a new matrix. */
  map(f: (v: number, i: number, j: number) => number): Matrix {
    const out = new Matrix(this.rows, this.cols);
    for (let i = 0; i < this.rows; i++) {
      const base = i * this.cols;
      for (let j = 0; j < this.cols; j++) out.data[base + j] = f(this.data[base + j], i, j);
    }
    return out;
  }

  /** As nested arrays (for JSON, tables and printing). */
  toArray(): number[][] {
    const out: number[][] = [];
    for (let i = 0; i < this.rows; i++) out.push(Array.from(this.row(i)));
    return out;
  }

  /** Short description for the REPL/notebook: shape and the first entries. */
  toString(): string {
    const show = Math.min(this.rows, 6);
    const lines = [];
    for (let i = 0; i < show; i++) {
      const r = Array.from(this.row(i).subarray(0, 6), (v) => v.toPrecision(6));
      lines.push(`  [${r.join(", ")}${this.cols > 6 ? ", …" : ""}]`);
    }
    if (this.rows > show) lines.push("  …");
    return `Matrix ${this.rows}×${this.cols}\n${lines.join("\n")}`;
  }
}

/** Options of {@linkcode toMatrix}. */
export interface ToMatrixOptions {
  /** Reject NaN/±Inf entries. @default true */
  finite?: boolean;
  /** Return the input itself (no copy) when it already is a `Matrix`. @default true */
  reuse?: boolean;
}

/**
 * Convert a {@linkcode MatrixLike} argument of a public function to a {@linkcode Matrix},
 * validating its shape and entries and naming the argument in any error.
 *
 * @param x `number[][]`, `Float64Array[]`, `Matrix` or `{ rows, cols, data }`
 * @param fn public function name (for the message)
 * @param arg argument name (for the message)
 * @throws {TypeMismatchError} if `x` is not matrix-like
 * @throws {ShapeError} for ragged rows or a data length that does not match
 * @throws {NonFiniteError} for NaN/±Inf when `finite` (the default)
 * @example
 * ```ts
 * import { toMatrix } from "@parsimony/parsimony/core";
 * toMatrix([[1, 2], [3, 4]], "demo", "C").rows; // => 2
 * // toMatrix([[1, 2], [3]], "demo", "C") throws "demo: 'C[1]' must be length 2; got length 1"
 * ```
 */
export function toMatrix(x: unknown, fn: string, arg: string, options: ToMatrixOptions = {}): Matrix {
  const finite = options.finite ?? true;
  const reuse = options.reuse ?? true;
  let m: Matrix;
  if (x instanceof Matrix) {
    m = reuse ? x : x.clone();
  } else if (Array.isArray(x)) {
    const rows = x.length;
    if (rows === 0) {
      m = new Matrix(0, 0);
    } else {
      const first = x[0];
      if (!isRowLike(first)) {
        throw new TypeMismatchError({ fn, arg, expected: "a matrix (array of rows)", got: describeValue(x) });
      }
      const cols = first.length;
      const data = new Float64Array(rows * cols);
      for (let i = 0; i < rows; i++) {
        const r = x[i];
        if (!isRowLike(r)) {
          throw new TypeMismatchError({
            fn,
            arg: `${arg}[${i}]`,
            expected: "a row (array of numbers)",
            got: describeValue(r),
          });
        }
        if (r.length !== cols) {
          throw new ShapeError({ fn, arg: `${arg}[${i}]`, expected: `length ${cols}`, got: `length ${r.length}` });
        }
        for (let j = 0; j < cols; j++) {
          const v = r[j];
          if (typeof v !== "number") {
            throw new TypeMismatchError({ fn, arg: `${arg}[${i}][${j}]`, expected: "a number", got: describeValue(v) });
          }
          data[i * cols + j] = v;
        }
      }
      m = new Matrix(rows, cols, data);
    }
  } else if (isMatrixData(x)) {
    if (x.data.length !== x.rows * x.cols) {
      throw new ShapeError({
        fn,
        arg: `${arg}.data`,
        expected: `length ${x.rows * x.cols}`,
        got: `length ${x.data.length}`,
      });
    }
    m = new Matrix(x.rows, x.cols, Float64Array.from(x.data));
  } else {
    throw new TypeMismatchError({
      fn,
      arg,
      expected: "a matrix (number[][], Matrix or {rows, cols, data})",
      got: describeValue(x),
    });
  }
  if (finite) {
    const d = m.data;
    for (let k = 0; k < d.length; k++) {
      if (!Number.isFinite(d[k])) {
        // Name the entry as (i, j): users think in matrix coordinates, not flat offsets.
        const i = Math.floor(k / m.cols), j = k % m.cols;
        throw new NonFiniteError({ fn, arg: `${arg}[${i}][${j}]`, expected: "finite", got: describeValue(d[k]) });
      }
    }
  }
  return m;
}

function isRowLike(r: unknown): r is ArrayLike<number> {
  return Array.isArray(r) || (ArrayBuffer.isView(r) && !(r instanceof DataView));
}

function isMatrixData(x: unknown): x is MatrixData {
  if (typeof x !== "object" || x === null) return false;
  const o = x as Record<string, unknown>;
  return Number.isInteger(o.rows) && Number.isInteger(o.cols) && (o.rows as number) >= 0 &&
    (o.cols as number) >= 0 && isRowLike(o.data);
}

/**
 * Check a matrix has the expected shape; `undefined` leaves that dimension free.
 *
 * @throws {ShapeError}
 * @example
 * ```ts
 * import { assertShape, Matrix } from "@parsimony/parsimony/core";
 * assertShape(Matrix.zeros(2, 3), 2, 3, "demo", "C"); // ok
 * ```
 */
export function assertShape(
  m: { rows: number; cols: number },
  rows: number | undefined,
  cols: number | undefined,
  fn: string,
  arg: string,
): void {
  if ((rows !== undefined && m.rows !== rows) || (cols !== undefined && m.cols !== cols)) {
    throw new ShapeError({
      fn,
      arg,
      expected: `shape ${rows ?? "any"}×${cols ?? "any"}`,
      got: `${m.rows}×${m.cols}`,
    });
  }
}
