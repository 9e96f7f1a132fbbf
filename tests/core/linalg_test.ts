import { assert, assertAllClose, assertThrowsArg, relErr } from "../_helpers.ts";
import { cholesky, choleskySolve, eigSym, lstsq, pinv, solve, solveTriangular, svd } from "../../lib/core/linalg.ts";
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

/** Textbook unblocked Cholesky (row by row), the reference for the blocked one. */
function naiveCholesky(A: Matrix): Float64Array {
  const n = A.rows, L = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      let s = A.data[i * n + j];
      for (let p = 0; p < j; p++) s -= L[i * n + p] * L[j * n + p];
      L[i * n + j] = i === j ? Math.sqrt(s) : s / L[j * n + j];
    }
  }
  return L;
}

Deno.test("cholesky (blocked, GEMM trailing updates): equals the textbook algorithm to rounding across block edges", () => {
  const r = new Rng(23);
  for (const n of [1, 2, 5, 63, 64, 65, 127, 130, 200]) {
    const A = spd(r, n);
    const L = cholesky(A);
    const e = relErr(L.data, naiveCholesky(A));
    assert.ok(e < 1e-13, `n = ${n}: rel err vs textbook ${e}`);
    for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) assert.equal(L.data[i * n + j], 0);
    assert.ok(relErr(gemm(L, L, { transB: true }).data, A.data) < 1e-13, `n = ${n}: L Lᵀ = A`);
  }
});

Deno.test("choleskySolve: blocked forward/back substitution for 1 … 150 right-hand sides, across block edges", () => {
  const r = new Rng(24);
  for (const n of [3, 64, 65, 150]) {
    const A = spd(r, n);
    for (const k of [1, 2, 7, 8, 9, 64, 150]) {
      const X = rand(r, n, k);
      const got = choleskySolve(A, gemm(A, X));
      const e = relErr(got.data, X.data);
      assert.ok(e < 1e-12, `n = ${n}, ${k} rhs: rel err ${e}`);
      assert.equal(got.rows, n);
      assert.equal(got.cols, k);
    }
  }
  // a harder system: condition number ~1e8, residual small relative to ‖A‖‖x‖
  const n = 120;
  const Q = rand(r, n, n);
  const S = gemm(Q, Q, { transA: true });
  for (let i = 0; i < n; i++) S.data[i * n + i] += 1e-6;
  const x = r.normalArray(n);
  const b = gemv(S, x);
  const got = choleskySolve(S, b);
  const res = gemv(S, got).map((v, i) => v - b[i]);
  let rn = 0, an = 0, xn = 0;
  for (let i = 0; i < n; i++) rn = Math.max(rn, Math.abs(res[i])), xn = Math.max(xn, Math.abs(got[i]));
  for (const v of S.data) an = Math.max(an, Math.abs(v));
  assert.ok(rn / (an * xn) < 1e-13, `backward error ${rn / (an * xn)}`);
});

Deno.test("cholesky: a matrix that stops being positive definite past the first block is rejected, naming the row", () => {
  const r = new Rng(25);
  const n = 100;
  const A = spd(r, n);
  // make the Schur complement at row 80 negative: a_80,80 below Σ_p l_80,p²
  const L = naiveCholesky(A);
  let s = 0;
  for (let p = 0; p < 80; p++) s += L[80 * n + p] ** 2;
  A.data[80 * n + 80] = s * (1 - 1e-3);
  try {
    cholesky(A);
    assert.fail("expected a NumericalError");
  } catch (e) {
    assert.equal((e as { code?: string }).code, "numerical");
    assert.match(String((e as Error).message), /row 80\b/);
  }
});

Deno.test("solveTriangular: lower/upper × plain/transposed, 1 … 70 right-hand sides, across block edges; the other triangle is ignored", () => {
  const r = new Rng(26);
  for (const n of [1, 3, 65, 150]) {
    // a well-conditioned triangle, with garbage (never read) in the other one
    const full = rand(r, n, n);
    for (let i = 0; i < n; i++) full.data[i * n + i] = 2 + Math.abs(full.data[i * n + i]) + Math.sqrt(n);
    for (const lower of [true, false]) {
      const T = new Matrix(n, n); // the triangle alone, for the products below
      for (let i = 0; i < n; i++) {
        for (let j = 0; j < n; j++) if (lower ? j <= i : j >= i) T.data[i * n + j] = full.data[i * n + j];
      }
      for (const trans of [false, true]) {
        for (const k of [1, 9, 70]) {
          const X = rand(r, n, k);
          const B = gemm(T, X, { transA: trans });
          const got = solveTriangular(full, B, { lower, trans });
          const e = relErr(got.data, X.data);
          assert.ok(e < 1e-12, `n = ${n}, lower = ${lower}, trans = ${trans}, ${k} rhs: rel err ${e}`);
        }
        const x = r.normalArray(n);
        const got = solveTriangular(full, gemv(T, x, { trans }), { lower, trans });
        assert.ok(relErr(got, x) < 1e-12);
      }
    }
  }
  assertThrowsArg(() => solveTriangular([[1, 0], [2, 0]], [1, 1]), "T[1][1]", "numerical");
  assertThrowsArg(() => solveTriangular([[1, 0, 0]], [1]), "T", "shape");
  assertThrowsArg(() => solveTriangular([[1, 0], [2, 1]], [1, 1, 1]), "b", "shape");
});
