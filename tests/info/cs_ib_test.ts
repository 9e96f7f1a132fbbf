import { assert, assertClose, assertThrowsArg } from "../_helpers.ts";
import { Tensor } from "../../lib/autodiff/mod.ts";
import { Matrix } from "../../lib/core/matrix.ts";
import { Rng } from "../../lib/core/rng.ts";
import { csConditionalT, csQmiT, hsicT, kdeUpperT, sqDist, sqDistConst } from "../../lib/info/_ib_losses.ts";
import { adversarialRmse, csConditional, csQmi, kdeMiBounds, trainCsIb } from "../../lib/info/mod.ts";

function data(seed: number, n: number) {
  const r = new Rng(seed);
  const x = Array.from({ length: n }, () => [r.normal(), r.normal(), r.normal()]);
  const y = x.map((v) => Math.sin(v[0]) + 0.5 * v[1] * v[1] + 0.1 * r.normal());
  return { x, y };
}

Deno.test("IB losses: differentiable CS-QMI, conditional CS (both variants), KDE bound and HSIC equal the f64 estimators (1e-10)", () => {
  const r = new Rng(3);
  const n = 40;
  const X = new Matrix(n, 3, r.normalArray(n * 3)), T = new Matrix(n, 2, r.normalArray(n * 2));
  const y = new Matrix(n, 1, r.normalArray(n)), yh = new Matrix(n, 1, y.data.map((v) => v + 0.3 * r.normal()));
  const tT = new Tensor(T.data, [n, 2]);
  const logK = new Tensor(sqDistConst(X).data.map((v) => -v / 2), [n, n]);
  const logQ = new Tensor(sqDist(tT, tT).data.map((v) => -v / (2 * 0.49)), [n, n]);
  assertClose(csQmiT(logK, logQ).data[0], csQmi(X, T, { sigmaT: 0.7 }).value, 1e-10);
  const yT = new Tensor(y.data, [n, 1]), yhT = new Tensor(yh.data, [n, 1]);
  assertClose(csConditionalT(logK, yT, yhT, 0.8, true).data[0], csConditional(X, y, yh, { sigmaY: 0.8 }).value, 1e-10);
  assertClose(
    csConditionalT(logK, yT, yhT, 0.8, false).data[0],
    csConditional(X, y, yh, { sigmaY: 0.8, variant: "released-code" }).value,
    1e-10,
  );
  assertClose(
    kdeUpperT(tT, new Tensor(new Float64Array([Math.log(0.3)]), [1])).data[0],
    kdeMiBounds(T, null, { noiseVariance: 0.3 }).value,
    1e-10,
  );
  const q = csQmi(X, T);
  const K = new Tensor(logK.data.map(Math.exp), [n, n]),
    Q = new Tensor(sqDist(tT, tT).data.map((v) => Math.exp(-v / 2)), [n, n]);
  assertClose(hsicT(K, Q).data[0], (q.params.hsic * n * n) / ((n - 1) * (n - 1)), 1e-10);
});

Deno.test("trainCsIb: every method trains, selects on validation, and beats the mean predictor on a smooth target", () => {
  const tr = data(1, 200), va = data(2, 60), te = data(3, 60);
  let ym = 0;
  for (const v of te.y) ym += v / te.y.length;
  const sd = Math.sqrt(te.y.reduce((a, v) => a + (v - ym) ** 2, 0) / te.y.length);
  for (const method of ["cs-ib", "mse", "vib", "nib", "nib-squared", "nib-exp", "hsic"] as const) {
    const r = trainCsIb({ train: tr, val: va, test: te }, { method, epochs: 40, beta: 0.01, seed: 1 });
    assert.ok(r.testRmse < 0.8 * sd, `${method}: test RMSE ${r.testRmse} vs sd ${sd}`);
    assert.equal(r.valRmse, Math.min(...r.history.valRmse), "selection on validation");
    assert.equal(r.history.valRmse[r.bestEpoch - 1], r.valRmse);
    assertClose(
      r.testRmse,
      Math.sqrt(r.model.predict(te.x).reduce((a, p, i) => a + (p - te.y[i]) ** 2, 0) / 60),
      1e-12,
    );
    assert.ok(Number.isFinite(r.testIcs) && r.testIcs >= 0 && Number.isFinite(r.testIyt));
  }
});

Deno.test("trainCsIb: same seed, same model; a larger β compresses (lower I_CS(x;t)) for CS-IB", () => {
  const d = { train: data(4, 200), val: data(5, 60), test: data(6, 60) };
  const a = trainCsIb(d, { epochs: 15, seed: 2 }), b = trainCsIb(d, { epochs: 15, seed: 2 });
  assert.equal(a.testRmse, b.testRmse);
  const lo = trainCsIb(d, { epochs: 60, seed: 2, beta: 0 }), hi = trainCsIb(d, { epochs: 60, seed: 2, beta: 5 });
  assert.ok(hi.testIcs < lo.testIcs, `I_CS β=5 ${hi.testIcs} vs β=0 ${lo.testIcs}`);
});

Deno.test("adversarialRmse: ε = 0 gives the clean RMSE; FGSM and PGD increase it; PGD stays within the ε-ball", () => {
  const d = { train: data(7, 200), val: data(8, 60), test: data(9, 60) };
  const r = trainCsIb(d, { method: "mse", epochs: 30 });
  const f = adversarialRmse(r.model, d.test.x, d.test.y, { epsilons: [0, 0.1, 0.3] });
  assertClose(f.rmse[0], r.testRmse, 1e-12);
  assert.ok(f.rmse[1] > f.rmse[0] && f.rmse[2] > f.rmse[1]);
  const p = adversarialRmse(r.model, d.test.x, d.test.y, { attack: "pgd", epsilons: [0.1] });
  assert.ok(p.rmse[0] >= f.rmse[1] - 1e-9, `PGD ${p.rmse[0]} vs FGSM ${f.rmse[1]}`);
});

Deno.test("trainCsIb / adversarialRmse: bad inputs name the argument", () => {
  const d = { train: data(1, 20), val: data(2, 10), test: data(3, 10) };
  assertThrowsArg(() => trainCsIb(d, { method: "ib" as never }), "options.method", "option");
  assertThrowsArg(() => trainCsIb(d, { beta: -1 }), "options.beta", "option");
  assertThrowsArg(() => trainCsIb(d, { encoder: [0] }), "options.encoder", "domain");
  assertThrowsArg(() => trainCsIb({ ...d, val: { x: [[1, 2]], y: [1] } }, { epochs: 1 }), "data.val.x", "shape");
  assertThrowsArg(() => trainCsIb({ ...d, test: { x: d.test.x, y: [1] } }, { epochs: 1 }), "data.test.y", "shape");
  assertThrowsArg(
    () => trainCsIb({ ...d, train: { x: d.train.x, y: d.train.y.map(() => NaN) } }, { epochs: 1 }),
    "data.train.y[0]",
    "domain",
  );
  const r = trainCsIb(d, { epochs: 1 });
  assertThrowsArg(
    () => adversarialRmse(r.model, d.test.x, d.test.y, { epsilons: [-0.1] }),
    "options.epsilons[0]",
    "domain",
  );
  assertThrowsArg(() => adversarialRmse(r.model, [[1, 2]], [1]), "x", "shape");
});
