import { assert, relErr } from "../_helpers.ts";
import { add, crossEntropy, matmul, tensor, valueAndGrad } from "../../lib/autodiff/mod.ts";
import { Adam, AdamW, type Optimizer, Sgd } from "../../lib/nn/mod.ts";
import type { Tensor } from "../../lib/autodiff/mod.ts";
import fixture from "../fixtures/autodiff/torch_mlp.json" with { type: "json" };

// Oracle: torch 1.13 optimizers (float64) on the same objective, tests/fixtures/make_torch_fixtures.py.
const make: Record<string, (p: Record<string, Tensor>) => Optimizer> = {
  sgd_nesterov: (p) => new Sgd(p, { lr: 0.1, momentum: 0.9, nesterov: true, weightDecay: 0.01 }),
  sgd_momentum_dampening: (p) => new Sgd(p, { lr: 0.05, momentum: 0.8, dampening: 0.3 }),
  adam: (p) => new Adam(p, { lr: 0.01, beta1: 0.9, beta2: 0.99, eps: 1e-8, weightDecay: 0.01 }),
  adamw: (p) => new AdamW(p, { lr: 0.01, weightDecay: 0.1 }),
};

for (const c of fixture.optimizers) {
  Deno.test(`${c.name}: 5-step parameter trajectory matches torch.optim to 1e-12 (rel)`, () => {
    const params = { W: tensor(c.W0, [4, 3]), b: tensor(c.b0, [3]) };
    const x = tensor(c.x, [6, 4]);
    const opt = make[c.name](params);
    c.trajectory.forEach((ref, step) => {
      const { grads } = valueAndGrad((p) => crossEntropy(add(matmul(x, p.W), p.b), c.y), params);
      opt.step(grads);
      const eW = relErr(params.W.data, ref.W), eb = relErr(params.b.data, ref.b);
      assert.ok(eW < 1e-12 && eb < 1e-12, `step ${step + 1}: rel err W ${eW}, b ${eb}`);
    });
    assert.equal(opt.steps, 5);
  });
}

Deno.test("Sgd without momentum is θ − η·g exactly; lr can be changed between steps", () => {
  const w = tensor([1, 2]);
  const opt = new Sgd({ w }, { lr: 0.5 });
  opt.step({ w: tensor([1, 1]) });
  opt.lr = 0.25;
  opt.step({ w: tensor([2, 4]) });
  assert.deepEqual(Array.from(w.data), [0, 0.5]);
});

Deno.test("optimizer state round-trips through stateDict (next steps bitwise identical)", () => {
  const run = (restore: boolean) => {
    const w = tensor([0.3, -0.7]);
    let opt = new Adam({ w }, { lr: 0.1 });
    opt.step({ w: tensor([1, -2]) });
    if (restore) {
      const s = JSON.parse(JSON.stringify(opt.stateDict()));
      opt = new Adam({ w }, { lr: 0.1 });
      opt.loadStateDict(s);
    }
    opt.step({ w: tensor([0.5, 0.5]) });
    return Array.from(w.data);
  };
  assert.deepEqual(run(true), run(false));
});
