import { assert, assertClose, assertThrowsArg } from "../_helpers.ts";
import { Rng } from "../../lib/core/rng.ts";
import { Matrix } from "../../lib/core/matrix.ts";
import { svd } from "../../lib/core/linalg.ts";
import {
  binnedEntropy,
  compressThenEstimate,
  correlatedGaussian,
  gaussianImages,
  klMi,
  pcaFit,
  pcaTransform,
  sztData,
} from "../../lib/info/mod.ts";

Deno.test("correlatedGaussian: ρ = √(1 − e^{−2I/d}) and the sample correlation matches (N=20000, 0.02)", () => {
  const g = correlatedGaussian(20000, { mi: 2, dims: 2, seed: 3 });
  assertClose(g.rho, Math.sqrt(1 - Math.exp(-2)), 1e-15);
  let sxy = 0, sxx = 0, syy = 0;
  for (let i = 0; i < 20000; i++) {
    const a = g.x.data[2 * i], b = g.y.data[2 * i];
    sxy += a * b;
    sxx += a * a;
    syy += b * b;
  }
  assertClose(sxy / Math.sqrt(sxx * syy), g.rho, 0, 0.02);
  assert.deepEqual(correlatedGaussian(5, { seed: 1 }).x.data, correlatedGaussian(5, { seed: 1 }).x.data);
});

Deno.test("pcaFit: randomized subspace iteration (D > 64) matches the exact SVD subspace and variances (1e-8)", () => {
  const r = new Rng(5);
  const n = 300, D = 100;
  const scales = Array.from({ length: D }, (_, j) => Math.pow(0.8, j));
  const X = new Matrix(n, D);
  for (let i = 0; i < n; i++) for (let j = 0; j < D; j++) X.data[i * D + j] = scales[j] * r.normal();
  const m = pcaFit(X, { components: 3 });
  const Xc = X.clone();
  for (let i = 0; i < n; i++) for (let j = 0; j < D; j++) Xc.data[i * D + j] -= m.mean[j];
  const s = svd(Xc);
  for (let c = 0; c < 3; c++) {
    assertClose(m.variance[c], (s.s[c] * s.s[c]) / (n - 1), 1e-8);
    let dotp = 0;
    for (let j = 0; j < D; j++) dotp += m.components.get(j, c) * s.V.get(j, c);
    assertClose(Math.abs(dotp), 1, 1e-8);
  }
  const Z = pcaTransform(m, X);
  assert.equal(Z.cols, 3);
});

Deno.test("compressThenEstimate: E4 scaled down — bump images, PCA-2 fitted on held-out images, KL k=5: tracks the truth with the documented offset", () => {
  // Card E4: PCA-2 on bump images undershoots by ≈ 1 nat (boundary bias of Φ and lossy compression);
  // we assert monotone tracking and the offset band [−1.5, +0.3] nats, N = 1000, 4 MI values, seed 0.
  const truths = [0, 2, 4, 6];
  const est: number[] = [];
  for (const mi of truths) {
    const s = gaussianImages(1000, { mi, seed: 0, size: 16 });
    const f = gaussianImages(1500, { mi, seed: 77, size: 16 });
    const e = compressThenEstimate(s.x, s.y, { fitX: f.x, fitY: f.y });
    assert.ok(e.params.explainedX > 0.3 && e.params.explainedX <= 1);
    est.push(e.value);
    assert.ok(e.value - mi > -1.5 && e.value - mi < 0.3, `mi ${mi}: estimate ${e.value}`);
  }
  for (let i = 1; i < est.length; i++) assert.ok(est[i] > est[i - 1]);
});

Deno.test("compressThenEstimate: no compression on Gaussian vectors equals klMi; discrete labels use the class-conditional form", () => {
  const g = correlatedGaussian(800, { mi: 1, dims: 2, seed: 4 });
  const a = compressThenEstimate(g.x, g.y, { dimX: null, dimY: null });
  assertClose(a.value, klMi(g.x, g.y).value, 1e-14);
  const lab = Array.from({ length: 800 }, (_, i) => (g.y.data[2 * i] > 0 ? "pos" : "neg"));
  const d = compressThenEstimate(g.x, lab, { dimX: null, discreteY: true });
  assert.ok(d.value > 0.05 && d.value < Math.LN2);
  const k = compressThenEstimate(g.x, lab, { dimX: 1, discreteY: true, estimator: "ksg" });
  assert.ok(k.value > 0.05 && k.value < Math.LN2);
});

Deno.test("compress / synthetic: bad inputs name the argument", () => {
  assertThrowsArg(() => correlatedGaussian(1), "n", "domain");
  assertThrowsArg(() => correlatedGaussian(10, { mi: -1 }), "options.mi", "option");
  assertThrowsArg(() => gaussianImages(10, { kind: "disk" as never }), "options.kind", "option");
  assertThrowsArg(() => pcaFit([[1, 2], [3, 4]], { components: 2 }), "options.components", "domain");
  assertThrowsArg(() => pcaTransform(pcaFit([[1, 2], [3, 4], [0, 1]], { components: 1 }), [[1, 2, 3]]), "x", "shape");
  assertThrowsArg(() => compressThenEstimate([[1], [2]], [[1], [2]], { dimX: 0 }), "options.dimX", "domain");
  assertThrowsArg(() => compressThenEstimate([[1], [2], [3]], [[1], [2]]), "y", "shape");
  assertThrowsArg(
    () => compressThenEstimate([[1], [2]], [[1], [2]], { estimator: "kde" as never }),
    "options.estimator",
    "option",
  );
});

Deno.test("sztData: 4096 distinct 12-bit patterns, p(y=1) = 2118/4096 and H(Y) = 0.9991571 bits (O17), group rates 0.076/0.576/0.924", () => {
  const d = sztData({ seed: 3 });
  assert.equal(new Set(Array.from({ length: 4096 }, (_, i) => d.x.row(i).join(""))).size, 4096);
  assert.equal(d.pY1, 2118 / 4096);
  assertClose(binnedEntropy(d.y, { strategy: "discrete", unit: "bits" }).value, 0.9991571, 0, 1e-7);
  const rate = [0, 0, 0], count = [0, 0, 0];
  for (let i = 0; i < 4096; i++) {
    const ones = d.x.row(i).reduce((a: number, b: number) => a + b, 0);
    if (ones <= 4) assert.equal(d.y[i], 0);
    else if (ones >= 8) assert.equal(d.y[i], 1);
    else {
      count[ones - 5]++;
      rate[ones - 5] += d.y[i];
    }
  }
  assert.deepEqual(count, [792, 924, 792]);
  assertClose(rate[0] / 792, 0.076, 0, 0.001);
  assertClose(rate[1] / 924, 0.576, 0, 0.001);
  assertClose(rate[2] / 792, 0.924, 0, 0.001);
  assert.notDeepEqual(Array.from(sztData({ seed: 4 }).y), Array.from(d.y));
});
