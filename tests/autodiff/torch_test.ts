import { assert, assertAllClose, assertClose, relErr } from "../_helpers.ts";
import * as ad from "../../lib/autodiff/mod.ts";
import type { Tensor } from "../../lib/autodiff/mod.ts";
import fixture from "../fixtures/autodiff/torch_mlp.json" with { type: "json" };

// Oracle: torch 1.13 CPU float64 autograd (tests/fixtures/make_torch_fixtures.py).

for (const c of fixture.mlp) {
  Deno.test(`2-hidden-layer ${c.activation} MLP + cross-entropy: loss and all gradients match torch to 1e-10 (rel)`, () => {
    const s = c.sizes;
    const W = c.W.map((w, l) => ad.tensor(w, [s[l], s[l + 1]]));
    const b = c.b.map((v) => ad.tensor(v, [v.length]));
    const x = ad.tensor(c.x, [c.y.length, s[0]]);
    const act = c.activation === "relu" ? ad.relu : ad.tanh;
    const params = { W0: W[0], W1: W[1], W2: W[2], b0: b[0], b1: b[1], b2: b[2], x };
    const { value, grads } = ad.valueAndGrad((p) => {
      let h: Tensor = p.x;
      for (let l = 0; l < 3; l++) {
        h = ad.add(ad.matmul(h, [p.W0, p.W1, p.W2][l]), [p.b0, p.b1, p.b2][l]);
        if (l < 2) h = act(h);
      }
      return ad.crossEntropy(h, c.y);
    }, params);
    assertClose(value, c.loss, 1e-13, 0, "loss");
    const errs = [
      relErr(grads.W0.data, c.gradW[0]),
      relErr(grads.W1.data, c.gradW[1]),
      relErr(grads.W2.data, c.gradW[2]),
      relErr(grads.b0.data, c.gradB[0]),
      relErr(grads.b1.data, c.gradB[1]),
      relErr(grads.b2.data, c.gradB[2]),
      relErr(grads.x.data, c.gradX),
    ];
    for (const e of errs) assert.ok(e < 1e-10, `relative errors vs torch: ${errs}`);
  });
}

const pw = fixture.pointwise;
const x = ad.tensor(pw.x), w = ad.tensor(pw.w);
const cases: [string, (t: Tensor) => Tensor][] = [
  ["sigmoid", ad.sigmoid],
  ["tanh", ad.tanh],
  ["softplus", ad.softplus],
  ["gelu", (t) => ad.gelu(t)],
  ["geluTanh", (t) => ad.gelu(t, "tanh")],
  ["leakyRelu", (t) => ad.leakyRelu(t, 0.01)],
  ["logSoftmax", (t) => ad.logSoftmax(t, 0)],
  ["softmax", (t) => ad.softmax(t, 0)],
  ["logsumexp", (t) => ad.reshape(ad.logsumexp(t, 0), [1])],
];
for (const [name, f] of cases) {
  Deno.test(`${name}: values and input gradients match torch on [-30, 25] (rel 1e-12 or abs 1e-15)`, () => {
    const ref = (pw as unknown as Record<string, { value: number[]; grad: number[] }>)[name];
    const { out, vjp } = ad.vjp(f, x);
    assertAllClose(out.data, ref.value, 1e-12, 1e-15, `${name} value`);
    const g = vjp(ad.tensor(Array.from(w.data.subarray(0, out.size)), out.shape))[0];
    assertAllClose(g.data, ref.grad, 1e-12, 1e-15, `${name} grad`);
  });
}

Deno.test("binaryCrossEntropy and ...WithLogits: value and gradient match torch (rel 1e-14)", () => {
  const p = ad.tensor(pw.bce.p), t = ad.tensor(pw.bce.target);
  const r1 = ad.valueAndGrad((q) => ad.binaryCrossEntropy(q, t), p);
  assertClose(r1.value, pw.bce.value, 1e-14);
  assertAllClose(r1.grads.data, pw.bce.grad, 1e-14);
  const z = ad.tensor(pw.bceLogits.z);
  const r2 = ad.valueAndGrad((q) => ad.binaryCrossEntropyWithLogits(q, t), z);
  assertClose(r2.value, pw.bceLogits.value, 1e-14);
  assertAllClose(r2.grads.data, pw.bceLogits.grad, 1e-14, 1e-300);
});
