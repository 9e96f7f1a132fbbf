/**
 * Parity of the tiled `pairwiseSqDist` and `gaussianGram` kernels (kernels/core/gemm.ts)
 * with core `pairwiseSqDist` / `gaussianGram`.
 *
 * Distance bound (u = 2⁻²⁴), per entry with Δ_k = x_k − y_k: the f32 inputs and their
 * difference carry ε_k ≤ u·(|x_k| + |y_k| + |Δ_k|); squaring gives 2|Δ_k|ε_k + ε_k²; the fma
 * chain over d terms adds ≤ d·u·D. Hence
 *   |D̂ − D| ≤ 1.01·[Σ_k (2|Δ_k|ε_k + ε_k²) + (d + 1)·u·D].
 * Gram bound, t = c·D with c = −1/(2σ²): t̂ − t ≤ η = |c|·tol_D + 3u|t| (rounding of c and of
 * the product), exp adds (3 + 2|t|) ULP ≤ (6 + 4|t|)·u relative, so
 *   |K̂ − K| ≤ 1.01·K·(e^η − 1 + (6 + 4|t|)·u) + 2⁻¹²⁶ (f32 underflow).
 */
import { assert } from "../../_helpers.ts";
import { gpu } from "../../../lib/gpu/mod.ts";
import { gaussianGram, pairwiseSqDist } from "../../../lib/core/blas.ts";
import type { Matrix } from "../../../lib/core/matrix.ts";
import { Rng } from "../../../lib/core/rng.ts";
import { assertWithin, gpuTest, randn, U } from "../../gpu/_gpu.ts";

function distTol(X: Matrix, Y: Matrix): Float64Array {
  const n = X.rows, m = Y.rows, d = X.cols;
  const out = new Float64Array(n * m);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < m; j++) {
      let a = 0, D = 0;
      for (let k = 0; k < d; k++) {
        const x = X.get(i, k), y = Y.get(j, k), dk = x - y;
        const e = U * (Math.abs(x) + Math.abs(y) + Math.abs(dk));
        a += 2 * Math.abs(dk) * e + e * e;
        D += dk * dk;
      }
      out[i * m + j] = 1.01 * (a + (d + 1) * U * D);
    }
  }
  return out;
}

const CASES: [number, number, number][] = [[1, 1, 1], [1, 5, 3], [7, 1, 2], [64, 64, 16], [65, 129, 3], [200, 70, 33], [
  130,
  3,
  1,
]];

gpuTest(
  "pairwiseSqDist: GPU matches core pairwiseSqDist within the direct-difference f32 bound (odd shapes, d = 1…33)",
  async () => {
    const r = new Rng(501);
    for (const [n, m, d] of CASES) {
      const X = randn(r, n, d, 2), Y = randn(r, m, d, 2);
      const res = await gpu.pairwiseSqDist(X, Y, { backend: "gpu" });
      assert.equal(res.backend, "gpu", res.backendReason);
      const tol = distTol(X, Y);
      assertWithin(res.value.data, pairwiseSqDist(X, Y).data, (i) => tol[i], `pairwiseSqDist ${n}×${m}, d=${d}`);
    }
  },
);

gpuTest("pairwiseSqDist: D(X, X) has an exact zero diagonal and is exactly symmetric (no cancellation)", async () => {
  const r = new Rng(502);
  const X = randn(r, 150, 7, 1e3);
  for (let k = 0; k < 7; k++) X.set(5, k, X.get(9, k)); // a duplicate point
  const res = await gpu.pairwiseSqDist(X, undefined, { backend: "gpu" });
  assert.equal(res.backend, "gpu");
  const D = res.value;
  for (let i = 0; i < 150; i++) {
    assert.equal(D.get(i, i), 0, `diagonal ${i}`);
    for (let j = 0; j < i; j++) assert.equal(D.get(i, j), D.get(j, i), `symmetry (${i}, ${j})`);
  }
  assert.equal(D.get(5, 9), 0, "duplicate points at distance exactly 0");
});

gpuTest(
  "gaussianGram: GPU matches core gaussianGram within the f32 bound; far pairs underflow to 0, not NaN",
  async () => {
    const r = new Rng(503);
    for (const [n, m, d] of CASES) {
      for (const sigma of [0.3, 1, 5]) {
        const X = randn(r, n, d), Y = randn(r, m, d);
        const res = await gpu.gaussianGram(X, sigma, Y, { backend: "gpu" });
        assert.equal(res.backend, "gpu");
        const ref = gaussianGram(X, sigma, Y);
        const D = pairwiseSqDist(X, Y);
        const dt = distTol(X, Y);
        const c = 1 / (2 * sigma * sigma);
        assertWithin(res.value.data, ref.data, (i) => {
          const t = c * D.data[i], eta = c * dt[i] + 3 * U * t;
          return 1.01 * ref.data[i] * (Math.expm1(eta) + (6 + 4 * t) * U) + 2 ** -126;
        }, `gaussianGram ${n}×${m}, d=${d}, σ=${sigma}`);
      }
    }
    const far = await gpu.gaussianGram([[0]], 0.01, [[100]], { backend: "gpu" });
    assert.equal(far.value.get(0, 0), 0);
    const self = await gpu.gaussianGram([[1, 2], [3, 4]], 1, undefined, { backend: "gpu" });
    assert.equal(self.value.get(0, 0), 1);
    assert.equal(self.value.get(1, 1), 1);
  },
);
