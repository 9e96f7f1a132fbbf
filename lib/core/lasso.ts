/**
 * Lasso and elastic net by cyclic (or random) coordinate descent — the toolkit's one
 * implementation, with scikit-learn's objective, stopping rule and duality gap
 * (Friedman, Hastie & Tibshirani, "Regularization paths for generalized linear models via
 * coordinate descent", J. Stat. Softw. 2010; scikit-learn `_cd_fast.enet_coordinate_descent`).
 *
 * Objective (ρ = `l1Ratio`; ρ = 1 is the Lasso, ρ < 1 the elastic net):
 *
 *   F(w, b) = (1/(2n))‖y − Xw − b‖² + α·ρ‖w‖₁ + (α(1−ρ)/2)‖w‖²
 *
 * Coordinate update with the residual R = y − Xw kept up to date and the columns of X
 * stored contiguously (one copy):
 *
 *   w_j ← S(x_jᵀR/n + ‖x_j‖²w_j/n, αρ) / (‖x_j‖²/n + α(1−ρ)),  S(z, t) = sign(z)·max(|z| − t, 0)
 *
 * Stopping (as scikit-learn): after a sweep whose largest coordinate change is below
 * `tol`·max|w_j| (or when w = 0, or at the last sweep) the duality gap G(w) of the objective
 * above is computed from the rescaled dual point θ = R·min(1, αρ/‖XᵀR/n − α(1−ρ)w‖∞); the
 * solver stops when G(w) ≤ `tol`·‖y‖²/n. G(w) ≥ F(w) − F* always, so the returned objective
 * is within `dualGap` of the optimum.
 *
 * @module
 */

import { axpy, dotUnchecked, gemm } from "./blas.ts";
import { vecKernels } from "./_vec_wasm.ts";
import { type Backend, type Diagnostics, HistoryRecorder, type StopReason, stopwatch } from "./diagnostics.ts";
import { describeValue, DomainError, OptionError, ShapeError } from "./errors.ts";
import { Matrix, type MatrixLike, toMatrix } from "./matrix.ts";
import { mean } from "./reduce.ts";
import { Rng } from "./rng.ts";
import { type ConstraintTable, resolveOptions, toVector, type VectorLike } from "./validate.ts";

/** How coordinate descent picks the next coordinate: in order, or uniformly at random (with replacement). */
export type LassoSelection = "cyclic" | "random";

/** Which rule stopped (or would have stopped) a coordinate-descent run. */
export type LassoCriterion = "dualGap" | "coordinateChange";

/** Options shared by {@linkcode lasso}, {@linkcode lassoGram} and {@linkcode lassoPath}. */
export interface LassoBaseOptions {
  /** Regularisation strength α ≥ 0 (scikit-learn's `alpha`). @default 1 */
  alpha: number;
  /** Elastic-net mixing ρ ∈ [0, 1]: 1 = Lasso, 0 = ridge (scikit-learn's `l1_ratio`). @default 1 */
  l1Ratio: number;
  /** Constrain every coefficient to be ≥ 0. @default false */
  positive: boolean;
  /**
   * Tolerance (scikit-learn's meaning): the duality gap is checked after a sweep whose largest
   * coordinate change is < `tol`·max|w_j|, and the run stops when the gap ≤ `tol`·‖y‖²/n.
   * @default 1e-4
   */
  tol: number;
  /** Coordinate-descent sweeps (passes over all p coordinates) at most. @default 1000 */
  maxIter: number;
  /** Warm start w⁰ (length p); `undefined` = zeros. @default undefined */
  coef0: VectorLike | undefined;
  /** Coordinate order. @default "cyclic" */
  selection: LassoSelection;
  /** Seed of the coordinate draws when `selection` is `"random"` (lib/core {@linkcode Rng}). @default 0 */
  seed: number;
  /**
   * Between full sweeps that do not yet pass the `tol` test, sweep only the nonzero coefficients
   * until they settle (glmnet's active-set strategy): same solution and stopping rule, far fewer
   * dot products when the solution is sparse. `false` reproduces scikit-learn's iterates (and
   * `n_iter_`) exactly. `iterations` counts full sweeps only; see `activeSweeps`.
   * @default true
   */
  activeSet: boolean;
}

/** Options of {@linkcode lasso}. */
export interface LassoOptions extends LassoBaseOptions {
  /**
   * Fit an unpenalised intercept b: centre the columns of X and y (as scikit-learn), solve,
   * and return b = ȳ − x̄ᵀw. The method cards' convention is no intercept.
   * @default false
   */
  fitIntercept: boolean;
  /**
   * Run coordinate descent on the Gram matrix G = XᵀX/n (computed once, p×p, ≈ n·p²/2
   * multiply-adds) instead of X (n·p per full sweep). Same iterates up to rounding. `"auto"`:
   * {@linkcode lasso} works on X (one fit rarely needs the ≳ p/5 full sweeps that repay G; as
   * scikit-learn's `Lasso`, whose default is `precompute=False`); {@linkcode lassoPath} uses G
   * when n > p (scikit-learn's rule in `enet_path`), since the path reuses it for every α.
   * @default "auto"
   */
  precompute: "auto" | boolean;
}

/** Options of {@linkcode lassoGram}. */
export interface LassoGramOptions extends LassoBaseOptions {
  /**
   * ‖y‖²/n when G = XᵀX/n and b = Xᵀy/n come from data. With it, the stopping rule and
   * `dualGap` are scikit-learn's duality gap (meaningful when G is positive semidefinite) and
   * `objective` includes the constant ‖y‖²/(2n). Without it (e.g. a privatised, possibly
   * indefinite Gram with no y behind it) the run stops when the largest coordinate change in
   * a sweep is ≤ `tol`·max|w_j| and `dualGap` is NaN.
   * @default undefined
   */
  yNormSq: number | undefined;
}

/** Options of {@linkcode lassoPath}. */
export interface LassoPathOptions extends Omit<LassoOptions, "alpha"> {
  /** The α grid (any order; solved in descending order). `undefined` = `nAlphas` log-spaced values. @default undefined */
  alphas: VectorLike | undefined;
  /** Grid size when `alphas` is not given. @default 100 */
  nAlphas: number;
  /** Grid from α_max down to `eps`·α_max when `alphas` is not given. @default 1e-3 */
  eps: number;
}

/** Options of {@linkcode lassoAlphaMax}. */
export interface LassoAlphaMaxOptions {
  /** Elastic-net mixing ρ. @default 1 */
  l1Ratio: number;
  /** Centre X and y first. @default false */
  fitIntercept: boolean;
}

/** Result of {@linkcode lasso} and {@linkcode lassoGram}. */
export interface LassoResult<O = LassoOptions> extends Diagnostics<O> {
  /** Coefficients w (length p). */
  readonly coef: Float64Array;
  /** Intercept b (0 unless `fitIntercept`). */
  readonly intercept: number;
  /**
   * Duality gap of the returned w for the objective in the module doc (scikit-learn's
   * `dual_gap_`), computed at the last check; an upper bound on `objective` − optimum (up to
   * rounding: it may come out about −1e-16·‖y‖²/n at the optimum). NaN only
   * for {@linkcode lassoGram} without `yNormSq` (no dual available).
   */
  readonly dualGap: number;
  /** Objective value at the returned (w, b). */
  readonly objective: number;
  /** Full sweeps done (scikit-learn's `n_iter_`; `maxIter` bounds it). */
  readonly iterations: number;
  /** Sweeps over the nonzero coefficients only, between full sweeps (0 with `activeSet: false`). */
  readonly activeSweeps: number;
  /** Number of nonzero coefficients. */
  readonly nonzero: number;
  /** The stopping rule in force. */
  readonly criterion: LassoCriterion;
  /** Whether coordinate descent ran on the Gram matrix. */
  readonly gram: boolean;
}

/** Result of {@linkcode lassoPath}: one row per α, largest α first. */
export interface LassoPathResult {
  /** The α grid, descending. */
  readonly alphas: Float64Array;
  /** Coefficients, nAlphas × p (row i solves for `alphas[i]`). */
  readonly coefs: Matrix;
  /** Intercepts (zeros unless `fitIntercept`). */
  readonly intercepts: Float64Array;
  /** Duality gap at each α (as `LassoResult.dualGap`). */
  readonly dualGaps: Float64Array;
  /** Full sweeps at each α. */
  readonly iterations: Int32Array;
  /** Active-set sweeps at each α. */
  readonly activeSweeps: Int32Array;
  /** Whether each α met the tolerance. */
  readonly converged: readonly boolean[];
  /** Whether coordinate descent ran on the Gram matrix. */
  readonly gram: boolean;
  /** Wall time of the whole call in milliseconds. */
  readonly elapsedMs: number;
  /** Backend that ran the loop. */
  readonly backend: Backend;
  /** Options with every default filled in. */
  readonly options: Readonly<LassoPathOptions>;
}

/** Defaults shared by every coordinate-descent entry point. */
const BASE_DEFAULTS: Readonly<Omit<LassoBaseOptions, "alpha">> = {
  l1Ratio: 1,
  positive: false,
  tol: 1e-4,
  maxIter: 1000,
  coef0: undefined,
  selection: "cyclic",
  seed: 0,
  activeSet: true,
};

/** Defaults of {@linkcode lasso}. */
export const LASSO_DEFAULTS: Readonly<LassoOptions> = Object.freeze({
  alpha: 1,
  ...BASE_DEFAULTS,
  fitIntercept: false,
  precompute: "auto",
});

/** Defaults of {@linkcode lassoGram}. */
export const LASSO_GRAM_DEFAULTS: Readonly<LassoGramOptions> = Object.freeze({
  alpha: 1,
  ...BASE_DEFAULTS,
  yNormSq: undefined,
});

/** Defaults of {@linkcode lassoPath}. */
export const LASSO_PATH_DEFAULTS: Readonly<LassoPathOptions> = Object.freeze({
  alphas: undefined,
  nAlphas: 100,
  eps: 1e-3,
  ...BASE_DEFAULTS,
  fitIntercept: false,
  precompute: "auto",
});

const BASE_CONSTRAINTS: ConstraintTable<LassoBaseOptions> = {
  alpha: { kind: "number", min: 0, max: Number.MAX_VALUE },
  l1Ratio: { kind: "number", min: 0, max: 1 },
  positive: { kind: "boolean" },
  tol: { kind: "number", min: 0, max: Number.MAX_VALUE },
  maxIter: { kind: "number", min: 1, integer: true, max: Number.MAX_SAFE_INTEGER },
  coef0: { kind: "any" },
  selection: { kind: "enum", values: ["cyclic", "random"] },
  seed: { kind: "number", min: 0, integer: true, max: Number.MAX_SAFE_INTEGER },
  activeSet: { kind: "boolean" },
};

/** Constraint table of {@linkcode lasso}'s options. */
export const LASSO_CONSTRAINTS: ConstraintTable<LassoOptions> = {
  ...BASE_CONSTRAINTS,
  fitIntercept: { kind: "boolean" },
  precompute: { kind: "any" },
};

/** Constraint table of {@linkcode lassoGram}'s options. */
export const LASSO_GRAM_CONSTRAINTS: ConstraintTable<LassoGramOptions> = {
  ...BASE_CONSTRAINTS,
  yNormSq: { kind: "number", min: 0, max: Number.MAX_VALUE },
};

const { alpha: _alphaConstraint, ...PATH_BASE } = LASSO_CONSTRAINTS;

/** Constraint table of {@linkcode lassoPath}'s options. */
export const LASSO_PATH_CONSTRAINTS: ConstraintTable<LassoPathOptions> = {
  ...PATH_BASE,
  alphas: { kind: "any" },
  nAlphas: { kind: "number", min: 1, integer: true, max: 1e7 },
  eps: { kind: "number", min: 0, minExclusive: true, max: Number.MAX_VALUE },
};

const BACKEND_REASON = "coordinate descent runs on the CPU (sequential by nature)";

// ---------------------------------------------------------------------------------------------
// Problem preparation (shared by lasso, lassoPath and lassoAlphaMax, so that all three see the
// very same numbers: the α_max threshold then zeroes w exactly).

/** Columns of X (centred when fitting an intercept), their squared norms / n, and y. */
interface Design {
  readonly n: number;
  readonly p: number;
  /** Column-major copy of X (p rows of length n), centred if fitIntercept. */
  readonly Xt: Float64Array;
  /** Views of the columns into Xt. */
  readonly cols: Float64Array[];
  /** y, centred if fitIntercept. */
  readonly y: Float64Array;
  /** Column means (zeros without intercept). */
  readonly xMean: Float64Array;
  /** Mean of y (0 without intercept). */
  readonly yMean: number;
  /** ‖x_j‖²/n. */
  readonly colNormSq: Float64Array;
  /** ‖y‖²/n. */
  readonly yy: number;
  /** x_jᵀy/n (the correlations at w = 0). */
  readonly xty: Float64Array;
  /** Scratch for the residual (in the SIMD arena with Xt and y when available). */
  readonly R: Float64Array;
}

/**
 * The level-1 operations of the design path: WebAssembly SIMD over the arena of `_vec_wasm.ts`
 * (where X's columns, y and the residual live), else V8's loops. Every correlation — α_max,
 * x_jᵀy, and x_jᵀR inside the sweeps — goes through the same `vdot`, so at w = 0 the solver
 * sees exactly the numbers that set α_max.
 */
const vdot: (x: Float64Array, y: Float64Array, n: number) => number = vecKernels !== null
  ? vecKernels.dot
  : (x, y, n) => dotUnchecked(x, y, 0, 0, n);
const vaxpy: (alpha: number, x: Float64Array, y: Float64Array, n: number) => void = vecKernels !== null
  ? vecKernels.axpy
  : (alpha, x, y) => axpy(alpha, x, y);

function prepareDesign(X: unknown, y: unknown, fitIntercept: boolean, fn: string): Design {
  const M = toMatrix(X, fn, "X");
  if (M.rows === 0 || M.cols === 0) {
    throw new ShapeError({ fn, arg: "X", expected: "at least one row and one column", got: `${M.rows}×${M.cols}` });
  }
  let yv = toVector(y, fn, "y");
  const n = M.rows, p = M.cols;
  if (yv.length !== n) {
    throw new ShapeError({ fn, arg: "y", expected: `length n = ${n} (rows of X)`, got: `length ${yv.length}` });
  }
  // X's columns, y and the residual in one SIMD arena when available (see vdot)
  const arena = vecKernels?.arena(p * n + 2 * n) ?? null;
  const Xt = M.transpose(arena?.subarray(0, p * n)).data;
  let R: Float64Array;
  if (arena !== null) {
    const ya = arena.subarray(p * n, p * n + n);
    ya.set(yv);
    yv = ya;
    R = arena.subarray(p * n + n, p * n + 2 * n);
  } else R = new Float64Array(n);
  const cols: Float64Array[] = new Array(p);
  for (let j = 0; j < p; j++) cols[j] = Xt.subarray(j * n, (j + 1) * n);
  const xMean = new Float64Array(p);
  let yMean = 0;
  if (fitIntercept) {
    for (let j = 0; j < p; j++) {
      const c = cols[j], m = mean(c);
      xMean[j] = m;
      for (let i = 0; i < n; i++) c[i] -= m;
    }
    yMean = mean(yv);
    for (let i = 0; i < n; i++) yv[i] -= yMean;
  }
  const invN = 1 / n;
  const colNormSq = new Float64Array(p), xty = new Float64Array(p);
  for (let j = 0; j < p; j++) {
    colNormSq[j] = vdot(cols[j], cols[j], n) * invN;
    xty[j] = vdot(cols[j], yv, n) * invN;
  }
  return { n, p, Xt, cols, y: yv, xMean, yMean, colNormSq, yy: vdot(yv, yv, n) * invN, xty, R };
}

/** G = XᵀX/n (exactly symmetric), b = Xᵀy/n, ‖y‖²/n — the sufficient statistics. */
interface GramProblem {
  readonly p: number;
  readonly G: Float64Array;
  readonly b: Float64Array;
  readonly yy: number | undefined;
}

function gramFromDesign(d: Design): GramProblem {
  const { n, p } = d;
  const XtM = new Matrix(p, n, d.Xt);
  const G = gemm(XtM, XtM, { transB: true, alpha: 1 / n }).data;
  symmetrize(G, p);
  // The diagonal and b as the design path computes them, so both paths threshold identically.
  for (let j = 0; j < p; j++) G[j * p + j] = d.colNormSq[j];
  return { p, G, b: d.xty, yy: d.yy };
}

function symmetrize(G: Float64Array, p: number): void {
  for (let i = 0; i < p; i++) {
    for (let j = i + 1; j < p; j++) {
      const v = 0.5 * (G[i * p + j] + G[j * p + i]);
      G[i * p + j] = v;
      G[j * p + i] = v;
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Coordinate-descent kernels. Both work on the 1/n-scaled problem: l1 = αρ, l2 = α(1−ρ).

interface CdSettings {
  readonly l1: number;
  readonly l2: number;
  readonly positive: boolean;
  readonly tol: number;
  readonly maxIter: number;
  /** Draws coordinates when selection is "random"; null = cyclic. */
  readonly rng: Rng | null;
  /** Sweep the nonzero coordinates between full sweeps. */
  readonly activeSet: boolean;
}

/** Soft-thresholded, shrunk coordinate minimiser S(z, l1)/(h + l2) (or its positive part). */
function coordinateMin(z: number, h: number, l1: number, l2: number, positive: boolean): number {
  if (z > l1) return (z - l1) / (h + l2);
  if (!positive && z < -l1) return (z + l1) / (h + l2);
  return 0;
}

/**
 * Duality gap of the scaled problem from the correlations c_j = x_jᵀR/n, ‖R‖²/n and Rᵀy/n
 * (scikit-learn's formula, divided by n).
 */
function gapFrom(
  corr: (j: number) => number,
  w: Float64Array,
  rr: number,
  ry: number,
  s: CdSettings,
): number {
  const { l1, l2, positive } = s;
  const p = w.length;
  if (l1 === 0 && l2 > 0) return ridgeGap(corr, w, rr, ry, l2);
  let dualNorm = positive ? -Infinity : 0, l1Norm = 0, ww = 0;
  for (let j = 0; j < p; j++) {
    const a = corr(j) - l2 * w[j];
    if (positive) {
      if (a > dualNorm) dualNorm = a;
    } else if (Math.abs(a) > dualNorm) dualNorm = Math.abs(a);
    l1Norm += Math.abs(w[j]);
    ww += w[j] * w[j];
  }
  let c = 1, gap: number;
  if (dualNorm > l1) {
    c = l1 / dualNorm;
    gap = 0.5 * rr * (1 + c * c);
  } else {
    gap = rr;
  }
  return gap + l1 * l1Norm - c * ry + 0.5 * l2 * (1 + c * c) * ww;
}

/**
 * Ridge (ρ = 0, α > 0): the dual point rescaling above degenerates (θ = 0, the gap never
 * closes — scikit-learn's ElasticNet(l1_ratio=0) always warns), so use the unconstrained Fenchel
 * dual of the strongly convex problem at θ = R:
 * G = ‖R‖²/n − Rᵀy/n + (l2/2)‖w‖² + Σ_j c_j²/(2·l2), zero exactly at the minimiser.
 */
function ridgeGap(corr: (j: number) => number, w: Float64Array, rr: number, ry: number, l2: number): number {
  let cc = 0, ww = 0;
  for (let j = 0; j < w.length; j++) {
    const c = corr(j);
    cc += c * c;
    ww += w[j] * w[j];
  }
  return rr - ry + 0.5 * l2 * ww + cc / (2 * l2);
}

/** One problem representation seen by the shared sweep loop {@linkcode runCd}. */
interface CdKernel {
  /** Exact minimisation over coordinate j (others fixed), in place; returns |Δw_j|. */
  update(j: number): number;
  /** Duality gap of the current w (scaled problem). */
  gap(): number;
  /** Recompute the cached residual (R or H = Gw) from w, after w was reverted. */
  reset(): void;
}

interface LoopOutcome {
  readonly iterations: number;
  readonly activeSweeps: number;
  readonly gap: number;
  readonly converged: boolean;
  readonly stopReason: StopReason;
  readonly history: HistoryRecorder;
}

/**
 * The sweep loop shared by the design and Gram kernels. Each iteration is one full sweep over
 * all p coordinates (cyclic or random), followed by scikit-learn's test: if the largest change
 * is < tol·max|w_j| (or w = 0, or it is the last sweep) the duality gap is computed and the run
 * stops when it is ≤ tolGap. With `useGap` false the test is the relative change itself.
 * With `activeSet`, a full sweep that does not pass the test is followed by cyclic sweeps over
 * the nonzero coordinates only until their largest change is < tol·max|w_j| or they have cost
 * one full sweep's worth of coordinate steps (glmnet's active-set strategy): most coordinates
 * stay 0 and their dot products are skipped; the next full sweep (and the gap) checks all.
 */
function runCd(p: number, w: Float64Array, s: CdSettings, k: CdKernel, useGap: boolean, tolGap: number): LoopOutcome {
  const { tol, maxIter, rng, activeSet } = s;
  const history = new HistoryRecorder();
  const prev = new Float64Array(p);
  const active = new Int32Array(p);
  let gap = useGap ? Infinity : NaN, converged = false, stopReason: StopReason = "maxIter";
  let sweeps = 0, activeSweeps = 0, wMax = 0, dMax = 0;
  const step = (j: number): void => {
    const dw = k.update(j);
    if (dw > dMax) dMax = dw;
    const a = Math.abs(w[j]);
    if (a > wMax) wMax = a;
  };
  const finite = (): boolean => {
    if (Number.isFinite(wMax) && Number.isFinite(dMax)) return true;
    w.set(prev);
    k.reset();
    return false;
  };
  outer: for (let it = 0; it < maxIter; it++) {
    prev.set(w);
    wMax = 0;
    dMax = 0;
    if (rng === null) { for (let j = 0; j < p; j++) step(j); }
    else for (let f = 0; f < p; f++) step(rng.integer(p));
    sweeps = it + 1;
    if (!finite()) {
      stopReason = "nonFinite";
      break;
    }
    if (useGap) {
      if (wMax === 0 || dMax < tol * wMax || it === maxIter - 1) {
        gap = k.gap();
        history.push(sweeps, gap);
        if (gap <= tolGap) {
          converged = true;
          stopReason = "tol";
          break;
        }
        continue;
      }
    } else {
      history.push(sweeps, wMax === 0 ? (dMax === 0 ? 0 : Infinity) : dMax / wMax);
      if (dMax <= tol * wMax) {
        converged = true;
        stopReason = "tol";
        break;
      }
    }
    if (!activeSet) continue;
    let m = 0;
    for (let j = 0; j < p; j++) if (w[j] !== 0) active[m++] = j;
    if (m === 0 || m === p) continue;
    // At most one full sweep's worth of work (p coordinate steps) per active-set phase.
    const innerMax = Math.min(maxIter, Math.max(1, Math.floor(p / m)));
    for (let inner = 0; inner < innerMax; inner++) {
      wMax = 0;
      dMax = 0;
      for (let a = 0; a < m; a++) step(active[a]);
      activeSweeps++;
      if (!finite()) {
        stopReason = "nonFinite";
        break outer;
      }
      if (dMax < tol * wMax || wMax === 0) break;
    }
  }
  if (stopReason === "nonFinite" && useGap) gap = k.gap();
  return { iterations: sweeps, activeSweeps, gap, converged, stopReason, history };
}

/** Coordinate descent on X with the residual R = y − Xw kept up to date; w in place. */
function cdDesign(d: Design, w: Float64Array, s: CdSettings): LoopOutcome & { readonly rr: number } {
  const { n, p, cols, colNormSq, y, yy } = d;
  const { l1, l2, positive } = s;
  const invN = 1 / n;
  const R = d.R;
  const reset = (): void => {
    R.set(y);
    for (let j = 0; j < p; j++) if (w[j] !== 0) vaxpy(-w[j], cols[j], R, n);
  };
  reset();
  const corr = (j: number): number => vdot(cols[j], R, n) * invN;
  const kernel: CdKernel = {
    update(j: number): number {
      const h = colNormSq[j], wj = w[j];
      if (h === 0) {
        // An all-zero column: any w_j fits equally; keep the minimum-norm choice 0.
        w[j] = 0;
        return Math.abs(wj);
      }
      const c = cols[j];
      const nw = coordinateMin(vdot(c, R, n) * invN + h * wj, h, l1, l2, positive);
      if (nw === wj) return 0;
      vaxpy(wj - nw, c, R, n);
      w[j] = nw;
      return Math.abs(nw - wj);
    },
    gap: () => gapFrom(corr, w, vdot(R, R, n) * invN, vdot(R, y, n) * invN, s),
    reset,
  };
  const out = runCd(p, w, s, kernel, true, s.tol * yy);
  return { ...out, rr: vdot(R, R, n) * invN };
}

/**
 * Coordinate descent on ½wᵀGw − bᵀw + penalties with H = Gw kept up to date; w in place.
 * Stops on the duality gap when ‖y‖²/n is known, else on the relative coordinate change.
 */
function cdGram(
  g: GramProblem,
  w: Float64Array,
  s: CdSettings,
): LoopOutcome & { readonly rr: number; readonly criterion: LassoCriterion } {
  const { p, G, b, yy } = g;
  const { l1, l2, positive } = s;
  const rows: Float64Array[] = new Array(p);
  for (let j = 0; j < p; j++) rows[j] = G.subarray(j * p, (j + 1) * p);
  const H = new Float64Array(p);
  const reset = (): void => {
    H.fill(0);
    for (let j = 0; j < p; j++) if (w[j] !== 0) axpy(w[j], rows[j], H);
  };
  reset();
  const useGap = yy !== undefined;
  const corr = (j: number): number => b[j] - H[j];
  // ‖R‖²/n = ‖y‖²/n − 2bᵀw + wᵀGw and Rᵀy/n = ‖y‖²/n − bᵀw (‖y‖²/n taken as 0 when unknown).
  const residuals = (): { rr: number; ry: number } => {
    let wb = 0, wh = 0;
    for (let j = 0; j < p; j++) {
      wb += w[j] * b[j];
      wh += w[j] * H[j];
    }
    const yyv = yy ?? 0;
    return { rr: yyv - 2 * wb + wh, ry: yyv - wb };
  };
  const kernel: CdKernel = {
    update(j: number): number {
      const h = G[j * p + j], wj = w[j];
      const nw = coordinateMin(b[j] - H[j] + h * wj, h, l1, l2, positive);
      if (nw === wj) return 0;
      axpy(nw - wj, rows[j], H);
      w[j] = nw;
      return Math.abs(nw - wj);
    },
    gap: () => {
      const { rr, ry } = residuals();
      return gapFrom(corr, w, rr, ry, s);
    },
    reset,
  };
  const out = runCd(p, w, s, kernel, useGap, useGap ? s.tol * yy : 0);
  return {
    ...out,
    rr: residuals().rr, // without yy this is ‖R‖²/n − ‖y‖²/n = wᵀGw − 2bᵀw
    criterion: useGap ? "dualGap" : "coordinateChange",
  };
}

// ---------------------------------------------------------------------------------------------
// Public API

function penalty(w: Float64Array, l1: number, l2: number): number {
  let a = 0, q = 0;
  for (let j = 0; j < w.length; j++) {
    a += Math.abs(w[j]);
    q += w[j] * w[j];
  }
  return l1 * a + 0.5 * l2 * q;
}

function countNonzero(w: Float64Array): number {
  let k = 0;
  for (let j = 0; j < w.length; j++) if (w[j] !== 0) k++;
  return k;
}

function initialCoef(coef0: VectorLike | undefined, p: number, fn: string): Float64Array {
  if (coef0 === undefined) return new Float64Array(p);
  const w = toVector(coef0, fn, "options.coef0");
  if (w.length !== p) {
    throw new ShapeError({ fn, arg: "options.coef0", expected: `length p = ${p}`, got: `length ${w.length}` });
  }
  return w;
}

function checkPrecompute(v: unknown, fn: string): void {
  if (v !== "auto" && v !== true && v !== false) {
    throw new OptionError({ fn, arg: "options.precompute", expected: `"auto", true or false`, got: describeValue(v) });
  }
}

function settings(o: Omit<LassoBaseOptions, "alpha">, alpha: number, rng: Rng | null): CdSettings {
  return {
    l1: alpha * o.l1Ratio,
    l2: alpha * (1 - o.l1Ratio),
    positive: o.positive,
    tol: o.tol,
    maxIter: o.maxIter,
    rng,
    activeSet: o.activeSet,
  };
}

function useGram(precompute: "auto" | boolean, autoGram: boolean): boolean {
  return precompute === "auto" ? autoGram : precompute;
}

/**
 * Lasso / elastic net by coordinate descent (Friedman, Hastie & Tibshirani 2010), with
 * scikit-learn's objective, stopping rule and duality gap (`sklearn.linear_model.Lasso` /
 * `ElasticNet`):
 *
 *   min_{w, b} (1/(2n))‖y − Xw − b‖² + α·ρ‖w‖₁ + (α(1−ρ)/2)‖w‖²   (ρ = `l1Ratio`)
 *
 * X is copied once column-major (centred with `fitIntercept`), so every x_jᵀR is a contiguous
 * dot product; with `precompute: true` the sweeps run on G = XᵀX/n instead. Between full sweeps
 * that do not pass the tolerance test, only the nonzero coefficients are swept (`activeSet`).
 * The duality gap is checked only after sweeps whose largest coordinate change is < `tol`·max|w|.
 *
 * Convergence: the objective is convex and CD converges for every α > 0. For ridge (ρ = 0,
 * α > 0) scikit-learn's rescaled dual point degenerates and its gap never closes; here the
 * exact Fenchel gap of the strongly convex problem is used instead, so ridge fits converge.
 * With α = 0 (least
 * squares) the gap equals ‖R‖²/(2n) unless XᵀR = 0, so unless y lies in the range of X the
 * run ends with `converged: false` at `maxIter` (use `lstsq`); with a singular X and
 * α(1−ρ) = 0 the minimiser is not unique and CD may creep. Non-convergence is reported
 * (`converged: false`, `stopReason: "maxIter"`), never thrown; raise `maxIter` or `tol`.
 *
 * @param X design, n×p (`number[][]` or {@linkcode Matrix}); not modified
 * @param y response, length n
 * @param options see {@linkcode LassoOptions}; defaults in {@linkcode LASSO_DEFAULTS}
 * @returns coefficients, intercept, duality gap, objective and run diagnostics
 * @throws {ShapeError} naming `X` (empty), `y` (length ≠ n) or `options.coef0` (length ≠ p)
 * @throws {NonFiniteError} naming `X`, `y` or `options.coef0` for NaN/±Inf entries
 * @throws {OptionError} naming `options.alpha` (< 0), `options.l1Ratio` (outside [0, 1]), an unknown key, …
 * @example
 * ```ts
 * import { lasso } from "@parsimony/parsimony/core";
 * const X = [[1, 0], [0, 1], [1, 1], [2, 1]];
 * const r = lasso(X, [1, 0, 1, 2], { alpha: 0.1, tol: 1e-10 });
 * r.converged; // => true
 * Array.from(r.coef, (v) => +v.toFixed(6)); // => [0.933333, 0]
 * ```
 * @see {@linkcode lassoGram} (sufficient statistics), {@linkcode lassoPath}, {@linkcode lassoAlphaMax}
 */
export function lasso(
  X: MatrixLike,
  y: VectorLike,
  options?: Partial<LassoOptions>,
): LassoResult<LassoOptions> {
  const fn = "lasso";
  const elapsed = stopwatch();
  const o = resolveOptions(fn, LASSO_DEFAULTS, options, LASSO_CONSTRAINTS);
  checkPrecompute(o.precompute, fn);
  const d = prepareDesign(X, y, o.fitIntercept, fn);
  const w = initialCoef(o.coef0, d.p, fn);
  const s = settings(o, o.alpha, o.selection === "random" ? new Rng(o.seed) : null);
  const gram = useGram(o.precompute, false);
  const out = gram ? cdGram(gramFromDesign(d), w, s) : cdDesign(d, w, s);
  return {
    coef: w,
    intercept: o.fitIntercept ? interceptOf(d, w) : 0,
    dualGap: out.gap,
    objective: 0.5 * out.rr + penalty(w, s.l1, s.l2),
    iterations: out.iterations,
    activeSweeps: out.activeSweeps,
    nonzero: countNonzero(w),
    criterion: "dualGap",
    gram,
    converged: out.converged,
    stopReason: out.stopReason,
    history: out.history.freeze(),
    elapsedMs: elapsed(),
    backend: "cpu",
    backendReason: BACKEND_REASON,
    options: o,
  };
}

function interceptOf(d: Design, w: Float64Array): number {
  let s = 0;
  for (let j = 0; j < d.p; j++) s += d.xMean[j] * w[j];
  return d.yMean - s;
}

/**
 * Lasso / elastic net by coordinate descent on sufficient statistics (covariance updates,
 * Friedman et al. 2010 §2.2):
 *
 *   min_w ½wᵀGw − bᵀw + α·ρ‖w‖₁ + (α(1−ρ)/2)‖w‖²
 *
 * for a symmetric p×p G with positive diagonal and b of length p — e.g. G = XᵀX/n, b = Xᵀy/n,
 * which gives the same minimiser as {@linkcode lasso}(X, y), or a noisy (privatised) Gram
 * matrix. Each coordinate step w_j ← S(b_j − (Gw)_j + G_jj w_j, αρ)/(G_jj + α(1−ρ)) is exact
 * and never raises the objective.
 *
 * Stopping: with `yNormSq` = ‖y‖²/n, scikit-learn's duality gap (valid when G is positive
 * semidefinite), exactly as {@linkcode lasso}. Without it — in particular when G is NOT
 * positive semidefinite, where no duality gap exists and the objective may be unbounded below
 * — the run stops when the largest coordinate change in a sweep is ≤ `tol`·max|w_j|
 * (`criterion: "coordinateChange"`, `dualGap` NaN, `history` holds that ratio per sweep). Such a
 * fixed point is coordinate-wise optimal (each w_j minimises the objective with the others
 * fixed) but, for an indefinite G, only a local solution; if the iterates blow up the last
 * finite sweep is returned with `stopReason: "nonFinite"`.
 *
 * @param G symmetric p×p matrix with G_jj > 0 (`number[][]` or {@linkcode Matrix})
 * @param b linear term, length p
 * @param options see {@linkcode LassoGramOptions}; defaults in {@linkcode LASSO_GRAM_DEFAULTS}
 * @returns coefficients, duality gap (or NaN), objective (½wᵀGw − bᵀw + penalties, plus
 *   `yNormSq`/2 when given) and run diagnostics; `intercept` is 0
 * @throws {ShapeError} naming `G` (not square or empty), `b` (length ≠ p) or `options.coef0`
 * @throws {DomainError} naming `G` when it is not symmetric (relative 1e-10) or a diagonal entry is ≤ 0
 * @throws {NonFiniteError} naming `G`, `b` or `options.coef0`
 * @throws {OptionError} naming the offending option
 * @example
 * ```ts
 * import { lassoGram } from "@parsimony/parsimony/core";
 * const r = lassoGram([[1, 0.5], [0.5, 1]], [1, 0.2], { alpha: 0.1, tol: 1e-12 });
 * r.criterion; // => "coordinateChange"
 * Array.from(r.coef, (v) => +v.toFixed(6)); // => [1, -0.2]
 * ```
 */
export function lassoGram(
  G: MatrixLike,
  b: VectorLike,
  options?: Partial<LassoGramOptions>,
): LassoResult<LassoGramOptions> {
  const fn = "lassoGram";
  const elapsed = stopwatch();
  const o = resolveOptions(fn, LASSO_GRAM_DEFAULTS, options, LASSO_GRAM_CONSTRAINTS);
  const M = toMatrix(G, fn, "G", { reuse: false });
  const p = M.rows;
  if (p === 0 || M.cols !== p) {
    throw new ShapeError({ fn, arg: "G", expected: "a non-empty square matrix", got: `${M.rows}×${M.cols}` });
  }
  const bv = toVector(b, fn, "b");
  if (bv.length !== p) {
    throw new ShapeError({ fn, arg: "b", expected: `length p = ${p} (rows of G)`, got: `length ${bv.length}` });
  }
  const Gd = M.data;
  let scale = 0;
  for (let k = 0; k < Gd.length; k++) scale = Math.max(scale, Math.abs(Gd[k]));
  for (let i = 0; i < p; i++) {
    if (!(Gd[i * p + i] > 0)) {
      throw new DomainError({
        fn,
        arg: "G",
        expected: "a positive diagonal",
        got: `G[${i}][${i}] = ${describeValue(Gd[i * p + i])}`,
      });
    }
    for (let j = i + 1; j < p; j++) {
      if (Math.abs(Gd[i * p + j] - Gd[j * p + i]) > 1e-10 * scale) {
        throw new DomainError({
          fn,
          arg: "G",
          expected: "symmetric (relative 1e-10)",
          got: `G[${i}][${j}] = ${Gd[i * p + j]} but G[${j}][${i}] = ${Gd[j * p + i]}`,
        });
      }
    }
  }
  symmetrize(Gd, p);
  const w = initialCoef(o.coef0, p, fn);
  const s = settings(o, o.alpha, o.selection === "random" ? new Rng(o.seed) : null);
  const out = cdGram({ p, G: Gd, b: bv, yy: o.yNormSq }, w, s);
  return {
    coef: w,
    intercept: 0,
    dualGap: out.gap,
    objective: 0.5 * out.rr + penalty(w, s.l1, s.l2),
    iterations: out.iterations,
    activeSweeps: out.activeSweeps,
    nonzero: countNonzero(w),
    criterion: out.criterion,
    gram: true,
    converged: out.converged,
    stopReason: out.stopReason,
    history: out.history.freeze(),
    elapsedMs: elapsed(),
    backend: "cpu",
    backendReason: BACKEND_REASON,
    options: o,
  };
}

/**
 * Smallest α whose Lasso / elastic-net solution is w = 0 (scikit-learn's `_alpha_grid` top):
 *
 *   α_max = ‖Xᵀy‖∞ / (n·ρ)   (X, y centred when `fitIntercept`)
 *
 * rounded up to the next double where needed so that `lasso(X, y, { alpha: α_max })` returns
 * exactly zero. With ρ = 0 (ridge) no finite α zeroes w: returns Infinity (0 if Xᵀy = 0).
 *
 * @param X design, n×p
 * @param y response, length n
 * @param options `l1Ratio` (default 1), `fitIntercept` (default false)
 * @returns α_max ≥ 0
 * @throws {ShapeError} | {NonFiniteError} naming `X` or `y`; {OptionError} for a bad option
 * @example
 * ```ts
 * import { lasso, lassoAlphaMax } from "@parsimony/parsimony/core";
 * const X = [[1, 0], [0, 1], [1, 1]], y = [3, 1, 2];
 * lassoAlphaMax(X, y); // => 1.6666666666666665 (= fl(5·fl(1/3)))
 * lasso(X, y, { alpha: lassoAlphaMax(X, y) }).nonzero; // => 0
 * ```
 */
export function lassoAlphaMax(
  X: MatrixLike,
  y: VectorLike,
  options?: Partial<LassoAlphaMaxOptions>,
): number {
  const fn = "lassoAlphaMax";
  const o = resolveOptions(fn, { l1Ratio: 1, fitIntercept: false }, options, {
    l1Ratio: { kind: "number", min: 0, max: 1 },
    fitIntercept: { kind: "boolean" },
  });
  return alphaMaxOf(prepareDesign(X, y, o.fitIntercept, fn), o.l1Ratio);
}

function alphaMaxOf(d: Design, rho: number): number {
  let m = 0;
  for (let j = 0; j < d.p; j++) m = Math.max(m, Math.abs(d.xty[j]));
  if (rho === 0) return m === 0 ? 0 : Infinity;
  let a = m / rho;
  // Make fl(a·ρ) ≥ max|x_jᵀy|/n, the quantity coordinate descent compares against.
  while (a * rho < m) a = nextUp(a);
  return a;
}

function nextUp(x: number): number {
  if (x === 0) return Number.MIN_VALUE;
  const f = new Float64Array([x]);
  const u = new BigInt64Array(f.buffer);
  u[0] += x > 0 ? 1n : -1n;
  return f[0];
}

/**
 * Lasso / elastic-net regularisation path by warm-started coordinate descent
 * (scikit-learn's `lasso_path` / `enet_path`): solves {@linkcode lasso}'s objective for each α
 * of a descending grid, starting each solve from the previous solution. Without `alphas` the
 * grid is `nAlphas` values log-spaced from α_max ({@linkcode lassoAlphaMax}) down to
 * `eps`·α_max. X is copied (and, with `precompute`, its Gram matrix formed) once for the path.
 *
 * @param X design, n×p
 * @param y response, length n
 * @param options see {@linkcode LassoPathOptions}; defaults in {@linkcode LASSO_PATH_DEFAULTS}
 * @returns the grid (descending), coefficients (nAlphas×p), intercepts, gaps, sweeps, convergence flags
 * @throws {ShapeError} | {NonFiniteError} naming `X`, `y` or `options.coef0`
 * @throws {OptionError} naming `options.alphas` (negative or non-finite entry, or empty),
 *   `options.l1Ratio` (0 without `alphas`: no finite α_max), or another option
 * @example
 * ```ts
 * import { lassoPath } from "@parsimony/parsimony/core";
 * const X = [[1, 0], [0, 1], [1, 1]], y = [3, 1, 2];
 * const path = lassoPath(X, y, { nAlphas: 5 });
 * path.coefs.rows; // => 5
 * Array.from(path.coefs.row(0)); // => [0, 0]
 * ```
 */
export function lassoPath(
  X: MatrixLike,
  y: VectorLike,
  options?: Partial<LassoPathOptions>,
): LassoPathResult {
  const fn = "lassoPath";
  const elapsed = stopwatch();
  const o = resolveOptions(fn, LASSO_PATH_DEFAULTS, options, LASSO_PATH_CONSTRAINTS);
  checkPrecompute(o.precompute, fn);
  const d = prepareDesign(X, y, o.fitIntercept, fn);
  let alphas: Float64Array;
  if (o.alphas !== undefined) alphas = givenAlphas(o.alphas, fn);
  else {
    rejectRidgeGrid(o.l1Ratio, fn);
    alphas = alphaGrid(alphaMaxOf(d, o.l1Ratio), o.nAlphas, o.eps);
  }
  const K = alphas.length, p = d.p;
  const w = initialCoef(o.coef0, p, fn);
  const rng = o.selection === "random" ? new Rng(o.seed) : null;
  const gram = useGram(o.precompute, d.n > p);
  const g = gram ? gramFromDesign(d) : null;
  const coefs = new Matrix(K, p);
  const intercepts = new Float64Array(K), dualGaps = new Float64Array(K);
  const iterations = new Int32Array(K), activeSweeps = new Int32Array(K);
  const converged: boolean[] = new Array(K);
  for (let k = 0; k < K; k++) {
    const s = settings(o, alphas[k], rng);
    const out = g !== null ? cdGram(g, w, s) : cdDesign(d, w, s);
    coefs.data.set(w, k * p);
    intercepts[k] = o.fitIntercept ? interceptOf(d, w) : 0;
    dualGaps[k] = out.gap;
    iterations[k] = out.iterations;
    activeSweeps[k] = out.activeSweeps;
    converged[k] = out.converged;
  }
  return {
    alphas,
    coefs,
    intercepts,
    dualGaps,
    iterations,
    activeSweeps,
    converged,
    gram,
    elapsedMs: elapsed(),
    backend: "cpu",
    options: o,
  };
}

/** No generated grid for ridge (ρ = 0): α_max is infinite there. */
function rejectRidgeGrid(l1Ratio: number, fn: string): void {
  if (l1Ratio === 0) {
    throw new OptionError({
      fn,
      arg: "options.l1Ratio",
      expected: "> 0 when options.alphas is not given (α_max is infinite for ridge)",
      got: "0",
    });
  }
}

/** A user's α grid, validated (non-empty, finite, ≥ 0) and sorted descending. */
function givenAlphas(v: VectorLike, fn: string): Float64Array {
  if (!(Array.isArray(v) || ArrayBuffer.isView(v)) || v.length === 0) {
    throw new OptionError({ fn, arg: "options.alphas", expected: "a non-empty array", got: describeValue(v) });
  }
  const alphas = Float64Array.from(v);
  for (let k = 0; k < alphas.length; k++) {
    if (!(Number.isFinite(alphas[k]) && alphas[k] >= 0)) {
      throw new OptionError({
        fn,
        arg: "options.alphas",
        expected: "finite and ≥ 0",
        got: `alphas[${k}] = ${describeValue(v[k])}`,
      });
    }
  }
  return alphas.sort().reverse();
}

/** scikit-learn's grid: logspace(log10(eps·α_max), log10(α_max), K) descending (1e-15 everywhere if α_max ≈ 0). */
function alphaGrid(alphaMax: number, K: number, eps: number): Float64Array {
  const out = new Float64Array(K);
  if (alphaMax <= 1e-15) return out.fill(1e-15);
  const hi = Math.log10(alphaMax), lo = Math.log10(alphaMax * eps);
  for (let k = 0; k < K; k++) {
    const t = K === 1 ? 1 : k / (K - 1);
    out[K - 1 - k] = Math.pow(10, lo + (hi - lo) * t);
  }
  out[0] = alphaMax;
  return out;
}

/** Options of {@linkcode lassoCV}: those of {@linkcode lassoPath} plus the fold count. */
export interface LassoCVOptions extends LassoPathOptions {
  /** Number of contiguous folds (scikit-learn's `KFold(cv)` without shuffling). @default 5 */
  cv: number;
}

/** Defaults of {@linkcode lassoCV}. */
export const LASSO_CV_DEFAULTS: Readonly<LassoCVOptions> = Object.freeze({ ...LASSO_PATH_DEFAULTS, cv: 5 });

/** Constraint table of {@linkcode lassoCV}'s options. */
export const LASSO_CV_CONSTRAINTS: ConstraintTable<LassoCVOptions> = {
  ...LASSO_PATH_CONSTRAINTS,
  cv: { kind: "number", min: 2, integer: true, max: Number.MAX_SAFE_INTEGER },
};

/** Result of {@linkcode lassoCV}. */
export interface LassoCVResult {
  /** The α with the smallest mean held-out MSE (the largest such α on ties). */
  readonly alpha: number;
  /** The α grid, descending (from the full data, as scikit-learn). */
  readonly alphas: Float64Array;
  /** Held-out mean squared error, nAlphas × cv (scikit-learn's `mse_path_`). */
  readonly msePath: Matrix;
  /** Mean of `msePath` over the folds, per α. */
  readonly mseMean: Float64Array;
  /** Coefficients of the refit on all data at `alpha`. */
  readonly coef: Float64Array;
  /** Intercept of the refit (0 unless `fitIntercept`). */
  readonly intercept: number;
  /** The refit itself (diagnostics: gap, iterations, convergence). */
  readonly fit: LassoResult<LassoOptions>;
  /** Wall time of the whole call in milliseconds. */
  readonly elapsedMs: number;
  /** Backend that ran the loops. */
  readonly backend: Backend;
  /** Options with every default filled in. */
  readonly options: Readonly<LassoCVOptions>;
}

/**
 * Lasso / elastic net with α chosen by K-fold cross-validation (scikit-learn's `LassoCV` /
 * `ElasticNetCV` with `cv = KFold(K)`): the α grid comes from the full data (`nAlphas` values
 * from α_max down to `eps`·α_max, or `alphas`); for each contiguous fold a warm-started
 * {@linkcode lassoPath} is fitted on the other rows and its held-out MSE
 * (1/|test|)Σ(y_i − x_iᵀw − b)² recorded per α; the α with the smallest mean MSE is refitted on
 * all rows by {@linkcode lasso}.
 *
 * @param X n×p design
 * @param y length-n response
 * @param options {@linkcode LassoCVOptions}
 * @returns {@linkcode LassoCVResult}
 * @throws {ShapeError} when y's length is not n
 * @throws {OptionError} naming `options.cv` when there are fewer rows than folds, and as {@linkcode lassoPath}
 * @example
 * ```ts
 * import { lassoCV } from "@parsimony/parsimony/core";
 * const X = [[1, 0], [0, 1], [1, 1], [2, 1], [0, 2], [1, 3]], y = [1, 0, 1, 2, 0, 1];
 * const r = lassoCV(X, y, { cv: 3, nAlphas: 10 });
 * r.msePath.rows; // => 10
 * r.alphas.includes(r.alpha); // => true
 * ```
 */
export function lassoCV(X: MatrixLike, y: VectorLike, options?: Partial<LassoCVOptions>): LassoCVResult {
  const fn = "lassoCV";
  const elapsed = stopwatch();
  const o = resolveOptions(fn, LASSO_CV_DEFAULTS, options, LASSO_CV_CONSTRAINTS);
  const M = toMatrix(X, fn, "X");
  const yv = toVector(y, fn, "y");
  const n = M.rows, p = M.cols;
  if (yv.length !== n) {
    throw new ShapeError({ fn, arg: "y", expected: `length n = ${n} (rows of X)`, got: `length ${yv.length}` });
  }
  if (o.cv > n) throw new OptionError({ fn, arg: "options.cv", expected: `≤ n = ${n} (rows)`, got: String(o.cv) });
  const { cv, ...pathOptions } = o;
  // the grid from all rows (validation of alphas / l1Ratio as lassoPath's)
  let alphas: Float64Array;
  if (o.alphas !== undefined) alphas = givenAlphas(o.alphas, fn);
  else {
    rejectRidgeGrid(o.l1Ratio, fn);
    // (prepares the full design once here and once more for the refit: the folds' designs reuse
    // the SIMD arena in between, which invalidates it; O(np) each, beside cv warm-started paths)
    alphas = alphaGrid(lassoAlphaMax(M, yv, { l1Ratio: o.l1Ratio, fitIntercept: o.fitIntercept }), o.nAlphas, o.eps);
  }
  const K = alphas.length;
  const msePath = new Matrix(K, cv);
  const base = Math.floor(n / cv), extra = n % cv;
  let start = 0;
  for (let f = 0; f < cv; f++) {
    const size = base + (f < extra ? 1 : 0), end = start + size;
    const Xtr = new Matrix(n - size, p), ytr = new Float64Array(n - size);
    Xtr.data.set(M.data.subarray(0, start * p), 0);
    Xtr.data.set(M.data.subarray(end * p), start * p);
    ytr.set(yv.subarray(0, start), 0);
    ytr.set(yv.subarray(end), start);
    const path = lassoPath(Xtr, ytr, { ...pathOptions, alphas });
    for (let k = 0; k < K; k++) {
      const w = path.coefs.row(k), b = path.intercepts[k];
      let s = 0;
      for (let i = start; i < end; i++) {
        const r = yv[i] - b - dotUnchecked(M.data, w, i * p, 0, p);
        s += r * r;
      }
      msePath.data[k * cv + f] = s / size;
    }
    start = end;
  }
  const mseMean = new Float64Array(K);
  let best = 0;
  for (let k = 0; k < K; k++) {
    let s = 0;
    for (let f = 0; f < cv; f++) s += msePath.data[k * cv + f];
    mseMean[k] = s / cv;
    if (mseMean[k] < mseMean[best]) best = k;
  }
  const { alphas: _a, nAlphas: _k, eps: _e, ...fitOptions } = pathOptions;
  const fit = lasso(M, yv, { ...fitOptions, alpha: alphas[best] });
  return {
    alpha: alphas[best],
    alphas,
    msePath,
    mseMean,
    coef: fit.coef,
    intercept: fit.intercept,
    fit,
    elapsedMs: elapsed(),
    backend: "cpu",
    options: o,
  };
}
