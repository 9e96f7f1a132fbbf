/**
 * Parity of the binning kernels (kernels/info/binning.ts) with their twins, and of `binnedEntropyAsync`,
 * `binnedMiAsync`, `adaptiveBinningMiAsync` on the GPU with the f64 CPU estimators.
 *
 * Tolerance: none, on every input (not only on inputs away from bin edges). The kernels never compare
 * f32 values: values and edges travel as 64-bit order-preserving keys of the f64 numbers, so `edge ≤ v`
 * is the f64 comparison; equal-width bins become exact f64 step points (bisection over the keys of the
 * CPU's formula ⌊((v − lo)/w)·B⌋, which is monotone in v). Counts are u32 atomics (exact), and the host
 * sums the histogram in the order of each cell's first row — the CPU's symbol order — so the estimates
 * are bit-identical. Checked on random data, on values exactly at every step point and one ulp below,
 * on ±0, and on heavy ties.
 */
import { assert, assertRejectsArg } from "../../_helpers.ts";
import { Matrix } from "../../../lib/core/matrix.ts";
import { Rng } from "../../../lib/core/rng.ts";
import { runtime, setAdapterProvider } from "../../../lib/gpu/mod.ts";
import { BIN_CODES_KERNEL, BIN_HISTOGRAM_KERNEL, FILL_U32_KERNEL } from "../../../kernels/info/binning.ts";
import { columnRange, uniformCode } from "../../../lib/info/_binning.ts";
import { binHistogramTwin, keysOf, uniformStepEdges } from "../../../lib/info/_binning_gpu.ts";
import { digitizeEdges } from "../../../lib/info/_layer_info.ts";
import { nextDown } from "../../../lib/info/_special.ts";
import {
  adaptiveBinningMi,
  adaptiveBinningMiAsync,
  binnedEntropy,
  binnedEntropyAsync,
  binnedMi,
  binnedMiAsync,
  discretize,
  ebabEdges,
} from "../../../lib/info/mod.ts";
import { gpuTest, restoreRuntime, runtimeTest } from "../../gpu/_gpu.ts";

function strip<T extends { backend: unknown; backendReason: unknown }>(r: T): Omit<T, "backend" | "backendReason"> {
  const { backend: _b, backendReason: _r, ...rest } = r;
  return rest;
}

runtimeTest("64-bit keys order exactly like the f64 values (±0 equal, subnormals, ±huge)", () => {
  const r = new Rng(81);
  const v = [0, -0, 5e-324, -5e-324, 1e308, -1e308, 1, 1 + 2 ** -52, -1, -1 - 2 ** -52, ...r.normalArray(200)];
  const k = keysOf(v);
  const cmp = (i: number, j: number) => k[2 * i] - k[2 * j] || k[2 * i + 1] - k[2 * j + 1];
  for (let i = 0; i < v.length; i++) {
    for (let j = 0; j < v.length; j++) {
      assert.ok(Math.sign(cmp(i, j)) === Math.sign(v[i] - v[j]), `${v[i]} vs ${v[j]}`); // −0 === 0
    }
  }
  return Promise.resolve();
});

runtimeTest(
  "uniformStepEdges: counting step points ≤ v reproduces ⌊((v − lo)/w)·B⌋ at every step and one ulp below",
  () => {
    const r = new Rng(82);
    for (
      const [lo, hi, bins] of [[0, 1, 10], [-3.7, 11.2, 7], [1e-3, 1e-3 + 1e-12, 30], [-1, 1, 1], [2, 5, 3]] as const
    ) {
      const t = uniformStepEdges(lo, hi, bins);
      const w = hi - lo;
      const probe = [lo, hi, ...Array.from({ length: 200 }, () => lo + w * r.uniform())];
      for (const s of t) probe.push(s, nextDown(s));
      for (const v of probe) {
        if (v < lo || v > hi) continue;
        let c = 0;
        while (c < t.length && t[c] <= v) c++;
        assert.equal(c, uniformCode(v, lo, w, bins), `v=${v} lo=${lo} hi=${hi} B=${bins}`);
      }
    }
    return Promise.resolve();
  },
);

/** Values chosen to sit on bin edges: every uniform step point and its predecessor, plus ±0. */
function edgeSitters(r: Rng, n: number, bins: number): Float64Array {
  const base = Float64Array.from({ length: n }, () => Math.round(4 * r.normal()) / 4);
  base[0] = -0;
  base[1] = 0;
  const { lo, hi } = columnRange(base);
  const t = uniformStepEdges(lo, hi, bins);
  for (let m = 0; m < t.length && 2 * m + 3 < n - 2; m++) {
    base[2 * m + 2] = t[m];
    base[2 * m + 3] = nextDown(t[m]);
  }
  if (n >= 4) {
    base[n - 2] = lo; // keep the range, so the step points stay the column's steps
    base[n - 1] = hi;
  }
  return base;
}

gpuTest(
  "binHistogram: counts and first rows identical to the twin (uniform and quantile, values on every edge)",
  async () => {
    const r = new Rng(83);
    const dev = await runtime.device();
    for (
      const [n, d, bins, strategy] of [[5, 1, 3, "uniform"], [300, 2, 10, "uniform"], [257, 3, 6, "quantile"]] as const
    ) {
      const X = new Matrix(n, d);
      for (let c = 0; c < d; c++) {
        const col = edgeSitters(r, n, bins);
        for (let i = 0; i < n; i++) X.set(i, c, col[i]);
      }
      const codes = discretize(X, bins, strategy);
      const twin = binHistogramTwin(codes, n, d, bins);
      // the public path builds the same edges; here the kernel runs directly on them
      const edges: Float64Array[] = [];
      for (let c = 0; c < d; c++) {
        const col = X.col(c);
        if (strategy === "uniform") {
          const { lo, hi } = columnRange(col);
          edges.push(uniformStepEdges(lo, hi, bins));
        } else {
          const s = Float64Array.from(col).sort();
          const e = new Float64Array(bins - 1);
          for (let k = 1; k < bins; k++) {
            const pos = (k / bins) * (n - 1), f = Math.floor(pos), g = pos - f;
            e[k - 1] = f + 1 < n ? s[f] + g * (s[f + 1] - s[f]) : s[f];
          }
          edges.push(e);
        }
      }
      const eoff = [0];
      for (const e of edges) eoff.push(eoff[eoff.length - 1] + e.length);
      const ekeys = keysOf(edges.flatMap((e) => [...e]));
      const cells = bins ** d;
      const vals = dev.alloc(2 * n * d, 1, "u32"), ge = dev.alloc(d + 1, 1, "u32");
      const gk = dev.alloc(Math.max(2, ekeys.length), 1, "u32"), gs = dev.alloc(d, 1, "u32");
      const hist = dev.alloc(cells, 1, "u32"), first = dev.alloc(cells, 1, "u32");
      try {
        dev.writeU32(vals, keysOf(X.data));
        dev.writeU32(ge, eoff);
        dev.writeU32(gk, ekeys.length ? ekeys : [0, 0]);
        dev.writeU32(gs, Array.from({ length: d }, (_, c) => bins ** c));
        const [h, f] = await dev.batch()
          .dispatch(FILL_U32_KERNEL, [hist], { n: cells, value: 0 }, Math.ceil(cells / 256))
          .dispatch(FILL_U32_KERNEL, [first], { n: cells, value: 0xffffffff }, Math.ceil(cells / 256))
          .dispatch(BIN_HISTOGRAM_KERNEL, [vals, ge, gk, gs, hist, first], { n, d, mode: 0 }, Math.ceil(n / 64))
          .run([hist, first]);
        assert.deepEqual([...h], [...twin.hist], `histogram n=${n} d=${d} ${strategy}`);
        assert.deepEqual([...f], [...twin.first], `first rows n=${n} d=${d} ${strategy}`);
      } finally {
        for (const m of [vals, ge, gk, gs, hist, first]) m.release();
      }
    }
  },
);

gpuTest("binCodes: codes identical to digitizeEdges and the level histogram (atomics) to their counts", async () => {
  const r = new Rng(84);
  const dev = await runtime.device();
  const t = Float64Array.from({ length: 3000 }, () => Math.max(0, Math.round(10 * r.normal()) / 10));
  const edges = ebabEdges(t, 12, 0);
  t[5] = -0.5; // below the lower edge: clamped into the first bin
  const want = digitizeEdges(t, edges);
  const vals = dev.alloc(2 * t.length, 1, "u32"),
    ge = dev.alloc(2, 1, "u32"),
    gk = dev.alloc(2 * edges.length, 1, "u32");
  const codes = dev.alloc(t.length, 1, "u32"), lev = dev.alloc(edges.length, 1, "u32");
  try {
    dev.writeU32(vals, keysOf(t));
    dev.writeU32(ge, [0, edges.length]);
    dev.writeU32(gk, keysOf(edges));
    const [cv, lv] = await dev.batch()
      .dispatch(FILL_U32_KERNEL, [lev], { n: edges.length, value: 0 }, 1)
      .dispatch(BIN_CODES_KERNEL, [vals, ge, gk, codes, lev], { n: t.length, d: 0, mode: 1 }, Math.ceil(t.length / 256))
      .run([codes, lev]);
    assert.deepEqual([...cv], [...want]);
    const counts = new Array(edges.length).fill(0);
    for (const c of want) counts[c]++;
    assert.deepEqual([...lv], counts);
  } finally {
    for (const m of [vals, ge, gk, codes, lev]) m.release();
  }
});

gpuTest(
  "binnedEntropyAsync / binnedMiAsync / adaptiveBinningMiAsync on the GPU are identical to the CPU estimators",
  async () => {
    const r = new Rng(85);
    for (const [n, dx, bins] of [[2, 1, 1], [400, 1, 10], [1000, 2, 8], [333, 3, 5]] as const) {
      const x = new Matrix(n, dx);
      for (let c = 0; c < dx; c++) {
        const col = edgeSitters(r, n, bins);
        for (let i = 0; i < n; i++) x.set(i, c, col[i]);
      }
      const y = Float64Array.from({ length: n }, (_, i) => x.get(i, 0) + r.normal());
      for (const strategy of ["uniform", "quantile"] as const) {
        for (const correction of ["none", "millerMadow"] as const) {
          const o = { bins, strategy, correction, unit: "bits" as const };
          const gm = await binnedMiAsync(x, y, { ...o, backend: "gpu" });
          assert.equal(gm.backend, "gpu", gm.backendReason);
          assert.deepEqual(strip(gm), binnedMi(x, y, o), `MI n=${n} dx=${dx} ${strategy}`);
          const ge = await binnedEntropyAsync(x, { ...o, backend: "gpu" });
          assert.deepEqual(strip(ge), binnedEntropy(x, o), `H n=${n} dx=${dx} ${strategy}`);
        }
      }
      const t = x.map(Math.tanh);
      const labels = Array.from({ length: n }, (_, i) => (x.get(i, 0) > 0 ? "a" : "b"));
      const ga = await adaptiveBinningMiAsync(t, labels, { bins: 3 * bins, backend: "gpu" });
      assert.deepEqual(strip(ga), adaptiveBinningMi(t, labels, { bins: 3 * bins }), `EBAB n=${n}`);
      const relu = x.map((v) => Math.max(0, v));
      const gr = await adaptiveBinningMiAsync(relu, null, { backend: "gpu", inputIds: labels });
      assert.deepEqual(strip(gr), adaptiveBinningMi(relu, null, { inputIds: labels }), `EBAB ReLU n=${n}`);
    }
  },
);

gpuTest(
  "binning GPU limits: 'discrete' or > 2²² cells — forced 'gpu' names the option, 'auto' runs the CPU",
  async () => {
    const r = new Rng(86);
    const x = r.normalArray(50), y = r.normalArray(50);
    await assertRejectsArg(
      () => binnedMiAsync(x, y, { strategy: "discrete", backend: "gpu" }),
      "options.strategy",
      "backend",
    );
    await assertRejectsArg(() => binnedMiAsync(x, y, { bins: 4096, backend: "gpu" }), "options.bins", "backend");
    const a = await binnedMiAsync(x, y, { strategy: "discrete" });
    assert.equal(a.backend, "cpu");
    assert.deepEqual(strip(a), binnedMi(x, y, { strategy: "discrete" }));
  },
);

runtimeTest(
  "null adapter: the binned estimators under 'auto' are exactly the CPU ones, backend 'cpu'; forced 'gpu' is a BackendError",
  async () => {
    await setAdapterProvider(() => Promise.resolve(null));
    try {
      const r = new Rng(87);
      const x = r.normalArray(120), y = r.normalArray(120), t = new Matrix(120, 2, r.normalArray(240));
      const m = await binnedMiAsync(x, y, { bins: 6 });
      assert.equal(m.backend, "cpu");
      assert.match(m.backendReason, /no WebGPU adapter/);
      assert.deepEqual(strip(m), binnedMi(x, y, { bins: 6 }));
      assert.deepEqual(strip(await binnedEntropyAsync(x)), binnedEntropy(x));
      assert.deepEqual(strip(await adaptiveBinningMiAsync(t, null)), adaptiveBinningMi(t, null));
      await assertRejectsArg(() => binnedMiAsync(x, y, { backend: "gpu" }), "options.backend", "backend");
      await assertRejectsArg(() => adaptiveBinningMiAsync(t, null, { backend: "gpu" }), "options.backend", "backend");
    } finally {
      await restoreRuntime();
      await setAdapterProvider(null);
    }
  },
);
