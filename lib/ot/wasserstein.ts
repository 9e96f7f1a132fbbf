/**
 * Wasserstein distances W_p between discrete measures from a ground-distance matrix, exactly
 * (network simplex) or through an entropic solver.
 *
 * @module
 */

import { NonFiniteError, OptionError } from "../core/errors.ts";
import { Matrix, type MatrixLike, toMatrix } from "../core/matrix.ts";
import { type ConstraintTable, resolveOptions } from "../core/validate.ts";
import type { Marginal } from "./_problem.ts";
import { emd, type EmdResult } from "./emd.ts";
import type { OtResult } from "./result.ts";
import { sinkhorn, sinkhornLog } from "./sinkhorn.ts";
import { sinkhornNewtonSparse } from "./sinkhorn_newton_sparse.ts";

/** Options of {@linkcode wasserstein}. */
export interface WassersteinOptions {
  /** Order p ≥ 1: the transport cost is D^p (elementwise). @default 1 */
  p: number;
  /**
   * `"emd"`: exact LP (network simplex). `"sinkhorn"`, `"sinkhornLog"`, `"sns"`: the entropic plan
   * of that solver at `reg` (then `distance` is ⟨D^p, P_reg⟩^{1/p}, an upper bound biased by at most
   * (reg·min(H(a), H(b)))^{1/p}-ish; card T-bias). @default "emd"
   */
  method: "emd" | "sinkhorn" | "sinkhornLog" | "sns";
  /** Entropic regulariser (required for entropic methods; relative to D^p's units). @default undefined */
  reg: number | undefined;
  /** Marginal-error tolerance of the entropic solvers. @default 1e-9 */
  tol: number;
}

const W_DEFAULTS: Readonly<WassersteinOptions> = Object.freeze({ p: 1, method: "emd", reg: undefined, tol: 1e-9 });
const W_CONSTRAINTS: ConstraintTable<WassersteinOptions> = Object.freeze({
  p: { kind: "number", min: 1, max: 1e6 },
  method: { kind: "enum", values: ["emd", "sinkhorn", "sinkhornLog", "sns"] },
  reg: { kind: "number", min: 0, minExclusive: true, max: Number.MAX_VALUE },
  tol: { kind: "number", min: 0 },
});

/** Result of {@linkcode wasserstein}. */
export interface WassersteinResult {
  /** W_p = cost^{1/p}. */
  readonly distance: number;
  /** ⟨D^p, P⟩ (W_p^p for the exact method). */
  readonly cost: number;
  /** The transport plan used. */
  readonly plan: Matrix;
  /** Method that produced it. */
  readonly method: WassersteinOptions["method"];
  /** The underlying solver result (EmdResult or OtResult with diagnostics and certificates). */
  readonly result: EmdResult | OtResult;
}

/**
 * Wasserstein distance W_p(a, b) = (min_P ⟨D^p, P⟩)^{1/p} for a ground-distance matrix D
 * (e.g. {@linkcode euclidean} points or `gridCost(shape, 1)`), exactly by {@linkcode emd} or by an
 * entropic solver.
 *
 * @param a first measure's weights (length n); `null`/`[]` for uniform
 * @param b second measure's weights (length m, same mass); `null`/`[]` for uniform
 * @param D ground distances n×m (≥ 0)
 * @param options {@linkcode WassersteinOptions}
 * @returns {@linkcode WassersteinResult}
 * @throws {ParsimonyError} naming `a`, `b`, `D`, `options.reg` (entropic methods) or another option
 * @example
 * ```ts
 * import { gridCost, wasserstein } from "@parsimony/parsimony/ot";
 * wasserstein([1, 0, 0], [0, 0, 1], gridCost([3], 1)).distance; // => 1
 * ```
 */
export function wasserstein(
  a: Marginal,
  b: Marginal,
  D: MatrixLike,
  options: Partial<WassersteinOptions> = {},
): WassersteinResult {
  const fn = "wasserstein";
  const opts = resolveOptions(fn, W_DEFAULTS, options, W_CONSTRAINTS);
  const Dm = toMatrix(D, fn, "D");
  const Cp = new Matrix(Dm.rows, Dm.cols);
  for (let k = 0; k < Cp.data.length; k++) {
    const x = Dm.data[k];
    Cp.data[k] = opts.p === 1 ? x : opts.p === 2 ? x * x : Math.pow(x, opts.p);
    if (!Number.isFinite(Cp.data[k])) {
      throw new NonFiniteError({
        fn,
        arg: `D[${Math.floor(k / Dm.cols)}][${k % Dm.cols}]`,
        expected: "finite when raised to p",
        got: String(x),
      });
    }
  }
  if (opts.method === "emd") {
    const r = emd(a, b, Cp);
    return Object.freeze({
      distance: Math.pow(Math.max(r.cost, 0), 1 / opts.p),
      cost: r.cost,
      plan: r.plan,
      method: opts.method,
      result: r,
    });
  }
  if (opts.reg === undefined) {
    throw new OptionError({
      fn,
      arg: "options.reg",
      expected: `a positive number for method "${opts.method}"`,
      got: "undefined",
    });
  }
  const sopts = { reg: opts.reg, tol: opts.tol };
  const r = opts.method === "sinkhorn"
    ? sinkhorn(a, b, Cp, sopts)
    : opts.method === "sinkhornLog"
    ? sinkhornLog(a, b, Cp, sopts)
    : sinkhornNewtonSparse(a, b, Cp, sopts);
  return Object.freeze({
    distance: Math.pow(Math.max(r.cost, 0), 1 / opts.p),
    cost: r.cost,
    plan: r.plan,
    method: opts.method,
    result: r,
  });
}
