/**
 * Parity of the two-pass column reductions (kernels/core/reduce_cols.ts) with their f64
 * twins: `sumCols`, `maxCols` (lib/gpu/twins.ts), core `logSumExpCols`, and `lseCols` with
 * the fused affine input / epilogue. Tolerances derived in the comments (u = 2⁻²⁴).
 */
import { assert } from "../../_helpers.ts";
import { colChunks, gpu, lseCols, maxCols, sumCols } from "../../../lib/gpu/mod.ts";
import { logSumExpCols } from "../../../lib/core/reduce.ts";
import { Matrix } from "../../../lib/core/matrix.ts";
import { Rng } from "../../../lib/core/rng.ts";
import { assertWithin, gpuTest, randn, SHAPES, U } from "../../gpu/_gpu.ts";
import { lseTol } from "./_lse_tol.ts";

/** Sequential steps of one column: rowsPerChunk folds per invocation, then the chunk merges. */
function colSeq(rows: number): number {
  const { chunks, rowsPerChunk } = colChunks(rows);
  return rowsPerChunk + chunks;
}

gpuTest("sumCols: GPU within 7u·Σ|a| of the compensated f64 sum (independent of n and of the chunking)", async () => {
  // Input rounding u; Kahan per invocation 2u (+ n·u²); Kahan over the chunk partials 2u; epilogue/output 2u.
  const r = new Rng(301);
  for (const [n, m] of [...SHAPES, [5000, 3], [4097, 65]] as [number, number][]) {
    const A = randn(r, n, m);
    const res = await gpu.sumCols(A, { backend: "gpu" });
    assert.equal(res.backend, "gpu", res.backendReason);
    const ref = sumCols(A);
    const absSum = sumCols(new Matrix(n, m, A.data.map(Math.abs)));
    assertWithin(res.value, ref, (j) => 1.01 * (7 + n * U) * U * absSum[j], `sumCols ${n}×${m}`);
  }
});

gpuTest("maxCols: GPU equals fl32(max) exactly, ±Infinity included", async () => {
  const r = new Rng(302);
  for (const [n, m] of [...SHAPES, [5000, 3]] as [number, number][]) {
    const A = randn(r, n, m, 1e3);
    if (n * m > 4) {
      A.data[2] = Infinity;
      A.data[n * m - 2] = -Infinity;
    }
    const res = await gpu.maxCols(A, { backend: "gpu" });
    assert.equal(res.backend, "gpu");
    assert.deepEqual([...res.value], [...maxCols(A)].map(Math.fround), `maxCols ${n}×${m}`);
  }
});

gpuTest(
  "logSumExpCols: GPU matches core logSumExpCols within the online-LSE f32 bound, ±Infinity handled",
  async () => {
    const r = new Rng(303);
    for (const [n, m] of [...SHAPES, [5000, 3]] as [number, number][]) {
      const A = randn(r, n, m, 10);
      if (n > 2) {
        for (let i = 0; i < n; i++) A.set(i, 0, -Infinity); // an all −∞ column
        if (m > 1) A.set(1, 1, Infinity);
        if (m > 2) A.set(0, 2, -Infinity);
      }
      const res = await gpu.logSumExpCols(A, { backend: "gpu" });
      assert.equal(res.backend, "gpu");
      const ref = logSumExpCols(A);
      if (n > 2) {
        assert.equal(res.value[0], -Infinity);
        if (m > 1) assert.equal(res.value[1], Infinity);
      }
      assertWithin(res.value, ref, (j) => {
        const col = [...A.col(j)];
        return lseTol(col, col.map((x) => Number.isFinite(x) ? Math.abs(x) : 0), colSeq(n));
      }, `logSumExpCols ${n}×${m}`);
    }
  },
);

gpuTest(
  "logSumExpCols with rowOffset (along the reduction), colOffset, scale and epilogue matches lseCols (Sinkhorn g-update)",
  async () => {
    // ĝ_j = log b_j − LSE_i(f̂_i − C_ij/ε), with a zero-mass row (f̂ = −∞).
    const r = new Rng(304);
    for (const [n, m] of [[1, 1], [300, 5], [70, 130], [1000, 65]] as [number, number][]) {
      const C = new Matrix(n, m, r.uniformArray(n * m, 0, 1));
      const eps = 0.02;
      const f = r.normalArray(n, 0, 5);
      if (n > 1) f[n - 1] = -Infinity;
      const v = r.normalArray(m);
      const logb = r.uniformArray(m, -8, -2);
      const opts = { scale: -1 / eps, rowOffset: f, colOffset: v, outScale: -1, outOffset: logb };
      const res = await gpu.logSumExpCols(C, { ...opts, backend: "gpu" });
      assert.equal(res.backend, "gpu");
      const ref = lseCols(C, opts);
      assertWithin(res.value, ref, (j) => {
        const col = [...C.col(j)];
        const L = col.map((c, i) => f[i] === -Infinity ? -Infinity : -c / eps + f[i] + v[j]);
        const sc = col.map((c, i) => Math.abs(c / eps) + (Number.isFinite(f[i]) ? Math.abs(f[i]) : 0) + Math.abs(v[j]));
        return lseTol(L, sc, colSeq(n), -1, logb[j]);
      }, `fused lseCols ${n}×${m}`);
    }
  },
);
