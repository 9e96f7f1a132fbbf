/**
 * Sinkhorn–Newton–Sparse (SNS; Tang, Shavlovsky, Rahmanian, Tardini, Thekumparampil, Xiao,
 * Ying, "Accelerating Sinkhorn algorithm with sparse Newton iterations", ICLR 2024,
 * arXiv 2401.12253), method card A3: a short log-domain Sinkhorn warm-up, then Newton steps
 * on the concave dual whose Hessian −[[diag(P1), P], [Pᵀ, diag(Pᵀ1)]] is approximately sparse
 * near the solution. The Newton system keeps the exact diagonal and a sparsified P̃
 * (default: the card's rule C), is solved by Jacobi-preconditioned CG, and the step is
 * chosen by an Armijo line search with round-off slack.
 *
 * @module
 */

import type { StopReason } from "../core/diagnostics.ts";
import type { MatrixLike } from "../core/matrix.ts";
import type { ConstraintTable } from "../core/validate.ts";
import { MAX_THREADS, resolveThreads } from "../core/parallel.ts";
import {
  dualColumnExact,
  initialPotentials,
  type OtBackendOption,
  type OtCallback,
  type OtWarmStart,
  resolveWithReg,
  syncBackend,
} from "./_common.ts";
import { newtonLoop } from "./_newton.ts";
import { pcg, PcgWorkspace } from "./_pcg.ts";
import { buildProblem, loadCost, type Marginal, type OtProblem, resolveNested, scaledCostFrom } from "./_problem.ts";
import { createKernels, hessianDoubles, sparsifyDoubles } from "./_simd.ts";
import { SparseWorkspace, type SparsityRule, tailMass } from "./_sparsify.ts";
import { finalizeLog, makeResult, type OtResult, type OtStage, TraceRecorder } from "./result.ts";
import { logLoop, scalingLoop, scalingToLog } from "./sinkhorn.ts";

export type { SparsityRule } from "./_sparsify.ts";

/** How the Newton Hessian is sparsified (`options.sparsity`). */
export interface SparsityOptions {
  /**
   * `"union"` (card rule C: top-k ∪ mass rule), `"top"` (rule A, the paper's: the k largest
   * entries of P), `"mass"` (rule B: per row and column the largest entries holding ≥ (1 − δ)
   * of its mass). @default "union"
   */
  rule: SparsityRule;
  /** k for rules `"top"`/`"union"`; `undefined` = 2(n + m) (card: k_P ≈ λ(n+m)²/2 with λ = 2/n). @default undefined */
  keep: number | undefined;
  /** δ of the mass rule: dropped mass per row/column ≤ δ·(its sum). @default 1e-3 */
  delta: number;
}

/** Defaults of {@linkcode SparsityOptions}. */
export const SPARSITY_DEFAULTS: Readonly<SparsityOptions> = Object.freeze({
  rule: "union",
  keep: undefined,
  delta: 1e-3,
});

/** Multiply-add budget of one CG solve that sets the default iteration cap. */
const CG_WORK = 2e7;

/** Constraint table of {@linkcode SparsityOptions}. */
export const SPARSITY_CONSTRAINTS: ConstraintTable<SparsityOptions> = Object.freeze({
  rule: { kind: "enum", values: ["union", "top", "mass"] },
  keep: { kind: "number", min: 1, integer: true },
  delta: { kind: "number", min: 0, max: 1, maxExclusive: true },
});

/** Options of {@linkcode sinkhornNewtonSparse}. */
export interface SnsOptions {
  /** Entropic regulariser reg = 1/η (required). */
  reg: number;
  /** Stop when ‖P1 − a‖₁ + ‖Pᵀ1 − b‖₁ ≤ tol. @default 1e-9 */
  tol: number;
  /** Maximum Newton steps (the paper's N₂). @default 200 */
  maxIter: number;
  /** Sinkhorn warm-up sweeps before the first Newton step (the paper's N₁; minimum when adaptive). @default 20 */
  sinkhornIters: number;
  /** Cap on all Sinkhorn sweeps (adaptive warm-up and line-search fallbacks together). @default 2000 */
  maxSinkhornIters: number;
  /**
   * `"fixed"`: exactly `sinkhornIters` warm-up sweeps (the paper). `"adaptive"` (card, ours):
   * after `sinkhornIters`, continue in blocks of 10 until the mass outside the top-k entries of
   * P is ≤ `switchMass`·ΣP. @default "fixed"
   */
  switchRule: "fixed" | "adaptive";
  /** Tail-mass level of the adaptive switch. @default 1e-2 */
  switchMass: number;
  /**
   * After the warm-up, finish with Sinkhorn instead of Newton when Sinkhorn's observed linear rate
   * (last 5 sweeps, and not slowing down by more than 1 %) predicts convergence within this many more
   * sweeps; runs at most 1.25× the prediction + 10, then switches to Newton anyway [ours; 0 = always Newton after
   * `sinkhornIters`, as the paper]. @default 200
   */
  continueSinkhorn: number;
  /**
   * Warm-up sweeps: `"auto"` uses the scaling form (no exp per entry) when reg·700 > range(C) makes it
   * exact and safe, else the log domain; `"log"` forces the log domain. Same iterates either way.
   * @default "auto"
   */
  warmupForm: "auto" | "log";
  /** Hessian sparsification. @default SPARSITY_DEFAULTS */
  sparsity: Partial<SparsityOptions>;
  /** CG relative residual; `undefined` = min(0.1, √‖g‖₁) (inexact Newton). @default undefined */
  cgTol: number | undefined;
  /**
   * CG iteration cap per Newton step; `undefined` = max(2(n+m), min(50(n+m), 2·10⁷/(nnz + n + m))):
   * the card's 2(n+m), raised for small systems where a work budget of ~2·10⁷ multiply-adds allows
   * it (near-permutation plans at large η make H̃ very ill-conditioned). @default undefined
   */
  cgMaxIter: number | undefined;
  /** Armijo sufficient-increase constant. @default 1e-4 */
  armijo: number;
  /** Smallest line-search step before the step counts as failed. @default 2 ** -40 */
  minStep: number;
  /** Stop as `"stalled"` after this many Newton steps without a 0.1% error improvement. @default 5 */
  stallSteps: number;
  /** Warm start from log-domain potentials. @default undefined */
  init: OtWarmStart | undefined;
  /** `"auto"` or `"cpu"` (this synchronous call runs f64 on the CPU). @default "auto" */
  backend: OtBackendOption;
  /**
   * Threads for the n×m passes (lib/core/parallel.ts); `undefined` = `PARSIMONY_THREADS` or
   * min(navigator.hardwareConcurrency, 8). Problems below 2^17 entries run on one thread. The
   * result is bit-identical for every value. @default undefined
   */
  threads: number | undefined;
  /** Called after each Sinkhorn sweep and Newton step; return `false` to stop. @default undefined */
  onIteration: OtCallback | undefined;
}

/** Defaults of {@linkcode SnsOptions} (`reg` is required). */
export const SNS_DEFAULTS: Readonly<SnsOptions> = Object.freeze({
  reg: NaN,
  tol: 1e-9,
  maxIter: 200,
  sinkhornIters: 20,
  maxSinkhornIters: 2000,
  switchRule: "fixed",
  switchMass: 1e-2,
  continueSinkhorn: 200,
  warmupForm: "auto",
  sparsity: SPARSITY_DEFAULTS,
  cgTol: undefined,
  cgMaxIter: undefined,
  armijo: 1e-4,
  minStep: 2 ** -40,
  stallSteps: 5,
  init: undefined,
  backend: "auto",
  threads: undefined,
  onIteration: undefined,
});

/** Constraint table of {@linkcode SnsOptions}. */
export const SNS_CONSTRAINTS: ConstraintTable<SnsOptions> = Object.freeze({
  reg: { kind: "number", min: 0, minExclusive: true, max: Number.MAX_VALUE },
  tol: { kind: "number", min: 0 },
  maxIter: { kind: "number", min: 0, integer: true },
  sinkhornIters: { kind: "number", min: 0, integer: true },
  maxSinkhornIters: { kind: "number", min: 0, integer: true },
  switchRule: { kind: "enum", values: ["fixed", "adaptive"] },
  switchMass: { kind: "number", min: 0, max: 1 },
  continueSinkhorn: { kind: "number", min: 0 },
  warmupForm: { kind: "enum", values: ["auto", "log"] },
  sparsity: { kind: "object" },
  cgTol: { kind: "number", min: 0, max: 1, minExclusive: true },
  cgMaxIter: { kind: "number", min: 1, integer: true },
  armijo: { kind: "number", min: 0, max: 0.5, minExclusive: true },
  minStep: { kind: "number", min: 0, max: 1, minExclusive: true },
  stallSteps: { kind: "number", min: 1, integer: true },
  init: { kind: "object" },
  backend: { kind: "enum", values: ["auto", "cpu", "gpu"] },
  threads: { kind: "number", min: 1, max: MAX_THREADS, integer: true },
  onIteration: { kind: "function" },
});

/** Resolved SNS options (data-dependent defaults filled in with their numbers). */
export interface SnsResolvedOptions extends Omit<SnsOptions, "sparsity" | "threads"> {
  /** Resolved sparsification (keep = the number used). */
  sparsity: SparsityOptions & { keep: number };
  /** Resolved thread count. */
  threads: number;
}

/** Result of {@linkcode sinkhornNewtonSparse}. */
export type SnsResult = OtResult<SnsResolvedOptions>;

/**
 * Sinkhorn–Newton–Sparse (Tang et al., ICLR 2024; card A3):
 * min_P ⟨C,P⟩ + reg·Σ P log P s.t. P1 = a, Pᵀ1 = b. Stage 1: `sinkhornIters` log-domain
 * Sinkhorn sweeps. Stage 2: Newton steps d = H̃⁻¹∇ (ascent), H̃ = exact diagonal + sparsified
 * plan, Jacobi-PCG to relative residual min(0.1, √‖∇‖₁), Armijo line search; 10 Sinkhorn sweeps
 * are inserted when the step collapses (α ≤ 2⁻¹⁰ three times, or no step passes).
 * Converges in tens of Newton steps where Sinkhorn needs 10³–10⁵ sweeps (small reg); no rate
 * is proven (the paper conjectures super-exponential convergence).
 *
 * @param a row marginal (length n, ≥ 0); `null`/`[]` for uniform
 * @param b column marginal (length m, ≥ 0, same mass as a); `null`/`[]` for uniform
 * @param C cost matrix n×m (finite)
 * @param options {@linkcode SnsOptions}; `reg` is required
 * @returns {@linkcode SnsResult} with `iterations: { sinkhorn, newton }` and `hessianDensity`
 * @throws {ParsimonyError} naming `a`, `b`, `C` or the option at fault
 * @example
 * ```ts
 * import { sinkhornLog, sinkhornNewtonSparse } from "@parsimony/parsimony/ot";
 * const C = [[0.1, 0.9, 0.4, 0.7], [0.8, 0.2, 0.6, 0.3], [0.5, 0.7, 0.1, 0.9], [0.6, 0.4, 0.8, 0.2]];
 * const r = sinkhornNewtonSparse(null, null, C, { reg: 0.01, tol: 1e-12 });
 * r.converged; // => true
 * r.iterations; // => { sinkhorn: 20, newton: 8 }
 * sinkhornLog(null, null, C, { reg: 0.01, tol: 1e-12, maxIter: 100_000 }).marginalError; // => 2.2e-6: still far
 * ```
 */
export function sinkhornNewtonSparse(
  a: Marginal,
  b: Marginal,
  C: MatrixLike,
  options: Partial<SnsOptions> & { reg: number },
): SnsResult {
  const t0 = performance.now();
  const fn = "sinkhornNewtonSparse";
  const raw = resolveWithReg(fn, SNS_DEFAULTS, options, SNS_CONSTRAINTS);
  const sp = resolveNested(fn, "sparsity", SPARSITY_DEFAULTS, options.sparsity, SPARSITY_CONSTRAINTS);
  const be = syncBackend(fn, raw.backend);
  const p = buildProblem(fn, a, b, C, raw.reg, true);
  const n = p.as.length, m = p.bs.length;
  const opts: Readonly<SnsResolvedOptions> = Object.freeze({
    ...raw,
    sparsity: Object.freeze({ ...sp, keep: sp.keep ?? Math.min(n * m, 2 * (n + m)) }),
    cgMaxIter: raw.cgMaxIter,
    threads: resolveThreads(fn, raw.threads),
  });
  return snsCore(p, opts, be, t0);
}

/** The SNS solve on a built problem (shared with the async/GPU entry point). */
export function snsCore(
  p: OtProblem,
  opts: Readonly<SnsResolvedOptions>,
  be: { backend: "cpu" | "gpu"; reason: string },
  t0: number,
  warm?: { u: Float64Array; v: Float64Array; sweeps: number; stage: OtStage },
): SnsResult {
  const n = p.as.length, m = p.bs.length;
  const kr = createKernels(
    3 * n * m + 16 * (n + m) + 48 + hessianDoubles(n, m) + 5 * (n + m) +
      sparsifyDoubles(n, m, scanKeep(n, m, opts), opts.threads),
    // long: a Newton phase (sparsification, CG) follows the warm-up unless Sinkhorn finishes first
    { n, m, threads: opts.threads, long: true },
  );
  try {
    // C in kernel memory (min/max and the deferred finiteness check in one SIMD pass; kept for ⟨C, P⟩)
    const Cw = kr.alloc(n * m, false);
    const { min: cmin, max: cmax } = loadCost(p, kr, Cw);
    const Cs = scaledCostFrom(p, kr, Cw, kr.alloc(n * m, false));
    const P = kr.alloc(n * m, false);
    const av = kr.alloc(n), bv = kr.alloc(m), la = kr.alloc(n), lb = kr.alloc(m);
    av.set(p.as);
    bv.set(p.bs);
    for (let i = 0; i < n; i++) la[i] = Math.log(p.as[i]);
    for (let j = 0; j < m; j++) lb[j] = Math.log(p.bs[j]);
    const init = warm ? { u: warm.u, v: warm.v } : initialPotentials(p, opts.init);
    let u = kr.alloc(n), v = kr.alloc(m);
    u.set(init.u);
    v.set(init.v);
    let spareU = kr.alloc(n), spareV = kr.alloc(m);
    const colAcc = kr.alloc(m), t = kr.alloc(m);
    const r = kr.alloc(n), c = kr.alloc(m), em = kr.alloc(n), en = kr.alloc(m), eu = kr.alloc(n), ev = kr.alloc(m);
    const trace = new TraceRecorder();
    const dualOf = (uu: Float64Array, vv: Float64Array) => dualColumnExact(p, uu, vv);
    const setupMs = performance.now() - t0;
    const stages: OtStage[] = [];
    if (warm) stages.push(warm.stage);

    // Stage 1: Sinkhorn warm-up.
    let sweeps = warm ? warm.sweeps : 0;
    let stop: StopReason | null = null;
    const runSweeps = (k: number, exactFirst: boolean): StopReason => {
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
        exactFirst,
      );
      if (res.u !== u) {
        spareU = u;
        u = res.u;
      }
      if (res.v !== v) {
        spareV = v;
        v = res.v;
      }
      sweeps += res.it;
      return res.stop;
    };
    const tS = performance.now();
    // sweeps a warm start (the GPU warm-up of the async entry point) already did count toward N₁
    const first = Math.max(0, Math.min(opts.sinkhornIters, opts.maxSinkhornIters) - sweeps);
    // Warm-up in the scaling form when exp(−C/reg) cannot underflow (3–5× cheaper per sweep than
    // the log form: no exp in the loop); its iterates are the log form's, converted exactly below.
    // K lives in P's buffer, which the Newton stage overwrites.
    const eta = 1 / p.reg;
    let amin = Infinity;
    for (let i = 0; i < n; i++) amin = Math.min(amin, p.as[i]);
    for (let j = 0; j < m; j++) amin = Math.min(amin, p.bs[j]);
    const scalingSafe = opts.warmupForm !== "log" && !warm && opts.init === undefined && eta * (cmax - cmin) <= 600 &&
      amin >= 1e-100;
    const shift = (eta * cmin + 1) / 2; // P = diag(us) K diag(vs), K = exp(−η(C − cmin)) ⇒ u = log us + shift
    let usedScaling = false;
    const runScaling = (k: number, tol: number): StopReason => {
      const res = scalingLoop(
        kr,
        n,
        m,
        P,
        av,
        bv,
        spareU,
        spareV,
        colAcc,
        r,
        c,
        u,
        v,
        shift,
        {
          tol,
          maxIter: k,
          stallIter: Number.MAX_SAFE_INTEGER,
          onIteration: opts.onIteration,
        },
        trace,
        t0,
        sweeps,
        dualOf,
      );
      sweeps += res.it;
      return res.stop;
    };
    if (first > 0 && scalingSafe) {
      usedScaling = true;
      kr.expAffine(Cw, P, -eta, eta * cmin);
      spareU.fill(1);
      spareV.fill(1);
      let s = runScaling(first, opts.tol);
      // Continuation [ours]: when Sinkhorn's observed linear rate predicts convergence within
      // `continueSinkhorn` more sweeps, finishing with Sinkhorn is cheaper than Newton steps.
      if (s === "maxIter") {
        const more = predictedSweeps(trace, opts.tol);
        if (more <= opts.continueSinkhorn) {
          s = runScaling(Math.min(Math.ceil(1.25 * more) + 10, opts.maxSinkhornIters - sweeps), opts.tol);
        }
      }
      scalingToLog(spareU, spareV, u, v, shift);
      if (s !== "maxIter" && s !== "nonFinite") stop = s;
      if (s === "nonFinite") {
        // left the scaling form's range: continue from the last finite iterate in the log domain
        const k = Math.max(0, first - sweeps);
        if (k > 0) {
          const s2 = runSweeps(k, true);
          if (s2 !== "maxIter") stop = s2;
        }
      }
    } else if (first > 0) {
      let s = runSweeps(first, true);
      if (s === "maxIter") {
        const more = predictedSweeps(trace, opts.tol);
        if (more <= opts.continueSinkhorn) {
          s = runSweeps(Math.min(Math.ceil(1.25 * more) + 10, opts.maxSinkhornIters - sweeps), false);
        }
      }
      if (s !== "maxIter") stop = s;
    }
    if (stop === null && opts.switchRule === "adaptive") {
      const k = opts.sparsity.keep;
      const hv = new Float64Array(k), hi = new Int32Array(k);
      while (sweeps < opts.maxSinkhornIters) {
        const total = kr.planPass(n, m, Cs, u, v, P, r, c);
        if (tailMass(P, total, k, hv, hi) <= opts.switchMass) break;
        const s = runSweeps(Math.min(10, opts.maxSinkhornIters - sweeps), sweeps === 0 || usedScaling);
        usedScaling = false;
        if (s !== "maxIter") {
          stop = s;
          break;
        }
      }
    }
    let sinkhornMs = performance.now() - tS;

    // Stage 2: Newton.
    let newton = 0, newtonMs = 0, lastNnz = -1, sparsifyMs = 0, solveMs = 0, planMs = 0, lineSearchMs = 0;
    let reused = 0, planReady = false;
    if (stop === null) {
      // several row blocks: the O(nm) sparsification scan runs as a blocked kernel (threads)
      const ws = new SparseWorkspace(n, m, kr.sparsifyScan(n, m, scanKeep(n, m, opts)));
      // several row blocks: H̃w runs as a blocked kernel (threads) over a kernel-memory copy of P̃
      const hess = kr.sparseHessian(n, m);
      const pw = new PcgWorkspace(n + m, hess ? (k) => kr.alloc(k) : undefined);
      let patternLoaded = false; // the kernel copy holds ws's current pattern
      const { rule, keep, delta } = opts.sparsity;
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
        (P, r, c, g, d, err, _prevStep) => {
          const ts = performance.now();
          // Reuse the previous pattern while it still keeps ≥ (1 − 2δ) of every row and column sum
          // (checked in O(nnz)) [ours]; otherwise sparsify afresh in O(nm).
          const reuse = rule !== "top" && ws.nnz > 0 && ws.refresh(P, r, c, 2 * delta);
          const nnz = reuse ? ws.nnz : ws.sparsify(P, r, c, rule, keep, delta);
          if (reuse) reused++;
          const tc = performance.now();
          const rtol = opts.cgTol ?? Math.min(0.1, Math.sqrt(err));
          const NN = n + m;
          const cap = opts.cgMaxIter ?? Math.max(2 * NN, Math.min(50 * NN, Math.ceil(CG_WORK / (nnz + NN))));
          if (!reuse) patternLoaded = false;
          const kernelOp = hess !== null && hess.load(ws.rowPtr, ws.colIdx, ws.val, nnz, !patternLoaded);
          patternLoaded = kernelOp;
          const cg = pcg(
            n,
            m,
            ws.rowPtr,
            ws.colIdx,
            ws.val,
            r,
            c,
            g,
            d,
            pw,
            rtol,
            cap,
            kernelOp ? (w, out) => hess.apply(r, c, w, out) : undefined,
          );
          sparsifyMs += tc - ts;
          solveMs += performance.now() - tc;
          return { nnz, cg };
        },
        (uu, vv, k, itOffset) => {
          u = uu;
          v = vv;
          const before = sweeps;
          const s = runSweeps(Math.min(k, Math.max(0, opts.maxSinkhornIters - sweeps)), true);
          void itOffset;
          return { u, v, sweeps: sweeps - before, err: trace.length ? lastError(trace) : Infinity, stop: s };
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
      lineSearchMs = out.lineSearchMs;
      sinkhornMs += out.fallbackMs;
      lastNnz = out.lastNnz;
      stop = out.stop;
      planReady = out.planExact;
    }
    const fin = finalizeLog(p, u, v, { kernels: kr, Cs, C: Cw, P, rowSum: r, colSum: c, planReady });
    const stopReason: StopReason = stop ?? "maxIter";
    const N = n + m;
    const cpuSweeps = sweeps - (warm ? warm.sweeps : 0);
    if (cpuSweeps > 0 || !warm) {
      stages.push({ stage: "sinkhorn", backend: "cpu", precision: "f64", iterations: cpuSweeps, ms: sinkhornMs });
    }
    if (newton > 0) {
      stages.push({ stage: "newton", backend: "cpu", precision: "f64", iterations: newton, ms: newtonMs });
    }
    return makeResult(p, fin, {
      options: opts,
      converged: stopReason === "tol" || fin.marginalError <= opts.tol,
      stopReason,
      trace,
      iterations: { sinkhorn: sweeps, newton },
      hessianDensity: lastNnz >= 0 ? (N + 2 * lastNnz) / (N * N) : null,
      backend: be.backend,
      backendReason: `${be.reason}; ${kr.describe()}`,
      timings: { setupMs, sinkhornMs, newtonMs, planMs, sparsifyMs, solveMs, lineSearchMs },
      t0,
      stages,
      warning: null,
    });
  } finally {
    kr.dispose();
  }
}

/** Top-k heap capacity of the kernel sparsification scan: the rule's k, if ≤ 4(n + m) (else the TS scan runs). */
function scanKeep(n: number, m: number, opts: Readonly<SnsResolvedOptions>): number {
  const k = opts.sparsity.rule === "mass" ? 1 : Math.min(opts.sparsity.keep, n * m);
  return k <= 4 * (n + m) ? k : 1;
}

/**
 * Sweeps Sinkhorn still needs to reach `tol` at its observed linear rate (∞ when the rate over the
 * last 5 sweeps is more than 1 % slower than over the 5 before — early rates overestimate
 * Sinkhorn's asymptotic one, card T4 — or when it is not contracting).
 */
function predictedSweeps(trace: TraceRecorder, tol: number): number {
  const e = trace.lastErrors(11);
  if (e.length < 11) return Infinity;
  const last = e[10];
  if (!(last > 0)) return Infinity;
  if (last <= tol) return 0;
  const rho1 = Math.pow(e[5] / e[0], 1 / 5), rho2 = Math.pow(last / e[5], 1 / 5);
  if (!(rho2 < 1) || rho2 > rho1 * 1.01) return Infinity;
  return Math.log(tol / last) / Math.log(rho2);
}

function lastError(trace: TraceRecorder): number {
  return trace.lastError();
}
