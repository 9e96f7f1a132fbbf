/**
 * `@parsimony/parsimony/info` — information-bottleneck estimators: Cauchy–Schwarz divergences and
 * quadratic MI (CS-IB), kNN, binning, KDE and Gaussian MI/entropy estimators, adaptive information-plane
 * estimators, and compress-then-estimate with known-MI generators. Method card:
 * `shared/methods/info-bottleneck-estimators.md`.
 *
 * Every estimator returns `{ value, unit, n, params }` ({@linkcode InfoEstimate}): natural log by default,
 * `unit: "bits"` on request, the resolved hyper-parameters in `params`. Inputs are N×d samples (a vector is
 * N×1), validated at the boundary (N ≥ 2, matching rows, finite values, σ > 0, 1 ≤ k < N) with a
 * `ParsimonyError` naming the argument.
 *
 * | estimator | paper | file |
 * |---|---|---|
 * | {@linkcode csDivergence} | Cauchy–Schwarz divergence, two samples (Yu et al. ICLR 2024, card A1) | `cs.ts` |
 * | {@linkcode csQmi}, {@linkcode csQmiNormalized} | CS quadratic MI, Proposition 2 (A2) | `cs.ts` |
 * | {@linkcode csConditional} | conditional CS divergence, Proposition 1, `variant: "paper" \| "released-code"` (A3) | `cs.ts` |
 * | {@linkcode kernelWidth}, {@linkcode sigmaSweep} | σ rules fixed / medianDist / silverman / scott / releasedCode (A4) | `kernel_width.ts` |
 * | {@linkcode ksg}, {@linkcode mixedKsg} | Kraskov–Stögbauer–Grassberger 1 and 2; Ross 2014 (A10) | `ksg.ts` |
 * | {@linkcode klEntropy}, {@linkcode klMi}, {@linkcode klMiDiscrete} | Kozachenko–Leonenko, weighted (Berrett et al. 2019) (A11) | `kl.ts` |
 * | {@linkcode binnedEntropy}, {@linkcode binnedMi} | plug-in with Miller–Madow (A12) | `binned.ts` |
 * | {@linkcode adaptiveBinningMi}, {@linkcode fixedBinningMi} | EBAB (Chelombiev et al. ICLR 2019); Shwartz-Ziv–Tishby / Saxe binning (A9) | `ebab.ts` |
 * | {@linkcode kdeMiBounds}, {@linkcode adaptiveKdeMi} | Kolchinsky–Tracey bounds (A7); aKDE (A8) | `kde.ts` |
 * | {@linkcode gaussianMi}, {@linkcode gaussianMiSamples}, {@linkcode gaussianEntropy}, {@linkcode gaussianKl}, {@linkcode gaussianCsDivergence}, {@linkcode gaussianCsQmi} | Gaussian closed forms (A13, T1, T3) | `gaussian.ts` |
 * | {@linkcode compressThenEstimate}, {@linkcode pcaFit}, {@linkcode pcaTransform} | Butakov et al. ICLR 2024, Algorithm 1 (A14) | `compress.ts` |
 * | {@linkcode csQmiAsync}, {@linkcode csDivergenceAsync}, {@linkcode csConditionalAsync} | CS estimators with streamed Gram-row sums on WebGPU (`kernels/info/gram_rows.ts`, `gram_lse.ts`: f32, Kahan, log domain, never N×N) or the f64 path; ≈ 1e-6 apart | `cs_gpu.ts` |
 * | {@linkcode ksgAsync}, {@linkcode mixedKsgAsync} | KSG / Ross with brute-force max-norm k-NN and guard-band radius counts on WebGPU (`kernels/info/knn.ts`), certified and re-checked in f64: equal to `ksg` / `mixedKsg` bit for bit | `ksg_gpu.ts` |
 * | {@linkcode binnedEntropyAsync}, {@linkcode binnedMiAsync}, {@linkcode adaptiveBinningMiAsync} | plug-in binning and EBAB with digitisation on WebGPU (`kernels/info/binning.ts`: exact 64-bit key comparisons, u32-atomic histograms): identical to the CPU | `binned_gpu.ts` |
 * | {@linkcode trainCsIb}, {@linkcode adversarialRmse}, {@linkcode IbRegressor} | CS-IB regression (A5) with MSE / VIB / NIB / HSIC baselines; FGSM / PGD (A6) | `cs_ib.ts` |
 * | {@linkcode informationPlane}, {@linkcode informationPlaneRows} | per-epoch per-layer (I(X;T), I(T;Y)) points (Shwartz-Ziv & Tishby; Chelombiev et al.) | `information_plane.ts` |
 * | {@linkcode correlatedGaussian}, {@linkcode gaussianImages}, {@linkcode sztData} | known-MI synthetic data (E4); the Shwartz-Ziv–Tishby task (§8) | `synthetic.ts` |
 *
 * Every `…Async` estimator takes `backend: "auto" | "cpu" | "gpu"` (lib/gpu's contract: `"auto"` uses the GPU
 * only for a hardware adapter and enough work; forced `"gpu"` without an adapter is a `BackendError`; device
 * failures fall back to the CPU) and returns `backend` and `backendReason`.
 *
 * CS quantities are not Shannon MI (a ρ = 0.6 Gaussian pair has I_CS = 0.129 nats, I = 0.223): never plot
 * them on a KSG/KL axis without saying so. Binning and KDE estimates of a deterministic network measure
 * the clustering of T at a resolution, not a resolution-free quantity.
 *
 * @example
 * ```ts
 * import { correlatedGaussian, csQmi, gaussianMi, ksg } from "@parsimony/parsimony/info";
 * const s = correlatedGaussian(2000, { mi: 0.5, seed: 1 });
 * ksg(s.x, s.y).value; // ≈ 0.5 nats
 * csQmi(s.x, s.y, { unit: "bits" }).unit; // => "bits"
 * gaussianMi([[1, 0.6], [0.6, 1]]).value; // => 0.2231435513…
 * ```
 *
 * @module
 */

export * from "./result.ts";
export * from "./kernel_width.ts";
export * from "./cs.ts";
export * from "./ksg.ts";
export * from "./kl.ts";
export * from "./binned.ts";
export * from "./ebab.ts";
export * from "./gaussian.ts";
export * from "./kde.ts";
export * from "./synthetic.ts";
export * from "./compress.ts";
export * from "./information_plane.ts";
export * from "./cs_ib.ts";
export * from "./cs_gpu.ts";
export * from "./ksg_gpu.ts";
export * from "./binned_gpu.ts";
