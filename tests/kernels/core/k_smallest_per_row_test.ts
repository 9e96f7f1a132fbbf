/**
 * Parity of `kSmallestPerRow` (kernels/core/k_smallest_per_row.ts) with core `kSmallestPerRow`.
 *
 * Tolerance: none. The kernel compares exact order-preserving u32 keys of the f32 values and
 * breaks ties by the smaller column, the twin's rule; on inputs that are exactly representable
 * in f32 (rounded with Math.fround first) both see the same numbers, so indices and values
 * must be identical. On general f64 input the values differ by the f32 rounding (≤ u|v|) and
 * indices may swap only between entries closer than that.
 */
import { assert, assertRejectsArg } from "../../_helpers.ts";
import { gpu, K_SMALLEST_MAX_K, kSmallestWorkgroupSize } from "../../../lib/gpu/mod.ts";
import { kSmallestPerRow } from "../../../lib/core/select.ts";
import { pairwiseSqDist } from "../../../lib/core/blas.ts";
import { Matrix } from "../../../lib/core/matrix.ts";
import { Rng } from "../../../lib/core/rng.ts";
import { fround, gpuTest, randn, U } from "../../gpu/_gpu.ts";

gpuTest(
  "kSmallestPerRow: identical indices and values to the twin on f32-exact input (every workgroup size, k = 1…64, odd shapes)",
  async () => {
    const r = new Rng(601);
    const cases: [number, number, number][] = [
      [1, 1, 1],
      [1, 7, 7],
      [7, 1, 1],
      [3, 65, 4],
      [40, 300, 5],
      [33, 257, 16],
      [20, 129, 17],
      [9, 500, 33],
      [5, 100, 64],
      [70, 64, 64],
    ];
    for (const [n, m, k] of cases) {
      const D = fround(randn(r, n, m));
      const g = await gpu.kSmallestPerRow(D, k, { backend: "gpu" });
      assert.equal(g.backend, "gpu", g.backendReason);
      const c = kSmallestPerRow(D, k);
      assert.deepEqual(
        [...g.value.indices],
        [...c.indices],
        `${n}×${m} k=${k} (workgroup ${kSmallestWorkgroupSize(k)})`,
      );
      assert.deepEqual([...g.value.values], [...c.values], `${n}×${m} k=${k}`);
    }
  },
);

gpuTest("kSmallestPerRow: heavy ties break by column index; ±Infinity and −0/+0 order like the twin", async () => {
  const r = new Rng(602);
  const T = new Matrix(30, 200, Float64Array.from({ length: 6000 }, () => r.integer(5)));
  for (const k of [1, 8, 40]) {
    const g = await gpu.kSmallestPerRow(T, k, { backend: "gpu" });
    assert.deepEqual([...g.value.indices], [...kSmallestPerRow(T, k).indices], `ties k=${k}`);
  }
  const S = [[2, Infinity, -0, 0, -Infinity, 1, -Infinity], [0, -0, 0, -0, 1, 1, 1]];
  const g = await gpu.kSmallestPerRow(S, 6, { backend: "gpu" });
  const c = kSmallestPerRow(S, 6);
  assert.deepEqual([...g.value.indices], [...c.indices]);
  assert.deepEqual([...g.value.values].map((v) => v === 0 ? 0 : v), [...c.values].map((v) => v === 0 ? 0 : v));
});

gpuTest(
  "kSmallestPerRow: excludeDiagonal = kNN without the point itself, on a distance matrix with duplicates",
  async () => {
    const r = new Rng(603);
    const X = fround(randn(r, 150, 3));
    for (let k = 0; k < 3; k++) X.set(7, k, X.get(8, k)); // duplicate points: distance exactly 0 to each other
    const D = fround(pairwiseSqDist(X));
    for (const k of [1, 4, 10]) {
      const g = await gpu.kSmallestPerRow(D, k, { excludeDiagonal: true, backend: "gpu" });
      const c = kSmallestPerRow(D, k, { excludeDiagonal: true });
      assert.deepEqual([...g.value.indices], [...c.indices], `k=${k}`);
      assert.deepEqual([...g.value.values], [...c.values], `k=${k}`);
      for (let i = 0; i < 150; i++) {
        assert.notEqual(
          g.value.indices[i * k],
          i,
          "the point itself is never its own neighbour",
        );
      }
    }
    const g1 = await gpu.kSmallestPerRow(D, 1, { excludeDiagonal: true, backend: "gpu" });
    assert.equal(g1.value.indices[7], 8);
    assert.equal(g1.value.values[7], 0);
  },
);

gpuTest(
  "kSmallestPerRow: on general f64 input the values agree within u·|v| and the kept sets agree up to near-ties",
  async () => {
    const r = new Rng(604);
    const D = randn(r, 60, 400);
    const k = 12;
    const g = await gpu.kSmallestPerRow(D, k, { backend: "gpu" });
    const c = kSmallestPerRow(D, k);
    for (let p = 0; p < 60 * k; p++) {
      assert.ok(Math.abs(g.value.values[p] - c.values[p]) <= U * Math.abs(c.values[p]), `value ${p}`);
      const gi = g.value.indices[p], ci = c.indices[p];
      if (gi !== ci) {
        const i = Math.floor(p / k);
        assert.ok(
          Math.abs(D.get(i, gi) - D.get(i, ci)) <= 2 * U * Math.abs(D.get(i, ci)),
          `index swap at ${p} between non-tied entries`,
        );
      }
    }
  },
);

gpuTest("kSmallestPerRow: k above the kernel limit is a BackendError naming 'k' when the GPU is forced", async () => {
  // (Under auto the same check sends the call to the twin; backend_test.ts covers that path.)
  const D = randn(new Rng(605), 3, 100);
  await assertRejectsArg(() => gpu.kSmallestPerRow(D, K_SMALLEST_MAX_K + 1, { backend: "gpu" }), "k", "backend");
  const c = await gpu.kSmallestPerRow(D, K_SMALLEST_MAX_K + 1, { backend: "cpu" });
  assert.deepEqual([...c.value.indices], [...kSmallestPerRow(D, K_SMALLEST_MAX_K + 1).indices]);
});
