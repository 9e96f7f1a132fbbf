/**
 * `fitAsync`: the backend choice and fallbacks (a hidden adapter gives exactly `fit`'s f64
 * run, backend "cpu"), the device loop against the f64 loop (one full-batch SGD step, plain
 * and clipped, within the propagated f32 bound of tests/autodiff/_mlp_bound.ts), digits to
 * ≥ 95% test accuracy on the GPU, early stopping / restoreBest / a non-finite loss / the
 * callback on the device, and no GPU buffer created per step or per epoch after warm-up.
 */
import { assert, assertRejectsArg, assertThrowsArg } from "../_helpers.ts";
import { log, mul, sub, sum } from "../../lib/autodiff/mod.ts";
import { Activation, Adam, evaluate, fit, fitAsync, Linear, mlp, Sequential } from "../../lib/nn/mod.ts";
import { loadDigits, standardize } from "../../lib/data/mod.ts";
import { runtime, setAdapterProvider } from "../../lib/gpu/mod.ts";
import { Matrix } from "../../lib/core/matrix.ts";
import { assertWithin, gpuTest, restoreRuntime, runtimeTest } from "../gpu/_gpu.ts";
import { mlpBound } from "../autodiff/_mlp_bound.ts";
import { U } from "../autodiff/_gpu_vjp.ts";

const digits = await loadDigits({ seed: 0 });
const [xTrain, xVal, xTest] = standardize(digits.train.x, digits.val.x, digits.test.x).matrices;
const tiny = { x: [[0, 0], [0, 1], [1, 0], [1, 1]], y: [0, 1, 1, 0] };

runtimeTest(
  "null adapter: fitAsync (auto) is exactly fit — losses, accuracies, parameters — with backend 'cpu'",
  async () => {
    await setAdapterProvider(() => Promise.resolve(null));
    try {
      const data = { x: xTrain.rowBlock(0, 300), y: digits.train.y.subarray(0, 300), xVal, yVal: digits.val.y };
      const opts = { epochs: 3, batchSize: 32, lr: 3e-3, seed: 4, patience: 2 };
      const a = mlp([64, 32, 10], { seed: 4 }), b = mlp([64, 32, 10], { seed: 4 });
      const ra = fit(a, data, opts), rb = await fitAsync(b, data, opts);
      assert.equal(rb.backend, "cpu");
      assert.match(rb.backendReason, /no WebGPU adapter/);
      assert.equal(ra.backend, "cpu");
      for (const k of ["trainLoss", "trainAccuracy", "valLoss", "valAccuracy", "lr"] as const) {
        assert.deepStrictEqual(Array.from(rb[k]), Array.from(ra[k]), k);
      }
      for (const [k, t] of Object.entries(a.parameters())) {
        assert.deepStrictEqual(Array.from(b.parameters()[k].data), Array.from(t.data), k);
      }
      await assertRejectsArg(() => fitAsync(mlp([2, 2]), tiny, { backend: "gpu" }), "options.backend", "backend");
    } finally {
      await setAdapterProvider(null);
      await restoreRuntime();
    }
  },
);

Deno.test("fit is synchronous and CPU-only: backend 'gpu' is an OptionError; the result says 'cpu' and why", () => {
  assertThrowsArg(() => fit(mlp([2, 2]), tiny, { backend: "gpu" }), "options.backend", "option");
  const r = fit(mlp([2, 2]), tiny, { epochs: 1 });
  assert.equal(r.backend, "cpu");
  assert.match(r.backendReason, /fitAsync/);
  assert.equal(fit(mlp([2, 2]), tiny, { epochs: 1, backend: "cpu" }).backendReason, "backend 'cpu' requested");
});

/** A 64-64-32-10 net, its parameters as bound layers, and one full batch of digits. */
function oneStep(seed: number) {
  const net = mlp([64, 64, 32, 10], { seed });
  const n = 256;
  const x = xTrain.rowBlock(0, n), y = digits.train.y.subarray(0, n);
  const p = net.parameters();
  const layers = [0, 1, 2].map((l) => {
    const W = p[`${2 * l}.weight`];
    return { W: new Matrix(W.shape[0], W.shape[1], W.data.slice()), b: p[`${2 * l}.bias`].data.slice() };
  });
  return { net, x, y, n, bound: mlpBound(new Matrix(n, 64, x.data), y, layers) };
}

gpuTest(
  "one full-batch SGD step on the GPU: θ − η·g within η·E_g + 2u|θ| + 2uη|g| of the f64 step (E_g: propagated f32 bound)",
  async () => {
    const { net, x, y, n, bound } = oneStep(7);
    const before = Object.fromEntries(Object.entries(net.parameters()).map(([k, t]) => [k, t.data.slice()]));
    const lr = 0.5;
    const r = await fitAsync(net, { x, y }, { optimizer: "sgd", lr, epochs: 1, batchSize: n, backend: "gpu" });
    assert.equal(r.backend, "gpu", r.backendReason);
    assert.ok(Math.abs(r.trainLoss[0] - bound.loss) <= 1.01 * bound.lossErr, `loss ${r.trainLoss[0]} vs ${bound.loss}`);
    // θ is uploaded (u|θ|), the update η·g rounds η, the product, the difference: ≤ η·E_g + 2u|θ| + 2uη|g| + u|θ'|
    bound.grads.forEach((g, l) => {
      const W = net.parameters()[`${2 * l}.weight`].data, W0 = before[`${2 * l}.weight`];
      const ref = W0.map((v, i) => v - lr * g.dW.data[i]);
      assertWithin(
        W,
        ref,
        (i) =>
          1.01 *
          (lr * bound.errs[l].dW.data[i] + 2 * U * Math.abs(W0[i]) + 2 * U * lr * Math.abs(g.dW.data[i]) +
            U * Math.abs(ref[i])),
        `W${l}`,
      );
      const b = net.parameters()[`${2 * l}.bias`].data, b0 = before[`${2 * l}.bias`];
      const refb = b0.map((v, i) => v - lr * g.db[i]);
      assertWithin(
        b,
        refb,
        (i) =>
          1.01 *
          (lr * bound.errs[l].db[i] + 2 * U * Math.abs(b0[i]) + 2 * U * lr * Math.abs(g.db[i]) + U * Math.abs(refb[i])),
        `b${l}`,
      );
    });
  },
);

gpuTest(
  "one clipped full-batch SGD step on the GPU (clipNorm 0.1) within the propagated bound of θ − η·c·g",
  async () => {
    const { net, x, y, n, bound } = oneStep(8);
    const before = Object.fromEntries(Object.entries(net.parameters()).map(([k, t]) => [k, t.data.slice()]));
    const lr = 0.5, maxNorm = 0.1;
    const r = await fitAsync(net, { x, y }, {
      optimizer: "sgd",
      lr,
      clipNorm: maxNorm,
      epochs: 1,
      batchSize: n,
      backend: "gpu",
    });
    assert.equal(r.backend, "gpu", r.backendReason);
    // c = maxNorm/(‖g‖ + 1e-6); ‖ĝ − g‖ ≤ ‖E_g‖ (triangle inequality), the sums of squares (9u, per tensor) and the
    // factor's kernel ((p/2 + 15)u) add relative error: e_c/c ≤ ‖E_g‖/‖g‖ + (10 + p/2 + 15)u
    let g2 = 0, e2 = 0;
    bound.grads.forEach((g, l) => {
      for (let i = 0; i < g.dW.data.length; i++) g2 += g.dW.data[i] ** 2, e2 += bound.errs[l].dW.data[i] ** 2;
      for (let i = 0; i < g.db.length; i++) g2 += g.db[i] ** 2, e2 += bound.errs[l].db[i] ** 2;
    });
    const norm = Math.sqrt(g2), c = Math.min(1, maxNorm / (norm + 1e-6));
    assert.ok(c < 1, "the step is clipped");
    const ec = c * (Math.sqrt(e2) / norm + 28 * U);
    bound.grads.forEach((g, l) => {
      const W = net.parameters()[`${2 * l}.weight`].data, W0 = before[`${2 * l}.weight`];
      const ref = W0.map((v, i) => v - lr * c * g.dW.data[i]);
      assertWithin(W, ref, (i) =>
        1.01 *
        (lr * (c * bound.errs[l].dW.data[i] + ec * Math.abs(g.dW.data[i])) + 2 * U * Math.abs(W0[i]) +
          3 * U * lr * c * Math.abs(g.dW.data[i]) + U * Math.abs(ref[i])), `W${l}`);
    });
  },
);

gpuTest(
  "digits MLP 64-128-10 on the GPU, Adam 3e-3, 5 epochs: ≥ 95% test accuracy, loss falling, backend 'gpu'",
  async () => {
    const net = mlp([64, 128, 10], { seed: 0 });
    const r = await fitAsync(net, { x: xTrain, y: digits.train.y, xVal, yVal: digits.val.y }, {
      epochs: 5,
      batchSize: 32,
      lr: 3e-3,
      seed: 0,
      backend: "gpu",
    });
    assert.equal(r.backend, "gpu", r.backendReason);
    assert.equal(r.stopReason, "maxIter");
    const acc = evaluate(net, xTest, digits.test.y).accuracy!;
    assert.ok(acc >= 0.95, `test accuracy ${acc}`);
    for (let e = 1; e < r.epochs; e++) {
      assert.ok(
        r.trainLoss[e] < r.trainLoss[e - 1],
        `loss ${Array.from(r.trainLoss)}`,
      );
    }
    assert.equal(r.valLoss.length, 5);
    assert.equal(r.trainAccuracy.length, 5);
  },
);

gpuTest(
  "no GPU buffer is created per step or per epoch after warm-up (1 epoch and 4 epochs create the same: none)",
  async () => {
    const data = { x: xTrain.rowBlock(0, 200), y: digits.train.y.subarray(0, 200), xVal, yVal: digits.val.y };
    const opts = { batchSize: 32, lr: 1e-3, backend: "gpu" as const, clipNorm: 1 };
    await fitAsync(mlp([64, 48, 10], { seed: 1 }), data, { ...opts, epochs: 1 });
    const s0 = runtime.stats.buffersCreated;
    await fitAsync(mlp([64, 48, 10], { seed: 2 }), data, { ...opts, epochs: 1 });
    const s1 = runtime.stats.buffersCreated;
    const r = await fitAsync(mlp([64, 48, 10], { seed: 3 }), data, { ...opts, epochs: 4 });
    const s2 = runtime.stats.buffersCreated;
    assert.equal(r.epochs, 4);
    assert.equal(s1 - s0, 0, "a whole warm run of 7 steps + validation");
    assert.equal(s2 - s1, 0, "28 steps, 4 validations, 4 readbacks");
  },
);

gpuTest(
  "on the GPU: early stopping (lr 0 → stalled after 1 + patience), restoreBest, onEpoch → false, regression",
  async () => {
    const r = await fitAsync(mlp([2, 4, 2]), { ...tiny, xVal: tiny.x, yVal: tiny.y }, {
      epochs: 50,
      lr: 0,
      patience: 3,
      backend: "gpu",
    });
    assert.equal(r.backend, "gpu");
    assert.equal(r.epochs, 4);
    assert.equal(r.stopReason, "stalled");
    assert.equal(r.bestEpoch, 0);
    const net = mlp([2, 16, 2], { seed: 1 });
    const xv = [[0.1, 0.9], [0.9, 0.1], [0.9, 0.9], [0.1, 0.1]], yv = [1, 1, 0, 0];
    const rb = await fitAsync(net, { ...tiny, xVal: xv, yVal: yv }, {
      epochs: 60,
      batchSize: 4,
      lr: 0.3,
      patience: 5,
      backend: "gpu",
    });
    assert.ok(rb.bestEpoch >= 0 && rb.bestEpoch < rb.epochs - 1 && rb.restored, `best ${rb.bestEpoch} of ${rb.epochs}`);
    // the restored parameters give (in f64) the best epoch's validation loss up to the f32 evaluation error
    const layers = [0, 1].map((l) => {
      const W = net.parameters()[`${2 * l}.weight`];
      return { W: new Matrix(W.shape[0], W.shape[1], W.data), b: net.parameters()[`${2 * l}.bias`].data };
    });
    const vb = mlpBound(Matrix.fromRows(xv), yv, layers);
    assert.ok(Math.abs(evaluate(net, xv, yv).loss - rb.valLoss[rb.bestEpoch]) <= 1.01 * vb.lossErr);
    const rc = await fitAsync(mlp([2, 2]), tiny, { epochs: 10, onEpoch: (i) => i.epoch < 2, backend: "gpu" });
    assert.equal(rc.stopReason, "callback");
    assert.equal(rc.epochs, 3);
    const rr = await fitAsync(mlp([2, 8, 1], { seed: 2 }), { x: tiny.x, y: [0.5, 1, 1, 0.5] }, {
      loss: "mse",
      epochs: 30,
      batchSize: 4,
      lr: 0.05,
      backend: "gpu",
    });
    assert.equal(rr.backend, "gpu");
    assert.equal(rr.trainAccuracy.length, 0);
    assert.ok(rr.trainLoss[29] < rr.trainLoss[0] / 2, `mse ${rr.trainLoss[0]} → ${rr.trainLoss[29]}`);
  },
);

gpuTest(
  "on the GPU: a non-finite loss stops before any update (nonFinite) and leaves the f64 parameters untouched",
  async () => {
    const net = mlp([2, 2]);
    const before = Array.from(net.parameters()["0.weight"].data);
    const r = await fitAsync(net, tiny, { loss: (o) => log(sub(mul(sum(o), 0), 1)), epochs: 3, backend: "gpu" });
    assert.equal(r.backend, "gpu");
    assert.equal(r.stopReason, "nonFinite");
    assert.equal(r.epochs, 0);
    assert.deepEqual(Array.from(net.parameters()["0.weight"].data), before);
  },
);

gpuTest("forced gpu: an optimizer instance or a layer without a GPU kernel is a BackendError naming it", async () => {
  const net = mlp([2, 3, 2]);
  await assertRejectsArg(
    () => fitAsync(net, tiny, { optimizer: new Adam(net.parameters()), backend: "gpu" }),
    "options.optimizer",
    "backend",
  );
  // labels are range-checked against the model's output width before any device step, as crossEntropy does
  await assertRejectsArg(
    () => fitAsync(mlp([2, 2]), { x: tiny.x, y: [0, 1, 2, 0] }, { backend: "gpu" }),
    "data.y[2]",
    "type",
  );
  const gel = new Sequential([new Linear(2, 3), new Activation("gelu"), new Linear(3, 2)]);
  const e = await assertRejectsArg(() => fitAsync(gel, tiny, { epochs: 1, backend: "gpu" }), "model", "backend");
  assert.match(e.message, /gelu/);
  // auto on any adapter trains such a model on the CPU
  const r = await fitAsync(gel, tiny, { epochs: 1 });
  assert.equal(r.backend, "cpu");
  assert.ok(Number.isFinite(r.trainLoss[0]));
});
