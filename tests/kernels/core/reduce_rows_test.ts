/**
 * Parity of the row reductions (kernels/core/reduce_rows.ts) with their f64 twins:
 * `sumRows`, `maxRows` (lib/gpu/twins.ts), core `logSumExpRows`, and `lseRows` with the
 * fused affine input / epilogue. Tolerances are derived in the comments (u = 2⁻²⁴).
 */
import { assert } from "../../_helpers.ts";
import { gpu, lseRows, maxRows, rowWorkgroupSize, sumRows } from "../../../lib/gpu/mod.ts";
import { logSumExpRows } from "../../../lib/core/reduce.ts";
import { Matrix } from "../../../lib/core/matrix.ts";
import { Rng } from "../../../lib/core/rng.ts";
import { assertWithin, gpuTest, randn, SHAPES, U } from "../../gpu/_gpu.ts";
import { lseTol } from "./_lse_tol.ts";

/** Sequential steps of one row reduction: ⌈n/WG⌉ folds per invocation + log₂ WG tree levels. */
function rowSeq(n: number): number {
  const wg = rowWorkgroupSize(n);
  return Math.ceil(n / wg) + Math.log2(wg);
}

gpuTest("sumRows: GPU within (4 + log₂WG)·u·Σ|a| of the compensated f64 sum — independent of n (Kahan)", async () => {
  // Input rounding u·Σ|a|; Kahan per invocation 2u·Σ|a| (+ n·u²); tree log₂WG·u·Σ|a|; output u|s|.
  const r = new Rng(201);
  for (const [n, m] of [...SHAPES, [2, 5000]] as [number, number][]) {
    const A = randn(r, n, m);
    const res = await gpu.sumRows(A, { backend: "gpu" });
    assert.equal(res.backend, "gpu", res.backendReason);
    const ref = sumRows(A);
    const absSum = sumRows(new Matrix(n, m, A.data.map(Math.abs)));
    const c = 4 + Math.log2(rowWorkgroupSize(m)) + m * U;
    assertWithin(res.value, ref, (i) => 1.01 * c * U * absSum[i], `sumRows ${n}×${m}`);
  }
});

gpuTest("sumRows: compensation survives the shader compiler (1 + 200 000 × 1e-8 keeps its 2e-3)", async () => {
  // Plain f32 accumulation would drop every 1e-8 added to the invocation that holds the 1
  // (1 + 1e-8 = 1 in f32), losing ~200000/256·1e-8 ≈ 8e-6; the Kahan bound above is ≈ 1e-6.
  const n = 200_001;
  const row = new Float64Array(n).fill(Math.fround(1e-8));
  row[0] = 1;
  const res = await gpu.sumRows(new Matrix(1, n, row), { backend: "gpu" });
  const ref = sumRows(new Matrix(1, n, row));
  const tol = 1.01 * (4 + 8 + n * U) * U * ref[0];
  assert.ok(Math.abs(res.value[0] - ref[0]) <= tol, `sum ${res.value[0]} vs ${ref[0]} (tol ${tol})`);
});

gpuTest("maxRows: GPU equals fl32(max) exactly, ±Infinity included", async () => {
  // Rounding to nearest is monotone, so max of the rounded entries = rounded max: no error at all.
  const r = new Rng(202);
  for (const [n, m] of SHAPES) {
    const A = randn(r, n, m, 100);
    if (n * m > 4) {
      A.data[3] = -Infinity;
      A.data[n * m - 1] = Infinity;
    }
    const res = await gpu.maxRows(A, { backend: "gpu" });
    assert.equal(res.backend, "gpu");
    assert.deepEqual([...res.value], [...maxRows(A)].map(Math.fround), `maxRows ${n}×${m}`);
  }
  const neg = await gpu.maxRows([[-Infinity, -Infinity], [-0, -1]], { backend: "gpu" });
  assert.deepEqual([...neg.value], [-Infinity, 0]);
});

gpuTest("logSumExpRows: GPU matches core logSumExpRows within the online-LSE f32 bound (random shapes)", async () => {
  const r = new Rng(203);
  for (const [n, m] of [...SHAPES, [3, 5000]] as [number, number][]) {
    for (const sd of [1, 30]) {
      const A = randn(r, n, m, sd);
      const res = await gpu.logSumExpRows(A, { backend: "gpu" });
      assert.equal(res.backend, "gpu");
      const ref = logSumExpRows(A);
      assertWithin(res.value, ref, (i) => {
        const row = [...A.row(i)];
        return lseTol(row, row.map(Math.abs), rowSeq(m));
      }, `logSumExpRows ${n}×${m} sd ${sd}`);
    }
  }
});

gpuTest(
  "logSumExpRows: −Infinity entries are zero weights, all −∞ → −∞, +∞ → +∞, large entries do not overflow",
  async () => {
    const A = [
      [-Infinity, -Infinity, -Infinity],
      [0, -Infinity, 0],
      [Infinity, 1, -Infinity],
      [1e30, 1e30, -1e30],
      [88, 100, 200],
      [-1e4, -1e4 - 1, -Infinity],
    ];
    const res = await gpu.logSumExpRows(A, { backend: "gpu" });
    assert.equal(res.backend, "gpu");
    const ref = logSumExpRows(A);
    assert.equal(res.value[0], -Infinity);
    assert.equal(res.value[2], Infinity);
    assertWithin(res.value, ref, (i) =>
      lseTol(
        A[i],
        A[i].map((x) => Number.isFinite(x) ? Math.abs(x) : 0),
        rowSeq(3),
      ), "special rows");
    // A row of 70 000 entries all equal: exactly log(70000) above the value.
    const long = new Matrix(1, 70_000, new Float64Array(70_000).fill(-3));
    const l = await gpu.logSumExpRows(long, { backend: "gpu" });
    assert.ok(
      Math.abs(l.value[0] - (-3 + Math.log(70_000))) <= lseTol([...long.data], [3], rowSeq(70_000)),
      `${l.value[0]}`,
    );
  },
);

gpuTest(
  "logSumExpRows with scale, colOffset, rowOffset, outScale, outOffset matches lseRows (one Sinkhorn half-step)",
  async () => {
    // The f-update of log-domain Sinkhorn: f̂_i = log a_i − LSE_j(ĝ_j − C_ij/ε).
    const r = new Rng(204);
    for (const [n, m] of [[1, 1], [5, 300], [130, 70], [257, 129]] as [number, number][]) {
      const C = new Matrix(n, m, r.uniformArray(n * m, 0, 1));
      const eps = 0.01;
      const g = r.normalArray(m, 0, 5);
      g[0] = -Infinity; // a zero-mass column
      const u = r.normalArray(n);
      const loga = r.uniformArray(n, -8, -2);
      const opts = { scale: -1 / eps, colOffset: g, rowOffset: u, outScale: -1, outOffset: loga };
      const res = await gpu.logSumExpRows(C, { ...opts, backend: "gpu" });
      assert.equal(res.backend, "gpu");
      const ref = lseRows(C, opts);
      assertWithin(res.value, ref, (i) => {
        const L = [...C.row(i)].map((c, j) => g[j] === -Infinity ? -Infinity : -c / eps + u[i] + g[j]);
        const sc = [...C.row(i)].map((c, j) =>
          Math.abs(c / eps) + Math.abs(u[i]) + (Number.isFinite(g[j]) ? Math.abs(g[j]) : 0)
        );
        return lseTol(L, sc, rowSeq(m), -1, loga[i]);
      }, `fused lseRows ${n}×${m}`);
    }
  },
);
