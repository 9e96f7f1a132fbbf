/**
 * The known-MI benchmark (method card E4 + E5) as a registered experiment (`deno task repro info-known-mi`):
 *
 * 1. Correlated Gaussians (E5): ρ ∈ {0, .3, .6, .9} per coordinate pair, d pairs, N samples, several seeds;
 *    KSG, Kozachenko–Leonenko (whitened, k = 5), the Gaussian closed form on the sample covariance, and
 *    plug-in binning with Miller–Madow (d = 1) against I = −(d/2) log(1 − ρ²); CS-QMI against its own
 *    kernel-smoothed closed form (it is not Shannon MI). Plus the high-dimensional KSG failure case of
 *    knnie issue #3 (16 + 16 dimensions).
 * 2. Images with known MI (E4, Butakov et al. 2024): Gaussian parameters with I ∈ [0, 10] nats rendered as
 *    bump images; KL on the parameters and on PCA-2 compressions of the images (compressor fitted on
 *    held-out images) against the truth.
 *
 * @module
 */

import { spawnSeeds } from "../core/rng.ts";
import { lineChart } from "../plot/figures.ts";
import type { Experiment, ExperimentConfig, ExperimentContext, ExperimentResult } from "../experiments/types.ts";
import { binnedMi } from "./binned.ts";
import { compressThenEstimate } from "./compress.ts";
import { csQmi } from "./cs.ts";
import { gaussianCsQmi, gaussianMiSamples } from "./gaussian.ts";
import { klMi } from "./kl.ts";
import { ksg } from "./ksg.ts";
import { correlatedGaussian, gaussianImages } from "./synthetic.ts";

/** Configuration of the known-MI experiment. */
export interface KnownMiConfig extends ExperimentConfig {
  /** Per-pair correlations ρ of the Gaussian part. */
  rhos: number[];
  /** Numbers of correlated coordinate pairs d (x, y ∈ R^d). */
  dims: number[];
  /** Sample sizes N. */
  sizes: number[];
  /** Seeds per (ρ, d, N). */
  replicates: number;
  /** True MI values (nats) of the image part. */
  imageMis: number[];
  /** Images per variable. */
  imageN: number;
  /** Held-out images for the PCA fit. */
  imageFitN: number;
  /** Image side (pixels). */
  imageSize: number;
  /** Seeds of the image part. */
  imageReplicates: number;
  /** Samples of the 16+16-D KSG case (0 skips it). */
  highDimN: number;
}

type Row = Record<string, string | number | boolean | null>;

function stats(v: number[]): { mean: number; sd: number } {
  const m = v.reduce((a, b) => a + b, 0) / v.length;
  const sd = v.length > 1 ? Math.sqrt(v.reduce((a, b) => a + (b - m) ** 2, 0) / (v.length - 1)) : 0;
  return { mean: m, sd };
}

/** Run the known-MI benchmark (exported for notebooks and tests). */
export function runKnownMi(config: KnownMiConfig, ctx: ExperimentContext): Promise<ExperimentResult> {
  const gaussRows: Row[] = [];
  const seeds = spawnSeeds(config.seed, 4);
  for (const d of config.dims) {
    for (const n of config.sizes) {
      for (const rho of config.rhos) {
        ctx.progress(`Gaussian d=${d} N=${n} ρ=${rho}`);
        const truth = -(d / 2) * Math.log(1 - rho * rho) + 0; // + 0 turns −0 into 0
        const cov = [[1, rho], [rho, 1]];
        const csTarget = d * gaussianCsQmi(cov, { sigmaX: 1, sigmaT: 1 }).value; // per pair; exact only for d = 1
        const est: Record<string, number[]> = { ksg: [], kl: [], gaussian: [], binnedMM: [], csQmi: [] };
        const rs = spawnSeeds(seeds[0] + 7919 * d + 13 * n + Math.round(100 * rho), config.replicates);
        for (const s of rs) {
          const g = correlatedGaussian(n, { mi: truth, dims: d, seed: s });
          est.ksg.push(ksg(g.x, g.y, { seed: s }).value);
          est.kl.push(klMi(g.x, g.y).value);
          est.gaussian.push(gaussianMiSamples(g.x, g.y).value);
          if (d === 1) {
            est.binnedMM.push(binnedMi(g.x, g.y, { bins: 8, strategy: "quantile", correction: "millerMadow" }).value);
            est.csQmi.push(csQmi(g.x, g.y).value);
          }
        }
        for (const [name, v] of Object.entries(est)) {
          if (v.length === 0) continue;
          const target = name === "csQmi" ? csTarget : truth;
          const { mean, sd } = stats(v);
          gaussRows.push({
            estimator: name,
            quantity: name === "csQmi" ? "I_CS (σ=1 smoothed)" : "Shannon I",
            d,
            n,
            rho,
            truth: target,
            mean,
            sd,
            bias: mean - target,
            replicates: v.length,
          });
        }
      }
    }
  }
  // knnie #3: d = 16 + 16 with I ≈ 2.30 nats
  const highRows: Row[] = [];
  if (config.highDimN > 0) {
    ctx.progress(`KSG 16+16-D, N=${config.highDimN}`);
    const g = correlatedGaussian(config.highDimN, { mi: 2.3, dims: 16, seed: seeds[1] });
    highRows.push({
      estimator: "ksg",
      d: 16,
      n: config.highDimN,
      truth: 2.3,
      estimate: ksg(g.x, g.y, { seed: seeds[1] }).value,
    }, {
      estimator: "kl (whitened, k=5)",
      d: 16,
      n: config.highDimN,
      truth: 2.3,
      estimate: klMi(g.x, g.y).value,
    }, {
      estimator: "gaussian",
      d: 16,
      n: config.highDimN,
      truth: 2.3,
      estimate: gaussianMiSamples(g.x, g.y).value,
    });
  }
  // images
  const imgRows: Row[] = [];
  const imgSeeds = spawnSeeds(seeds[2], config.imageReplicates);
  for (const mi of config.imageMis) {
    ctx.progress(`images I=${mi} nats`);
    const params: number[] = [], pca: number[] = [];
    for (const s of imgSeeds) {
      const im = gaussianImages(config.imageN, { mi, seed: s, size: config.imageSize });
      const fit = gaussianImages(config.imageFitN, { mi, seed: s + 1, size: config.imageSize });
      params.push(klMi(im.xParams, im.yParams).value);
      pca.push(compressThenEstimate(im.x, im.y, { fitX: fit.x, fitY: fit.y, dimX: 2, dimY: 2, seed: s }).value);
    }
    const p = stats(params), c = stats(pca);
    imgRows.push({ truth: mi, paramsKl: p.mean, paramsSd: p.sd, pca2Kl: c.mean, pca2Sd: c.sd, offset: c.mean - mi });
  }
  // figures
  const dLast = config.dims[0], nLast = config.sizes[config.sizes.length - 1];
  const sel = gaussRows.filter((r) => r.d === dLast && r.n === nLast);
  const names = [...new Set(sel.map((r) => r.estimator as string))];
  const truthLine = config.rhos.map((rho) => -(dLast / 2) * Math.log(1 - rho * rho));
  const gaussFig = lineChart([
    { x: truthLine, y: truthLine, name: "truth (y = x)", dash: "dot", color: "#888" },
    ...names.map((nm) => {
      const rs = sel.filter((r) => r.estimator === nm);
      return {
        x: rs.map((r) => (nm === "csQmi" ? r.truth as number : -(dLast / 2) * Math.log(1 - (r.rho as number) ** 2))),
        y: rs.map((r) => r.mean as number),
        error: rs.map((r) => r.sd as number),
        name: nm === "csQmi" ? "csQmi vs its own target (x = I_CS^σ)" : nm,
      };
    }),
  ], {
    title: `Correlated Gaussians, d=${dLast}, N=${nLast}: estimate vs truth (nats)`,
    xLabel: "true value (nats)",
    yLabel: "estimate (nats), mean ± sd",
    mode: "lines+markers",
  });
  const mis = imgRows.map((r) => r.truth as number);
  const imgFig = lineChart([
    { x: mis, y: mis, name: "truth", dash: "dot", color: "#888" },
    {
      x: mis,
      y: imgRows.map((r) => r.paramsKl as number),
      error: imgRows.map((r) => r.paramsSd as number),
      name: "KL on the Gaussian parameters",
    },
    {
      x: mis,
      y: imgRows.map((r) => r.pca2Kl as number),
      error: imgRows.map((r) => r.pca2Sd as number),
      name: "KL on PCA-2 of the images",
    },
  ], {
    title: `Known-MI images (${config.imageSize}×${config.imageSize} bumps, N=${config.imageN})`,
    xLabel: "true I (nats)",
    yLabel: "estimate (nats)",
    mode: "lines+markers",
  });
  // acceptance and verdict
  const find = (est: string, rho: number) =>
    gaussRows.find((r) => r.estimator === est && r.d === 1 && r.n === nLast && r.rho === rho);
  const ksg06 = find("ksg", 0.6), gau06 = find("gaussian", 0.6);
  const paramsOk = imgRows.filter((r) => (r.truth as number) <= 8).every((r) =>
    Math.abs((r.paramsKl as number) - (r.truth as number)) < 0.25
  );
  const pcaMonotone = imgRows.every((r, i) => i === 0 || (r.pca2Kl as number) > (imgRows[i - 1].pca2Kl as number));
  const ksgOk = ksg06 ? Math.abs(ksg06.bias as number) < 0.03 : true;
  const gauOk = gau06 ? Math.abs(gau06.bias as number) < 0.02 : true;
  const offsets = imgRows.map((r) => r.offset as number);
  const hi = highRows.find((r) => r.estimator === "ksg");
  const verdict = [
    ksg06
      ? `KSG (k=3) at ρ=0.6, d=1, N=${nLast}: ${(ksg06.mean as number).toFixed(3)} ± ${
        (ksg06.sd as number).toFixed(3)
      } vs 0.223 nats.`
      : "",
    gau06 ? `Gaussian closed form on the sample covariance: bias ${(gau06.bias as number).toExponential(1)}.` : "",
    `KL on the Gaussian parameters of the images tracks the truth${
      paramsOk ? " within 0.25 nats up to 8 nats" : " POORLY (above 0.25 nats off somewhere ≤ 8 nats)"
    };` +
    ` PCA-2 of the images is ${pcaMonotone ? "monotone in the truth" : "NOT monotone"} with offset ${
      Math.min(...offsets).toFixed(2)
    } … ${Math.max(...offsets).toFixed(2)} nats` +
    ` (the card's own PCA-2 reproduction: ≈ −1 nat; Butakov et al. report close tracking with autoencoders, which this toolkit does not provide).`,
    hi
      ? `High-dimensional case (16+16-D, I = 2.30 nats, N=${hi.n}): KSG gives ${
        (hi.estimate as number).toFixed(2)
      } — the known underestimation (knnie #3 reports 0.71 at N=5000).`
      : "",
    "CS-QMI is compared with its own kernel-smoothed closed form, not with Shannon MI.",
  ].filter(Boolean).join(" ");
  return Promise.resolve({
    tables: { gaussian: gaussRows, high_dim: highRows, images: imgRows },
    figures: { gaussian_estimates: gaussFig, image_estimates: imgFig },
    verdict,
    summary: `KSG bias ρ=.6: ${ksg06 ? (ksg06.bias as number).toFixed(3) : "n/a"}; PCA-2 image offset ${
      Math.min(...offsets).toFixed(2)
    }…${Math.max(...offsets).toFixed(2)} nats`,
    ok: paramsOk && pcaMonotone && ksgOk && gauOk,
  });
}

/** The registered known-MI experiment. */
export const knownMiExperiment: Experiment<KnownMiConfig> = {
  name: "info-known-mi",
  title: "Known-MI benchmark: kNN, KL, binning, Gaussian and CS estimators; images with known MI",
  description:
    "Method card E5 (correlated Gaussians, bias and sd against the closed form) and E4 (Butakov et al. ICLR 2024: bump images whose Gaussian parameters have known MI, PCA-2 then Kozachenko–Leonenko).",
  presets: {
    quick: {
      seed: 20240501,
      rhos: [0, 0.3, 0.6, 0.9],
      dims: [1, 4],
      sizes: [250, 1000],
      replicates: 5,
      imageMis: [0, 1, 2, 4, 6, 8],
      imageN: 1000,
      imageFitN: 1500,
      imageSize: 32,
      imageReplicates: 1,
      highDimN: 2000,
    },
    full: {
      seed: 20240501,
      rhos: [0, 0.3, 0.6, 0.9],
      dims: [1, 4, 16],
      sizes: [250, 1000, 4000],
      replicates: 20,
      imageMis: Array.from({ length: 21 }, (_, i) => i / 2),
      imageN: 5000,
      imageFitN: 6000,
      imageSize: 32,
      imageReplicates: 3,
      highDimN: 5000,
    },
  },
  run: runKnownMi,
};
