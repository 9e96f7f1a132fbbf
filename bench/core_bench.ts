/**
 * Core kernels: `deno bench -A bench/core_bench.ts`. Sizes stay small enough for a 2-core machine.
 * (Side-by-side comparisons with Python peers live in the family benches.)
 */
import { gemm, gemv, logSumExpCols, logSumExpRows, Matrix, pairwiseSqDist, Rng, sum } from "../lib/core/mod.ts";

const r = new Rng(1);
const mats = new Map<number, Matrix>();
for (const n of [64, 128, 256]) mats.set(n, new Matrix(n, n, r.normalArray(n * n)));
const big = new Matrix(1000, 1000, r.normalArray(1_000_000));
const pts = new Matrix(1000, 2, r.normalArray(2000));
const x1e6 = r.normalArray(1_000_000);

for (const n of [64, 128, 256]) {
  const A = mats.get(n)!;
  Deno.bench(`gemm ${n}×${n}`, { group: `gemm ${n}`, baseline: true }, () => {
    gemm(A, A);
  });
  Deno.bench(`gemm ${n}×${n} A·Bᵀ`, { group: `gemm ${n}` }, () => {
    gemm(A, A, { transB: true });
  });
}
Deno.bench("gemv 1000×1000", () => {
  gemv(big, x1e6.subarray(0, 1000));
});
Deno.bench("logSumExpRows 1000×1000", { group: "lse", baseline: true }, () => {
  logSumExpRows(big);
});
Deno.bench("logSumExpCols 1000×1000", { group: "lse" }, () => {
  logSumExpCols(big);
});
Deno.bench("pairwiseSqDist 1000×1000×2", () => {
  pairwiseSqDist(pts);
});
Deno.bench("Rng.normalArray 1e5", () => {
  new Rng(2).normalArray(100_000);
});
Deno.bench("sum (Neumaier) 1e6", () => {
  sum(x1e6);
});
