/**
 * Parity of the training-loop kernels (kernels/autodiff/train.ts) with their twins:
 * `gatherRows` (exact: a copy), `stepStats` (the loss copied exactly, the hit count exact on
 * inputs without ties, the halt flag on ±∞/NaN only when tracking), `sumSquares` and
 * `clipScale`.
 *
 * Tolerances (u = 2⁻²⁴, f32 inputs): sumSquares: each square rounds (u), Kahan per invocation
 * 2u (+ n·u²), tree of log₂ 64 = 6 levels: (9 + n·u)·u·Σg². clipScale: the serial sum of p
 * terms (p − 1)·u·Σ, sqrt 9u (1/inverseSqrt, 4.5 ULP), + 10⁻⁶ u, division 5u:
 * c·((p − 1)/2 + 9 + 1 + 5)·u = c·(p/2 + 15)·u relative to the factor c (when c < 1).
 */
import { assert } from "../../_helpers.ts";
import {
  clipScaleKernel,
  gatherRowsKernel,
  stepStatsKernel,
  sumSquaresKernel,
} from "../../../kernels/autodiff/train.ts";
import { clipScale, gatherRows, stepStats, sumSquares } from "../../../lib/autodiff/_gpu_twins.ts";
import { Rng } from "../../../lib/core/rng.ts";
import { gpuTest, U } from "../../gpu/_gpu.ts";
import { f32, runKernel } from "./_run.ts";

gpuTest(
  "gatherRows: rows idx[offset + r] copied exactly (width 1 labels, width 64 inputs, 70 000 entries)",
  async () => {
    const r = new Rng(1401);
    for (const [rows, width, n] of [[1, 1, 1], [37, 1, 100], [32, 64, 50], [1100, 64, 1500]] as const) {
      const src = f32(r.normalArray(n * width));
      const perm = r.permutation(n);
      const offset = n - rows;
      const [, , dst] = await runKernel(gatherRowsKernel(), [{ f32: src }, { u32: perm }, { out: rows * width }], {
        n: rows * width,
        width,
        offset,
      }, Math.ceil(rows * width / 256));
      assert.deepEqual([...dst], [...gatherRows(src, perm, width, offset, rows)], `${rows}×${width}`);
    }
  },
);

gpuTest(
  "stepStats: loss and hit count written at slot k; a non-finite loss sets the status only when tracked",
  async () => {
    const r = new Rng(1402);
    for (const [rows, cols] of [[1, 2], [64, 10], [300, 3], [7, 1]] as const) {
      const logits = f32(r.normalArray(rows * cols, 0, 3));
      const labels = Float64Array.from({ length: rows }, () => r.integer(cols));
      const ref = stepStats(0.625, logits, labels, rows, cols);
      const k = 2;
      const [, , , stats, status] = await runKernel(
        stepStatsKernel(),
        [{ f32: [0.625] }, { f32: logits }, { f32: labels }, { out: 6, init: [9, 9, 9, 9, 9, 9] }, { u32: [0] }],
        { k, rows, cols, classify: 1, track: 1 },
        1,
      );
      assert.deepEqual([...stats], [9, 9, 9, 9, 0.625, ref.hits], `${rows}×${cols}`);
      assert.equal(status[0], 0);
    }
    for (const [loss, track, halt] of [[Infinity, 1, 1], [NaN, 1, 1], [-Infinity, 0, 0], [3, 1, 0]] as const) {
      const [, , , stats, status] = await runKernel(
        stepStatsKernel(),
        [{ f32: [loss] }, { f32: [0] }, { f32: [0] }, { out: 2 }, { u32: [0] }],
        { k: 0, rows: 1, cols: 1, classify: 0, track },
        1,
      );
      assert.ok(Object.is(stats[0], loss) || (Number.isNaN(stats[0]) && Number.isNaN(loss)), `loss ${stats[0]}`);
      assert.equal(stats[1], 0);
      assert.equal(status[0], halt, `loss ${loss}, track ${track}`);
      assert.equal(stepStats(loss, null, null, 1, 1).halt, !Number.isFinite(loss));
    }
  },
);

gpuTest("sumSquares within (9 + n·u)·u·Σg²; clipScale within c·(p/2 + 15)·u of min(1, max/(‖g‖ + 1e-6))", async () => {
  const r = new Rng(1403);
  const sq: number[] = [];
  const sizes = [1, 63, 64, 1000, 70_000];
  for (let k = 0; k < sizes.length; k++) {
    const g = f32(r.normalArray(sizes[k], 0, 0.5));
    const [, out] = await runKernel(sumSquaresKernel(), [{ f32: g }, { out: sizes.length }], { n: sizes[k], k }, 1);
    const ref = sumSquares(g);
    assert.ok(Math.abs(out[k] - ref) <= 1.01 * (9 + sizes[k] * U) * U * ref, `n=${sizes[k]}: ${out[k]} vs ${ref}`);
    sq.push(Math.fround(ref));
  }
  for (const maxNorm of [0.5, 1e6]) {
    const [, scale] = await runKernel(clipScaleKernel(), [{ f32: sq }, { out: 1 }], { p: sq.length, maxNorm }, 1);
    const c = clipScale(sq, maxNorm);
    assert.ok(Math.abs(scale[0] - c) <= 1.01 * c * (sq.length / 2 + 15) * U, `clip ${scale[0]} vs ${c}`);
    if (maxNorm > 1e5) assert.equal(scale[0], 1);
  }
});
