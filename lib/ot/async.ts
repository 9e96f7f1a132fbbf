/**
 * The asynchronous, GPU-capable entry points of lib/ot: {@linkcode sinkhornLogAsync} and
 * {@linkcode sinkhornNewtonSparseAsync}. Same arguments, options and result type as their
 * synchronous CPU twins; `backend: "auto" | "cpu" | "gpu"` is resolved by lib/gpu
 * (`PARSIMONY_BACKEND`, adapter, problem size; "auto" keeps the f64 CPU path on a software
 * adapter such as llvmpipe).
 *
 * The GPU runs the Sinkhorn sweeps in f32 with lib/gpu's fused log-sum-exp kernels: the row
 * update f̂ = log a − LSE_j(ĝ_j − C'_ij/reg) and the column update are each ONE pass over C
 * (scale, offsets and the epilogue fused; P is never formed). C is centred first,
 * C' = C − α1ᵀ − 1βᵀ (α_i = min_j C_ij, β_j = min_i C_ij − α_i), which changes no plan (card O5)
 * and keeps the f32 potentials small; the shift is put back in f64. f32 cannot reach 1e-12
 * (the plan carries relative error ~ (|f̂| + |ĝ| + |C'|/reg)·6e-8), so, following the method
 * card §6, the GPU does the warm-up and the f64 CPU finishes: Newton steps for SNS, Sinkhorn
 * sweeps for `sinkhornLogAsync`. `result.stages` says which stage ran where, in which precision.
 *
 * The sparse Hessian–vector product of the Newton stage stays on the CPU: with nnz ≈ 2–25 per
 * row it is O(n) per CG iteration, and every CG iteration would need a host round trip for its
 * two dot products (≥ 10 ms per readback in Deno) — it cannot pay below n + m ≈ 10⁴ (card §6 K6).
 *
 * @module
 */

import type { StopReason } from "../core/diagnostics.ts";
import type { MatrixLike } from "../core/matrix.ts";
import { resolveThreads } from "../core/parallel.ts";
import { GPU_THRESHOLDS, runWithFallback, selectBackend } from "../gpu/backend.ts";
import type { GpuDevice, GpuMatrix } from "../gpu/runtime.ts";
import { resolveWithReg } from "./_common.ts";
import { buildProblem, type Marginal, type OtProblem, resolveNested } from "./_problem.ts";
import type { OtResult, OtStage, OtTrace } from "./result.ts";
import {
  SINKHORN_CONSTRAINTS,
  SINKHORN_DEFAULTS,
  sinkhornLog,
  type SinkhornOptions,
  type SinkhornResult,
} from "./sinkhorn.ts";
import {
  SNS_CONSTRAINTS,
  SNS_DEFAULTS,
  snsCore,
  type SnsOptions,
  type SnsResolvedOptions,
  type SnsResult,
  SPARSITY_CONSTRAINTS,
  SPARSITY_DEFAULTS,
} from "./sinkhorn_newton_sparse.ts";

/** What a GPU warm-up returns: scaled f64 potentials (u = f/reg) and its trace rows. */
export interface GpuSweepResult {
  u: Float64Array;
  v: Float64Array;
  /** Sweeps run. */
  iterations: number;
  /** ℓ1 row error of the last checked iterate (columns are exact up to f32 after a column update). */
  error: number;
  /** Checked iterations and their errors / dual values. */
  checks: { iteration: number; error: number; dual: number; seconds: number }[];
  /** Why the GPU stage stopped. */
  stop: "tol" | "maxIter" | "floor";
  ms: number;
}

/**
 * Log-domain Sinkhorn sweeps on the GPU in f32 from z = 0 (internal; exported for the parity
 * tests). Checks the marginal error every `checkEvery` sweeps (one extra row pass and one
 * readback) and stops at `tol`, at `maxIter`, or when f32 stops improving it ("floor": no
 * 30 % improvement over 3 checks).
 */
export async function gpuSinkhornSweeps(
  dev: GpuDevice,
  p: OtProblem,
  maxIter: number,
  tol: number,
  checkEvery: number,
  t0: number,
): Promise<GpuSweepResult> {
  const tStart = performance.now();
  const n = p.as.length, m = p.bs.length, eta = 1 / p.reg, C = p.Cr;
  const alpha = new Float64Array(n), beta = new Float64Array(m).fill(Infinity);
  for (let i = 0; i < n; i++) {
    let mn = Infinity;
    for (let j = 0; j < m; j++) mn = Math.min(mn, C[i * m + j]);
    alpha[i] = mn;
  }
  for (let i = 0; i < n; i++) for (let j = 0; j < m; j++) beta[j] = Math.min(beta[j], C[i * m + j] - alpha[i]);
  const Cc = new Float64Array(n * m);
  for (let i = 0; i < n; i++) for (let j = 0; j < m; j++) Cc[i * m + j] = C[i * m + j] - alpha[i] - beta[j];
  const handles: GpuMatrix[] = [];
  const keep = (h: GpuMatrix) => (handles.push(h), h);
  try {
    const dC = keep(dev.upload({ rows: n, cols: m, data: Cc }));
    const la = keep(dev.upload(Float64Array.from(p.as, Math.log)));
    const lb = keep(dev.upload(Float64Array.from(p.bs, Math.log)));
    const f = keep(dev.alloc(n)), g = keep(dev.alloc(m)), chk = keep(dev.alloc(n));
    dev.write(g, new Float64Array(m));
    const batch = dev.batch();
    const checks: GpuSweepResult["checks"] = [];
    let it = 0, stop: GpuSweepResult["stop"] = "maxIter", best = Infinity, sinceBest = 0, err = NaN;
    let fv: Float64Array = new Float64Array(n), gv: Float64Array = new Float64Array(m);
    while (it < maxIter) {
      const k = Math.min(checkEvery, maxIter - it);
      for (let q = 0; q < k; q++) {
        batch.logSumExpRows(dC, f, { scale: -eta, colOffset: g, outScale: -1, outOffset: la });
        batch.logSumExpCols(dC, g, { scale: -eta, rowOffset: f, outScale: -1, outOffset: lb });
      }
      it += k;
      // log of the row sums of the current plan exp(f̂ + ĝ − C'/reg)
      batch.logSumExpRows(dC, chk, { scale: -eta, rowOffset: f, colOffset: g });
      const [cv, f1, g1] = await batch.run([chk, f, g]);
      fv = f1;
      gv = g1;
      err = 0;
      let dot = 0;
      for (let i = 0; i < n; i++) {
        err += Math.abs(Math.exp(cv[i]) - p.as[i]);
        dot += p.as[i] * (f1[i] + eta * alpha[i] + 0.5);
      }
      for (let j = 0; j < m; j++) dot += p.bs[j] * (g1[j] + eta * beta[j] + 0.5);
      checks.push({ iteration: it, error: err, dual: p.reg * (dot - p.mass), seconds: (performance.now() - t0) / 1e3 });
      if (!Number.isFinite(err)) throw new Error("lib/ot: non-finite GPU iterate"); // → CPU fallback
      if (err <= tol) {
        stop = "tol";
        break;
      }
      if (err < 0.7 * best) {
        best = err;
        sinceBest = 0;
      } else if (++sinceBest >= 3) {
        stop = "floor";
        break;
      }
    }
    // P = exp(f̂_i + ĝ_j − C'_ij/reg) = exp(u_i + v_j − C_ij/reg − 1) ⇒ u = f̂ + α/reg + ½, v = ĝ + β/reg + ½
    const u = new Float64Array(n), v = new Float64Array(m);
    for (let i = 0; i < n; i++) u[i] = fv[i] + eta * alpha[i] + 0.5;
    for (let j = 0; j < m; j++) v[j] = gv[j] + eta * beta[j] + 0.5;
    return { u, v, iterations: it, error: err, checks, stop, ms: performance.now() - tStart };
  } finally {
    for (const h of handles) h.release();
  }
}

/** Options of {@linkcode sinkhornLogAsync}: {@linkcode SinkhornOptions} plus the GPU check period. */
export interface SinkhornAsyncOptions extends SinkhornOptions {
  /** GPU sweeps between marginal-error checks (each check is one readback, ≥ 10 ms in Deno). @default 20 */
  gpuCheckEvery: number;
}

/** Options of {@linkcode sinkhornNewtonSparseAsync}: {@linkcode SnsOptions}. */
export type SnsAsyncOptions = SnsOptions;

/**
 * Log-domain Sinkhorn with an optional WebGPU stage (async twin of {@linkcode sinkhornLog}):
 * on the GPU, f32 sweeps until `tol` or the f32 floor, then f64 CPU sweeps from those
 * potentials until `tol`. On the CPU (`backend: "cpu"`, no adapter, a software adapter under
 * `"auto"`, a small problem, or a GPU failure) it is exactly `sinkhornLog`.
 *
 * @param a row marginal (length n, ≥ 0); `null`/`[]` for uniform
 * @param b column marginal (length m, ≥ 0, same mass); `null`/`[]` for uniform
 * @param C cost matrix n×m
 * @param options {@linkcode SinkhornAsyncOptions}; `reg` is required
 * @returns a Promise of {@linkcode SinkhornResult}; `stages` lists the GPU f32 and CPU f64 parts
 * @throws {ParsimonyError} as `sinkhornLog`; {@linkcode BackendError} for `backend: "gpu"` without an adapter
 * @example
 * ```ts
 * import { sinkhornLogAsync } from "@parsimony/parsimony/ot";
 * const r = await sinkhornLogAsync(null, null, [[0, 1], [1, 0]], { reg: 0.1, backend: "cpu" });
 * r.converged; // => true
 * ```
 */
export async function sinkhornLogAsync(
  a: Marginal,
  b: Marginal,
  C: MatrixLike,
  options: Partial<SinkhornAsyncOptions> & { reg: number },
): Promise<SinkhornResult> {
  const t0 = performance.now();
  const fn = "sinkhornLogAsync";
  const { gpuCheckEvery, ...rest } = options ?? ({} as Partial<SinkhornAsyncOptions> & { reg: number });
  const opts = resolveWithReg(fn, SINKHORN_DEFAULTS, rest, SINKHORN_CONSTRAINTS);
  const every = checkEvery(fn, gpuCheckEvery);
  const p = buildProblem(fn, a, b, C, opts.reg);
  const choice = await selectBackend(fn, opts.backend, p.as.length * p.bs.length, GPU_THRESHOLDS.solverIteration);
  const run = await runWithFallback(
    fn,
    choice,
    () => sinkhornLog(a, b, C, { ...rest, backend: "cpu" }),
    async (dev) => {
      const gs = await gpuSinkhornSweeps(dev, p, opts.maxIter, opts.tol, every, t0);
      const reg = p.reg;
      const init = { f: embed(gs.u, reg, p.n, p.rows), g: embed(gs.v, reg, p.m, p.cols) };
      const rem = Math.max(0, opts.maxIter - gs.iterations);
      const cpuRes = sinkhornLog(a, b, C, { ...rest, backend: "cpu", init, maxIter: rem });
      const gpuStage: OtStage = {
        stage: "sinkhorn",
        backend: "gpu",
        precision: "f32",
        iterations: gs.iterations,
        ms: gs.ms,
      };
      return merge(
        cpuRes,
        gs,
        gpuStage,
        t0,
        `${choice.reason}; Sinkhorn sweeps on the GPU (f32) then on the CPU (f64)`,
      );
    },
  );
  return run.backend === "cpu"
    ? withReason(run.value, `${run.backendReason}; f64 CPU, ${kernelsOf(run.value)}`)
    : run.value;
}

/**
 * Sinkhorn–Newton–Sparse with an optional WebGPU warm-up (async twin of
 * {@linkcode sinkhornNewtonSparse}; method card §6): the `sinkhornIters` warm-up sweeps run on
 * the GPU in f32, the Newton stage (sparsification, CG, line search) and the final plan on the
 * CPU in f64, so the result reaches the same f64 tolerance as the CPU solver.
 *
 * @param a row marginal (length n, ≥ 0); `null`/`[]` for uniform
 * @param b column marginal (length m, ≥ 0, same mass); `null`/`[]` for uniform
 * @param C cost matrix n×m
 * @param options {@linkcode SnsAsyncOptions}; `reg` is required
 * @returns a Promise of {@linkcode SnsResult}; `stages` = [Sinkhorn on the GPU (f32), Newton on the CPU (f64)]
 * @throws {ParsimonyError} as `sinkhornNewtonSparse`; {@linkcode BackendError} for `backend: "gpu"` without an adapter
 * @example
 * ```ts
 * import { sinkhornNewtonSparseAsync } from "@parsimony/parsimony/ot";
 * const r = await sinkhornNewtonSparseAsync(null, null, [[0, 1], [1, 0]], { reg: 0.01, backend: "cpu" });
 * r.converged; // => true
 * ```
 */
export async function sinkhornNewtonSparseAsync(
  a: Marginal,
  b: Marginal,
  C: MatrixLike,
  options: Partial<SnsAsyncOptions> & { reg: number },
): Promise<SnsResult> {
  const t0 = performance.now();
  const fn = "sinkhornNewtonSparseAsync";
  const raw = resolveWithReg(fn, SNS_DEFAULTS, options, SNS_CONSTRAINTS);
  const sp = resolveNested(fn, "sparsity", SPARSITY_DEFAULTS, options.sparsity, SPARSITY_CONSTRAINTS);
  const p = buildProblem(fn, a, b, C, raw.reg);
  const n = p.as.length, m = p.bs.length;
  const opts: Readonly<SnsResolvedOptions> = Object.freeze({
    ...raw,
    sparsity: Object.freeze({ ...sp, keep: sp.keep ?? Math.min(n * m, 2 * (n + m)) }),
    threads: resolveThreads(fn, raw.threads),
  });
  const choice = await selectBackend(fn, opts.backend, n * m, GPU_THRESHOLDS.solverIteration);
  const run = await runWithFallback(
    fn,
    choice,
    () => snsCore(p, opts, { backend: "cpu", reason: "f64 CPU" }, t0),
    async (dev) => {
      const N1 = Math.min(opts.sinkhornIters, opts.maxSinkhornIters);
      const gs = await gpuSinkhornSweeps(dev, p, N1, opts.tol, Math.max(1, N1), t0);
      const stage: OtStage = {
        stage: "sinkhorn",
        backend: "gpu",
        precision: "f32",
        iterations: gs.iterations,
        ms: gs.ms,
      };
      return snsCore(
        p,
        opts,
        { backend: "gpu", reason: `${choice.reason}; Sinkhorn warm-up on the GPU (f32), Newton on the CPU (f64)` },
        t0,
        { u: gs.u, v: gs.v, sweeps: gs.iterations, stage },
      );
    },
  );
  return run.backend === "cpu"
    ? withReason(run.value, `${run.backendReason}; f64 CPU, ${kernelsOf(run.value)}`)
    : run.value;
}

/** The kernel note a CPU result carries ("wasm-simd kernels" / "js kernels"). */
function kernelsOf(r: OtResult<unknown>): string {
  const parts = r.backendReason.split("; ");
  return parts[parts.length - 1];
}

function checkEvery(fn: string, v: number | undefined): number {
  if (v === undefined) return 20;
  // same rules as the option table (positive integer)
  resolveWithReg(fn, { reg: 1, gpuCheckEvery: 20 }, { reg: 1, gpuCheckEvery: v }, {
    reg: { kind: "number" },
    gpuCheckEvery: { kind: "number", min: 1, integer: true },
  });
  return v;
}

/** Full-length potentials (−∞ off the support) from scaled support potentials. */
function embed(x: Float64Array, reg: number, len: number, support: Int32Array): Float64Array {
  const out = new Float64Array(len).fill(-Infinity);
  for (let k = 0; k < support.length; k++) out[support[k]] = reg * x[k];
  return out;
}

function withReason<T extends OtResult<unknown>>(r: T, reason: string): T {
  return Object.freeze({ ...r, backendReason: reason }) as T;
}

/** A CPU polish result preceded by a GPU stage: one result on the common iteration axis. */
function merge(cpu: SinkhornResult, gs: GpuSweepResult, gpuStage: OtStage, t0: number, reason: string): SinkhornResult {
  const off = gs.iterations;
  const k = gs.checks.length, T = cpu.trace;
  const cat = <A extends Int32Array | Float64Array | Uint8Array>(
    mk: (len: number) => A,
    head: ArrayLike<number>,
    tail: ArrayLike<number>,
    shift = 0,
  ): A => {
    const out = mk(head.length + tail.length);
    out.set(head);
    for (let q = 0; q < tail.length; q++) out[head.length + q] = tail[q] + shift;
    return out;
  };
  const trace: OtTrace = {
    iteration: cat((n) => new Int32Array(n), gs.checks.map((c) => c.iteration), T.iteration, off),
    stage: cat((n) => new Uint8Array(n), new Uint8Array(k), T.stage),
    error: cat((n) => new Float64Array(n), gs.checks.map((c) => c.error), T.error),
    dual: cat((n) => new Float64Array(n), gs.checks.map((c) => c.dual), T.dual),
    seconds: cat((n) => new Float64Array(n), gs.checks.map((c) => c.seconds), T.seconds, gs.ms / 1e3),
    nnz: cat((n) => new Int32Array(n), new Int32Array(k), T.nnz),
    step: cat((n) => new Float64Array(n), new Float64Array(k), T.step),
    cg: cat((n) => new Int32Array(n), new Int32Array(k), T.cg),
  };
  const totalMs = performance.now() - t0;
  const stop: StopReason = gs.stop === "tol" && cpu.iterations.sinkhorn === 0 ? "tol" : cpu.stopReason;
  return Object.freeze({
    ...cpu,
    iterations: Object.freeze({ sinkhorn: off + cpu.iterations.sinkhorn, newton: 0 }),
    stages: Object.freeze([gpuStage, ...cpu.stages.map((s) => ({ ...s, stage: s.stage }))]),
    trace,
    history: { iteration: trace.iteration, error: trace.error },
    timings: Object.freeze({ ...cpu.timings, sinkhornMs: cpu.timings.sinkhornMs + gs.ms, totalMs }),
    elapsedMs: totalMs,
    backend: "gpu" as const,
    backendReason: reason,
    stopReason: stop,
    converged: cpu.converged || (gs.stop === "tol" && cpu.marginalError <= cpu.options.tol),
  });
}
