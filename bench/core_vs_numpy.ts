/**
 * Core kernels vs numpy/scipy on the same machine, in one run:
 *   npx deno run -A bench/core_vs_numpy.ts [--threads 1]
 * Both sides use the same number of threads (default 1): numpy through OPENBLAS_NUM_THREADS etc.,
 * parsimony through PARSIMONY_THREADS (its `gemm` shares products of ≥ 2^19 multiply-adds with
 * the worker pool; the other kernels here are single-threaded).
 * Prints best-of-N milliseconds and the ratio ours / peer (< 1: we are faster).
 */
import { parseArgs } from "node:util";
import { closeWorkerPool, gemm, logSumExpRows, Matrix, pairwiseSqDist, Rng } from "../lib/core/mod.ts";

const threads = parseArgs({ args: Deno.args, options: { threads: { type: "string", default: "1" } } }).values.threads!;
Deno.env.set("PARSIMONY_THREADS", threads);

const cfg = { gemm: [128, 256, 512], lse: [1000], reps: 7 };
function best(f: () => unknown, reps: number): number {
  let b = Infinity;
  for (let i = 0; i < reps; i++) {
    const t0 = performance.now();
    f();
    b = Math.min(b, performance.now() - t0);
  }
  return b;
}
const r = new Rng(0);
const ours: Record<string, number> = {};
for (const n of cfg.gemm) {
  const A = new Matrix(n, n, r.normalArray(n * n)), B = new Matrix(n, n, r.normalArray(n * n));
  ours[`gemm ${n}`] = best(() => gemm(A, B), cfg.reps);
}
for (const n of cfg.lse) {
  const M = new Matrix(n, n, r.normalArray(n * n));
  ours[`logSumExpRows ${n}`] = best(() => logSumExpRows(M), cfg.reps);
  const P = new Matrix(n, 2, r.normalArray(2 * n));
  ours[`pairwiseSqDist ${n}x2`] = best(() => pairwiseSqDist(P), cfg.reps);
}
closeWorkerPool();
const env: Record<string, string> = {
  OPENBLAS_NUM_THREADS: threads,
  OMP_NUM_THREADS: threads,
  MKL_NUM_THREADS: threads,
};
const py = await new Deno.Command("/usr/bin/python3", {
  args: [new URL("./core_vs_numpy.py", import.meta.url).pathname, JSON.stringify(cfg)],
  env,
  stdout: "piped",
  stderr: "inherit",
}).output();
if (!py.success) throw new Error("python peer failed");
const peer = JSON.parse(new TextDecoder().decode(py.stdout)) as Record<string, number>;
console.log(`threads: ${threads} each\n| kernel | parsimony (ms) | numpy/scipy (ms) | ratio |\n|---|---|---|---|`);
for (const k of Object.keys(ours)) {
  console.log(`| ${k} | ${ours[k].toFixed(2)} | ${peer[k].toFixed(2)} | ${(ours[k] / peer[k]).toFixed(2)} |`);
}
