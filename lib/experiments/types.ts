/**
 * What an experiment is: a configuration (with `quick` and `full` presets and a seed) that
 * runs to a results table, figures and a short verdict. `deno task repro` runs registered
 * experiments and writes `out/<name>/`; notebooks run the same experiments interactively.
 *
 * @module
 */

import type { Figure } from "../plot/figures.ts";
import type { TableRows } from "../plot/html.ts";

/** Every experiment config carries a seed; the rest is experiment-specific. */
export interface ExperimentConfig {
  /** Master seed; replicates derive theirs with `spawnSeeds`. */
  seed: number;
}

/** Which preset a run uses. */
export type PresetName = "quick" | "full";

/** Services the runner gives an experiment. */
export interface ExperimentContext {
  /** Report a step ("seed 3/5: Sinkhorn …"); the runner prints it as a progress line. */
  progress(step: string): void;
  /** The preset being run. */
  readonly preset: PresetName;
}

/** What an experiment returns. */
export interface ExperimentResult {
  /** Named result tables (plain rows; CSV/Parquet are written by the runner). */
  tables: Record<string, TableRows>;
  /** Named Plotly figures. */
  figures: Record<string, Figure>;
  /** A few sentences: what was reproduced, ours vs the paper, gaps stated plainly. */
  verdict: string;
  /** One line for the runner's summary ("SNS 29 vs Sinkhorn 5,600 iterations"). */
  summary: string;
  /** Whether the experiment's own acceptance checks held (e.g. all z-scores within 5). */
  ok: boolean;
}

/** A registered, runnable experiment. */
export interface Experiment<C extends ExperimentConfig = ExperimentConfig> {
  /** Short unique name, used on the command line and as the output folder. */
  readonly name: string;
  /** Human title. */
  readonly title: string;
  /** What it reproduces, with the source (paper, figure/table). */
  readonly description: string;
  /** Preset configurations: `quick` runs in minutes on 2 cores; `full` is the paper's size where feasible. */
  readonly presets: { readonly quick: C; readonly full: C };
  /** Run it. */
  run(config: C, ctx: ExperimentContext): Promise<ExperimentResult>;
}
