/**
 * Parity of `pointwiseForward` / `pointwiseVjp` (kernels/autodiff/pointwise.ts) with their f64
 * twins on f32 inputs (so only the kernel's arithmetic is measured).
 *
 * WGSL accuracy used (one ULP ≤ 2u, u = 2⁻²⁴): exp 3 + 2|t| ULP, so (6 + 4|t|)u relative;
 * log 2⁻²¹ absolute on [0.5, 2], 3 ULP (6u) elsewhere; division 2.5 ULP (5u).
 *
 * Forward, y = f(x):
 * - leakyRelu (a = 0.25, f32-exact): x or one product: u|y|. clamp: exact.
 * - log1p, |x| < 0.5: s = x/(2 + x) carries 6u (sum, division); s² 13u but it only enters
 *   p = 1 + s²/3 + … ≤ 1.014 scaled by s² ≤ 0.04; Horner's last step p·s² + 1 rounds twice
 *   (2u), the earlier ones are damped by s²; 2·s·p one more u: 10u|y| (truncation after s¹³:
 *   0.2¹⁴/15 ≈ 1e-11 relative, below u). |x| ≥ 0.5: 1 + x rounds (u absolute after log), then
 *   log: u + 2⁻²¹ + 6u|y|.
 * - softplus = max(x, 0) + log1p(e), e = e^{−|x|} with (6 + 4|x|)u relative: the log1p of e
 *   moves by ≤ e·(6 + 4|x|)u; its own error as above (e < 0.5: 10u·log1p(e); else u + 2⁻²¹
 *   + 6u·log1p(e)); the final sum u|y|.
 * VJP, z = g·f′:
 * - leakyRelu/relu: g or a·g: u|z|. clamp: g or 0, exact. abs: ±g, exact.
 * - sigmoid (t = y): g·t·(1 − t): 1 − t rounds (u), two products: 3u|z|.
 * - tanh (t = y): t² rounds u·t², 1 − t² another u|1 − t²|, times g: u|g|(t² + |1 − t²|) + u|z|.
 * - softplus: g·σ(t); σ from e = e^{−|t|} ((6 + 4|t|)u), 1 + e (u), a division (5u): σ within
 *   ((6 + 4|t|) + 6)u relative (for t < 0 one more u from e/(1 + e)): |z|(13 + 4|t|)u + u|z|.
 * - log1p: g/(1 + t): 1 + t rounds (u), division 5u: 6u|z|.
 * The factor 1.01 covers second order; 2⁻¹²⁶ absolute covers subnormal flushes.
 */
import { assert } from "../../_helpers.ts";
import {
  POINTWISE_FORWARD_OPS,
  POINTWISE_VJP_OPS,
  pointwiseForwardKernel,
  pointwiseVjpKernel,
} from "../../../kernels/autodiff/pointwise.ts";
import { pointwiseForward, pointwiseVjp } from "../../../lib/autodiff/_gpu_twins.ts";
import { Rng } from "../../../lib/core/rng.ts";
import { assertWithin, gpuTest, U } from "../../gpu/_gpu.ts";
import { f32, runKernel } from "./_run.ts";

const A = 0.25, LO = -0.5, HI = 0.75;

function log1pOwn(x: number, y: number): number {
  return Math.abs(x) < 0.5 ? 10 * U * Math.abs(y) : U + 2 ** -21 + 6 * U * Math.abs(y);
}

function forwardTol(op: string, x: number, y: number): number {
  switch (op) {
    case "leakyRelu":
      return U * Math.abs(y);
    case "clamp":
      return 0;
    case "log1p":
      return log1pOwn(x, y);
    default: { // softplus
      const e = Math.exp(-Math.abs(x)), l = Math.log1p(e);
      return e * (6 + 4 * Math.abs(x)) * U + log1pOwn(e, l) + U * Math.abs(y);
    }
  }
}

function vjpTol(op: string, g: number, t: number, z: number): number {
  const az = Math.abs(z);
  switch (op) {
    case "leakyRelu":
      return U * az;
    case "clamp":
    case "abs":
      return 0;
    case "sigmoid":
      return 3 * U * az;
    case "tanh":
      return U * Math.abs(g) * (t * t + Math.abs(1 - t * t)) + U * az;
    case "softplus":
      return (14 + 4 * Math.abs(t)) * U * az;
    default: // log1p
      return 6 * U * az;
  }
}

/** Inputs per op: a wide range, the series/log switch of log1p, values away from clamp's bounds. */
function inputs(op: string, r: Rng, n: number): Float64Array {
  const x = r.normalArray(n, 0, 4);
  if (op === "log1p") { for (let i = 0; i < n; i++) x[i] = i % 2 ? Math.abs(x[i]) * 3 : -0.99 + 1.49 * r.uniform(); }
  if (op === "clamp") {
    for (let i = 0; i < n; i++) if (Math.abs(x[i] - LO) < 1e-3 || Math.abs(x[i] - HI) < 1e-3) x[i] += 0.01;
  }
  if (op === "sigmoid") { for (let i = 0; i < n; i++) x[i] = 1 / (1 + Math.exp(-x[i])); // t = σ(x)
   }
  if (op === "tanh") { for (let i = 0; i < n; i++) x[i] = Math.tanh(x[i]); }
  return f32(x);
}

gpuTest(
  "pointwiseForward: leakyRelu, softplus, log1p, clamp within their derived bounds (sizes 1, 257, 5000)",
  async () => {
    const r = new Rng(1201);
    for (const n of [1, 257, 5000]) {
      for (const op of POINTWISE_FORWARD_OPS) {
        const x = inputs(op, r, n);
        const a = op === "clamp" ? LO : A, b = op === "clamp" ? HI : 0;
        const [, y] = await runKernel(
          pointwiseForwardKernel(op),
          [{ f32: x }, { out: n }],
          { n, a, b },
          Math.ceil(n / 256),
        );
        const ref = pointwiseForward(op, x, a, b);
        assertWithin(y, ref, (i) => 1.01 * forwardTol(op, x[i], ref[i]) + 2 ** -126, `${op} n=${n}`);
      }
    }
  },
);

gpuTest("log1p: relative accuracy ~u near 0, where log(1 + x) in f32 would lose every digit", async () => {
  const x = f32([1e-10, -3e-8, 1e-5, 0.3, -0.4]);
  const [, y] = await runKernel(pointwiseForwardKernel("log1p"), [{ f32: x }, { out: 5 }], { n: 5, a: 0, b: 0 }, 1);
  for (let i = 0; i < 5; i++) {
    const ref = Math.log1p(x[i]);
    assert.ok(Math.abs(y[i] - ref) <= 10.1 * U * Math.abs(ref), `log1p(${x[i]}) = ${y[i]}, f64 ${ref}`);
  }
});

gpuTest(
  "pointwiseVjp: every op's g·f′ within its derived bound (sizes 1, 257, 5000)",
  async () => {
    const r = new Rng(1202);
    for (const n of [1, 257, 5000]) {
      for (const op of POINTWISE_VJP_OPS) {
        const t = inputs(op, r, n), g = f32(r.normalArray(n, 0, 2));
        const a = op === "clamp" ? LO : op === "leakyRelu" ? A : 0, b = op === "clamp" ? HI : 0;
        const [, , z] = await runKernel(
          pointwiseVjpKernel(op),
          [{ f32: g }, { f32: t }, { out: n }],
          { n, a, b },
          Math.ceil(n / 256),
        );
        const ref = pointwiseVjp(op, g, t, a, b);
        assertWithin(z, ref, (i) => 1.01 * vjpTol(op, g[i], t[i], ref[i]) + 2 ** -126, `${op} vjp n=${n}`);
      }
    }
  },
);
