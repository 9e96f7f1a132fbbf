/**
 * Matrix product with batching, forward next to its VJP. Runs on lib/core's
 * {@linkcode gemmUnchecked} kernel (the one GEMM of the toolkit).
 *
 * @module
 */

import { ShapeError } from "../core/errors.ts";
import { gemmUnchecked } from "../core/gemm_kernel.ts";
import { record } from "./_tape.ts";
import { asTensor, Tensor, type TensorLike } from "./tensor.ts";
import { deviceOps } from "./_hook.ts";

/**
 * Matrix product over the last two axes: (…, m, k) · (…, k, n) → (…, m, n).
 *
 * Supported layouts: both rank 2; `a` of rank 3–4 with a rank-2 `b` (the leading axes of
 * `a` are folded into rows: one GEMM, as for a batch of sequences times a weight matrix);
 * and both of rank ≥ 3 with equal leading axes, or a rank-2 `a` against a batched `b`
 * (one GEMM per batch entry). VJP: dA = G·Bᵀ, dB = Aᵀ·G (summed over a shared operand's
 * batch).
 *
 * @param a left operand, rank ≥ 2
 * @param b right operand, rank ≥ 2
 * @returns the product
 * @throws {ShapeError} for rank < 2, inner dimensions that differ, or batch axes that differ
 * @example
 * ```ts
 * import { matmul, tensor } from "@parsimony/parsimony/autodiff";
 * matmul(tensor([[1, 2], [3, 4]]), tensor([[1], [1]])).toArray(); // => [[3], [7]]
 * ```
 */
export function matmul(a: TensorLike, b: TensorLike): Tensor {
  const D = deviceOps();
  if (D !== null) return D.matmul(a, b);
  const A = asTensor(a, "matmul", "a"), B = asTensor(b, "matmul", "b");
  if (A.rank < 2) {
    throw new ShapeError({
      fn: "matmul",
      arg: "a",
      expected: "rank ≥ 2 (reshape a vector to [1, k])",
      got: `shape [${A.shape}]`,
    });
  }
  if (B.rank < 2) {
    throw new ShapeError({
      fn: "matmul",
      arg: "b",
      expected: "rank ≥ 2 (reshape a vector to [k, 1])",
      got: `shape [${B.shape}]`,
    });
  }
  const m = A.shape[A.rank - 2], k = A.shape[A.rank - 1];
  const kb = B.shape[B.rank - 2], n = B.shape[B.rank - 1];
  if (k !== kb) {
    throw new ShapeError({
      fn: "matmul",
      arg: "b",
      expected: `${k} rows (the last axis of a)`,
      got: `shape [${B.shape}]`,
    });
  }
  const ad = A.data, bd = B.data;
  if (B.rank === 2) {
    // fold a's leading axes into rows: one (M·m)×k by k×n product
    const rows = A.size / k;
    const out = new Float64Array(rows * n);
    gemmUnchecked(false, false, rows, n, k, 1, ad, bd, 0, out);
    const shape = [...A.shape.slice(0, -1), n];
    return record(new Tensor(out, shape), [A, B], (g, needs) => {
      let ga: Float64Array | null = null, gb: Float64Array | null = null;
      if (needs[0]) gemmUnchecked(false, true, rows, k, n, 1, g, bd, 0, ga = new Float64Array(rows * k));
      if (needs[1]) gemmUnchecked(true, false, k, n, rows, 1, ad, g, 0, gb = new Float64Array(k * n));
      return [ga, gb];
    });
  }
  const batchB = B.shape.slice(0, -2);
  if (A.rank !== 2) {
    const batchA = A.shape.slice(0, -2);
    if (batchA.length !== batchB.length || batchA.some((d, i) => d !== batchB[i])) {
      throw new ShapeError({
        fn: "matmul",
        arg: "b",
        expected: `batch axes [${batchA}] (as a) or rank 2`,
        got: `shape [${B.shape}]`,
      });
    }
  }
  const batch = B.size / (k * n);
  const sharedA = A.rank === 2;
  const out = new Float64Array(batch * m * n);
  for (let t = 0; t < batch; t++) {
    const av = sharedA ? ad : ad.subarray(t * m * k, (t + 1) * m * k);
    gemmUnchecked(
      false,
      false,
      m,
      n,
      k,
      1,
      av,
      bd.subarray(t * k * n, (t + 1) * k * n),
      0,
      out.subarray(t * m * n, (t + 1) * m * n),
    );
  }
  return record(new Tensor(out, [...batchB, m, n]), [A, B], (g, needs) => {
    let ga: Float64Array | null = null, gb: Float64Array | null = null;
    if (needs[0]) ga = new Float64Array(A.size);
    if (needs[1]) gb = new Float64Array(B.size);
    for (let t = 0; t < batch; t++) {
      const gt = g.subarray(t * m * n, (t + 1) * m * n);
      if (ga) {
        // shared a: accumulate over the batch (β = 1)
        const dst = sharedA ? ga : ga.subarray(t * m * k, (t + 1) * m * k);
        gemmUnchecked(
          false,
          true,
          m,
          k,
          n,
          1,
          gt,
          bd.subarray(t * k * n, (t + 1) * k * n),
          sharedA && t > 0 ? 1 : 0,
          dst,
        );
      }
      if (gb) {
        const av = sharedA ? ad : ad.subarray(t * m * k, (t + 1) * m * k);
        gemmUnchecked(true, false, k, n, m, 1, av, gt, 0, gb.subarray(t * k * n, (t + 1) * k * n));
      }
    }
    return [ga, gb];
  });
}

/**
 * Affine map x·W + b in one op (torch `F.linear` with W stored [in, out]): one output array and
 * one pass instead of a matmul followed by a broadcast add. VJP: dx = G·Wᵀ, dW = xᵀ·G,
 * db = Σ_rows G.
 *
 * @param x inputs (…, in), rank ≥ 2 (leading axes are folded into rows)
 * @param w weight [in, out]
 * @param b bias [out] (optional)
 * @throws {ShapeError} when the widths do not match
 * @example
 * ```ts
 * import { linear, tensor } from "@parsimony/parsimony/autodiff";
 * linear(tensor([[1, 2]]), tensor([[1], [1]]), tensor([10])).toArray(); // => [[13]]
 * ```
 */
export function linear(x: TensorLike, w: TensorLike, b?: TensorLike): Tensor {
  const D = deviceOps();
  if (D !== null) return D.linear(x, w, b);
  const X = asTensor(x, "linear", "x"), W = asTensor(w, "linear", "w");
  if (X.rank < 2) {
    throw new ShapeError({ fn: "linear", arg: "x", expected: "rank ≥ 2 ([batch, in])", got: `shape [${X.shape}]` });
  }
  if (W.rank !== 2 || W.shape[0] !== X.shape[X.rank - 1]) {
    throw new ShapeError({
      fn: "linear",
      arg: "w",
      expected: `shape [${X.shape[X.rank - 1]}, out]`,
      got: `[${W.shape}]`,
    });
  }
  const k = W.shape[0], n = W.shape[1], rows = X.size / k;
  const B = b === undefined ? null : asTensor(b, "linear", "b");
  if (B && (B.rank !== 1 || B.size !== n)) {
    throw new ShapeError({ fn: "linear", arg: "b", expected: `shape [${n}]`, got: `[${B.shape}]` });
  }
  const xd = X.data, wd = W.data;
  const out = new Float64Array(rows * n);
  if (B) { for (let o = 0; o < out.length; o += n) out.set(B.data, o); }
  gemmUnchecked(false, false, rows, n, k, 1, xd, wd, B ? 1 : 0, out);
  const inputs = B ? [X, W, B] : [X, W];
  return record(new Tensor(out, [...X.shape.slice(0, -1), n]), inputs, (g, needs) => {
    let gx: Float64Array | null = null, gw: Float64Array | null = null, gb: Float64Array | null = null;
    if (needs[0]) gemmUnchecked(false, true, rows, k, n, 1, g, wd, 0, gx = new Float64Array(rows * k));
    if (needs[1]) gemmUnchecked(true, false, k, n, rows, 1, xd, g, 0, gw = new Float64Array(k * n));
    if (B && needs[2]) {
      gb = new Float64Array(n);
      for (let o = 0; o < g.length; o += n) for (let j = 0; j < n; j++) gb[j] += g[o + j];
    }
    return B ? [gx, gw, gb] : [gx, gw];
  });
}
