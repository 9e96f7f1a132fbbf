/**
 * The runtime (lib/gpu/runtime.ts, batch.ts): buffer pool and the no-allocation-per-iteration
 * guarantee, device-resident handles, batched dispatch with partial readback, pipeline and
 * bind-group caches, 2-D dispatch beyond 65535 workgroups, custom kernels, info().
 */
import { assert, assertThrowsArg } from "../_helpers.ts";
import {
  defineKernel,
  gpu,
  type GpuDevice,
  type GpuMatrix,
  GpuRuntimeError,
  lseCols,
  lseRows,
  runtime,
  setAdapterProvider,
} from "../../lib/gpu/mod.ts";
import { Matrix } from "../../lib/core/matrix.ts";
import { Rng } from "../../lib/core/rng.ts";
import { gpuTest, randn, runtimeTest } from "./_gpu.ts";

/**
 * A log-domain Sinkhorn loop written against the device API, as lib/ot will: C uploaded once,
 * potentials resident, two fused log-sum-exp passes per iteration in one submission, and a
 * scalar-sized readback only every `checkEvery` iterations.
 */
async function sinkhornLoop(
  dev: GpuDevice,
  C: Matrix,
  iters: number,
  checkEvery: number,
): Promise<{ f: Float64Array; g: Float64Array }> {
  const n = C.rows, m = C.cols, eps = 0.05;
  const loga = new Float64Array(n).fill(-Math.log(n)), logb = new Float64Array(m).fill(-Math.log(m));
  using dC = dev.upload(C);
  using da = dev.upload(loga);
  using db = dev.upload(logb);
  using f = dev.alloc(n);
  using g = dev.alloc(m);
  dev.write(g, new Float64Array(m));
  const batch = dev.batch();
  let last: Float64Array[] = [];
  for (let it = 1; it <= iters; it++) {
    // f̂ = log a − LSE_j(ĝ_j − C_ij/ε);  ĝ = log b − LSE_i(f̂_i − C_ij/ε)
    batch.logSumExpRows(dC, f, { scale: -1 / eps, colOffset: g, outScale: -1, outOffset: da });
    batch.logSumExpCols(dC, g, { scale: -1 / eps, rowOffset: f, outScale: -1, outOffset: db });
    last = await batch.run(it % checkEvery === 0 || it === iters ? [f, g] : []);
  }
  return { f: last[0], g: last[1] };
}

gpuTest(
  "a solver loop allocates no GPU buffer per iteration: buffersCreated is the same after 3 and after 43 iterations",
  async () => {
    const dev = await gpu.device();
    const C = new Matrix(70, 90, new Rng(901).uniformArray(70 * 90));
    await sinkhornLoop(dev, C, 3, 1); // warm: pipelines compiled, pool populated
    const s0 = { ...runtime.stats };
    await sinkhornLoop(dev, C, 3, 1);
    const s1 = { ...runtime.stats };
    await sinkhornLoop(dev, C, 43, 1);
    const s2 = { ...runtime.stats };
    assert.equal(
      s2.buffersCreated - s1.buffersCreated,
      s1.buffersCreated - s0.buffersCreated,
      "allocations must not grow with the iteration count",
    );
    assert.equal(s2.buffersCreated, s1.buffersCreated, "after warm-up, a whole solve allocates nothing");
    assert.equal(s2.pipelinesCreated, s0.pipelinesCreated, "no pipeline compiled per iteration");
    assert.equal(s2.bindGroupsCreated, s1.bindGroupsCreated, "bind groups are reused across iterations");
    assert.ok(s2.buffersReused - s1.buffersReused >= 43, "the pool served every per-iteration buffer");
    assert.equal(s2.submits - s1.submits, 43, "one submission per iteration");
    assert.equal(
      s2.dispatches - s1.dispatches,
      43 * 3,
      "three dispatches per iteration (row LSE; column partial + finish)",
    );
  },
);

gpuTest(
  "the allocation counter catches a loop that allocates every iteration (so the test above can fail)",
  async () => {
    const dev = await gpu.device();
    const before = runtime.stats.buffersCreated;
    const leaked: GpuMatrix[] = [];
    for (let i = 0; i < 10; i++) leaked.push(dev.alloc(1000)); // never released: each needs a fresh buffer
    assert.equal(runtime.stats.buffersCreated - before, 10);
    for (const m of leaked) m.release();
    const mid = runtime.stats.buffersCreated;
    for (let i = 0; i < 10; i++) dev.alloc(1000).release(); // released each time: the pool serves them
    assert.equal(runtime.stats.buffersCreated, mid);
  },
);

gpuTest(
  "the device-resident Sinkhorn loop matches the f64 twins iterated on the CPU (potentials within 1e-4 relative)",
  async () => {
    // f32 potentials carry ~|f|·6e-8 per step; 20 contracting iterations keep the gap at the 1e-5 level.
    const dev = await gpu.device();
    const C = new Matrix(40, 50, new Rng(902).uniformArray(2000));
    const gpuRes = await sinkhornLoop(dev, C, 20, 20);
    const eps = 0.05;
    const loga = new Float64Array(40).fill(-Math.log(40)), logb = new Float64Array(50).fill(-Math.log(50));
    let g: Float64Array = new Float64Array(50), f: Float64Array = new Float64Array(40);
    for (let it = 0; it < 20; it++) {
      f = lseRows(C, { scale: -1 / eps, colOffset: g, outScale: -1, outOffset: loga });
      g = lseCols(C, { scale: -1 / eps, rowOffset: f, outScale: -1, outOffset: logb });
    }
    const rel = (a: Float64Array, b: Float64Array) =>
      Math.max(...a.map((v, i) => Math.abs(v - b[i]))) / Math.max(...b.map(Math.abs));
    assert.ok(rel(gpuRes.f, f) < 1e-4, `f rel err ${rel(gpuRes.f, f)}`);
    assert.ok(rel(gpuRes.g, g) < 1e-4, `g rel err ${rel(gpuRes.g, g)}`);
  },
);

gpuTest(
  "upload rounds f64 to f32 and read returns exactly those f32 values; write() refreshes without a new buffer",
  async () => {
    const dev = await gpu.device();
    const x = new Rng(903).normalArray(1000);
    using m = dev.upload(x);
    assert.equal(m.rows, 1000);
    assert.equal(m.cols, 1);
    assert.deepEqual([...await m.read()], [...x].map(Math.fround));
    const before = runtime.stats.buffersCreated;
    const y = x.map((v) => 2 * v);
    dev.write(m, y);
    assert.deepEqual([...await m.read()], [...y].map(Math.fround));
    assert.equal(runtime.stats.buffersCreated, before);
    assertThrowsArg(() => dev.write(m, [1, 2]), "values", "shape");
    const M = dev.upload([[1, 2, 3], [4, 5, 6]]);
    assert.deepEqual((await M.toMatrix()).toArray(), [[1, 2, 3], [4, 5, 6]]);
    M.release();
  },
);

gpuTest("released matrices return to the pool; using one after release throws; release twice is harmless", async () => {
  const dev = await gpu.device();
  const a = dev.alloc(777);
  a.release();
  a.release();
  assert.equal(a.released, true);
  assert.throws(() => a.buffer, GpuRuntimeError);
  const reused = runtime.stats.buffersReused, created = runtime.stats.buffersCreated;
  const b = dev.alloc(777);
  assert.equal(runtime.stats.buffersReused, reused + 1);
  assert.equal(runtime.stats.buffersCreated, created);
  b.release();
});

gpuTest("one batch: several passes, one submission, only the requested ranges read back", async () => {
  const dev = await gpu.device();
  const A = randn(new Rng(904), 50, 40);
  using dA = dev.upload(A);
  using r = dev.alloc(50);
  using c = dev.alloc(40);
  const s0 = { ...runtime.stats };
  const b = dev.batch().sumRows(dA, r).maxCols(dA, c).logSumExpRows(dA, r);
  assert.equal(b.size, 4);
  const [head, tail] = await b.run([{ matrix: r, offset: 0, length: 3 }, { matrix: c, offset: 38 }]);
  assert.equal(runtime.stats.submits - s0.submits, 1);
  assert.equal(runtime.stats.dispatches - s0.dispatches, 4);
  assert.equal(runtime.stats.bytesDownloaded - s0.bytesDownloaded, (3 + 2) * 4, "only 5 floats came back");
  assert.equal(head.length, 3);
  assert.equal(tail.length, 2);
  const ref = lseRows(A);
  for (let i = 0; i < 3; i++) {
    assert.ok(Math.abs(head[i] - ref[i]) < 1e-5, "later passes see earlier results in the same submission");
  }
  assert.equal(b.size, 0, "the batch is empty after run");
});

gpuTest(
  "dispatch: a custom kernel declared with defineKernel runs through the pool and caches; bad bindings are ShapeErrors",
  async () => {
    const dev = await gpu.device();
    const axpb = defineKernel({
      name: "testAxpb",
      twin: "x => a·x + b (inline)",
      workgroupSize: [64, 1, 1],
      params: [{ name: "n", type: "u32" }, { name: "a", type: "f32" }, { name: "b", type: "f32" }],
      buffers: [{ name: "x", access: "read", type: "f32" }, { name: "y", access: "read_write", type: "f32" }],
      body: `@compute @workgroup_size(WG_X, 1, 1)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  let i = group_index(wid, nwg) * WG + lid;
  if (i < params.n) { y[i] = params.a * x[i] + params.b; }
}`,
    });
    assert.match(axpb.cacheKey, /^testAxpb\/wg64x1x1\/main\/[0-9a-f]{16}$/);
    assert.deepEqual(axpb.bindings.map((b) => [b.binding, b.name, b.access]), [[1, "x", "read"], [
      2,
      "y",
      "read_write",
    ]]);
    using x = dev.upload([1, 2, 3, 4, 5]);
    using y = dev.alloc(5);
    const p0 = runtime.stats.pipelinesCreated;
    const [v] = await dev.batch().dispatch(axpb, [x, y], { n: 5, a: 2, b: 1 }, 1).run([y]);
    assert.deepEqual([...v], [3, 5, 7, 9, 11]);
    await dev.batch().dispatch(axpb, [x, y], { n: 5, a: 0, b: 0 }, 1).run([y]);
    assert.equal(runtime.stats.pipelinesCreated, p0 + 1, "second dispatch of the same kernel hits the pipeline cache");
    assertThrowsArg(() => dev.batch().dispatch(axpb, [x], { n: 5, a: 1, b: 0 }, 1), "buffers", "shape");
    assertThrowsArg(() => dev.batch().dispatch(axpb, [x, x], { n: 5, a: 1, b: 0 }, 1), "buffers[1]", "shape");
    assert.throws(() => dev.batch().dispatch(axpb, [x, y], { n: 5, a: 1 }, 1), /parameter 'b' not given/);
  },
);

gpuTest(
  "2-D dispatch: more than 65535 workgroups (a map over 16.8M entries, a 70 000-row reduction) reach every entry",
  async () => {
    const dev = await gpu.device();
    const n = 65535 * 256 + 300; // one workgroup per 256 entries: 65537 workgroups
    const x = new Float32Array(n);
    for (let i = 0; i < n; i++) x[i] = i % 1000;
    using dx = dev.alloc(n);
    dev.write(dx, x);
    using dy = dev.alloc(n);
    const [head, tail] = await dev.batch().elementwiseMap(dx, dy, "affine", { a: 2, b: 1 }).run([
      { matrix: dy, offset: 0, length: 4 },
      { matrix: dy, offset: n - 4 },
    ]);
    assert.deepEqual([...head], [1, 3, 5, 7]);
    assert.deepEqual([...tail], [...x.subarray(n - 4)].map((v) => 2 * v + 1));
    const rows = 70_000;
    const A = new Matrix(rows, 2, Float64Array.from({ length: 2 * rows }, (_, k) => (k >> 1) % 7));
    const r = await gpu.sumRows(A, { backend: "gpu" });
    assert.equal(r.backend, "gpu");
    for (const i of [0, 65535, 65536, rows - 1]) assert.equal(r.value[i], 2 * (i % 7), `row ${i}`);
  },
);

gpuTest("info(): adapter description, vendor and limits; stats are exposed on gpu.stats", async () => {
  const info = await gpu.info();
  assert.equal(info.available, true);
  if (!info.available) return;
  assert.equal(typeof info.description, "string");
  assert.ok(info.limits.maxStorageBufferBindingSize >= 1 << 27);
  assert.ok(info.limits.maxComputeWorkgroupsPerDimension >= 65535);
  assert.equal(gpu.stats, runtime.stats);
  assert.ok(gpu.stats.devicesCreated >= 1);
});

runtimeTest("info() with the adapter hidden says so, with the reason", async () => {
  await setAdapterProvider(() => Promise.resolve(null));
  try {
    const info = await gpu.info();
    assert.equal(info.available, false);
    if (!info.available) assert.match(info.reason, /no adapter/);
    await assert.rejects(() => gpu.device(), GpuRuntimeError);
  } finally {
    await setAdapterProvider(null);
  }
});
