/**
 * One epoch of the same MLP here and in torch (CPU, float64), side by side:
 *
 *   npx deno run -A bench/mlp_vs_torch.ts [--epochs 10] [--threads 1] [--rounds 3]
 *
 * Model 64-128-128-10 (ReLU), batch 64, Adam(lr 1e-3), cross-entropy, on the 1797 UCI
 * digits (pixels/16); 2 warm-up epochs, then `rounds` rounds, each timing `epochs` epochs here
 * and then `epochs` epochs in torch (/usr/bin/python3, `torch.set_num_threads(threads)`,
 * default 1; ours gets the same count through PARSIMONY_THREADS: its matrix products of
 * ≥ 2^19 multiply-adds use the worker pool), so both sides of a round see the same machine
 * load. Prints the per-round medians and the median ratio (ours / torch).
 */
import { execFileSync } from "node:child_process";
import { parseArgs } from "node:util";
import { crossEntropy, type Tensor, tensor, valueAndGrad } from "../lib/autodiff/mod.ts";
import { Adam, minibatches, mlp } from "../lib/nn/mod.ts";
import { loadDigits } from "../lib/data/mod.ts";
import { Rng } from "../lib/core/rng.ts";
import { wasmGemm } from "../lib/core/_gemm_wasm.ts";

const { values } = parseArgs({
  args: Deno.args,
  options: {
    epochs: { type: "string", default: "10" },
    threads: { type: "string", default: "1" },
    rounds: { type: "string", default: "3" },
  },
});
const epochs = Number(values.epochs), threads = Number(values.threads), rounds = Number(values.rounds);
Deno.env.set("PARSIMONY_THREADS", String(threads));

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

// Alternate rounds (ours, then torch) so both see the same machine load; report per-round medians.
const median = (a: number[]) => a.slice().sort((p, q) => p - q)[Math.floor(a.length / 2)];
for (let i = 0; i < 2; i++) epoch();
const rows: { ours: number; torch: number; lossOurs: number; lossTorch: number }[] = [];
let torchVersion = "";
for (let round = 0; round < rounds; round++) {
  const times: number[] = [];
  let loss = NaN;
  for (let e = 0; e < epochs; e++) {
    const t = performance.now();
    loss = epoch();
    times.push(performance.now() - t);
  }
  const py = JSON.parse(
    execFileSync("/usr/bin/python3", ["bench/mlp_vs_torch.py", String(epochs), String(threads)]).toString(),
  );
  torchVersion = `${py.torch}, ${py.threads} thread${py.threads > 1 ? "s" : ""}`;
  rows.push({ ours: median(times), torch: median(py.epochMs), lossOurs: loss, lossTorch: py.loss.at(-1) });
}
console.log(
  `MLP 64-128-128-10, batch 64, Adam, f64, ${n} digits per epoch; median of ${epochs} epochs per round, ${rounds} rounds`,
);
console.log(
  `gemm kernel: ${
    wasmGemm ? "WebAssembly SIMD (f64x2)" : "scalar JavaScript"
  }, ${threads} thread(s); torch ${torchVersion}`,
);
for (const [k, r] of rows.entries()) {
  console.log(
    `  round ${k + 1}: parsimony ${r.ours.toFixed(1)} ms/epoch, torch ${r.torch.toFixed(1)} ms/epoch, ratio ${
      (r.ours / r.torch).toFixed(2)
    }  (last loss ${r.lossOurs.toFixed(4)} / ${r.lossTorch.toFixed(4)})`,
  );
}
const ratio = median(rows.map((r) => r.ours / r.torch));
console.log(`ratio parsimony / torch (median over rounds) = ${ratio.toFixed(2)}  (goal ≤ 2)`);
