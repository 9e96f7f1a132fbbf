/**
 * The table of op specs that drives the finite-difference gradient tests (JAX
 * `lax_autodiff_test` style): for each op, how to build its inputs from a random base shape
 * and a seed, which domain keeps the inputs away from kinks and singularities, and the call.
 */
import type { Rng } from "../../lib/core/rng.ts";
import * as ad from "../../lib/autodiff/mod.ts";
import type { Tensor } from "../../lib/autodiff/mod.ts";

/** One op under test. */
export interface OpSpec {
  /** Name shown in failures. */
  readonly name: string;
  /** Build the inputs (differentiated) and the function from a base shape and an Rng. */
  readonly make: (shape: number[], r: Rng) => { inputs: Tensor[]; f: (...xs: Tensor[]) => Tensor };
}

/** Random tensor with entries g(normal draw). */
export function rand(shape: readonly number[], r: Rng, g: (v: number) => number = (v) => v): Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  return ad.tensor(r.normalArray(n).map(g), shape.slice());
}

const positive = (v: number) => 0.3 + Math.abs(v);
const awayFromZero = (v: number) => Math.sign(v || 1) * (0.1 + Math.abs(v));
const prob = (v: number) => 0.1 + 0.8 / (1 + Math.exp(-v));

/** Drop a random number of leading axes and set some remaining axes to 1 (a broadcastable partner). */
function partner(shape: number[], r: Rng): number[] {
  const drop = r.integer(shape.length);
  return shape.slice(drop).map((d) => (r.uniform() < 0.4 ? 1 : d));
}

/** A random non-empty subset of the axes, or undefined (all). */
function axesOf(rank: number, r: Rng): number | number[] | undefined {
  const u = r.uniform();
  if (u < 0.25) return undefined;
  if (u < 0.6) return r.integer(rank) - (r.uniform() < 0.5 ? rank : 0); // one axis, maybe negative
  const s = Array.from({ length: rank }, (_, i) => i).filter(() => r.uniform() < 0.5);
  return s.length ? s : [0];
}

function unarySpec(name: string, f: (x: Tensor) => Tensor, g?: (v: number) => number): OpSpec {
  return { name, make: (s, r) => ({ inputs: [rand(s, r, g)], f }) };
}

function binarySpec(
  name: string,
  f: (a: Tensor, b: Tensor) => Tensor,
  ga?: (v: number) => number,
  gb?: (v: number) => number,
): OpSpec {
  return {
    name,
    make: (s, r) => {
      const swap = r.uniform() < 0.5; // broadcast on either side
      const sa = swap ? partner(s, r) : s, sb = swap ? s : partner(s, r);
      return { inputs: [rand(sa, r, ga), rand(sb, r, gb)], f };
    },
  };
}

/** Stay at least 0.05 away from the clamp bounds −0.5 and 0.8. */
const offBounds = (v: number) => [-0.5, 0.8].reduce((x, b) => (Math.abs(x - b) < 0.05 ? x + 0.1 : x), v);

export const OP_SPECS: readonly OpSpec[] = [
  binarySpec("add", ad.add),
  binarySpec("sub", ad.sub),
  binarySpec("mul", ad.mul),
  binarySpec("div", ad.div, undefined, awayFromZero),
  binarySpec("pow(tensor, tensor)", ad.pow, positive),
  unarySpec("pow(x, 3)", (x) => ad.pow(x, 3)),
  binarySpec("minimum", ad.minimum),
  binarySpec("maximum", ad.maximum),
  unarySpec("neg", ad.neg),
  unarySpec("exp", ad.exp),
  unarySpec("log", ad.log, positive),
  unarySpec("log1p", ad.log1p, (v) => -0.7 + Math.abs(v)),
  unarySpec("sqrt", ad.sqrt, positive),
  unarySpec("abs", ad.abs, awayFromZero),
  unarySpec("square", ad.square),
  unarySpec("clamp", (x) => ad.clamp(x, -0.5, 0.8), offBounds),
  {
    name: "where",
    make: (s, r) => {
      const c = ad.tensor(r.uniformArray(s.reduce((a, b) => a * b, 1)).map((u) => (u < 0.5 ? 1 : 0)), s);
      return { inputs: [rand(s, r), rand(partner(s, r), r)], f: (a, b) => ad.where(c, a, b) };
    },
  },
  {
    name: "matmul 2-D",
    make: (s, r) => {
      const [m, k, n] = [s[0], s[s.length - 1], 1 + r.integer(4)];
      return { inputs: [rand([m, k], r), rand([k, n], r)], f: ad.matmul };
    },
  },
  {
    name: "matmul batched (equal batch)",
    make: (s, r) => {
      const [b, m, k, n] = [s[0], 1 + r.integer(4), 1 + r.integer(4), 1 + r.integer(4)];
      return { inputs: [rand([b, m, k], r), rand([b, k, n], r)], f: ad.matmul };
    },
  },
  {
    name: "matmul batched a × shared b",
    make: (s, r) => {
      const [b, m, k, n] = [s[0], 1 + r.integer(4), 1 + r.integer(4), 1 + r.integer(4)];
      return { inputs: [rand([2, b, m, k], r), rand([k, n], r)], f: ad.matmul };
    },
  },
  {
    name: "matmul shared a × batched b",
    make: (s, r) => {
      const [b, m, k, n] = [s[0], 1 + r.integer(4), 1 + r.integer(4), 1 + r.integer(4)];
      return { inputs: [rand([m, k], r), rand([b, k, n], r)], f: ad.matmul };
    },
  },
  {
    name: "linear (x·W + b, batched x)",
    make: (s, r) => {
      const [k, n] = [s[s.length - 1], 1 + r.integer(4)];
      const xs = s.length >= 2 ? s : [1 + r.integer(3), ...s];
      return { inputs: [rand(xs, r), rand([k, n], r), rand([n], r)], f: (x, w, b) => ad.linear(x, w, b) };
    },
  },
  {
    name: "transpose",
    make: (s, r) => {
      const perm = Array.from(r.permutation(s.length));
      return { inputs: [rand(s, r)], f: (x) => ad.transpose(x, perm) };
    },
  },
  unarySpec("transpose (default reverses)", (x) => ad.transpose(x)),
  unarySpec("reshape", (x) => ad.reshape(x, [-1, 1])),
  {
    name: "broadcastTo",
    make: (s, r) => {
      const small = partner(s, r);
      return { inputs: [rand(small, r)], f: (x) => ad.broadcastTo(x, s.length < 4 ? [2, ...s] : s) };
    },
  },
  {
    name: "concat",
    make: (s, r) => {
      const axis = r.integer(s.length);
      const other = s.slice();
      other[axis] = 1 + r.integer(3);
      return { inputs: [rand(s, r), rand(other, r), rand(s, r)], f: (a, b, c) => ad.concat([a, b, c], axis) };
    },
  },
  {
    name: "slice",
    make: (s, r) => {
      const begin = s.map((d) => r.integer(d));
      const end = s.map((d, i) => begin[i] + 1 + r.integer(d - begin[i]));
      return { inputs: [rand(s, r)], f: (x) => ad.slice(x, begin, end) };
    },
  },
  {
    name: "gather (repeats)",
    make: (s, r) => {
      const axis = r.integer(s.length);
      const idx = Array.from({ length: 1 + r.integer(5) }, () => r.integer(s[axis]));
      return { inputs: [rand(s, r)], f: (x) => ad.gather(x, idx, axis) };
    },
  },
  {
    name: "stack",
    make: (s, r) => {
      const axis = r.integer(Math.min(s.length, 3) + 1);
      const sh = s.slice(0, 3);
      return { inputs: [rand(sh, r), rand(sh, r)], f: (a, b) => ad.stack([a, b], axis) };
    },
  },
  {
    name: "pairwiseSqDist (x, y)",
    make: (s, r) => {
      const [n, d, m] = [s[0], s[s.length - 1], 1 + r.integer(4)];
      return { inputs: [rand([n, d], r), rand([m, d], r)], f: (x, y) => ad.pairwiseSqDist(x, y) };
    },
  },
  {
    name: "pairwiseSqDist (x) → Gaussian Gram",
    make: (s, r) => {
      const [n, d] = [s[0] + 1, s[s.length - 1]];
      return { inputs: [rand([n, d], r)], f: (x) => ad.exp(ad.mul(ad.pairwiseSqDist(x), -0.5)) };
    },
  },
  {
    name: "sum",
    make: (s, r) => {
      const axes = axesOf(s.length, r), keep = r.uniform() < 0.5;
      return { inputs: [rand(s, r)], f: (x) => ad.sum(x, axes, keep) };
    },
  },
  {
    name: "mean",
    make: (s, r) => {
      const axes = axesOf(s.length, r), keep = r.uniform() < 0.5;
      return { inputs: [rand(s, r)], f: (x) => ad.mean(x, axes, keep) };
    },
  },
  {
    name: "max",
    make: (s, r) => {
      const axes = axesOf(s.length, r), keep = r.uniform() < 0.5;
      return { inputs: [rand(s, r)], f: (x) => ad.max(x, axes, keep) };
    },
  },
  {
    name: "min",
    make: (s, r) => {
      const axes = axesOf(s.length, r), keep = r.uniform() < 0.5;
      return { inputs: [rand(s, r)], f: (x) => ad.min(x, axes, keep) };
    },
  },
  {
    name: "logsumexp",
    make: (s, r) => {
      const axes = axesOf(s.length, r), keep = r.uniform() < 0.5;
      return { inputs: [rand(s, r, (v) => 3 * v)], f: (x) => ad.logsumexp(x, axes, keep) };
    },
  },
  unarySpec("relu", ad.relu, awayFromZero),
  unarySpec("leakyRelu", (x) => ad.leakyRelu(x, 0.1), awayFromZero),
  unarySpec("sigmoid", ad.sigmoid, (v) => 4 * v),
  unarySpec("tanh", ad.tanh),
  unarySpec("softplus", ad.softplus, (v) => 4 * v),
  unarySpec("gelu", (x) => ad.gelu(x)),
  unarySpec("gelu tanh", (x) => ad.gelu(x, "tanh")),
  {
    name: "softmax",
    make: (s, r) => {
      const axis = r.integer(s.length);
      return { inputs: [rand(s, r, (v) => 2 * v)], f: (x) => ad.softmax(x, axis) };
    },
  },
  {
    name: "logSoftmax",
    make: (s, r) => {
      const axis = r.integer(s.length) - s.length;
      return { inputs: [rand(s, r, (v) => 2 * v)], f: (x) => ad.logSoftmax(x, axis) };
    },
  },
  binarySpecSame("mseLoss", (a, b) => ad.mseLoss(a, b)),
  binarySpecSame("mseLoss sum", (a, b) => ad.mseLoss(a, b, { reduction: "sum" })),
  {
    name: "crossEntropy (labels)",
    make: (s, r) => {
      const [n, c] = [s[0], 1 + s[s.length - 1]];
      const y = Array.from({ length: n }, () => r.integer(c));
      const red = (["mean", "sum", "none"] as const)[r.integer(3)];
      return { inputs: [rand([n, c], r, (v) => 2 * v)], f: (z) => ad.crossEntropy(z, y, { reduction: red }) };
    },
  },
  {
    name: "crossEntropy (soft targets, both inputs)",
    make: (s, r) => {
      const [n, c] = [s[0], 1 + s[s.length - 1]];
      return { inputs: [rand([n, c], r), rand([n, c], r, prob)], f: (z, t) => ad.crossEntropy(z, t) };
    },
  },
  binarySpecSame("binaryCrossEntropy", (p, t) => ad.binaryCrossEntropy(p, t), prob, prob),
  binarySpecSame(
    "binaryCrossEntropyWithLogits",
    (z, t) => ad.binaryCrossEntropyWithLogits(z, t, { reduction: "none" }),
    (v) => 3 * v,
    prob,
  ),
];

function binarySpecSame(
  name: string,
  f: (a: Tensor, b: Tensor) => Tensor,
  ga?: (v: number) => number,
  gb?: (v: number) => number,
): OpSpec {
  return { name, make: (s, r) => ({ inputs: [rand(s, r, ga), rand(s, r, gb)], f }) };
}
