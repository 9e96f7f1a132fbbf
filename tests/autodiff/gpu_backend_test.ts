/**
 * `valueAndGradAsync`'s backend choice and fallbacks: a hidden adapter (injected null
 * provider) gives exactly the f64 engine's results with backend "cpu"; "auto" on a software
 * adapter keeps the CPU; forced "gpu" without an adapter, or with an op that has no GPU
 * kernel, is a BackendError; an f32 overflow falls back to the CPU; a loop of GPU steps
 * allocates no GPU buffer after warm-up; the shape-only trace counts the work "auto" compares
 * with the threshold.
 */
import { assert, assertRejectsArg } from "../_helpers.ts";
import * as ad from "../../lib/autodiff/mod.ts";
import { dryTrace } from "../../lib/autodiff/_device_backend.ts";
import { mlp } from "../../lib/nn/mod.ts";
import { gpu, runtime, setAdapterProvider } from "../../lib/gpu/mod.ts";
import { Rng } from "../../lib/core/rng.ts";
import { gpuTest, restoreRuntime, runtimeTest } from "../gpu/_gpu.ts";

function problem(seed: number) {
  const r = new Rng(seed);
  const net = mlp([12, 20, 4], { seed });
  const x = new ad.Tensor(r.normalArray(9 * 12), [9, 12]);
  const y = Array.from({ length: 9 }, () => r.integer(4));
  const params = net.parameters();
  return { params, f: () => ad.crossEntropy(net.forward(x), y) };
}

function sameGrads(a: Record<string, ad.Tensor>, b: Record<string, ad.Tensor>): void {
  for (const k of Object.keys(b)) assert.deepStrictEqual(Array.from(a[k].data), Array.from(b[k].data), k);
}

runtimeTest("null adapter: auto gives exactly valueAndGrad's f64 result, backend 'cpu' and the reason", async () => {
  await setAdapterProvider(() => Promise.resolve(null));
  try {
    const { params, f } = problem(1);
    const ref = ad.valueAndGrad(f, params);
    for (const backend of ["auto", undefined, "cpu"] as const) {
      const r = await ad.valueAndGradAsync(f, params, backend ? { backend } : undefined);
      assert.equal(r.backend, "cpu");
      assert.match(r.backendReason, backend === "cpu" ? /'cpu' requested/ : /no WebGPU adapter/);
      assert.equal(r.value, ref.value);
      sameGrads(r.grads, ref.grads);
    }
    await assertRejectsArg(() => ad.valueAndGradAsync(f, params, { backend: "gpu" }), "options.backend", "backend");
  } finally {
    await setAdapterProvider(null);
    await restoreRuntime();
  }
});

runtimeTest("valueAndGradAsync validates like valueAndGrad: options, params, a non-scalar f", async () => {
  const { params, f } = problem(2);
  await assertRejectsArg(
    () => ad.valueAndGradAsync(f, params, { backend: "tpu" as "gpu" }),
    "options.backend",
    "option",
  );
  await assertRejectsArg(
    () => ad.valueAndGradAsync(f, params, { device: 1 } as unknown as { backend: "cpu" }),
    "options.device",
    "option",
  );
  await assertRejectsArg(() => ad.valueAndGradAsync(f, { w: 3 } as never, { backend: "cpu" }), "params.w", "type");
  await assertRejectsArg(() => ad.valueAndGradAsync(() => ad.zeros([2]), params, { backend: "cpu" }), "f", "shape");
});

gpuTest(
  "auto keeps the f64 CPU engine on a software adapter or a small step (the results are exactly the CPU's)",
  async () => {
    const { params, f } = problem(3);
    const ref = ad.valueAndGrad(f, params);
    const r = await ad.valueAndGradAsync(f, params);
    assert.equal(r.backend, "cpu");
    const info = await gpu.info();
    if (info.available && info.isFallbackAdapter) assert.match(r.backendReason, /software fallback/);
    else assert.match(r.backendReason, /below the GPU threshold/);
    assert.equal(r.value, ref.value);
    sameGrads(r.grads, ref.grads);
  },
);

gpuTest("forced gpu: an op without a GPU kernel is a BackendError naming f; the runtime keeps working", async () => {
  const { params } = problem(4);
  const w = params["0.weight"];
  const e = await assertRejectsArg(
    () => ad.valueAndGradAsync(() => ad.sum(ad.gelu(w)), params, { backend: "gpu" }),
    "f",
    "backend",
  );
  assert.match(e.message, /gelu/);
  await assertRejectsArg(
    () => ad.valueAndGradAsync(() => ad.sum(ad.tensor(ad.exp(w).data)), params, { backend: "gpu" }),
    "f",
    "backend",
  );
  const ok = await ad.valueAndGradAsync(() => ad.sum(ad.square(w)), params, { backend: "gpu" });
  assert.equal(ok.backend, "gpu");
});

gpuTest("forced gpu: an input beyond the f32 range falls back to the CPU in f64 (exactly its result)", async () => {
  const big = ad.tensor([1e39, 2, 3]);
  const f = (p: ad.Tensor) => ad.sum(ad.mul(p, 1e-30));
  const r = await ad.valueAndGradAsync(f, big, { backend: "gpu" });
  assert.equal(r.backend, "cpu");
  assert.match(r.backendReason, /f32 range/);
  const ref = ad.valueAndGrad(f, big);
  assert.equal(r.value, ref.value);
  assert.deepStrictEqual(Array.from(r.grads.data), Array.from(ref.grads.data));
});

gpuTest("a loop of GPU steps creates no GPU buffer and compiles no pipeline after warm-up", async () => {
  const { params, f } = problem(5);
  for (let i = 0; i < 2; i++) await ad.valueAndGradAsync(f, params, { backend: "gpu" });
  const s0 = { ...runtime.stats };
  for (let i = 0; i < 6; i++) {
    const r = await ad.valueAndGradAsync(f, params, { backend: "gpu" });
    assert.equal(r.backend, "gpu");
    for (const p of Object.values(params)) p.data[0] += 1e-3; // a training loop changes the parameters
  }
  const s1 = { ...runtime.stats };
  assert.equal(s1.buffersCreated, s0.buffersCreated, "buffers created per step");
  assert.equal(s1.pipelinesCreated, s0.pipelinesCreated, "pipelines compiled per step");
  assert.equal(s1.submits - s0.submits, 6, "one submission per step (upload, forward, backward, readback)");
});

Deno.test("the shape-only trace counts forward work and finds ops without a GPU kernel, with no device", () => {
  // mlp([8, 16, 4]) on 5 rows with cross-entropy: linear 1 = bias prefill 5·16 + gemm 5·8·16; relu 5·16;
  // linear 2 = 5·4 + 5·16·4; loss = row lse 5·4 + picks 5 + mean 5
  const net = mlp([8, 16, 4], { seed: 0 });
  const params = Object.values(net.parameters());
  const d = dryTrace((s) => {
    for (const p of params) s.bind(p);
    return ad.crossEntropy(net.forward(s.placeholder([5, 8])), s.placeholder([5], true));
  });
  assert.equal(d.unsupported, null);
  assert.equal(d.work, 80 + 640 + 80 + 20 + 320 + 20 + 5 + 5);
  const g = dryTrace((s) => ad.gelu(s.placeholder([3])));
  assert.match(g.unsupported ?? "", /gelu/);
});

gpuTest(
  "forced gpu: f may return a parameter itself (gradient 1) or a constant (gradient 0), as on the CPU",
  async () => {
    const w = ad.tensor([2.5]);
    const same = await ad.valueAndGradAsync((p: ad.Tensor) => p, w, { backend: "gpu" });
    assert.equal(same.value, 2.5);
    assert.deepEqual(Array.from(same.grads.data), [1]);
    const c = await ad.valueAndGradAsync(() => ad.tensor(4), w, { backend: "gpu" });
    assert.equal(c.value, 4);
    assert.deepEqual(Array.from(c.grads.data), [0]);
  },
);
