/**
 * Parity of `crossEntropyRows` / `crossEntropyVjp` (kernels/autodiff/cross_entropy.ts) with
 * their f64 twins on f32 inputs (logits, the row log-sum-exp as the kernel receives it, labels).
 *
 * Tolerance (u = 2⁻²⁴): ℓ_i = lse_i − z_{i,y}: one subtraction, u|ℓ_i|. The VJP
 * dz = s·(p − [c = y]), p = exp(t), t = z − lse: t rounds (u|t|), exp adds (6 + 4|t|)u, so p
 * carries p(6 + 5|t|)u; p − 1 rounds (u|p − 1|); s = α·g rounds (u, α is 1/N f32-exact for
 * N a power of two, else one more u); the product u|dz|:
 *   |dz − dz_twin| ≤ |s|·(p(6 + 5|t|)u + u|p − [c = y]|) + 3u|dz|.
 */
import { assert } from "../../_helpers.ts";
import { crossEntropyRowsKernel, crossEntropyVjpKernel } from "../../../kernels/autodiff/cross_entropy.ts";
import { crossEntropyRows, crossEntropyVjp } from "../../../lib/autodiff/_gpu_twins.ts";
import { logSumExpRows } from "../../../lib/core/reduce.ts";
import { Matrix } from "../../../lib/core/matrix.ts";
import { Rng } from "../../../lib/core/rng.ts";
import { assertWithin, gpuTest, U } from "../../gpu/_gpu.ts";
import { f32, runKernel } from "./_run.ts";

for (const [N, C] of [[1, 1], [1, 10], [64, 10], [300, 7], [5, 1000]] as [number, number][]) {
  gpuTest(`crossEntropyRows and crossEntropyVjp (mean, sum, none) match their twins, N=${N}, C=${C}`, async () => {
    const r = new Rng(1300 + N + C);
    const Z = f32(r.normalArray(N * C, 0, 4));
    const lse = f32(logSumExpRows(new Matrix(N, C, Z)));
    const labels = Float64Array.from({ length: N }, () => r.integer(C));
    const [, , , l] = await runKernel(
      crossEntropyRowsKernel(),
      [{ f32: Z }, { f32: lse }, { f32: labels }, { out: N }],
      { rows: N, cols: C },
      Math.ceil(N / 64),
    );
    const lRef = crossEntropyRows(Z, lse, labels, N, C);
    assertWithin(l, lRef, (i) => 1.01 * U * Math.abs(lRef[i]), "crossEntropyRows");
    for (const perRow of [false, true]) {
      const g = f32(perRow ? r.normalArray(N) : [1.5]);
      const alpha = perRow ? 1 : Math.fround(1 / N);
      const [, , , , dZ] = await runKernel(
        crossEntropyVjpKernel(perRow),
        [{ f32: Z }, { f32: lse }, { f32: labels }, { f32: g }, { out: N * C }],
        { n: N * C, cols: C, alpha },
        Math.ceil(N * C / 256),
      );
      const ref = crossEntropyVjp(Z, lse, labels, g, C, alpha, perRow);
      assertWithin(dZ, ref, (k) => {
        const i = Math.floor(k / C), c = k % C;
        const t = Z[k] - lse[i], p = Math.exp(t), s = alpha * g[perRow ? i : 0];
        const d = c === labels[i] ? p - 1 : p;
        return 1.01 * (Math.abs(s) * (p * (6 + 5 * Math.abs(t)) * U + U * Math.abs(d)) + 3 * U * Math.abs(ref[k])) +
          2 ** -126;
      }, `crossEntropyVjp perRow=${perRow}`);
      // rows of the gradient of the mean loss sum to s·(Σ_c p̂_c − 1): exactly 0 in exact arithmetic with the
      // exact lse; here lse is f32 (Σ p moves by e^{lse_exact − lse} − 1) and every p̂_c carries p(6 + 5|t|)u,
      // every entry another 3u|dz| (p − 1, α·g, the product)
      if (!perRow && C > 1) {
        const s = Math.abs(alpha * g[0]), exact = logSumExpRows(new Matrix(N, C, Z));
        for (let i = 0; i < N; i++) {
          let sum = 0, a = 0, e = 0;
          for (let c = 0; c < C; c++) {
            const t = Z[i * C + c] - lse[i];
            sum += dZ[i * C + c], a += Math.abs(dZ[i * C + c]), e += Math.exp(t) * (6 + 5 * Math.abs(t)) * U;
          }
          const bound = 1.01 * (s * (Math.abs(Math.expm1(exact[i] - lse[i])) + e) + 3 * U * a) + 1e-30;
          assert.ok(Math.abs(sum) <= bound, `row ${i} sums to ${sum} (bound ${bound})`);
        }
      }
    }
  });
}
