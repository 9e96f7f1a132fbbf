/**
 * Partial selection: the k smallest entries of every row of a matrix, sorted ascending —
 * the brute-force k-nearest-neighbour step of the KSG and Kozachenko–Leonenko estimators
 * (run on a distance matrix), and the f64 CPU twin of the WGSL kernel
 * `kernels/core/k_smallest_per_row.ts`.
 *
 * Order is total and deterministic: by value, ties broken by the smaller column index
 * (−0 and +0 are equal values). CPU and GPU follow the same rule, so on inputs that are
 * exactly representable in f32 they return identical indices.
 *
 * @module
 */

import { NonFiniteError, ShapeError } from "./errors.ts";
import { type MatrixLike, toMatrix } from "./matrix.ts";
import { assertInteger } from "./validate.ts";

/** The k smallest entries of each row, row-major `rows × k`, ascending within a row. */
export interface KSmallest {
  /** Number of rows of the input. */
  readonly rows: number;
  /** Entries kept per row. */
  readonly k: number;
  /** Column index of each kept entry, `indices[i·k + t]` is the t-th smallest of row i. */
  readonly indices: Int32Array;
  /** The kept values, same layout as `indices`. */
  readonly values: Float64Array;
}

/** Options of {@linkcode kSmallestPerRow}. */
export interface KSmallestOptions {
  /**
   * Skip entry (i, i) of each row — the point itself when `D` is the distance matrix of a set
   * to itself (kNN "leave one out"). Requires `k ≤ cols − 1` on rows that have a diagonal entry.
   * @default false
   */
  excludeDiagonal?: boolean;
}

/** Above this k a row is fully sorted (O(m log m)) instead of insertion into a k-buffer (O(m·k) worst case). */
const INSERTION_MAX_K = 64;

/**
 * k smallest entries of every row of D, ascending, ties by smaller column index.
 *
 * Bounded insertion into a sorted k-buffer (expected O(m) per row on random data, O(m·k)
 * worst case) for k ≤ 64, a full index sort of the row above.
 *
 * @param D n×m matrix; entries may be ±Infinity (e.g. a masked diagonal), not NaN
 * @param k entries kept per row, 1 ≤ k ≤ m (≤ m − 1 with `excludeDiagonal`)
 * @returns indices and values, row-major n×k
 * @throws {NonFiniteError} for a NaN entry, naming `D[i][j]`
 * @throws {DomainError} if k is out of range, naming `k`
 * @throws {TypeMismatchError} if k is not an integer
 * @example
 * ```ts
 * import { kSmallestPerRow } from "@parsimony/parsimony/core";
 * const r = kSmallestPerRow([[3, 1, 2, 1]], 2);
 * r.indices; // => Int32Array [1, 3] (value 1 twice: smaller index first)
 * r.values; // => Float64Array [1, 1]
 * kSmallestPerRow([[0, 5, 4], [5, 0, 1]], 1, { excludeDiagonal: true }).indices; // => Int32Array [2, 2]
 * ```
 */
export function kSmallestPerRow(D: MatrixLike, k: number, options: KSmallestOptions = {}): KSmallest {
  const fn = "kSmallestPerRow";
  const M = toMatrix(D, fn, "D", { finite: false });
  const { rows, cols, data } = M;
  const excl = options.excludeDiagonal ?? false;
  for (let p = 0; p < data.length; p++) {
    if (Number.isNaN(data[p])) {
      throw new NonFiniteError({
        fn,
        arg: `D[${Math.floor(p / cols)}][${p % cols}]`,
        expected: "a number or ±Infinity",
        got: "NaN",
      });
    }
  }
  // A row i < cols loses its diagonal entry; rows ≥ cols have none.
  const avail = excl && rows > 0 ? cols - 1 : cols;
  if (rows > 0 && avail < 1) {
    throw new ShapeError({
      fn,
      arg: "D",
      expected: excl ? "at least 2 columns with excludeDiagonal" : "at least 1 column",
      got: `${cols}`,
    });
  }
  assertInteger(k, fn, "k", 1, rows > 0 ? Math.max(1, avail) : Number.MAX_SAFE_INTEGER);
  const indices = new Int32Array(rows * k);
  const values = new Float64Array(rows * k);
  if (k <= INSERTION_MAX_K) {
    const bv = new Float64Array(k), bi = new Int32Array(k);
    for (let i = 0; i < rows; i++) {
      const base = i * cols;
      const skip = excl ? i : -1;
      let cnt = 0;
      for (let j = 0; j < cols; j++) {
        if (j === skip) continue;
        const v = data[base + j];
        // Columns arrive in increasing j, so an equal value never displaces a kept one.
        if (cnt === k && !(v < bv[k - 1])) continue;
        let pos = cnt < k ? cnt++ : k - 1;
        while (pos > 0 && v < bv[pos - 1]) {
          bv[pos] = bv[pos - 1];
          bi[pos] = bi[pos - 1];
          pos--;
        }
        bv[pos] = v;
        bi[pos] = j;
      }
      values.set(bv, i * k);
      indices.set(bi, i * k);
    }
  } else {
    const idx: number[] = [];
    for (let i = 0; i < rows; i++) {
      const base = i * cols;
      idx.length = 0;
      for (let j = 0; j < cols; j++) if (!(excl && j === i)) idx.push(j);
      idx.sort((a, b) => {
        const va = data[base + a], vb = data[base + b];
        return va < vb ? -1 : va > vb ? 1 : a - b;
      });
      for (let t = 0; t < k; t++) {
        indices[i * k + t] = idx[t];
        values[i * k + t] = data[base + idx[t]];
      }
    }
  }
  return { rows, k, indices, values };
}
