/**
 * A minimal WebAssembly binary emitter (LEB128, sections, the opcodes the core kernels use),
 * shared by the kernels that are assembled at load time from TypeScript listings
 * (`_gemm_wasm.ts`, `_vec_wasm.ts`): no toolchain, no binary blob in the repository.
 *
 * @module
 */

/** Unsigned LEB128. */
export function uleb(n: number): number[] {
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
export function sleb(n: number): number[] {
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

export const vec = (items: number[][]): number[] => [...uleb(items.length), ...items.flat()];
export const section = (id: number, body: number[]): number[] => [id, ...uleb(body.length), ...body];
export const name = (s: string): number[] => vec([...s].map((c) => [c.charCodeAt(0)]));

// opcodes
export const get = (l: number) => [0x20, ...uleb(l)];
export const set = (l: number) => [0x21, ...uleb(l)];
export const tee = (l: number) => [0x22, ...uleb(l)];
export const i32 = (v: number) => [0x41, ...sleb(v)];
export const ADD = [0x6a], MUL = [0x6c], SUB = [0x6b], SHL = [0x74];
export const GE_U = [0x4f], LT_U = [0x49], EQZ = [0x45], SELECT = [0x1b];
export const BLOCK = [0x02, 0x40], LOOP = [0x03, 0x40], IF = [0x04, 0x40], ELSE = [0x05], END = [0x0b];
export const brIf = (d: number) => [0x0d, d], br = (d: number) => [0x0c, d];
export const simd = (op: number) => [0xfd, ...uleb(op)];
export const V_LOAD = (offset: number) => [...simd(0x00), 3, ...uleb(offset)]; // align 2^3: f64 data
export const V_SPLAT64 = (offset: number) => [...simd(0x0a), 3, ...uleb(offset)]; // v128.load64_splat
export const V_STORE = (offset: number) => [...simd(0x0b), 3, ...uleb(offset)];
export const V_ZERO = [...simd(0x0c), ...new Array(16).fill(0)];
export const F64X2_ADD = simd(0xf0), F64X2_MUL = simd(0xf2);

/** `while (v < limit) { body; v += step }` with v set to `start` first (i32 locals). */
// deno-fmt-ignore
export function whileBelow(v: number, start: number[], limit: number, step: number, body: number[]): number[] {
  return [
    ...start, ...set(v),
    ...BLOCK, ...LOOP,
    ...get(v), ...get(limit), ...GE_U, ...brIf(1),       // exit when v ≥ limit
    ...body,
    ...get(v), ...i32(step), ...ADD, ...set(v),
    ...br(0), ...END, ...END,
  ];
}

/** x = min(a + b, c) over i32 locals. */
// deno-fmt-ignore
export const minSum = (x: number, a: number, b: number, c: number) => [
  ...get(a), ...get(b), ...ADD, ...tee(x), ...get(c), ...get(x), ...get(c), ...LT_U, ...SELECT, ...set(x),
];
