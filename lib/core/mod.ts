/**
 * `@parsimony/parsimony/core` — the platform every method family builds on.
 *
 * | piece | file | what |
 * |---|---|---|
 * | {@linkcode Matrix}, {@linkcode toMatrix} | `matrix.ts` | dense row-major f64 matrix, validated conversion |
 * | {@linkcode gemm}, {@linkcode gemv}, {@linkcode dot}, {@linkcode pairwiseSqDist}, {@linkcode gaussianGram} | `blas.ts` | products, distances, Gram matrices |
 * | {@linkcode logSumExp}, {@linkcode softmax}, {@linkcode sum}, {@linkcode norm2}, … | `reduce.ts` | stable reductions |
 * | {@linkcode Rng}, {@linkcode spawnSeeds} | `rng.ts` | seeded random numbers (MT19937 + stdlib samplers) |
 * | {@linkcode cholesky}, {@linkcode solveTriangular}, {@linkcode svd}, {@linkcode eigSym}, {@linkcode lstsq}, {@linkcode pinv} | `linalg.ts`, `_chol.ts` | dense linear algebra (blocked Cholesky on the GEMM; the rest over ml-matrix) |
 * | {@linkcode CMatrix}, {@linkcode cgemm}, {@linkcode eigHermitian}, {@linkcode choleskySolveC} | `complex.ts` | complex matrices (split storage) and Hermitian linear algebra |
 * | {@linkcode kron}, {@linkcode kronMatVec}, {@linkcode kronMatVecC}, {@linkcode kronVectors} | `kron.ts` | Kronecker products without forming them |
 * | {@linkcode lasso}, {@linkcode lassoGram}, {@linkcode lassoPath}, {@linkcode lassoCV}, {@linkcode lassoAlphaMax} | `lasso.ts` | Lasso / elastic net by coordinate descent (scikit-learn's objective and duality gap) |
 * | {@linkcode ParsimonyError} and subclasses | `errors.ts` | typed errors naming the argument |
 * | {@linkcode resolveOptions}, `assert*` | `validate.ts` | boundary validation |
 * | {@linkcode Diagnostics} | `diagnostics.ts` | run facts shared by all solvers |
 * | {@linkcode WasmTeam}, {@linkcode defaultThreads}, {@linkcode closeWorkerPool} | `parallel.ts` | deterministic worker pool for WebAssembly kernels over a shared memory |
 * | {@linkcode readEnv} | `env.ts` | environment switches (`PARSIMONY_THREADS`, …) without assuming a runtime |
 *
 * Conventions (once for the whole toolkit): f64 on the CPU, row-major, 0-based
 * indices, natural logarithms unless a name says otherwise, squared Euclidean
 * distance ‖x − y‖² without ½, randomness only through a `seed`.
 *
 * @example
 * ```ts
 * import { gemm, logSumExp, Matrix, Rng } from "@parsimony/parsimony/core";
 * const r = new Rng(0);
 * const A = new Matrix(2, 2, r.normalArray(4));
 * gemm(A, A, { transB: true }).rows; // => 2
 * logSumExp([1e308, 1e308]); // => 1e308
 * ```
 *
 * @module
 */

export * from "./errors.ts";
export * from "./validate.ts";
export * from "./matrix.ts";
export * from "./blas.ts";
export * from "./gemm_kernel.ts";
export * from "./special.ts";
export * from "./reduce.ts";
export * from "./rng.ts";
export * from "./linalg.ts";
export * from "./complex.ts";
export * from "./kron.ts";
export * from "./diagnostics.ts";
export * from "./select.ts";
export * from "./env.ts";
export * from "./parallel.ts";
export * from "./lasso.ts";
