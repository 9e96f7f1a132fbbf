import { assert, assertThrowsArg } from "../_helpers.ts";
import { log, mul, sub, sum } from "../../lib/autodiff/mod.ts";
import { cosineLr, evaluate, fit, mlp, progressLine } from "../../lib/nn/mod.ts";
import { loadDigits, standardize } from "../../lib/data/mod.ts";

const digits = await loadDigits({ seed: 0 });
const [xTrain, xVal, xTest] = standardize(digits.train.x, digits.val.x, digits.test.x).matrices;

for (const seed of [0, 1, 2]) {
  Deno.test(`digits MLP 64-128-10, Adam 3e-3, 20 epochs (seed ${seed}): test accuracy ≥ 95%, loss curve decreasing on average`, () => {
    const net = mlp([64, 128, 10], { seed });
    const r = fit(net, { x: xTrain, y: digits.train.y, xVal, yVal: digits.val.y }, {
      epochs: 20,
      batchSize: 32,
      lr: 3e-3,
      seed,
    });
    const acc = evaluate(net, xTest, digits.test.y).accuracy!;
    assert.ok(acc >= 0.95, `test accuracy ${acc}`);
    // "monotone on average": the 3-epoch moving average never increases, and the loss falls 10×
    const L = r.trainLoss;
    const ma = Array.from({ length: L.length - 2 }, (_, i) => (L[i] + L[i + 1] + L[i + 2]) / 3);
    for (let i = 1; i < ma.length; i++) assert.ok(ma[i] <= ma[i - 1], `moving average rose at epoch ${i}: ${ma}`);
    assert.ok(L[L.length - 1] < L[0] / 10, `loss ${L[0]} → ${L[L.length - 1]}`);
    assert.equal(r.stopReason, "maxIter");
  });
}

const tiny = { x: [[0, 0], [0, 1], [1, 0], [1, 1]], y: [0, 1, 1, 0] };

Deno.test("fit: same seed → bitwise identical losses and parameters", () => {
  const a = mlp([2, 8, 2], { seed: 3 }), b = mlp([2, 8, 2], { seed: 3 });
  const ra = fit(a, tiny, { epochs: 5, batchSize: 2, seed: 9 }),
    rb = fit(b, tiny, { epochs: 5, batchSize: 2, seed: 9 });
  assert.deepEqual(Array.from(ra.trainLoss), Array.from(rb.trainLoss));
  assert.deepEqual(Array.from(a.parameters()["0.weight"].data), Array.from(b.parameters()["0.weight"].data));
});

Deno.test("early stopping: with lr = 0 the validation loss never improves → stops after 1 + patience epochs (stalled)", () => {
  const r = fit(mlp([2, 4, 2]), { ...tiny, xVal: tiny.x, yVal: tiny.y }, { epochs: 50, lr: 0, patience: 3 });
  assert.equal(r.epochs, 4);
  assert.equal(r.stopReason, "stalled");
  assert.equal(r.converged, true);
  assert.equal(r.bestEpoch, 0);
});

Deno.test("restoreBest: after fit the model's validation loss equals the best epoch's, exactly", () => {
  const net = mlp([2, 16, 2], { seed: 1 });
  const xv = [[0.1, 0.9], [0.9, 0.1], [0.9, 0.9], [0.1, 0.1]], yv = [1, 1, 0, 0];
  const r = fit(net, { ...tiny, xVal: xv, yVal: yv }, { epochs: 60, batchSize: 4, lr: 0.3, patience: 5 });
  assert.ok(r.bestEpoch >= 0);
  assert.equal(evaluate(net, xv, yv).loss, r.valLoss[r.bestEpoch]);
});

Deno.test("fit: a non-finite loss stops before the update (nonFinite); onEpoch → false stops (callback)", () => {
  const net = mlp([2, 2]);
  const before = Array.from(net.parameters()["0.weight"].data);
  const r = fit(net, tiny, { loss: (o) => log(sub(mul(sum(o), 0), 1)), epochs: 3 }); // log(−1) = NaN
  assert.equal(r.stopReason, "nonFinite");
  assert.equal(r.epochs, 0);
  assert.deepEqual(Array.from(net.parameters()["0.weight"].data), before);
  const r2 = fit(mlp([2, 2]), tiny, { epochs: 10, onEpoch: (i) => i.epoch < 2 });
  assert.equal(r2.stopReason, "callback");
  assert.equal(r2.epochs, 3);
});

Deno.test("fit: the schedule sets each epoch's lr (cosine closed form); regression with mse on 1-D targets", () => {
  const r = fit(mlp([2, 1]), { x: tiny.x, y: [0.5, 1, 1, 0.5] }, {
    loss: "mse",
    epochs: 4,
    lr: 0.1,
    schedule: cosineLr(4),
  });
  const expect = [0, 1, 2, 3].map((e) => 0.1 * (1 + Math.cos(Math.PI * e / 4)) / 2);
  assert.deepEqual(Array.from(r.lr), expect);
  assert.equal(r.trainAccuracy.length, 0);
});

Deno.test("progressLine shows epoch, loss, accuracy, validation and lr", () => {
  const s = progressLine({
    epoch: 2,
    trainLoss: 0.5,
    trainAccuracy: 0.9,
    valLoss: 0.6,
    valAccuracy: 0.85,
    lr: 0.001,
    elapsedMs: 1200,
  }, 10);
  assert.equal(s, "epoch 3/10  loss 0.50000  acc 90.0%  val 0.60000  val acc 85.0%  lr 0.00100  1.2 s");
});

Deno.test("fit rejects bad data and options, naming them", () => {
  assertThrowsArg(() => fit(mlp([2, 2]), { x: tiny.x, y: [0, 1] }), "data.y", "shape");
  assertThrowsArg(() => fit(mlp([2, 2]), { x: tiny.x, y: [0, 1, 1, 0.5] }), "data.y[3]", "type");
  assertThrowsArg(() => fit(mlp([2, 2]), { x: [[0, NaN]], y: [0] }), "data.x[0][1]", "nonFinite");
  assertThrowsArg(
    () => fit(mlp([2, 2]), tiny, { epoch: 3 } as unknown as { epochs: number }),
    "options.epoch",
    "option",
  );
  assertThrowsArg(() => fit(mlp([2, 2]), tiny, { batchSize: 0 }), "options.batchSize", "option");
  assertThrowsArg(() => fit(mlp([2, 2]), tiny, { optimizer: "lbfgs" as "adam" }), "options.optimizer", "option");
  assertThrowsArg(() => fit(mlp([2, 2]), { ...tiny, xVal: tiny.x }), "data.yVal", "shape");
});
