/**
 * f64 CPU twins of the autodiff kernels in `kernels/autodiff/`: the same formulas as the WGSL,
 * in f64. They are what the parity tests compare the kernels with; the optimizer kernels'
 * twins are `Adam.step`, `AdamW.step` and `Sgd.step` in lib/nn/optim.ts.
 *
 * The forward formulas are those of the f64 ops (elementwise.ts, activation.ts, loss.ts,
 * lib/nn/fit.ts, lib/nn/clip.ts), written once more on flat arrays because the ops work on
 * tensors and tapes.
 *
 * @module
 */

import type { BroadcastOp } from "../../kernels/autodiff/broadcast.ts";
import type { PointwiseForwardOp, PointwiseVjpOp } from "../../kernels/autodiff/pointwise.ts";

/** Index map of one broadcast operand: entry i of the output reads entry (i / div) mod mod. */
export interface BroadcastGeometry {
  /** Divisor (product of the output axes after the operand's block). */
  readonly div: number;
  /** Operand size. */
  readonly mod: number;
}

/**
 * z_i = g(α·x[(i / dx) mod mx], β·y[(i / dy) mod my]) for i < n (twin of `broadcastZip`).
 *
 * @returns a new array of n entries
 */
export function broadcastZip(
  op: BroadcastOp,
  n: number,
  x: ArrayLike<number> | null,
  gx: BroadcastGeometry,
  y: ArrayLike<number>,
  gy: BroadcastGeometry,
  alpha = 1,
  beta = 1,
): Float64Array {
  const z = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const v = beta * y[Math.floor(i / gy.div) % gy.mod];
    if (op === "copy") {
      z[i] = v;
      continue;
    }
    const u = alpha * (x as ArrayLike<number>)[Math.floor(i / gx.div) % gx.mod];
    z[i] = op === "add" ? u + v : op === "sub" ? u - v : op === "mul" ? u * v : u / v;
  }
  return z;
}

function sigma(t: number): number {
  if (t >= 0) return 1 / (1 + Math.exp(-t));
  const e = Math.exp(t);
  return e / (1 + e);
}

/**
 * y_i = f(x_i; a, b) (twin of `pointwiseForward`).
 *
 * @returns a new array
 */
export function pointwiseForward(op: PointwiseForwardOp, x: ArrayLike<number>, a = 0, b = 0): Float64Array {
  const y = new Float64Array(x.length);
  for (let i = 0; i < y.length; i++) {
    const t = x[i];
    switch (op) {
      case "leakyRelu":
        y[i] = t > 0 ? t : a * t;
        break;
      case "softplus":
        y[i] = Math.max(t, 0) + Math.log1p(Math.exp(-Math.abs(t)));
        break;
      case "log1p":
        y[i] = Math.log1p(t);
        break;
      case "clamp":
        y[i] = t < a ? a : t > b ? b : t;
        break;
    }
  }
  return y;
}

/**
 * z_i = g_i·f′(t_i) (twin of `pointwiseVjp`; t is the forward output for sigmoid and tanh).
 *
 * @returns a new array
 */
export function pointwiseVjp(
  op: PointwiseVjpOp,
  g: ArrayLike<number>,
  t: ArrayLike<number>,
  a = 0,
  b = 0,
): Float64Array {
  const z = new Float64Array(g.length);
  for (let i = 0; i < z.length; i++) {
    const v = t[i], gi = g[i];
    switch (op) {
      case "leakyRelu":
        z[i] = v > 0 ? gi : a * gi;
        break;
      case "softplus":
        z[i] = gi * sigma(v);
        break;
      case "log1p":
        z[i] = gi / (1 + v);
        break;
      case "clamp":
        z[i] = v >= a && v <= b ? gi : 0;
        break;
      case "sigmoid":
        z[i] = gi * v * (1 - v);
        break;
      case "tanh":
        z[i] = gi * (1 - v * v);
        break;
      case "abs":
        z[i] = gi * Math.sign(v);
        break;
    }
  }
  return z;
}

/**
 * ℓ_i = lse_i − z[i·C + y_i] (twin of `crossEntropyRows`).
 *
 * @returns a new array of `rows` entries
 */
export function crossEntropyRows(
  Z: ArrayLike<number>,
  lse: ArrayLike<number>,
  labels: ArrayLike<number>,
  rows: number,
  cols: number,
): Float64Array {
  const l = new Float64Array(rows);
  for (let i = 0; i < rows; i++) l[i] = lse[i] - Z[i * cols + labels[i]];
  return l;
}

/**
 * dZ_ic = α·g_k·(exp(z_ic − lse_i) − [c = y_i]), k = i when `perRow`, else 0 (twin of
 * `crossEntropyVjp`).
 *
 * @returns a new array of rows·cols entries
 */
export function crossEntropyVjp(
  Z: ArrayLike<number>,
  lse: ArrayLike<number>,
  labels: ArrayLike<number>,
  g: ArrayLike<number>,
  cols: number,
  alpha: number,
  perRow: boolean,
): Float64Array {
  const dZ = new Float64Array(Z.length);
  for (let k = 0; k < dZ.length; k++) {
    const i = Math.floor(k / cols), c = k - i * cols;
    const s = alpha * g[perRow ? i : 0];
    const p = Math.exp(Z[k] - lse[i]);
    dZ[k] = s * (c === labels[i] ? p - 1 : p);
  }
  return dZ;
}

/**
 * dst_r = src_{idx[offset + r]} for rows of `width` (twin of `gatherRows`).
 *
 * @returns a new array of rows·width entries
 */
export function gatherRows(
  src: ArrayLike<number>,
  idx: ArrayLike<number>,
  width: number,
  offset: number,
  rows: number,
): Float64Array {
  const out = new Float64Array(rows * width);
  for (let r = 0; r < rows; r++) {
    const s = idx[offset + r] * width;
    for (let c = 0; c < width; c++) out[r * width + c] = src[s + c];
  }
  return out;
}

/**
 * The loss and the number of rows whose first arg-max is the label (twin of `stepStats`),
 * and whether a tracked run would halt (non-finite loss).
 *
 * @returns `{ loss, hits, halt }`
 */
export function stepStats(
  loss: number,
  logits: ArrayLike<number> | null,
  labels: ArrayLike<number> | null,
  rows: number,
  cols: number,
): { loss: number; hits: number; halt: boolean } {
  let hits = 0;
  if (logits && labels) {
    for (let i = 0; i < rows; i++) {
      let best = 0;
      for (let c = 1; c < cols; c++) if (logits[i * cols + c] > logits[i * cols + best]) best = c;
      if (best === labels[i]) hits++;
    }
  }
  return { loss, hits, halt: !Number.isFinite(loss) };
}

/**
 * Σ g_i² (twin of `sumSquares`).
 *
 * @returns the sum of squares
 */
export function sumSquares(g: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < g.length; i++) s += g[i] * g[i];
  return s;
}

/**
 * min(1, maxNorm/(√(Σ sq) + 10⁻⁶)) (twin of `clipScale`, the factor of `clipGradNorm`).
 *
 * @returns the clip factor
 */
export function clipScale(sq: ArrayLike<number>, maxNorm: number): number {
  let s = 0;
  for (let k = 0; k < sq.length; k++) s += sq[k];
  return Math.min(1, maxNorm / (Math.sqrt(s) + 1e-6));
}
