/**
 * `@parsimony/parsimony/experiments` — paper reproductions as runnable, seeded experiments.
 *
 * An {@linkcode Experiment} maps a config (presets `quick` and `full`, always a `seed`) to
 * result tables, Plotly figures and a short verdict. `deno task repro [name…] [--full]` runs
 * the {@linkcode EXPERIMENTS} catalogue and writes `out/<name>/` (CSV, Parquet, figure JSON,
 * an offline HTML report); notebooks call {@linkcode runExperiment} directly.
 *
 * @example
 * ```ts
 * import { findExperiments, runExperiment } from "@parsimony/parsimony/experiments";
 * const [platform] = findExperiments(["platform"]);
 * const run = await runExperiment(platform, { preset: "quick", onProgress: console.log });
 * console.log(run.result.verdict);
 * ```
 *
 * @module
 */

export type * from "./types.ts";
export * from "./runner.ts";
export { EXPERIMENTS } from "./catalog.ts";
export { type PlatformConfig, platformExperiment, runPlatform } from "./platform.ts";
export { type OtSnsConfig, otSnsExperiment, runOtSns } from "./ot_sns.ts";
