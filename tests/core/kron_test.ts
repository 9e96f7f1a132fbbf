import { assert, assertThrowsArg, relErr } from "../_helpers.ts";
import { gemv } from "../../lib/core/blas.ts";
import { cgemv, CMatrix } from "../../lib/core/complex.ts";
import { kron, kronMatVec, kronMatVecC, kronVectors } from "../../lib/core/kron.ts";
import { Matrix } from "../../lib/core/matrix.ts";
import { Rng } from "../../lib/core/rng.ts";

function kronC(A: CMatrix, B: CMatrix): CMatrix {
  const Rr = kron(A.realPart(), B.realPart()), Ii = kron(A.imagPart(), B.imagPart());
  const Ri = kron(A.realPart(), B.imagPart()), Ir = kron(A.imagPart(), B.realPart());
  return new CMatrix(Rr.rows, Rr.cols, Rr.data.map((v, k) => v - Ii.data[k]), Ri.data.map((v, k) => v + Ir.data[k]));
}

Deno.test("kron / kronVectors follow the row-major, first-factor-slowest convention", () => {
  assert.deepEqual(kron([[1, 2], [3, 4]], [[0, 1], [1, 0]]).toArray(), [
    [0, 1, 0, 2],
    [1, 0, 2, 0],
    [0, 3, 0, 4],
    [3, 0, 4, 0],
  ]);
  const v = kronVectors([[1, 2], [3, 5, 7], [1, -1]]);
  // j = (j1·3 + j2)·2 + j3
  assert.equal(v[(1 * 3 + 2) * 2 + 1], 2 * 7 * -1);
  assert.equal(v.length, 12);
  assertThrowsArg(() => kronVectors([]), "vs", "shape");
});

Deno.test("kronMatVec: equals the explicit Kronecker mat-vec on 3-mode shapes with M_i > N_i and M_i < N_i (1e-13)", () => {
  const r = new Rng(41);
  const shapes: [number, number][][] = [[[3, 2], [2, 4], [5, 3]], [[1, 3], [4, 1], [2, 2]], [[2, 2]]];
  for (const s of shapes) {
    const Bs = s.map(([m, n]) => new Matrix(m, n, r.normalArray(m * n)));
    const K = Bs.reduce((acc, B) => kron(acc, B));
    const x = r.normalArray(K.cols);
    assert.ok(relErr(kronMatVec(Bs, x), gemv(K, x)) < 1e-13, JSON.stringify(s));
    const y = r.normalArray(K.rows);
    assert.ok(relErr(kronMatVec(Bs, y, { transpose: true }), gemv(K, y, { trans: true })) < 1e-13, "transpose");
  }
  assertThrowsArg(() => kronMatVec([[[1, 2]]], [1, 2, 3]), "v", "shape");
  assertThrowsArg(() => kronMatVec([], [1]), "factors", "shape");
  assertThrowsArg(() => kronMatVec([[[1, NaN]]], [1, 2]), "factors[0][0][1]", "nonFinite");
});

Deno.test("kronMatVecC: complex factors, plain / transpose / conjugate transpose vs explicit kron (1e-13)", () => {
  const r = new Rng(42);
  const Bs = [[3, 2], [2, 4], [4, 3]].map(([m, n]) => new CMatrix(m, n, r.normalArray(m * n), r.normalArray(m * n)));
  const K = Bs.reduce((acc, B) => kronC(acc, B));
  const x = { re: r.normalArray(K.cols), im: r.normalArray(K.cols) };
  const got = kronMatVecC(Bs, x), want = cgemv(K, x);
  assert.ok(relErr(got.re, want.re) < 1e-13 && relErr(got.im, want.im) < 1e-13);
  const y = { re: r.normalArray(K.rows), im: r.normalArray(K.rows) };
  const gh = kronMatVecC(Bs, y, { transpose: true, conj: true }), wh = cgemv(K, y, { trans: true, conj: true });
  assert.ok(relErr(gh.re, wh.re) < 1e-13 && relErr(gh.im, wh.im) < 1e-13, "conjugate transpose");
  const gt = kronMatVecC(Bs, y, { transpose: true }), wt = cgemv(K, y, { trans: true });
  assert.ok(relErr(gt.re, wt.re) < 1e-13 && relErr(gt.im, wt.im) < 1e-13, "transpose");
  assertThrowsArg(() => kronMatVecC(Bs, { re: new Float64Array(3), im: new Float64Array(3) }), "v", "shape");
});
