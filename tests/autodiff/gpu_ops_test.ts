/**
 * Every op with a GPU kernel (GPU_OPS), forward and VJP, on the device against the f64 CPU
 * engine: f64 inputs are uploaded (rounded to f32), the op runs in one traced step seeded with
 * a random cotangent, and each output and input cotangent must lie within its first-order f32
 * error bound, evaluated per entry from the f64 reference values.
 *
 * Conventions (u = 2⁻²⁴; WGSL: one ULP ≤ 2u, exp 3 + 2|t| ULP, log 2⁻²¹ abs. on [0.5, 2] else
 * 3 ULP, division 2.5 ULP, sqrt 4.5 ULP): every uploaded input or cotangent carries u
 * relative; every elementwise operation rounds once (u) on top of the errors of its operands;
 * a product A·B over k terms carries (k + 4)u·Σ|a||b| (lib/gpu's gemm bound, uploads
 * included); a sum of `count` terms adds `reduceRel(count)`·Σ|terms| (see _gpu_vjp.ts). The
 * per-op derivations are next to each case; the sums of magnitudes they need (Σ|g||b| of a
 * broadcast VJP, |G||B|ᵀ of a product) are computed by the f64 engine on |inputs|. The factor
 * 1.01 covers second-order terms.
 */
import { assert } from "../_helpers.ts";
import * as ad from "../../lib/autodiff/mod.ts";
import type { Tensor } from "../../lib/autodiff/mod.ts";
import { DeviceSession } from "../../lib/autodiff/_device_session.ts";
import { DeviceUnsupportedError } from "../../lib/autodiff/_hook.ts";
import { colChunks, gpu, rowWorkgroupSize } from "../../lib/gpu/mod.ts";
import { Rng } from "../../lib/core/rng.ts";
import { assertWithin, gpuTest } from "../gpu/_gpu.ts";
import { lseTol } from "../kernels/core/_lse_tol.ts";
import { absSum, absT, cpuVjp, each, gpuVjp, reduceRel, U } from "./_gpu_vjp.ts";

const r = new Rng(2024);
const rand = (shape: number[], sd = 1, f: (v: number) => number = (v) => v) =>
  ad.tensor(r.normalArray(shape.reduce((a, b) => a * b, 1), 0, sd).map(f), shape);
/** Away from the kinks of relu/abs/clamp/leakyRelu (so f32 rounding cannot flip a branch). */
const awayFrom = (...ks: number[]) => (v: number) => {
  for (const k of ks) if (Math.abs(v - k) < 1e-3) return v + 0.01;
  return v;
};

/** Run `f` on both engines and check the output and every input cotangent within the bounds. */
async function check(
  name: string,
  f: (...xs: Tensor[]) => Tensor,
  inputs: Tensor[],
  fwdTol: (ref: Float64Array) => ArrayLike<number>,
  vjpTol: (i: number, ref: Float64Array, g: Tensor, out: Float64Array) => ArrayLike<number>,
): Promise<void> {
  const g = rand([...f(...inputs).shape], 1);
  const ref = cpuVjp(f, inputs, g);
  const got = await gpuVjp(f, inputs, g);
  assert.equal(got.out.length, ref.out.length);
  const ft = fwdTol(ref.out);
  assertWithin(got.out, ref.out, (k) => 1.01 * ft[k] + 1e-300, `${name}: forward`);
  for (let i = 0; i < inputs.length; i++) {
    const vt = vjpTol(i, ref.grads[i], g, ref.out);
    assertWithin(got.grads[i], ref.grads[i], (k) => 1.01 * vt[k] + 1e-300, `${name}: cotangent of input ${i}`);
  }
}

// ---- binary ops with broadcasting -------------------------------------------------------------

/** Σ over the broadcast axes of |terms| for operand i: the CPU VJP of `op` at |inputs| with |g|. */
function reducedMagnitude(op: (a: Tensor, b: Tensor) => Tensor, a: Tensor, b: Tensor, g: Tensor, i: number) {
  return ad.vjp(op, absT(a), absT(b)).vjp(absT(g))[i].data.map(Math.abs);
}

const BINARY_SHAPES: [number[], number[]][] = [
  [[7, 33], [7, 33]],
  [[7, 33], [33]],
  [[7, 33], [7, 1]],
  [[33], [7, 33]],
  [[2, 5, 9], [5, 1]],
  [[], [4, 70]],
];

for (const [sa, sb] of BINARY_SHAPES) {
  gpuTest(`add, sub, mul, div [${sa}] ⊕ [${sb}]: forward and both cotangents within the f32 bound`, async () => {
    const a = rand(sa, 2), b = rand(sb, 1, (v) => v + Math.sign(v) * 0.5);
    const outSize = ad.add(a, b).size;
    const count = (x: Tensor) => outSize / x.size; // terms summed into one cotangent entry
    // add/sub: u(|a| + |b|) + u|out| forward; the cotangent is g (u|g|) or its sum over the broadcast
    // axes (reduceRel·Σ|g|, the upload's u included).
    for (const [op, fn] of [["add", ad.add], ["sub", ad.sub]] as const) {
      await check(op, fn, [a, b], (out) => {
        const s = ad.add(absT(a), absT(b)).data;
        return each(out.length, (k) => U * s[k] + U * Math.abs(out[k]));
      }, (i, ref, g) => {
        const x = i === 0 ? a : b;
        const m = reducedMagnitude(ad.add, a, b, g, i);
        return each(ref.length, (k) => count(x) === 1 ? U * m[k] : reduceRel(count(x)) * m[k]);
      });
    }
    // mul: inputs 2u, product u: 3u|out|. Cotangent terms g·b carry 3u (g, b uploads; product).
    await check("mul", ad.mul, [a, b], (out) => each(out.length, (k) => 3 * U * Math.abs(out[k])), (i, ref, g) => {
      const x = i === 0 ? a : b;
      const m = reducedMagnitude(ad.mul, a, b, g, i);
      return each(ref.length, (k) => (3 * U + (count(x) === 1 ? 0 : reduceRel(count(x)))) * m[k]);
    });
    // div: inputs 2u, division 5u: 7u|out|. da terms g/b: 7u. db terms −g·(a/b)/b: g (u), a/b (7u), product (u),
    // b (u), division (5u): 15u.
    await check("div", ad.div, [a, b], (out) => each(out.length, (k) => 7 * U * Math.abs(out[k])), (i, ref, g) => {
      const x = i === 0 ? a : b;
      const m = reducedMagnitude(ad.div, a, b, g, i);
      const rel = i === 0 ? 7 * U : 15 * U;
      return each(ref.length, (k) => (rel + (count(x) === 1 ? 0 : reduceRel(count(x)))) * m[k]);
    });
  });
}

gpuTest("binary ops with a plain number operand (a scalar constant on the device)", async () => {
  const a = rand([5, 61], 2);
  await check("x·3 − 1 / x", (x) => ad.sub(ad.mul(x, 3), ad.div(1, x)), [a], (out) => {
    // mul 3u|3a|, div 7u|1/a|, the difference u|out| and the operands' errors
    return each(
      out.length,
      (k) => 3 * U * Math.abs(3 * a.data[k]) + 7 * U / Math.abs(a.data[k]) + U * Math.abs(out[k]),
    );
  }, (_i, ref, g) =>
    // 3g (3u) and g/a² = −(−g·(1/a))/a (15u), then their sum u
    each(ref.length, (k) => {
      const x = a.data[k], gk = g.data[k];
      return 3 * U * Math.abs(3 * gk) + 15 * U * Math.abs(gk / (x * x)) + U * Math.abs(ref[k]);
    }));
});

// ---- unary ops ----------------------------------------------------------------------------------

interface UnaryCase {
  readonly name: string;
  readonly f: (x: Tensor) => Tensor;
  readonly input: (shape: number[]) => Tensor;
  /** Forward bound from x and the f64 output y. */
  readonly fwd: (x: number, y: number) => number;
  /** VJP bound from x, y, the cotangent g, the f64 input cotangent z and the forward bound ey. */
  readonly vjp: (x: number, y: number, g: number, z: number, ey: number) => number;
}

const log1pOwn = (x: number, y: number) =>
  Math.abs(x) < 0.5 ? 10 * U * Math.abs(y) : U + 2 ** -21 + 6 * U * Math.abs(y);

const UNARY: UnaryCase[] = [
  // exact after the upload
  { name: "neg", f: ad.neg, input: (s) => rand(s), fwd: (x) => U * Math.abs(x), vjp: (_x, _y, g) => U * Math.abs(g) },
  // e^{x(1+δ)}: u|x| relative, exp (6 + 4|x|)u. VJP g·y: g (u), y (its bound), product (u)
  {
    name: "exp",
    f: ad.exp,
    input: (s) => rand(s, 2),
    fwd: (x, y) => y * (U * Math.abs(x) + (6 + 4 * Math.abs(x)) * U),
    vjp: (_x, y, g, z, ey) => Math.abs(g) * ey + 2 * U * Math.abs(z) + 0 * y,
  },
  // log: the upload moves log x by u; log itself 2⁻²¹ + 6u|y|. VJP g/x: 2u + 5u
  {
    name: "log",
    f: ad.log,
    input: (s) => rand(s, 1, (v) => 0.05 + Math.abs(v) * 3),
    fwd: (_x, y) => U + 2 ** -21 + 6 * U * Math.abs(y),
    vjp: (_x, _y, _g, z) => 7 * U * Math.abs(z),
  },
  // log1p: upload u|x|/(1 + x), own error (pointwise_test). VJP g/(1 + x): u + u|x|/(1 + x) + u + 5u
  {
    name: "log1p",
    f: ad.log1p,
    input: (s) => rand(s, 1, (v) => (v > 0 ? 3 * v : -0.9 / (1 + Math.abs(v)))),
    fwd: (x, y) => U * Math.abs(x) / (1 + x) + log1pOwn(x, y),
    vjp: (x, _y, _g, z) => (7 + Math.abs(x) / (1 + x)) * U * Math.abs(z),
  },
  // sqrt: upload u/2 relative, sqrt 9u. VJP 0.5·g/y: g (u), y (9.5u), 0.5·g (u), division 5u
  {
    name: "sqrt",
    f: ad.sqrt,
    input: (s) => rand(s, 1, (v) => 0.01 + v * v),
    fwd: (_x, y) => 9.5 * U * y,
    vjp: (_x, _y, _g, z) => 16.5 * U * Math.abs(z),
  },
  // abs: exact after the upload; VJP ±g exact after the upload
  {
    name: "abs",
    f: ad.abs,
    input: (s) => rand(s, 1, awayFrom(0)),
    fwd: (x) => U * Math.abs(x),
    vjp: (_x, _y, g) => U * Math.abs(g),
  },
  // square: 2u + u. VJP g·(2x): 3u
  {
    name: "square",
    f: ad.square,
    input: (s) => rand(s, 2),
    fwd: (_x, y) => 3 * U * y,
    vjp: (_x, _y, _g, z) => 3 * U * Math.abs(z),
  },
  // clamp (1-Lipschitz, bounds f32-exact): u|x|; VJP g or 0: u|g|
  {
    name: "clamp(−0.5, 0.75)",
    f: (x) => ad.clamp(x, -0.5, 0.75),
    input: (s) => rand(s, 1, awayFrom(-0.5, 0.75)),
    fwd: (x) => U * Math.abs(x),
    vjp: (_x, _y, g) => U * Math.abs(g),
  },
  {
    name: "relu",
    f: ad.relu,
    input: (s) => rand(s, 1, awayFrom(0)),
    fwd: (x) => U * Math.abs(x),
    vjp: (_x, _y, g) => U * Math.abs(g),
  },
  // leakyRelu 0.1: upload, slope rounding, product: 3u|y|; VJP 3u|z|
  {
    name: "leakyRelu(0.1)",
    f: (x) => ad.leakyRelu(x, 0.1),
    input: (s) => rand(s, 1, awayFrom(0)),
    fwd: (_x, y) => 3 * U * Math.abs(y),
    vjp: (_x, _y, _g, z) => 3 * U * Math.abs(z),
  },
  // sigmoid (lib/gpu map bound with δ = u|x|): σ(1 − σ)(δ + (6 + 4|x|)u) + 7uσ. VJP g·y(1 − y) from y with
  // error ey: |g|·ey + g, products and 1 − y: 4u|z|
  {
    name: "sigmoid",
    f: ad.sigmoid,
    input: (s) => rand(s, 3),
    fwd: (x, y) => y * (1 - y) * (U * Math.abs(x) + (6 + 4 * Math.abs(x)) * U) + 7 * U * y,
    vjp: (_x, _y, g, z, ey) => Math.abs(g) * ey + 4 * U * Math.abs(z),
  },
  // tanh (lib/gpu map bound): (1 − y²)u|x| + (24 + 16 min(|x|, 10))u. VJP g(1 − y²):
  // |g|(2|y|ey + u y² + u|1 − y²|) + 2u|z|
  {
    name: "tanh",
    f: ad.tanh,
    input: (s) => rand(s, 2),
    fwd: (x, y) => (1 - y * y) * U * Math.abs(x) + (24 + 16 * Math.min(Math.abs(x), 10)) * U,
    vjp: (_x, y, g, z, ey) =>
      Math.abs(g) * (2 * Math.abs(y) * ey + U * y * y + U * Math.abs(1 - y * y)) + 2 * U * Math.abs(z),
  },
  // softplus: upload u|x|·σ(x); e = e^{−|x|} carries (6 + 5|x|)u; log1p's own error; the sum u|y|.
  // VJP g·σ(x): σ within (13 + 5|x|)u relative (upload included), g and the product 2u
  {
    name: "softplus",
    f: ad.softplus,
    input: (s) => rand(s, 4),
    fwd: (x, y) => {
      const e = Math.exp(-Math.abs(x)), l = Math.log1p(e);
      return U * Math.abs(x) + e * (6 + 5 * Math.abs(x)) * U + log1pOwn(e, l) + U * Math.abs(y);
    },
    vjp: (x, _y, _g, z) => (15 + 5 * Math.abs(x)) * U * Math.abs(z),
  },
];

for (const c of UNARY) {
  gpuTest(`${c.name}: forward and cotangent within the f32 bound ([300] and [3, 4, 5])`, async () => {
    for (const shape of [[300], [3, 4, 5]]) {
      const x = c.input(shape);
      await check(
        `${c.name} [${shape}]`,
        c.f,
        [x],
        (out) => each(out.length, (k) => c.fwd(x.data[k], out[k])),
        (_i, ref, g, out) =>
          each(ref.length, (k) => c.vjp(x.data[k], out[k], g.data[k], ref[k], c.fwd(x.data[k], out[k]))),
      );
    }
  });
}

// ---- products -----------------------------------------------------------------------------------

gpuTest(
  "matmul (rank 2, and rank 3 folded into rows): forward (k+4)u|A||B|, cotangents (n+4)u|G||B|ᵀ, (rows+4)u|A|ᵀ|G|",
  async () => {
    for (const [sa, sb] of [[[17, 33], [33, 9]], [[2, 5, 7], [7, 3]], [[1, 1], [1, 1]]] as [number[], number[]][]) {
      const a = rand(sa), b = rand(sb);
      const k = sa[sa.length - 1], n = sb[1], rows = a.size / k;
      await check(
        `matmul [${sa}]·[${sb}]`,
        ad.matmul,
        [a, b],
        () => ad.matmul(absT(a), absT(b)).data.map((v) => (k + 4) * U * v),
        (i, _ref, g) => {
          const m = ad.vjp(ad.matmul, absT(a), absT(b)).vjp(absT(g))[i].data;
          return m.map((v) => (i === 0 ? n + 4 : rows + 4) * U * v);
        },
      );
    }
  },
);

gpuTest("linear x·W + b: forward (k+4)u|x||W| + u|b| + u|out|; cotangents as matmul, bias a column sum", async () => {
  const x = rand([70, 64]), w = rand([64, 10], 0.2), b = rand([10]);
  await check("linear", ad.linear, [x, w, b], (out) => {
    const m = ad.matmul(absT(x), absT(w)).data;
    return each(out.length, (q) => 68 * U * m[q] + U * Math.abs(b.data[q % 10]) + U * Math.abs(out[q]));
  }, (i, ref, g) => {
    if (i === 2) {
      const s = ad.sum(absT(g), 0).data;
      return each(ref.length, (q) => reduceRel(70) * s[q]);
    }
    const m = ad.vjp(ad.matmul, absT(x), absT(w)).vjp(absT(g))[i].data;
    return m.map((v) => (i === 0 ? 14 : 74) * U * v);
  });
});

gpuTest("pairwiseSqDist (x, y) and (x, x): forward and cotangents within the f32 bound", async () => {
  // Forward (lib/gpu's bound): 2u·Σ_k|x−y|(|x|+|y|) + (d + 2)u·D. Cotangent of x:
  // −2G·Y ((m + 4)u·2|G||Y|) + 2x ⊙ rowsum(G) (|2x|·reduceRel(m)Σ|g| + 3u|2x·s|) + the sum (u|r|);
  // y symmetric with Gᵀ; with y = x both are added (one more u).
  const x = rand([20, 5]), y = rand([30, 5]);
  const sqTol = (X: Tensor, Y: Tensor, D: Float64Array) => {
    const [n, d] = X.shape, m = Y.shape[0];
    return each(n * m, (q) => {
      const i = Math.floor(q / m), j = q % m;
      let s = 0;
      for (let k = 0; k < d; k++) {
        const a = X.data[i * d + k], b = Y.data[j * d + k];
        s += Math.abs(a - b) * (Math.abs(a) + Math.abs(b));
      }
      return 2 * U * s + (d + 2) * U * D[q];
    });
  };
  const side = (P: Tensor, Q: Tensor, g: Tensor, rowsOfP: boolean, ref: Float64Array) => {
    const G = rowsOfP ? absT(g) : absT(ad.transpose(g));
    const GQ = ad.matmul(G, absT(Q)).data, s = ad.sum(G, 1).data, sg = ad.sum(rowsOfP ? g : ad.transpose(g), 1).data;
    const cnt = G.shape[1], d = P.shape[1];
    return each(P.size, (q) => {
      const i = Math.floor(q / d), p = P.data[q];
      return 2 * (cnt + 4) * U * GQ[q] + 2 * Math.abs(p) * reduceRel(cnt) * s[i] + 3 * U * Math.abs(2 * p * sg[i]) +
        U * Math.abs(ref[q]);
    });
  };
  await check(
    "pairwiseSqDist(x, y)",
    ad.pairwiseSqDist,
    [x, y],
    (D) => sqTol(x, y, D),
    (i, ref, g) => i === 0 ? side(x, y, g, true, ref) : side(y, x, g, false, ref),
  );
  await check("pairwiseSqDist(x)", (a) => ad.pairwiseSqDist(a), [x], (D) => sqTol(x, x, D), (_i, ref, g) => {
    const a = side(x, x, g, true, ref), b = side(x, x, g, false, ref);
    return each(ref.length, (q) => a[q] + b[q] + U * Math.abs(ref[q]));
  });
});

// ---- reductions ---------------------------------------------------------------------------------

/** For each output entry of a reduction over `axes`, the flat indices of its input line. */
function reductionLines(shape: number[], axes: number[]): number[][] {
  const n = shape.reduce((a, b) => a * b, 1);
  const keep = shape.map((_, d) => !axes.includes(d));
  const map = new Map<number, number[]>();
  for (let q = 0; q < n; q++) {
    let rem = q, key = 0, mult = 1;
    for (let d = shape.length - 1; d >= 0; d--) {
      const id = rem % shape[d];
      rem = Math.floor(rem / shape[d]);
      if (keep[d]) key += id * mult, mult *= shape[d];
    }
    if (!map.has(key)) map.set(key, []);
    map.get(key)!.push(q);
  }
  return [...map.keys()].sort((a, b) => a - b).map((k) => map.get(k)!);
}

/** Sequential steps of the lib/gpu reduction that handles lines of `len` (rows or columns). */
function seqOf(len: number, along: "rows" | "cols"): number {
  if (along === "rows") {
    const wg = rowWorkgroupSize(len);
    return Math.ceil(len / wg) + Math.log2(wg);
  }
  const { chunks, rowsPerChunk } = colChunks(len);
  return rowsPerChunk + chunks;
}

const REDUCTIONS: [number[], number[] | undefined, "rows" | "cols"][] = [
  [[6, 50], [1], "rows"],
  [[60, 7], [0], "cols"],
  [[3, 4, 5], [1, 2], "rows"],
  [[2, 300], undefined, "rows"],
  [[1000], [0], "rows"],
];

for (const [shape, axes, along] of REDUCTIONS) {
  gpuTest(`sum, mean, logsumexp of [${shape}] over ${axes ? `[${axes}]` : "all axes"} (${along})`, async () => {
    const x = rand(shape, 2);
    const ax = axes ?? shape.map((_, d) => d);
    const lines = reductionLines(shape, ax);
    const len = lines[0].length;
    // sum: reduceRel(len)·Σ|x|; mean: + u|out| (1/len rounds). VJP: g copied (u), mean also scaled (2u more).
    for (const mean of [false, true]) {
      const f = (t: Tensor) => (mean ? ad.mean(t, axes, true) : ad.sum(t, axes));
      await check(
        mean ? "mean (keepdims)" : "sum",
        f,
        [x],
        (out) =>
          each(out.length, (q) =>
            reduceRel(len) * absSum(lines[q].map((i) => x.data[i])) / (mean ? len : 1) +
            (mean ? U * Math.abs(out[q]) : 0)),
        (_i, ref) => ref.map((v) => (mean ? 3 : 1) * U * Math.abs(v)),
      );
    }
    // logsumexp: lib/gpu's lseTol per line; VJP g·exp(x − lse): the argument carries u|x| + e_lse + u|x − lse|,
    // exp (6 + 4|t|)u, then g and the product 2u|z|.
    const lseErr = (out: Float64Array) =>
      lines.map((ln) =>
        lseTol(ln.map((i) => x.data[i]), ln.map((i) => Math.abs(x.data[i])), seqOf(len, along)) / 1.01 + 0 * out.length
      );
    await check("logsumexp", (t) => ad.logsumexp(t, axes), [x], (out) => lseErr(out), (_i, ref, g, out) => {
      const e = lseErr(out);
      const tol = new Float64Array(ref.length);
      lines.forEach((ln, q) => {
        for (const i of ln) {
          const t = x.data[i] - out[q], p = Math.exp(t);
          tol[i] =
            Math.abs(g.data[q]) * p * (U * Math.abs(x.data[i]) + e[q] + U * Math.abs(t) + (6 + 4 * Math.abs(t)) * U) +
            2 * U * Math.abs(ref[i]);
        }
      });
      return tol;
    });
  });
}

for (
  const [shape, axis, along] of [[[9, 40], -1, "rows"], [[40, 9], 0, "cols"], [[3, 2, 70], 2, "rows"]] as [
    number[],
    number,
    "rows" | "cols",
  ][]
) {
  gpuTest(`softmax and logSoftmax of [${shape}] along axis ${axis} (${along})`, async () => {
    const x = rand(shape, 3);
    const ax = axis < 0 ? axis + shape.length : axis;
    const lines = reductionLines(shape, [ax]);
    const len = shape[ax], seq = seqOf(len, along);
    // per line: m, S, E₁ as in tests/kernels/core/softmax_test.ts (δ = 4u·max|x| there; here the upload is u|x|,
    // bounded the same way), and the lse bound for logSoftmax
    const stats = lines.map((ln) => {
      const v = ln.map((i) => x.data[i]), m = Math.max(...v), lo = Math.min(...v);
      let S = 0, e1 = 0;
      for (const a of v) S += Math.exp(a - m), e1 += Math.exp(a - m) * (6 + 5 * Math.abs(a - m));
      const delta = 4 * U * Math.max(...v.map(Math.abs));
      return {
        m,
        delta,
        relS: U * (e1 / S) + U * (7 * seq + 10 * (m - lo)),
        S,
        lse: lseTol(v, v.map(Math.abs), seq) / 1.01,
      };
    });
    const lineOf = new Int32Array(x.size);
    lines.forEach((ln, q) => ln.forEach((i) => (lineOf[i] = q)));
    const eY = (i: number, y: number) => {
      const s = stats[lineOf[i]], t = x.data[i] - s.m;
      return y * (4 * s.delta + (7 + 5 * Math.abs(t)) * U + s.relS) + 2 ** -126;
    };
    // softmax VJP y ⊙ (g − Σ g⊙y): t = g·y (|g|ey + 2u|gy|), s = Σ t (Σ e_t + reduceRel Σ|gy|),
    // w = g − s (u|g| + e_s + u|w|), r = w·y (|w|ey + y·e_w + u|r|)
    await check(
      "softmax",
      (t) => ad.softmax(t, axis),
      [x],
      (y) => each(y.length, (i) => eY(i, y[i])),
      (_i, ref, g, y) => {
        const es = lines.map((ln) =>
          ln.reduce((a, i) => a + Math.abs(g.data[i]) * eY(i, y[i]) + 2 * U * Math.abs(g.data[i] * y[i]), 0) +
          reduceRel(len) * ln.reduce((a, i) => a + Math.abs(g.data[i] * y[i]), 0)
        );
        const ss = lines.map((ln) => ln.reduce((a, i) => a + g.data[i] * y[i], 0));
        return each(ref.length, (i) => {
          const q = lineOf[i], w = g.data[i] - ss[q];
          const ew = U * Math.abs(g.data[i]) + es[q] + U * Math.abs(w);
          return Math.abs(w) * eY(i, y[i]) + y[i] * ew + U * Math.abs(ref[i]);
        });
      },
    );
    // logSoftmax y = x − lse: u|x| + e_lse + u|y|. VJP g − exp(y)·Σg: s (reduceRel Σ|g|), p = e^y (p(e_y + (6 + 4|y|)u)),
    // t = p·s (|s|e_p + p·e_s + u|t|), r = g − t (u|g| + e_t + u|r|)
    const eL = (i: number, y: number) => U * Math.abs(x.data[i]) + stats[lineOf[i]].lse + U * Math.abs(y);
    await check(
      "logSoftmax",
      (t) => ad.logSoftmax(t, axis),
      [x],
      (y) => each(y.length, (i) => eL(i, y[i])),
      (_i, ref, g, y) => {
        const sg = lines.map((ln) => ln.reduce((a, i) => a + g.data[i], 0));
        const es = lines.map((ln) => reduceRel(len) * ln.reduce((a, i) => a + Math.abs(g.data[i]), 0));
        return each(ref.length, (i) => {
          const q = lineOf[i], p = Math.exp(y[i]);
          const ep = p * (eL(i, y[i]) + (6 + 4 * Math.abs(y[i])) * U);
          const t = p * sg[q], et = Math.abs(sg[q]) * ep + p * es[q] + U * Math.abs(t);
          return U * Math.abs(g.data[i]) + et + U * Math.abs(ref[i]);
        });
      },
    );
  });
}

// ---- losses -------------------------------------------------------------------------------------

for (const reduction of ["mean", "sum", "none"] as const) {
  gpuTest(`crossEntropy with labels (reduction ${reduction}), [64, 10] and [10]`, async () => {
    for (const shape of [[64, 10], [10]]) {
      const z = rand(shape, 3);
      const C = 10, N = z.size / C;
      const labels = Array.from({ length: N }, (_, i) => (i * 7 + 3) % C);
      const f = (t: Tensor) => ad.crossEntropy(t, labels, { reduction });
      const lse = Array.from({ length: N }, (_, i) => {
        const v = Array.from(z.data.subarray(i * C, (i + 1) * C));
        return { v, e: lseTol(v, v.map(Math.abs), seqOf(C, "rows")) / 1.01, val: ad.logsumexp(ad.tensor(v)).item() };
      });
      // ℓ_i = lse_i − z_{i,y}: e_lse + u|z_y| + u|ℓ_i|; mean/sum: Σe_ℓ/N + reduceRel(N)Σ|ℓ|/N (+ u|out|)
      const el = lse.map((L, i) => {
        const l = L.val - L.v[labels[i]];
        return L.e + U * Math.abs(L.v[labels[i]]) + U * Math.abs(l);
      });
      const alpha = reduction === "mean" ? 1 / N : 1;
      await check(`crossEntropy [${shape}] ${reduction}`, f, [z], (out) => {
        if (reduction === "none") return el;
        const sumAbs = lse.reduce((a, L, i) => a + Math.abs(L.val - L.v[labels[i]]), 0);
        return [alpha * (el.reduce((a, b) => a + b, 0) + reduceRel(N) * sumAbs) + U * Math.abs(out[0])];
      }, (_i, ref, g) =>
        // dz = s·(p − [c = y]), s = α·g: the argument z − lse carries u|z| + e_lse + u|t|, p that times p plus
        // (6 + 4|t|)u; p − 1 rounds; s and the product 4u|dz|
        each(ref.length, (q) => {
          const i = Math.floor(q / C), c = q % C, t = z.data[q] - lse[i].val, p = Math.exp(t);
          const s = alpha * (reduction === "none" ? g.data[i] : g.data[0]);
          const ep = p * (U * Math.abs(z.data[q]) + lse[i].e + U * Math.abs(t) + (6 + 4 * Math.abs(t)) * U);
          return Math.abs(s) * (ep + U * Math.abs(c === labels[i] ? p - 1 : p)) + 4 * U * Math.abs(ref[q]);
        }));
    }
  });
}

gpuTest("mseLoss (mean, sum, none): forward and both cotangents within the f32 bound", async () => {
  const p = rand([30, 4]), t = rand([30, 4]);
  const n = p.size;
  const ed = (k: number) => U * (Math.abs(p.data[k]) + Math.abs(t.data[k])) + U * Math.abs(p.data[k] - t.data[k]);
  for (const reduction of ["mean", "sum", "none"] as const) {
    const alpha = reduction === "mean" ? 1 / n : 1;
    // d = p − t (e_d), d² (2|d|e_d + u d²), then the reduction (reduceRel·Σd²) scaled by α (+ u|out|)
    const esq = (k: number) => {
      const d = p.data[k] - t.data[k];
      return 2 * Math.abs(d) * ed(k) + U * d * d;
    };
    await check(`mseLoss ${reduction}`, (a, b) => ad.mseLoss(a, b, { reduction }), [p, t], (out) => {
      if (reduction === "none") return each(n, esq);
      let s = 0, e = 0;
      for (let k = 0; k < n; k++) s += (p.data[k] - t.data[k]) ** 2, e += esq(k);
      return [alpha * (e + reduceRel(n) * s) + U * Math.abs(out[0])];
    }, (_i, ref, g) =>
      // ∂p = 2α·d·g: 2α (u), the product with d (u), g (u), the product (u): 2α|g|e_d + 4u|z|; ∂t = −∂p exactly
      each(n, (k) => 2 * alpha * Math.abs(g.data[reduction === "none" ? k : 0]) * ed(k) + 4 * U * Math.abs(ref[k])));
  }
});

// ---- shapes and composition ---------------------------------------------------------------------

gpuTest(
  "reshape, broadcastTo, detach on the device; a composed function (softplus of an affine map, mean)",
  async () => {
    const x = rand([6, 10]);
    await check(
      "reshape",
      (a) => ad.reshape(a, [3, -1]),
      [x],
      (out) => out.map((v) => U * Math.abs(v)),
      (_i, ref) => ref.map((v) => U * Math.abs(v)),
    );
    const b = rand([10]);
    await check(
      "broadcastTo [10] → [4, 10]",
      (a) => ad.broadcastTo(a, [4, 10]),
      [b],
      (out) => out.map((v) => U * Math.abs(v)),
      (_i, _ref, g) => {
        const s = ad.sum(absT(g), 0).data;
        return s.map((v) => reduceRel(4) * v);
      },
    );
    await check(
      "x·detach(x)",
      (a) => ad.mul(a, ad.detach(a)),
      [x],
      (out) => out.map((v) => 3 * U * Math.abs(v)),
      (_i, ref) => ref.map((v) => 3 * U * Math.abs(v)),
    );
    // mean(softplus(x·W + b)): the linear bound feeds softplus (σ ≤ 1, so its input error passes through) whose
    // own error is added, then the mean; the cotangent runs back through σ (15 + 5|h|)u and the products.
    const w = rand([10, 3], 0.3), c = rand([3]);
    const f = (X: Tensor, W: Tensor, B: Tensor) => ad.mean(ad.softplus(ad.linear(X, W, B)));
    const h = ad.linear(x, w, c).data;
    const eh = ad.matmul(absT(x), absT(w)).data.map((v, q) =>
      14 * U * v + U * Math.abs(c.data[q % 3]) + U * Math.abs(h[q])
    );
    await check("mean(softplus(linear))", f, [x, w, c], (out) => {
      let e = 0, s = 0;
      for (let q = 0; q < h.length; q++) {
        const ex = Math.exp(-Math.abs(h[q])), sp = Math.max(h[q], 0) + Math.log1p(ex);
        e += eh[q] + U * Math.abs(h[q]) + ex * (6 + 5 * Math.abs(h[q])) * U + log1pOwn(ex, Math.log1p(ex)) + U * sp;
        s += sp;
      }
      return [(e + reduceRel(h.length) * s) / h.length + U * Math.abs(out[0])];
    }, (i, ref, g) => {
      // the cotangent of h: g/n·σ(h) with error (g/n)(σ(1 − σ)e_h + (15 + 5|h|)uσ) + 3u (g/n, the copy);
      // then as linear with |G| → |G| + bound
      const n = h.length, gh = h.map((v) => g.data[0] / n / (1 + Math.exp(-v)));
      const egh = h.map((v, q) => {
        const s = 1 / (1 + Math.exp(-v));
        return Math.abs(g.data[0] / n) * (s * (1 - s) * eh[q] + (15 + 5 * Math.abs(v)) * U * s) +
          3 * U * Math.abs(gh[q]);
      });
      const G = ad.tensor(gh.map(Math.abs), [6, 3]), E = ad.tensor(egh, [6, 3]);
      if (i === 2) return ad.add(ad.sum(E, 0), ad.mul(ad.sum(G, 0), reduceRel(6))).data;
      const m = ad.vjp(ad.matmul, absT(x), absT(w)).vjp(G)[i].data,
        me = ad.vjp(ad.matmul, absT(x), absT(w)).vjp(E)[i].data;
      return each(ref.length, (q) => me[q] + (i === 0 ? 7 : 10) * U * m[q] + U * Math.abs(ref[q]));
    });
  },
);

gpuTest(
  "ops without a GPU path throw DeviceUnsupportedError inside a trace (the step then runs on the CPU)",
  async () => {
    const dev = await gpu.device();
    const cases: [string, (x: Tensor) => Tensor][] = [
      ["gelu", (x) => ad.gelu(x)],
      ["transpose", (x) => ad.transpose(x)],
      ["max", (x) => ad.max(x, 1)],
      ["batched matmul", (x) => ad.matmul(ad.reshape(x, [2, 3, 4]), ad.reshape(x, [2, 4, 3]))],
      ["broadcast of a non-contiguous block", (x) => ad.add(ad.reshape(x, [2, 3, 4]), ad.zeros([2, 1, 4]))],
      ["a sum over a middle axis", (x) => ad.sum(ad.reshape(x, [2, 3, 4]), 1)],
      ["reading .data", (x) => ad.tensor(ad.exp(x).data)],
    ];
    for (const [name, f] of cases) {
      const s = new DeviceSession(dev);
      const x = s.bind(rand([4, 6]));
      assert.throws(() => s.trace(() => f(x)), DeviceUnsupportedError, name);
      await s.batch!.run();
      s.release();
    }
  },
);
