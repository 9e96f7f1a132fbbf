/**
 * parsimony — numerics for the statistics and optimisation papers on sparsity.
 *
 * Each module is also its own entry point (import only what you use):
 *
 * | entry point | namespace here | what |
 * |---|---|---|
 * | `@parsimony/parsimony/core` | {@linkcode core} | Matrix, BLAS, stable reductions, seeded RNG, linear algebra, errors, validation |
 * | `@parsimony/parsimony/plot` | {@linkcode plot} | Plotly figure builders, notebook display, offline HTML reports |
 * | `@parsimony/parsimony/table` | {@linkcode table} | results as nodejs-polars DataFrames, CSV/Parquet |
 * | `@parsimony/parsimony/experiments` | {@linkcode experiments} | seeded paper reproductions behind `deno task repro` |
 * | `@parsimony/parsimony/autodiff` | {@linkcode autodiff} | reverse-mode autodiff over f64 tensors, custom VJPs, gradient checks |
 * | `@parsimony/parsimony/nn` | {@linkcode nn} | layers, initialisers, SGD/Adam/AdamW, schedules, `fit`, checkpoints |
 * | `@parsimony/parsimony/data` | {@linkcode data} | vendored real data sets (digits, MNIST 10k, Boston, diabetes, CPS wages) with seeded splits |
 * | `@parsimony/parsimony/ot` | {@linkcode ot} | optimal transport: Sinkhorn, log-domain Sinkhorn, Sinkhorn–Newton–Sparse, network simplex, W_p, certificates |
 * | `@parsimony/parsimony/gpu` | {@linkcode gpu} | WebGPU: `gpu.info()` and WGSL kernels with f64 CPU fallback (the runtime, batches and kernels via the entry point) |
 * | `@parsimony/parsimony/info` | {@linkcode info} | information-bottleneck estimators: CS divergence/QMI, KSG, KL, binning, KDE, Gaussian, compress-then-estimate |
 *
 * @example
 * ```ts
 * import { core } from "@parsimony/parsimony";
 * const r = new core.Rng(42);
 * core.logSumExp(r.normalArray(3)) > 0; // => true or false, the same on every run
 * ```
 *
 * @module
 */

export * as core from "./lib/core/mod.ts";
export * as plot from "./lib/plot/mod.ts";
export * as table from "./lib/table/mod.ts";
export * as experiments from "./lib/experiments/mod.ts";
export * as autodiff from "./lib/autodiff/mod.ts";
export * as nn from "./lib/nn/mod.ts";
export * as data from "./lib/data/mod.ts";
export * as ot from "./lib/ot/mod.ts";
export { gpu } from "./lib/gpu/mod.ts";
export * as info from "./lib/info/mod.ts";
