/**
 * Input handling and finishing of the two-sample and conditional Cauchy–Schwarz divergences, shared by
 * the CPU path (`cs.ts`) and the GPU path (`cs_gpu.ts`), so both validate alike and turn their row
 * sums into the estimate with the same f64 code. Private to lib/info.
 *
 * @module
 */

import { ShapeError } from "../core/errors.ts";
import { Matrix } from "../core/matrix.ts";
import { logSumExp } from "../core/reduce.ts";
import type { ConstraintTable } from "../core/validate.ts";
import type { ConditionalRowStats } from "./_gram.ts";
import { assertSameRows, toSamples } from "./_input.ts";
import type { CsConditionalOptions, CsConditionalParams, CsDivergenceOptions, CsDivergenceParams } from "./cs.ts";
import { KERNEL_WIDTH_DEFAULTS, type KernelWidthRule, resolveWidth } from "./kernel_width.ts";
import { fromNats, type InfoEstimate, type SampleLike, UNITS } from "./result.ts";

/** Option constraints of `csDivergence` / `csDivergenceAsync`. */
export const CSD_CONSTRAINTS: ConstraintTable<CsDivergenceOptions> = {
  sigma: { kind: "any" },
  unit: { kind: "enum", values: UNITS },
};

/** Option constraints of `csConditional` / `csConditionalAsync`. */
export const COND_CONSTRAINTS: ConstraintTable<CsConditionalOptions> = {
  sigmaX: { kind: "any" },
  sigmaY: { kind: "any" },
  variant: { kind: "enum", values: ["paper", "released-code"] },
  unit: { kind: "enum", values: UNITS },
};

function stack(A: Matrix, B: Matrix): Matrix {
  const out = new Matrix(A.rows + B.rows, A.cols);
  out.data.set(A.data, 0);
  out.data.set(B.data, A.data.length);
  return out;
}

/** Validated samples of the two-sample divergence and the resolved σ (a rule is applied to the pooled samples). */
export function csDivergenceInputs(
  fn: string,
  a: SampleLike,
  b: SampleLike,
  rule: KernelWidthRule,
): { A: Matrix; B: Matrix; sigma: number } {
  const A = toSamples(a, fn, "a");
  const B = toSamples(b, fn, "b");
  if (A.cols !== B.cols) {
    throw new ShapeError({ fn, arg: "b", expected: `${A.cols} columns (as 'a')`, got: `${B.cols}` });
  }
  const sigma = typeof rule === "number"
    ? resolveWidth(A, rule, fn, "options.sigma")
    : resolveWidth(stack(A, B), rule, fn, "options.sigma", KERNEL_WIDTH_DEFAULTS);
  return { A, B, sigma };
}

/**
 * D̂_CS from the three log Gram sums log Σκ(a, a), log Σκ(b, b), log Σκ(a, b) (card A1); clamped at 0
 * (Cauchy–Schwarz in the RKHS).
 */
export function csDivergenceResult(
  opts: CsDivergenceOptions,
  A: Matrix,
  B: Matrix,
  sigma: number,
  sumPp: number,
  sumQq: number,
  sumPq: number,
): InfoEstimate<CsDivergenceParams> {
  const M = A.rows, N = B.rows;
  const logPp = sumPp - 2 * Math.log(M);
  const logQq = sumQq - 2 * Math.log(N);
  const logPq = sumPq - Math.log(M) - Math.log(N);
  const d = Math.max(0, logPp + logQq - 2 * logPq);
  return {
    value: fromNats(d, opts.unit),
    unit: opts.unit,
    n: N,
    params: { sigma, sigmaRule: opts.sigma, m: M, logPp, logQq, logPq },
  };
}

/** Validated inputs of the conditional divergence and the resolved widths. */
export function csConditionalInputs(
  fn: string,
  x: SampleLike,
  y: SampleLike,
  yHat: SampleLike,
  opts: CsConditionalOptions,
): { X: Matrix; Y: Matrix; Yh: Matrix; sx: number; sy: number } {
  const X = toSamples(x, fn, "x");
  const Y = toSamples(y, fn, "y");
  const Yh = toSamples(yHat, fn, "yHat");
  assertSameRows(X, Y, fn, "x", "y");
  assertSameRows(X, Yh, fn, "x", "yHat");
  if (Yh.cols !== Y.cols) {
    throw new ShapeError({ fn, arg: "yHat", expected: `${Y.cols} columns (as 'y')`, got: `${Yh.cols}` });
  }
  const sx = resolveWidth(X, opts.sigmaX, fn, "options.sigmaX");
  const sy = resolveWidth(Y, opts.sigmaY, fn, "options.sigmaY");
  return { X, Y, Yh, sx, sy };
}

/** D̂ = log A + log B − 2 log C from the per-row log sums (card A3), every sum in the log domain. */
export function csConditionalResult(
  opts: CsConditionalOptions,
  n: number,
  sx: number,
  sy: number,
  st: ConditionalRowStats,
): InfoEstimate<CsConditionalParams> {
  const den = new Float64Array(n);
  for (let j = 0; j < n; j++) den[j] = opts.variant === "paper" ? 2 * st.logS[j] : st.logS2[j];
  const tmp = new Float64Array(n);
  const lse = (num: Float64Array): number => {
    for (let j = 0; j < n; j++) tmp[j] = num[j] - den[j];
    return logSumExp(tmp);
  };
  const logA = lse(st.logA), logB = lse(st.logB), logC = lse(st.logC);
  const d = logA + logB - 2 * logC;
  return {
    value: fromNats(d, opts.unit),
    unit: opts.unit,
    n,
    params: { sigmaX: sx, sigmaY: sy, variant: opts.variant, logA, logB, logC },
  };
}
