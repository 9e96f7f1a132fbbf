import { assert, assertAllClose, assertThrowsArg, relErr } from "../_helpers.ts";
import {
  cgemm,
  type CgemmOptions,
  cgemv,
  choleskyC,
  choleskySolveC,
  CMatrix,
  complexVector,
  eigHermitian,
  toCMatrix,
} from "../../lib/core/complex.ts";
import { eigSym } from "../../lib/core/linalg.ts";
import { Matrix } from "../../lib/core/matrix.ts";
import { Rng } from "../../lib/core/rng.ts";

function randC(r: Rng, m: number, n: number): CMatrix {
  return new CMatrix(m, n, r.normalArray(m * n), r.normalArray(m * n));
}

/** Naive complex product with the textbook formula: the oracle for cgemm. */
function naive(A: CMatrix, B: CMatrix): CMatrix {
  const C = new CMatrix(A.rows, B.cols);
  for (let i = 0; i < A.rows; i++) {
    for (let j = 0; j < B.cols; j++) {
      let sr = 0, si = 0;
      for (let k = 0; k < A.cols; k++) {
        const ar = A.re[i * A.cols + k],
          ai = A.im[i * A.cols + k],
          br = B.re[k * B.cols + j],
          bi = B.im[k * B.cols + j];
        sr += ar * br - ai * bi;
        si += ar * bi + ai * br;
      }
      C.re[i * B.cols + j] = sr;
      C.im[i * B.cols + j] = si;
    }
  }
  return C;
}

function conj(A: CMatrix): CMatrix {
  return new CMatrix(A.rows, A.cols, A.re.slice(), A.im.map((v) => -v));
}

/** A random Hermitian positive definite matrix B Bᴴ + n·I. */
function hpd(r: Rng, n: number): CMatrix {
  const B = randC(r, n, n);
  const H = cgemm(B, B, { transB: true, conjB: true });
  for (let i = 0; i < n; i++) H.re[i * n + i] += n;
  return H;
}

Deno.test("cgemm: every op combination equals the naive complex product (rel 1e-14)", () => {
  const r = new Rng(31);
  const A = randC(r, 5, 3), B = randC(r, 3, 4);
  assert.ok(relErr(cgemm(A, B).re, naive(A, B).re) < 1e-14);
  assert.ok(relErr(cgemm(A, B).im, naive(A, B).im) < 1e-14);
  const At = randC(r, 3, 5), Bt = randC(r, 4, 3);
  const cases: [CgemmOptions, CMatrix, CMatrix][] = [
    [{ transA: true }, At.transpose(), B],
    [{ transA: true, conjA: true }, At.conjTranspose(), B],
    [{ conjA: true }, conj(A), B],
    [{ transB: true, conjB: true }, A, Bt.conjTranspose()],
    [{ transA: true, conjA: true, transB: true }, At.conjTranspose(), Bt.transpose()],
  ];
  for (const [opts, a, b] of cases) {
    const got = cgemm(opts.transA ? At : A, opts.transB ? Bt : B, opts);
    const want = naive(a, b);
    assert.ok(relErr(got.re, want.re) < 1e-14 && relErr(got.im, want.im) < 1e-14, JSON.stringify(opts));
  }
  const x = complexVector([1, -1, 2], [0.5, 0, -1]);
  const y = cgemv(A, x);
  const Y = naive(A, new CMatrix(3, 1, x.re, x.im));
  assertAllClose(y.re, Y.re, 1e-14, 1e-15);
  assertAllClose(y.im, Y.im, 1e-14, 1e-15);
  assertThrowsArg(() => cgemm(A, A), "B", "shape");
});

Deno.test("eigHermitian: U diag(λ) Uᴴ = H, U unitary, real-symmetric case equals eigSym (1e-13)", () => {
  const r = new Rng(32);
  for (const n of [1, 2, 5, 12, 30]) {
    const B = randC(r, n, n);
    const H = cgemm(B, B, { transB: true, conjB: true }); // Hermitian PSD
    const { values, vectors: U } = eigHermitian(H);
    for (let i = 1; i < n; i++) assert.ok(values[i - 1] <= values[i]);
    const UL = new CMatrix(n, n, U.re.map((v, k) => v * values[k % n]), U.im.map((v, k) => v * values[k % n]));
    const R = cgemm(UL, U, { transB: true, conjB: true });
    const scale = Math.max(...values.map(Math.abs));
    const err = Math.max(...R.re.map((v, k) => Math.hypot(v - H.re[k], R.im[k] - H.im[k]))) / scale;
    assert.ok(err < 1e-13, `n=${n}: reconstruction ${err}`);
    const G = cgemm(U, U, { transA: true, conjA: true });
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < n; j++) {
        assert.ok(Math.hypot(G.re[i * n + j] - (i === j ? 1 : 0), G.im[i * n + j]) < 1e-13, "unitary");
      }
    }
  }
  const S = new Matrix(6, 6, r.normalArray(36));
  const Sym = S.map((v, i, j) => v + S.get(j, i));
  assertAllClose(eigHermitian(Sym).values, eigSym(Sym).values, 1e-13, 1e-13);
  // Degenerate spectrum: the identity and a repeated pair.
  assertAllClose(eigHermitian(CMatrix.identity(4)).values, [1, 1, 1, 1], 0, 0);
  assertAllClose(eigHermitian(CMatrix.fromParts([[2, 0], [0, 2]], [[0, -1], [1, 0]])).values, [1, 3], 1e-15, 1e-15);
});

Deno.test("choleskyC / choleskySolveC: L Lᴴ = H and H x = b (1e-13); bad input named", () => {
  const r = new Rng(33);
  const n = 9;
  const H = hpd(r, n);
  const L = choleskyC(H);
  for (let i = 0; i < n; i++) {
    assert.equal(L.im[i * n + i], 0);
    assert.ok(L.re[i * n + i] > 0);
    for (let j = i + 1; j < n; j++) assert.ok(L.re[i * n + j] === 0 && L.im[i * n + j] === 0);
  }
  const R = cgemm(L, L, { transB: true, conjB: true });
  assert.ok(relErr(R.re, H.re) < 1e-13 && relErr(R.im, H.im) < 1e-13);
  const x = complexVector(r.normalArray(n), r.normalArray(n));
  const b = cgemv(H, x);
  const got = choleskySolveC(H, b);
  assert.ok(relErr(got.re, x.re) < 1e-12 && relErr(got.im, x.im) < 1e-12);
  assertThrowsArg(() => choleskyC(CMatrix.fromParts([[1, 2], [2, 1]])), "H", "numerical");
  assertThrowsArg(() => choleskyC(CMatrix.fromParts([[1, 0], [0, 1]], [[0, 1], [1, 0]])), "H[0][1]", "shape");
  assertThrowsArg(() => eigHermitian(CMatrix.fromParts([[1, 0], [0, 1]], [[1, 0], [0, 0]])), "H[0][0]", "shape");
  assertThrowsArg(() => eigHermitian(new CMatrix(2, 3)), "H", "shape");
  assertThrowsArg(() => choleskySolveC(CMatrix.identity(2), complexVector([1, 2, 3])), "b", "shape");
  assertThrowsArg(() => toCMatrix({ re: [[1, 2]], im: [[1]] }, "f", "A"), "A.im", "shape");
  assertThrowsArg(() => toCMatrix({ re: [[NaN]] }, "f", "A"), "A.re[0][0]", "nonFinite");
  assertThrowsArg(() => toCMatrix("x", "f", "A"), "A", "type");
  assertThrowsArg(() => complexVector([1], [NaN]), "x.im[0]", "nonFinite");
});

Deno.test("Rng.complexNormalArray: E|z|² = σ², independent parts (5 SE over 1e5 draws)", () => {
  const N = 100_000, v = 3;
  const { re, im } = new Rng(34).complexNormalArray(N, v);
  let m2 = 0, cross = 0;
  for (let i = 0; i < N; i++) {
    m2 += re[i] * re[i] + im[i] * im[i];
    cross += re[i] * im[i];
  }
  // |z|² ~ (σ²/2)·χ²₂: mean σ², variance σ⁴. Cross moment: mean 0, variance σ⁴/4.
  assert.ok(Math.abs(m2 / N - v) < 5 * v / Math.sqrt(N));
  assert.ok(Math.abs(cross / N) < 5 * (v / 2) / Math.sqrt(N));
  assertThrowsArg(() => new Rng(1).complexNormalArray(3, 0), "variance", "domain");
});
