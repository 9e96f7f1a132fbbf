import { assert, assertAllClose, assertThrowsArg, relErr } from "../_helpers.ts";
import { cholesky, choleskySolve, eigSym, lstsq, pinv, solve, svd } from "../../lib/core/linalg.ts";
import { gemm, gemv } from "../../lib/core/blas.ts";
import { Matrix } from "../../lib/core/matrix.ts";
import { Rng } from "../../lib/core/rng.ts";

function rand(r: Rng, m: number, n: number): Matrix {
  return new Matrix(m, n, r.normalArray(m * n));
}

function spd(r: Rng, n: number): Matrix {
  const A = rand(r, n, n);
  const S = gemm(A, A, { transA: true });
  for (let i = 0; i < n; i++) S.data[i * n + i] += n;
  return S;
}

function orthoErr(Q: Matrix): number {
  const G = gemm(Q, Q, { transA: true });
  let e = 0;
  for (let i = 0; i < G.rows; i++) {
    for (let j = 0; j < G.cols; j++) e = Math.max(e, Math.abs(G.get(i, j) - (i === j ? 1 : 0)));
  }
  return e;
}

Deno.test("svd: U diag(s) Vᵀ reconstructs tall, wide and square matrices to < 1e-12 relative", () => {
  const r = new Rng(21);
  for (const [m, n] of [[8, 5], [5, 8], [12, 12], [1, 4], [30, 2]]) {
    const A = rand(r, m, n);
    const { U, s, V } = svd(A);
    const k = Math.min(m, n);
    assert.equal(s.length, k);
    for (let i = 1; i < k; i++) assert.ok(s[i - 1] >= s[i], "descending");
    const US = U.map((v, _i, j) => v * s[j]);
    const R = gemm(US, V, { transB: true });
    const e = relErr(R.data, A.data);
    assert.ok(e < 1e-12, `${m}×${n}: reconstruction rel err ${e}`);
    assert.ok(orthoErr(U) < 1e-12 && orthoErr(V) < 1e-12, "orthonormal factors");
  }
});

Deno.test("cholesky / choleskySolve: L Lᵀ = A and A x = b to < 1e-12 relative", () => {
  const r = new Rng(22);
  const A = spd(r, 9);
  const L = cholesky(A);
  for (let i = 0; i < 9; i++) for (let j = i + 1; j < 9; j++) assert.equal(L.get(i, j), 0);
  assert.ok(relErr(gemm(L, L, { transB: true }).data, A.data) < 1e-12);
  const x = r.normalArray(9);
  const b = gemv(A, x);
  assert.ok(relErr(choleskySolve(A, b), x) < 1e-12);
  const X = rand(r, 9, 3);
  assert.ok(relErr(choleskySolve(A, gemm(A, X)).data, X.data) < 1e-12);
});

Deno.test("cholesky: indefinite, non-symmetric and non-square inputs are rejected by name", () => {
  assertThrowsArg(() => cholesky([[1, 2], [2, 1]]), "A", "numerical");
  assertThrowsArg(() => choleskySolve([[1, 2], [2, 1]], [1, 1]), "A", "numerical");
  assertThrowsArg(() => cholesky([[1, 2], [0, 1]]), "A[0][1]", "shape");
  assertThrowsArg(() => cholesky([[1, 2, 3]]), "A", "shape");
  assertThrowsArg(() => choleskySolve([[2, 0], [0, 2]], [1, 2, 3]), "b", "shape");
  assertThrowsArg(() => choleskySolve([[2, 0], [0, 2]], [1, NaN]), "b[1]", "nonFinite");
});

Deno.test("eigSym: A Q = Q Λ, ascending, orthonormal", () => {
  const r = new Rng(23);
  const B = rand(r, 7, 7);
  const A = gemm(B, B, { transB: true });
  for (let i = 0; i < 7; i++) for (let j = 0; j < i; j++) A.set(i, j, A.get(j, i)); // exact symmetry
  const { values, vectors } = eigSym(A);
  for (let i = 1; i < 7; i++) assert.ok(values[i - 1] <= values[i]);
  const AQ = gemm(A, vectors);
  const QL = vectors.map((v, _i, j) => v * values[j]);
  assert.ok(relErr(AQ.data, QL.data) < 1e-12);
  assert.ok(orthoErr(vectors) < 1e-12);
  assertAllClose(eigSym([[2, 1], [1, 2]]).values, [1, 3], 1e-15);
});

Deno.test("solve / lstsq / pinv: exact systems, overdetermined fits, rank-deficient minimum norm", () => {
  const r = new Rng(24);
  const A = rand(r, 6, 6);
  const x = r.normalArray(6);
  assert.ok(relErr(solve(A, gemv(A, x)), x) < 1e-11);
  assertThrowsArg(() => solve([[1, 2], [2, 4]], [1, 1]), "A", "numerical");
  // Overdetermined: solution satisfies the normal equations Aᵀ(Ax − b) = 0.
  const T = rand(r, 20, 4);
  const b = r.normalArray(20);
  const xl = lstsq(T, b);
  const res = gemv(T, xl).map((v, i) => v - b[i]);
  const g = gemv(T, res, { trans: true });
  assert.ok(Math.max(...g.map(Math.abs)) < 1e-12);
  // Rank-deficient: duplicate column → minimum-norm solution splits the weight equally.
  const D = Matrix.fromRows([[1, 1], [2, 2], [3, 3]]);
  assertAllClose(lstsq(D, [2, 4, 6]), [1, 1], 1e-12);
  // Penrose conditions for pinv: A A⁺ A = A and A⁺ A A⁺ = A⁺.
  const W = rand(r, 3, 5);
  const P = pinv(W);
  assert.ok(relErr(gemm(gemm(W, P), W).data, W.data) < 1e-12);
  assert.ok(relErr(gemm(gemm(P, W), P).data, P.data) < 1e-12);
  assert.deepEqual(pinv([[2, 0], [0, 0]]).toArray(), [[0.5, 0], [0, 0]]);
});
