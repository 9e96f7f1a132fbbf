import { assert, assertAllClose, assertThrowsArg } from "../_helpers.ts";
import { add, matmul, randn, relu } from "../../lib/autodiff/mod.ts";
import {
  Adam,
  clipGradNorm,
  clipGradValue,
  constantLr,
  exponentialLr,
  kaimingNormal,
  kaimingUniform,
  Linear,
  loadCheckpoint,
  minibatches,
  mlp,
  saveCheckpoint,
  Sgd,
  stepLr,
  torchDefault,
  warmupLr,
  xavierNormal,
  xavierUniform,
} from "../../lib/nn/mod.ts";
import { tensor } from "../../lib/autodiff/mod.ts";

Deno.test("initialisers: seeded, within their bounds, with the right variance (n = 40,000, 3 sd)", () => {
  const shape = [400, 100];
  assert.deepEqual(
    Array.from(kaimingUniform(shape, 5).data.slice(0, 5)),
    Array.from(kaimingUniform(shape, 5).data.slice(0, 5)),
  );
  const cases: [string, Float64Array, number, number][] = [
    ["kaimingUniform", kaimingUniform(shape, 1).data, 2 / 400, Math.sqrt(6 / 400)],
    ["kaimingNormal", kaimingNormal(shape, 2).data, 2 / 400, Infinity],
    ["xavierUniform", xavierUniform(shape, 3).data, 2 / 500, Math.sqrt(6 / 500)],
    ["xavierNormal", xavierNormal(shape, 4).data, 2 / 500, Infinity],
    ["torchDefault", torchDefault(shape, 5).data, 1 / 1200, Math.sqrt(1 / 400)],
  ];
  for (const [name, d, variance, bound] of cases) {
    let s = 0;
    for (const v of d) {
      s += v * v;
      assert.ok(Math.abs(v) <= bound, `${name}: ${v} beyond ${bound}`);
    }
    const est = s / d.length;
    // var of the variance estimate ≈ 2σ⁴/n (normal) — 3 sd
    assert.ok(
      Math.abs(est - variance) < 3 * variance * Math.sqrt(2 / d.length) * 1.5,
      `${name}: variance ${est} vs ${variance}`,
    );
  }
});

Deno.test("Linear: forward = x·W + b; mlp names parameters like torch Sequential", () => {
  const l = new Linear(3, 2, { seed: 4 });
  const x = randn([5, 3], 1);
  assertAllClose(l.forward(x).data, add(matmul(x, l.weight), l.bias!).data, 0);
  const net = mlp([4, 8, 3], { seed: 0 });
  assert.deepEqual(Object.keys(net.parameters()), ["0.weight", "0.bias", "2.weight", "2.bias"]);
  const y = net.forward(randn([2, 4], 0));
  assert.deepEqual(y.shape, [2, 3]);
  const p = net.parameters();
  assertAllClose(
    y.data,
    add(matmul(relu(add(matmul(randn([2, 4], 0), p["0.weight"]), p["0.bias"])), p["2.weight"]), p["2.bias"]).data,
    0,
  );
  assert.ok(new Linear(3, 2, { init: "torchDefault" }).bias!.data.some((v) => v !== 0));
  assertThrowsArg(() => new Linear(0, 2), "inFeatures", "domain");
  assertThrowsArg(() => l.forward(randn([2, 4], 0)), "x", "shape");
  assertThrowsArg(() => mlp([4]), "sizes", "shape");
});

Deno.test("checkpoint: JSON round trip reproduces outputs bitwise; mismatched shapes are rejected by name", () => {
  const a = mlp([3, 5, 2], { seed: 1 }), b = mlp([3, 5, 2], { seed: 2 });
  const opt = new Adam(a.parameters());
  const json = saveCheckpoint(a, { optimizer: opt, meta: { epoch: 7 } });
  assert.deepEqual(loadCheckpoint(b, json, { optimizer: new Adam(b.parameters()) }), { epoch: 7 });
  const x = randn([4, 3], 3);
  assert.deepEqual(Array.from(a.forward(x).data), Array.from(b.forward(x).data));
  assertThrowsArg(() => loadCheckpoint(mlp([3, 4, 2]), json), "params.0.weight", "shape");
  assertThrowsArg(() => loadCheckpoint(b, "{}"), "json", "type");
  assertThrowsArg(() => loadCheckpoint(b, json, { optimizer: new Sgd(b.parameters()) }), "state.kind", "shape");
});

Deno.test("schedules: torch closed forms (StepLR, ExponentialLR, warm-up)", () => {
  assert.equal(stepLr(3, 0.5)(7, 2), 0.5);
  assert.equal(exponentialLr(0.9)(2, 1), 0.81);
  assert.equal(constantLr()(100, 0.3), 0.3);
  assert.deepEqual([0, 1, 2, 3].map((e) => warmupLr(2, stepLr(1, 0.5))(e, 1)), [1 / 3, 2 / 3, 1, 0.5]);
});

Deno.test("clipGradNorm returns the global norm and rescales to maxNorm; clipGradValue clips entries", () => {
  const g = { a: tensor([3, 0]), b: tensor([[4]]) };
  assert.equal(clipGradNorm(g, 10), 5); // no change below the limit
  assert.deepEqual(Array.from(g.a.data), [3, 0]);
  assert.equal(clipGradNorm(g, 1), 5);
  assertAllClose([g.a.data[0], g.b.data[0]], [3 / (5 + 1e-6), 4 / (5 + 1e-6)], 1e-15);
  assert.ok(Number.isFinite(clipGradNorm({ h: tensor([1e300, 1e300]) }, 1)));
  const v = [tensor([-3, 0.2, 9])];
  clipGradValue(v, 1);
  assert.deepEqual(Array.from(v[0].data), [-1, 0.2, 1]);
  assertThrowsArg(() => clipGradNorm(g, 0), "maxNorm", "domain");
});

Deno.test("minibatches: a seeded partition of 0..n−1; dropLast; rejects batchSize 0", () => {
  const bs = minibatches(10, 3, { seed: 1 });
  assert.deepEqual(bs.map((b) => b.length), [3, 3, 3, 1]);
  assert.deepEqual(bs.flatMap((b) => [...b]).sort((p, q) => p - q), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  assert.deepEqual(minibatches(10, 3, { seed: 1 }).map((b) => [...b]), bs.map((b) => [...b]));
  assert.equal(minibatches(10, 3, { dropLast: true }).length, 3);
  assertThrowsArg(() => minibatches(10, 0), "batchSize", "domain");
});

Deno.test("optimizers reject bad options by name", () => {
  const p = { w: tensor([1]) };
  assertThrowsArg(() => new Adam(p, { lr: -1 }), "options.lr", "option");
  assertThrowsArg(() => new Adam(p, { beta1: 1 }), "options.beta1", "option");
  assertThrowsArg(() => new Sgd(p, { nesterov: true }), "options.nesterov", "shape");
  assertThrowsArg(() => new Sgd(p, { momentom: 0.9 } as unknown as { lr: number }), "options.momentom", "option");
  assertThrowsArg(() => new Sgd(p).step({ w: tensor([1, 2]) }), "grads.w", "shape");
});
