import fc from "fast-check";
import { assert, assertAllClose, assertClose, assertThrowsArg, relErr } from "../_helpers.ts";
import { axpy, dot, gaussianGram, gemm, gemv, matmul, outer, pairwiseSqDist } from "../../lib/core/blas.ts";
import { Matrix } from "../../lib/core/matrix.ts";
import { Rng } from "../../lib/core/rng.ts";

/** The textbook triple loop: the oracle for gemm. */
function naive(A: Matrix, B: Matrix): Matrix {
  const C = new Matrix(A.rows, B.cols);
  for (let i = 0; i < A.rows; i++) {
    for (let j = 0; j < B.cols; j++) {
      let s = 0;
      for (let k = 0; k < A.cols; k++) s += A.get(i, k) * B.get(k, j);
      C.set(i, j, s);
    }
  }
  return C;
}

function rand(r: Rng, m: number, n: number): Matrix {
  return new Matrix(m, n, r.normalArray(m * n));
}

Deno.test("gemm: matches the naive triple loop on odd shapes, across block edges (rel 1e-13)", () => {
  const r = new Rng(11);
  for (const [m, k, n] of [[1, 1, 1], [3, 5, 7], [4, 4, 4], [5, 130, 3], [17, 129, 513], [66, 1, 9]]) {
    const A = rand(r, m, k), B = rand(r, k, n);
    const e = relErr(gemm(A, B).data, naive(A, B).data);
    assert.ok(e < 1e-13, `${m}×${k}·${k}×${n}: rel err ${e}`);
  }
});

Deno.test("gemm: transA/transB/alpha/beta/out follow the BLAS definition", () => {
  const r = new Rng(12);
  const A = rand(r, 6, 4), B = rand(r, 5, 6), C0 = rand(r, 4, 5);
  const ref = naive(A.transpose(), B.transpose());
  assertAllClose(gemm(A, B, { transA: true, transB: true }).data, ref.data, 1e-13, 1e-14);
  const out = C0.clone();
  gemm(A, B, { transA: true, transB: true, alpha: 2, beta: -0.5, out });
  const expect = ref.data.map((v, i) => 2 * v - 0.5 * C0.data[i]);
  assertAllClose(out.data, expect, 1e-13, 1e-14);
  assertAllClose(gemm(A, A, { transB: true }).data, naive(A, A.transpose()).data, 1e-13, 1e-14);
  assertAllClose(gemm(A, B.transpose(), { transA: true }).data, naive(A.transpose(), B.transpose()).data, 1e-13, 1e-14);
  assertAllClose(matmul(A.transpose(), A).data, naive(A.transpose(), A).data, 1e-13, 1e-14);
});

Deno.test("gemm: property — (AB)ᵀ = BᵀAᵀ for random small shapes", () => {
  fc.assert(
    fc.property(
      fc.integer({ min: 1, max: 9 }),
      fc.integer({ min: 1, max: 9 }),
      fc.integer({ min: 1, max: 9 }),
      fc.integer({ min: 0, max: 1000 }),
      (m, k, n, seed) => {
        const r = new Rng(seed);
        const A = rand(r, m, k), B = rand(r, k, n);
        const lhs = gemm(A, B).transpose();
        const rhs = gemm(B, A, { transA: true, transB: true });
        return relErr(lhs.data, rhs.data) < 1e-14;
      },
    ),
    { numRuns: 50, seed: 1 },
  );
});

Deno.test("gemv: y = αAx + βy and the transposed product", () => {
  const A = Matrix.fromRows([[1, 2, 3], [4, 5, 6]]);
  assert.deepEqual(gemv(A, [1, 0, -1]), new Float64Array([-2, -2]));
  assert.deepEqual(gemv(A, [1, 1], { trans: true }), new Float64Array([5, 7, 9]));
  const y = new Float64Array([1, 1]);
  gemv(A, [1, 1, 1], { alpha: 2, beta: 3, out: y });
  assert.deepEqual(y, new Float64Array([15, 33]));
  assertThrowsArg(() => gemv(A, [1, 2]), "x", "shape");
  assertThrowsArg(() => gemv(A, [1, 2, 3], { out: new Float64Array(3) }), "options.out", "shape");
});

Deno.test("dot/axpy/outer: values and shape checks", () => {
  assert.equal(dot([1, 2, 3, 4, 5], [5, 4, 3, 2, 1]), 35);
  const y = new Float64Array([1, 2]);
  axpy(-1, [1, 2], y);
  assert.deepEqual(y, new Float64Array([0, 0]));
  assert.deepEqual(outer([1, 2], [3]).toArray(), [[3], [6]]);
  assertThrowsArg(() => dot([1], [1, 2]), "y", "shape");
  assertThrowsArg(() => axpy(1, [1], new Float64Array(2)), "y", "shape");
  assertThrowsArg(() => outer([NaN], [1]), "x[0]", "nonFinite");
});

Deno.test("gemm: shape errors name the argument", () => {
  assertThrowsArg(() => gemm([[1, 2]], [[1, 2]]), "B", "shape");
  assertThrowsArg(() => gemm([[1]], [[1]], { out: Matrix.zeros(2, 2) }), "options.out", "shape");
  assertThrowsArg(() => gemm([[NaN]], [[1]]), "A[0][0]", "nonFinite");
});

Deno.test("pairwiseSqDist: definition, exact zeros on the diagonal, 1-D fast path", () => {
  const r = new Rng(13);
  const X = rand(r, 7, 3), Y = rand(r, 5, 3);
  const D = pairwiseSqDist(X, Y);
  for (let i = 0; i < 7; i++) {
    for (let j = 0; j < 5; j++) {
      let s = 0;
      for (let k = 0; k < 3; k++) s += (X.get(i, k) - Y.get(j, k)) ** 2;
      assertClose(D.get(i, j), s, 1e-15);
    }
  }
  const Dxx = pairwiseSqDist(new Matrix(4, 2, Float64Array.from([1e8, 1, 1e8 + 1, 2, 3, 4, 5, 6])));
  for (let i = 0; i < 4; i++) assert.equal(Dxx.get(i, i), 0);
  assert.equal(Dxx.get(0, 1), 2); // no cancellation at large offsets
  assert.deepEqual(pairwiseSqDist([[0], [3]], [[1]]).toArray(), [[1], [4]]);
  assertThrowsArg(() => pairwiseSqDist([[1, 2]], [[1]]), "Y", "shape");
});

Deno.test("gaussianGram: exp(−d²/2σ²), symmetric with unit diagonal; σ ≤ 0 rejected", () => {
  const K = gaussianGram([[0, 0], [3, 4]], 5);
  assertClose(K.get(0, 1), Math.exp(-25 / 50), 1e-15);
  assert.equal(K.get(1, 1), 1);
  assert.equal(K.get(0, 1), K.get(1, 0));
  assertThrowsArg(() => gaussianGram([[0]], 0), "sigma", "domain");
  assertThrowsArg(() => gaussianGram([[0]], NaN), "sigma", "nonFinite");
});
