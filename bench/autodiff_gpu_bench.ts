/**
 * Training an MLP on the CPU (f64) against the GPU (f32), over a few network sizes.
 *
 *   deno bench -A bench/autodiff_gpu_bench.ts                              # sizes 0–1 (llvmpipe-friendly)
 *   PARSIMONY_BENCH_MAX=3 PARSIMONY_BENCH_CPU_MAX=2 deno bench -A bench/autodiff_gpu_bench.ts   # a real GPU
 *
 * Per size, one `deno bench` group with the same training job done three ways — 4 epochs of
 * 16 minibatches (64 Adam steps) of a ReLU MLP with cross-entropy on synthetic data:
 * - `cpu f64 — fit`: the f64 engine (baseline);
 * - `gpu f32 — fitAsync`: the device loop — data, parameters and Adam state uploaded once,
 *   one submission per step, one readback per epoch, parameters read back at the end;
 * - `gpu f32 — valueAndGradAsync + host Adam`: the generic async API, which uploads the
 *   parameters and reads back the loss and every gradient at each of the 64 steps (each
 *   readback costs ≥ 10 ms in Deno, whatever the GPU).
 * Divide a row by 64 for the time per training step. The 10 ms floor per readback is Deno's
 * `mapAsync` polling (lib/gpu README), not the GPU: it is what makes per-step readbacks
 * expensive and the resident loop the one that pays.
 *
 * Sizes (widths, batch): 0: 64-128-128-10, 64 (the benchmark net); 1: 256-512-512-10,
 * 128; 2: 784-2048-2048-10, 512; 3: 1024-4096-4096-1000, 1024. PARSIMONY_BENCH_MAX (default 1)
 * caps the size index, PARSIMONY_BENCH_CPU_MAX (default 1) the CPU rows.
 */
import { crossEntropy, Tensor, valueAndGrad, valueAndGradAsync } from "../lib/autodiff/mod.ts";
import { Adam, fit, fitAsync, mlp } from "../lib/nn/mod.ts";
import { gpu } from "../lib/gpu/mod.ts";
import { Matrix } from "../lib/core/matrix.ts";
import { Rng } from "../lib/core/rng.ts";

const envInt = (name: string, dflt: number) => {
  const v = Deno.env.get(name);
  return v ? Number.parseInt(v, 10) : dflt;
};
const SIZES: { widths: number[]; batch: number }[] = [
  { widths: [64, 128, 128, 10], batch: 64 },
  { widths: [256, 512, 512, 10], batch: 128 },
  { widths: [784, 2048, 2048, 10], batch: 512 },
  { widths: [1024, 4096, 4096, 1000], batch: 1024 },
];
const MAX = envInt("PARSIMONY_BENCH_MAX", 1), CPU_MAX = envInt("PARSIMONY_BENCH_CPU_MAX", 1);
const STEPS = 16, EPOCHS = 4;

const info = await gpu.info();
console.log(
  info.available
    ? `autodiff_gpu_bench: adapter ${info.description} (software fallback: ${info.isFallbackAdapter}${
      info.isFallbackAdapter ? " — CPU-emulated GPU, these are not GPU figures" : ""
    }); sizes 0–${MAX}, CPU rows up to ${CPU_MAX}`
    : `autodiff_gpu_bench: no WebGPU adapter (${info.reason}); only CPU rows run`,
);

SIZES.forEach(({ widths, batch }, s) => {
  if (s > MAX) return;
  const r = new Rng(s);
  const n = STEPS * batch, d = widths[0], C = widths[widths.length - 1];
  const x = new Matrix(n, d, r.normalArray(n * d));
  const y = Int32Array.from({ length: n }, () => r.integer(C));
  const data = { x, y };
  const opts = { epochs: EPOCHS, batchSize: batch, lr: 1e-3, seed: 0 };
  const macs = batch * widths.slice(1).reduce((a, w, i) => a + widths[i] * w, 0);
  const group = `${widths.join("-")}, batch ${batch} (${(3 * macs / 1e6).toFixed(0)} M multiply-adds per step)`;
  const iters = { n: Math.max(2, Math.min(10, Math.floor(2e9 / (3 * macs * STEPS * EPOCHS)))), warmup: 1 };
  if (s <= CPU_MAX) {
    Deno.bench({
      name: `cpu f64 — fit, ${EPOCHS}×${STEPS} steps`,
      group,
      baseline: true,
      ...iters,
      fn: () => {
        fit(mlp(widths, { seed: 1 }), data, opts);
      },
    });
  }
  if (!info.available) return;
  Deno.bench({
    name: `gpu f32 — fitAsync, ${EPOCHS}×${STEPS} steps (one readback per epoch)`,
    group,
    ...iters,
    fn: async () => {
      const res = await fitAsync(mlp(widths, { seed: 1 }), data, { ...opts, backend: "gpu" });
      if (res.backend !== "gpu") throw new Error(res.backendReason);
    },
  });
  const xs = Array.from(
    { length: STEPS },
    (_, k) => new Tensor(x.data.subarray(k * batch * d, (k + 1) * batch * d), [batch, d]),
  );
  const ys = Array.from({ length: STEPS }, (_, k) => y.subarray(k * batch, (k + 1) * batch));
  Deno.bench({
    name: `gpu f32 — valueAndGradAsync + host Adam, ${EPOCHS}×${STEPS} steps (a readback per step)`,
    group,
    ...iters,
    fn: async () => {
      const net = mlp(widths, { seed: 1 });
      const params = net.parameters(), opt = new Adam(params, { lr: 1e-3 });
      for (let e = 0; e < EPOCHS; e++) {
        for (let k = 0; k < STEPS; k++) {
          const g = await valueAndGradAsync(() => crossEntropy(net.forward(xs[k]), ys[k]), params, { backend: "gpu" });
          opt.step(g.grads);
        }
      }
    },
  });
  if (s <= CPU_MAX) {
    Deno.bench({
      name: `cpu f64 — valueAndGrad + Adam, ${EPOCHS}×${STEPS} steps`,
      group,
      ...iters,
      fn: () => {
        const net = mlp(widths, { seed: 1 });
        const params = net.parameters(), opt = new Adam(params, { lr: 1e-3 });
        for (let e = 0; e < EPOCHS; e++) {
          for (let k = 0; k < STEPS; k++) {
            opt.step(valueAndGrad(() => crossEntropy(net.forward(xs[k]), ys[k]), params).grads);
          }
        }
      },
    });
  }
});
