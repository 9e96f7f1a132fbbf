/**
 * WGSL snippets shared by the row and column reductions: per-invocation accumulator state,
 * how one entry is folded in, how two states are merged, and the epilogue
 * out = α·r + β·b. Private to `kernels/core`.
 *
 * Reductions and their precision devices:
 * - `sum`, `dot`: Kahan-compensated running sum per invocation, pairwise tree across the
 *   workgroup — error ≈ (2 + log₂ WG)·u·Σ|terms| instead of n·u. The compensation
 *   c = (t − s) − y is algebraically zero, and shader compilers do fold it (Mesa/llvmpipe
 *   was seen to); `opaque(t, params.rows)` hides t behind a select the compiler cannot
 *   decide, which keeps the compensation alive.
 * - `max`: on order-preserving u32 keys of the f32 values (exact, handles ±∞ bit-exactly).
 * - `lse`: online max-shifted log-sum-exp (one read of the data): state (m, s) means
 *   Σ exp(x) = s·e^m; merging rescales the smaller-max side, so no exp argument is positive.
 *
 * @module
 */

/** Reduction performed along a row (or column). */
export type ReduceOp = "sum" | "max" | "lse" | "dot";

/** Which optional inputs a log-sum-exp reads (all default to 0). */
export interface LseAffine {
  /** u along the reduction when reducing columns, per output when reducing rows. */
  readonly rowOffset: boolean;
  /** v along the reduction when reducing rows, per output when reducing columns. */
  readonly colOffset: boolean;
}

/** Declarations of the invocation-local state. */
export function stateDecl(op: ReduceOp): string {
  switch (op) {
    case "sum":
    case "dot":
      return "var s: f32 = 0.0;\n  var c: f32 = 0.0;";
    case "max":
      return "var k: u32 = 0u;";
    case "lse":
      return "var m: f32 = 0.0;\n  var s: f32 = 0.0;\n  var any: bool = false;\n  var pin: bool = false;";
  }
}

/**
 * Fold the value `a` (and, for `dot`, its weight `w`; for `lse`, the offsets `u`, `v` and
 * their −∞ flags) into the state. `lse` entry classes follow the CPU twin: a −∞ offset is a
 * zero weight whatever `a` is; otherwise scale·a = +∞ makes the result +∞ and −∞ is skipped.
 */
export function foldCode(op: ReduceOp): string {
  switch (op) {
    case "sum":
      return "{ let yk = a - c; let tk = s + yk; c = (opaque(tk, params.rows) - s) - yk; s = tk; }";
    case "dot":
      return "{ let yk = a * w - c; let tk = s + yk; c = (opaque(tk, params.rows) - s) - yk; s = tk; }";
    case "max":
      return "k = max(k, f32_key(a));";
    case "lse":
      return `{
      var cls: u32 = 0u;
      if (is_inf(a)) { cls = select(1u, 2u, ((bitcast<u32>(a) >> 31u) == 0u) == (params.scale > 0.0)); }
      if (zero_w) { cls = 1u; }
      if (cls == 2u) { pin = true; }
      else if (cls == 0u) {
        let x = params.scale * a + off;
        if (!any) { m = x; s = 1.0; any = true; }
        else if (x > m) { s = s * exp(m - x) + 1.0; m = x; }
        else { s = s + exp(x - m); }
      }
    }`;
  }
}

/**
 * Packed state of one partial log-sum-exp as a `vec2<f32>` (m, s): s > 0 means Σ exp = s·e^m,
 * s = 0 means "no finite term" (the sum is 0, log is −∞), s = −1 means "a +∞ term". One
 * packed array instead of three keeps workgroup memory small (llvmpipe's JIT time grows
 * steeply with the element count of workgroup arrays).
 */
export const LSE_PACK_FN = `
fn lse_pack(m: f32, s: f32, any: bool, pin: bool) -> vec2<f32> {
  if (pin) { return vec2<f32>(0.0, -1.0); }
  if (!any) { return vec2<f32>(0.0, 0.0); }
  return vec2<f32>(m, s);
}
fn lse_merge(a: vec2<f32>, b: vec2<f32>) -> vec2<f32> {
  if (a.y < 0.0 || b.y < 0.0) { return vec2<f32>(0.0, -1.0); }
  if (b.y == 0.0) { return a; }
  if (a.y == 0.0) { return b; }
  if (b.x > a.x) { return vec2<f32>(b.x, a.y * exp(a.x - b.x) + b.y); }
  return vec2<f32>(a.x, a.y + b.y * exp(b.x - a.x));
}
fn lse_value(a: vec2<f32>) -> f32 {
  if (a.y < 0.0) { return pinf(); }
  if (a.y == 0.0) { return ninf(); }
  return a.x + log(a.y);
}`;

/** Write the invocation state to workgroup slot `i` (array `sh`). */
export function toShared(op: ReduceOp, i: string): string {
  switch (op) {
    case "sum":
    case "dot":
      return `sh[${i}] = s - c;`;
    case "max":
      return `sh[${i}] = k;`;
    case "lse":
      return `sh[${i}] = lse_pack(m, s, any, pin);`;
  }
}

/** Merge workgroup slot `j` into slot `i`. */
export function mergeShared(op: ReduceOp, i: string, j: string): string {
  switch (op) {
    case "sum":
    case "dot":
      return `sh[${i}] = sh[${i}] + sh[${j}];`;
    case "max":
      return `sh[${i}] = max(sh[${i}], sh[${j}]);`;
    case "lse":
      return `sh[${i}] = lse_merge(sh[${i}], sh[${j}]);`;
  }
}

/** The workgroup array `sh` used by {@linkcode toShared} / {@linkcode mergeShared}. */
export function sharedDecl(op: ReduceOp, size: string): string {
  const ty = op === "max" ? "u32" : op === "lse" ? "vec2<f32>" : "f32";
  return `var<workgroup> sh: array<${ty}, ${size}>;`;
}

/**
 * The reduced value r from workgroup slot `i`, then the epilogue α·r + β·b (`b` an expression).
 * Infinite r (max of ±∞, log-sum-exp of an all-zero-weight or +∞ row) maps to a signed ∞
 * through bit patterns; α ≠ 0 is validated on the host.
 */
export function finalCode(op: ReduceOp, i: string, b: string): string {
  const epi = (r: string) => `epilogue(${r}, ${b})`;
  switch (op) {
    case "sum":
    case "dot":
      return `let r = ${epi(`sh[${i}]`)};`;
    case "max":
      return `let r = ${epi(`key_f32(sh[${i}])`)};`;
    case "lse":
      return `let r = ${epi(`lse_value(sh[${i}])`)};`;
  }
}

/** `epilogue(r, b)` = α·r + β·b with ∞ handled by sign bits (needs params.alpha, params.beta). */
export const EPILOGUE_FN = `
fn epilogue(r: f32, b: f32) -> f32 {
  if (is_inf(r)) {
    let neg = ((bitcast<u32>(r) >> 31u) == 1u) != (params.alpha < 0.0);
    return select(pinf(), ninf(), neg);
  }
  return params.alpha * r + params.beta * b;
}`;
