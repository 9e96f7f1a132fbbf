/**
 * WebAssembly SIMD (f64x2) level-1 kernels — dot product and axpy — over an "arena": one
 * growable WebAssembly memory that a solver fills with its vectors (e.g. the columns of X and
 * the residual of coordinate descent), so that the inner loop's O(n) operations run at SIMD
 * speed (~3× V8's scalar loops on cache-resident data). Assembled at load time by the emitter
 * of `_wasm_emit.ts`; null where WebAssembly SIMD is unavailable, and every function falls back
 * to the scalar loops for vectors that do not live in the arena.
 *
 * ```text
 * dot(x, y, n):   four f64x2 accumulators over 8 entries per step, then (a0 + a1) + (a2 + a3),
 *                 lanes added, the n mod 8 tail added in order
 * axpy(α, x, y, n): y[i] += α·x[i] (mul then add: bitwise equal to the scalar loop)
 * ```
 *
 * @module
 */

import {
  ADD,
  BLOCK,
  br,
  brIf,
  END,
  F64X2_ADD,
  F64X2_MUL,
  GE_U,
  get,
  i32,
  LOOP,
  name,
  section,
  set,
  SHL,
  uleb,
  V_LOAD,
  V_STORE,
  V_ZERO,
  vec,
} from "./_wasm_emit.ts";
import { axpy, dotUnchecked } from "./blas.ts";

const F64_LOAD = [0x2b, 3, 0], F64_STORE = [0x39, 3, 0], F64_ADD = [0xa0], F64_MUL = [0xa2];
const AND = [0x71];
const extractLane = (k: number) => [0xfd, ...uleb(0x21), k];
const F64X2_SPLAT = [0xfd, ...uleb(0x14)];

// deno-fmt-ignore
function assemble(): Uint8Array<ArrayBuffer> {
  // dot: params x 0, y 1, n 2 (byte pointers, entries); locals i32 END8 3, v128 A0..A3 4..7, f64 S 8
  const dot = (() => {
    const [X, Y, N, E] = [0, 1, 2, 3], A = [4, 5, 6, 7], S = 8;
    const step = [
      ...A.flatMap((a, q) => [
        ...get(a), ...get(X), ...V_LOAD(16 * q), ...get(Y), ...V_LOAD(16 * q), ...F64X2_MUL, ...F64X2_ADD, ...set(a),
      ]),
      ...get(X), ...i32(64), ...ADD, ...set(X),
      ...get(Y), ...i32(64), ...ADD, ...set(Y),
    ];
    const body = [
      ...A.flatMap((a) => [...V_ZERO, ...set(a)]),
      // E = x + 8·(n − n mod 8): end of the vector part
      ...get(X), ...get(N), ...i32(-8), ...AND, ...i32(3), ...SHL, ...ADD, ...set(E),
      ...BLOCK, ...LOOP, ...get(X), ...get(E), ...GE_U, ...brIf(1), ...step, ...br(0), ...END, ...END,
      ...get(A[0]), ...get(A[1]), ...F64X2_ADD, ...get(A[2]), ...get(A[3]), ...F64X2_ADD, ...F64X2_ADD, ...set(A[0]),
      ...get(A[0]), ...extractLane(0), ...get(A[0]), ...extractLane(1), ...F64_ADD, ...set(S),
      // tail: E = x + 8·(n mod 8)
      ...get(X), ...get(N), ...i32(7), ...AND, ...i32(3), ...SHL, ...ADD, ...set(E),
      ...BLOCK, ...LOOP, ...get(X), ...get(E), ...GE_U, ...brIf(1),
      ...get(S), ...get(X), ...F64_LOAD, ...get(Y), ...F64_LOAD, ...F64_MUL, ...F64_ADD, ...set(S),
      ...get(X), ...i32(8), ...ADD, ...set(X), ...get(Y), ...i32(8), ...ADD, ...set(Y),
      ...br(0), ...END, ...END,
      ...get(S), ...END,
    ];
    const locals = vec([[1, 0x7f], [4, 0x7b], [1, 0x7c]]);
    return [...locals, ...body];
  })();
  // axpy: params alpha 0 (f64), x 1, y 2, n 3; locals i32 E 4, v128 AV 5
  const axpy = (() => {
    const [AL, X, Y, N, E, AV] = [0, 1, 2, 3, 4, 5];
    const lane = (q: number) => [
      ...get(Y), ...get(Y), ...V_LOAD(16 * q), ...get(AV), ...get(X), ...V_LOAD(16 * q), ...F64X2_MUL, ...F64X2_ADD,
      ...V_STORE(16 * q),
    ];
    const body = [
      ...get(AL), ...F64X2_SPLAT, ...set(AV),
      ...get(X), ...get(N), ...i32(-4), ...AND, ...i32(3), ...SHL, ...ADD, ...set(E),
      ...BLOCK, ...LOOP, ...get(X), ...get(E), ...GE_U, ...brIf(1),
      ...lane(0), ...lane(1),
      ...get(X), ...i32(32), ...ADD, ...set(X), ...get(Y), ...i32(32), ...ADD, ...set(Y),
      ...br(0), ...END, ...END,
      ...get(X), ...get(N), ...i32(3), ...AND, ...i32(3), ...SHL, ...ADD, ...set(E),
      ...BLOCK, ...LOOP, ...get(X), ...get(E), ...GE_U, ...brIf(1),
      ...get(Y), ...get(Y), ...F64_LOAD, ...get(AL), ...get(X), ...F64_LOAD, ...F64_MUL, ...F64_ADD, ...F64_STORE,
      ...get(X), ...i32(8), ...ADD, ...set(X), ...get(Y), ...i32(8), ...ADD, ...set(Y),
      ...br(0), ...END, ...END,
      ...END,
    ];
    const locals = vec([[1, 0x7f], [1, 0x7b]]);
    return [...locals, ...body];
  })();

  return new Uint8Array([
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    ...section(1, vec([
      [0x60, ...vec([[0x7f], [0x7f], [0x7f]]), ...vec([[0x7c]])],                  // (i32, i32, i32) → f64
      [0x60, ...vec([[0x7c], [0x7f], [0x7f], [0x7f]]), ...vec([])],                  // (f64, i32, i32, i32) → ()
    ])),
    ...section(3, vec([[0], [1]])),
    ...section(5, vec([[0x00, 1]])),                                                 // memory: 1 page, growable
    ...section(7, vec([[...name("dot"), 0x00, 0], [...name("axpy"), 0x00, 1], [...name("memory"), 0x02, 0]])),
    ...section(10, vec([[...uleb(dot.length), ...dot], [...uleb(axpy.length), ...axpy]])),
  ]);
}

/** The level-1 SIMD kernels over their arena. */
export interface VecKernels {
  /**
   * A Float64Array over the arena with at least `doubles` entries, or null when that does not
   * fit a wasm32 memory. Growing the arena invalidates every earlier view: take one arena per
   * computation and carve its vectors out of it with `subarray`.
   */
  arena(doubles: number): Float64Array | null;
  /** Σ x[i]·y[i] over i < n (SIMD when both live in the current arena). */
  dot(x: Float64Array, y: Float64Array, n: number): number;
  /** y[i] += α·x[i] for i < n (SIMD when both live in the current arena). */
  axpy(alpha: number, x: Float64Array, y: Float64Array, n: number): void;
}

function instantiate(): VecKernels | null {
  try {
    if (typeof WebAssembly !== "object") return null;
    const bytes = assemble();
    if (!WebAssembly.validate(bytes)) return null;
    const ex = new WebAssembly.Instance(new WebAssembly.Module(bytes), {}).exports as unknown as {
      memory: WebAssembly.Memory;
      dot: (x: number, y: number, n: number) => number;
      axpy: (alpha: number, x: number, y: number, n: number) => void;
    };
    const mem = ex.memory;
    return {
      arena(doubles: number): Float64Array | null {
        const bytes = 8 * doubles;
        if (bytes > 65535 * 65536) return null;
        const have = mem.buffer.byteLength;
        if (have < bytes) {
          try {
            mem.grow(Math.ceil((bytes - have) / 65536));
          } catch {
            return null;
          }
        }
        return new Float64Array(mem.buffer, 0, doubles);
      },
      dot(x, y, n) {
        if (x.buffer !== mem.buffer || y.buffer !== mem.buffer) return dotUnchecked(x, y, 0, 0, n);
        return ex.dot(x.byteOffset, y.byteOffset, n);
      },
      axpy(alpha, x, y, n) {
        if (x.buffer !== mem.buffer || y.buffer !== mem.buffer) {
          axpy(alpha, x.subarray(0, n), y.subarray(0, n));
          return;
        }
        ex.axpy(alpha, x.byteOffset, y.byteOffset, n);
      },
    };
  } catch {
    return null;
  }
}

/** The kernels, or null without WebAssembly SIMD. */
export const vecKernels: VecKernels | null = instantiate();
