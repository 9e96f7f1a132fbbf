/**
 * f64 CPU twins of the kernels that have no counterpart in `lib/core`: elementwise map/zip,
 * row/column sums and maxima, and the affine-input forms of log-sum-exp and softmax
 * (L_ij = s·A_ij + u_i + v_j, epilogue α·r + b) that fuse a Sinkhorn half-step into one pass.
 *
 * They are the reference the GPU kernels are tested against and the fallback the `gpu.*`
 * ops run without an adapter. Where core already has the primitive they delegate to it
 * (`sum` for compensated sums, `lseStrided` / `logSumExpRows` / `logSumExpCols` for
 * log-sum-exp, `softmax` / `softmaxRows` / `softmaxCols`), so there is still one
 * implementation of each.
 *
 * Zero-weight convention of the affine forms (shared with the kernels): an offset u_i or v_j
 * equal to −∞ makes L_ij = −∞ whatever A_ij is; otherwise s·A_ij = ±∞ propagates.
 *
 * @module
 */

import { describeValue, DomainError, NonFiniteError, OptionError, ShapeError } from "../core/errors.ts";
import { Matrix, type MatrixLike, toMatrix } from "../core/matrix.ts";
import { logSumExpCols, logSumExpRows, lseStrided, softmax, softmaxCols, softmaxRows, sum } from "../core/reduce.ts";
import { MAP_OPS, type MapOp, ZIP_OPS, type ZipOp } from "../../kernels/core/elementwise.ts";

/** Parameters of {@linkcode elementwiseMap}: y = f(a·x + b). */
export interface MapParams {
  /** a. @default 1 */
  a?: number;
  /** b. @default 0 */
  b?: number;
}

/** Parameters of {@linkcode elementwiseZip}: z = g(α·x, β·y). */
export interface ZipParams {
  /** α. @default 1 */
  alpha?: number;
  /** β. @default 1 */
  beta?: number;
}

function finiteParam(fn: string, arg: string, v: number | undefined, dflt: number): number {
  if (v === undefined) return dflt;
  if (typeof v !== "number" || !Number.isFinite(v)) {
    throw new OptionError({ fn, arg, expected: "a finite number", got: describeValue(v) });
  }
  return v;
}

/** f applied to t, in f64, with the same formulas as the WGSL kernel. */
function mapScalar(op: MapOp, t: number): number {
  switch (op) {
    case "affine":
      return t;
    case "neg":
      return -t;
    case "abs":
      return Math.abs(t);
    case "square":
      return t * t;
    case "sqrt":
      return Math.sqrt(t);
    case "exp":
      return Math.exp(t);
    case "log":
      return Math.log(t);
    case "relu":
      return t > 0 ? t : 0;
    case "sigmoid":
      return t >= 0 ? 1 / (1 + Math.exp(-t)) : Math.exp(t) / (1 + Math.exp(t));
    case "tanh":
      return Math.tanh(t);
  }
}

/**
 * @internal Validate the arguments of an elementwise map; returns resolved (a, b).
 * @throws as {@linkcode elementwiseMap}
 */
export function checkMap(fn: string, x: ArrayLike<number>, op: MapOp, params: MapParams): { a: number; b: number } {
  if (!(MAP_OPS as readonly string[]).includes(op)) {
    throw new OptionError({ fn, arg: "op", expected: `one of ${MAP_OPS.join(", ")}`, got: describeValue(op) });
  }
  const a = finiteParam(fn, "params.a", params.a, 1), b = finiteParam(fn, "params.b", params.b, 0);
  for (let i = 0; i < x.length; i++) {
    const v = x[i];
    if (!Number.isFinite(v)) {
      throw new NonFiniteError({ fn, arg: `x[${i}]`, expected: "finite", got: describeValue(v) });
    }
    if ((op === "sqrt" || op === "log") && a * v + b < 0) {
      throw new DomainError({ fn, arg: `x[${i}]`, expected: `a·x + b ≥ 0 for ${op}`, got: `a·x + b = ${a * v + b}` });
    }
  }
  return { a, b };
}

/**
 * Elementwise y_i = f(a·x_i + b) for f in {@linkcode MAP_OPS} (f64 twin of
 * `kernels/core/elementwise.ts`). `sigmoid` uses the two-sided logistic (no overflow);
 * `log(0)` is −∞.
 *
 * @param x finite values
 * @param op the function
 * @param params a, b
 * @returns a new array
 * @throws {NonFiniteError} for a non-finite x_i
 * @throws {DomainError} for a·x + b < 0 under `sqrt` or `log`
 * @throws {OptionError} for an unknown op or a non-finite a, b
 * @example
 * ```ts
 * import { elementwiseMap } from "@parsimony/parsimony/gpu";
 * elementwiseMap([0, 1], "exp", { a: 2 }); // => Float64Array [1, Math.exp(2)]
 * ```
 */
export function elementwiseMap(x: ArrayLike<number>, op: MapOp, params: MapParams = {}): Float64Array {
  const { a, b } = checkMap("elementwiseMap", x, op, params);
  return mapUnchecked(x, op, a, b);
}

/** @internal {@linkcode elementwiseMap} on trusted input. */
export function mapUnchecked(x: ArrayLike<number>, op: MapOp, a: number, b: number): Float64Array {
  const out = new Float64Array(x.length);
  for (let i = 0; i < x.length; i++) out[i] = mapScalar(op, a * x[i] + b);
  return out;
}

function zipScalar(op: ZipOp, u: number, v: number): number {
  switch (op) {
    case "add":
      return u + v;
    case "sub":
      return u - v;
    case "mul":
      return u * v;
    case "div":
      return u / v;
    case "max":
      return u > v ? u : v;
    case "min":
      return u < v ? u : v;
  }
}

/**
 * @internal Validate the arguments of an elementwise zip; returns resolved (α, β).
 * @throws as {@linkcode elementwiseZip}
 */
export function checkZip(
  fn: string,
  x: ArrayLike<number>,
  y: ArrayLike<number>,
  op: ZipOp,
  params: ZipParams,
): { alpha: number; beta: number } {
  if (!(ZIP_OPS as readonly string[]).includes(op)) {
    throw new OptionError({ fn, arg: "op", expected: `one of ${ZIP_OPS.join(", ")}`, got: describeValue(op) });
  }
  if (y.length !== x.length) {
    throw new ShapeError({ fn, arg: "y", expected: `length ${x.length}`, got: `length ${y.length}` });
  }
  const alpha = finiteParam(fn, "params.alpha", params.alpha, 1), beta = finiteParam(fn, "params.beta", params.beta, 1);
  for (let i = 0; i < x.length; i++) {
    if (!Number.isFinite(x[i])) {
      throw new NonFiniteError({ fn, arg: `x[${i}]`, expected: "finite", got: describeValue(x[i]) });
    }
    if (!Number.isFinite(y[i])) {
      throw new NonFiniteError({ fn, arg: `y[${i}]`, expected: "finite", got: describeValue(y[i]) });
    }
    // Zero divisors are checked in f32 as well: the GPU divides by fl32(β)·fl32(y_i).
    if (op === "div" && (beta * y[i] === 0 || Math.fround(Math.fround(beta) * Math.fround(y[i])) === 0)) {
      throw new DomainError({
        fn,
        arg: `y[${i}]`,
        expected: "β·y ≠ 0 (also after rounding to f32) for div",
        got: describeValue(y[i]),
      });
    }
  }
  return { alpha, beta };
}

/**
 * Elementwise z_i = g(α·x_i, β·y_i) for g in {@linkcode ZIP_OPS} (f64 twin of
 * `kernels/core/elementwise.ts`); `add` with α, β is axpby.
 *
 * @param x finite values
 * @param y finite values, same length
 * @param op the operation
 * @param params α, β
 * @returns a new array
 * @throws {ShapeError} on a length mismatch
 * @throws {NonFiniteError} for non-finite entries
 * @throws {DomainError} for a zero divisor under `div`
 * @throws {OptionError} for an unknown op or non-finite α, β
 * @example
 * ```ts
 * import { elementwiseZip } from "@parsimony/parsimony/gpu";
 * elementwiseZip([1, 2], [3, 4], "add", { alpha: 2, beta: -1 }); // => Float64Array [-1, 0]
 * ```
 */
export function elementwiseZip(
  x: ArrayLike<number>,
  y: ArrayLike<number>,
  op: ZipOp,
  params: ZipParams = {},
): Float64Array {
  const { alpha, beta } = checkZip("elementwiseZip", x, y, op, params);
  return zipUnchecked(x, y, op, alpha, beta);
}

/** @internal {@linkcode elementwiseZip} on trusted input. */
export function zipUnchecked(
  x: ArrayLike<number>,
  y: ArrayLike<number>,
  op: ZipOp,
  alpha: number,
  beta: number,
): Float64Array {
  const out = new Float64Array(x.length);
  for (let i = 0; i < x.length; i++) out[i] = zipScalar(op, alpha * x[i], beta * y[i]);
  return out;
}

/**
 * Row sums Σ_j A_ij, each compensated (Neumaier, via core `sum`).
 *
 * @param A finite matrix
 * @returns length rows
 * @throws {NonFiniteError} for a non-finite entry
 * @example
 * ```ts
 * import { sumRows } from "@parsimony/parsimony/gpu";
 * sumRows([[1, 2], [3, 4]]); // => Float64Array [3, 7]
 * ```
 */
export function sumRows(A: MatrixLike): Float64Array {
  const M = toMatrix(A, "sumRows", "A");
  const out = new Float64Array(M.rows);
  for (let i = 0; i < M.rows; i++) out[i] = sum(M.row(i));
  return out;
}

/**
 * Column sums Σ_i A_ij, compensated (Neumaier) while walking rows contiguously.
 *
 * @param A finite matrix
 * @returns length cols
 * @throws {NonFiniteError} for a non-finite entry
 * @example
 * ```ts
 * import { sumCols } from "@parsimony/parsimony/gpu";
 * sumCols([[1, 2], [3, 4]]); // => Float64Array [4, 6]
 * ```
 */
export function sumCols(A: MatrixLike): Float64Array {
  const M = toMatrix(A, "sumCols", "A");
  const { rows, cols, data } = M;
  const s = new Float64Array(cols), c = new Float64Array(cols);
  for (let i = 0; i < rows; i++) {
    const base = i * cols;
    for (let j = 0; j < cols; j++) {
      const v = data[base + j], t = s[j] + v;
      c[j] += Math.abs(s[j]) >= Math.abs(v) ? (s[j] - t) + v : (v - t) + s[j];
      s[j] = t;
    }
  }
  for (let j = 0; j < cols; j++) s[j] += c[j];
  return s;
}

function rejectNaN(fn: string, M: Matrix): void {
  const d = M.data;
  for (let p = 0; p < d.length; p++) {
    if (Number.isNaN(d[p])) {
      throw new NonFiniteError({
        fn,
        arg: `A[${Math.floor(p / M.cols)}][${p % M.cols}]`,
        expected: "a number or ±Infinity",
        got: "NaN",
      });
    }
  }
}

/**
 * Row maxima max_j A_ij (±Infinity allowed; −∞ for a row with no columns).
 *
 * @param A matrix without NaN
 * @returns length rows
 * @throws {NonFiniteError} for a NaN entry
 * @example
 * ```ts
 * import { maxRows } from "@parsimony/parsimony/gpu";
 * maxRows([[1, 5], [-Infinity, 2]]); // => Float64Array [5, 2]
 * ```
 */
export function maxRows(A: MatrixLike): Float64Array {
  const M = toMatrix(A, "maxRows", "A", { finite: false });
  rejectNaN("maxRows", M);
  const out = new Float64Array(M.rows).fill(-Infinity);
  for (let i = 0; i < M.rows; i++) {
    const base = i * M.cols;
    for (let j = 0; j < M.cols; j++) if (M.data[base + j] > out[i]) out[i] = M.data[base + j];
  }
  return out;
}

/**
 * Column maxima max_i A_ij (±Infinity allowed).
 *
 * @param A matrix without NaN
 * @returns length cols
 * @throws {NonFiniteError} for a NaN entry
 * @example
 * ```ts
 * import { maxCols } from "@parsimony/parsimony/gpu";
 * maxCols([[1, 5], [3, 2]]); // => Float64Array [3, 5]
 * ```
 */
export function maxCols(A: MatrixLike): Float64Array {
  const M = toMatrix(A, "maxCols", "A", { finite: false });
  rejectNaN("maxCols", M);
  const out = new Float64Array(M.cols).fill(-Infinity);
  for (let i = 0; i < M.rows; i++) {
    const base = i * M.cols;
    for (let j = 0; j < M.cols; j++) if (M.data[base + j] > out[j]) out[j] = M.data[base + j];
  }
  return out;
}

/**
 * Affine input and epilogue of the fused log-sum-exp / softmax:
 * L_ij = scale·A_ij + u_i + v_j, out = outScale·LSE(L) + outOffset.
 */
export interface LseAffineOptions {
  /** s (finite, ≠ 0). @default 1 */
  scale?: number;
  /** u, length rows; entries finite or −∞ (zero weight). */
  rowOffset?: ArrayLike<number>;
  /** v, length cols; entries finite or −∞ (zero weight). */
  colOffset?: ArrayLike<number>;
  /** α (finite, ≠ 0; log-sum-exp only). @default 1 */
  outScale?: number;
  /** b, one finite entry per output (log-sum-exp only). */
  outOffset?: ArrayLike<number>;
}

/** @internal Validated affine options. */
export interface ResolvedAffine {
  scale: number;
  rowOffset: Float64Array | null;
  colOffset: Float64Array | null;
  outScale: number;
  outOffset: Float64Array | null;
}

function offsetVector(
  fn: string,
  arg: string,
  v: ArrayLike<number> | undefined,
  n: number,
  allowNegInf: boolean,
): Float64Array | null {
  if (v === undefined) return null;
  if (v === null || typeof v !== "object" || typeof (v as ArrayLike<number>).length !== "number") {
    throw new OptionError({ fn, arg, expected: "an array of numbers", got: describeValue(v) });
  }
  if (v.length !== n) throw new ShapeError({ fn, arg, expected: `length ${n}`, got: `length ${v.length}` });
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const x = v[i];
    if (typeof x !== "number" || Number.isNaN(x) || x === Infinity || (!allowNegInf && x === -Infinity)) {
      throw new NonFiniteError({
        fn,
        arg: `${arg}[${i}]`,
        expected: allowNegInf ? "finite or -Infinity" : "finite",
        got: describeValue(x),
      });
    }
    out[i] = x;
  }
  return out;
}

/** @internal Validate {@linkcode LseAffineOptions} for an n×m input with `outLen` outputs. */
export function resolveAffine(
  fn: string,
  rows: number,
  cols: number,
  o: LseAffineOptions,
  outLen: number,
  epilogue: boolean,
): ResolvedAffine {
  const known = epilogue
    ? ["scale", "rowOffset", "colOffset", "outScale", "outOffset"]
    : ["scale", "rowOffset", "colOffset"];
  for (const key of Object.keys(o)) {
    if (!known.includes(key) && key !== "backend") {
      throw new OptionError({
        fn,
        arg: `options.${key}`,
        expected: `a known option (${known.join(", ")}, backend)`,
        got: "an unknown key",
      });
    }
  }
  const nz = (arg: string, v: number | undefined) => {
    if (v === undefined) return 1;
    if (typeof v !== "number" || !Number.isFinite(v) || v === 0) {
      throw new OptionError({ fn, arg, expected: "a finite non-zero number", got: describeValue(v) });
    }
    return v;
  };
  return {
    scale: nz("options.scale", o.scale),
    rowOffset: offsetVector(fn, "options.rowOffset", o.rowOffset, rows, true),
    colOffset: offsetVector(fn, "options.colOffset", o.colOffset, cols, true),
    outScale: nz("options.outScale", o.outScale),
    outOffset: offsetVector(fn, "options.outOffset", o.outOffset, outLen, false),
  };
}

/** @internal Whether the options are the identity (plain log-sum-exp / softmax). */
export function isPlain(r: ResolvedAffine): boolean {
  return r.scale === 1 && !r.rowOffset && !r.colOffset && r.outScale === 1 && !r.outOffset;
}

/** @internal L = s·A + u ⊕ v in f64 with the zero-weight convention. */
export function affineInput(M: Matrix, r: ResolvedAffine): Matrix {
  const { rows, cols, data } = M;
  const L = new Matrix(rows, cols);
  const o = L.data, s = r.scale, u = r.rowOffset, v = r.colOffset;
  for (let i = 0; i < rows; i++) {
    const ui = u ? u[i] : 0;
    for (let j = 0; j < cols; j++) {
      const vj = v ? v[j] : 0;
      o[i * cols + j] = ui === -Infinity || vj === -Infinity ? -Infinity : s * data[i * cols + j] + (ui + vj);
    }
  }
  return L;
}

/** Apply α·r + b in place. */
function epilogue(out: Float64Array, r: ResolvedAffine): Float64Array {
  if (r.outScale !== 1 || r.outOffset) {
    for (let i = 0; i < out.length; i++) out[i] = r.outScale * out[i] + (r.outOffset ? r.outOffset[i] : 0);
  }
  return out;
}

/**
 * Fused row log-sum-exp out_i = α·log Σ_j exp(s·A_ij + u_i + v_j) + b_i — the Sinkhorn
 * log-domain half-step f̂ = log a − LSE_j(ĝ_j − C_ij/ε) in one call (s = −1/ε, v = ĝ,
 * α = −1, b = log a). With no options it is core `logSumExpRows`.
 *
 * @param A matrix; entries may be ±Infinity, not NaN
 * @param options s, u, v, α, b (see {@linkcode LseAffineOptions})
 * @returns length rows
 * @throws {NonFiniteError} for NaN in A or a bad offset entry
 * @throws {ShapeError} for offsets of the wrong length
 * @throws {OptionError} for s or α zero / non-finite, or an unknown key
 * @example
 * ```ts
 * import { lseRows } from "@parsimony/parsimony/gpu";
 * lseRows([[0, 0]], { colOffset: [0, -Infinity] }); // => Float64Array [0]
 * lseRows([[1, 2]], { scale: -1, outScale: -1 }); // => Float64Array [-Math.log(Math.exp(-1) + Math.exp(-2))]
 * ```
 */
export function lseRows(A: MatrixLike, options: LseAffineOptions = {}): Float64Array {
  const M = toMatrix(A, "lseRows", "A", { finite: false });
  const r = resolveAffine("lseRows", M.rows, M.cols, options, M.rows, true);
  return lseRowsResolved(M, r);
}

/** @internal {@linkcode lseRows} on validated input. */
export function lseRowsResolved(M: Matrix, r: ResolvedAffine): Float64Array {
  rejectNaN("lseRows", M);
  if (isPlain(r)) return logSumExpRows(M);
  const L = affineInput(M, r);
  const out = new Float64Array(M.rows);
  for (let i = 0; i < M.rows; i++) out[i] = lseStrided(L.data, i * M.cols, M.cols, 1);
  return epilogue(out, r);
}

/**
 * Fused column log-sum-exp out_j = α·log Σ_i exp(s·A_ij + u_i + v_j) + b_j (the other
 * Sinkhorn half-step). With no options it is core `logSumExpCols`.
 *
 * @param A matrix; entries may be ±Infinity, not NaN
 * @param options s, u, v, α, b
 * @returns length cols
 * @throws as {@linkcode lseRows}
 * @example
 * ```ts
 * import { lseCols } from "@parsimony/parsimony/gpu";
 * lseCols([[0], [0]], { rowOffset: [0, -Infinity] }); // => Float64Array [0]
 * ```
 */
export function lseCols(A: MatrixLike, options: LseAffineOptions = {}): Float64Array {
  const M = toMatrix(A, "lseCols", "A", { finite: false });
  const r = resolveAffine("lseCols", M.rows, M.cols, options, M.cols, true);
  return lseColsResolved(M, r);
}

/** @internal {@linkcode lseCols} on validated input. */
export function lseColsResolved(M: Matrix, r: ResolvedAffine): Float64Array {
  rejectNaN("lseCols", M);
  if (isPlain(r)) return logSumExpCols(M);
  return epilogue(logSumExpCols(affineInput(M, r)), r);
}

/**
 * @internal Check that a softmax of L = s·A + u ⊕ v is defined: no NaN, no L_ij = +∞, and at
 * least one L > −∞ per row (or column). Names the entry / line like core's `softmax` would.
 */
export function checkSoftmax(fn: string, M: Matrix, r: ResolvedAffine, byRows: boolean): void {
  const { rows, cols, data } = M;
  const live = new Uint8Array(byRows ? rows : cols);
  for (let i = 0; i < rows; i++) {
    const ui = r.rowOffset ? r.rowOffset[i] : 0;
    for (let j = 0; j < cols; j++) {
      const a = data[i * cols + j];
      if (Number.isNaN(a)) {
        throw new NonFiniteError({ fn, arg: `A[${i}][${j}]`, expected: "a number or -Infinity", got: "NaN" });
      }
      const vj = r.colOffset ? r.colOffset[j] : 0;
      if (ui === -Infinity || vj === -Infinity) continue;
      const t = r.scale * a;
      if (t === Infinity) {
        throw new NonFiniteError({
          fn,
          arg: `A[${i}][${j}]`,
          expected: "finite or -Infinity after scaling (softmax of +Infinity is undefined)",
          got: describeValue(a),
        });
      }
      if (t !== -Infinity) live[byRows ? i : j] = 1;
    }
  }
  for (let q = 0; q < live.length; q++) {
    if (!live[q]) {
      throw new NonFiniteError({
        fn,
        arg: byRows ? `A[${q}]` : `A[*][${q}]`,
        expected: "at least one entry with positive weight (> -Infinity)",
        got: "all -Infinity",
      });
    }
  }
}

/**
 * Row softmax of L = s·A + u ⊕ v (core `softmax` on each row of L; core `softmaxRows` when
 * there are no options). MoE gating with temperature T is s = 1/T.
 *
 * @param A matrix; entries finite or −∞ after scaling
 * @param options s, u, v
 * @returns rows × cols, rows summing to 1
 * @throws {NonFiniteError} for NaN, +∞ after scaling, or a row of zero weights
 * @example
 * ```ts
 * import { softmaxRowsAffine } from "@parsimony/parsimony/gpu";
 * softmaxRowsAffine([[0, Math.log(3)]]).toArray(); // => [[0.25, 0.75]]
 * ```
 */
export function softmaxRowsAffine(
  A: MatrixLike,
  options: Pick<LseAffineOptions, "scale" | "rowOffset" | "colOffset"> = {},
): Matrix {
  const M = toMatrix(A, "softmaxRowsAffine", "A", { finite: false });
  const r = resolveAffine("softmaxRowsAffine", M.rows, M.cols, options, 0, false);
  checkSoftmax("softmaxRowsAffine", M, r, true);
  return softmaxRowsResolved(M, r);
}

/** @internal Row softmax on validated input. */
export function softmaxRowsResolved(M: Matrix, r: ResolvedAffine): Matrix {
  if (isPlain(r)) return softmaxRows(M);
  const L = affineInput(M, r);
  const out = new Matrix(M.rows, M.cols);
  for (let i = 0; i < M.rows; i++) out.row(i).set(softmax(L.row(i)));
  return out;
}

/**
 * Column softmax of L = s·A + u ⊕ v (core `softmaxCols` on L).
 *
 * @param A matrix; entries finite or −∞ after scaling
 * @param options s, u, v
 * @returns rows × cols, columns summing to 1
 * @throws {NonFiniteError} for NaN, +∞ after scaling, or a column of zero weights
 * @example
 * ```ts
 * import { softmaxColsAffine } from "@parsimony/parsimony/gpu";
 * softmaxColsAffine([[0], [0]], { scale: 2 }).toArray(); // => [[0.5], [0.5]]
 * ```
 */
export function softmaxColsAffine(
  A: MatrixLike,
  options: Pick<LseAffineOptions, "scale" | "rowOffset" | "colOffset"> = {},
): Matrix {
  const M = toMatrix(A, "softmaxColsAffine", "A", { finite: false });
  const r = resolveAffine("softmaxColsAffine", M.rows, M.cols, options, 0, false);
  checkSoftmax("softmaxColsAffine", M, r, false);
  return softmaxColsResolved(M, r);
}

/** @internal Column softmax on validated input. */
export function softmaxColsResolved(M: Matrix, r: ResolvedAffine): Matrix {
  return isPlain(r) ? softmaxCols(M) : softmaxCols(affineInput(M, r));
}
