/**
 * Kernel dispatch for the CPU f64 hot loops of lib/ot: WebAssembly SIMD (f64x2, the module
 * assembled from kernels/ot/ot_simd.wat) when the runtime supports it, else the reference
 * TypeScript loops of `_lse.ts`. Both implement {@linkcode OtKernels}; a solver allocates every
 * array its hot loops touch through `alloc` (wasm linear memory or plain Float64Arrays), so one
 * solver body serves both.
 *
 * WebAssembly is a web-standard API (Deno, Node, browsers). The module is compiled once,
 * synchronously, on first use, and instantiated over a shared memory where the runtime has
 * one (a second binary imports a plain memory elsewhere). The SIMD exponential agrees with
 * Math.exp to ≤ 1 ulp on normal results (tests/ot/simd_test.ts); sums are accumulated in 2–4
 * lanes, so results differ from the scalar twin in the last bits only.
 *
 * Threads (lib/core/parallel.ts): every n×m pass is cut into row blocks by
 * {@linkcode rowPartition} — a function of (n, m) only — and each block writes its own column
 * partials and scalars, reduced afterwards in block order on the calling thread. The blocks run
 * on up to `threads` threads when n·m ≥ {@linkcode PARALLEL_MIN}; results are bit-identical for
 * every thread count. With one block (n·m < {@linkcode PARTITION_MIN}) a pass is exactly the
 * unblocked kernel.
 *
 * @module
 */

import {
  affine,
  costEnt,
  costStats,
  expRows,
  logSweep,
  planPass,
  scalePlan,
  scalePlanCost,
  scalingSweep,
} from "./_lse.ts";
import { OT_SIMD_WASM_BASE64, OT_SIMD_WASM_PLAIN_BASE64 } from "./_simd_wasm.ts";
import { createSharedMemory, WasmTeam } from "../core/parallel.ts";

/** Which implementation runs the hot loops. */
export type KernelKind = "wasm-simd" | "js";

/** The hot loops a solver needs, over arrays obtained from `alloc`. */
export interface OtKernels {
  /** Implementation in use. */
  readonly kind: KernelKind;
  /** Threads the n×m passes may use (1 for the TS loops). */
  readonly threads: number;
  /** "wasm-simd kernels, 2 threads" — for `backendReason`. */
  describe(): string;
  /**
   * An f64 array of length `len` that the kernels can read and write; zeroed unless `zero` is false
   * (for n·m buffers the solver overwrites before reading).
   */
  alloc(len: number, zero?: boolean): Float64Array;
  /** Return the kernel memory to the cache (call once, when the solve is done). */
  dispose(): void;
  /**
   * One fused log-domain Sinkhorn iteration (see `_lse.ts` logSweep). `colAcc` and `t` (length m)
   * are the scratch of a one-block pass; several blocks use the kernels' own per-block scratch.
   */
  logSweep(
    n: number,
    m: number,
    Cs: Float64Array,
    a: Float64Array,
    la: Float64Array,
    lb: Float64Array,
    u: Float64Array,
    v: Float64Array,
    uNew: Float64Array,
    vNew: Float64Array,
    colAcc: Float64Array,
    t: Float64Array,
    exact: boolean,
  ): number;
  /** One fused scaling-form Sinkhorn iteration (see `_lse.ts` scalingSweep); `acc` (length m) as `colAcc` above. */
  scalingSweep(
    n: number,
    m: number,
    K: Float64Array,
    a: Float64Array,
    b: Float64Array,
    u: Float64Array,
    v: Float64Array,
    acc: Float64Array,
  ): number;
  /** Plan exp(u ⊕ v − Cs), row/column sums; returns ΣP. */
  planPass(
    n: number,
    m: number,
    Cs: Float64Array,
    u: Float64Array,
    v: Float64Array,
    P: Float64Array,
    rowSum: Float64Array,
    colSum: Float64Array,
  ): number;
  /** P ← (P ⊙ eu·)·ev in place with row/column sums; returns ΣP. */
  scalePlan(
    n: number,
    m: number,
    P: Float64Array,
    eu: Float64Array,
    ev: Float64Array,
    rowSum: Float64Array,
    colSum: Float64Array,
  ): number;
  /** Σ_i em_i Σ_j P_ij en_j. */
  cross(n: number, m: number, P: Float64Array, em: Float64Array, en: Float64Array): number;
  /** dst_k = exp(alpha·src_k + beta) (src may be dst). */
  expAffine(src: Float64Array, dst: Float64Array, alpha: number, beta: number): void;
  /** Minimum, maximum and finiteness of the first `len` entries of `src` (see `_lse.ts` costStats). */
  stats(src: Float64Array, len: number): CostStats;
  /** dst_k = src_k·alpha + beta for k < len (src may be dst); false when a result is not finite. */
  affine(src: Float64Array, dst: Float64Array, len: number, alpha: number, beta: number): boolean;
  /** K = exp(alpha·src + beta) with row and column maxima (see `_lse.ts` expRows). */
  expRows(
    n: number,
    m: number,
    src: Float64Array,
    dst: Float64Array,
    alpha: number,
    beta: number,
    rowMax: Float64Array,
    colMax: Float64Array,
  ): { kmin: number; finite: boolean };
  /** P ← (K ⊙ eu·)·ev with row/column sums and ⟨C, P⟩ (P may be K); see `_lse.ts` scalePlanCost. */
  scalePlanCost(
    n: number,
    m: number,
    K: Float64Array,
    C: Float64Array,
    eu: Float64Array,
    ev: Float64Array,
    P: Float64Array,
    rowSum: Float64Array,
    colSum: Float64Array,
  ): { total: number; cost: number };
  /**
   * The blocked sparse Newton operator for an n×m problem of several row blocks (budget
   * {@linkcode hessianDoubles}); null for one-block problems and the TS loops (then `_pcg.ts`
   * hessVec runs).
   */
  sparseHessian(n: number, m: number): SparseHessian | null;
  /**
   * The blocked sparsification scan for an n×m problem of several row blocks with top-k heaps of
   * up to `kCap` entries (budget {@linkcode sparsifyDoubles}); null for one block and the TS loops.
   */
  sparsifyScan(n: number, m: number, kCap: number): SparsifyScan | null;
  /** ⟨C, P⟩ and Σ P·(u_i + v_j − Cs_ij); see `_lse.ts` costEnt. */
  costEnt(
    n: number,
    m: number,
    P: Float64Array,
    C: Float64Array,
    Cs: Float64Array,
    u: Float64Array,
    v: Float64Array,
  ): { cost: number; ent: number };
}

/**
 * The SNS Newton operator H̃w = (r⊙w₁ + P̃w₂, P̃ᵀw₁ + c⊙w₂) over a CSR pattern copied into kernel
 * memory, run in row blocks (balanced by nnz, fixed by the pattern) on the kernels' threads.
 */
export interface SparseHessian {
  /** Copy the values (and the pattern when `pattern` is true); false when nnz exceeds the capacity. */
  load(rowPtr: Int32Array, colIdx: Int32Array, val: Float64Array, nnz: number, pattern: boolean): boolean;
  /** out = H̃ w (r, c, w, out allocated by these kernels). */
  apply(r: Float64Array, c: Float64Array, w: Float64Array, out: Float64Array): void;
}

/**
 * The O(nm) scan of the SNS sparsification for problems of several row blocks, run in row blocks
 * on the kernels' threads (twin: the scan loop of SparseWorkspace.sparsify): row-rule marks
 * (bytes, n·m), column-candidate bit rows, one top-k min-heap per block.
 */
export interface SparsifyScan {
  /** Entry marks (kernel memory, zero between calls: the CSR builder clears what it reads). */
  readonly mark: Uint8Array;
  /** Column levels θ_j (kernel memory; the caller fills them, +∞ = none). */
  readonly thetaCol: Float64Array;
  /** Column-candidate bits: row i, word w at i·words + w (bit t = column 32w + t). */
  readonly colBits: Int32Array;
  readonly words: number;
  /** Largest k the per-block heaps hold. */
  readonly kCap: number;
  /** Blocks and their heaps: after run(…, k), block b's entries are at b·k … b·k + heapLength(b). */
  readonly blocks: number;
  readonly heapV: Float64Array;
  readonly heapI: Int32Array;
  heapLength(b: number): number;
  /** Run the scan over plan P (kernel memory) with row sums `rowSum`. */
  run(P: Float64Array, rowSum: Float64Array, delta: number, useMass: boolean, useTop: boolean, k: number): void;
  /** The column mass rule over the candidate bits of the last run (sets marks). */
  columns(P: Float64Array, colSum: Float64Array, delta: number): void;
  /**
   * CSR of the marks (row-major) into `rowPtr`, `colIdx`, `val` (kernel memory), clearing the
   * marks; returns nnz, or −1 (marks untouched) when nnz exceeds `csrCap`.
   */
  csr(P: Float64Array): number;
  readonly rowPtr: Int32Array;
  readonly colIdx: Int32Array;
  readonly val: Float64Array;
  readonly csrCap: number;
}

/** What {@linkcode OtKernels.stats} returns. */
export interface CostStats {
  min: number;
  max: number;
  /** Every entry finite. */
  finite: boolean;
}

/** n·m (or entries) below which a pass is a single block: exactly the unblocked kernel. */
export const PARTITION_MIN = 1 << 17;
/** Target entries per block above PARTITION_MIN. */
const BLOCK_WORK = 1 << 14;
/** Most blocks of one pass (enough to balance 2–8 threads; partial sums cost blocks·m). */
export const MAX_BLOCKS = 16;
/** n·m (or entries) from which a pass runs on more than one thread. */
export const PARALLEL_MIN = 1 << 17;

/**
 * From this many entries (n·m) a solve starts its workers at once, or from EAGER_WORK_LONG for a
 * long one (see `KernelRequest.long`); measured: a cold 2-thread SNS at n = 500 (2^18 entries)
 * took 49–59 ms started at once, 41–45 ms otherwise, 36–40 ms on one thread.
 */
const EAGER_WORK = 1 << 21, EAGER_WORK_LONG = 1 << 19;

/**
 * Row blocks of an n×m pass: one block below {@linkcode PARTITION_MIN} entries, else
 * min(16, n, ⌈n·m / 2^14⌉) blocks of `rows` rows (the last may be shorter). Depends on (n, m)
 * only — never on the thread count — so every thread count gives the same bits.
 */
export function rowPartition(n: number, m: number): { blocks: number; rows: number } {
  if (n * m < PARTITION_MIN || n < 2) return { blocks: 1, rows: Math.max(n, 1) };
  const want = Math.min(MAX_BLOCKS, n, Math.ceil((n * m) / BLOCK_WORK));
  const rows = Math.ceil(n / want);
  return { blocks: Math.ceil(n / rows), rows };
}

/** Blocks of an elementwise pass over `len` entries (block size even, so SIMD pairs stay aligned). */
export function elementPartition(len: number): { blocks: number; size: number } {
  if (len < PARTITION_MIN) return { blocks: 1, size: Math.max(2, len + (len & 1)) };
  const want = Math.min(MAX_BLOCKS, Math.ceil(len / BLOCK_WORK));
  const size = 2 * Math.ceil(len / (2 * want));
  return { blocks: Math.ceil(len / size), size };
}

/** Stride (f64) of one block's column partials: m rounded up to 8 (64-byte lines, no false sharing). */
function partStride(m: number): number {
  return (m + 7) & ~7;
}

/** Kernel-memory doubles a solve on an n×m problem needs for per-block scratch (partials and rows). */
export function scratchDoubles(n: number, m: number): number {
  return rowPartition(n, m).blocks > 1 ? 2 * MAX_BLOCKS * partStride(m) + 8 : 0;
}

/** CSR capacity of {@linkcode OtKernels.sparseHessian}: max(16(n + m), n·m/8) entries. */
function hessianCapacity(n: number, m: number): number {
  return Math.max(16 * (n + m), Math.ceil((n * m) / 8));
}

/** Kernel-memory doubles of {@linkcode OtKernels.sparseHessian} (0 for one-block problems). */
export function hessianDoubles(n: number, m: number): number {
  if (rowPartition(n, m).blocks === 1) return 0;
  const cap = hessianCapacity(n, m);
  return Math.ceil((n + 2) / 2) + Math.ceil(cap / 2) + cap + MAX_BLOCKS + 16;
}

/** The largest double below x (x ≥ 0 finite or −∞). */
function nextDown(x: number): number {
  if (x === -Infinity) return x;
  if (x === 0) return -Number.MIN_VALUE;
  const f = new Float64Array([x]), i = new BigInt64Array(f.buffer);
  i[0] += x > 0 ? -1n : 1n;
  return f[0];
}

/** Kernel-memory doubles of {@linkcode OtKernels.sparsifyScan} (0 for one-block problems). */
export function sparsifyDoubles(n: number, m: number, kCap: number, threads: number): number {
  const { blocks } = rowPartition(n, m);
  if (blocks === 1) return 0;
  const words = (m + 31) >> 5, cap = hessianCapacity(n, m), cb = columnBlocks(m, threads).blocks;
  return Math.ceil((n * m) / 8) + m + Math.ceil((n * words) / 2) + Math.ceil(1.5 * blocks * kCap) +
    Math.ceil(1.5 * blocks * m) + 48 * cb * n + 48 * cb + n + Math.ceil(1.5 * cap) + 96;
}

/**
 * Column blocks of the column rule: 2·threads blocks of a multiple of 32 columns (one bit word).
 * Each column's cut depends on that column only, so this partition may follow the thread count.
 */
function columnBlocks(m: number, threads: number): { blocks: number; cols: number } {
  const words = (m + 31) >> 5, blocks = Math.max(1, Math.min(words, 2 * threads));
  const cols = 32 * Math.ceil(words / blocks);
  return { blocks: Math.ceil(m / cols), cols };
}

/** The two binaries: "shared" imports a shared memory (threads), "plain" a normal one. */
type Binary = "shared" | "plain";
const compiled: Partial<Record<Binary, WebAssembly.Module | null>> = {};
let preference: KernelKind | "auto" = "auto";
let memoryPreference: Binary | "auto" = "auto";

/**
 * Force the kernel implementation (tests compare the two); `"auto"` restores the default
 * (WebAssembly SIMD when available).
 */
export function setKernelPreference(kind: KernelKind | "auto"): void {
  preference = kind;
}

/**
 * Force the wasm memory kind (tests run the plain binary, as on a runtime without
 * SharedArrayBuffer); `"auto"` = shared where available.
 */
export function setMemoryPreference(kind: Binary | "auto"): void {
  memoryPreference = kind;
}

/** Whether the WebAssembly SIMD module compiles in this runtime. */
export function simdAvailable(): boolean {
  return wasmModule("shared") !== null || wasmModule("plain") !== null;
}

function wasmModule(kind: Binary): WebAssembly.Module | null {
  const have = compiled[kind];
  if (have !== undefined) return have;
  compiled[kind] = null;
  try {
    if (typeof WebAssembly === "object" && typeof atob === "function") {
      const bin = atob(kind === "shared" ? OT_SIMD_WASM_BASE64 : OT_SIMD_WASM_PLAIN_BASE64);
      const bytes = new Uint8Array(bin.length);
      for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
      if (WebAssembly.validate(bytes)) compiled[kind] = new WebAssembly.Module(bytes);
    }
  } catch {
    compiled[kind] = null; // e.g. browsers that forbid synchronous compilation: use the TS loops
  }
  return compiled[kind]!;
}

/** What {@linkcode createKernels} may be told about the solve. */
export interface KernelRequest {
  /** Problem rows and columns: reserves the per-block scratch of its n×m passes. */
  n?: number;
  m?: number;
  /** Threads the n×m passes may use. @default 1 */
  threads?: number;
  /**
   * The solve will run many n×m passes (Newton phases): start the worker pool now, while the
   * solver sets up, from 2^19 entries. Otherwise the workers start now only from 2^21 entries;
   * smaller solves start them once they have run for a while (see lib/core/parallel.ts).
   * @default false
   */
  long?: boolean;
}

/**
 * Kernels with room for `doubles` f64 values of working memory (the sum of the lengths the
 * solver will `alloc`, each rounded up to an even length) plus, given the shape, the per-block
 * scratch of its passes.
 */
export function createKernels(doubles: number, req: KernelRequest = {}): OtKernels {
  const threads = Math.max(1, Math.floor(req.threads ?? 1));
  if (preference !== "js") {
    const extra = req.n !== undefined && req.m !== undefined ? scratchDoubles(req.n, req.m) : 0;
    const work = req.n !== undefined && req.m !== undefined ? req.n * req.m : Infinity;
    const k = wasmKernels(doubles + extra, threads, work, req.long ?? false);
    if (k !== null) return k;
  }
  return jsKernels();
}

/** The reference TypeScript twins. */
export function jsKernels(): OtKernels {
  return {
    kind: "js",
    threads: 1,
    describe: () => "js kernels",
    alloc: (len) => new Float64Array(len),
    dispose: () => {},
    logSweep,
    scalingSweep,
    planPass,
    scalePlan,
    cross: (n, m, P, em, en) => {
      let tot = 0;
      for (let i = 0; i < n; i++) {
        const o = i * m;
        let s = 0;
        for (let j = 0; j < m; j++) s += P[o + j] * en[j];
        tot += em[i] * s;
      }
      return tot;
    },
    expAffine: (src, dst, alpha, beta) => {
      for (let k = 0; k < src.length; k++) dst[k] = Math.exp(alpha * src[k] + beta);
    },
    stats: costStats,
    affine,
    expRows,
    scalePlanCost,
    costEnt,
    sparseHessian: () => null,
    sparsifyScan: () => null,
  };
}

/** Exports of the assembled module: the blocked passes (`*_b`, block index last) and the column reductions. */
interface SimdExports {
  scaling_cols(part: number, ps: number, nb: number, m: number, bp: number, vp: number): void;
  log_cols(
    csp: number,
    n: number,
    m: number,
    part: number,
    ps: number,
    nb: number,
    lbp: number,
    vp: number,
    vnp: number,
    unp: number,
  ): void;
  reduce_cols(part: number, ps: number, nb: number, m: number, dst: number): void;
  max_cols(part: number, ps: number, nb: number, m: number, dst: number): void;
  hess_cols(part: number, ps: number, nb: number, m: number, cv: number, w2: number, out2: number): void;
}

interface CacheEntry {
  memory: WebAssembly.Memory;
  team: WasmTeam;
  ex: SimdExports;
  busy: boolean;
}

/**
 * One cached instance, reused by consecutive solves (fresh linear memory costs a page fault per
 * 4 KiB on first touch — ~35 ms for the 64 MiB of an n = 2000 solve). It grows to the largest
 * problem seen. A solve that starts while it is in use (e.g. from an onIteration callback) gets
 * a private instance.
 */
let cache: CacheEntry | null = null;

const MATH_IMPORTS = [["host", "exp", "exp"], ["host", "log", "log"]] as const;

function instantiate(pages: number, kind: Binary): CacheEntry | null {
  const mod = wasmModule(kind);
  if (mod === null) return null;
  try {
    const memory = kind === "shared" ? createSharedMemory(pages) : new WebAssembly.Memory({ initial: pages });
    if (memory === null) return null;
    const team = new WasmTeam({ module: mod, memory, memoryImport: ["host", "memory"], mathImports: MATH_IMPORTS });
    return { memory, team, ex: team.exports as unknown as SimdExports, busy: false };
  } catch {
    return null; // out of memory for a wasm32 heap: the TS loops work on ordinary arrays
  }
}

function wasmKernels(doubles: number, threads: number, work: number, long: boolean): OtKernels | null {
  const bytes = doubles * 8 + 4096;
  const pages = Math.ceil(bytes / 65536) + 1;
  if (pages > 65536) return null;
  let entry: CacheEntry | null = null;
  const want: Binary = memoryPreference === "plain" ? "plain" : "shared";
  if (cache !== null && !cache.busy && (memoryPreference === "auto" || (want === "shared") === cache.team.shared)) {
    entry = cache;
    const have = entry.memory.buffer.byteLength / 65536;
    if (have < pages) {
      try {
        entry.memory.grow(pages - have);
      } catch {
        entry = null;
      }
    }
  }
  let cached = entry !== null;
  if (entry === null) {
    entry = (memoryPreference !== "plain" ? instantiate(pages, "shared") : null) ?? instantiate(pages, "plain");
    if (entry === null) return null;
    if ((cache === null || !cache.busy) && memoryPreference === "auto") {
      cache?.team.close();
      cache = entry;
      cached = true;
    }
  }
  entry.busy = true;
  const held = entry, isCached = cached;
  const { memory, ex, team } = held;
  const buffer = memory.buffer;
  // bytes [0, 512) hold the blocks' scalar outputs (4 doubles per block); allocations start above
  const outs = new Float64Array(buffer, 0, 4 * MAX_BLOCKS);
  let top = 512;
  const off = (x: Float64Array | Int32Array): number => {
    if (x.buffer !== buffer) throw new Error("lib/ot internal: array not allocated by these kernels");
    return x.byteOffset;
  };
  const allocInt = (len: number): Int32Array => {
    const d = alloc(Math.ceil(len / 2), false);
    return new Int32Array(buffer, d.byteOffset, len);
  };
  const alloc = (len: number, zero = true): Float64Array => {
    const need = len * 8;
    if (top + need > buffer.byteLength) throw new Error("lib/ot internal: kernel memory exhausted");
    const out = new Float64Array(buffer, top, len);
    if (zero) out.fill(0);
    top += (need + 15) & ~15;
    return out;
  };
  // per-block scratch (column partials; rows of exponentials for the log sweep), allocated on first use
  let partBuf: Float64Array | null = null, rowBuf: Float64Array | null = null, scratchStride = 0;
  const scratch = (m: number): { part: number; rowsAt: number; ps: number } => {
    const ps = partStride(m);
    if (partBuf === null || ps > scratchStride) {
      partBuf = alloc(MAX_BLOCKS * ps, false);
      rowBuf = alloc(MAX_BLOCKS * ps, false);
      scratchStride = ps;
    }
    return { part: off(partBuf), rowsAt: off(rowBuf!), ps: scratchStride };
  };
  const parallel = team.shared && threads > 1;
  const threadsFor = (w: number): number => (parallel && w >= PARALLEL_MIN ? threads : 1);
  // what the solve's n×m passes use (reported in backendReason)
  const used = threadsFor(work);
  // Starting a worker blocks this thread ~10–20 ms: do it now (the workers then come up while the
  // solver copies C and sets up) for long or large solves; small ones start them when they have run
  // for a while, or the pool starts them when this thread is next idle (measured: a cold 2-thread
  // solve at n = 500 took 26 ms against 12 ms on one thread; at n = 2000, 125 ms against 157)
  if (used > 1 && work !== Infinity) team.prewarm(used, work >= (long ? EAGER_WORK_LONG : EAGER_WORK));
  const sum = (blocks: number, k: number): number => {
    let s = 0;
    for (let b = 0; b < blocks; b++) s += outs[4 * b + k];
    return s;
  };
  /** Column-partial target of a row pass: the caller's length-m array for one block, else the scratch. */
  const target = (blocks: number, m: number, own: Float64Array): { part: number; ps: number; rowsAt: number } =>
    blocks === 1 ? { part: off(own), ps: 0, rowsAt: 0 } : scratch(m);
  return {
    kind: "wasm-simd",
    threads: used,
    describe: () => `wasm-simd kernels, ${used} thread${used > 1 ? "s" : ""}`,
    alloc,
    dispose() {
      held.busy = false;
      if (!isCached) held.team.close();
    },
    logSweep(n, m, Cs, a, la, lb, u, v, uNew, vNew, colAcc, t, exact) {
      const { blocks, rows } = rowPartition(n, m);
      const tg = target(blocks, m, colAcc);
      const tp = blocks === 1 ? off(t) : tg.rowsAt;
      team.run(
        "log_rows_b",
        [off(Cs), n, m, off(a), off(la), off(u), off(v), off(uNew), tg.part, tg.ps, tp, 0, exact ? 1 : 0, rows],
        blocks,
        threadsFor(n * m),
        { size: n * m },
      );
      ex.log_cols(off(Cs), n, m, tg.part, tg.ps, blocks, off(lb), off(v), off(vNew), off(uNew));
      return sum(blocks, 0);
    },
    scalingSweep(n, m, K, a, b, u, v, acc) {
      const { blocks, rows } = rowPartition(n, m);
      const tg = target(blocks, m, acc);
      team.run(
        "scaling_rows_b",
        [off(K), n, m, off(a), off(u), off(v), tg.part, tg.ps, 0, rows],
        blocks,
        threadsFor(n * m),
        { size: n * m },
      );
      ex.scaling_cols(tg.part, tg.ps, blocks, m, off(b), off(v));
      return sum(blocks, 0);
    },
    planPass(n, m, Cs, u, v, P, rowSum, colSum) {
      const { blocks, rows } = rowPartition(n, m);
      const tg = target(blocks, m, colSum);
      team.run(
        "plan_b",
        [off(Cs), n, m, off(u), off(v), off(P), off(rowSum), tg.part, tg.ps, 0, rows],
        blocks,
        threadsFor(n * m),
        { size: n * m },
      );
      if (blocks > 1) ex.reduce_cols(tg.part, tg.ps, blocks, m, off(colSum));
      return sum(blocks, 0);
    },
    cross(n, m, P, em, en) {
      const { blocks, rows } = rowPartition(n, m);
      team.run("cross_b", [off(P), n, m, off(em), off(en), 0, rows], blocks, threadsFor(n * m), { size: n * m });
      return sum(blocks, 0);
    },
    scalePlan(n, m, P, eu, ev, rowSum, colSum) {
      const { blocks, rows } = rowPartition(n, m);
      const tg = target(blocks, m, colSum);
      team.run(
        "scale_plan_b",
        [off(P), n, m, off(eu), off(ev), off(rowSum), tg.part, tg.ps, 0, rows],
        blocks,
        threadsFor(n * m),
        { size: n * m },
      );
      if (blocks > 1) ex.reduce_cols(tg.part, tg.ps, blocks, m, off(colSum));
      return sum(blocks, 0);
    },
    expAffine(src, dst, alpha, beta) {
      const len = src.length, { blocks, size } = elementPartition(len);
      team.run("exp_affine_b", [off(src), off(dst), len, alpha, beta, 0, size], blocks, threadsFor(len), { size: len });
    },
    stats(src, len) {
      const { blocks, size } = elementPartition(len);
      team.run("stats_b", [off(src), len, 0, size], blocks, threadsFor(len), { size: len });
      let mn = Infinity, mx = -Infinity;
      for (let b = 0; b < blocks; b++) {
        mn = Math.min(mn, outs[4 * b]);
        mx = Math.max(mx, outs[4 * b + 1]);
      }
      return { min: mn, max: mx, finite: sum(blocks, 2) === 0 };
    },
    affine(src, dst, len, alpha, beta) {
      const { blocks, size } = elementPartition(len);
      team.run("affine_b", [off(src), off(dst), len, alpha, beta, 0, size], blocks, threadsFor(len), { size: len });
      return sum(blocks, 0) === 0;
    },
    expRows(n, m, src, dst, alpha, beta, rowMax, colMax) {
      const { blocks, rows } = rowPartition(n, m);
      const tg = target(blocks, m, colMax);
      team.run(
        "exp_rows_b",
        [off(src), off(dst), n, m, alpha, beta, off(rowMax), tg.part, tg.ps, 0, rows],
        blocks,
        threadsFor(n * m),
        { size: n * m },
      );
      if (blocks > 1) ex.max_cols(tg.part, tg.ps, blocks, m, off(colMax));
      let kmin = Infinity;
      for (let b = 0; b < blocks; b++) kmin = Math.min(kmin, outs[4 * b]);
      return { kmin, finite: sum(blocks, 1) === 0 };
    },
    scalePlanCost(n, m, K, C, eu, ev, P, rowSum, colSum) {
      const { blocks, rows } = rowPartition(n, m);
      const tg = target(blocks, m, colSum);
      team.run(
        "scale_plan_cost_b",
        [off(K), off(C), n, m, off(eu), off(ev), off(P), off(rowSum), tg.part, tg.ps, 0, rows],
        blocks,
        threadsFor(n * m),
        { size: n * m },
      );
      if (blocks > 1) ex.reduce_cols(tg.part, tg.ps, blocks, m, off(colSum));
      return { total: sum(blocks, 1), cost: sum(blocks, 0) };
    },
    sparseHessian(n, m) {
      const { blocks } = rowPartition(n, m);
      if (blocks === 1) return null;
      const cap = hessianCapacity(n, m);
      const rb = allocInt(blocks + 1);
      // copies for a pattern in ordinary arrays (allocated on first need); kernel arrays are used in place
      let rpCopy: Int32Array | null = null, ciCopy: Int32Array | null = null, valCopy: Float64Array | null = null;
      let rp: Int32Array = rb, ci: Int32Array = rb, val: Float64Array = outs;
      const tw = threadsFor(n * m);
      return {
        load(rowPtr, colIdx, v, nnz, pattern) {
          if (colIdx.buffer === buffer && v.buffer === buffer && rowPtr.buffer === buffer) {
            rp = rowPtr;
            ci = colIdx;
            val = v;
          } else {
            if (nnz > cap) return false;
            rpCopy ??= allocInt(n + 1);
            ciCopy ??= allocInt(cap);
            valCopy ??= alloc(cap, false);
            if (pattern) {
              rpCopy.set(rowPtr.subarray(0, n + 1));
              ciCopy.set(colIdx.subarray(0, nnz));
            }
            valCopy.set(v.subarray(0, nnz));
            rp = rpCopy;
            ci = ciCopy;
            val = valCopy;
          }
          if (pattern) {
            // block bounds: row where the nnz prefix first reaches b·nnz/blocks (a function of the pattern)
            rb[0] = 0;
            let i = 0;
            for (let b = 1; b < blocks; b++) {
              const want = (b * nnz) / blocks;
              while (i < n && rowPtr[i] < want) i++;
              rb[b] = i;
            }
            rb[blocks] = n;
          }
          return true;
        },
        apply(r, c, w, out) {
          const { part, ps } = scratch(m);
          team.run(
            "hess_vec_b",
            [off(rp), off(ci), off(val), n, m, off(r), off(w), off(out), part, ps, off(rb)],
            blocks,
            tw,
            { size: n * m },
          );
          ex.hess_cols(part, ps, blocks, m, off(c), off(w) + 8 * n, off(out) + 8 * n);
        },
      };
    },
    sparsifyScan(n, m, kCap) {
      const { blocks, rows } = rowPartition(n, m);
      if (blocks === 1) return null;
      const words = (m + 31) >> 5;
      const markD = alloc(Math.ceil((n * m) / 8)); // zeroed
      const mark = new Uint8Array(buffer, markD.byteOffset, n * m);
      const thetaCol = alloc(m, false);
      const colBits = allocInt(n * words);
      const heapV = alloc(blocks * kCap, false), heapI = allocInt(blocks * kCap);
      const cv = alloc(blocks * m, false), ci = allocInt(blocks * m);
      const cb = columnBlocks(m, threads);
      const ccv = alloc(32 * cb.blocks * n, false), cci = allocInt(32 * cb.blocks * n), counts = allocInt(n);
      const wk = allocInt(96 * cb.blocks);
      const csrCap = hessianCapacity(n, m);
      const rowPtr = allocInt(n + 1), colIdx = allocInt(csrCap), val = alloc(csrCap, false);
      const tw = threadsFor(n * m);
      return {
        rowPtr,
        colIdx,
        val,
        csrCap,
        columns(P, colSum, delta) {
          team.run(
            "sparsify_cols_b",
            [
              off(P),
              n,
              m,
              off(colSum),
              delta,
              markD.byteOffset,
              off(colBits),
              words,
              off(ccv),
              off(cci),
              off(wk),
              cb.cols,
            ],
            cb.blocks,
            tw,
            { size: n * m },
          );
        },
        csr(P) {
          team.run("csr_count_b", [markD.byteOffset, n, m, off(counts), rows], blocks, tw, { size: n * m });
          let nnz = 0;
          for (let i = 0; i < n; i++) {
            rowPtr[i] = nnz;
            nnz += counts[i];
          }
          rowPtr[n] = nnz;
          if (nnz > csrCap) return -1;
          team.run(
            "csr_fill_b",
            [off(P), markD.byteOffset, n, m, off(rowPtr), off(colIdx), off(val), rows],
            blocks,
            tw,
            { size: n * m },
          );
          return nnz;
        },
        mark,
        thetaCol,
        colBits,
        words,
        kCap,
        blocks,
        heapV,
        heapI,
        heapLength: (b) => outs[4 * b],
        run(P, rowSum, delta, useMass, useTop, k) {
          if (k > kCap) throw new Error("lib/ot internal: top-k beyond the scan's heap capacity");
          // A lower bound τ on the k-th largest entry: the k-th largest of the union of every block's
          // ⌈k/blocks⌉ largest (≥ k actual entries). The block heaps then take only entries ≥ τ.
          let hmin0 = -Infinity;
          if (useTop) {
            const k1 = Math.ceil(k / blocks);
            team.run("topk_b", [off(P), n, m, k1, off(heapV), off(heapI), 0, rows], blocks, tw, { size: n * m });
            let tot = 0;
            for (let b = 0; b < blocks; b++) tot += outs[4 * b];
            if (tot >= k) {
              const vals = new Float64Array(tot);
              for (let b = 0, q = 0; b < blocks; b++) {
                for (let t = 0, e = outs[4 * b]; t < e; t++) vals[q++] = heapV[b * k1 + t];
              }
              vals.sort();
              hmin0 = nextDown(vals[tot - k]);
            }
          }
          team.run(
            "sparsify_rows_b",
            [
              off(P),
              n,
              m,
              off(rowSum),
              off(thetaCol),
              delta,
              useMass ? 1 : 0,
              useTop ? 1 : 0,
              Math.max(1, k),
              hmin0,
              markD.byteOffset,
              off(colBits),
              words,
              off(heapV),
              off(heapI),
              0,
              off(cv),
              off(ci),
              rows,
            ],
            blocks,
            tw,
            { size: n * m },
          );
        },
      };
    },
    costEnt(n, m, P, C, Cs, u, v) {
      const { blocks, rows } = rowPartition(n, m);
      team.run("cost_ent_b", [off(P), off(C), off(Cs), n, m, off(u), off(v), 0, rows], blocks, threadsFor(n * m), {
        size: n * m,
      });
      return { cost: sum(blocks, 0), ent: sum(blocks, 1) };
    },
  };
}
