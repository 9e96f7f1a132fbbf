/**
 * One epoch of the same MLP here and in torch (CPU, float64), side by side:
 *
 *   npx deno run -A bench/mlp_vs_torch.ts [--epochs 10] [--threads 1]
 *
 * Model 64-128-128-10 (ReLU), batch 64, Adam(lr 1e-3), cross-entropy, on the 1797 UCI
 * digits (pixels/16); 2 warm-up epochs, then the median of `epochs` timed epochs. torch runs
 * in /usr/bin/python3 with `torch.set_num_threads(threads)` (default 1: this engine is
 * single-threaded). Prints both medians and the ratio (ours / torch).
 */
import { execFileSync } from "node:child_process";
import { parseArgs } from "node:util";
import { crossEntropy, type Tensor, tensor, valueAndGrad } from "../lib/autodiff/mod.ts";
import { Adam, minibatches, mlp } from "../lib/nn/mod.ts";
import { loadDigits } from "../lib/data/mod.ts";
import { Rng } from "../lib/core/rng.ts";

const { values } = parseArgs({
  args: Deno.args,
  options: { epochs: { type: "string", default: "10" }, threads: { type: "string", default: "1" } },
});
const epochs = Number(values.epochs), threads = Number(values.threads);

const d = await loadDigits();
const n = d.x.rows;
const X = tensor(d.x.data.map((v) => v / 16), [n, 64]);
const y = d.y;
const net = mlp([64, 128, 128, 10], { seed: 0 });
const params = net.parameters();
const opt = new Adam(params, { lr: 1e-3 });
const rng = new Rng(0);

function batch(idx: Int32Array): [Tensor, Int32Array] {
  const xb = new Float64Array(idx.length * 64);
  for (let i = 0; i < idx.length; i++) xb.set(X.data.subarray(idx[i] * 64, idx[i] * 64 + 64), i * 64);
  return [tensor(xb, [idx.length, 64]), Int32Array.from(idx, (i) => y[i])];
}

function epoch(): number {
  let total = 0;
  for (const idx of minibatches(n, 64, { seed: rng })) {
    const [xb, yb] = batch(idx);
    const { value, grads } = valueAndGrad(() => crossEntropy(net.forward(xb), yb), params);
    opt.step(grads);
    total += value * idx.length;
  }
  return total / n;
}

for (let i = 0; i < 2; i++) epoch();
const times: number[] = [], losses: number[] = [];
for (let e = 0; e < epochs; e++) {
  const t = performance.now();
  losses.push(epoch());
  times.push(performance.now() - t);
}
const median = (a: number[]) => a.slice().sort((p, q) => p - q)[Math.floor(a.length / 2)];
const py = JSON.parse(
  execFileSync("/usr/bin/python3", ["bench/mlp_vs_torch.py", String(epochs), String(threads)]).toString(),
);
const ours = median(times), theirs = median(py.epochMs);
console.log(
  `MLP 64-128-128-10, batch 64, Adam, f64, ${n} digits per epoch (median of ${epochs} epochs after 2 warm-up)`,
);
console.log(
  `  parsimony (Deno ${Deno.version.deno}, 1 thread): ${ours.toFixed(1)} ms/epoch  (final loss ${
    losses.at(-1)!.toFixed(4)
  })`,
);
console.log(
  `  torch ${py.torch} (CPU, ${py.threads} thread${py.threads > 1 ? "s" : ""}):  ${
    theirs.toFixed(1)
  } ms/epoch  (final loss ${py.loss.at(-1).toFixed(4)})`,
);
console.log(`  ratio parsimony / torch = ${(ours / theirs).toFixed(2)}  (goal ≤ 2)`);
