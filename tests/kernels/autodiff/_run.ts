/**
 * Launch one autodiff kernel on f32-representable inputs and read its outputs back; shared by
 * the parity tests of kernels/autodiff/.
 */
import { gpu, type GpuMatrix, type WgslKernel } from "../../../lib/gpu/mod.ts";

/** A buffer for {@linkcode runKernel}: host values (f32 or u32) or an output of n entries. */
export type Buf = { f32: ArrayLike<number> } | { u32: ArrayLike<number> } | { out: number; init?: ArrayLike<number> };

/**
 * Upload the buffers, dispatch `kernel` once over `groups` workgroups, read back every buffer.
 *
 * @returns the contents of every buffer after the dispatch, in order
 */
export async function runKernel(
  kernel: WgslKernel,
  bufs: readonly Buf[],
  params: Record<string, number>,
  groups: number,
): Promise<Float64Array[]> {
  const dev = await gpu.device();
  const ms: GpuMatrix[] = bufs.map((b) => {
    if ("u32" in b) {
      const m = dev.alloc(b.u32.length, 1, "u32");
      dev.writeU32(m, b.u32);
      return m;
    }
    if ("f32" in b) return dev.upload(Float64Array.from(b.f32));
    const m = dev.alloc(b.out);
    dev.write(m, b.init ?? new Float64Array(b.out));
    return m;
  });
  try {
    const batch = dev.batch();
    batch.dispatch(kernel, ms, params, groups);
    return await batch.run(ms);
  } finally {
    for (const m of ms) m.release();
  }
}

/** Round every entry to f32 (so the kernel sees exactly the twin's inputs). */
export function f32(x: ArrayLike<number>): Float64Array {
  return Float64Array.from(x, Math.fround);
}
