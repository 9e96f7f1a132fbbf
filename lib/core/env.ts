/**
 * Reading configuration from the environment without assuming a runtime: Deno (only when the
 * permission is already granted, so a notebook never blocks on a permission prompt), then
 * Node's `process.env`; browsers have neither and get `undefined`. Used for the toolkit's
 * environment switches (`PARSIMONY_BACKEND`, `PARSIMONY_THREADS`, `PARSIMONY_GPU_DEBUG`).
 *
 * @module
 */

interface DenoLike {
  permissions?: { querySync?(d: { name: "env"; variable: string }): { state: string } };
  env?: { get(k: string): string | undefined };
}

/**
 * Value of an environment variable, or `undefined` when unset, not readable (no env
 * permission) or there is no environment (browsers).
 *
 * @param name variable name
 * @returns its value or `undefined`
 * @example
 * ```ts
 * import { readEnv } from "@parsimony/parsimony/core";
 * typeof (readEnv("PARSIMONY_BACKEND") ?? ""); // => "string"
 * ```
 */
export function readEnv(name: string): string | undefined {
  const g = globalThis as { Deno?: DenoLike; process?: { env?: Record<string, string | undefined> } };
  if (g.Deno !== undefined) {
    try {
      const q = g.Deno.permissions?.querySync?.({ name: "env", variable: name });
      if (q && q.state !== "granted") return undefined;
      return g.Deno.env?.get(name);
    } catch {
      return undefined;
    }
  }
  try {
    return g.process?.env?.[name];
  } catch {
    return undefined;
  }
}
