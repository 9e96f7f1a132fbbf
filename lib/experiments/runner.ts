/**
 * Run registered experiments by name with a preset, timing them and relaying progress.
 * File output lives in `scripts/repro.ts`; this part is web-standard so notebooks can
 * call it too.
 *
 * @module
 */

import { OptionError } from "../core/errors.ts";
import { assertSeed } from "../core/rng.ts";
import { EXPERIMENTS } from "./catalog.ts";
import type { Experiment, ExperimentConfig, ExperimentResult, PresetName } from "./types.ts";

/** Options of {@linkcode runExperiment}. */
export interface RunOptions {
  /** Preset to start from. @default "quick" */
  preset?: PresetName;
  /** Fields replacing the preset's (e.g. `{ seed: 7 }`). */
  overrides?: Record<string, unknown>;
  /** Progress sink. @default no-op */
  onProgress?: (step: string) => void;
}

/** A finished run. */
export interface ExperimentRun {
  /** The experiment's name. */
  name: string;
  /** Preset used. */
  preset: PresetName;
  /** The configuration actually run (preset + overrides). */
  config: ExperimentConfig;
  /** What the experiment returned. */
  result: ExperimentResult;
  /** Wall time in milliseconds. */
  elapsedMs: number;
}

/**
 * Look experiments up by name (all of them when `names` is empty).
 *
 * @throws {OptionError} naming an unknown experiment and listing the known ones
 * @example
 * ```ts
 * import { findExperiments } from "@parsimony/parsimony/experiments";
 * findExperiments(["platform"])[0].name; // => "platform"
 * ```
 */
export function findExperiments(names: readonly string[] = []): Experiment<ExperimentConfig>[] {
  if (names.length === 0) return [...EXPERIMENTS];
  return names.map((n) => {
    const e = EXPERIMENTS.find((x) => x.name === n);
    if (!e) {
      throw new OptionError({
        fn: "findExperiments",
        arg: "names",
        expected: `registered experiment names (${EXPERIMENTS.map((x) => x.name).join(", ")})`,
        got: JSON.stringify(n),
      });
    }
    return e;
  });
}

/**
 * Run one experiment with a preset (and optional overrides).
 *
 * @throws {OptionError} for an override key the preset does not have
 * @example
 * ```ts
 * import { findExperiments, runExperiment } from "@parsimony/parsimony/experiments";
 * const run = await runExperiment(findExperiments(["platform"])[0], { overrides: { draws: 1000 } });
 * run.result.ok; // => true
 * ```
 */
export async function runExperiment(
  exp: Experiment<ExperimentConfig>,
  options: RunOptions = {},
): Promise<ExperimentRun> {
  const preset = options.preset ?? "quick";
  const base = exp.presets[preset] as unknown as Record<string, unknown>;
  for (const k of Object.keys(options.overrides ?? {})) {
    if (!(k in base)) {
      throw new OptionError({
        fn: "runExperiment",
        arg: `options.overrides.${k}`,
        expected: `a config key of '${exp.name}' (${Object.keys(base).join(", ")})`,
        got: "an unknown key",
      });
    }
  }
  const config = { ...base, ...(options.overrides ?? {}) } as unknown as ExperimentConfig;
  assertSeed(config.seed, "runExperiment", "config.seed");
  const onProgress = options.onProgress ?? (() => {});
  const t0 = performance.now();
  const result = await exp.run(config, { progress: onProgress, preset });
  return { name: exp.name, preset, config, result, elapsedMs: performance.now() - t0 };
}
