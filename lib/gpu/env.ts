/**
 * Environment switches of lib/gpu. `readEnv` itself lives in lib/core/env.ts (Deno only when the
 * permission is already granted, then Node's `process.env`; browsers get `undefined`).
 *
 * @module
 */

import { readEnv } from "../core/env.ts";

/** Value of an environment variable (re-exported from lib/core/env.ts, its one implementation). */
export { readEnv };

/** True when `PARSIMONY_GPU_DEBUG` is set to a non-empty value other than `0`: the runtime prints each WGSL kernel it compiles. */
export function gpuDebug(): boolean {
  const v = readEnv("PARSIMONY_GPU_DEBUG");
  return v !== undefined && v !== "" && v !== "0";
}
