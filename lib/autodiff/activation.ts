/**
 * Activations and normalisers, each forward next to its VJP: relu, leakyRelu, sigmoid,
 * tanh, softplus, gelu, softmax, logSoftmax.
 *
 * Stable forms throughout: sigmoid never exponentiates a positive number, softplus is
 * max(x, 0) + log1p(e^{−|x|}), softmax uses lib/core's max-shifted {@linkcode softmax}
 * and logSoftmax computes (x − max) − log Σ exp(x − max) per line.
 *
 * @module
 */

import { erf } from "../core/special.ts";
import { softmax as softmaxVector } from "../core/reduce.ts";
import { assertNumber } from "../core/validate.ts";
import { record } from "./_tape.ts";
import { forEachLine, logSoftmaxLine, normAxis } from "./_kernels.ts";
import { asTensor, Tensor, type TensorLike } from "./tensor.ts";
import { deviceOps } from "./_hook.ts";

/**
 * max(x, 0) (NaN stays NaN). VJP: g where x > 0, else 0 (torch's convention at 0).
 *
 * @example
 * ```ts
 * import { relu, tensor } from "@parsimony/parsimony/autodiff";
 * relu(tensor([-1, 2])).toArray(); // => [0, 2]
 * ```
 */
export function relu(x: TensorLike): Tensor {
  const D = deviceOps();
  if (D !== null) return D.relu(x);
  const X = asTensor(x, "relu", "x");
  const a = X.data, out = new Float64Array(X.size);
  // branch-free (signs of activations are random: a branch mispredicts half the time);
  // v·[v > 0] + 0 maps −0 to +0 and keeps NaN
  for (let i = 0; i < out.length; i++) {
    const v = a[i];
    out[i] = v * +(v > 0) + 0;
  }
  return record(new Tensor(out, X.shape), [X], (g) => {
    const r = new Float64Array(g.length);
    for (let i = 0; i < r.length; i++) r[i] = g[i] * +(a[i] > 0);
    return [r];
  });
}

/**
 * x for x > 0, slope·x otherwise. VJP: g or slope·g.
 *
 * @param slope negative-side slope (default 0.01, as torch)
 * @example
 * ```ts
 * import { leakyRelu, tensor } from "@parsimony/parsimony/autodiff";
 * leakyRelu(tensor([-10, 2]), 0.1).toArray(); // => [-1, 2]
 * ```
 */
export function leakyRelu(x: TensorLike, slope = 0.01): Tensor {
  assertNumber(slope, "leakyRelu", "slope");
  const D = deviceOps();
  if (D !== null) return D.leakyRelu(x, slope);
  const X = asTensor(x, "leakyRelu", "x");
  const a = X.data, out = new Float64Array(X.size);
  for (let i = 0; i < out.length; i++) out[i] = a[i] > 0 ? a[i] : slope * a[i];
  return record(new Tensor(out, X.shape), [X], (g) => {
    const r = new Float64Array(g.length);
    for (let i = 0; i < r.length; i++) r[i] = a[i] > 0 ? g[i] : slope * g[i];
    return [r];
  });
}

/** Stable logistic function of one number. */
function sigma(z: number): number {
  if (z >= 0) return 1 / (1 + Math.exp(-z));
  const e = Math.exp(z);
  return e / (1 + e);
}

/**
 * Logistic σ(x) = 1/(1 + e^{−x}), computed without overflow. VJP: g·σ(1 − σ).
 *
 * @example
 * ```ts
 * import { sigmoid, tensor } from "@parsimony/parsimony/autodiff";
 * sigmoid(tensor([0])).toArray(); // => [0.5]
 * ```
 */
export function sigmoid(x: TensorLike): Tensor {
  const D = deviceOps();
  if (D !== null) return D.sigmoid(x);
  const X = asTensor(x, "sigmoid", "x");
  const a = X.data, out = new Float64Array(X.size);
  for (let i = 0; i < out.length; i++) out[i] = sigma(a[i]);
  return record(new Tensor(out, X.shape), [X], (g) => {
    const r = new Float64Array(g.length);
    for (let i = 0; i < r.length; i++) r[i] = g[i] * out[i] * (1 - out[i]);
    return [r];
  });
}

/**
 * Hyperbolic tangent. VJP: g·(1 − tanh²).
 *
 * @example
 * ```ts
 * import { tanh, tensor } from "@parsimony/parsimony/autodiff";
 * tanh(tensor([0])).toArray(); // => [0]
 * ```
 */
export function tanh(x: TensorLike): Tensor {
  const D = deviceOps();
  if (D !== null) return D.tanh(x);
  const X = asTensor(x, "tanh", "x");
  const a = X.data, out = new Float64Array(X.size);
  for (let i = 0; i < out.length; i++) out[i] = Math.tanh(a[i]);
  return record(new Tensor(out, X.shape), [X], (g) => {
    const r = new Float64Array(g.length);
    for (let i = 0; i < r.length; i++) r[i] = g[i] * (1 - out[i] * out[i]);
    return [r];
  });
}

/**
 * softplus(x) = log(1 + eˣ) = max(x, 0) + log1p(e^{−|x|}) (exact for all x; torch switches to
 * x above 20, a difference below 2.1e-9). VJP: g·σ(x).
 *
 * @example
 * ```ts
 * import { softplus, tensor } from "@parsimony/parsimony/autodiff";
 * softplus(tensor([0])).toArray(); // => [Math.LN2]
 * ```
 */
export function softplus(x: TensorLike): Tensor {
  const D = deviceOps();
  if (D !== null) return D.softplus(x);
  const X = asTensor(x, "softplus", "x");
  const a = X.data, out = new Float64Array(X.size);
  for (let i = 0; i < out.length; i++) out[i] = Math.max(a[i], 0) + Math.log1p(Math.exp(-Math.abs(a[i])));
  return record(new Tensor(out, X.shape), [X], (g) => {
    const r = new Float64Array(g.length);
    for (let i = 0; i < r.length; i++) r[i] = g[i] * sigma(a[i]);
    return [r];
  });
}

const INV_SQRT2 = Math.SQRT1_2, INV_SQRT_2PI = 1 / Math.sqrt(2 * Math.PI);

/**
 * Gaussian error linear unit (Hendrycks & Gimpel 2016): x·Φ(x), Φ(x) = ½(1 + erf(x/√2))
 * (torch's default); `approximate: "tanh"` gives ½x(1 + tanh(√(2/π)(x + 0.044715x³))).
 * VJP: g·(Φ(x) + x·φ(x)) (exact form) or the derivative of the tanh form.
 *
 * @param x input
 * @param approximate `"none"` (exact, default) or `"tanh"`
 * @example
 * ```ts
 * import { gelu, tensor } from "@parsimony/parsimony/autodiff";
 * gelu(tensor([0])).toArray(); // => [0]
 * ```
 */
export function gelu(x: TensorLike, approximate: "none" | "tanh" = "none"): Tensor {
  const X = asTensor(x, "gelu", "x");
  const a = X.data, out = new Float64Array(X.size);
  const c = Math.sqrt(2 / Math.PI);
  if (approximate === "tanh") {
    for (let i = 0; i < out.length; i++) out[i] = 0.5 * a[i] * (1 + Math.tanh(c * (a[i] + 0.044715 * a[i] ** 3)));
  } else {
    for (let i = 0; i < out.length; i++) out[i] = a[i] * 0.5 * (1 + erf(a[i] * INV_SQRT2));
  }
  return record(new Tensor(out, X.shape), [X], (g) => {
    const r = new Float64Array(g.length);
    for (let i = 0; i < r.length; i++) {
      const v = a[i];
      if (approximate === "tanh") {
        const t = Math.tanh(c * (v + 0.044715 * v ** 3));
        r[i] = g[i] * (0.5 * (1 + t) + 0.5 * v * (1 - t * t) * c * (1 + 3 * 0.044715 * v * v));
      } else {
        r[i] = g[i] * (0.5 * (1 + erf(v * INV_SQRT2)) + v * INV_SQRT_2PI * Math.exp(-0.5 * v * v));
      }
    }
    return [r];
  });
}

/**
 * softmax along `axis`: exp(x − max)/Σ exp(x − max) (lib/core's {@linkcode softmax} on each
 * line). VJP: y ⊙ (g − Σ g ⊙ y).
 *
 * @param axis axis to normalise (default −1, the last)
 * @throws {NonFiniteError} (from core) for a NaN/+∞ entry or a line of all −∞
 * @example
 * ```ts
 * import { softmax, tensor } from "@parsimony/parsimony/autodiff";
 * softmax(tensor([[0, Math.log(3)]])).toArray(); // => [[0.25, 0.75]]
 * ```
 */
export function softmax(x: TensorLike, axis = -1): Tensor {
  const D = deviceOps();
  if (D !== null) return D.softmax(x, axis);
  const X = asTensor(x, "softmax", "x");
  const ax = normAxis(axis, X.rank, "softmax");
  const xd = X.data, out = new Float64Array(X.size);
  forEachLine(X.shape, ax, (off, n, stride) => {
    if (stride === 1) out.set(softmaxVector(xd.subarray(off, off + n)), off);
    else {
      const tmp = new Float64Array(n);
      for (let i = 0; i < n; i++) tmp[i] = xd[off + i * stride];
      const p = softmaxVector(tmp);
      for (let i = 0; i < n; i++) out[off + i * stride] = p[i];
    }
  });
  return record(new Tensor(out, X.shape), [X], (g) => {
    const r = new Float64Array(g.length);
    forEachLine(X.shape, ax, (off, n, stride) => {
      let s = 0;
      for (let i = 0, p = off; i < n; i++, p += stride) s += g[p] * out[p];
      for (let i = 0, p = off; i < n; i++, p += stride) r[p] = out[p] * (g[p] - s);
    });
    return [r];
  });
}

/**
 * log softmax along `axis`: (x − max) − log Σ exp(x − max) (max-shifted; the form that
 * does not cancel for the largest entry). VJP: g − softmax ⊙ Σ g.
 *
 * @param axis axis to normalise (default −1)
 * @example
 * ```ts
 * import { logSoftmax, tensor } from "@parsimony/parsimony/autodiff";
 * logSoftmax(tensor([0, 0])).toArray(); // => [-Math.LN2, -Math.LN2]
 * ```
 */
export function logSoftmax(x: TensorLike, axis = -1): Tensor {
  const D = deviceOps();
  if (D !== null) return D.logSoftmax(x, axis);
  const X = asTensor(x, "logSoftmax", "x");
  const ax = normAxis(axis, X.rank, "logSoftmax");
  const xd = X.data, out = new Float64Array(X.size);
  forEachLine(X.shape, ax, (off, n, stride) => logSoftmaxLine(xd, off, n, stride, out));
  return record(new Tensor(out, X.shape), [X], (g) => {
    const r = new Float64Array(g.length);
    forEachLine(X.shape, ax, (off, n, stride) => {
      let s = 0;
      for (let i = 0, p = off; i < n; i++, p += stride) s += g[p];
      for (let i = 0, p = off; i < n; i++, p += stride) r[p] = g[p] - Math.exp(out[p]) * s;
    });
    return [r];
  });
}
