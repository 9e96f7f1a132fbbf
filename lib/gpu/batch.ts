/**
 * `GpuBatch`: the dispatch helper. Record several kernel passes on device-resident
 * {@linkcode GpuMatrix} handles, then {@linkcode GpuBatch.run} encodes them into ONE command
 * encoder (consecutive dispatches share one compute pass; WebGPU orders their storage
 * accesses), writes all uniform parameters with one `writeBuffer` into a pooled arena (one
 * 256-byte slot per dispatch), submits once, and copies back only the ranges asked for,
 * through one staging buffer and one `mapAsync`.
 *
 * Every buffer comes from the device's pool and bind groups are cached by (kernel, buffers,
 * slot), so a solver that records the same passes each iteration allocates nothing after the
 * first one — `runtime.stats.buffersCreated` stays flat.
 *
 * The named methods (`gemm`, `logSumExpRows`, …) are trusted device-level operations: they
 * check shapes (throwing {@linkcode ShapeError}) but not values; validation of values
 * happens once at the public boundary (the `gpu.*` ops, or the calling solver).
 *
 * @module
 */

import { ShapeError } from "../core/errors.ts";
import type { WgslKernel } from "../../kernels/_kernel.ts";
import { elementwiseMapKernel, elementwiseZipKernel, type MapOp, type ZipOp } from "../../kernels/core/elementwise.ts";
import { type ReduceOp, reduceRowsKernel, rowWorkgroupSize } from "../../kernels/core/reduce_rows.ts";
import {
  COL_TILE,
  colChunks,
  reduceColsFinishKernel,
  reduceColsPartialKernel,
} from "../../kernels/core/reduce_cols.ts";
import { softmaxColsNormalizeKernel, softmaxRowsKernel } from "../../kernels/core/softmax.ts";
import { GEMM_TILE, tiledKernel } from "../../kernels/core/gemm.ts";
import { K_SMALLEST_MAX_K, kSmallestPerRowKernel } from "../../kernels/core/k_smallest_per_row.ts";
import { type GpuDevice, GpuMatrix, GpuRuntimeError, readBack, type ReadRange, UNIFORM_SLOT_BYTES } from "./runtime.ts";

interface DispatchCmd {
  readonly kind: "dispatch";
  readonly kernel: WgslKernel;
  readonly buffers: readonly GPUBuffer[];
  readonly params: Uint8Array;
  readonly groups: readonly [number, number, number];
}
interface CopyCmd {
  readonly kind: "copy";
  readonly src: GPUBuffer;
  readonly dst: GPUBuffer;
  readonly bytes: number;
}

/** Log-sum-exp / softmax inputs on the device: L_ij = scale·A_ij + u_i + v_j. */
export interface DeviceAffine {
  /** s. @default 1 */
  readonly scale?: number;
  /** u (length rows); −∞ entries are zero weights. */
  readonly rowOffset?: GpuMatrix;
  /** v (length cols); −∞ entries are zero weights. */
  readonly colOffset?: GpuMatrix;
}

/** Epilogue out = outScale·r + outOffset (device). */
export interface DeviceEpilogue {
  /** α (≠ 0). @default 1 */
  readonly outScale?: number;
  /** b, one entry per output. */
  readonly outOffset?: GpuMatrix;
}

/** Pack kernel parameters into a uniform slot following the kernel's declared order. */
function packParams(kernel: WgslKernel, values: Readonly<Record<string, number>>): Uint8Array {
  const bytes = new Uint8Array(UNIFORM_SLOT_BYTES);
  const dv = new DataView(bytes.buffer);
  kernel.params.forEach((p, i) => {
    const v = values[p.name];
    if (v === undefined) {
      if (p.name === "_pad") return;
      throw new RangeError(`${kernel.name}: parameter '${p.name}' not given`);
    }
    if (p.type === "f32") dv.setFloat32(4 * i, v, true);
    else if (p.type === "i32") dv.setInt32(4 * i, v, true);
    else {
      if (!(Number.isInteger(v) && v >= 0 && v <= 0xffffffff)) {
        throw new RangeError(`${kernel.name}: '${p.name}' = ${v} is not a u32`);
      }
      dv.setUint32(4 * i, v, true);
    }
  });
  return bytes;
}

/**
 * A recorded sequence of GPU passes, run with one submission.
 *
 * @example
 * ```ts ignore
 * import { runtime } from "@parsimony/parsimony/gpu";
 * const dev = await runtime.device();
 * const C = dev.upload([[0, 1], [1, 0]]), f = dev.alloc(2), g = dev.alloc(2);
 * const batch = dev.batch();
 * batch.logSumExpRows(C, f, { scale: -10 });
 * batch.logSumExpCols(C, g, { scale: -10, rowOffset: f });
 * const [fv, gv] = await batch.run([f, g]); // one submission, two small readbacks
 * ```
 */
export class GpuBatch {
  /** The device the passes run on. */
  readonly device: GpuDevice;
  #cmds: (DispatchCmd | CopyCmd)[] = [];
  #leases: GpuMatrix[] = [];

  /** @param device the device (use `device.batch()`) */
  constructor(device: GpuDevice) {
    this.device = device;
  }

  /** Number of recorded commands not yet run. */
  get size(): number {
    return this.#cmds.length;
  }

  /**
   * A temporary device matrix that returns to the pool when this batch's next
   * {@linkcode GpuBatch.run} has submitted (later submissions are queue-ordered after it, so
   * reuse is safe).
   *
   * @returns a pooled matrix with unspecified contents
   */
  scratch(rows: number, cols = 1, dtype: "f32" | "u32" = "f32"): GpuMatrix {
    const m = this.device.alloc(rows, cols, dtype);
    this.#leases.push(m);
    return m;
  }

  /**
   * Record one dispatch of any {@linkcode WgslKernel} (also kernels other families define
   * with `defineKernel`).
   *
   * @param kernel the kernel
   * @param buffers storage matrices in the kernel's binding order
   * @param params a value for every declared parameter
   * @param workgroups a count (folded into a 2-D grid above the per-dimension limit; the
   *   kernel must then use `group_index`) or an explicit [x, y, z] grid
   * @returns this batch
   * @throws {ShapeError} when the buffer count does not match the kernel's bindings
   */
  dispatch(
    kernel: WgslKernel,
    buffers: readonly GpuMatrix[],
    params: Readonly<Record<string, number>>,
    workgroups: number | readonly [number, number, number],
  ): this {
    if (buffers.length !== kernel.bindings.length) {
      throw new ShapeError({
        fn: "GpuBatch.dispatch",
        arg: "buffers",
        expected: `${kernel.bindings.length} buffers for ${kernel.name} (${
          kernel.bindings.map((b) => b.name).join(", ")
        })`,
        got: `${buffers.length}`,
      });
    }
    // WebGPU rejects a writable binding whose buffer is also bound elsewhere in the dispatch.
    for (let i = 0; i < buffers.length; i++) {
      if (kernel.bindings[i].access !== "read_write") continue;
      const b = buffers[i].buffer;
      for (let j = 0; j < buffers.length; j++) {
        if (j !== i && buffers[j].buffer === b) {
          throw new ShapeError({
            fn: "GpuBatch.dispatch",
            arg: `buffers[${i}]`,
            expected: `an output (${kernel.bindings[i].name}) distinct from every other binding`,
            got: `the same buffer as buffers[${j}]`,
          });
        }
      }
    }
    const groups = typeof workgroups === "number" ? this.#grid(workgroups) : workgroups;
    if (groups.some((g) => g > this.device.maxWorkgroupsPerDimension)) {
      throw new ShapeError({
        fn: "GpuBatch.dispatch",
        arg: "workgroups",
        expected: `≤ ${this.device.maxWorkgroupsPerDimension} per dimension`,
        got: `${groups}`,
      });
    }
    if (groups[0] * groups[1] * groups[2] === 0) return this;
    this.#cmds.push({
      kind: "dispatch",
      kernel,
      buffers: buffers.map((b) => b.buffer),
      params: packParams(kernel, params),
      groups: [...groups] as [number, number, number],
    });
    return this;
  }

  #grid(n: number): [number, number, number] {
    const max = this.device.maxWorkgroupsPerDimension;
    if (n <= max) return [n, 1, 1];
    const y = Math.ceil(n / max);
    return [Math.ceil(n / y), y, 1];
  }

  /**
   * Record a copy of all of `src` into `dst` (same length).
   *
   * @returns this batch
   * @throws {ShapeError} on a length mismatch
   */
  copy(src: GpuMatrix, dst: GpuMatrix): this {
    if (src.length !== dst.length) {
      throw new ShapeError({ fn: "GpuBatch.copy", arg: "dst", expected: `length ${src.length}`, got: `${dst.length}` });
    }
    if (src.length) this.#cmds.push({ kind: "copy", src: src.buffer, dst: dst.buffer, bytes: src.byteLength });
    return this;
  }

  /**
   * Encode everything recorded into one command encoder, submit once, and read back the
   * requested ranges (f32 → f64). The batch is empty afterwards and can record the next
   * iteration.
   *
   * With no reads it resolves once the submission is validated, without waiting for the GPU
   * (later submissions and readbacks are queue-ordered after it), so a solver can keep
   * recording; pass `{ wait: true }` to wait for completion (benchmarks). Every wait costs a
   * host round trip — in Deno 2.x at least 10 ms, as `mapAsync` polls the device on a 10 ms
   * timer whatever the GPU — so read back every k iterations, not every one, and put several
   * iterations in one batch.
   *
   * @param reads matrices (whole) or {@linkcode ReadRange}s to bring back, in order
   * @param options `wait`: with no reads, also wait until the GPU has finished
   * @returns one Float64Array per read
   * @throws {GpuRuntimeError} on device loss or a WebGPU validation / out-of-memory error
   */
  async run(reads: readonly (GpuMatrix | ReadRange)[] = [], options: { wait?: boolean } = {}): Promise<Float64Array[]> {
    const dev = this.device;
    const cmds = this.#cmds;
    const leases = this.#leases;
    this.#cmds = [];
    this.#leases = [];
    let arena: GPUBuffer | null = null;
    const releaseAll = () => {
      for (const m of leases) m.release();
      leases.length = 0;
      if (arena) dev.recycle(arena);
      arena = null;
    };
    try {
      dev.assertAlive();
      const entries = cmds.map((c) => c.kind === "dispatch" ? dev.pipeline(c.kernel) : null);
      const pipes = await Promise.all(entries.map((e) => e?.pipeline ?? null));
      dev.assertAlive();
      const nd = entries.filter((e) => e !== null).length;
      if (nd > 0) {
        arena = dev.acquireUniform(nd * UNIFORM_SLOT_BYTES);
        const all = new Uint8Array(nd * UNIFORM_SLOT_BYTES);
        let s = 0;
        for (const c of cmds) if (c.kind === "dispatch") all.set(c.params, UNIFORM_SLOT_BYTES * s++);
        dev.gpu.queue.writeBuffer(arena, 0, all);
      }
      const ranges: ReadRange[] = reads.map((r) => r instanceof GpuMatrix ? { matrix: r } : r);
      return await readBack(
        dev,
        ranges,
        (enc) => {
          let pass: GPUComputePassEncoder | null = null;
          let slot = 0;
          cmds.forEach((c, i) => {
            if (c.kind === "copy") {
              if (pass) pass.end();
              pass = null;
              enc.copyBufferToBuffer(c.src, 0, c.dst, 0, c.bytes);
              return;
            }
            const entry = entries[i]!;
            const bg = dev.bindGroup(
              c.kernel,
              entry.layout,
              arena as GPUBuffer,
              slot * UNIFORM_SLOT_BYTES,
              c.buffers,
              c.buffers.map((b) => b.size),
            );
            slot++;
            if (!pass) pass = enc.beginComputePass();
            pass.setPipeline(pipes[i] as GPUComputePipeline);
            pass.setBindGroup(0, bg);
            pass.dispatchWorkgroups(c.groups[0], c.groups[1], c.groups[2]);
          });
          if (pass) (pass as GPUComputePassEncoder).end();
          return nd;
        },
        releaseAll,
        options.wait ?? false,
      );
    } catch (e) {
      releaseAll();
      if (e instanceof GpuRuntimeError || e instanceof ShapeError) throw e;
      throw new GpuRuntimeError(
        `GPU batch failed${dev.lostReason ? ` (device lost: ${dev.lostReason})` : ""}: ${(e as Error)?.message ?? e}`,
      );
    }
  }

  // ---- named device operations ------------------------------------------------------------

  /**
   * C = α·op(A)·op(B) + β·C (tiled `gemm` kernel).
   *
   * @returns this batch
   * @throws {ShapeError} on mismatched dimensions
   */
  gemm(
    A: GpuMatrix,
    B: GpuMatrix,
    C: GpuMatrix,
    options: { transA?: boolean; transB?: boolean; alpha?: number; beta?: number } = {},
  ): this {
    const fn = "GpuBatch.gemm";
    const M = options.transA ? A.cols : A.rows, K = options.transA ? A.rows : A.cols;
    const KB = options.transB ? B.cols : B.rows, N = options.transB ? B.rows : B.cols;
    if (KB !== K) throw new ShapeError({ fn, arg: "B", expected: `inner dimension ${K}`, got: `${KB}` });
    if (C.rows !== M || C.cols !== N) {
      throw new ShapeError({ fn, arg: "C", expected: `shape ${M}×${N}`, got: `${C.rows}×${C.cols}` });
    }
    const beta = options.beta ?? 0;
    const kernel = tiledKernel({ kind: "gemm", transA: options.transA, transB: options.transB, beta: beta !== 0 });
    return this.dispatch(kernel, [A, B, C], { M, N, K, alpha: options.alpha ?? 1, beta, c: 0 }, [
      Math.ceil(N / GEMM_TILE),
      Math.ceil(M / GEMM_TILE),
      1,
    ]);
  }

  /**
   * D_ij = ‖x_i − y_j‖² (tiled, direct differences).
   *
   * @returns this batch
   * @throws {ShapeError} on mismatched dimensions
   */
  pairwiseSqDist(X: GpuMatrix, Y: GpuMatrix, D: GpuMatrix): this {
    return this.#dist("sqdist", X, Y, D, 0);
  }

  /**
   * K_ij = exp(−‖x_i − y_j‖²/(2σ²)).
   *
   * @returns this batch
   * @throws {ShapeError} on mismatched dimensions
   */
  gaussianGram(X: GpuMatrix, Y: GpuMatrix, K: GpuMatrix, sigma: number): this {
    return this.#dist("gauss", X, Y, K, -1 / (2 * sigma * sigma));
  }

  #dist(kind: "sqdist" | "gauss", X: GpuMatrix, Y: GpuMatrix, D: GpuMatrix, c: number): this {
    const fn = kind === "sqdist" ? "GpuBatch.pairwiseSqDist" : "GpuBatch.gaussianGram";
    if (Y.cols !== X.cols) throw new ShapeError({ fn, arg: "Y", expected: `${X.cols} columns`, got: `${Y.cols}` });
    if (D.rows !== X.rows || D.cols !== Y.rows) {
      throw new ShapeError({ fn, arg: "out", expected: `shape ${X.rows}×${Y.rows}`, got: `${D.rows}×${D.cols}` });
    }
    return this.dispatch(tiledKernel({ kind }), [X, Y, D], { M: X.rows, N: Y.rows, K: X.cols, alpha: 1, beta: 0, c }, [
      Math.ceil(Y.rows / GEMM_TILE),
      Math.ceil(X.rows / GEMM_TILE),
      1,
    ]);
  }

  /**
   * y = α·op(A)·x (row reduction for A·x, two-pass column reduction for Aᵀ·x).
   *
   * @returns this batch
   * @throws {ShapeError} on mismatched lengths
   */
  gemv(A: GpuMatrix, x: GpuMatrix, y: GpuMatrix, options: { trans?: boolean; alpha?: number } = {}): this {
    const fn = "GpuBatch.gemv";
    const nIn = options.trans ? A.rows : A.cols, nOut = options.trans ? A.cols : A.rows;
    if (x.length !== nIn) throw new ShapeError({ fn, arg: "x", expected: `length ${nIn}`, got: `${x.length}` });
    if (y.length !== nOut) throw new ShapeError({ fn, arg: "y", expected: `length ${nOut}`, got: `${y.length}` });
    const ep = { outScale: options.alpha ?? 1 };
    return options.trans ? this.#cols("dot", A, y, x, {}, ep) : this.#rows("dot", A, y, x, {}, ep);
  }

  /**
   * out_i = α·log Σ_j exp(s·A_ij + u_i + v_j) + b_i (Sinkhorn K1).
   *
   * @returns this batch
   * @throws {ShapeError} on mismatched lengths
   */
  logSumExpRows(A: GpuMatrix, out: GpuMatrix, options: DeviceAffine & DeviceEpilogue = {}): this {
    return this.#rows("lse", A, out, null, options, options);
  }

  /**
   * out_j = α·log Σ_i exp(s·A_ij + u_i + v_j) + b_j (Sinkhorn K2; two passes).
   *
   * @returns this batch
   * @throws {ShapeError} on mismatched lengths
   */
  logSumExpCols(A: GpuMatrix, out: GpuMatrix, options: DeviceAffine & DeviceEpilogue = {}): this {
    return this.#cols("lse", A, out, null, options, options);
  }

  /** out_i = α·Σ_j A_ij + b_i. @returns this batch */
  sumRows(A: GpuMatrix, out: GpuMatrix, options: DeviceEpilogue = {}): this {
    return this.#rows("sum", A, out, null, {}, options);
  }

  /** out_j = α·Σ_i A_ij + b_j. @returns this batch */
  sumCols(A: GpuMatrix, out: GpuMatrix, options: DeviceEpilogue = {}): this {
    return this.#cols("sum", A, out, null, {}, options);
  }

  /** out_i = α·max_j A_ij + b_i. @returns this batch */
  maxRows(A: GpuMatrix, out: GpuMatrix, options: DeviceEpilogue = {}): this {
    return this.#rows("max", A, out, null, {}, options);
  }

  /** out_j = α·max_i A_ij + b_j. @returns this batch */
  maxCols(A: GpuMatrix, out: GpuMatrix, options: DeviceEpilogue = {}): this {
    return this.#cols("max", A, out, null, {}, options);
  }

  #checkAffine(fn: string, A: GpuMatrix, aff: DeviceAffine): void {
    if (aff.rowOffset && aff.rowOffset.length !== A.rows) {
      throw new ShapeError({
        fn,
        arg: "options.rowOffset",
        expected: `length ${A.rows}`,
        got: `${aff.rowOffset.length}`,
      });
    }
    if (aff.colOffset && aff.colOffset.length !== A.cols) {
      throw new ShapeError({
        fn,
        arg: "options.colOffset",
        expected: `length ${A.cols}`,
        got: `${aff.colOffset.length}`,
      });
    }
  }

  #rows(op: ReduceOp, A: GpuMatrix, out: GpuMatrix, x: GpuMatrix | null, aff: DeviceAffine, ep: DeviceEpilogue): this {
    const fn = `GpuBatch.${op === "dot" ? "gemv" : op === "lse" ? "logSumExpRows" : op + "Rows"}`;
    if (out.length !== A.rows) {
      throw new ShapeError({ fn, arg: "out", expected: `length ${A.rows}`, got: `${out.length}` });
    }
    if (ep.outOffset && ep.outOffset.length !== A.rows) {
      throw new ShapeError({
        fn,
        arg: "options.outOffset",
        expected: `length ${A.rows}`,
        got: `${ep.outOffset.length}`,
      });
    }
    this.#checkAffine(fn, A, aff);
    if (A.rows === 0) return this;
    const wg = rowWorkgroupSize(A.cols);
    const kernel = reduceRowsKernel(op, wg, {
      affine: { rowOffset: !!aff.rowOffset, colOffset: !!aff.colOffset },
      outOffset: !!ep.outOffset,
    });
    const bufs: GpuMatrix[] = [A];
    if (op === "dot") bufs.push(x as GpuMatrix);
    if (op === "lse" && aff.rowOffset) bufs.push(aff.rowOffset);
    if (op === "lse" && aff.colOffset) bufs.push(aff.colOffset);
    if (ep.outOffset) bufs.push(ep.outOffset);
    bufs.push(out);
    return this.dispatch(kernel, bufs, {
      rows: A.rows,
      cols: A.cols,
      scale: aff.scale ?? 1,
      alpha: ep.outScale ?? 1,
      beta: ep.outOffset ? 1 : 0,
    }, A.rows);
  }

  #cols(
    op: ReduceOp,
    A: GpuMatrix,
    out: GpuMatrix,
    x: GpuMatrix | null,
    aff: DeviceAffine,
    ep: DeviceEpilogue,
    stats = false,
  ): this {
    const fn = `GpuBatch.${op === "dot" ? "gemv" : op === "lse" ? "logSumExpCols" : op + "Cols"}`;
    const outLen = stats ? 2 * A.cols : A.cols;
    if (out.length !== outLen) {
      throw new ShapeError({ fn, arg: "out", expected: `length ${outLen}`, got: `${out.length}` });
    }
    if (ep.outOffset && ep.outOffset.length !== A.cols) {
      throw new ShapeError({
        fn,
        arg: "options.outOffset",
        expected: `length ${A.cols}`,
        got: `${ep.outOffset.length}`,
      });
    }
    this.#checkAffine(fn, A, aff);
    if (A.cols === 0) return this;
    const { chunks, rowsPerChunk } = colChunks(A.rows);
    const part = this.scratch(2 * chunks * A.cols);
    const partial = reduceColsPartialKernel(op, { rowOffset: !!aff.rowOffset, colOffset: !!aff.colOffset });
    const bufs: GpuMatrix[] = [A];
    if (op === "dot") bufs.push(x as GpuMatrix);
    if (op === "lse" && aff.rowOffset) bufs.push(aff.rowOffset);
    if (op === "lse" && aff.colOffset) bufs.push(aff.colOffset);
    bufs.push(part);
    this.dispatch(partial, bufs, { rows: A.rows, cols: A.cols, rowsPerChunk, scale: aff.scale ?? 1 }, [
      Math.ceil(A.cols / COL_TILE),
      chunks,
      1,
    ]);
    const finish = reduceColsFinishKernel(op, stats ? "stats" : "value", !!ep.outOffset);
    const fb: GpuMatrix[] = [part];
    if (ep.outOffset) fb.push(ep.outOffset);
    fb.push(out);
    return this.dispatch(
      finish,
      fb,
      { cols: A.cols, chunks, alpha: ep.outScale ?? 1, beta: ep.outOffset ? 1 : 0 },
      Math.ceil(A.cols / 256),
    );
  }

  /**
   * Row softmax of L = s·A + u ⊕ v into `out` (same shape as A).
   *
   * @returns this batch
   * @throws {ShapeError} on mismatched shapes
   */
  softmaxRows(A: GpuMatrix, out: GpuMatrix, options: DeviceAffine = {}): this {
    const fn = "GpuBatch.softmaxRows";
    if (out.rows !== A.rows || out.cols !== A.cols) {
      throw new ShapeError({ fn, arg: "out", expected: `shape ${A.rows}×${A.cols}`, got: `${out.rows}×${out.cols}` });
    }
    this.#checkAffine(fn, A, options);
    if (A.length === 0) return this;
    const kernel = softmaxRowsKernel(rowWorkgroupSize(A.cols), {
      rowOffset: !!options.rowOffset,
      colOffset: !!options.colOffset,
    });
    const bufs: GpuMatrix[] = [A];
    if (options.rowOffset) bufs.push(options.rowOffset);
    if (options.colOffset) bufs.push(options.colOffset);
    bufs.push(out);
    return this.dispatch(kernel, bufs, { rows: A.rows, cols: A.cols, scale: options.scale ?? 1 }, A.rows);
  }

  /**
   * Column softmax of L = s·A + u ⊕ v into `out` (three passes: partial column log-sum-exp,
   * per-column (max, sum), entrywise normalisation).
   *
   * @returns this batch
   * @throws {ShapeError} on mismatched shapes
   */
  softmaxCols(A: GpuMatrix, out: GpuMatrix, options: DeviceAffine = {}): this {
    const fn = "GpuBatch.softmaxCols";
    if (out.rows !== A.rows || out.cols !== A.cols) {
      throw new ShapeError({ fn, arg: "out", expected: `shape ${A.rows}×${A.cols}`, got: `${out.rows}×${out.cols}` });
    }
    this.#checkAffine(fn, A, options);
    if (A.length === 0) return this;
    const stats = this.scratch(2 * A.cols);
    this.#cols("lse", A, stats, null, options, {}, true);
    const kernel = softmaxColsNormalizeKernel({ rowOffset: !!options.rowOffset, colOffset: !!options.colOffset });
    const bufs: GpuMatrix[] = [A];
    if (options.rowOffset) bufs.push(options.rowOffset);
    if (options.colOffset) bufs.push(options.colOffset);
    bufs.push(stats, out);
    return this.dispatch(
      kernel,
      bufs,
      { n: A.length, cols: A.cols, scale: options.scale ?? 1 },
      Math.ceil(A.length / 256),
    );
  }

  /**
   * The k smallest entries of each row of D (ascending, ties by smaller index) into
   * `values` (rows×k, f32) and `indices` (rows×k, u32).
   *
   * @returns this batch
   * @throws {ShapeError} on mismatched shapes or k > 64
   */
  kSmallestPerRow(
    D: GpuMatrix,
    k: number,
    values: GpuMatrix,
    indices: GpuMatrix,
    options: { excludeDiagonal?: boolean } = {},
  ): this {
    const fn = "GpuBatch.kSmallestPerRow";
    if (!Number.isInteger(k) || k < 1 || k > K_SMALLEST_MAX_K) {
      throw new ShapeError({ fn, arg: "k", expected: `an integer in [1, ${K_SMALLEST_MAX_K}]`, got: `${k}` });
    }
    if (values.length !== D.rows * k) {
      throw new ShapeError({ fn, arg: "values", expected: `length ${D.rows * k}`, got: `${values.length}` });
    }
    if (indices.length !== D.rows * k || indices.dtype !== "u32") {
      throw new ShapeError({
        fn,
        arg: "indices",
        expected: `a u32 matrix of length ${D.rows * k}`,
        got: `${indices.dtype} length ${indices.length}`,
      });
    }
    if (D.rows === 0) return this;
    return this.dispatch(kSmallestPerRowKernel(k), [D, values, indices], {
      rows: D.rows,
      cols: D.cols,
      excl: options.excludeDiagonal ? 1 : 0,
    }, D.rows);
  }

  /**
   * y = f(a·x + b) entrywise; `y` may be `x` (in place).
   *
   * @returns this batch
   * @throws {ShapeError} on a length mismatch
   */
  elementwiseMap(x: GpuMatrix, y: GpuMatrix, op: MapOp, params: { a?: number; b?: number } = {}): this {
    if (y.length !== x.length) {
      throw new ShapeError({
        fn: "GpuBatch.elementwiseMap",
        arg: "y",
        expected: `length ${x.length}`,
        got: `${y.length}`,
      });
    }
    const inPlace = x.buffer === y.buffer;
    const p = { n: x.length, a: params.a ?? 1, b: params.b ?? 0 };
    return this.dispatch(elementwiseMapKernel(op, inPlace), inPlace ? [x] : [x, y], p, Math.ceil(x.length / 256));
  }

  /**
   * z = g(α·x, β·y) entrywise; `z` may alias `x` or `y` (then a scratch buffer and a copy are used).
   *
   * @returns this batch
   * @throws {ShapeError} on a length mismatch
   */
  elementwiseZip(
    x: GpuMatrix,
    y: GpuMatrix,
    z: GpuMatrix,
    op: ZipOp,
    params: { alpha?: number; beta?: number } = {},
  ): this {
    const fn = "GpuBatch.elementwiseZip";
    if (y.length !== x.length) {
      throw new ShapeError({ fn, arg: "y", expected: `length ${x.length}`, got: `${y.length}` });
    }
    if (z.length !== x.length) {
      throw new ShapeError({ fn, arg: "z", expected: `length ${x.length}`, got: `${z.length}` });
    }
    const p = { n: x.length, alpha: params.alpha ?? 1, beta: params.beta ?? 1 };
    const aliased = z.buffer === x.buffer || z.buffer === y.buffer;
    const target = aliased ? this.scratch(z.rows, z.cols) : z;
    this.dispatch(elementwiseZipKernel(op), [x, y, target], p, Math.ceil(x.length / 256));
    if (aliased) this.copy(target, z);
    return this;
  }
}
