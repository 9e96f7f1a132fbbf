/**
 * The platform experiment: checks the numerical foundation the method families rely on,
 * with the same machinery (config → table + figure + verdict) as a paper reproduction.
 *
 * 1. Seeded RNG statistics against exact moments: for each distribution, the sample mean
 *    and variance of N draws are compared with the exact values in units of their
 *    standard errors (the variance's SE from the exact fourth central moment).
 * 2. A log-sum-exp stress test: inputs up to ±1e308, compared with an independent
 *    two-term identity LSE(a, b) = max(a, b) + log1p(exp(−|a − b|)).
 *
 * @module
 */

import { logSumExp, mean, variance } from "../core/reduce.ts";
import { Rng, spawnSeeds } from "../core/rng.ts";
import { barChart } from "../plot/figures.ts";
import type { Experiment, ExperimentConfig, ExperimentContext, ExperimentResult } from "./types.ts";

/** Configuration of the platform experiment. */
export interface PlatformConfig extends ExperimentConfig {
  /** Draws per distribution. */
  draws: number;
}

interface DistSpec {
  name: string;
  draw: (r: Rng, n: number) => Float64Array;
  mean: number;
  variance: number;
  /** Fourth central moment (for the SE of the sample variance). */
  mu4: number;
}

const DISTS: DistSpec[] = [
  { name: "uniform(0, 1)", draw: (r, n) => r.uniformArray(n), mean: 0.5, variance: 1 / 12, mu4: 1 / 80 },
  { name: "normal(1, 2)", draw: (r, n) => r.normalArray(n, 1, 2), mean: 1, variance: 4, mu4: 48 },
  { name: "laplace(0, 1)", draw: (r, n) => r.laplaceArray(n, 0, 1), mean: 0, variance: 2, mu4: 24 },
  { name: "gamma(2, 0.5)", draw: (r, n) => r.gammaArray(n, 2, 0.5), mean: 1, variance: 0.5, mu4: 3 * 2 * 4 * 0.5 ** 4 },
  { name: "exponential(3)", draw: (r, n) => r.exponentialArray(n, 3), mean: 1 / 3, variance: 1 / 9, mu4: 9 / 81 },
  {
    name: "bernoulli(0.2)",
    draw: (r, n) => Float64Array.from(r.bernoulliArray(n, 0.2)),
    mean: 0.2,
    variance: 0.16,
    mu4: 0.16 * (1 - 3 * 0.2 + 3 * 0.04),
  },
];

function lse2(a: number, b: number): number {
  const m = Math.max(a, b);
  if (m === -Infinity) return -Infinity;
  return m + Math.log1p(Math.exp(-Math.abs(a - b)));
}

/** Run the platform experiment (exported for direct use in notebooks and tests). */
export function runPlatform(config: PlatformConfig, ctx: ExperimentContext): Promise<ExperimentResult> {
  const seeds = spawnSeeds(config.seed, DISTS.length);
  const rngRows = DISTS.map((d, i) => {
    ctx.progress(`RNG ${d.name}: ${config.draws} draws`);
    const xs = d.draw(new Rng(seeds[i]), config.draws);
    const m = mean(xs), v = variance(xs);
    const zMean = (m - d.mean) / Math.sqrt(d.variance / config.draws);
    const zVar = (v - d.variance) / Math.sqrt((d.mu4 - d.variance ** 2) / config.draws);
    return {
      distribution: d.name,
      draws: config.draws,
      mean: m,
      exactMean: d.mean,
      zMean,
      variance: v,
      exactVariance: d.variance,
      zVariance: zVar,
    };
  });
  ctx.progress("logSumExp stress test");
  const cases: [string, number, number][] = [
    ["(1e308, 1e308)", 1e308, 1e308],
    ["(1e308, -1e308)", 1e308, -1e308],
    ["(-1e308, -1e308)", -1e308, -1e308],
    ["(1000, 1000)", 1000, 1000],
    ["(-1000, -1001)", -1000, -1001],
    ["(745.2, -745.2)", 745.2, -745.2],
    ["(0, -Infinity)", 0, -Infinity],
    ["(1.7e308, 1.7e308)", 1.7e308, 1.7e308],
  ];
  const lseRows = cases.map(([label, a, b]) => {
    const got = logSumExp([a, b]);
    const ref = lse2(a, b);
    const relErr = got === ref ? 0 : Math.abs(got - ref) / Math.abs(ref);
    return { input: label, logSumExp: got, reference: ref, relErr, finite: Number.isFinite(got) };
  });
  const zOk = rngRows.every((r) => Math.abs(r.zMean) < 5 && Math.abs(r.zVariance) < 5);
  const lseOk = lseRows.every((r) => r.finite && r.relErr <= 2 * Number.EPSILON);
  const fig = barChart(rngRows.map((r) => r.distribution), [
    { name: "z (mean)", values: rngRows.map((r) => r.zMean) },
    { name: "z (variance)", values: rngRows.map((r) => r.zVariance) },
  ], { title: "Seeded RNG: sample moments vs exact, in standard errors", yLabel: "z-score (|z| < 5 expected)" });
  fig.layout.shapes = [-5, 5].map((y) => ({
    type: "line",
    xref: "paper",
    x0: 0,
    x1: 1,
    y0: y,
    y1: y,
    line: { dash: "dot", color: "#c00" },
  }));
  const maxZ = Math.max(...rngRows.flatMap((r) => [Math.abs(r.zMean), Math.abs(r.zVariance)]));
  const maxLse = Math.max(...lseRows.map((r) => r.relErr));
  return Promise.resolve({
    tables: { rng_moments: rngRows, logsumexp_stress: lseRows },
    figures: { rng_z_scores: fig },
    verdict: `${DISTS.length} distributions, ${config.draws} draws each: largest |z| = ${maxZ.toFixed(2)} ` +
      `(${zOk ? "all within 5 standard errors" : "SOME OUTSIDE 5 standard errors"}). logSumExp on ${cases.length} ` +
      `extreme inputs: all finite, largest relative deviation from the two-term identity ${maxLse.toExponential(2)} ` +
      `(${lseOk ? "within 2 ulp" : "ABOVE 2 ulp"}).`,
    summary: `max |z| ${maxZ.toFixed(2)} over ${DISTS.length} distributions; logSumExp max rel err ${
      maxLse.toExponential(1)
    }`,
    ok: zOk && lseOk,
  });
}

/** The registered platform experiment. */
export const platformExperiment: Experiment<PlatformConfig> = {
  name: "platform",
  title: "Platform check: seeded RNG moments and log-sum-exp stress",
  description:
    "Sample moments of every seeded distribution vs their exact values (in standard errors), and log-sum-exp on inputs up to ±1e308 vs an independent identity.",
  presets: { quick: { seed: 20261201, draws: 100_000 }, full: { seed: 20261201, draws: 2_000_000 } },
  run: runPlatform,
};
