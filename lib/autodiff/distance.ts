/**
 * Pairwise squared Euclidean distances as a differentiable op (the Gram-matrix building block
 * of kernel estimators: CS divergence, CS-QMI, HSIC, KDE bounds), forward next to its VJP.
 * The forward is lib/core's {@linkcode pairwiseSqDist} (direct differences, exact zeros on the
 * diagonal of D(X, X), no ‖x‖² + ‖y‖² − 2xᵀy cancellation).
 *
 * @module
 */

import { pairwiseSqDist as coreSqDist } from "../core/blas.ts";
import { ShapeError } from "../core/errors.ts";
import { gemmUnchecked } from "../core/gemm_kernel.ts";
import { Matrix } from "../core/matrix.ts";
import { record } from "./_tape.ts";
import { asTensor, Tensor, type TensorLike } from "./tensor.ts";
import { deviceOps } from "./_hook.ts";

/**
 * D_ij = ‖x_i − y_j‖² between the rows of x (n×d) and y (m×d); y defaults to x.
 * VJP: ∂/∂x_i = 2 Σ_j G_ij (x_i − y_j) and ∂/∂y_j = 2 Σ_i G_ij (y_j − x_i), computed as
 * 2(rowsum(G) ⊙ x − G·y) and 2(colsum(G) ⊙ y − Gᵀ·x) (both terms when y is x).
 * A Gaussian Gram matrix is then `exp(mul(pairwiseSqDist(x), -1 / (2 * sigma ** 2)))`.
 *
 * @param x n×d points
 * @param y m×d points (default: x itself)
 * @returns n×m distances
 * @throws {ShapeError} for inputs that are not rank 2 or column counts that differ
 * @example
 * ```ts
 * import { pairwiseSqDist, tensor } from "@parsimony/parsimony/autodiff";
 * pairwiseSqDist(tensor([[0, 0], [3, 4]])).toArray(); // => [[0, 25], [25, 0]]
 * ```
 */
export function pairwiseSqDist(x: TensorLike, y?: TensorLike): Tensor {
  const dev = deviceOps();
  if (dev !== null) return dev.pairwiseSqDist(x, y);
  const X = asTensor(x, "pairwiseSqDist", "x");
  const Y = y === undefined ? X : asTensor(y, "pairwiseSqDist", "y");
  if (X.rank !== 2) {
    throw new ShapeError({
      fn: "pairwiseSqDist",
      arg: "x",
      expected: "rank 2 (points as rows)",
      got: `shape [${X.shape}]`,
    });
  }
  if (Y.rank !== 2 || Y.shape[1] !== X.shape[1]) {
    throw new ShapeError({ fn: "pairwiseSqDist", arg: "y", expected: `shape [m, ${X.shape[1]}]`, got: `[${Y.shape}]` });
  }
  const [n, d] = X.shape, m = Y.shape[0];
  const mx = new Matrix(n, d, X.data), my = new Matrix(m, d, Y.data);
  const D = (Y === X ? coreSqDist(mx) : coreSqDist(mx, my)).data;
  const same = Y === X;
  return record(new Tensor(D, [n, m]), same ? [X] : [X, Y], (g, needs) => {
    // gx = 2(rowsum(G) ⊙ x − G·y), gy = 2(colsum(G) ⊙ y − Gᵀ·x)
    const gx = needs[0] || same ? new Float64Array(n * d) : null;
    let gy: Float64Array | null = null;
    if (gx) {
      gemmUnchecked(false, false, n, d, m, -2, g, Y.data, 0, gx);
      for (let i = 0; i < n; i++) {
        let r = 0;
        for (let j = 0; j < m; j++) r += g[i * m + j];
        for (let k = 0; k < d; k++) gx[i * d + k] += 2 * r * X.data[i * d + k];
      }
    }
    if (same || needs[1]) {
      gy = new Float64Array(m * d);
      gemmUnchecked(true, false, m, d, n, -2, g, X.data, 0, gy);
      const col = new Float64Array(m);
      for (let i = 0; i < n; i++) for (let j = 0; j < m; j++) col[j] += g[i * m + j];
      for (let j = 0; j < m; j++) for (let k = 0; k < d; k++) gy[j * d + k] += 2 * col[j] * Y.data[j * d + k];
    }
    if (same) {
      for (let i = 0; i < gx!.length; i++) gx![i] += gy![i];
      return [gx];
    }
    return [gx, gy];
  });
}
