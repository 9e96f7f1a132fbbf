import { assert, assertClose, assertThrowsArg } from "../_helpers.ts";
import { Rng } from "../../lib/core/rng.ts";
import {
  adaptiveBinningMi,
  adaptiveKdeMi,
  informationPlane,
  informationPlaneRows,
  kdeMiBounds,
  layerActivations,
  sztData,
} from "../../lib/info/mod.ts";

const M = 1024; // every 4th SZT pattern keeps the KDE passes short

function labels(): number[] {
  const y = sztData({ seed: 0 }).y;
  return Array.from({ length: M }, (_, i) => y[4 * i]);
}

function snapshots(): { epoch: number; layers: number[][][] }[] {
  const d = sztData({ seed: 0 });
  const r = new Rng(1);
  const W1 = Array.from({ length: 12 }, () => Array.from({ length: 5 }, () => r.normal())),
    W2 = [r.normal(), r.normal(), r.normal(), r.normal(), r.normal()];
  return [0, 10].map((epoch) => {
    const h1 = Array.from(
      { length: M },
      (_, i) =>
        W1[0].map((_, j) => Math.tanh((1 + epoch / 10) * W1.reduce((s, w, k) => s + w[j] * d.x.data[48 * i + k], 0))),
    );
    const h2 = h1.map((h) => [Math.tanh(h.reduce((s, v, j) => s + v * W2[j], 0))]);
    return { epoch, layers: [h1, h2] };
  });
}

Deno.test("informationPlaneRows: one row per (epoch, layer) equal to the layer estimators (EBAB, aKDE, KDE), in bits", () => {
  const snaps = snapshots();
  const y = labels();
  const rows = informationPlaneRows(snaps, y);
  assert.equal(rows.length, 4);
  const e = adaptiveBinningMi(snaps[1].layers[0], y, { unit: "bits" });
  assertClose(rows[2].ixt, e.value, 0);
  assertClose(rows[2].ity, e.ity!, 0);
  assert.equal(rows[2].epoch, 10);
  assert.equal(rows[2].layer, 0);
  for (const r of rows) {
    assert.ok(r.ixt <= 10 + 1e-12, "I(X;T) ≤ log2 1024 = 10 bits");
    assert.ok(r.ity <= 1 + 1e-12, "I(T;Y) ≤ H(Y) ≤ 1 bit");
  }
  const ak = informationPlaneRows(snaps, y, { estimator: "akde", kappa: 0.2 });
  const a = adaptiveKdeMi(snaps[0].layers[1], y, { kappa: 0.2, unit: "bits" });
  assertClose(ak[1].ixt, a.value, 0);
  assertClose(ak[1].resolution, a.params.noiseVariance, 0);
  const kd = informationPlaneRows(snaps.slice(0, 1), y, { estimator: "kde", noiseVariance: 0.05, unit: "nats" });
  assertClose(kd[0].ity, kdeMiBounds(snaps[0].layers[0], y, { noiseVariance: 0.05 }).ity!.upper, 0);
});

Deno.test("informationPlane: returns a polars DataFrame with the rows' columns", async () => {
  const df = await informationPlane([{ epoch: 0, layers: [[[0.1], [0.9], [0.5], [0.2]]] }], [0, 1, 1, 0]);
  assert.equal(df.height, 1);
  assert.deepEqual(df.columns, ["epoch", "layer", "ixt", "ity", "estimator", "unit", "resolution"]);
  assertClose(df.getColumn("ixt").toArray()[0] as number, 2, 1e-14);
});

Deno.test("informationPlane: bad inputs name the argument", () => {
  assertThrowsArg(() => informationPlaneRows([], [0, 1]), "snapshots", "shape");
  assertThrowsArg(() => informationPlaneRows([{ epoch: 0, layers: [[[1], [2]]] }], [0]), "labels", "shape");
  assertThrowsArg(
    () => informationPlaneRows([{ epoch: 0, layers: [[[1], [2]], [[1], [2], [3]]] }], [0, 1]),
    "snapshots[0].layers[1]",
    "shape",
  );
  assertThrowsArg(
    () => informationPlaneRows([{ epoch: 0, layers: [[[1], [NaN]]] }], [0, 1]),
    "snapshots[0].layers[0][1][0]",
    "nonFinite",
  );
  assertThrowsArg(
    () => informationPlaneRows([{ epoch: 0, layers: [[[1], [2]]] }], [0, 1], { estimator: "ksg" as never }),
    "options.estimator",
    "option",
  );
});

Deno.test("layerActivations: one matrix per hidden activation plus the softmax output; rows sum to 1", async () => {
  const { mlp } = await import("../../lib/nn/mod.ts");
  const net = mlp([12, 5, 3, 2], { activation: "relu", seed: 1 });
  const x = sztData({ seed: 0 }).x;
  const acts = layerActivations(net, x);
  assert.deepEqual(acts.map((m) => m.cols), [5, 3, 2]);
  for (const v of acts[0].data) assert.ok(v >= 0);
  for (let i = 0; i < 4096; i += 97) assertClose(acts[2].get(i, 0) + acts[2].get(i, 1), 1, 1e-15);
  const rows = informationPlaneRows([{ epoch: 0, layers: acts }], sztData({ seed: 0 }).y);
  assert.equal(rows.length, 3);
});
