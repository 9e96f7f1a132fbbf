/**
 * The WebGPU runtime: adapter and device acquisition (one device per process, cached),
 * device-loss tracking, a pool of storage/uniform/staging buffers, the pipeline cache, and
 * device-resident matrices ({@linkcode GpuMatrix}) with f64 → f32 upload and f32 → f64
 * download.
 *
 * Nothing here touches `navigator.gpu` at import time, so the module loads in runtimes
 * without WebGPU (Node, older browsers); acquisition then reports "no adapter".
 *
 * @module
 */

import { BackendError, ShapeError } from "../core/errors.ts";
import { Matrix, type MatrixLike, toMatrix } from "../core/matrix.ts";
import type { WgslKernel } from "../../kernels/_kernel.ts";
import { gpuDebug } from "./env.ts";
import { GpuBatch } from "./batch.ts";

/** `GPUBufferUsage` bits (numeric, so nothing depends on WebGPU globals at import time). */
export const BUFFER_USAGE = Object.freeze({
  MAP_READ: 1,
  COPY_SRC: 4,
  COPY_DST: 8,
  UNIFORM: 64,
  STORAGE: 128,
});
const STORAGE_USAGE = BUFFER_USAGE.STORAGE | BUFFER_USAGE.COPY_SRC | BUFFER_USAGE.COPY_DST;
const UNIFORM_USAGE = BUFFER_USAGE.UNIFORM | BUFFER_USAGE.COPY_DST;
const STAGING_USAGE = BUFFER_USAGE.MAP_READ | BUFFER_USAGE.COPY_DST;
const MAP_MODE_READ = 1;

/** Where adapters come from; replace it in tests with {@linkcode setAdapterProvider}. */
export type AdapterProvider = () => Promise<GPUAdapter | null>;

/** Counters of GPU work since the process started (or {@linkcode GpuRuntime.resetStats}). */
export interface GpuStats {
  /** Devices requested successfully. */
  devicesCreated: number;
  /** `createBuffer` calls (any usage). A solver loop must not grow this per iteration. */
  buffersCreated: number;
  /** Buffer requests served from the pool instead of `createBuffer`. */
  buffersReused: number;
  /** Buffers destroyed (pool trimming, device reset). */
  buffersDestroyed: number;
  /** Bytes of all buffers created. */
  bytesCreated: number;
  /** Compute pipelines compiled. */
  pipelinesCreated: number;
  /** Pipeline requests served from the cache. */
  pipelineCacheHits: number;
  /** Bind groups created. */
  bindGroupsCreated: number;
  /** Bind group requests served from the cache. */
  bindGroupCacheHits: number;
  /** Queue submissions. */
  submits: number;
  /** Compute dispatches encoded. */
  dispatches: number;
  /** Bytes written host → device. */
  bytesUploaded: number;
  /** Bytes read device → host. */
  bytesDownloaded: number;
  /** Calls that fell back from the GPU to the CPU after an error or device loss. */
  fallbacks: number;
}

function zeroStats(): GpuStats {
  return {
    devicesCreated: 0,
    buffersCreated: 0,
    buffersReused: 0,
    buffersDestroyed: 0,
    bytesCreated: 0,
    pipelinesCreated: 0,
    pipelineCacheHits: 0,
    bindGroupsCreated: 0,
    bindGroupCacheHits: 0,
    submits: 0,
    dispatches: 0,
    bytesUploaded: 0,
    bytesDownloaded: 0,
    fallbacks: 0,
  };
}

/** A usable adapter, as {@linkcode GpuRuntime.info} reports it. */
export interface GpuInfoAvailable {
  /** An adapter was found. */
  readonly available: true;
  /** Vendor (PCI id or name, implementation-defined). */
  readonly vendor: string;
  /** Architecture (may be empty). */
  readonly architecture: string;
  /** Device (may be empty or an id). */
  readonly device: string;
  /** Human-readable description, e.g. `"llvmpipe (LLVM 15.0.6, 256 bits)"`. */
  readonly description: string;
  /** A software / fallback adapter (llvmpipe, SwiftShader, WARP). */
  readonly isFallbackAdapter: boolean;
  /** Optional features the adapter offers. */
  readonly features: readonly string[];
  /** The adapter's limits (numbers only). */
  readonly limits: Readonly<Record<string, number>>;
}

/** No usable adapter, with the reason. */
export interface GpuInfoUnavailable {
  /** No adapter. */
  readonly available: false;
  /** Why (no `navigator.gpu`, `requestAdapter()` gave null, an injected provider, …). */
  readonly reason: string;
}

/** What {@linkcode GpuRuntime.info} returns. */
export type GpuInfo = GpuInfoAvailable | GpuInfoUnavailable;

/**
 * An error raised by the WebGPU layer itself (device lost, validation or out-of-memory error
 * in a submission, a failed map). Public ops catch it and fall back to the CPU twin; it is
 * not a {@linkcode ParsimonyError} because it is not the caller's mistake.
 */
export class GpuRuntimeError extends Error {
  /** @param message what failed */
  constructor(message: string) {
    super(message);
    this.name = "GpuRuntimeError";
  }
}

interface PipelineEntry {
  readonly code: string;
  readonly layout: GPUBindGroupLayout;
  readonly pipeline: Promise<GPUComputePipeline>;
}

const BIND_GROUP_CACHE_MAX = 1024;
/** Free bytes the pool keeps before destroying returned buffers. */
const POOL_MAX_FREE_BYTES = 512 * 1024 * 1024;

/**
 * A WebGPU device with its buffer pool and caches. Obtained from
 * {@linkcode GpuRuntime.device} (or `selectBackend(...).device`), never constructed directly.
 */
export class GpuDevice {
  /** The underlying `GPUDevice`. */
  readonly gpu: GPUDevice;
  /** Adapter description, e.g. `"llvmpipe (LLVM 15.0.6, 256 bits)"`. */
  readonly description: string;
  /** Whether the adapter is a software fallback. */
  readonly isFallbackAdapter: boolean;
  /** Largest storage binding in bytes. */
  readonly maxStorageBindingBytes: number;
  /** Largest workgroup count per dispatch dimension. */
  readonly maxWorkgroupsPerDimension: number;
  readonly #stats: GpuStats;
  #lostReason: string | null = null;
  readonly #free = new Map<string, GPUBuffer[]>();
  #freeBytes = 0;
  readonly #pipelines = new Map<string, PipelineEntry>();
  readonly #bindGroups = new Map<string, GPUBindGroup>();
  readonly #ids = new WeakMap<GPUBuffer, number>();
  #nextId = 1;
  #scratch: Float32Array<ArrayBuffer> = new Float32Array(0);

  /** @internal Use {@linkcode GpuRuntime.device}. */
  constructor(gpu: GPUDevice, info: { description: string; isFallbackAdapter: boolean }, stats: GpuStats) {
    this.gpu = gpu;
    this.description = info.description;
    this.isFallbackAdapter = info.isFallbackAdapter;
    this.maxStorageBindingBytes = gpu.limits.maxStorageBufferBindingSize;
    this.maxWorkgroupsPerDimension = gpu.limits.maxComputeWorkgroupsPerDimension;
    this.#stats = stats;
  }

  /** Whether the device has been lost (destroyed, driver reset, …). */
  get lost(): boolean {
    return this.#lostReason !== null;
  }

  /** Why the device was lost, or `null`. */
  get lostReason(): string | null {
    return this.#lostReason;
  }

  /** @internal Called by the runtime when `device.lost` resolves. */
  markLost(reason: string): void {
    if (this.#lostReason === null) this.#lostReason = reason;
    this.#free.clear();
    this.#freeBytes = 0;
    this.#bindGroups.clear();
  }

  /** @internal Throw a {@linkcode GpuRuntimeError} if the device is lost. */
  assertAlive(): void {
    if (this.#lostReason !== null) throw new GpuRuntimeError(`WebGPU device lost (${this.#lostReason})`);
  }

  /** Most f32 entries one buffer may hold and still be bound as storage. */
  get maxEntries(): number {
    return Math.floor(this.maxStorageBindingBytes / 4);
  }

  /**
   * A new, empty {@linkcode GpuBatch} on this device: record passes, then `run()` them with
   * one submission.
   *
   * @returns the batch
   */
  batch(): GpuBatch {
    return new GpuBatch(this);
  }

  // ---- buffers ---------------------------------------------------------------------------

  /** @internal A buffer of at least `bytes` with `usage`, from the pool when possible. */
  acquire(usage: number, bytes: number): GPUBuffer {
    this.assertAlive();
    const size = Math.max(256, Math.ceil(bytes / 256) * 256);
    const key = `${usage}:${size}`;
    const list = this.#free.get(key);
    if (list && list.length) {
      this.#stats.buffersReused++;
      this.#freeBytes -= size;
      return list.pop() as GPUBuffer;
    }
    const buf = this.gpu.createBuffer({ size, usage });
    this.#ids.set(buf, this.#nextId++);
    this.#stats.buffersCreated++;
    this.#stats.bytesCreated += size;
    return buf;
  }

  /** @internal Return a buffer to the pool (destroyed when the pool is full or the device lost). */
  recycle(buf: GPUBuffer): void {
    if (this.#lostReason !== null) return;
    const key = `${buf.usage}:${buf.size}`;
    if (this.#freeBytes + buf.size > POOL_MAX_FREE_BYTES) {
      this.#destroy(buf);
      return;
    }
    let list = this.#free.get(key);
    if (!list) this.#free.set(key, list = []);
    list.push(buf);
    this.#freeBytes += buf.size;
  }

  #destroy(buf: GPUBuffer): void {
    buf.destroy();
    this.#stats.buffersDestroyed++;
    // Bind groups may reference it: drop them all (rare event).
    this.#bindGroups.clear();
  }

  /**
   * Destroy every pooled (free) buffer: gives memory back between unrelated computations.
   *
   * @returns bytes released
   */
  trim(): number {
    let bytes = 0;
    for (const list of this.#free.values()) {
      for (const b of list) {
        bytes += b.size;
        this.#destroy(b);
      }
    }
    this.#free.clear();
    this.#freeBytes = 0;
    return bytes;
  }

  /** @internal Stable small id of a buffer (bind group cache keys). */
  bufferId(buf: GPUBuffer): number {
    let id = this.#ids.get(buf);
    if (id === undefined) this.#ids.set(buf, id = this.#nextId++);
    return id;
  }

  /** @internal Pooled uniform buffer of `bytes`. */
  acquireUniform(bytes: number): GPUBuffer {
    return this.acquire(UNIFORM_USAGE, bytes);
  }

  /** @internal Pooled staging (MAP_READ) buffer of `bytes`. */
  acquireStaging(bytes: number): GPUBuffer {
    return this.acquire(STAGING_USAGE, bytes);
  }

  /**
   * A device matrix of `rows × cols` entries from the pool (contents unspecified: stale data
   * of an earlier user may remain — write before reading).
   *
   * @param rows rows (a vector is n×1)
   * @param cols columns
   * @param dtype element type
   * @returns the handle; {@linkcode GpuMatrix.release} it (or `using`) when done
   * @throws {BackendError} when the matrix exceeds the adapter's storage binding limit
   */
  alloc(rows: number, cols = 1, dtype: "f32" | "u32" = "f32"): GpuMatrix {
    const n = rows * cols;
    if (!(Number.isInteger(rows) && Number.isInteger(cols) && rows >= 0 && cols >= 0)) {
      throw new ShapeError({
        fn: "GpuDevice.alloc",
        arg: "rows, cols",
        expected: "non-negative integers",
        got: `${rows}, ${cols}`,
      });
    }
    if (n > this.maxEntries) {
      throw new BackendError({
        fn: "GpuDevice.alloc",
        arg: "rows·cols",
        expected:
          `at most ${this.maxEntries} entries (maxStorageBufferBindingSize ${this.maxStorageBindingBytes} bytes on ${this.description})`,
        got: `${rows}×${cols}`,
      });
    }
    return new GpuMatrix(this, this.acquire(STORAGE_USAGE, n * 4), rows, cols, dtype);
  }

  /**
   * Upload an f64 matrix or vector as f32 (round to nearest; finite entries beyond ±3.4e38
   * become ±∞ — the public ops check the range first).
   *
   * @param data a matrix (`number[][]`, {@linkcode Matrix}, `{rows, cols, data}`) or a vector (becomes n×1)
   * @returns a new pooled device matrix
   * @throws {ShapeError} / {TypeMismatchError} for malformed input
   * @throws {BackendError} when it exceeds the storage binding limit
   */
  upload(data: MatrixLike | ArrayLike<number>): GpuMatrix {
    const { rows, cols, values } = asHostArray(data);
    const m = this.alloc(rows, cols);
    this.write(m, values);
    return m;
  }

  /**
   * Overwrite a device matrix with host values (f64 → f32) without allocating a buffer: the
   * way an iterative solver refreshes an input every step.
   *
   * @param target destination (f32)
   * @param values `target.length` numbers
   * @throws {ShapeError} on a length mismatch
   */
  write(target: GpuMatrix, values: ArrayLike<number>): void {
    this.assertAlive();
    if (values.length !== target.length) {
      throw new ShapeError({
        fn: "GpuDevice.write",
        arg: "values",
        expected: `length ${target.length}`,
        got: `length ${values.length}`,
      });
    }
    if (values.length === 0) return;
    let f: Float32Array<ArrayBuffer>;
    if (values instanceof Float32Array && values.buffer instanceof ArrayBuffer) f = values as Float32Array<ArrayBuffer>;
    else {
      if (this.#scratch.length < values.length) this.#scratch = new Float32Array(values.length);
      f = this.#scratch.subarray(0, values.length);
      for (let i = 0; i < values.length; i++) f[i] = values[i];
    }
    this.gpu.queue.writeBuffer(target.buffer, 0, f);
    this.#stats.bytesUploaded += f.byteLength;
  }

  /**
   * Write raw u32 values (indices, counts) into a u32 device matrix.
   *
   * @param target destination (u32)
   * @param values `target.length` non-negative integers
   */
  writeU32(target: GpuMatrix, values: ArrayLike<number>): void {
    this.assertAlive();
    if (values.length !== target.length) {
      throw new ShapeError({
        fn: "GpuDevice.writeU32",
        arg: "values",
        expected: `length ${target.length}`,
        got: `length ${values.length}`,
      });
    }
    const u = Uint32Array.from(values);
    this.gpu.queue.writeBuffer(target.buffer, 0, u);
    this.#stats.bytesUploaded += u.byteLength;
  }

  /** @internal Count bytes read back. */
  countDownload(bytes: number): void {
    this.#stats.bytesDownloaded += bytes;
  }

  /** @internal Count a submission and its dispatches. */
  countSubmit(dispatches: number): void {
    this.#stats.submits++;
    this.#stats.dispatches += dispatches;
  }

  // ---- pipelines and bind groups ------------------------------------------------------------

  /** @internal Bind group layout + pipeline of a kernel, compiled once per cache key. */
  pipeline(kernel: WgslKernel): PipelineEntry {
    this.assertAlive();
    const hit = this.#pipelines.get(kernel.cacheKey);
    if (hit) {
      // The key hashes the source; compare the source itself so a collision can never alias.
      if (hit.code !== kernel.code) throw new GpuRuntimeError(`pipeline cache key collision for ${kernel.cacheKey}`);
      this.#stats.pipelineCacheHits++;
      return hit;
    }
    if (gpuDebug()) console.log(`[parsimony gpu] compiling ${kernel.cacheKey}\n${kernel.code}`);
    const layout = this.gpu.createBindGroupLayout({
      label: kernel.name,
      entries: [
        { binding: 0, visibility: 4, /* COMPUTE */ buffer: { type: "uniform" } },
        ...kernel.bindings.map((b) => ({
          binding: b.binding,
          visibility: 4,
          buffer: { type: (b.access === "read" ? "read-only-storage" : "storage") as GPUBufferBindingType },
        })),
      ],
    });
    const module = this.gpu.createShaderModule({ label: kernel.cacheKey, code: kernel.code });
    const pipeline = this.gpu.createComputePipelineAsync({
      label: kernel.cacheKey,
      layout: this.gpu.createPipelineLayout({ bindGroupLayouts: [layout] }),
      compute: { module, entryPoint: kernel.entryPoint },
    }).catch(async (e: unknown) => {
      // Drop the failed entry so a later call can retry, and surface the compiler's messages.
      this.#pipelines.delete(kernel.cacheKey);
      let detail = "";
      try {
        const info = await module.getCompilationInfo();
        detail = info.messages.map((m) => `${m.type} ${m.lineNum}:${m.linePos} ${m.message}`).join("\n");
      } catch { /* not supported */ }
      throw new GpuRuntimeError(
        `compiling ${kernel.cacheKey} failed: ${(e as Error)?.message ?? e}${detail ? "\n" + detail : ""}`,
      );
    });
    const entry = { code: kernel.code, layout, pipeline };
    this.#pipelines.set(kernel.cacheKey, entry);
    this.#stats.pipelinesCreated++;
    return entry;
  }

  /** @internal A bind group for (layout, buffers, uniform slot), cached. */
  bindGroup(
    kernel: WgslKernel,
    layout: GPUBindGroupLayout,
    uniform: GPUBuffer,
    offset: number,
    buffers: readonly GPUBuffer[],
    sizes: readonly number[],
  ): GPUBindGroup {
    let key = `${kernel.cacheKey}|${this.bufferId(uniform)}@${offset}`;
    for (let i = 0; i < buffers.length; i++) key += `|${this.bufferId(buffers[i])}:${sizes[i]}`;
    const hit = this.#bindGroups.get(key);
    if (hit) {
      this.#stats.bindGroupCacheHits++;
      return hit;
    }
    if (this.#bindGroups.size >= BIND_GROUP_CACHE_MAX) this.#bindGroups.clear();
    const bg = this.gpu.createBindGroup({
      layout,
      entries: [
        { binding: 0, resource: { buffer: uniform, offset, size: UNIFORM_SLOT_BYTES } },
        ...buffers.map((b, i) => ({ binding: i + 1, resource: { buffer: b, offset: 0, size: sizes[i] } })),
      ],
    });
    this.#bindGroups.set(key, bg);
    this.#stats.bindGroupsCreated++;
    return bg;
  }

  /** @internal Destroy everything (device reset). */
  destroyAll(): void {
    this.trim();
    this.#pipelines.clear();
    this.#bindGroups.clear();
  }
}

/** Bytes of one kernel's uniform slot (≥ minUniformBufferOffsetAlignment on every adapter). */
export const UNIFORM_SLOT_BYTES = 256;

/**
 * A matrix (or vector, n×1) resident on the GPU, stored row-major as f32 (or u32 indices).
 * Iterative solvers upload once, chain kernels on these handles with a `GpuBatch`, and read
 * back only what they need.
 *
 * @example
 * ```ts ignore
 * const dev = await runtime.device();
 * using x = dev.upload([1, 2, 3]); // 3×1, released at the end of the scope
 * await x.read(); // => Float64Array [1, 2, 3]
 * ```
 */
export class GpuMatrix {
  /** Device that owns the storage. */
  readonly device: GpuDevice;
  /** Rows. */
  readonly rows: number;
  /** Columns (1 for a vector). */
  readonly cols: number;
  /** Element type on the device. */
  readonly dtype: "f32" | "u32";
  #buffer: GPUBuffer | null;

  /** @internal Use {@linkcode GpuDevice.alloc} / {@linkcode GpuDevice.upload}. */
  constructor(device: GpuDevice, buffer: GPUBuffer, rows: number, cols: number, dtype: "f32" | "u32") {
    this.device = device;
    this.#buffer = buffer;
    this.rows = rows;
    this.cols = cols;
    this.dtype = dtype;
  }

  /** rows·cols. */
  get length(): number {
    return this.rows * this.cols;
  }

  /** Bytes of the live entries (the buffer may be larger: pooled sizes round up to 256). */
  get byteLength(): number {
    return this.length * 4;
  }

  /** The storage buffer. @throws {GpuRuntimeError} after {@linkcode GpuMatrix.release}. */
  get buffer(): GPUBuffer {
    if (this.#buffer === null) throw new GpuRuntimeError("GpuMatrix used after release()");
    return this.#buffer;
  }

  /** Whether {@linkcode GpuMatrix.release} was called. */
  get released(): boolean {
    return this.#buffer === null;
  }

  /**
   * Return the storage to the device's pool. Call it after the last batch that uses the
   * matrix has run; a second call is a no-op.
   */
  release(): void {
    if (this.#buffer === null) return;
    const b = this.#buffer;
    this.#buffer = null;
    this.device.recycle(b);
  }

  /** `using m = dev.alloc(…)` releases at scope exit. */
  [Symbol.dispose](): void {
    this.release();
  }

  /**
   * Read the whole matrix back as f64 (one submission, one map).
   *
   * @returns `length` values (u32 entries come back as exact integers)
   */
  async read(): Promise<Float64Array> {
    const [v] = await readBack(this.device, [{ matrix: this, offset: 0, length: this.length }]);
    return v;
  }

  /**
   * Read back as a host {@linkcode Matrix}.
   *
   * @returns a new f64 matrix
   */
  async toMatrix(): Promise<Matrix> {
    return new Matrix(this.rows, this.cols, await this.read());
  }
}

/** A contiguous range of a device matrix to read back. */
export interface ReadRange {
  /** The matrix. */
  readonly matrix: GpuMatrix;
  /** First entry. @default 0 */
  readonly offset?: number;
  /** Number of entries. @default matrix.length − offset */
  readonly length?: number;
}

/**
 * @internal Copy ranges into one staging buffer in a new encoder (after `pre` encodes its
 * commands), submit, map once, convert to f64. Used by `GpuBatch.run` and `GpuMatrix.read`.
 */
export async function readBack(
  dev: GpuDevice,
  ranges: readonly ReadRange[],
  pre?: (enc: GPUCommandEncoder) => number,
  afterSubmit?: () => void,
  wait = true,
): Promise<Float64Array[]> {
  dev.assertAlive();
  const spans = ranges.map((r) => {
    const off = r.offset ?? 0;
    const len = r.length ?? r.matrix.length - off;
    if (off < 0 || len < 0 || off + len > r.matrix.length || !Number.isInteger(off) || !Number.isInteger(len)) {
      throw new ShapeError({
        fn: "GpuBatch.run",
        arg: "reads",
        expected: `a range within ${r.matrix.length} entries`,
        got: `[${off}, ${off + len})`,
      });
    }
    return { m: r.matrix, off, len };
  });
  let total = 0;
  const at: number[] = [];
  for (const s of spans) {
    at.push(total);
    total += s.len * 4;
  }
  const gpu = dev.gpu;
  gpu.pushErrorScope("out-of-memory");
  gpu.pushErrorScope("validation");
  let staging: GPUBuffer | null = null;
  try {
    const enc = gpu.createCommandEncoder();
    const dispatches = pre ? pre(enc) : 0;
    staging = total > 0 ? dev.acquireStaging(total) : null;
    spans.forEach((s, i) => {
      if (s.len > 0) enc.copyBufferToBuffer(s.m.buffer, s.off * 4, staging as GPUBuffer, at[i], s.len * 4);
    });
    gpu.queue.submit([enc.finish()]);
    dev.countSubmit(dispatches);
    afterSubmit?.();
  } catch (e) {
    // Keep the device's error-scope stack balanced whatever failed while encoding.
    gpu.popErrorScope().catch(() => {});
    gpu.popErrorScope().catch(() => {});
    if (staging) dev.recycle(staging);
    throw e;
  }
  const valErr = gpu.popErrorScope();
  const memErr = gpu.popErrorScope();
  const [ve, me] = await Promise.all([valErr, memErr]);
  if (ve || me) {
    if (staging) dev.recycle(staging);
    throw new GpuRuntimeError(`WebGPU ${ve ? "validation" : "out-of-memory"} error: ${(ve ?? me)?.message}`);
  }
  if (!staging) {
    if (wait) await gpu.queue.onSubmittedWorkDone();
    dev.assertAlive();
    return spans.map(() => new Float64Array(0));
  }
  try {
    await staging.mapAsync(MAP_MODE_READ);
  } catch (e) {
    dev.recycle(staging);
    throw new GpuRuntimeError(
      `reading back from the GPU failed${dev.lostReason ? ` (device lost: ${dev.lostReason})` : ""}: ${
        (e as Error)?.message ?? e
      }`,
    );
  }
  const mapped = staging.getMappedRange();
  const out = spans.map((s, i) => {
    const src = s.m.dtype === "u32" ? new Uint32Array(mapped, at[i], s.len) : new Float32Array(mapped, at[i], s.len);
    return Float64Array.from(src);
  });
  staging.unmap();
  dev.recycle(staging);
  dev.countDownload(total);
  return out;
}

/** @internal Shape and values of a host matrix or vector argument. */
export function asHostArray(
  data: MatrixLike | ArrayLike<number>,
): { rows: number; cols: number; values: ArrayLike<number> } {
  if (data instanceof Matrix) return { rows: data.rows, cols: data.cols, values: data.data };
  if (ArrayBuffer.isView(data) && !(data instanceof DataView)) {
    const v = data as unknown as ArrayLike<number>;
    return { rows: v.length, cols: 1, values: v };
  }
  if (Array.isArray(data) && (data.length === 0 || typeof data[0] === "number")) {
    return { rows: data.length, cols: 1, values: data as ArrayLike<number> };
  }
  const m = toMatrix(data, "GpuDevice.upload", "data", { finite: false });
  return { rows: m.rows, cols: m.cols, values: m.data };
}

/**
 * The process-wide WebGPU runtime: one adapter, one device, shared counters.
 *
 * @example
 * ```ts
 * import { runtime } from "@parsimony/parsimony/gpu";
 * const info = await runtime.info();
 * typeof info.available; // => "boolean"
 * runtime.stats.buffersCreated >= 0; // => true
 * ```
 */
export class GpuRuntime {
  /** Live counters (read them before and after a loop to check it does not allocate). */
  readonly stats: GpuStats = zeroStats();
  #provider: AdapterProvider | null = null;
  #adapter: Promise<{ adapter: GPUAdapter | null; reason: string }> | null = null;
  #device: Promise<GpuDevice> | null = null;
  #current: GpuDevice | null = null;
  #resetting = false;
  readonly #warned = new Set<string>();

  /**
   * Replace where adapters come from (tests: `() => Promise.resolve(null)` hides the GPU; a fake adapter
   * whose `requestDevice` rejects simulates a broken driver). `null` restores
   * `navigator.gpu.requestAdapter()`. Drops the cached adapter and device.
   *
   * @param provider the new provider, or `null` for the default
   */
  async setAdapterProvider(provider: AdapterProvider | null): Promise<void> {
    await this.reset();
    this.#provider = provider;
  }

  /**
   * Forget the adapter and destroy the device, its pool and caches; the next call acquires
   * afresh. Warnings already printed may print again. Counters are kept (see
   * {@linkcode GpuRuntime.resetStats}).
   */
  async reset(): Promise<void> {
    const cur = this.#device;
    this.#adapter = null;
    this.#device = null;
    this.#current = null;
    this.#warned.clear();
    if (cur) {
      try {
        const d = await cur;
        this.#resetting = true;
        d.destroyAll();
        d.gpu.destroy();
        d.markLost("reset by the runtime");
      } catch {
        /* never acquired */
      } finally {
        this.#resetting = false;
      }
    }
  }

  /** Zero every counter in {@linkcode GpuRuntime.stats}. */
  resetStats(): void {
    Object.assign(this.stats, zeroStats());
  }

  /**
   * The adapter, cached; `null` with the reason when there is none.
   *
   * @returns the adapter (or null) and a reason
   */
  adapter(): Promise<{ adapter: GPUAdapter | null; reason: string }> {
    if (this.#adapter) return this.#adapter;
    this.#adapter = (async () => {
      try {
        if (this.#provider) {
          const a = await this.#provider();
          return {
            adapter: a,
            reason: a ? "injected adapter provider" : "the injected adapter provider returned no adapter",
          };
        }
        const nav = (globalThis as { navigator?: { gpu?: GPU } }).navigator;
        if (!nav?.gpu) return { adapter: null, reason: "WebGPU is not available in this runtime (no navigator.gpu)" };
        const a = await nav.gpu.requestAdapter({ powerPreference: "high-performance" });
        return { adapter: a, reason: a ? "navigator.gpu" : "navigator.gpu.requestAdapter() found no adapter" };
      } catch (e) {
        return { adapter: null, reason: `requesting a WebGPU adapter failed: ${(e as Error)?.message ?? e}` };
      }
    })();
    return this.#adapter;
  }

  /**
   * Adapter facts, or `{ available: false, reason }`. Does not create a device.
   *
   * @returns the {@linkcode GpuInfo}
   */
  async info(): Promise<GpuInfo> {
    const { adapter, reason } = await this.adapter();
    if (!adapter) return { available: false, reason };
    const i = adapter.info as Partial<GPUAdapterInfo> | undefined;
    const limits: Record<string, number> = {};
    // Limits are prototype getters: walk them with for…in.
    for (const k in adapter.limits) {
      const v = (adapter.limits as unknown as Record<string, unknown>)[k];
      if (typeof v === "number") limits[k] = v;
    }
    return {
      available: true,
      vendor: i?.vendor ?? "",
      architecture: i?.architecture ?? "",
      device: i?.device ?? "",
      description: i?.description ?? "",
      isFallbackAdapter: !!(i?.isFallbackAdapter ?? (adapter as { isFallbackAdapter?: boolean }).isFallbackAdapter),
      features: [...(adapter.features ?? [])].map(String).sort(),
      limits,
    };
  }

  /**
   * The process's device, requested on first use with the adapter's largest storage limits.
   * After a loss the next call requests a new adapter and device.
   *
   * @returns the device
   * @throws {GpuRuntimeError} when there is no adapter or it gives no device (with the reason)
   */
  device(): Promise<GpuDevice> {
    if (this.#current?.lost) {
      this.#device = null;
      this.#adapter = null;
      this.#current = null;
    }
    if (this.#device) return this.#device;
    const p = (async () => {
      const { adapter, reason } = await this.adapter();
      if (!adapter) throw new GpuRuntimeError(reason);
      let gpu: GPUDevice;
      try {
        const lim = adapter.limits;
        gpu = await adapter.requestDevice({
          requiredLimits: {
            maxStorageBufferBindingSize: lim.maxStorageBufferBindingSize,
            maxBufferSize: lim.maxBufferSize,
          },
        });
      } catch (e) {
        throw new GpuRuntimeError(`the WebGPU adapter gave no device: ${(e as Error)?.message ?? e}`);
      }
      if (!gpu) throw new GpuRuntimeError("the WebGPU adapter gave no device");
      const info = (adapter.info ?? {}) as Partial<GPUAdapterInfo>;
      const dev = new GpuDevice(gpu, {
        description: info.description ?? "unknown adapter",
        isFallbackAdapter: !!info.isFallbackAdapter,
      }, this.stats);
      this.stats.devicesCreated++;
      gpu.lost.then((li) => {
        dev.markLost(`${li.reason ?? "unknown"}${li.message ? `: ${li.message}` : ""}`);
      });
      gpu.addEventListener?.("uncapturederror", (ev) => {
        const msg = (ev as GPUUncapturedErrorEvent).error?.message ?? String(ev);
        this.warnOnce(`uncaptured:${msg}`, `parsimony gpu: uncaptured WebGPU error: ${msg}`);
      });
      this.#current = dev;
      return dev;
    })();
    this.#device = p;
    // A failed acquisition is not cached: the next call tries again (and warns at most once).
    p.catch(() => {
      if (this.#device === p) {
        this.#device = null;
        this.#adapter = null;
      }
    });
    return p;
  }

  /** The device if one is already acquired and alive, without acquiring. */
  get currentDevice(): GpuDevice | null {
    return this.#current && !this.#current.lost ? this.#current : null;
  }

  /** Whether {@linkcode GpuRuntime.reset} is destroying the device (its loss is intentional). */
  get resetting(): boolean {
    return this.#resetting;
  }

  /**
   * Print `message` with `console.warn` the first time `key` is seen (until the next reset).
   *
   * @param key identity of the warning
   * @param message text
   * @returns whether it was printed
   */
  warnOnce(key: string, message: string): boolean {
    if (this.#warned.has(key)) return false;
    this.#warned.add(key);
    console.warn(message);
    return true;
  }
}

/** The process-wide runtime. */
export const runtime: GpuRuntime = new GpuRuntime();

/**
 * Replace the adapter source (test hook); `null` restores `navigator.gpu`. Same as
 * `runtime.setAdapterProvider`.
 *
 * @param provider returns an adapter or null
 * @example
 * ```ts
 * import { gpu, setAdapterProvider } from "@parsimony/parsimony/gpu";
 * await setAdapterProvider(() => Promise.resolve(null)); // hide the GPU
 * (await gpu.info()).available; // => false
 * await setAdapterProvider(null); // back to navigator.gpu
 * ```
 */
export function setAdapterProvider(provider: AdapterProvider | null): Promise<void> {
  return runtime.setAdapterProvider(provider);
}

/**
 * Destroy the device and forget the adapter (the next GPU call acquires afresh).
 *
 * @example
 * ```ts
 * import { resetGpuRuntime } from "@parsimony/parsimony/gpu";
 * await resetGpuRuntime();
 * ```
 */
export function resetGpuRuntime(): Promise<void> {
  return runtime.reset();
}
