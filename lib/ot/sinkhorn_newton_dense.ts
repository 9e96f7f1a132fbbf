/**
 * Dense Sinkhorn–Newton (Brauer, Clason, Lorenz, Wirth, "A Sinkhorn–Newton method for entropic
 * optimal transport", 2017; method card A4): the SNS loop with the full Hessian and a direct
 * Cholesky solve of the reduced (n + m − 1)-system (last column potential fixed), O((n+m)³)
 * per step. A reference for small problems (n + m ≲ 2000), not a production solver: at small
 * reg with tiny marginal entries the dense system is numerically singular (card warning);
 * a shift of 1e-12·mean(diag) is added when Cholesky fails.
 *
 * @module
 */

import type { StopReason } from "../core/diagnostics.ts";
import { ParsimonyError } from "../core/errors.ts";
import { choleskySolve } from "../core/linalg.ts";
import { Matrix, type MatrixLike } from "../core/matrix.ts";
import type { ConstraintTable } from "../core/validate.ts";
import { dualColumnExact, initialPotentials, resolveWithReg, syncBackend, withThreads } from "./_common.ts";
import { createKernels } from "./_simd.ts";
import { MAX_THREADS } from "../core/parallel.ts";
import { newtonLoop } from "./_newton.ts";
import { buildProblem, type Marginal, scaledCost } from "./_problem.ts";
import { finalizeLog, makeResult, type OtResult, type OtStage, TraceRecorder } from "./result.ts";
import { logLoop } from "./sinkhorn.ts";
import type { SnsOptions } from "./sinkhorn_newton_sparse.ts";

/** Options of {@linkcode sinkhornNewtonDense}: the SNS options without sparsification and CG. */
export type DenseNewtonOptions = Omit<
  SnsOptions,
  "sparsity" | "cgTol" | "cgMaxIter" | "switchRule" | "switchMass" | "continueSinkhorn" | "warmupForm"
>;

/** Defaults of {@linkcode DenseNewtonOptions}. */
export const DENSE_NEWTON_DEFAULTS: Readonly<DenseNewtonOptions> = Object.freeze({
  reg: NaN,
  tol: 1e-9,
  maxIter: 100,
  sinkhornIters: 20,
  maxSinkhornIters: 2000,
  armijo: 1e-4,
  minStep: 2 ** -40,
  stallSteps: 5,
  init: undefined,
  backend: "auto",
  threads: undefined,
  onIteration: undefined,
});

const DENSE_CONSTRAINTS: ConstraintTable<DenseNewtonOptions> = Object.freeze({
  reg: { kind: "number", min: 0, minExclusive: true, max: Number.MAX_VALUE },
  tol: { kind: "number", min: 0 },
  maxIter: { kind: "number", min: 0, integer: true },
  sinkhornIters: { kind: "number", min: 0, integer: true },
  maxSinkhornIters: { kind: "number", min: 0, integer: true },
  armijo: { kind: "number", min: 0, max: 0.5, minExclusive: true },
  minStep: { kind: "number", min: 0, max: 1, minExclusive: true },
  stallSteps: { kind: "number", min: 1, integer: true },
  init: { kind: "object" },
  backend: { kind: "enum", values: ["auto", "cpu", "gpu"] },
  threads: { kind: "number", min: 1, max: MAX_THREADS, integer: true },
  onIteration: { kind: "function" },
});

/** Result of {@linkcode sinkhornNewtonDense}. */
export type DenseNewtonResult = OtResult<DenseNewtonOptions>;

/**
 * Dense Sinkhorn–Newton (Brauer et al. 2017; card A4): `sinkhornIters` log-domain Sinkhorn
 * sweeps, then Newton steps solving [[diag(P1), P], [Pᵀ, diag(Pᵀ1)]] d = ∇ exactly (reduced
 * by fixing the last column potential) with an Armijo line search. Reference for
 * {@linkcode sinkhornNewtonSparse}; cost O((n+m)³) per step.
 *
 * @param a row marginal (length n, ≥ 0); `null`/`[]` for uniform
 * @param b column marginal (length m, ≥ 0); `null`/`[]` for uniform
 * @param C cost matrix n×m
 * @param options {@linkcode DenseNewtonOptions}; `reg` is required
 * @returns {@linkcode DenseNewtonResult} (`hessianDensity` = 1)
 * @throws {ParsimonyError} naming the argument or option at fault
 * @example
 * ```ts
 * import { sinkhornNewtonDense } from "@parsimony/parsimony/ot";
 * const r = sinkhornNewtonDense([0.5, 0.5], [0.5, 0.5], [[0, 1], [1, 0]], { reg: 0.05, tol: 1e-12 });
 * r.converged; // => true
 * ```
 */
export function sinkhornNewtonDense(
  a: Marginal,
  b: Marginal,
  C: MatrixLike,
  options: Partial<DenseNewtonOptions> & { reg: number },
): DenseNewtonResult {
  const t0 = performance.now();
  const fn = "sinkhornNewtonDense";
  const opts = withThreads(fn, resolveWithReg(fn, DENSE_NEWTON_DEFAULTS, options, DENSE_CONSTRAINTS));
  const be = syncBackend(fn, opts.backend);
  const p = buildProblem(fn, a, b, C, opts.reg);
  const n = p.as.length, m = p.bs.length;
  const kr = createKernels(2 * n * m + 16 * (n + m) + 32, { n, m, threads: opts.threads, long: true });
  try {
    const Cs = scaledCost(p, kr.alloc(n * m, false));
    const P = kr.alloc(n * m, false);
    const av = kr.alloc(n), la = kr.alloc(n), lb = kr.alloc(m);
    av.set(p.as);
    for (let i = 0; i < n; i++) la[i] = Math.log(p.as[i]);
    for (let j = 0; j < m; j++) lb[j] = Math.log(p.bs[j]);
    const init0 = initialPotentials(p, opts.init);
    let u = kr.alloc(n), v = kr.alloc(m);
    u.set(init0.u);
    v.set(init0.v);
    let spareU = kr.alloc(n), spareV = kr.alloc(m);
    const colAcc = kr.alloc(m), t = kr.alloc(m);
    const r = kr.alloc(n), c = kr.alloc(m), em = kr.alloc(n), en = kr.alloc(m), eu = kr.alloc(n), ev = kr.alloc(m);
    const trace = new TraceRecorder();
    const dualOf = (uu: Float64Array, vv: Float64Array) => dualColumnExact(p, uu, vv);
    const setupMs = performance.now() - t0;
    let sweeps = 0;
    const runSweeps = (k: number): StopReason => {
      const res = logLoop(
        kr,
        n,
        m,
        Cs,
        av,
        la,
        lb,
        u,
        v,
        spareU,
        spareV,
        colAcc,
        t,
        {
          tol: opts.tol,
          maxIter: k,
          stallIter: Number.MAX_SAFE_INTEGER,
          onIteration: opts.onIteration,
        },
        trace,
        t0,
        sweeps,
        dualOf,
        true,
      );
      if (res.u !== u) [spareU, u] = [u, res.u];
      if (res.v !== v) [spareV, v] = [v, res.v];
      sweeps += res.it;
      return res.stop;
    };
    const tS = performance.now();
    let stop: StopReason | null = null;
    const first = Math.min(opts.sinkhornIters, opts.maxSinkhornIters);
    if (first > 0) {
      const s = runSweeps(first);
      if (s !== "maxIter") stop = s;
    }
    let sinkhornMs = performance.now() - tS, newtonMs = 0, newton = 0, planMs = 0, solveMs = 0, lineSearchMs = 0;
    if (stop === null) {
      const N = n + m - 1;
      const H = new Matrix(N, N);
      const rhs = new Float64Array(N);
      const out = newtonLoop(
        kr,
        n,
        m,
        Cs,
        p.as,
        p.bs,
        p.reg,
        u,
        v,
        opts,
        (P, r, c, g, d) => {
          denseDirection(n, m, P, r, c, g, d, H, rhs);
          return { nnz: n * m, cg: 0 };
        },
        (uu, vv, k) => {
          u = uu;
          v = vv;
          const before = sweeps;
          const s = runSweeps(Math.min(k, Math.max(0, opts.maxSinkhornIters - sweeps)));
          return { u, v, sweeps: sweeps - before, err: trace.lastError(), stop: s };
        },
        Math.max(0, opts.maxSinkhornIters - sweeps),
        trace,
        t0,
        sweeps,
        { P, r, c, em, en, eu, ev },
      );
      u = out.u;
      v = out.v;
      newton = out.newton;
      newtonMs = out.ms;
      planMs = out.planMs;
      solveMs = out.directionMs;
      lineSearchMs = out.lineSearchMs;
      sinkhornMs += out.fallbackMs;
      stop = out.stop;
    }
    const fin = finalizeLog(p, u, v, { kernels: kr, Cs, P, rowSum: r, colSum: c });
    const stopReason: StopReason = stop ?? "maxIter";
    const stages: OtStage[] = [{
      stage: "sinkhorn",
      backend: "cpu",
      precision: "f64",
      iterations: sweeps,
      ms: sinkhornMs,
    }];
    if (newton > 0) {
      stages.push({ stage: "newton", backend: "cpu", precision: "f64", iterations: newton, ms: newtonMs });
    }
    return makeResult(p, fin, {
      options: opts,
      converged: stopReason === "tol" || fin.marginalError <= opts.tol,
      stopReason,
      trace,
      iterations: { sinkhorn: sweeps, newton },
      hessianDensity: newton > 0 ? 1 : null,
      backend: be.backend,
      backendReason: `${be.reason}; ${kr.describe()}`,
      timings: { setupMs, sinkhornMs, newtonMs, planMs, solveMs, lineSearchMs },
      t0,
      stages,
      warning: null,
    });
  } finally {
    kr.dispose();
  }
}

/** Dense reduced Newton system (d_{n+m−1} = 0) by Cholesky, with a shift if it is not PD. */
function denseDirection(
  n: number,
  m: number,
  P: Float64Array,
  r: Float64Array,
  c: Float64Array,
  g: Float64Array,
  d: Float64Array,
  H: Matrix,
  rhs: Float64Array,
): void {
  const N = n + m - 1, h = H.data;
  h.fill(0);
  let mean = 0;
  for (let i = 0; i < n; i++) {
    h[i * N + i] = r[i];
    mean += r[i];
    for (let j = 0; j < m - 1; j++) {
      const x = P[i * m + j];
      h[i * N + n + j] = x;
      h[(n + j) * N + i] = x;
    }
  }
  for (let j = 0; j < m - 1; j++) {
    h[(n + j) * N + n + j] = c[j];
    mean += c[j];
  }
  mean /= N;
  for (let k = 0; k < N; k++) rhs[k] = g[k];
  let x: Float64Array;
  try {
    x = choleskySolve(H, rhs);
  } catch (e) {
    if (!(e instanceof ParsimonyError)) throw e;
    for (let k = 0; k < N; k++) h[k * N + k] += 1e-12 * mean;
    try {
      x = choleskySolve(H, rhs);
    } catch (e2) {
      if (!(e2 instanceof ParsimonyError)) throw e2;
      d.fill(0); // no usable direction: the Newton loop falls back to Sinkhorn sweeps
      return;
    }
  }
  for (let k = 0; k < N; k++) d[k] = x[k];
  d[n + m - 1] = 0;
}
