import { gpu, resetGpuRuntime } from "./lib/gpu/mod.ts";
import { Matrix, Rng } from "./lib/core/mod.ts";
const r = new Rng(1);
const A = new Matrix(300, 300, r.normalArray(90000));
for (let i = 0; i < 3; i++) {
  await gpu.logSumExpRows(A, { backend: "gpu" });
  await gpu.gemm(A, A, { backend: "gpu" });
}
if (Deno.args[0] === "reset") await resetGpuRuntime();
console.log("done");
