import { assert, assertThrowsArg } from "../_helpers.ts";
import { assertShape, Matrix, toMatrix } from "../../lib/core/matrix.ts";

Deno.test("matrix: constructors, accessors and row-major layout", () => {
  const A = Matrix.fromRows([[1, 2, 3], [4, 5, 6]]);
  assert.deepEqual(A.shape, [2, 3]);
  assert.equal(A.get(1, 0), 4);
  assert.deepEqual([...A.data], [1, 2, 3, 4, 5, 6]);
  assert.deepEqual([...A.col(2)], [3, 6]);
  assert.deepEqual(A.transpose().toArray(), [[1, 4], [2, 5], [3, 6]]);
  assert.deepEqual(Matrix.identity(2).toArray(), [[1, 0], [0, 1]]);
  assert.deepEqual(Matrix.diag([1, 2]).diagonal(), new Float64Array([1, 2]));
  assert.deepEqual(Matrix.full(1, 2, 3).toArray(), [[3, 3]]);
  assert.deepEqual(Matrix.fromTypedArray([1, 2, 3, 4], 2, 2).toArray(), [[1, 2], [3, 4]]);
  assert.deepEqual(A.reshape(3, 2).toArray(), [[1, 2], [3, 4], [5, 6]]);
  assert.deepEqual(A.map((v, i, j) => v * 10 + i + j).toArray(), [[10, 21, 32], [41, 52, 63]]);
  assert.match(A.toString(), /Matrix 2×3/);
});

Deno.test("matrix: row() and rowBlock() are zero-copy views", () => {
  const A = Matrix.fromRows([[1, 2], [3, 4], [5, 6]]);
  A.row(1)[0] = 30;
  assert.equal(A.get(1, 0), 30);
  const B = A.rowBlock(1, 3);
  B.set(1, 1, 60);
  assert.equal(A.get(2, 1), 60);
  assert.equal(B.data.buffer, A.data.buffer);
  const C = A.clone();
  C.set(0, 0, -1);
  assert.equal(A.get(0, 0), 1);
});

Deno.test("matrix: a large transpose matches the definition (blocked copy)", () => {
  const r = 70, c = 45;
  const A = new Matrix(r, c, Float64Array.from({ length: r * c }, (_, k) => k));
  const T = A.transpose();
  for (let i = 0; i < r; i++) for (let j = 0; j < c; j++) assert.equal(T.get(j, i), A.get(i, j));
});

Deno.test("toMatrix: accepts number[][], Float64Array rows, Matrix and {rows, cols, data}", () => {
  assert.deepEqual(toMatrix([[1, 2]], "f", "C").toArray(), [[1, 2]]);
  assert.deepEqual(toMatrix([new Float64Array([1, 2])], "f", "C").toArray(), [[1, 2]]);
  const M = Matrix.zeros(2, 2);
  assert.equal(toMatrix(M, "f", "C"), M);
  assert.notEqual(toMatrix(M, "f", "C", { reuse: false }), M);
  assert.deepEqual(toMatrix({ rows: 1, cols: 2, data: [5, 6] }, "f", "C").toArray(), [[5, 6]]);
  assert.equal(toMatrix([[NaN]], "f", "C", { finite: false }).rows, 1);
});

Deno.test("toMatrix: bad input names the argument and the entry", () => {
  assertThrowsArg(() => toMatrix([[1, 2], [3]], "sinkhorn", "C"), "C[1]", "shape");
  assertThrowsArg(() => toMatrix([[1, NaN]], "sinkhorn", "C"), "C[0][1]", "nonFinite");
  assertThrowsArg(() => toMatrix([[1, Infinity]], "sinkhorn", "C"), "C[0][1]", "nonFinite");
  assertThrowsArg(() => toMatrix("abc", "sinkhorn", "C"), "C", "type");
  assertThrowsArg(() => toMatrix([1, 2], "sinkhorn", "C"), "C", "type");
  assertThrowsArg(() => toMatrix([[1, "x"]], "sinkhorn", "C"), "C[0][1]", "type");
  assertThrowsArg(() => toMatrix({ rows: 2, cols: 2, data: [1] }, "sinkhorn", "C"), "C.data", "shape");
  assertThrowsArg(() => new Matrix(2, 2, new Float64Array(3)), "data", "shape");
  assertThrowsArg(() => new Matrix(-1, 2), "rows", "domain");
  assertThrowsArg(() => new Matrix(1.5, 2), "rows", "type");
  assertThrowsArg(() => Matrix.zeros(2, 2).rowBlock(1, 3), "start, end", "shape");
  assertThrowsArg(() => Matrix.zeros(2, 2).reshape(3, 1), "rows, cols", "shape");
  assertThrowsArg(() => assertShape(Matrix.zeros(2, 3), 3, 3, "emd", "C"), "C", "shape");
  const e = assertThrowsArg(() => toMatrix([[1, 2], [3]], "sinkhorn", "C"), "C[1]");
  assert.equal(e.message, "sinkhorn: 'C[1]' must be length 2; got length 1");
});
