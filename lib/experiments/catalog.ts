/**
 * Every registered experiment, in the order `deno task repro` runs them. A method family
 * adds its reproduction here (one import, one entry).
 *
 * @module
 */

import type { Experiment, ExperimentConfig } from "./types.ts";
import { platformExperiment } from "./platform.ts";
import { knownMiExperiment } from "../info/known_mi_experiment.ts";
import { otSnsExperiment } from "./ot_sns.ts";

/** All experiments. */
export const EXPERIMENTS: readonly Experiment<ExperimentConfig>[] = [
  platformExperiment as unknown as Experiment<ExperimentConfig>,
  knownMiExperiment as unknown as Experiment<ExperimentConfig>,
  otSnsExperiment as unknown as Experiment<ExperimentConfig>,
];
