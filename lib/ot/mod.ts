/**
 * `@parsimony/parsimony/ot` — optimal transport: entropic solvers (Sinkhorn, log-domain
 * Sinkhorn, Sinkhorn–Newton–Sparse, dense Sinkhorn–Newton), exact OT (network simplex, 1-D
 * closed form), ground costs, Wasserstein distances and duality certificates.
 *
 * Layout (style guide §3.2): cost → problem → solver → result. Every entropic solver has the
 * POT-style signature `solver(a, b, C, { reg, ... })`, builds the same validated problem, and
 * returns the same {@linkcode OtResult}; switching `sinkhornLog` to `sinkhornNewtonSparse` is a
 * one-word change.
 *
 * Conventions (method card §1; the paper's η = 1/reg, r, c = a, b, x, y = f, g):
 * primal ⟨C,P⟩ + reg·Σ P log P; plan P_ij = exp((f_i + g_j − C_ij)/reg − 1); dual
 * D(f, g) = aᵀf + bᵀg − reg·ΣP; marginal error ‖P1 − a‖₁ + ‖Pᵀ1 − b‖₁.
 *
 * | algorithm | paper | file |
 * |---|---|---|
 * | {@linkcode sinkhorn} (scaling form) | Cuturi, NeurIPS 2013 | `sinkhorn.ts` |
 * | {@linkcode sinkhornLog} (log domain) | Cuturi 2013; Peyré & Cuturi 2019 §4.4 | `sinkhorn.ts` |
 * | {@linkcode sinkhornNewtonSparse} | Tang et al., ICLR 2024 (arXiv 2401.12253) | `sinkhorn_newton_sparse.ts` |
 * | {@linkcode sinkhornNewtonDense} | Brauer, Clason, Lorenz, Wirth 2017 | `sinkhorn_newton_dense.ts` |
 * | {@linkcode emd} (network simplex) | Orlin 1997; Cunningham 1976 | `emd.ts` |
 * | {@linkcode emd1d} (monotone coupling) | closed form | `emd.ts` |
 * | {@linkcode sqeuclidean}, {@linkcode euclidean}, {@linkcode gridCost} | — | `cost.ts` |
 * | {@linkcode wasserstein} | — | `wasserstein.ts` |
 * | {@linkcode dualityGap} (rounding: Altschuler, Weed, Rigollet 2017), {@linkcode dualGapIdentity}, {@linkcode entropicBiasBound} | method card §1, §3 | `certificates.ts` |
 * | {@linkcode sparsifyPlan}, {@linkcode tailMassFraction} | SNS §5 sparsity notions | `sparsity.ts` |
 * | {@linkcode sinkhornLogAsync}, {@linkcode sinkhornNewtonSparseAsync} (WebGPU f32 Sinkhorn stage, f64 CPU finish) | method card §6 | `async.ts` |
 *
 * The synchronous solvers run in f64 on the CPU (WebAssembly SIMD hot loops). WebGPU is
 * asynchronous, so the solvers with a GPU path have `…Async` twins (same arguments and result,
 * `backend: "auto" | "cpu" | "gpu"` resolved by lib/gpu; `result.stages` says what ran where).
 *
 * @example
 * ```ts
 * import { emd, sinkhornNewtonSparse, sqeuclidean } from "@parsimony/parsimony/ot";
 * const x = [[0, 0], [1, 0], [0, 1], [1, 1]], y = [[0.1, 0.1], [0.9, 0.2], [0.2, 0.8], [0.7, 0.9]];
 * const C = sqeuclidean(x, y);
 * const r = sinkhornNewtonSparse(null, null, C, { reg: 0.01, tol: 1e-12 }); // null = uniform marginals
 * r.converged; // => true
 * r.cost - emd(null, null, C).cost < 0.01 * Math.log(4); // => true (entropic bias ≤ reg·H(a))
 * ```
 *
 * @module
 */

export type { Marginal } from "./_problem.ts";
export type { OtBackendOption, OtCallback, OtIterationInfo, OtWarmStart } from "./_common.ts";
export type { OtIterations, OtProblemData, OtResult, OtStage, OtTimings, OtTrace } from "./result.ts";
export { euclidean, gridCost, type GridCostOptions, type Points, sqeuclidean } from "./cost.ts";
export {
  sinkhorn,
  SINKHORN_CONSTRAINTS,
  SINKHORN_DEFAULTS,
  sinkhornLog,
  type SinkhornOptions,
  type SinkhornResult,
} from "./sinkhorn.ts";
export {
  sinkhornNewtonSparse,
  SNS_CONSTRAINTS,
  SNS_DEFAULTS,
  type SnsOptions,
  type SnsResolvedOptions,
  type SnsResult,
  SPARSITY_DEFAULTS,
  type SparsityOptions,
  type SparsityRule,
} from "./sinkhorn_newton_sparse.ts";
export {
  DENSE_NEWTON_DEFAULTS,
  type DenseNewtonOptions,
  type DenseNewtonResult,
  sinkhornNewtonDense,
} from "./sinkhorn_newton_dense.ts";
export {
  emd,
  emd1d,
  type Emd1dOptions,
  type Emd1dResult,
  EMD_DEFAULTS,
  type EmdOptions,
  type EmdResult,
} from "./emd.ts";
export { wasserstein, type WassersteinOptions, type WassersteinResult } from "./wasserstein.ts";
export {
  dualGapIdentity,
  type DualityCertificate,
  dualityGap,
  entropicBiasBound,
  type GapIdentity,
} from "./certificates.ts";
export { type PlanSparsity, sparsifyPlan, tailMassFraction } from "./sparsity.ts";
export {
  type SinkhornAsyncOptions,
  sinkhornLogAsync,
  sinkhornNewtonSparseAsync,
  type SnsAsyncOptions,
} from "./async.ts";
