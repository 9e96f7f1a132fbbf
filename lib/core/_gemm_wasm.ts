/**
 * A WebAssembly SIMD (f64x2) GEMM micro-kernel, assembled at load time from the listing
 * below by a ~60-line emitter (no toolchain, no binary blob). It computes C = A·B in the
 * module's own memory for row-major B (K×N) and C (M×N), with M and N multiples of 4, and A
 * given by byte strides (entry (i, p) at aRow·i + aCol·p: row-major A and a stored Aᵀ alike):
 *
 * ```text
 * for i in 0, 4, …, M−4:            // 4 rows of C
 *   for j in 0, 4, …, N−4:          // 4 columns = two f64x2 lanes pairs
 *     acc[r][h] = 0 (r = 0..3, h = 0..1)          eight v128 accumulators
 *     for p in 0..K−1:
 *       b0, b1 = B[p, j..j+1], B[p, j+2..j+3]      two v128 loads
 *       for r in 0..3: a = splat(A[i+r, p]); acc[r][0] += a·b0; acc[r][1] += a·b1
 *     C[i+r, j..j+3] = acc[r]                       eight v128 stores
 * ```
 *
 * Each accumulator sums its products in the order p = 0..K−1 (mul then add, no fused
 * multiply-add), so the result is bitwise identical to the scalar kernels in `gemm_kernel.ts`.
 * WebAssembly is a web standard (browsers, Deno, Node); where SIMD is unavailable
 * {@linkcode wasmGemm} is null and callers use the scalar kernels.
 *
 * @module
 */

/** Unsigned LEB128. */
function uleb(n: number): number[] {
  const out: number[] = [];
  do {
    let byte = n & 0x7f;
    n >>>= 7;
    if (n !== 0) byte |= 0x80;
    out.push(byte);
  } while (n !== 0);
  return out;
}

/** Signed LEB128 (small non-negative constants suffice here). */
function sleb(n: number): number[] {
  const out: number[] = [];
  for (;;) {
    const byte = n & 0x7f;
    n >>= 7;
    if ((n === 0 && (byte & 0x40) === 0) || (n === -1 && (byte & 0x40) !== 0)) {
      out.push(byte);
      return out;
    }
    out.push(byte | 0x80);
  }
}

const vec = (items: number[][]): number[] => [...uleb(items.length), ...items.flat()];
const section = (id: number, body: number[]): number[] => [id, ...uleb(body.length), ...body];
const name = (s: string): number[] => vec([...s].map((c) => [c.charCodeAt(0)]));

// opcodes
const get = (l: number) => [0x20, ...uleb(l)];
const set = (l: number) => [0x21, ...uleb(l)];
const i32 = (v: number) => [0x41, ...sleb(v)];
const ADD = [0x6a], MUL = [0x6c], SUB = [0x6b], SHL = [0x74], GE_U = [0x4f], EQZ = [0x45];
const BLOCK = [0x02, 0x40], LOOP = [0x03, 0x40], END = [0x0b];
const brIf = (d: number) => [0x0d, d], br = (d: number) => [0x0c, d];
const simd = (op: number) => [0xfd, ...uleb(op)];
const V_LOAD = (offset: number) => [...simd(0x00), 3, ...uleb(offset)]; // align 2^3: f64 data
const V_SPLAT64 = [...simd(0x0a), 3, 0]; // v128.load64_splat
const V_STORE = (offset: number) => [...simd(0x0b), 3, ...uleb(offset)];
const V_ZERO = [...simd(0x0c), ...new Array(16).fill(0)];
const F64X2_ADD = simd(0xf0), F64X2_MUL = simd(0xf2);

/** `for (v = 0; v < limit; v += step) body` over i32 locals. */
// deno-fmt-ignore
function forUp(v: number, limit: number, step: number, body: number[]): number[] {
  return [
    ...i32(0), ...set(v),
    ...BLOCK, ...LOOP,
    ...get(v), ...get(limit), ...GE_U, ...brIf(1),       // exit when v ≥ limit
    ...body,
    ...get(v), ...i32(step), ...ADD, ...set(v),
    ...br(0), ...END, ...END,
  ];
}

// deno-fmt-ignore
function assemble(): Uint8Array<ArrayBuffer> {
  // params: aPtr 0, bPtr 1, cPtr 2, M 3, N 4, K 5 (byte pointers; M, N multiples of 4),
  // SA 6 = bytes between rows of A, SP 7 = bytes between its columns
  const [A, B, C, M, N, K, SA, SP] = [0, 1, 2, 3, 4, 5, 6, 7];
  // i32 locals 8..16, v128 locals 17..27
  const [I, J, P, PA, PB, PC, SB, SA2, SA3] = [8, 9, 10, 11, 12, 13, 14, 15, 16];
  const ACC = [17, 18, 19, 20, 21, 22, 23, 24], B0 = 25, B1 = 26, AV = 27;
  // acc += a·b
  const fma = (acc: number, b: number) => [...get(acc), ...get(AV), ...get(b), ...F64X2_MUL, ...F64X2_ADD, ...set(acc)];
  // a = splat(A[i+r, p]); acc[r][0] += a·b0; acc[r][1] += a·b1
  const row = (r: number) => [
    ...get(PA), ...(r === 0 ? [] : [...get([0, SA, SA2, SA3][r]), ...ADD]), ...V_SPLAT64, ...set(AV),
    ...fma(ACC[2 * r], B0), ...fma(ACC[2 * r + 1], B1),
  ];
  const kLoop = [
    ...get(K), ...set(P),
    ...BLOCK, ...LOOP,
    ...get(P), ...EQZ, ...brIf(1),                      // while p ≠ 0
    ...get(PB), ...V_LOAD(0), ...set(B0),                // b0 = B[p, j..j+1]
    ...get(PB), ...V_LOAD(16), ...set(B1),               // b1 = B[p, j+2..j+3]
    ...row(0), ...row(1), ...row(2), ...row(3),
    ...get(PA), ...get(SP), ...ADD, ...set(PA),          // next column of A
    ...get(PB), ...get(SB), ...ADD, ...set(PB),          // next row of B
    ...get(P), ...i32(1), ...SUB, ...set(P),
    ...br(0), ...END, ...END,
  ];
  // C[i+r, j..j+3] = acc[r]; next row of C
  const store = (r: number) => [
    ...get(PC), ...get(ACC[2 * r]), ...V_STORE(0),
    ...get(PC), ...get(ACC[2 * r + 1]), ...V_STORE(16),
    ...get(PC), ...get(SB), ...ADD, ...set(PC),
  ];
  const jBody = [
    ...ACC.flatMap((a) => [...V_ZERO, ...set(a)]),
    ...get(I), ...get(SA), ...MUL, ...get(A), ...ADD, ...set(PA),                       // pa = A + i·SA
    ...get(J), ...i32(3), ...SHL, ...get(B), ...ADD, ...set(PB),                        // pb = B + 8j
    ...kLoop,
    ...get(I), ...get(SB), ...MUL, ...get(C), ...ADD, ...get(J), ...i32(3), ...SHL, ...ADD, ...set(PC), // pc = C + i·SB + 8j
    ...store(0), ...store(1), ...store(2), ...store(3),
  ];
  const body = [
    ...get(N), ...i32(3), ...SHL, ...set(SB),            // SB = 8N, the row stride of B and C
    ...get(SA), ...i32(1), ...SHL, ...set(SA2),
    ...get(SA2), ...get(SA), ...ADD, ...set(SA3),
    ...forUp(I, M, 4, forUp(J, N, 4, jBody)),
    ...END,
  ];
  const locals = vec([[...uleb(9), 0x7f], [...uleb(11), 0x7b]]);
  const code = [...locals, ...body];
  return new Uint8Array([
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,                                     // magic, version 1
    ...section(1, vec([[0x60, ...vec(new Array(8).fill([0x7f])), ...vec([])]])),          // type: (i32 ×8) → ()
    ...section(3, vec([[0]])),                                                           // function 0 has type 0
    ...section(5, vec([[0x00, 1]])),                                                     // memory: 1 page, growable
    ...section(7, vec([[...name("gemm"), 0x00, 0], [...name("memory"), 0x02, 0]])),      // exports
    ...section(10, vec([[...uleb(code.length), ...code]])),                              // code
  ]);
}

/** The assembled kernel bound to its memory, or null without WebAssembly SIMD. */
export interface WasmGemm {
  /** The module's memory (grown on demand by the caller). */
  readonly memory: WebAssembly.Memory;
  /** C = A·B on byte offsets into `memory`; M, N multiples of 4; A(i, p) at aPtr + aRow·i + aCol·p. */
  readonly gemm: (
    aPtr: number,
    bPtr: number,
    cPtr: number,
    m: number,
    n: number,
    k: number,
    aRow: number,
    aCol: number,
  ) => void;
}

function instantiate(): WasmGemm | null {
  try {
    if (typeof WebAssembly !== "object") return null;
    const bytes = assemble();
    if (!WebAssembly.validate(bytes)) return null;
    const inst = new WebAssembly.Instance(new WebAssembly.Module(bytes), {});
    const ex = inst.exports as unknown as { memory: WebAssembly.Memory; gemm: WasmGemm["gemm"] };
    return { memory: ex.memory, gemm: ex.gemm };
  } catch {
    return null;
  }
}

/** The SIMD kernel, or null where WebAssembly SIMD is not available. */
export const wasmGemm: WasmGemm | null = instantiate();
