/**
 * Parity of the kNN kernels (kernels/info/knn.ts) with their twins, soundness of the f32 guard band, and
 * exact agreement of `ksgAsync` / `mixedKsgAsync` on the GPU with the f64 CPU estimators.
 *
 * Guarantees checked here (no tolerances anywhere):
 * 1. Kernel level: on f32-representable input the kernels only subtract (correctly rounded in WGSL), take
 *    |·| and max, so `knnMaxNorm` lists and `radiusBandCount` counts / band indices are identical to the
 *    twins run with f32 rounding of each coordinate difference — also when the columns are split over
 *    several dispatches (cases sized beyond one dispatch's loop budget, lib/info/_tiles.ts; llvmpipe
 *    silently stops an invocation's loops after 65,535 iterations).
 * 2. Guard band: with A_i = (1 + u)u₁·max_c(R_c + |s_ic|) + 3(1 + u)τ (lib/info/_knn_gpu.ts), every GPU
 *    distance obeys |d̃ − d| ≤ A_i + u·d against the f64 distance, so "surely inside" (d̃ ≤ lo) implies
 *    d ≤ r and "outside" (d̃ > hi) implies d > r — checked pair by pair on data far from the origin.
 * 3. Estimators: the GPU decides only what is certain in f32 and re-checks the rest in f64 with the CPU's
 *    arithmetic, so `ksgAsync(…, { backend: "gpu" }).value === ksg(…).value` (bit for bit) for KSG-1 and
 *    for KSG-2 whenever `gpu.kthTies === 0`, also on data built to collide in f32 (values 1e-9 apart) and on
 *    tied data; the same for Ross's estimator.
 */
import { assert, assertRejectsArg } from "../../_helpers.ts";
import { Matrix } from "../../../lib/core/matrix.ts";
import { Rng } from "../../../lib/core/rng.ts";
import { runtime, setAdapterProvider } from "../../../lib/gpu/mod.ts";
import { KNN_MAX_LIST, knnMaxNormKernel, RADIUS_BAND_SLOTS, radiusBandCountKernel } from "../../../kernels/info/knn.ts";
import {
  bandBounds,
  decodeLists,
  gpuSpace,
  knnMaxNormTwin,
  maxDist,
  radiusBandCountTwin,
  U32,
} from "../../../lib/info/_knn_gpu.ts";
import { countTile, dispatchTiles, knnTile } from "../../../lib/info/_tiles.ts";
import { ksg, ksgAsync, mixedKsg, mixedKsgAsync } from "../../../lib/info/mod.ts";
import { gpuTest, restoreRuntime, runtimeTest } from "../../gpu/_gpu.ts";

const G = RADIUS_BAND_SLOTS;

function f32Rows(r: Rng, n: number, d: number, scale = 1, offset = 0): Float64Array {
  return Float64Array.from({ length: n * d }, () => Math.fround(offset + scale * r.normal()));
}

async function runKnn(values: Float64Array, n: number, d: number, K: number, labels: Int32Array | null) {
  const dev = await runtime.device();
  const p = dev.upload(values), lab = dev.alloc(labels ? n : 1, 1, "u32");
  if (labels) dev.writeU32(lab, labels);
  const keys = dev.alloc(n * K, 1, "u32"), idx = dev.alloc(n * K, 1, "u32");
  try {
    const batch = dev.batch();
    const tiles = dispatchTiles(
      batch,
      knnMaxNormKernel(K, labels !== null),
      [p, lab, keys, idx],
      { n, d },
      Math.ceil(n / 64),
      n,
      knnTile(d, K),
    );
    const [kv, iv] = await batch.run([keys, idx]);
    return { ...decodeLists(kv, iv, K), tiles };
  } finally {
    for (const m of [p, lab, keys, idx]) m.release();
  }
}

gpuTest(
  "knnMaxNorm: lists identical to the f32 twin (K = 1…32, N not a multiple of 64, N − 1 < K, labels, ties)",
  async () => {
    const r = new Rng(71);
    const cases: [number, number, number, boolean][] = [
      [2, 1, 1, false],
      [5, 2, 7, false],
      [65, 1, 3, false],
      [130, 3, 5, true],
      [200, 2, KNN_MAX_LIST, false],
      [97, 4, 9, true],
      [1100, 52, 5, false], // > one dispatch's loop budget: several tiles
    ];
    for (const [n, d, K, labeled] of cases) {
      const v = f32Rows(r, n, d);
      const labels = labeled ? Int32Array.from({ length: n }, () => r.integer(3)) : null;
      const g = await runKnn(v, n, d, K, labels);
      assert.equal(g.tiles > 1, n * (d + K + 4) > 60000, "tiling");
      const t = knnMaxNormTwin(v, n, d, K, labels, true);
      assert.deepEqual([...g.idx], [...t.idx], `indices n=${n} d=${d} K=${K} labeled=${labeled}`);
      assert.deepEqual([...g.dist], [...t.dist], `distances n=${n} d=${d} K=${K}`);
    }
    // integer coordinates: many equal distances, broken by the smaller index on both sides
    const n = 150, d = 2;
    const tied = Float64Array.from({ length: n * d }, () => r.integer(6));
    const g = await runKnn(tied, n, d, 8, null);
    const t = knnMaxNormTwin(tied, n, d, 8, null, true);
    assert.deepEqual([...g.idx], [...t.idx], "ties");
  },
);

gpuTest("radiusBandCount: counts and band indices identical to the f32 twin (one and two spaces)", async () => {
  const r = new Rng(72);
  const dev = await runtime.device();
  for (const [n, da, db] of [[1, 1, 1], [70, 1, 2], [257, 3, 1], [90, 2, 0], [1100, 44, 8]] as const) {
    const a = f32Rows(r, n, da), b = db ? f32Rows(r, n, db) : null;
    const bounds = new Float64Array(4 * n);
    for (let i = 0; i < n; i++) {
      for (let s = 0; s < 2; s++) {
        const lo = Math.fround(r.uniform() < 0.1 ? -1 : 0.8 * r.uniform());
        bounds[4 * i + 2 * s] = lo;
        bounds[4 * i + 2 * s + 1] = Math.fround(Math.max(lo, 0) + 0.05 * r.uniform());
      }
    }
    const ga = dev.upload(a), gb = b ? dev.upload(b) : null, gbd = dev.upload(bounds);
    const cnt = dev.alloc(4 * n, 1, "u32"), band = dev.alloc(2 * G * n, 1, "u32");
    try {
      const bufs = b ? [ga, gb!, gbd, cnt, band] : [ga, gbd, cnt, band];
      const batch = dev.batch();
      const tiles = dispatchTiles(
        batch,
        radiusBandCountKernel(b !== null),
        bufs,
        { n, da, db },
        Math.ceil(n / 64),
        n,
        countTile(da + db),
      );
      assert.equal(tiles > 1, n === 1100, "tiling");
      const [cv, bv] = await batch.run([cnt, band]);
      const t = radiusBandCountTwin(a, da, b, db, n, bounds, true);
      for (let i = 0; i < n; i++) {
        for (let s = 0; s < (b ? 2 : 1); s++) {
          const bd = t.cnt[4 * i + 2 * s + 1];
          assert.equal(cv[4 * i + 2 * s], t.cnt[4 * i + 2 * s], `inside n=${n} row ${i} space ${s}`);
          assert.equal(cv[4 * i + 2 * s + 1], bd, `band n=${n} row ${i} space ${s}`);
          for (let q = 0; q < Math.min(bd, G); q++) {
            assert.equal(bv[i * 2 * G + s * G + q], t.band[i * 2 * G + s * G + q], `band index ${q}`);
          }
        }
      }
    } finally {
      for (const m of [ga, gb, gbd, cnt, band]) m?.release();
    }
  }
});

gpuTest(
  "guard band: every GPU distance is within A_i + u·d of the f64 distance, so sure-inside ⇒ d ≤ r and outside ⇒ d > r",
  async () => {
    const r = new Rng(73);
    const dev = await runtime.device();
    // far from the origin and badly scaled: the absolute f32 error is large compared with the spacing
    for (const [n, d, off, sc] of [[300, 1, 1e3, 1e-2], [200, 3, -50, 1], [150, 2, 0, 1e-20]] as const) {
      const data = Float64Array.from({ length: n * d }, () => off + sc * r.normal());
      const S = gpuSpace(data, n, d);
      const K = 8;
      const lists = await runKnn(Float64Array.from(S.values), n, d, K, null);
      for (let i = 0; i < n; i++) {
        for (let t = 0; t < K; t++) {
          const j = lists.idx[i * K + t], dd = maxDist(data, d, i, j);
          assert.ok(Math.abs(lists.dist[i * K + t] - dd) <= S.a[i] + U32 * dd, `distance bound n=${n} row ${i}`);
        }
      }
      // radii at the 5th neighbour and at random points: classification against exact f64 distances
      const radius = new Float64Array(n), bounds = new Float64Array(4 * n);
      for (let i = 0; i < n; i++) {
        radius[i] = r.uniform() < 0.5 ? maxDist(data, d, i, lists.idx[i * K + 4]) : maxDist(data, d, i, r.integer(n));
        [bounds[4 * i], bounds[4 * i + 1]] = bandBounds(radius[i], S.a[i]);
      }
      const ga = dev.upload(Float64Array.from(S.values)), gbd = dev.upload(bounds);
      const cnt = dev.alloc(4 * n, 1, "u32"), band = dev.alloc(2 * G * n, 1, "u32");
      try {
        const batch = dev.batch();
        dispatchTiles(
          batch,
          radiusBandCountKernel(false),
          [ga, gbd, cnt, band],
          { n, da: d, db: 0 },
          Math.ceil(n / 64),
          n,
          countTile(d),
        );
        const [cv] = await batch.run([cnt, band]);
        const f32dist = knnMaxNormTwin(S.values, n, d, n - 1, null, true);
        for (let i = 0; i < n; i++) {
          let inside = 0, within = 0, sure = 0, maybe = 0;
          for (let t = 0; t < n - 1; t++) {
            const j = f32dist.idx[i * (n - 1) + t], dt = f32dist.dist[i * (n - 1) + t], df = maxDist(data, d, i, j);
            if (dt <= bounds[4 * i]) {
              sure++;
              assert.ok(df <= radius[i], `sure-inside but d > r (n=${n}, row ${i})`);
            } else if (dt <= bounds[4 * i + 1]) maybe++;
            else assert.ok(df > radius[i], `outside but d ≤ r (n=${n}, row ${i})`);
            if (df <= radius[i]) within++;
          }
          inside = cv[4 * i];
          // the kernel counts i itself too (d = 0): sure-inside when lo ≥ 0, else in the band
          assert.equal(inside + cv[4 * i + 1], sure + maybe + 1, `inside + band, row ${i}`);
          assert.ok(sure <= within && within <= sure + maybe, `f64 count between sure and sure + band, row ${i}`);
        }
      } finally {
        for (const m of [ga, gbd, cnt, band]) m.release();
      }
    }
  },
);

function sample(r: Rng, n: number, dx: number, dy: number): { x: Matrix; y: Matrix } {
  const x = new Matrix(n, dx, r.normalArray(n * dx));
  const y = new Matrix(n, dy);
  for (let i = 0; i < n; i++) for (let c = 0; c < dy; c++) y.set(i, c, 0.6 * x.get(i, 0) + 0.8 * r.normal() + c);
  return { x, y };
}

gpuTest(
  "ksgAsync on the GPU equals ksg bit for bit (KSG-1 and 2, k = 1…10, 1-D to 18-D, brute-force and k-d tree CPU paths)",
  async () => {
    const r = new Rng(74);
    const cases: [number, number, number, number][] = [
      [2, 1, 1, 1],
      [65, 1, 1, 3],
      [300, 1, 1, 3],
      [300, 2, 3, 5],
      [200, 10, 8, 4],
      [1200, 1, 1, 10],
      [3500, 1, 1, 10], // k-NN list of 12 beyond one dispatch's loop budget: tiled
    ];
    for (const [n, dx, dy, k] of cases) {
      const { x, y } = sample(r, n, dx, dy);
      for (const variant of [1, 2] as const) {
        const g = await ksgAsync(x, y, { k, variant, backend: "gpu" });
        assert.equal(g.backend, "gpu", g.backendReason);
        const c = ksg(x, y, { k, variant });
        assert.ok(g.gpu !== null && g.gpu.listLength === Math.min(k + 2, n - 1));
        if (variant === 1 || g.gpu.kthTies === 0) {
          assert.equal(g.value, c.value, `n=${n} dx=${dx} dy=${dy} k=${k} KSG-${variant}`);
        }
        assert.equal(g.clipped, Math.max(0, g.value));
      }
    }
  },
);

gpuTest(
  "ksgAsync: data that collide in f32 (1e-9 apart) and exact ties go through the f64 re-check and still equal ksg",
  async () => {
    const r = new Rng(75);
    // integers plus 1e-9·noise: distinct in f64, equal after rounding to f32 — worst case for the band
    for (const n of [200, 600]) {
      const x = Float64Array.from({ length: n }, () => r.integer(12) + 1e-9 * r.normal());
      const y = Float64Array.from(x, (v) => Math.round(v) % 5 + 1e-9 * r.normal());
      const opts = { jitter: 0, standardize: false } as const;
      for (const variant of [1, 2] as const) {
        const g = await ksgAsync(x, y, { ...opts, k: 3, variant, backend: "gpu" });
        const c = ksg(x, y, { ...opts, k: 3, variant });
        assert.ok(g.gpu !== null);
        assert.ok(g.gpu.knnRowsRecomputed + g.gpu.countRowsRecounted > 0, "the f64 re-check paths must run here");
        if (variant === 1 || n <= 256) assert.equal(g.value, c.value, `collisions n=${n} KSG-${variant}`);
      }
    }
    // exact duplicates (no jitter): KSG-1 never depends on which tied point is the k-th
    const n = 400;
    const x = Float64Array.from({ length: n }, () => r.integer(20));
    const y = Float64Array.from(x, (v) => (v * 7) % 11 + r.integer(3));
    const g1 = await ksgAsync(x, y, { jitter: 0, backend: "gpu" });
    assert.equal(g1.value, ksg(x, y, { jitter: 0 }).value, "duplicates KSG-1");
    const g2 = await ksgAsync(x, y, { jitter: 0, variant: 2, backend: "gpu" });
    assert.ok(g2.gpu !== null && g2.gpu.kthTies > 0, "ties at the k-th distance are reported");
    assert.ok(Number.isFinite(g2.value));
  },
);

gpuTest(
  "mixedKsgAsync on the GPU equals mixedKsg bit for bit (classes smaller than k, singletons, string labels)",
  async () => {
    const r = new Rng(76);
    for (const [n, d, k, classes] of [[6, 1, 2, 2], [120, 1, 3, 3], [700, 2, 5, 4], [300, 3, 10, 8]] as const) {
      const x = new Matrix(n, d, r.normalArray(n * d));
      const labels = Array.from({ length: n }, (_, i) => `c${(i * 7 + Math.floor(3 * x.get(i, 0))) % classes}`);
      labels[0] = "singleton";
      const g = await mixedKsgAsync(x, labels, { k, backend: "gpu" });
      assert.equal(g.backend, "gpu", g.backendReason);
      const c = mixedKsg(x, labels, { k });
      assert.equal(g.value, c.value, `n=${n} d=${d} k=${k} classes=${classes}`);
      assert.deepEqual(g.params, c.params);
    }
  },
);

gpuTest(
  "kNN GPU limits: k > 30 or the Euclidean metric — forced 'gpu' names the option, 'auto' runs the CPU",
  async () => {
    const r = new Rng(77);
    const x = r.normalArray(80), y = r.normalArray(80);
    await assertRejectsArg(() => ksgAsync(x, y, { k: 31, backend: "gpu" }), "options.k", "backend");
    const labels = Array.from({ length: 80 }, (_, i) => i % 2);
    await assertRejectsArg(
      () => mixedKsgAsync(x, labels, { metric: "euclidean", backend: "gpu" }),
      "options.metric",
      "backend",
    );
    const a = await ksgAsync(x, y, { k: 31 });
    assert.equal(a.backend, "cpu");
    assert.equal(a.value, ksg(x, y, { k: 31 }).value);
  },
);

runtimeTest(
  "null adapter: ksgAsync / mixedKsgAsync under 'auto' are exactly the CPU estimators, backend 'cpu'; forced 'gpu' is a BackendError",
  async () => {
    await setAdapterProvider(() => Promise.resolve(null));
    try {
      const r = new Rng(78);
      const { x, y } = sample(r, 150, 2, 1);
      for (const variant of [1, 2] as const) {
        const a = await ksgAsync(x, y, { variant, backend: "auto" });
        assert.equal(a.backend, "cpu");
        assert.match(a.backendReason, /no WebGPU adapter/);
        assert.equal(a.gpu, null);
        const { backend: _b, backendReason: _r, gpu: _g, ...rest } = a;
        assert.deepEqual(rest, ksg(x, y, { variant }));
      }
      const labels = Array.from({ length: 150 }, (_, i) => i % 3);
      const m = await mixedKsgAsync(x, labels);
      assert.equal(m.backend, "cpu");
      assert.equal(m.value, mixedKsg(x, labels).value);
      await assertRejectsArg(() => ksgAsync(x, y, { backend: "gpu" }), "options.backend", "backend");
      await assertRejectsArg(() => mixedKsgAsync(x, labels, { backend: "gpu" }), "options.backend", "backend");
      await assertRejectsArg(() => ksgAsync(x, y, { backend: "tpu" as never }), "options.backend", "option");
    } finally {
      await restoreRuntime();
      await setAdapterProvider(null);
    }
  },
);
