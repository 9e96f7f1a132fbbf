/**
 * Shared by the GPU tests: whether a WebGPU adapter exists (printed once per test file, with
 * its description, so CI logs show which adapter the parity tests ran on), a `gpuTest`
 * wrapper, and f32 error-analysis constants.
 *
 * GPU parity tests are skipped ONLY when there is no adapter at all (no `navigator.gpu`, or
 * `requestAdapter()` returns null); the skip is printed. Where an adapter exists they run.
 */
import { gpu, resetGpuRuntime } from "../../lib/gpu/mod.ts";
import { Matrix } from "../../lib/core/matrix.ts";
import type { Rng } from "../../lib/core/rng.ts";

/** f32 unit roundoff u = 2⁻²⁴ (round to nearest). */
export const U = 2 ** -24;

const info = await gpu.info();
/** True when a WebGPU adapter is present: the GPU tests must then run. */
export const HAVE_GPU: boolean = info.available;
if (info.available) {
  console.log(
    `[gpu tests] WebGPU adapter: ${info.description} (vendor ${info.vendor}, fallback ${info.isFallbackAdapter})`,
  );
} else {
  console.log(
    `[gpu tests] SKIPPING GPU parity tests: no WebGPU adapter (${info.reason}). CPU fallback tests still run.`,
  );
}

/**
 * A Deno test that needs the GPU. Sanitizers: the WebGPU device, its buffers and pipelines
 * live for the whole process by design (one cached device; pooled buffers), and `mapAsync`
 * resolves through the device's event loop, so the resource and op sanitizers would flag the
 * runtime's intended caching rather than a leak in the test.
 */
export function gpuTest(name: string, fn: () => Promise<void>): void {
  Deno.test({ name, ignore: !HAVE_GPU, sanitizeResources: false, sanitizeOps: false, fn });
}

/** A test that does not need an adapter but touches the runtime (same sanitizer reasoning). */
export function runtimeTest(name: string, fn: () => Promise<void>): void {
  Deno.test({ name, sanitizeResources: false, sanitizeOps: false, fn });
}

/** Seeded n×m standard normal matrix. */
export function randn(r: Rng, n: number, m: number, sd = 1): Matrix {
  return new Matrix(n, m, r.normalArray(n * m, 0, sd));
}

/** Round every entry to f32 (inputs then upload exactly). */
export function fround(M: Matrix): Matrix {
  return new Matrix(M.rows, M.cols, Float64Array.from(M.data, Math.fround));
}

/** Shapes with sizes of 1, sizes that are not multiples of any workgroup or tile, and tile edges. */
export const SHAPES: readonly [number, number][] = [[1, 1], [1, 7], [7, 1], [3, 65], [65, 3], [64, 64], [129, 257], [
  300,
  33,
]];

/** Restore the default adapter provider and a fresh device. */
export async function restoreRuntime(): Promise<void> {
  await resetGpuRuntime();
}

/** Max over i of |a_i − b_i| − tol_i, with the worst index, for a readable failure message. */
export function worst(
  actual: ArrayLike<number>,
  expected: ArrayLike<number>,
  tol: (i: number) => number,
): { excess: number; i: number; a: number; e: number; tol: number } {
  let w = { excess: -Infinity, i: -1, a: NaN, e: NaN, tol: NaN };
  for (let i = 0; i < expected.length; i++) {
    const a = actual[i], e = expected[i];
    const t = tol(i);
    const d = a === e ? 0 : Math.abs(a - e);
    const ex = Number.isNaN(d) ? Infinity : d - t;
    if (ex > w.excess) w = { excess: ex, i, a, e, tol: t };
  }
  return w;
}

/** Assert |a_i − e_i| ≤ tol(i) for all i (equal infinities pass). */
export function assertWithin(
  actual: ArrayLike<number>,
  expected: ArrayLike<number>,
  tol: (i: number) => number,
  what: string,
): void {
  if (actual.length !== expected.length) throw new Error(`${what}: length ${actual.length} ≠ ${expected.length}`);
  const w = worst(actual, expected, tol);
  if (w.excess > 0) {
    throw new Error(`${what}: entry ${w.i}: gpu ${w.a} vs f64 ${w.e}, |diff| ${Math.abs(w.a - w.e)} > tol ${w.tol}`);
  }
}
