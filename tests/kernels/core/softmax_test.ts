/**
 * Parity of `softmaxRows` / `softmaxCols` (kernels/core/softmax.ts) with core `softmaxRows` /
 * `softmaxCols` and the affine twins.
 *
 * Tolerance per entry p = e^{t}/S, t = L − m (u = 2⁻²⁴): input/affine rounding moves every
 * L by ≤ δ = 4u·max(|s·a| + |u| + |v|), so t by ≤ 2δ and S by a factor ≤ e^{2δ}; the exp of t
 * carries (6 + 5|t|)·u (rounding of t + 3 + 2|t| ULP); S carries E₁ + (7·seq + 10R)·u as in
 * `_lse_tol.ts`; the division one more u. So
 *   |p̂ − p| ≤ 1.01·p·(4δ + (7 + 5|t|)·u + E₁ + (7·seq + 10R)·u) + 2⁻¹²⁶.
 */
import { assert, assertRejectsArg } from "../../_helpers.ts";
import { colChunks, gpu, rowWorkgroupSize, softmaxColsAffine, softmaxRowsAffine } from "../../../lib/gpu/mod.ts";
import { softmaxCols, softmaxRows } from "../../../lib/core/reduce.ts";
import { Matrix } from "../../../lib/core/matrix.ts";
import { Rng } from "../../../lib/core/rng.ts";
import { assertWithin, gpuTest, randn, SHAPES, U } from "../../gpu/_gpu.ts";

/** Per-entry bound for one line (row or column) of L with input scales `sc`. */
function lineTol(L: number[], sc: number[], seq: number): number[] {
  const fin = L.filter((x) => x !== -Infinity);
  const m = Math.max(...fin), lo = Math.min(...fin);
  let S = 0, e1 = 0;
  for (const x of fin) {
    const w = Math.exp(x - m);
    S += w;
    e1 += w * (6 + 5 * Math.abs(x - m));
  }
  const delta = 4 * U * Math.max(...sc);
  const relS = U * (e1 / S) + U * (7 * seq + 10 * (m - lo));
  return L.map((x) => {
    if (x === -Infinity) return 0;
    const t = x - m, p = Math.exp(t) / S;
    return 1.01 * p * (4 * delta + (7 + 5 * Math.abs(t)) * U + relS) + 2 ** -126;
  });
}

function rowsTol(L: Matrix, sc: Matrix): Float64Array {
  const out = new Float64Array(L.rows * L.cols);
  const wg = rowWorkgroupSize(L.cols);
  for (let i = 0; i < L.rows; i++) {
    out.set(lineTol([...L.row(i)], [...sc.row(i)], Math.ceil(L.cols / wg) + Math.log2(wg)), i * L.cols);
  }
  return out;
}

function colsTol(L: Matrix, sc: Matrix): Float64Array {
  const out = new Float64Array(L.rows * L.cols);
  const { chunks, rowsPerChunk } = colChunks(L.rows);
  for (let j = 0; j < L.cols; j++) {
    const t = lineTol([...L.col(j)], [...sc.col(j)], rowsPerChunk + chunks);
    for (let i = 0; i < L.rows; i++) out[i * L.cols + j] = t[i];
  }
  return out;
}

const absM = (A: Matrix) => new Matrix(A.rows, A.cols, A.data.map((x) => Number.isFinite(x) ? Math.abs(x) : 0));

gpuTest(
  "softmaxRows: GPU matches core softmaxRows entrywise within the f32 bound; −∞ entries give exact 0",
  async () => {
    const r = new Rng(401);
    for (const [n, m] of [...SHAPES, [4, 3000]] as [number, number][]) {
      const A = randn(r, n, m, 4);
      if (m > 2) { for (let i = 0; i < n; i++) A.set(i, 1, -Infinity); }
      const res = await gpu.softmaxRows(A, { backend: "gpu" });
      assert.equal(res.backend, "gpu", res.backendReason);
      const ref = softmaxRows(A);
      const tol = rowsTol(A, absM(A));
      assertWithin(res.value.data, ref.data, (i) => tol[i], `softmaxRows ${n}×${m}`);
      if (m > 2) { for (let i = 0; i < n; i++) assert.equal(res.value.get(i, 1), 0); }
    }
  },
);

gpuTest("softmaxCols: GPU matches core softmaxCols entrywise within the f32 bound", async () => {
  const r = new Rng(402);
  for (const [n, m] of [...SHAPES, [3000, 4]] as [number, number][]) {
    const A = randn(r, n, m, 4);
    if (n > 2) A.set(1, 0, -Infinity);
    const res = await gpu.softmaxCols(A, { backend: "gpu" });
    assert.equal(res.backend, "gpu");
    const tol = colsTol(A, absM(A));
    assertWithin(res.value.data, softmaxCols(A).data, (i) => tol[i], `softmaxCols ${n}×${m}`);
  }
});

gpuTest(
  "softmaxRows/Cols with scale and offsets match the affine twins (MoE gating temperature, Sinkhorn plan normalisation)",
  async () => {
    const r = new Rng(403);
    for (const [n, m] of [[1, 1], [33, 70], [200, 9]] as [number, number][]) {
      const A = randn(r, n, m);
      const u = r.normalArray(n), v = r.normalArray(m);
      if (m > 1) v[m - 1] = -Infinity;
      if (n > 1) u[0] = -Infinity;
      const opts = { scale: 1 / 0.3, rowOffset: u, colOffset: v };
      // L and its input scales, for the bound.
      const L = new Matrix(n, m), sc = new Matrix(n, m);
      for (let i = 0; i < n; i++) {
        for (let j = 0; j < m; j++) {
          const z = u[i] === -Infinity || v[j] === -Infinity;
          L.set(i, j, z ? -Infinity : A.get(i, j) / 0.3 + u[i] + v[j]);
          sc.set(
            i,
            j,
            Math.abs(A.get(i, j) / 0.3) + (Number.isFinite(u[i]) ? Math.abs(u[i]) : 0) +
              (Number.isFinite(v[j]) ? Math.abs(v[j]) : 0),
          );
        }
      }
      if (n > 1 && m > 1) {
        // Row 0 has u = −∞ (all zero weight): the row softmax is undefined and is rejected, as by the twin.
        await assertRejectsArg(() => gpu.softmaxRows(A, { ...opts, backend: "gpu" }), "A[0]", "nonFinite");
        const rowOpts = { ...opts, rowOffset: u.map((x) => Number.isFinite(x) ? x : 0) };
        const Lr = new Matrix(n, m, L.data.slice());
        for (let j = 0; j < m; j++) Lr.set(0, j, v[j] === -Infinity ? -Infinity : A.get(0, j) / 0.3 + v[j]);
        const rr = await gpu.softmaxRows(A, { ...rowOpts, backend: "gpu" });
        const tr = rowsTol(Lr, sc);
        assertWithin(rr.value.data, softmaxRowsAffine(A, rowOpts).data, (i) => tr[i], `affine softmaxRows ${n}×${m}`);
      }
      const colOpts = { ...opts, colOffset: v.map((x) => Number.isFinite(x) ? x : 0) };
      const Lc = new Matrix(n, m, L.data.slice());
      for (let i = 0; i < n; i++) Lc.set(i, m - 1, u[i] === -Infinity ? -Infinity : A.get(i, m - 1) / 0.3 + u[i]);
      const rc = await gpu.softmaxCols(A, { ...colOpts, backend: "gpu" });
      assert.equal(rc.backend, "gpu");
      const tc = colsTol(Lc, sc);
      assertWithin(rc.value.data, softmaxColsAffine(A, colOpts).data, (i) => tc[i], `affine softmaxCols ${n}×${m}`);
    }
  },
);
