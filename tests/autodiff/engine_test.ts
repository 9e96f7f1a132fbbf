import { assert, assertAllClose, assertClose, assertThrowsArg } from "../_helpers.ts";
import * as ad from "../../lib/autodiff/mod.ts";
import { Tensor } from "../../lib/autodiff/mod.ts";

const t = ad.tensor;

Deno.test("vjp: maps a cotangent through f(x, y) = x ⊙ y to (v ⊙ y, v ⊙ x) exactly", () => {
  const x = t([1, 2, 3]), y = t([4, 5, 6]);
  const { out, vjp } = ad.vjp(ad.mul, x, y);
  assert.deepEqual(Array.from(out.data), [4, 10, 18]);
  const [gx, gy] = vjp(t([1, -1, 2]));
  assert.deepEqual(Array.from(gx.data), [4, -5, 12]);
  assert.deepEqual(Array.from(gy.data), [1, -2, 6]);
  // callable again, and a number broadcasts
  assert.deepEqual(Array.from(vjp(1)[0].data), [4, 5, 6]);
});

Deno.test("grad: d/dx Σ x³ = 3x² (closed form, exact)", () => {
  const g = ad.grad((x: Tensor) => ad.sum(ad.pow(x, 3)))(t([1, -2, 0.5]));
  assert.deepEqual(Array.from(g.data), [3, 12, 0.75]);
});

Deno.test("valueAndGrad: grads mirror the params structure (tensor, array, record); unused params get zeros", () => {
  const a = t([2]), b = t([3]), unused = t([[1, 2]]);
  const f = (p: { a: Tensor; b: Tensor; unused: Tensor }) => ad.sum(ad.mul(p.a, p.b));
  const r = ad.valueAndGrad(f, { a, b, unused });
  assert.equal(r.value, 6);
  assert.deepEqual(Array.from(r.grads.a.data), [3]);
  assert.deepEqual(Array.from(r.grads.b.data), [2]);
  assert.deepEqual(r.grads.unused.shape, [1, 2]);
  assert.deepEqual(Array.from(r.grads.unused.data), [0, 0]);
  const r2 = ad.valueAndGrad((ps) => ad.sum(ad.mul(ps[0], ps[1])), [a, b]);
  assert.deepEqual(r2.grads.map((g) => g.data[0]), [3, 2]);
  const r3 = ad.valueAndGrad((x) => ad.sum(ad.square(x)), a);
  assert.equal(r3.grads.data[0], 4);
});

Deno.test("valueAndGrad: fan-out accumulates (x used 3×: d/dx x·x·x = 3x²) and closures see tracked params", () => {
  const x = t([1.5]);
  const cube = () => ad.mul(ad.mul(x, x), x); // x reached through the closure, not the argument
  const { grads } = ad.valueAndGrad(() => ad.sum(cube()), { x });
  assertClose(grads.x.data[0], 3 * 1.5 * 1.5, 1e-15);
});

Deno.test("returned gradients are copies: mutating them does not touch forward values", () => {
  const x = t([1, 2]), w = t([3, 4]);
  const { grads } = ad.valueAndGrad((p) => ad.sum(ad.mul(x, p.w)), { w }); // ∂/∂w = x (would alias x.data)
  grads.w.data[0] = 100;
  assert.deepEqual(Array.from(x.data), [1, 2]);
});

Deno.test("noGrad and detach cut the tape: gradients through them are zero", () => {
  const x = t([0.5, 1]);
  const g1 = ad.grad((v: Tensor) => ad.sum(ad.add(ad.noGrad(() => ad.exp(v)), v)))(x);
  assert.deepEqual(Array.from(g1.data), [1, 1]);
  const g2 = ad.grad((v: Tensor) => ad.sum(ad.mul(v, ad.detach(v))))(x);
  assert.deepEqual(Array.from(g2.data), [0.5, 1]);
});

Deno.test("a function that ignores its input has a zero gradient, not an error", () => {
  const g = ad.grad((_: Tensor) => ad.sum(t([1, 2])))(t([3, 4, 5]));
  assert.deepEqual(Array.from(g.data), [0, 0, 0]);
});

Deno.test("nested valueAndGrad: the inner gradient is a constant to the outer tape, outer marks survive", () => {
  const w = t([2]);
  const outer = ad.valueAndGrad((p) => {
    const inner = ad.valueAndGrad((q) => ad.sum(ad.square(q)), p.w); // 2w, as a constant
    return ad.sum(ad.mul(p.w, ad.mul(inner.grads, p.w))); // w · c · w with c = 2w = 4
  }, { w });
  assert.equal(outer.value, 16);
  assert.equal(outer.grads.w.data[0], 16); // d/dw (c w²) = 2cw = 16
});

Deno.test("max-plus unit by composition: d/dε [ε·LSE(x/ε)] = entropy of softmax(x/ε) (snn card A1, 1e-14)", () => {
  const x = t([0.3, -1.2, 2.0]);
  const eps = t([0.5]);
  const { value, grads } = ad.valueAndGrad((e) => ad.sum(ad.mul(e, ad.logsumexp(ad.div(x, e)))), eps);
  const z = [0.6, -2.4, 4.0], m = 4.0;
  const s = z.reduce((a, v) => a + Math.exp(v - m), 0);
  const p = z.map((v) => Math.exp(v - m) / s);
  assertClose(value, 0.5 * (m + Math.log(s)), 1e-15);
  assertClose(grads.data[0], -p.reduce((a, q) => a + q * Math.log(q), 0), 1e-14);
  assertClose(ad.logsumexp(t([0, 0])).item(), Math.LN2, 0); // card O1: LSE_1(0, 0) = log 2
});

Deno.test("customVjp: straight-through round (forward rounds, backward passes g) and a forward that returns its input", () => {
  const ste = ad.customVjp("ste", (x) => ({ out: new Tensor(x.data.map(Math.round), x.shape) }), (g) => [g]);
  const x = t([0.4, 1.6]);
  assert.deepEqual(Array.from(ste(x).data), [0, 2]);
  assert.deepEqual(Array.from(ad.grad((v: Tensor) => ad.sum(ad.mul(ste(v), t([3, 5]))))(x).data), [3, 5]);
  const ident = ad.customVjp("ident", (v) => ({ out: v }), (g) => [ad.mul(g, 2)]);
  const g = ad.grad((v: Tensor) => ad.sum(ad.mul(ident(v), v)))(t([1, 2]));
  assert.deepEqual(Array.from(g.data), [1 * 2 + 1, 2 * 2 + 2]); // ∂/∂v (v·v) with the custom factor 2 on one branch
});

Deno.test("customVjp: surrogate-gradient spike (Heaviside forward, β·σ'(βv) backward, β = 10) gives 2.5 at v = 0", () => {
  const beta = 10;
  const spike = ad.customVjp<Tensor>(
    "spike",
    (v) => ({ out: new Tensor(v.data.map((u) => (u > 0 ? 1 : 0)), v.shape), residuals: v }),
    (g, v) => [ad.mul(g, ad.mul(beta, ad.mul(ad.sigmoid(ad.mul(beta, v)), ad.sub(1, ad.sigmoid(ad.mul(beta, v))))))],
  );
  const v = t([0, 0.3, -0.2]);
  assert.deepEqual(Array.from(spike(v).data), [0, 1, 0]);
  const g = ad.grad((u: Tensor) => ad.sum(spike(u)))(v);
  assertClose(g.data[0], 2.5, 1e-15);
  const s = 1 / (1 + Math.exp(-3));
  assertClose(g.data[1], 10 * s * (1 - s), 1e-14);
});

Deno.test("customVjp with the exact derivative passes checkGrads; a wrong one fails it", () => {
  const sp = (wrong: number) =>
    ad.customVjp<Tensor>(
      "softplus",
      (x) => ({ out: ad.softplus(x), residuals: x }),
      (g, x) => [ad.mul(g, ad.mul(ad.sigmoid(x), wrong))],
    );
  const x = ad.randn([3, 2], 7);
  assert.ok(ad.checkGrads(sp(1), [x]).ok);
  assert.ok(!ad.checkGrads(sp(1.001), [x]).ok);
});

Deno.test("customVjp: a backward returning the wrong shape throws ShapeError naming bwd[0]", () => {
  const bad = ad.customVjp("bad", (x) => ({ out: x }), () => [t([1, 2, 3])]);
  assertThrowsArg(() => ad.grad((v: Tensor) => ad.sum(bad(v)))(t([1, 2])), "bwd[0]", "shape");
});

Deno.test("broadcasting: [2,3] + [3], [2,1] · [1,3], scalar − tensor (values)", () => {
  assert.deepEqual(ad.add(t([[1, 2, 3], [4, 5, 6]]), t([10, 20, 30])).toArray(), [[11, 22, 33], [14, 25, 36]]);
  assert.deepEqual(ad.mul(t([[1], [2]]), t([[1, 2, 3]])).toArray(), [[1, 2, 3], [2, 4, 6]]);
  assert.deepEqual(ad.sub(1, t([1, 2])).toArray(), [0, -1]);
});

Deno.test("reductions, shapes and losses: values against hand-computed results", () => {
  const x = t([[1, 5, 3], [4, 2, 6]]);
  assert.deepEqual(ad.sum(x, 1, true).toArray(), [[9], [12]]);
  assert.deepEqual(ad.max(x, 0).toArray(), [4, 5, 6]);
  assert.deepEqual(ad.min(x).toArray(), 1);
  assert.deepEqual(ad.mean(x, [0, 1]).toArray(), 3.5);
  assert.deepEqual(ad.transpose(x).toArray(), [[1, 4], [5, 2], [3, 6]]);
  assert.deepEqual(ad.slice(x, [1], [2]).toArray(), [[4, 2, 6]]);
  assert.deepEqual(ad.gather(x, [2, 0], 1).toArray(), [[3, 1], [6, 4]]);
  assert.deepEqual(ad.concat([x, x], 0).shape, [4, 3]);
  assert.deepEqual(ad.broadcastTo(t([1, 2]), [2, 2]).toArray(), [[1, 2], [1, 2]]);
  assertClose(ad.mseLoss(t([1, 3]), t([0, 0])).item(), 5, 0);
  assertClose(ad.crossEntropy(t([[0, Math.log(3)]]), [1]).item(), Math.log(4 / 3), 1e-15);
  assertAllClose(ad.crossEntropy(t([[0, 0], [0, 0]]), [0, 1], { reduction: "none" }).data, [Math.LN2, Math.LN2], 1e-15);
  // ties in max split the gradient evenly (torch amax)
  assert.deepEqual(Array.from(ad.grad((v: Tensor) => ad.max(v))(t([2, 2, 1])).data), [0.5, 0.5, 0]);
});

Deno.test("logsumexp and logSoftmax stay finite at ±1e308 and with −∞ entries", () => {
  assert.equal(ad.logsumexp(t([1e308, 1e308])).item(), 1e308 + 0 * Math.LN2);
  assert.deepEqual(ad.logSoftmax(t([-Infinity, 0])).toArray(), [-Infinity, 0]);
  assert.deepEqual(ad.softmax(t([-Infinity, 0])).toArray(), [0, 1]);
  const g = ad.grad((v: Tensor) => ad.logsumexp(v))(t([-Infinity, 0]));
  assert.deepEqual(Array.from(g.data), [0, 1]);
});

Deno.test("linear(x, W, b) equals add(matmul(x, W), b) bitwise, values and gradients", () => {
  const x = ad.randn([5, 4], 1), W = ad.randn([4, 3], 2), b = ad.randn([3], 3);
  const f1 = (p: Tensor[]) => ad.sum(ad.tanh(ad.linear(p[0], p[1], p[2])));
  const f2 = (p: Tensor[]) => ad.sum(ad.tanh(ad.add(ad.matmul(p[0], p[1]), p[2])));
  const r1 = ad.valueAndGrad(f1, [x, W, b]), r2 = ad.valueAndGrad(f2, [x, W, b]);
  assert.equal(r1.value, r2.value);
  r1.grads.forEach((g, i) => assert.deepEqual(Array.from(g.data), Array.from(r2.grads[i].data)));
  assertThrowsArg(() => ad.linear(x, ad.randn([3, 3], 0)), "w", "shape");
  assertThrowsArg(() => ad.linear(x, W, ad.zeros([4])), "b", "shape");
});

Deno.test("Gram building block: CS divergence of a = [0,1,2], b = [0.5,2.5], σ = 1 is 0.1475983784 (IB card O6, 1e-10)", () => {
  const a = t([[0], [1], [2]]), b = t([[0.5], [2.5]]);
  const logMeanK = (x: Tensor, y?: Tensor) => ad.log(ad.mean(ad.exp(ad.mul(ad.pairwiseSqDist(x, y), -0.5))));
  const dcs = ad.add(ad.add(logMeanK(a), logMeanK(b)), ad.mul(-2, logMeanK(a, b)));
  assertClose(dcs.item(), 0.1475983784, 0, 1e-10);
  assert.deepEqual([0, 4, 8].map((i) => ad.pairwiseSqDist(ad.randn([3, 5], 1)).data[i]), [0, 0, 0]); // exact zero diagonal
  // the divergence is differentiable in the sample positions (checked against central differences)
  assert.ok(ad.checkGrads((x) => ad.add(ad.add(logMeanK(x), logMeanK(b)), ad.mul(-2, logMeanK(x, b))), [a]).ok);
});
