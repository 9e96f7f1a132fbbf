import { crossEntropy, type Tensor, tensor, valueAndGrad, noGrad } from "../lib/autodiff/mod.ts";
import { Adam, mlp } from "../lib/nn/mod.ts";
import { gemmUnchecked } from "../lib/core/gemm_kernel.ts";
import { Rng } from "../lib/core/rng.ts";
const r = new Rng(0);
const xb = tensor(r.normalArray(64 * 64), [64, 64]);
const yb = Int32Array.from({ length: 64 }, () => r.integer(10));
const net = mlp([64, 128, 128, 10], { seed: 0 });
const params = net.parameters();
const opt = new Adam(params, { lr: 1e-3 });
function time(name: string, f: () => void, reps = 300) {
  for (let i = 0; i < 50; i++) f();
  const t = performance.now();
  for (let i = 0; i < reps; i++) f();
  console.log(name, ((performance.now() - t) / reps * 1000).toFixed(1), "µs");
}
time("forward nograd", () => noGrad(() => crossEntropy(net.forward(xb), yb)));
time("valueAndGrad", () => valueAndGrad(() => crossEntropy(net.forward(xb), yb), params));
const { grads } = valueAndGrad(() => crossEntropy(net.forward(xb), yb), params);
time("adam", () => opt.step(grads));
const shapes: [string, boolean, boolean, number, number, number][] = [
  ["f1 NN", false, false, 64, 128, 64], ["f2 NN", false, false, 64, 128, 128], ["f3 NN", false, false, 64, 10, 128],
  ["dW3 TN", true, false, 128, 10, 64], ["dh2 NT", false, true, 64, 128, 10], ["dW2 TN", true, false, 128, 128, 64],
  ["dh1 NT", false, true, 64, 128, 128], ["dW1 TN", true, false, 64, 128, 64],
];
let tot = 0;
for (const [name, ta, tb, m, n, k] of shapes) {
  const a = r.normalArray(m * k), b = r.normalArray(k * n), c = new Float64Array(m * n);
  const f = () => gemmUnchecked(ta, tb, m, n, k, 1, a, b, 0, c);
  for (let i = 0; i < 100; i++) f();
  const t = performance.now();
  for (let i = 0; i < 1000; i++) f();
  const us = (performance.now() - t);
  tot += us;
  console.log(name, us.toFixed(1), "µs", (2 * m * n * k / us / 1e3).toFixed(2), "GFLOP/s");
}
console.log("gemm total per step", tot.toFixed(1), "µs");
