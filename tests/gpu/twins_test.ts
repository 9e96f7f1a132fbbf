/**
 * The f64 CPU twins of lib/gpu/twins.ts against closed forms, brute-force loops and core:
 * they are the reference of the GPU parity tests, so they are checked on their own here.
 */
import { assert, assertAllClose, assertClose, assertThrowsArg } from "../_helpers.ts";
import {
  elementwiseMap,
  elementwiseZip,
  lseCols,
  lseRows,
  MAP_OPS,
  maxCols,
  maxRows,
  softmaxColsAffine,
  softmaxRowsAffine,
  sumCols,
  sumRows,
} from "../../lib/gpu/mod.ts";
import { logSumExp, logSumExpCols, logSumExpRows, softmax, softmaxCols, softmaxRows } from "../../lib/core/reduce.ts";
import { Matrix } from "../../lib/core/matrix.ts";
import { Rng } from "../../lib/core/rng.ts";

Deno.test("lseRows/lseCols without options are core logSumExpRows/Cols (bit-identical)", () => {
  const A = new Matrix(9, 13, new Rng(1).normalArray(117, 0, 50));
  A.set(2, 3, -Infinity);
  assert.deepStrictEqual(lseRows(A), logSumExpRows(A));
  assert.deepStrictEqual(lseCols(A), logSumExpCols(A));
});

Deno.test("lseRows/lseCols with offsets equal the definition α·log Σ exp(s·a + u + v) + b (brute force, rel 1e-14)", () => {
  const r = new Rng(2);
  const n = 6, m = 8;
  const A = new Matrix(n, m, r.normalArray(n * m));
  const u = r.normalArray(n), v = r.normalArray(m), bRow = r.normalArray(n), bCol = r.normalArray(m);
  v[3] = -Infinity;
  u[1] = -Infinity;
  const s = -7.5, alpha = -0.5;
  const L = (i: number, j: number) =>
    u[i] === -Infinity || v[j] === -Infinity ? -Infinity : s * A.get(i, j) + (u[i] + v[j]);
  const rows = lseRows(A, { scale: s, rowOffset: u, colOffset: v, outScale: alpha, outOffset: bRow });
  const cols = lseCols(A, { scale: s, rowOffset: u, colOffset: v, outScale: alpha, outOffset: bCol });
  for (let i = 0; i < n; i++) {
    const want = alpha * logSumExp(Array.from({ length: m }, (_, j) => L(i, j))) + bRow[i];
    if (i === 1) assert.equal(rows[i], Infinity, "all-zero-weight row: α·(−∞) with α < 0");
    else assertClose(rows[i], want, 1e-14, 1e-14, `row ${i}`);
  }
  for (let j = 0; j < m; j++) {
    const want = alpha * logSumExp(Array.from({ length: n }, (_, i) => L(i, j))) + bCol[j];
    if (j === 3) assert.equal(cols[j], Infinity);
    else assertClose(cols[j], want, 1e-14, 1e-14, `col ${j}`);
  }
});

Deno.test("lse twins: a −∞ offset masks the entry even when A is +∞ (zero weight wins, no NaN)", () => {
  assert.deepEqual([...lseRows([[Infinity, 0]], { colOffset: [-Infinity, 0] })], [0]);
  assert.deepEqual([...lseRows([[Infinity, 0]])], [Infinity]);
  assert.deepEqual([...lseRows([[-Infinity, 0]], { scale: -1 })], [Infinity]);
});

Deno.test("lse twins reject bad options naming them", () => {
  assertThrowsArg(() => lseRows([[1]], { scale: 0 }), "options.scale", "option");
  assertThrowsArg(() => lseRows([[1]], { outScale: NaN }), "options.outScale", "option");
  assertThrowsArg(() => lseRows([[1, 2]], { colOffset: [1] }), "options.colOffset", "shape");
  assertThrowsArg(() => lseRows([[1, 2]], { colOffset: [1, Infinity] }), "options.colOffset[1]", "nonFinite");
  assertThrowsArg(() => lseRows([[1, 2]], { outOffset: [-Infinity] }), "options.outOffset[0]", "nonFinite");
  assertThrowsArg(() => lseCols([[1, NaN]]), "A[0][1]", "nonFinite");
  assertThrowsArg(() => lseRows([[1]], { tol: 1 } as never), "options.tol", "option");
});

Deno.test("softmax twins: without options they are core softmaxRows/Cols; with options the definition (rel 1e-15)", () => {
  const r = new Rng(3);
  const A = new Matrix(5, 7, r.normalArray(35, 0, 3));
  assert.deepStrictEqual(softmaxRowsAffine(A), softmaxRows(A));
  assert.deepStrictEqual(softmaxColsAffine(A), softmaxCols(A));
  const u = r.normalArray(5), v = r.normalArray(7);
  v[0] = -Infinity;
  const P = softmaxRowsAffine(A, { scale: 2, rowOffset: u, colOffset: v });
  for (let i = 0; i < 5; i++) {
    const want = softmax(Array.from({ length: 7 }, (_, j) => j === 0 ? -Infinity : 2 * A.get(i, j) + (u[i] + v[j])));
    assertAllClose(P.row(i), want, 1e-15, 1e-300, `row ${i}`);
    assert.equal(P.get(i, 0), 0);
  }
  const Q = softmaxColsAffine(A, { scale: 0.5, colOffset: v.map((x) => Number.isFinite(x) ? x : 0) });
  for (let j = 0; j < 7; j++) assertClose(sumCols(Q)[j], 1, 1e-15, 0, `column ${j} sums to 1`);
});

Deno.test("softmax twins reject +∞ after scaling and all-zero-weight lines, naming the entry or line", () => {
  assertThrowsArg(() => softmaxRowsAffine([[Infinity, 0]]), "A[0][0]", "nonFinite");
  assertThrowsArg(() => softmaxRowsAffine([[-Infinity, 0]], { scale: -1 }), "A[0][0]", "nonFinite");
  assertThrowsArg(() => softmaxRowsAffine([[0, 0], [1, 1]], { rowOffset: [0, -Infinity] }), "A[1]", "nonFinite");
  assertThrowsArg(() => softmaxColsAffine([[-Infinity, 0], [-Infinity, 1]]), "A[*][0]", "nonFinite");
  assertThrowsArg(() => softmaxRowsAffine([[0]], { outScale: 2 } as never), "options.outScale", "option");
});

Deno.test("sumRows/sumCols are compensated: [1e16, 1, −1e16] sums to 1 (plain summation gives 0)", () => {
  assert.deepEqual([...sumRows([[1e16, 1, -1e16]])], [1]);
  assert.deepEqual([...sumCols([[1e16], [1], [-1e16]])], [1]);
  const A = new Matrix(40, 30, new Rng(4).normalArray(1200));
  assertAllClose(sumCols(A), sumRows(A.transpose()), 1e-15, 1e-15);
  assertThrowsArg(() => sumRows([[1, Infinity]]), "A[0][1]", "nonFinite");
});

Deno.test("maxRows/maxCols: plain maxima with ±∞, NaN rejected", () => {
  assert.deepEqual([...maxRows([[1, -Infinity, 3], [-Infinity, -Infinity, -Infinity]])], [3, -Infinity]);
  assert.deepEqual([...maxCols([[1, Infinity], [2, 0]])], [2, Infinity]);
  assertThrowsArg(() => maxCols([[1, NaN]]), "A[0][1]", "nonFinite");
});

Deno.test("elementwiseMap: each op is f(a·x + b) with the stated conventions (closed forms)", () => {
  const x = [-3, -0.5, 0, 0.5, 3];
  const a = 2, b = 0.25;
  const t = x.map((v) => a * v + b);
  const want: Record<string, number[]> = {
    affine: t,
    neg: t.map((v) => -v),
    abs: t.map(Math.abs),
    square: t.map((v) => v * v),
    exp: t.map(Math.exp),
    relu: t.map((v) => Math.max(v, 0)),
    sigmoid: t.map((v) => 1 / (1 + Math.exp(-v))),
    tanh: t.map(Math.tanh),
  };
  for (const op of MAP_OPS) {
    if (op === "sqrt" || op === "log") continue;
    assertAllClose(elementwiseMap(x, op, { a, b }), want[op], 1e-15, 1e-300, op);
  }
  assertAllClose(elementwiseMap([0, 1, 4], "sqrt"), [0, 1, 2], 0, 0, "sqrt");
  assert.deepEqual([...elementwiseMap([0, 1], "log")], [-Infinity, 0]);
  // The two-sided logistic never overflows: σ(−800) is tiny and positive, not NaN.
  const s = elementwiseMap([-800, 800], "sigmoid");
  assert.ok(s[0] >= 0 && s[0] < 1e-300);
  assert.equal(s[1], 1);
});

Deno.test("elementwiseZip: g(α·x, β·y) for every op; axpby is add with α, β", () => {
  const x = [1, -2, 3], y = [4, 5, -6];
  assert.deepEqual([...elementwiseZip(x, y, "add", { alpha: 2, beta: -1 })], [-2, -9, 12]);
  assert.deepEqual([...elementwiseZip(x, y, "sub")], [-3, -7, 9]);
  assert.deepEqual([...elementwiseZip(x, y, "mul")], [4, -10, -18]);
  assert.deepEqual([...elementwiseZip(x, y, "div")], [0.25, -0.4, -0.5]);
  assert.deepEqual([...elementwiseZip(x, y, "max")], [4, 5, 3]);
  assert.deepEqual([...elementwiseZip(x, y, "min")], [1, -2, -6]);
  assertThrowsArg(() => elementwiseZip([1], [1, 2], "add"), "y", "shape");
  assertThrowsArg(() => elementwiseZip([1], [1e-46], "div"), "y[0]", "domain");
  assertThrowsArg(() => elementwiseMap([-1], "log"), "x[0]", "domain");
  assertThrowsArg(() => elementwiseMap([Infinity], "abs"), "x[0]", "nonFinite");
});
