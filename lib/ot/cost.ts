/**
 * Ground-cost matrices for optimal transport: what moving a unit of mass from x_i to y_j costs.
 * Point clouds ({@linkcode sqeuclidean}, {@linkcode euclidean}) and regular grids for
 * discretised densities and images ({@linkcode gridCost}). No regulariser lives here.
 *
 * @module
 */

import { pairwiseSqDist } from "../core/blas.ts";
import { DomainError, ShapeError, TypeMismatchError } from "../core/errors.ts";
import { Matrix, type MatrixLike } from "../core/matrix.ts";
import { assertInteger, assertNumber, type ConstraintTable, resolveOptions } from "../core/validate.ts";

/** Points: `number[][]` / Matrix (one point per row), or a flat array of 1-D points. */
export type Points = MatrixLike | ArrayLike<number>;

function toPoints(x: Points, fn: string, arg: string): MatrixLike {
  if (Array.isArray(x) && (x.length === 0 || typeof x[0] === "number")) {
    return { rows: x.length, cols: 1, data: x as number[] };
  }
  if (ArrayBuffer.isView(x) && !(x instanceof DataView)) {
    const v = x as unknown as ArrayLike<number>;
    return { rows: v.length, cols: 1, data: v };
  }
  if (x === null || typeof x !== "object") {
    throw new TypeMismatchError({
      fn,
      arg,
      expected: "points (number[][], Matrix or a flat 1-D array)",
      got: String(x),
    });
  }
  return x as MatrixLike;
}

/**
 * Squared Euclidean cost C_ij = ‖x_i − y_j‖² (no ½), computed by differences (no cancellation).
 *
 * @param X n points (rows) or a flat array of 1-D points
 * @param Y m points with the same dimension; omitted = X
 * @returns the n×m cost {@linkcode Matrix}
 * @throws {ParsimonyError} naming `X` or `Y` (shape, non-finite)
 * @example
 * ```ts
 * import { sqeuclidean } from "@parsimony/parsimony/ot";
 * sqeuclidean([[0, 0], [1, 1]], [[1, 0]]).toArray(); // => [[1], [1]]
 * sqeuclidean([0, 3]).toArray(); // => [[0, 9], [9, 0]]
 * ```
 */
export function sqeuclidean(X: Points, Y?: Points): Matrix {
  const x = toPoints(X, "sqeuclidean", "X");
  return pairwiseSqDist(x, Y === undefined ? undefined : toPoints(Y, "sqeuclidean", "Y"));
}

/**
 * Euclidean cost C_ij = ‖x_i − y_j‖₂ (the ground distance of W1 and, raised to p, of W_p).
 *
 * @param X n points (rows) or a flat array of 1-D points
 * @param Y m points; omitted = X
 * @returns the n×m cost {@linkcode Matrix}
 * @throws {ParsimonyError} naming `X` or `Y`
 * @example
 * ```ts
 * import { euclidean } from "@parsimony/parsimony/ot";
 * euclidean([[0, 0]], [[3, 4]]).get(0, 0); // => 5
 * ```
 */
export function euclidean(X: Points, Y?: Points): Matrix {
  const D = sqeuclidean(X, Y);
  const d = D.data;
  for (let k = 0; k < d.length; k++) d[k] = Math.sqrt(d[k]);
  return D;
}

/** Options of {@linkcode gridCost}. */
export interface GridCostOptions {
  /** Distance between grid points: `"euclidean"` (ℓ2) or `"cityblock"` (ℓ1). @default "euclidean" */
  metric: "euclidean" | "cityblock";
  /**
   * Grid step per axis (a number for all axes). `undefined` = 1/(size − 1) per axis, i.e. the grid
   * spans the unit cube [0, 1]^d. @default undefined
   */
  spacing: number | readonly number[] | undefined;
}

const GRID_DEFAULTS: Readonly<GridCostOptions> = Object.freeze({ metric: "euclidean", spacing: undefined });
const GRID_CONSTRAINTS: ConstraintTable<GridCostOptions> = Object.freeze({
  metric: { kind: "enum", values: ["euclidean", "cityblock"] },
  spacing: { kind: "any" },
});

/**
 * Cost between the cells of a regular grid (discretised densities, images): C_kl = d(x_k, x_l)^p
 * with x_k the grid point of flat (row-major) index k. `gridCost([n], 1)` is the W1 ground cost
 * of a 1-D histogram, `gridCost([28, 28], 2)` the W2² cost between 28×28 images.
 *
 * @param shape grid size per axis, e.g. `[200]` or `[28, 28]` (N = product cells)
 * @param p exponent of the distance (p = 1: d, p = 2: d²)
 * @param options {@linkcode GridCostOptions}
 * @returns the N×N cost {@linkcode Matrix}
 * @throws {ParsimonyError} naming `shape`, `p` or `options.spacing`
 * @example
 * ```ts
 * import { gridCost } from "@parsimony/parsimony/ot";
 * gridCost([3], 1).toArray(); // => [[0, 0.5, 1], [0.5, 0, 0.5], [1, 0.5, 0]]
 * gridCost([2, 2], 2, { spacing: 1 }).get(0, 3); // => 2
 * ```
 */
export function gridCost(shape: readonly number[], p = 1, options: Partial<GridCostOptions> = {}): Matrix {
  const fn = "gridCost";
  if (!Array.isArray(shape) || shape.length === 0) {
    throw new ShapeError({ fn, arg: "shape", expected: "a non-empty array of axis sizes", got: String(shape) });
  }
  shape.forEach((s, k) => assertInteger(s, fn, `shape[${k}]`, 1));
  assertNumber(p, fn, "p");
  if (!(p > 0)) throw new DomainError({ fn, arg: "p", expected: "> 0", got: String(p) });
  const opts = resolveOptions(fn, GRID_DEFAULTS, options, GRID_CONSTRAINTS);
  const d = shape.length;
  const step = new Float64Array(d);
  for (let k = 0; k < d; k++) {
    const sp = opts.spacing;
    const s = sp === undefined ? (shape[k] > 1 ? 1 / (shape[k] - 1) : 0) : typeof sp === "number" ? sp : sp[k];
    if (typeof s !== "number" || !(s >= 0) || !Number.isFinite(s)) {
      throw new DomainError({
        fn,
        arg: "options.spacing",
        expected: `a finite step ≥ 0 for each of the ${d} axes`,
        got: String(sp),
      });
    }
    step[k] = s;
  }
  let N = 1;
  for (const s of shape) N *= s;
  // coordinates of every cell (row-major: last axis fastest)
  const X = new Float64Array(N * d);
  for (let k = 0; k < N; k++) {
    let r = k;
    for (let ax = d - 1; ax >= 0; ax--) {
      X[k * d + ax] = (r % shape[ax]) * step[ax];
      r = Math.floor(r / shape[ax]);
    }
  }
  const out = new Matrix(N, N);
  const o = out.data, l1 = opts.metric === "cityblock";
  for (let i = 0; i < N; i++) {
    for (let j = 0; j < N; j++) {
      let s = 0;
      for (let ax = 0; ax < d; ax++) {
        const t = X[i * d + ax] - X[j * d + ax];
        s += l1 ? Math.abs(t) : t * t;
      }
      const dist = l1 ? s : Math.sqrt(s);
      o[i * N + j] = p === 1 ? dist : p === 2 ? (l1 ? dist * dist : s) : Math.pow(dist, p);
    }
  }
  return out;
}
