/**
 * GPU stage of lib/ot (async entry points): parity of the f32 Sinkhorn sweeps with the f64 CPU
 * twin at a tolerance derived from f32, the GPU-warm-up → CPU-Newton split, backend choice and
 * fallback, and an allocation-free GPU loop. Parity tests run wherever a WebGPU adapter exists
 * (llvmpipe here); only the adapter-dependent tests are skipped without one (printed).
 */
import { assert, assertRejectsArg } from "../_helpers.ts";
import { runtime, setAdapterProvider } from "../../lib/gpu/mod.ts";
import { gpuSinkhornSweeps } from "../../lib/ot/async.ts";
import { buildProblem } from "../../lib/ot/_problem.ts";
import { sinkhornLog, sinkhornLogAsync, sinkhornNewtonSparse, sinkhornNewtonSparseAsync } from "../../lib/ot/mod.ts";
import { gpuTest, restoreRuntime, runtimeTest, U } from "../gpu/_gpu.ts";
import { Rng } from "../../lib/core/mod.ts";
import { pointCost, simplex } from "./_problems.ts";

gpuTest(
  "GPU f32 sweeps = the f64 CPU sweeps from the same start: derived f32 bound, and the card's 1e-5 relative on P",
  async () => {
    const n = 33, m = 17, reg = 0.05;
    const rng = new Rng(61);
    const a = simplex(rng, n), b = simplex(rng, m);
    const C = pointCost(61, n, m);
    const p = buildProblem("test", a, b, C, reg);
    const dev = await runtime.device();
    // The GPU starts from ĝ = 0 on the centred cost C' = C − α1ᵀ − 1βᵀ, i.e. from g = β + reg/2 on C.
    const alpha = Array.from({ length: n }, (_, i) => Math.min(...C.row(i)));
    const beta = Array.from({ length: m }, (_, j) => Math.min(...alpha.map((al, i) => C.get(i, j) - al)));
    for (const N of [1, 10]) {
      const gs = await gpuSinkhornSweeps(dev, p, N, 0, N, performance.now());
      assert.equal(gs.iterations, N);
      const ref = sinkhornLog(a, b, C, {
        reg,
        maxIter: N,
        init: { f: alpha.map((x) => x + reg / 2), g: beta.map((x) => x + reg / 2) },
      });
      // Compare log P (gauge-free): log P_ij = u_i + v_j − C_ij/reg − 1.
      let maxDiff = 0, Lmax = 0;
      for (let i = 0; i < n; i++) {
        for (let j = 0; j < m; j++) {
          maxDiff = Math.max(maxDiff, Math.abs((gs.u[i] + gs.v[j]) - (ref.f[i] + ref.g[j]) / reg));
          Lmax = Math.max(Lmax, Math.abs(ref.f[i] / reg) + Math.abs(ref.g[j] / reg) + C.get(i, j) / reg);
        }
      }
      // First-order f32 bound per half-step (lib/gpu precision policy for the LSE kernels): input and
      // affine rounding 4u·max|L|, exp terms and online rescaling u·(7·seq + 10·R), log 2⁻²¹, the
      // epilogue 3u·|LSE|, with R ≤ max|L| and seq ≤ 64 merges. The half-steps are non-expansive in
      // the sup norm of the potentials, so the errors at most add over 2N half-steps; log P has two.
      const perHalfStep = U * (4 * Lmax + 7 * 64 + 10 * Lmax + 3 * Lmax) + 2 ** -21;
      const tol = 2 * (2 * N * perHalfStep);
      assert.ok(maxDiff <= tol, `N = ${N}: max |Δ log P| = ${maxDiff} > derived bound ${tol}`);
      // The card's criterion for the LSE kernels (§6): 1e-5 relative on P (the bound above is loose:
      // Sinkhorn contracts, so f32 errors do not accumulate in practice).
      assert.ok(maxDiff <= 1e-5, `N = ${N}: relative plan error ${maxDiff} > 1e-5`);
      assert.ok(maxDiff > 0, "the GPU path ran in f32 (an exactly equal result would mean it did not)");
    }
  },
);

gpuTest(
  "sinkhornNewtonSparseAsync on the GPU: f32 warm-up then f64 Newton reaches 1e-12, same plan as the CPU solver to 1e-10",
  async () => {
    const C = pointCost(62, 70, 50);
    const g = await sinkhornNewtonSparseAsync(null, null, C, { reg: 0.01, tol: 1e-12, backend: "gpu" });
    const c = sinkhornNewtonSparse(null, null, C, { reg: 0.01, tol: 1e-12 });
    assert.ok(g.converged && g.marginalError <= 1e-12, `${g.stopReason} ${g.marginalError}`);
    assert.equal(g.backend, "gpu");
    assert.match(g.backendReason, /GPU \(f32\).*CPU \(f64\)/);
    assert.deepEqual(g.stages.map((s) => `${s.stage}/${s.backend}/${s.precision}`), [
      "sinkhorn/gpu/f32",
      "newton/cpu/f64",
    ]);
    assert.equal(g.iterations.sinkhorn, 20);
    let d = 0;
    for (let k = 0; k < c.plan.data.length; k++) d = Math.max(d, Math.abs(c.plan.data[k] - g.plan.data[k]));
    assert.ok(d < 1e-10, `plans differ by ${d}`);
  },
);

gpuTest(
  "sinkhornLogAsync on the GPU: f32 sweeps to the f32 floor, f64 sweeps to tol; trace on one iteration axis",
  async () => {
    const rng = new Rng(63);
    const a = simplex(rng, 40), b = simplex(rng, 30);
    const C = pointCost(63, 40, 30);
    const g = await sinkhornLogAsync(a, b, C, { reg: 0.02, tol: 1e-10, backend: "gpu", gpuCheckEvery: 10 });
    assert.ok(g.converged && g.marginalError <= 1e-10);
    assert.equal(g.backend, "gpu");
    assert.equal(g.stages[0].backend, "gpu");
    assert.equal(g.stages[0].precision, "f32");
    const it = Array.from(g.trace.iteration);
    for (let k = 1; k < it.length; k++) assert.ok(it[k] > it[k - 1], "iterations increase along the trace");
    assert.equal(it[it.length - 1], g.iterations.sinkhorn);
    const c = sinkhornLog(a, b, C, { reg: 0.02, tol: 1e-12 });
    let d = 0;
    for (let k = 0; k < c.plan.data.length; k++) d = Math.max(d, Math.abs(c.plan.data[k] - g.plan.data[k]));
    assert.ok(d < 1e-9, `plans differ by ${d}`);
  },
);

gpuTest("the GPU Sinkhorn loop allocates no buffers per iteration (runtime.stats.buffersCreated flat)", async () => {
  const C = pointCost(64, 30, 30);
  const p = buildProblem("test", null, null, C, 0.05);
  const dev = await runtime.device();
  await gpuSinkhornSweeps(dev, p, 5, 0, 5, 0); // warm the pool and the pipelines
  const before = runtime.stats.buffersCreated;
  await gpuSinkhornSweeps(dev, p, 10, 0, 5, 0);
  const mid = runtime.stats.buffersCreated;
  await gpuSinkhornSweeps(dev, p, 60, 0, 5, 0);
  assert.equal(runtime.stats.buffersCreated, mid, "a longer run created buffers");
  assert.ok(mid - before <= 0, `${mid - before} buffers created by a repeated run`);
});

runtimeTest(
  "backend 'auto' on a software adapter (or none) and 'cpu' run the f64 CPU solver, identical to the sync call",
  async () => {
    const C = pointCost(65, 25, 25);
    const sync = sinkhornNewtonSparse(null, null, C, { reg: 0.01, tol: 1e-12 });
    for (const backend of ["auto", "cpu"] as const) {
      const r = await sinkhornNewtonSparseAsync(null, null, C, { reg: 0.01, tol: 1e-12, backend });
      if (r.backend === "gpu") continue; // a hardware adapter: "auto" may legitimately pick it
      assert.deepEqual(Array.from(r.plan.data), Array.from(sync.plan.data));
      assert.match(r.backendReason, /f64 CPU/);
      const l = await sinkhornLogAsync(null, null, C, { reg: 0.05, backend });
      assert.deepEqual(Array.from(l.plan.data), Array.from(sinkhornLog(null, null, C, { reg: 0.05 }).plan.data));
    }
  },
);

runtimeTest(
  "no adapter: forced backend 'gpu' is a BackendError naming options.backend; 'auto' falls back to the CPU",
  async () => {
    await setAdapterProvider(() => Promise.resolve(null));
    try {
      const C = pointCost(66, 8, 8);
      await assertRejectsArg(
        () => sinkhornNewtonSparseAsync(null, null, C, { reg: 0.1, backend: "gpu" }),
        "options.backend",
        "backend",
      );
      await assertRejectsArg(
        () => sinkhornLogAsync(null, null, C, { reg: 0.1, backend: "gpu" }),
        "options.backend",
        "backend",
      );
      const r = await sinkhornLogAsync(null, null, C, { reg: 0.1 });
      assert.equal(r.backend, "cpu");
      assert.match(r.backendReason, /no WebGPU adapter/);
    } finally {
      await restoreRuntime();
      await setAdapterProvider(null);
    }
  },
);

runtimeTest(
  "async entry points validate like the sync ones (same ParsimonyError, before any backend work)",
  async () => {
    await assertRejectsArg(
      () => sinkhornLogAsync([0.5, -0.5], [0.5, 0.5], [[0, 1], [1, 0]], { reg: 0.1 }),
      "a[1]",
      "domain",
    );
    await assertRejectsArg(
      () => sinkhornNewtonSparseAsync(null, null, [[0, 1], [1, 0]], { reg: 0 }),
      "options.reg",
      "option",
    );
    await assertRejectsArg(
      () => sinkhornLogAsync(null, null, [[0, 1], [1, 0]], { reg: 0.1, gpuCheckEvery: 0 }),
      "options.gpuCheckEvery",
      "option",
    );
  },
);
