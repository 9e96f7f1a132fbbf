/**
 * `deno bench -A bench/autodiff_bench.ts`: one training step of the benchmark MLP
 * (64-128-128-10, batch 64, Adam, f64) and its pieces. The side-by-side comparison with
 * torch is `bench/mlp_vs_torch.ts`.
 */
import { crossEntropy, matmul, noGrad, randn, valueAndGrad } from "../lib/autodiff/mod.ts";
import { Adam, mlp } from "../lib/nn/mod.ts";
import { Rng } from "../lib/core/rng.ts";

const r = new Rng(0);
const xb = randn([64, 64], r);
const yb = Int32Array.from({ length: 64 }, () => r.integer(10));
const net = mlp([64, 128, 128, 10], { seed: 0 });
const params = net.parameters();
const opt = new Adam(params);
const a = randn([64, 128], 1), w = randn([128, 128], 2);

Deno.bench("MLP 64-128-128-10 forward (no grad), batch 64", { group: "mlp" }, () => {
  noGrad(() => crossEntropy(net.forward(xb), yb));
});
Deno.bench("MLP forward + backward (valueAndGrad), batch 64", { group: "mlp", baseline: true }, () => {
  valueAndGrad(() => crossEntropy(net.forward(xb), yb), params);
});
Deno.bench("MLP full step (valueAndGrad + Adam), batch 64", { group: "mlp" }, () => {
  opt.step(valueAndGrad(() => crossEntropy(net.forward(xb), yb), params).grads);
});
Deno.bench("matmul 64×128 · 128×128 (WebAssembly SIMD path)", () => {
  matmul(a, w);
});
