/**
 * The shape of a WGSL compute kernel in parsimony (after tfjs's `WebGPUProgram`): the WGSL
 * source plus the metadata the runtime in `lib/gpu` needs to build, cache and launch it.
 *
 * A kernel is declared with {@linkcode defineKernel}: its uniform parameters and storage
 * bindings are listed once, and the WGSL declarations (`struct Params`, `var<uniform>
 * params`, `var<storage>` arrays) are generated from that list and prepended to the body, so
 * the metadata and the shader cannot disagree. Binding 0 is always the uniform `params`;
 * storage bindings follow in the listed order.
 *
 * @module
 */

/** Scalar type of a uniform parameter (every parameter is 4 bytes). */
export type KernelScalar = "u32" | "i32" | "f32";

/** One field of the kernel's uniform `Params` struct. */
export interface KernelParam {
  /** Field name in WGSL (`params.<name>`). */
  readonly name: string;
  /** Scalar type. */
  readonly type: KernelScalar;
}

/** One storage binding of a kernel. */
export interface KernelBinding {
  /** `@binding` index (1, 2, …; 0 is the uniform params). */
  readonly binding: number;
  /** Variable name in WGSL. */
  readonly name: string;
  /** `"read"` for inputs, `"read_write"` for outputs. */
  readonly access: "read" | "read_write";
  /**
   * Element type of the `array<…>`; `"atomic<u32>"` (histograms, counters) only with `"read_write"`
   * access — the buffer is an ordinary u32 matrix on the host.
   */
  readonly type: "f32" | "u32" | "atomic<u32>";
}

/** A compiled-ready WGSL kernel: source plus launch metadata. */
export interface WgslKernel {
  /** Kernel name; the CPU twin has the camelCase of the same word (e.g. `logSumExpRows`). */
  readonly name: string;
  /** Where the f64 CPU twin lives, e.g. `"logSumExpRows (lib/core/reduce.ts)"`. */
  readonly twin: string;
  /** Full WGSL source (generated declarations + body). */
  readonly code: string;
  /** Name of the `@compute` entry point. */
  readonly entryPoint: string;
  /** `@workgroup_size` (x, y, z). */
  readonly workgroupSize: readonly [number, number, number];
  /** Uniform parameters, in struct order (binding 0). */
  readonly params: readonly KernelParam[];
  /** Storage bindings (1, 2, …). */
  readonly bindings: readonly KernelBinding[];
  /** Pipeline cache key: name, workgroup size, entry point and a 64-bit hash of the source. */
  readonly cacheKey: string;
}

/** What {@linkcode defineKernel} takes. */
export interface KernelSpec {
  /** Kernel name (also the prefix of the cache key). */
  readonly name: string;
  /** The CPU twin, for documentation and error messages. */
  readonly twin: string;
  /** Workgroup size; the body refers to it as `WG_X`, `WG_Y`, `WG_Z` and `WG` (= x·y·z). */
  readonly workgroupSize: readonly [number, number, number];
  /** Uniform parameters (may be empty). */
  readonly params: readonly KernelParam[];
  /** Storage arrays in binding order. */
  readonly buffers: readonly Omit<KernelBinding, "binding">[];
  /** WGSL after the generated declarations: helper functions, workgroup variables, entry point `main`. */
  readonly body: string;
  /** Entry point name. @default "main" */
  readonly entryPoint?: string;
}

/** 64-bit FNV-1a of a string, as 16 hex digits (two 32-bit lanes with different offsets). */
export function hashSource(s: string): string {
  let h1 = 0x811c9dc5 | 0, h2 = 0x050c5d1f | 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    h1 = Math.imul(h1 ^ c, 0x01000193);
    h2 = Math.imul(h2 ^ c, 0x01000193) ^ (h1 >>> 15);
  }
  return (h1 >>> 0).toString(16).padStart(8, "0") + (h2 >>> 0).toString(16).padStart(8, "0");
}

/**
 * Declare a kernel: generate the `Params` struct and binding declarations from the metadata,
 * prepend them (and the shared helpers {@linkcode WGSL_HELPERS}) to `body`, and compute the
 * cache key.
 *
 * @param spec name, twin, workgroup size, parameters, buffers and body
 * @returns the frozen kernel
 * @throws {RangeError} if the workgroup size is not three positive integers with product ≤ 256
 * (the WebGPU default `maxComputeInvocationsPerWorkgroup`, which every adapter supports), or an
 * atomic binding is not `read_write`
 * @example
 * ```ts
 * import { defineKernel } from "@parsimony/parsimony/gpu";
 * const k = defineKernel({
 *   name: "double", twin: "x => 2x", workgroupSize: [64, 1, 1],
 *   params: [{ name: "n", type: "u32" }],
 *   buffers: [{ name: "x", access: "read", type: "f32" }, { name: "y", access: "read_write", type: "f32" }],
 *   body: `@compute @workgroup_size(WG_X, WG_Y, WG_Z)
 * fn main(@builtin(global_invocation_id) g: vec3<u32>) { if (g.x < params.n) { y[g.x] = 2.0 * x[g.x]; } }`,
 * });
 * k.bindings[1].binding; // => 2
 * ```
 */
export function defineKernel(spec: KernelSpec): WgslKernel {
  const [x, y, z] = spec.workgroupSize;
  for (const v of spec.workgroupSize) {
    if (!Number.isInteger(v) || v < 1) {
      throw new RangeError(`defineKernel(${spec.name}): workgroup size ${spec.workgroupSize}`);
    }
  }
  if (x * y * z > 256) throw new RangeError(`defineKernel(${spec.name}): ${x * y * z} invocations per workgroup > 256`);
  for (const b of spec.buffers) {
    if (b.type === "atomic<u32>" && b.access !== "read_write") {
      throw new RangeError(`defineKernel(${spec.name}): atomic binding '${b.name}' must be read_write`);
    }
  }
  const entryPoint = spec.entryPoint ?? "main";
  const params = spec.params.length ? spec.params : [{ name: "_pad", type: "u32" as const }];
  const bindings: KernelBinding[] = spec.buffers.map((b, i) => ({ ...b, binding: i + 1 }));
  const decl = [
    `// parsimony kernel ${spec.name} (twin: ${spec.twin})`,
    `const WG_X: u32 = ${x}u;`,
    `const WG_Y: u32 = ${y}u;`,
    `const WG_Z: u32 = ${z}u;`,
    `const WG: u32 = ${x * y * z}u;`,
    `struct Params {`,
    ...params.map((p) => `  ${p.name}: ${p.type},`),
    `}`,
    `@group(0) @binding(0) var<uniform> params: Params;`,
    ...bindings.map((b) => `@group(0) @binding(${b.binding}) var<storage, ${b.access}> ${b.name}: array<${b.type}>;`),
    WGSL_HELPERS,
  ].join("\n");
  const code = `${decl}\n${spec.body}\n`;
  return Object.freeze({
    name: spec.name,
    twin: spec.twin,
    code,
    entryPoint,
    workgroupSize: Object.freeze([x, y, z]) as readonly [number, number, number],
    params: Object.freeze(params.map((p) => Object.freeze({ ...p }))),
    bindings: Object.freeze(bindings.map((b) => Object.freeze(b))),
    cacheKey: `${spec.name}/wg${x}x${y}x${z}/${entryPoint}/${hashSource(code)}`,
  });
}

/**
 * WGSL helpers shared by every kernel. Infinities are recognised and produced through their
 * bit patterns, never through float comparisons or constant folding: WGSL lets an
 * implementation assume that floating-point values are finite, so `x == -inf` may be compiled
 * away, while a `bitcast<u32>` comparison is exact everywhere.
 */
export const WGSL_HELPERS = `
fn pinf() -> f32 { return bitcast<f32>(0x7f800000u); }
fn ninf() -> f32 { return bitcast<f32>(0xff800000u); }
fn is_inf(x: f32) -> bool { return (bitcast<u32>(x) & 0x7fffffffu) == 0x7f800000u; }
fn is_ninf(x: f32) -> bool { return bitcast<u32>(x) == 0xff800000u; }
fn is_pinf(x: f32) -> bool { return bitcast<u32>(x) == 0x7f800000u; }
// Order-preserving map f32 -> u32 (−0 folded onto +0): a < b as floats iff key(a) < key(b).
fn f32_key(x: f32) -> u32 {
  var b = bitcast<u32>(x);
  if (b == 0x80000000u) { b = 0u; }
  if ((b >> 31u) == 1u) { return ~b; }
  return b ^ 0x80000000u;
}
fn key_f32(k: u32) -> f32 {
  if ((k >> 31u) == 1u) { return bitcast<f32>(k ^ 0x80000000u); }
  return bitcast<f32>(~k);
}
// x, hidden from algebraic simplification: g is a runtime value that is never 0xffffffff
// (a dimension), so the compiler cannot fold (opaque(s + y, g) - s) - y to 0 (Kahan).
fn opaque(x: f32, g: u32) -> f32 { return select(x, 0.0, g == 0xffffffffu); }
// Linear workgroup index of a possibly 2-D grid (dispatches above 65535 groups fold into y).
fn group_index(wid: vec3<u32>, nwg: vec3<u32>) -> u32 { return wid.y * nwg.x + wid.x; }
`;
