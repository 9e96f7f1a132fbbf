/**
 * Losses, each a fused op with its own VJP: mean squared error, cross-entropy from logits,
 * binary cross-entropy on probabilities and on logits.
 *
 * Every loss takes `{ reduction }`: `"mean"` (default, torch's), `"sum"` or `"none"`
 * (per-sample values).
 *
 * @module
 */

import { describeValue, ShapeError, TypeMismatchError } from "../core/errors.ts";
import { checkConstraint } from "../core/validate.ts";
import { record } from "./_tape.ts";
import { logSoftmaxLine, sameShape } from "./_kernels.ts";
import { asTensor, Tensor, type TensorLike } from "./tensor.ts";
import { deviceOps } from "./_hook.ts";

/** How per-sample losses are combined. */
export type Reduction = "mean" | "sum" | "none";

/** Options shared by the losses. */
export interface LossOptions {
  /** Combine per-sample losses by their mean, their sum, or not at all. @default "mean" */
  reduction?: Reduction;
}

const REDUCTION = { kind: "enum", values: ["mean", "sum", "none"] } as const;

/** @internal The validated `options.reduction`. */
export function reductionOf(fn: string, options: LossOptions | undefined): Reduction {
  const r = options?.reduction ?? "mean";
  checkConstraint(fn, "options.reduction", r, REDUCTION);
  return r;
}

/** Reduce per-element losses `l` (shape `shape`) and record the VJP from their per-element derivative `d`. */
function reduceLoss(
  l: Float64Array,
  shape: readonly number[],
  red: Reduction,
  inputs: Tensor[],
  grads: (scale: Float64Array | number, needs: readonly boolean[]) => (Float64Array | null)[],
): Tensor {
  if (red === "none") return record(new Tensor(l, shape), inputs, (g, needs) => grads(g, needs));
  let s = 0;
  for (let i = 0; i < l.length; i++) s += l[i];
  const n = red === "mean" ? l.length : 1;
  return record(new Tensor(new Float64Array([s / n]), []), inputs, (g, needs) => grads(g[0] / n, needs));
}

/** Scale factor of element i: a number or a per-element cotangent. */
function at(scale: Float64Array | number, i: number): number {
  return typeof scale === "number" ? scale : scale[i];
}

/** @internal Same shape as the prediction, or a ShapeError naming `target`. */
export function checkSame(fn: string, a: Tensor, b: Tensor): void {
  if (!sameShape(a.shape, b.shape)) {
    throw new ShapeError({
      fn,
      arg: "target",
      expected: `shape [${a.shape}] (as the prediction)`,
      got: `[${b.shape}]`,
    });
  }
}

/**
 * Mean squared error (1/n) Σ (pred − target)². VJP: 2(pred − target)/n for the prediction
 * and its negative for the target.
 *
 * @param pred predictions
 * @param target targets, same shape
 * @throws {ShapeError} when the shapes differ
 * @example
 * ```ts
 * import { mseLoss, tensor } from "@parsimony/parsimony/autodiff";
 * mseLoss(tensor([1, 2]), tensor([0, 0])).item(); // => 2.5
 * ```
 */
export function mseLoss(pred: TensorLike, target: TensorLike, options?: LossOptions): Tensor {
  const D = deviceOps();
  if (D !== null) return D.mseLoss(pred, target, options);
  const P = asTensor(pred, "mseLoss", "pred"), T = asTensor(target, "mseLoss", "target");
  checkSame("mseLoss", P, T);
  const red = reductionOf("mseLoss", options);
  const p = P.data, t = T.data, n = P.size;
  const l = new Float64Array(n);
  for (let i = 0; i < n; i++) l[i] = (p[i] - t[i]) ** 2;
  return reduceLoss(l, P.shape, red, [P, T], (s, needs) => {
    const gp = new Float64Array(n);
    for (let i = 0; i < n; i++) gp[i] = 2 * (p[i] - t[i]) * at(s, i);
    return [needs[0] ? gp : null, needs[1] ? gp.map((v) => -v) : null];
  });
}

/**
 * Cross-entropy from logits: per sample −log softmax(z)_y = logsumexp(z) − z_y (max-shifted,
 * as torch's log_softmax + nll); with a probability tensor as target,
 * −Σ_c t_c log softmax(z)_c. VJP: softmax(z) − onehot(y) (times the cotangent).
 *
 * @param logits shape [N, C] (or [C] for one sample)
 * @param target class indices (length N, integers in [0, C)) or a [N, C] tensor of class probabilities
 * @throws {ShapeError} for a wrong number of labels or a bad probability-tensor shape
 * @throws {TypeMismatchError} for a label that is not an integer in range (naming `target[i]`)
 * @example
 * ```ts
 * import { crossEntropy, tensor } from "@parsimony/parsimony/autodiff";
 * crossEntropy(tensor([[0, 0]]), [1]).item(); // => Math.LN2
 * ```
 */
export function crossEntropy(logits: Tensor, target: ArrayLike<number> | Tensor, options?: LossOptions): Tensor {
  const D = deviceOps();
  if (D !== null) return D.crossEntropy(logits, target, options);
  const Z = asTensor(logits, "crossEntropy", "logits");
  if (Z.rank !== 1 && Z.rank !== 2) {
    throw new ShapeError({ fn: "crossEntropy", arg: "logits", expected: "shape [N, C] or [C]", got: `[${Z.shape}]` });
  }
  const red = reductionOf("crossEntropy", options);
  const C = Z.shape[Z.rank - 1], N = Z.size / C;
  const z = Z.data;
  // log-probabilities per row (max-shifted); lse_i = z_ic − logp_ic for any c
  const logp = new Float64Array(Z.size);
  for (let i = 0; i < N; i++) logSoftmaxLine(z, i * C, C, 1, logp);
  const l = new Float64Array(N);
  const inputs: Tensor[] = [Z];
  let soft: Float64Array | null = null, labels: Int32Array | null = null;
  if (target instanceof Tensor) {
    if (target.size !== Z.size) {
      throw new ShapeError({
        fn: "crossEntropy",
        arg: "target",
        expected: `shape [${Z.shape}] (class probabilities)`,
        got: `[${target.shape}]`,
      });
    }
    soft = target.data;
    inputs.push(target);
    for (let i = 0; i < N; i++) {
      let s = 0;
      for (let c = 0; c < C; c++) if (soft[i * C + c] !== 0) s -= soft[i * C + c] * logp[i * C + c];
      l[i] = s;
    }
  } else {
    labels = checkLabels(target, N, C);
    for (let i = 0; i < N; i++) l[i] = -logp[i * C + labels[i]];
  }
  return reduceLoss(l, Z.shape.slice(0, -1), red, inputs, (s, needs) => {
    const gz = new Float64Array(Z.size);
    for (let i = 0; i < N; i++) {
      const si = at(s, i);
      const mass = soft ? sumRow(soft, i * C, C) : 1;
      for (let c = 0; c < C; c++) gz[i * C + c] = si * mass * Math.exp(logp[i * C + c]);
      if (labels) gz[i * C + labels[i]] -= si;
      else for (let c = 0; c < C; c++) gz[i * C + c] -= si * soft![i * C + c];
    }
    let gt: Float64Array | null = null;
    if (soft && needs[1]) {
      gt = new Float64Array(Z.size);
      for (let i = 0; i < N; i++) for (let c = 0; c < C; c++) gt[i * C + c] = -at(s, i) * logp[i * C + c];
    }
    return [needs[0] ? gz : null, gt];
  });
}

/** @internal Class labels of `crossEntropy`: N integers in [0, C), or an error naming `target[i]`. */
export function checkLabels(target: unknown, N: number, C: number): Int32Array {
  if (target === null || typeof target !== "object" || (target as ArrayLike<number>).length !== N) {
    throw new ShapeError({
      fn: "crossEntropy",
      arg: "target",
      expected: `${N} class labels`,
      got: describeValue(target),
    });
  }
  const t = target as ArrayLike<number>;
  const labels = new Int32Array(N);
  for (let i = 0; i < N; i++) {
    const y = t[i];
    if (!Number.isInteger(y) || y < 0 || y >= C) {
      throw new TypeMismatchError({
        fn: "crossEntropy",
        arg: `target[${i}]`,
        expected: `an integer class in [0, ${C - 1}]`,
        got: describeValue(y),
      });
    }
    labels[i] = y;
  }
  return labels;
}

function sumRow(x: Float64Array, off: number, n: number): number {
  let s = 0;
  for (let i = 0; i < n; i++) s += x[off + i];
  return s;
}

/**
 * Binary cross-entropy on probabilities: −[y log p + (1 − y) log(1 − p)], each log clamped
 * at −100 as torch does (so p = 0 or 1 gives a finite loss). VJP: (p − y)/max(p(1 − p), 1e-12).
 * Prefer {@linkcode binaryCrossEntropyWithLogits} when you have logits.
 *
 * @param p probabilities in [0, 1]
 * @param target targets in [0, 1], same shape
 * @throws {ShapeError} when the shapes differ
 * @example
 * ```ts
 * import { binaryCrossEntropy, tensor } from "@parsimony/parsimony/autodiff";
 * binaryCrossEntropy(tensor([0.5]), tensor([1])).item(); // => Math.LN2
 * ```
 */
export function binaryCrossEntropy(p: TensorLike, target: TensorLike, options?: LossOptions): Tensor {
  const P = asTensor(p, "binaryCrossEntropy", "p"), T = asTensor(target, "binaryCrossEntropy", "target");
  checkSame("binaryCrossEntropy", P, T);
  const red = reductionOf("binaryCrossEntropy", options);
  const pd = P.data, t = T.data, n = P.size;
  const l = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    l[i] = -(t[i] * Math.max(Math.log(pd[i]), -100) + (1 - t[i]) * Math.max(Math.log1p(-pd[i]), -100));
  }
  return reduceLoss(l, P.shape, red, [P, T], (s, needs) => {
    const gp = needs[0] ? new Float64Array(n) : null, gt = needs[1] ? new Float64Array(n) : null;
    for (let i = 0; i < n; i++) {
      if (gp) gp[i] = at(s, i) * (pd[i] - t[i]) / Math.max(pd[i] * (1 - pd[i]), 1e-12);
      if (gt) gt[i] = -at(s, i) * (Math.max(Math.log(pd[i]), -100) - Math.max(Math.log1p(-pd[i]), -100));
    }
    return [gp, gt];
  });
}

/**
 * Binary cross-entropy on logits z, stable for all z: max(z, 0) − z·y + log1p(e^{−|z|}).
 * VJP: σ(z) − y.
 *
 * @param logits real-valued scores
 * @param target targets in [0, 1], same shape
 * @throws {ShapeError} when the shapes differ
 * @example
 * ```ts
 * import { binaryCrossEntropyWithLogits, tensor } from "@parsimony/parsimony/autodiff";
 * binaryCrossEntropyWithLogits(tensor([0]), tensor([1])).item(); // => Math.LN2
 * ```
 */
export function binaryCrossEntropyWithLogits(logits: TensorLike, target: TensorLike, options?: LossOptions): Tensor {
  const Z = asTensor(logits, "binaryCrossEntropyWithLogits", "logits"),
    T = asTensor(target, "binaryCrossEntropyWithLogits", "target");
  checkSame("binaryCrossEntropyWithLogits", Z, T);
  const red = reductionOf("binaryCrossEntropyWithLogits", options);
  const z = Z.data, t = T.data, n = Z.size;
  const l = new Float64Array(n);
  for (let i = 0; i < n; i++) l[i] = Math.max(z[i], 0) - z[i] * t[i] + Math.log1p(Math.exp(-Math.abs(z[i])));
  return reduceLoss(l, Z.shape, red, [Z, T], (s, needs) => {
    const gz = needs[0] ? new Float64Array(n) : null, gt = needs[1] ? new Float64Array(n) : null;
    for (let i = 0; i < n; i++) {
      const sg = z[i] >= 0 ? 1 / (1 + Math.exp(-z[i])) : Math.exp(z[i]) / (1 + Math.exp(z[i]));
      if (gz) gz[i] = at(s, i) * (sg - t[i]);
      if (gt) gt[i] = -at(s, i) * z[i];
    }
    return [gz, gt];
  });
}
