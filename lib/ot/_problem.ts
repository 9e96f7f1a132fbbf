/**
 * The one validated, frozen OT problem every solver in lib/ot builds from its POT-style
 * positional arguments `(a, b, C)` and `options.reg`.
 *
 * Validation happens here, once, at the public boundary; the solvers' hot loops trust
 * the result. Zero-mass rows and columns are removed from the working problem (their
 * potentials are −∞ and their plan rows/columns are 0 in every result): `log 0` would
 * otherwise poison the log-domain updates (card A7).
 *
 * @module
 */

import { describeValue, DomainError, NonFiniteError, NumericalError, ShapeError } from "../core/errors.ts";
import { type Matrix, type MatrixLike, toMatrix } from "../core/matrix.ts";
import { checkConstraint, type Constraint, toVector } from "../core/validate.ts";
import type { OtKernels } from "./_simd.ts";

/** Marginal argument: a non-negative vector, or `null`/`undefined`/`[]` for the uniform marginal. */
export type Marginal = ArrayLike<number> | null | undefined;

/** A validated OT problem (frozen). Sizes and arrays of the full problem plus its support. */
export interface OtProblem {
  /** Public function that built it (for messages). */
  readonly fn: string;
  /** Rows (length of `a`). */
  readonly n: number;
  /** Columns (length of `b`). */
  readonly m: number;
  /** Row marginal as used (after the optional mass equalisation). */
  readonly a: Float64Array;
  /** Column marginal as used. */
  readonly b: Float64Array;
  /** Cost matrix n×m. */
  readonly C: Matrix;
  /** Entropic regulariser (NaN for exact solvers). */
  readonly reg: number;
  /** Total mass Σa (= Σb). */
  readonly mass: number;
  /** Support rows (indices with a_i > 0). */
  readonly rows: Int32Array;
  /** Support columns (indices with b_j > 0). */
  readonly cols: Int32Array;
  /** Support row marginal (length ns). */
  readonly as: Float64Array;
  /** Support column marginal (length ms). */
  readonly bs: Float64Array;
  /** Support cost, row-major ns×ms (the original buffer when the support is full). */
  readonly Cr: Float64Array;
  /** True when b was rescaled by Σa/Σb to remove a mass mismatch within `massTol`. */
  readonly massRescaled: boolean;
  /**
   * False when the finiteness check of C was deferred to the solver's first pass over its kernel
   * copy of C (see {@linkcode loadCost}); true when C was checked here.
   */
  readonly costChecked: boolean;
}

/** Relative total-mass mismatch |Σa − Σb|/max(Σa, Σb) accepted (and removed by rescaling b). */
export const MASS_TOL = 1e-9;

/**
 * Validate `(a, b, C)` and build the frozen problem. With `deferFinite`, a `Matrix` C with full
 * support is not scanned for NaN/±∞ here: the solver checks it in its first kernel pass over its
 * copy of C ({@linkcode loadCost}, {@linkcode scaledCostFrom}) and throws the same error — one pass
 * over n·m entries fewer.
 *
 * @throws {ParsimonyError} naming `a`, `b`, `C` or `options.reg`
 */
export function buildProblem(
  fn: string,
  a: Marginal,
  b: Marginal,
  C: MatrixLike,
  reg: number,
  deferFinite = false,
): OtProblem {
  const Cm = toMatrix(C, fn, "C", { finite: !deferFinite });
  const n = Cm.rows, m = Cm.cols;
  if (n === 0 || m === 0) throw new ShapeError({ fn, arg: "C", expected: "a non-empty matrix", got: `${n}×${m}` });
  const av = marginal(fn, "a", a, n, "rows of C");
  const bv = marginal(fn, "b", b, m, "columns of C");
  const sa = kahan(av), sb = kahan(bv);
  if (!(sa > 0)) throw new DomainError({ fn, arg: "a", expected: "positive total mass", got: `sum ${sa}` });
  if (!(sb > 0)) throw new DomainError({ fn, arg: "b", expected: "positive total mass", got: `sum ${sb}` });
  let massRescaled = false;
  if (sa !== sb) {
    const rel = Math.abs(sa - sb) / Math.max(sa, sb);
    if (rel > MASS_TOL) {
      throw new DomainError({
        fn,
        arg: "b",
        expected: `the same total mass as a (relative tolerance ${MASS_TOL})`,
        got: `sum(a) = ${sa}, sum(b) = ${sb}`,
        hint: "Normalise both marginals (or use an unbalanced OT method)",
      });
    }
    const s = sa / sb;
    for (let j = 0; j < m; j++) bv[j] *= s;
    massRescaled = true;
  }
  const rows = support(av), cols = support(bv);
  const ns = rows.length, ms = cols.length;
  const as = new Float64Array(ns), bs = new Float64Array(ms);
  for (let i = 0; i < ns; i++) as[i] = av[rows[i]];
  for (let j = 0; j < ms; j++) bs[j] = bv[cols[j]];
  let Cr: Float64Array;
  let costChecked = !deferFinite;
  if (ns === n && ms === m) Cr = Cm.data;
  else {
    if (!costChecked) {
      assertFiniteCost(fn, Cm); // entries outside the support are not copied, so check them here
      costChecked = true;
    }
    Cr = new Float64Array(ns * ms);
    for (let i = 0; i < ns; i++) {
      const src = rows[i] * m, dst = i * ms;
      for (let j = 0; j < ms; j++) Cr[dst + j] = Cm.data[src + cols[j]];
    }
  }
  return Object.freeze({
    fn,
    n,
    m,
    a: av,
    b: bv,
    C: Cm,
    reg,
    mass: sa,
    rows,
    cols,
    as,
    bs,
    Cr,
    massRescaled,
    costChecked,
  });
}

/** Throws the NonFiniteError of toMatrix for the first NaN/±∞ entry of C (row-major order), if any. */
function assertFiniteCost(fn: string, C: Matrix): void {
  const d = C.data;
  for (let k = 0; k < d.length; k++) {
    if (!Number.isFinite(d[k])) {
      const i = Math.floor(k / C.cols), j = k % C.cols;
      throw new NonFiniteError({ fn, arg: `C[${i}][${j}]`, expected: "finite", got: describeValue(d[k]) });
    }
  }
}

/**
 * Copy the support cost into kernel memory `out` (length ns·ms) and return its minimum and
 * maximum; completes a deferred finiteness check of C (one SIMD pass).
 *
 * @throws {NonFiniteError} naming the first non-finite entry `C[i][j]`
 */
export function loadCost(p: OtProblem, kr: OtKernels, out: Float64Array): { min: number; max: number } {
  out.set(p.Cr);
  const st = kr.stats(out, p.Cr.length);
  if (!st.finite) {
    assertFiniteCost(p.fn, p.C);
    throw new NumericalError({ fn: p.fn, arg: "C", expected: "finite entries", got: "a non-finite entry" });
  }
  return { min: st.min, max: st.max };
}

/**
 * Cs = C/reg + 1 from the kernel copy `Cw` of the support cost into `out` (one SIMD pass; the
 * same numbers as {@linkcode scaledCost}). Completes a deferred finiteness check of C.
 *
 * @throws {NonFiniteError} for a NaN/±∞ entry of C; {NumericalError} when C/reg overflows
 */
export function scaledCostFrom(p: OtProblem, kr: OtKernels, Cw: Float64Array, out: Float64Array): Float64Array {
  if (!kr.affine(Cw, out, p.Cr.length, 1 / p.reg, 1)) {
    if (!p.costChecked) assertFiniteCost(p.fn, p.C);
    throw new NumericalError({
      fn: p.fn,
      arg: "options.reg",
      expected: "large enough that C/reg is finite",
      got: String(p.reg),
    });
  }
  return out;
}

/** Completes a deferred finiteness check of C after a kernel pass reported a non-finite entry. */
export function nonFiniteCost(p: OtProblem): never {
  assertFiniteCost(p.fn, p.C);
  throw new NumericalError({ fn: p.fn, arg: "C", expected: "finite entries", got: "a non-finite entry" });
}

function marginal(fn: string, arg: string, x: Marginal, len: number, what: string): Float64Array {
  if (x === null || x === undefined || (typeof x === "object" && "length" in x && x.length === 0)) {
    return new Float64Array(len).fill(1 / len);
  }
  const v = toVector(x, fn, arg);
  if (v.length !== len) {
    throw new ShapeError({ fn, arg, expected: `length ${len} (the ${what})`, got: `length ${v.length}` });
  }
  for (let i = 0; i < len; i++) {
    if (v[i] < 0) throw new DomainError({ fn, arg: `${arg}[${i}]`, expected: "non-negative", got: String(v[i]) });
  }
  return v;
}

function support(x: Float64Array): Int32Array {
  let k = 0;
  for (let i = 0; i < x.length; i++) if (x[i] > 0) k++;
  const out = new Int32Array(k);
  k = 0;
  for (let i = 0; i < x.length; i++) if (x[i] > 0) out[k++] = i;
  return out;
}

/** Neumaier-compensated sum of a Float64Array range (the marginals' mass check must not drift with n). */
export function kahan(x: ArrayLike<number>): number {
  let s = 0, c = 0;
  for (let i = 0; i < x.length; i++) {
    const v = x[i], t = s + v;
    c += Math.abs(s) >= Math.abs(v) ? (s - t) + v : (v - t) + s;
    s = t;
  }
  return s + c;
}

/**
 * The η-scaled support cost used by every log-domain loop: Cs = C/reg + 1, so that the
 * plan is P_ij = exp(u_i + v_j − Cs_ij) with scaled potentials u = f/reg, v = g/reg.
 *
 * @throws {NumericalError} when C/reg overflows f64
 */
export function scaledCost(p: OtProblem, out: Float64Array = new Float64Array(p.Cr.length)): Float64Array {
  const { Cr } = p;
  const eta = 1 / p.reg;
  for (let k = 0; k < Cr.length; k++) out[k] = Cr[k] * eta + 1;
  for (let k = 0; k < out.length; k++) {
    if (!Number.isFinite(out[k])) {
      throw new NumericalError({
        fn: p.fn,
        arg: "options.reg",
        expected: "large enough that C/reg is finite",
        got: String(p.reg),
      });
    }
  }
  return out;
}

/**
 * Resolve a nested options sub-object (e.g. `options.sparsity`) against its defaults and
 * constraint table, naming keys as `options.<name>.<key>` in errors.
 *
 * @throws {OptionError}
 */
export function resolveNested<T extends object>(
  fn: string,
  name: string,
  defaults: T,
  value: Partial<T> | undefined,
  constraints: { readonly [K in keyof T]-?: Constraint },
): Readonly<T> {
  const out = { ...defaults } as Record<string, unknown>;
  if (value !== undefined) {
    checkConstraint(fn, `options.${name}`, value, { kind: "object" });
    for (const [k, v] of Object.entries(value)) {
      const c = (constraints as Record<string, Constraint>)[k];
      if (c === undefined) {
        checkConstraint(fn, `options.${name}.${k}`, k, { kind: "enum", values: Object.keys(constraints) });
      }
      if (v === undefined) continue;
      checkConstraint(fn, `options.${name}.${k}`, v, c);
      out[k] = v;
    }
  }
  return Object.freeze(out) as Readonly<T>;
}
