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

/** Write the state to the workgroup arrays `sh_a`, `sh_b`, `sh_f` at index `i`. */
export function toShared(op: ReduceOp, i: string): string {
  switch (op) {
    case "sum":
    case "dot":
      return `sh_a[${i}] = s - c;`;
    case "max":
      return `sh_f[${i}] = k;`;
    case "lse":
      return `sh_a[${i}] = m; sh_b[${i}] = s; sh_f[${i}] = select(0u, 1u, any) | select(0u, 2u, pin);`;
  }
}

/** Merge workgroup slot `j` into slot `i`. */
export function mergeShared(op: ReduceOp, i: string, j: string): string {
  switch (op) {
    case "sum":
    case "dot":
      return `sh_a[${i}] = sh_a[${i}] + sh_a[${j}];`;
    case "max":
      return `sh_f[${i}] = max(sh_f[${i}], sh_f[${j}]);`;
    case "lse":
      return `{
        let f1 = sh_f[${i}]; let f2 = sh_f[${j}];
        if ((f2 & 1u) != 0u) {
          if ((f1 & 1u) == 0u) { sh_a[${i}] = sh_a[${j}]; sh_b[${i}] = sh_b[${j}]; }
          else {
            let m1 = sh_a[${i}]; let m2 = sh_a[${j}];
            if (m2 > m1) { sh_b[${i}] = sh_b[${i}] * exp(m1 - m2) + sh_b[${j}]; sh_a[${i}] = m2; }
            else { sh_b[${i}] = sh_b[${i}] + sh_b[${j}] * exp(m2 - m1); }
          }
        }
        sh_f[${i}] = f1 | f2;
      }`;
  }
}

/** Workgroup arrays used by {@linkcode toShared} / {@linkcode mergeShared}. */
export function sharedDecl(op: ReduceOp, size: string): string {
  if (op === "max") return `var<workgroup> sh_f: array<u32, ${size}>;`;
  if (op === "lse") {
    return `var<workgroup> sh_a: array<f32, ${size}>;\nvar<workgroup> sh_b: array<f32, ${size}>;\nvar<workgroup> sh_f: array<u32, ${size}>;`;
  }
  return `var<workgroup> sh_a: array<f32, ${size}>;`;
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
      return `let r = ${epi(`sh_a[${i}]`)};`;
    case "max":
      return `let r = ${epi(`key_f32(sh_f[${i}])`)};`;
    case "lse":
      return `var lse: f32 = 0.0;
    let f = sh_f[${i}];
    if ((f & 2u) != 0u) { lse = pinf(); }
    else if ((f & 1u) == 0u) { lse = ninf(); }
    else { lse = sh_a[${i}] + log(sh_b[${i}]); }
    let r = ${epi("lse")};`;
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
