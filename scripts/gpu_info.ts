/**
 * `deno task gpu-info`: print the WebGPU adapter parsimony will use (vendor, description,
 * fallback flag, features, the limits that matter to the kernels), then run one tiny kernel
 * on it and compare with the f64 CPU twin, so a broken driver shows up here and not inside
 * a solver. `--json` prints the full `gpu.info()` object instead.
 */
import { parseArgs } from "node:util";
import { gpu, resetGpuRuntime } from "../lib/gpu/mod.ts";
import { logSumExpRows } from "../lib/core/reduce.ts";

const { values } = parseArgs({ args: Deno.args, options: { json: { type: "boolean", default: false } } });

const info = await gpu.info();
if (values.json) {
  console.log(JSON.stringify(info, null, 2));
  Deno.exit(0);
}
if (!info.available) {
  console.log(`WebGPU: no adapter — ${info.reason}`);
  console.log(
    "parsimony runs every kernel on its f64 CPU twin (backend 'auto' and 'cpu'); backend 'gpu' throws BackendError.",
  );
  Deno.exit(0);
}
console.log(`WebGPU adapter: ${info.description || "(no description)"}`);
console.log(`  vendor ${info.vendor || "?"}, architecture ${info.architecture || "?"}, device ${info.device || "?"}`);
console.log(
  `  software fallback adapter: ${
    info.isFallbackAdapter ? "yes (backend 'auto' keeps the CPU; force with backend: 'gpu')" : "no"
  }`,
);
const keys = [
  "maxStorageBufferBindingSize",
  "maxBufferSize",
  "maxComputeWorkgroupSizeX",
  "maxComputeInvocationsPerWorkgroup",
  "maxComputeWorkgroupStorageSize",
  "maxComputeWorkgroupsPerDimension",
];
for (const k of keys) console.log(`  ${k.padEnd(36)} ${info.limits[k]}`);
console.log(`  features: ${info.features.join(", ") || "(none)"}`);
console.log(`  PARSIMONY_BACKEND=${Deno.env.get("PARSIMONY_BACKEND") ?? "(unset: auto)"}`);

const A = [[0, 1, 2], [-Infinity, 3, 3], [1e3, -1e3, 0]];
const t = performance.now();
const r = await gpu.logSumExpRows(A, { backend: "gpu" });
const ref = logSumExpRows(A);
const err = Math.max(...r.value.map((v, i) => Math.abs(v - ref[i])));
console.log(
  `smoke test logSumExpRows 3×3 on ${r.backend} (${r.backendReason}): max |gpu − f64| = ${err.toExponential(2)} in ${
    (performance.now() - t).toFixed(1)
  } ms`,
);
await resetGpuRuntime();
if (r.backend !== "gpu" || !(err < 1e-4)) {
  console.log("smoke test FAILED");
  Deno.exit(1);
}
