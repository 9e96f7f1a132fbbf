/**
 * The UCI optical-recognition digits (Alpaydin & Kaynak 1998): 1,797 8×8 images with pixel
 * counts 0–16, ten classes. The file is scikit-learn's `digits.csv.gz` (Debian
 * python3-sklearn 1.2.1), vendored byte for byte.
 *
 * @module
 */

import { Matrix } from "../core/matrix.ts";
import { readCsv } from "./_read.ts";
import { type Dataset, type LoaderOptions, makeDataset } from "./dataset.ts";

/**
 * Load the 8×8 digits: x is 1797×64 with raw pixel counts 0–16 (divide by 16 or standardise
 * before training), y the digit 0–9; split stratified by class with a seeded permutation.
 *
 * @param options split: `seed` (0), `valFraction` (0.1), `testFraction` (0.2), `stratify` (true)
 * @returns the data set with its split and provenance
 * @throws {BackendError} when the vendored file cannot be read
 * @example
 * ```ts
 * import { loadDigits } from "@parsimony/parsimony/data";
 * const d = await loadDigits({ seed: 1 });
 * d.x.rows; // => 1797
 * d.train.x.rows + d.val.x.rows + d.test.x.rows; // => 1797
 * ```
 */
export async function loadDigits(options?: LoaderOptions): Promise<Dataset<Int32Array>> {
  const rows = await readCsv("digits.csv.gz", "loadDigits");
  const n = rows.length;
  const x = new Matrix(n, 64), y = new Int32Array(n);
  rows.forEach((r, i) => {
    for (let j = 0; j < 64; j++) x.data[i * 64 + j] = Number(r[j]);
    y[i] = Number(r[64]);
  });
  return makeDataset(
    "loadDigits",
    x,
    y,
    {
      name: "digits",
      featureNames: Array.from({ length: 64 }, (_, k) => `pixel_${Math.floor(k / 8)}_${k % 8}`),
      classNames: Array.from({ length: 10 }, (_, k) => String(k)),
      source:
        "UCI Optical Recognition of Handwritten Digits (test part, 1797 images) via scikit-learn 1.2.1 digits.csv.gz",
      license: "CC BY 4.0 (UCI); file from scikit-learn (BSD-3-Clause)",
    },
    options,
    true,
  );
}
