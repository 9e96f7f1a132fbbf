/**
 * A WebAssembly SIMD (f64x2) GEMM kernel, assembled at load time from the listing below by a
 * small emitter (no toolchain, no binary blob), and run by the deterministic worker pool of
 * `parallel.ts` over a shared memory. It computes C = A·B in that memory: A given by byte strides
 * (entry (i, p) at SA·i + SP·p: row-major A and a stored Aᵀ alike), B row-major or, when large,
 * packed in panels of 4 columns (entry (p, j) at 32·(K·⌊j/4⌋ + p) + 8·(j mod 4) bytes), C
 * row-major M×N; M and N multiples of 4. Block `blk` computes rows [blk·RPB, min(M, (blk + 1)·RPB)):
 *
 * ```text
 * for p0 in 0, KC, 2·KC, …:                 // k-blocks: a KC×4 panel of B (8 KiB) stays in L1
 *   for j in 0, 4, …, N−4:                  //   while the block's rows of A (RPB×KC) stay in L2
 *     for i in rows of the block, step 4:
 *       acc[r][h] = p0 = 0 ? 0 : C[i+r, j+2h..j+2h+1]   eight v128 accumulators
 *       for p in p0 … min(p0 + KC, K) − 1:
 *         b0, b1 = B[p, j..j+1], B[p, j+2..j+3]         two v128 loads (contiguous when packed)
 *         for r in 0..3: a = splat(A[i+r, p]); acc[r][0] += a·b0; acc[r][1] += a·b1
 *       C[i+r, j..j+3] = acc[r]
 * ```
 *
 * Every entry of C sums its products in the order p = 0..K−1 (mul then add, no fused
 * multiply-add; a partial sum parked in C between k-blocks is an exact f64), so the result is
 * bitwise identical to the scalar kernels in `gemm_kernel.ts` — for any block size, k-block and
 * thread count. Packing B makes its loads in the inner loop contiguous: read in place, the K rows
 * of a 4-column strip lie one row stride apart, and a stride that is a multiple of 4 KiB (n = 512)
 * maps them all onto one L1 set — the unpacked kernel ran at 5 GFLOP/s there, this one at 12 on
 * one thread. WebAssembly is a web standard (browsers, Deno, Node); where SIMD is unavailable
 * {@linkcode wasmGemm} is null and callers use the scalar kernels; where shared memory or workers
 * are unavailable the blocks run on the calling thread.
 *
 * @module
 */

import { createSharedMemory, defaultThreads, WasmTeam } from "./parallel.ts";
import {
  ADD,
  BLOCK,
  br,
  brIf,
  ELSE,
  END,
  EQZ,
  F64X2_ADD,
  F64X2_MUL,
  GE_U,
  get,
  i32,
  IF,
  LOOP,
  minSum,
  MUL,
  name,
  section,
  set,
  SHL,
  SUB,
  tee,
  uleb,
  V_LOAD,
  V_SPLAT64,
  V_STORE,
  V_ZERO,
  vec,
  whileBelow,
} from "./_wasm_emit.ts";

/** Largest memory a module may import (pages of 64 KiB: 4 GiB, the wasm32 limit). */
const MAX_PAGES = 65536;

// deno-fmt-ignore
function assemble(shared: boolean): Uint8Array<ArrayBuffer> {
  // params: byte pointers A 0, B 1, C 2; M 3, N 4 (multiples of 4), K 5; RPB 6 rows per block
  // (multiple of 4), KC 7 k-block length, SA 8 / SP 9 bytes between rows / columns of A, B(p, j)
  // for j a multiple of 4 at SJ 10 · j + SPB 11 · p (packed: 8K and 32; row-major: 8 and 8N), BLK 12
  const [A, B, C, M, N, K, RPB, KC, SA, SP, SJ, SPB, BLK] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12];
  // i32 locals 13..26, v128 locals 27..37
  const [I0, I1, P0, P1, J, I, CNT, PA, PB, PC, SB, T, SA2, SA3] = [13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26];
  const ACC = [27, 28, 29, 30, 31, 32, 33, 34], B0 = 35, B1 = 36, AV = 37;
  // acc += a·b (mul, then add: no fused multiply-add, as the scalar kernels)
  const fma = (acc: number, b: number) => [...get(acc), ...get(AV), ...get(b), ...F64X2_MUL, ...F64X2_ADD, ...set(acc)];
  // a = splat(A[i+r, p]); acc[r][0] += a·b0; acc[r][1] += a·b1 (the 4 rows of a panel are adjacent)
  const row = (r: number) => [
    ...get(PA), ...(r === 0 ? [] : [...get([0, SA, SA2, SA3][r]), ...ADD]), ...V_SPLAT64(0), ...set(AV),
    ...fma(ACC[2 * r], B0), ...fma(ACC[2 * r + 1], B1),
  ];
  // p runs over the k-block; CNT = P1 − P0 ≥ 1
  const kLoop = [
    ...get(P1), ...get(P0), ...SUB, ...set(CNT),
    ...LOOP,
    ...get(PB), ...V_LOAD(0), ...set(B0),                // b0 = B[p, j..j+1]
    ...get(PB), ...V_LOAD(16), ...set(B1),               // b1 = B[p, j+2..j+3]
    ...row(0), ...row(1), ...row(2), ...row(3),
    ...get(PA), ...get(SP), ...ADD, ...set(PA),          // next p: next column of A, next row of the B panel
    ...get(PB), ...get(SPB), ...ADD, ...set(PB),
    ...get(CNT), ...i32(1), ...SUB, ...tee(CNT), ...brIf(0),
    ...END,
  ];
  // acc[r] = C[i+r, j..j+3] (a later k-block continues the sums parked in C), or 0 in the first
  const loadAcc = [
    ...get(PC), ...set(T),
    ...[0, 1, 2, 3].flatMap((r) => [
      ...get(T), ...V_LOAD(0), ...set(ACC[2 * r]),
      ...get(T), ...V_LOAD(16), ...set(ACC[2 * r + 1]),
      ...get(T), ...get(SB), ...ADD, ...set(T),
    ]),
  ];
  const zeroAcc = ACC.flatMap((a) => [...V_ZERO, ...set(a)]);
  const storeAcc = [
    ...get(PC), ...set(T),
    ...[0, 1, 2, 3].flatMap((r) => [
      ...get(T), ...get(ACC[2 * r]), ...V_STORE(0),
      ...get(T), ...get(ACC[2 * r + 1]), ...V_STORE(16),
      ...get(T), ...get(SB), ...ADD, ...set(T),
    ]),
  ];
  const iBody = [
    ...get(A), ...get(I), ...get(SA), ...MUL, ...ADD, ...get(P0), ...get(SP), ...MUL, ...ADD, ...set(PA),
    ...get(B), ...get(J), ...get(SJ), ...MUL, ...ADD, ...get(P0), ...get(SPB), ...MUL, ...ADD, ...set(PB),
    ...get(C), ...get(I), ...get(SB), ...MUL, ...ADD, ...get(J), ...i32(3), ...SHL, ...ADD, ...set(PC),
    ...get(P0), ...EQZ, ...IF, ...zeroAcc, ...ELSE, ...loadAcc, ...END,
    ...kLoop,
    ...storeAcc,
  ];
  const jBody = whileBelow(I, get(I0), I1, 4, iBody);
  const kBlockBody = [...minSum(P1, P0, KC, K), ...whileBelow(J, i32(0), N, 4, jBody), ...get(P1), ...set(P0)];
  const body = [
    ...get(N), ...i32(3), ...SHL, ...set(SB),            // SB = 8N, the row stride of C
    ...get(SA), ...i32(1), ...SHL, ...set(SA2),
    ...get(SA2), ...get(SA), ...ADD, ...set(SA3),
    ...get(BLK), ...get(RPB), ...MUL, ...set(I0),
    ...minSum(I1, I0, RPB, M),
    ...i32(0), ...set(P0),
    ...BLOCK, ...LOOP,
    ...get(P0), ...get(K), ...GE_U, ...brIf(1),
    ...kBlockBody,
    ...br(0), ...END, ...END,
    ...END,
  ];
  const locals = vec([[...uleb(14), 0x7f], [...uleb(11), 0x7b]]);
  const code = [...locals, ...body];
  const limits = shared ? [0x03, ...uleb(1), ...uleb(MAX_PAGES)] : [0x00, ...uleb(1)];
  return new Uint8Array([
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,                                     // magic, version 1
    ...section(1, vec([[0x60, ...vec(new Array(13).fill([0x7f])), ...vec([])]])),          // type: (i32 ×13) → ()
    ...section(2, vec([[...name("env"), ...name("memory"), 0x02, ...limits]])),           // import env.memory
    ...section(3, vec([[0]])),                                                           // function 0 has type 0
    ...section(7, vec([[...name("gemm"), 0x00, 0]])),                                    // export gemm
    ...section(10, vec([[...uleb(code.length), ...code]])),                              // code
  ]);
}

/** Tuning of one {@linkcode WasmGemm.gemm} call (results do not depend on it). */
export interface WasmGemmTuning {
  /** Rows of C per block (rounded up to a multiple of 4). @default ≤ 64, ≥ 2 blocks per thread when possible */
  rowsPerBlock?: number;
  /** Length of the k-blocks. @default 256 */
  kc?: number;
  /** Threads (the calling thread included). @default defaultThreads() from 2^19 multiply-adds, else 1 */
  threads?: number;
  /** Pack B into 4-column panels (true) or copy it row-major (false). @default k·n > 2^15 */
  packB?: boolean;
}

/**
 * Where the operands of a {@linkcode WasmGemm.gemm} call lie in their arrays: row-major blocks at
 * an offset with a leading dimension (the row stride, as in BLAS's lda for row-major storage),
 * and whether only C's lower triangle (j ≤ i) is written back.
 */
export interface GemmView {
  /** Offset of A's first entry. @default 0 */
  aOff?: number;
  /** Row stride of A as stored (k, or m when transposed, for a dense A). */
  lda?: number;
  /** Offset of B's first entry. @default 0 */
  bOff?: number;
  /** Row stride of B as stored (n, or k when transposed, for a dense B). */
  ldb?: number;
  /** Offset of C's first entry. @default 0 */
  cOff?: number;
  /** Row stride of C. @default n */
  ldc?: number;
  /** Write back only entries with j ≤ i (a symmetric update's lower triangle). @default false */
  lower?: boolean;
}

/** The SIMD kernel behind {@linkcode gemmUnchecked}, bound to its (shared) memory. */
export interface WasmGemm {
  /** True when the memory is shared and the pool's workers can take blocks. */
  readonly shared: boolean;
  /**
   * C ← α·op(A)·op(B) + β·C (row-major, trusted inputs, k ≥ 1): packs op(A) and op(B) into the
   * kernel's memory, runs the blocks, writes C back.
   *
   * @returns false (nothing written) when the problem does not fit a wasm32 memory
   */
  gemm(
    transA: boolean,
    transB: boolean,
    m: number,
    n: number,
    k: number,
    alpha: number,
    a: Float64Array,
    b: Float64Array,
    beta: number,
    c: Float64Array,
    tuning?: WasmGemmTuning,
    view?: GemmView,
  ): boolean;
}

/** From this many multiply-adds a product is offered to the worker pool. */
export const GEMM_PARALLEL_MIN = 1 << 19;
const KC_DEFAULT = 256, RPB_MAX = 64;
/** B (k × n, in doubles) is packed above this size (256 KiB); see the gemm kernel. */
const B_PACK_MIN = 1 << 15;
/** Largest number of blocks of one run (the pool's limit). */
const MAX_BLOCKS = 2047;

function instantiate(): WasmGemm | null {
  if (typeof WebAssembly !== "object") return null;
  let memory: WebAssembly.Memory | null = null, bytes: Uint8Array<ArrayBuffer> | null = null;
  try {
    memory = createSharedMemory(1);
    if (memory !== null) {
      bytes = assemble(true);
      if (!WebAssembly.validate(bytes)) memory = null;
    }
  } catch {
    memory = null;
  }
  try {
    if (memory === null) {
      bytes = assemble(false);
      if (!WebAssembly.validate(bytes)) return null; // no SIMD
      memory = new WebAssembly.Memory({ initial: 1 });
    }
    const team = new WasmTeam({ module: new WebAssembly.Module(bytes!), memory, memoryImport: ["env", "memory"] });
    return makeRunner(team, memory);
  } catch {
    return null;
  }
}

function makeRunner(team: WasmTeam, memory: WebAssembly.Memory): WasmGemm {
  return {
    shared: team.shared,
    gemm(transA, transB, m, n, k, alpha, a, b, beta, c, tuning = {}, view = {}) {
      const ao = view.aOff ?? 0, lda = view.lda ?? (transA ? m : k);
      const bo = view.bOff ?? 0, ldb = view.ldb ?? (transB ? k : n);
      const co = view.cOff ?? 0, ldc = view.ldc ?? n, lower = view.lower ?? false;
      const mp = (m + 3) & ~3, np = (n + 3) & ~3;
      const aOff = 0, bOff = mp * k, cOff = bOff + np * k;
      const bytes = 8 * (cOff + mp * np);
      if (bytes > (MAX_PAGES - 1) * 65536) return false;
      const have = memory.buffer.byteLength;
      if (have < bytes) {
        try {
          memory.grow(Math.ceil((bytes - have) / 65536));
        } catch {
          return false;
        }
      }
      const h = new Float64Array(memory.buffer, 0, cOff + mp * np);
      // A: row-major m×k plus zero rows (aRow = 8k, aCol = 8), or a stored Aᵀ copied as k rows
      // of mp entries (aRow = 8, aCol = 8mp): plain row copies, no element-wise transpose
      let aRow: number, aCol: number;
      if (!transA) {
        if (lda === k) h.set(a.subarray(ao, ao + m * k), aOff);
        else for (let i = 0; i < m; i++) h.set(a.subarray(ao + i * lda, ao + i * lda + k), aOff + i * k);
        h.fill(0, aOff + m * k, aOff + mp * k);
        aRow = 8 * k, aCol = 8;
      } else {
        for (let p = 0; p < k; p++) {
          h.set(a.subarray(ao + p * lda, ao + p * lda + m), aOff + p * mp);
          h.fill(0, aOff + p * mp + m, aOff + (p + 1) * mp);
        }
        aRow = 8, aCol = 8 * mp;
      }
      // B packed in 4-column panels when it is large (its strips would otherwise cross cache sets
      // and pages: 2–3× slower at n ≥ 512), else copied row by row (cheaper to copy, as fast to read)
      const packed = tuning.packB ?? k * np > B_PACK_MIN;
      if (packed) packB(h, bOff, transB, n, k, b, bo, ldb);
      else copyB(h, bOff, transB, n, np, k, b, bo, ldb);
      const work = m * n * k;
      const threads = tuning.threads ?? (work >= GEMM_PARALLEL_MIN ? defaultThreads("gemm") : 1);
      let rpb = tuning.rowsPerBlock ?? Math.min(RPB_MAX, Math.ceil(mp / (2 * threads)));
      rpb = Math.max(4, (rpb + 3) & ~3, (Math.ceil(mp / MAX_BLOCKS) + 3) & ~3);
      const kc = Math.max(1, Math.min(k, tuning.kc ?? KC_DEFAULT));
      const blocks = Math.ceil(mp / rpb);
      team.run(
        "gemm",
        [
          8 * aOff,
          8 * bOff,
          8 * cOff,
          mp,
          np,
          k,
          rpb,
          kc,
          aRow,
          aCol,
          packed ? 8 * k : 8,
          packed ? 32 : 8 * np,
        ],
        blocks,
        threads,
        { size: work },
      );
      for (let i = 0; i < m; i++) {
        const src = cOff + i * np, dst = co + i * ldc, w = lower ? Math.min(n, i + 1) : n;
        if (beta === 0) {
          if (alpha === 1) c.set(h.subarray(src, src + w), dst);
          else for (let j = 0; j < w; j++) c[dst + j] = alpha * h[src + j];
        } else if (beta === 1) { for (let j = 0; j < w; j++) c[dst + j] += alpha * h[src + j]; }
        else for (let j = 0; j < w; j++) c[dst + j] = beta * c[dst + j] + alpha * h[src + j];
      }
      return true;
    },
  };
}

/** op(B) (k×n; stored n×k when transposed) into panels of 4 columns, zero columns up to a multiple of 4. */
function packB(
  h: Float64Array,
  off: number,
  transB: boolean,
  n: number,
  k: number,
  b: Float64Array,
  bo: number,
  ldb: number,
): void {
  for (let j0 = 0; j0 < n; j0 += 4) {
    const base = off + j0 * k;
    const cols = Math.min(4, n - j0);
    if (transB) {
      for (let c = 0; c < 4; c++) {
        if (c < cols) {
          const src = bo + (j0 + c) * ldb;
          for (let p = 0, q = base + c; p < k; p++, q += 4) h[q] = b[src + p];
        } else for (let p = 0, q = base + c; p < k; p++, q += 4) h[q] = 0;
      }
    } else if (cols === 4) {
      for (let p = 0, q = base, s = bo + j0; p < k; p++, q += 4, s += ldb) {
        h[q] = b[s], h[q + 1] = b[s + 1], h[q + 2] = b[s + 2], h[q + 3] = b[s + 3];
      }
    } else {
      for (let p = 0, q = base; p < k; p++, q += 4) {
        for (let c = 0; c < 4; c++) h[q + c] = c < cols ? b[bo + p * ldb + j0 + c] : 0;
      }
    }
  }
}

/** op(B) row-major k×np, zero columns n..np−1. */
function copyB(
  h: Float64Array,
  off: number,
  transB: boolean,
  n: number,
  np: number,
  k: number,
  b: Float64Array,
  bo: number,
  ldb: number,
): void {
  for (let p = 0; p < k; p++) {
    const dst = off + p * np;
    if (!transB) h.set(b.subarray(bo + p * ldb, bo + p * ldb + n), dst);
    else for (let j = 0; j < n; j++) h[dst + j] = b[bo + j * ldb + p];
    for (let j = n; j < np; j++) h[dst + j] = 0;
  }
}

/** The SIMD kernel, or null where WebAssembly SIMD is not available. */
export const wasmGemm: WasmGemm | null = instantiate();
