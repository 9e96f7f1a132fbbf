/**
 * Parity of the tiled `gemm` kernel (kernels/core/gemm.ts) with its f64 twin core `gemm`.
 *
 * Tolerance (f32 error analysis, u = 2⁻²⁴): inputs are rounded to f32 (ã = a(1+δ), |δ| ≤ u),
 * the k-term dot product is accumulated with fma (one rounding per step: error ≤ γ_k·Σ|ã||b̃|),
 * then α̃·acc is rounded once more. To first order
 *   |Ĉ_ij − C_ij| ≤ |α|·(k + 4)·u·Σ_p |a_ip||b_pj|,
 * and the factor 1.01 covers the O(u²) terms. The bound is evaluated per entry.
 */
import { assert } from "../../_helpers.ts";
import { gpu } from "../../../lib/gpu/mod.ts";
import { gemm as gemmCpu } from "../../../lib/core/blas.ts";
import { Matrix } from "../../../lib/core/matrix.ts";
import { Rng } from "../../../lib/core/rng.ts";
import { assertWithin, gpuTest, randn, U } from "../../gpu/_gpu.ts";

/** Σ_p |op(A)_ip||op(B)_pj| for every (i, j): the scale of the rounding error. */
function absProduct(A: Matrix, B: Matrix, transA: boolean, transB: boolean): Float64Array {
  const abs = (M: Matrix) => new Matrix(M.rows, M.cols, M.data.map(Math.abs));
  return gemmCpu(abs(A), abs(B), { transA, transB }).data;
}

gpuTest(
  "gemm: GPU matches core gemm within |α|(k+4)u·Σ|a||b| on odd shapes, size 1, tile edges, all transposes",
  async () => {
    const r = new Rng(101);
    const shapes: [number, number, number][] = [[1, 1, 1], [1, 5, 1], [7, 1, 3], [64, 64, 64], [65, 17, 63], [
      130,
      200,
      70,
    ], [3, 300, 129]];
    for (const [m, k, n] of shapes) {
      for (const [transA, transB] of [[false, false], [true, false], [false, true], [true, true]]) {
        const A = transA ? randn(r, k, m) : randn(r, m, k);
        const B = transB ? randn(r, n, k) : randn(r, k, n);
        const alpha = transA ? -0.75 : 1;
        const res = await gpu.gemm(A, B, { transA, transB, alpha, backend: "gpu" });
        assert.equal(res.backend, "gpu", res.backendReason);
        const ref = gemmCpu(A, B, { transA, transB, alpha });
        assert.equal(res.value.rows, m);
        assert.equal(res.value.cols, n);
        const scale = absProduct(A, B, transA, transB);
        assertWithin(
          res.value.data,
          ref.data,
          (i) => 1.01 * Math.abs(alpha) * (k + 4) * U * scale[i],
          `gemm ${m}×${k}·${k}×${n} tA=${transA} tB=${transB}`,
        );
      }
    }
  },
);

gpuTest(
  "gemm: k = 0 gives the zero matrix; exact small integers stay exact (all partial sums representable)",
  async () => {
    const z = await gpu.gemm(new Matrix(3, 0), new Matrix(0, 4), { backend: "gpu" });
    assert.equal(z.backend, "gpu");
    assert.deepEqual([...z.value.data], new Array(12).fill(0));
    // Integers below 2^24 and their sums are exact in f32, so the product is exact.
    const r = new Rng(7);
    const A = new Matrix(33, 40, Float64Array.from({ length: 33 * 40 }, () => r.integer(21) - 10));
    const B = new Matrix(40, 70, Float64Array.from({ length: 40 * 70 }, () => r.integer(21) - 10));
    const res = await gpu.gemm(A, B, { backend: "gpu" });
    assert.deepEqual([...res.value.data], [...gemmCpu(A, B).data]);
  },
);

gpuTest("gemv: GPU matches core gemv (A·x and Aᵀ·x) within 16u·|α|·Σ|a||x|", async () => {
  // Rows: input rounding 2u + product u + Kahan 2u + tree log₂WG ≤ 8u + epilogue 2u = 15u;
  // columns: 2u + u + Kahan 2u + chunk Kahan 2u + epilogue 2u = 9u. Both ≤ 16u.
  const r = new Rng(102);
  for (const [m, n] of [[1, 1], [1, 9], [9, 1], [65, 129], [300, 70], [70, 1000]]) {
    const A = randn(r, m, n);
    for (const trans of [false, true]) {
      const x = r.normalArray(trans ? m : n);
      const alpha = trans ? 2.5 : 1;
      const res = await gpu.gemv(A, x, { trans, alpha, backend: "gpu" });
      assert.equal(res.backend, "gpu");
      const { gemv } = await import("../../../lib/core/blas.ts");
      const ref = gemv(A, x, { trans, alpha });
      const absA = new Matrix(m, n, A.data.map(Math.abs));
      const scale = gemv(absA, x.map(Math.abs), { trans });
      assertWithin(res.value, ref, (i) => 1.01 * 16 * U * Math.abs(alpha) * scale[i], `gemv ${m}×${n} trans=${trans}`);
    }
  }
});
