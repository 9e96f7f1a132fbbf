/**
 * Parity of `elementwiseMap` / `elementwiseZip` (kernels/core/elementwise.ts) with their f64
 * twins (lib/gpu/twins.ts).
 *
 * Map, y = f(t), t = a·x + b: the f32 argument t̂ (rounding of a, x, b, the product and the
 * sum) is within δ = u·(3|a·x| + 2|b| + |t|) of t; f then adds its own WGSL accuracy. Per op
 * (ULP ≤ 2u relative; WGSL: exp 3 + 2|t| ULP, log 2⁻²¹ absolute or 3 ULP, sqrt ≤ 4.5 ULP as
 * 1/inverseSqrt, tanh via (eˣ − e⁻ˣ)/(eˣ + e⁻ˣ), division 2.5 ULP):
 *   affine/neg/abs/relu: δ + u|y|;   square: 2|t|δ + δ² + u·t²;
 *   sqrt: min(√δ, δ/√t) + 9u·√t;      exp: eᵗ·(δ + (6 + 4|t|)·u);
 *   log: δ/t + 2⁻²¹ + 6u·|log t|;    sigmoid: σ(1 − σ)·(δ + (6 + 4|t|)·u) + 7u·σ;
 *   tanh: (1 − tanh²t)·δ + (24 + 16|t|)·u (absolute, from the exp-based formula).
 * Zip, z = g(α·x, β·y): each operand carries 3u relative; add/sub/max/min:
 * 3u·(|αx| + |βy|) + u|z|; mul: 7u|z|; div: 11u|z|. The factor 1.01 covers second order.
 */
import { assert, assertRejectsArg } from "../../_helpers.ts";
import { elementwiseMap, elementwiseZip, gpu, MAP_OPS, type MapOp, ZIP_OPS } from "../../../lib/gpu/mod.ts";
import { Rng } from "../../../lib/core/rng.ts";
import { assertWithin, gpuTest, U } from "../../gpu/_gpu.ts";

function mapTol(op: MapOp, x: number, a: number, b: number, y: number): number {
  const t = a * x + b;
  const d = U * (3 * Math.abs(a * x) + 2 * Math.abs(b) + Math.abs(t));
  let tol: number;
  switch (op) {
    case "affine":
    case "neg":
    case "abs":
    case "relu":
      tol = d + U * Math.abs(y);
      break;
    case "square":
      tol = 2 * Math.abs(t) * d + d * d + U * t * t;
      break;
    case "sqrt":
      tol = Math.min(Math.sqrt(d), t > 0 ? d / Math.sqrt(t) : Infinity) + 9 * U * Math.sqrt(Math.max(t, 0));
      break;
    case "exp":
      tol = Math.exp(t) * (d + (6 + 4 * Math.abs(t)) * U);
      break;
    case "log":
      tol = t === 0 ? 0 : d / t + 2 ** -21 + 6 * U * Math.abs(Math.log(t));
      break;
    case "sigmoid":
      tol = y * (1 - y) * (d + (6 + 4 * Math.abs(t)) * U) + 7 * U * y;
      break;
    case "tanh":
      tol = (1 - y * y) * d + (24 + 16 * Math.min(Math.abs(t), 10)) * U;
      break;
  }
  return 1.01 * tol + 2 ** -126;
}

gpuTest(
  "elementwiseMap: every op matches its f64 twin within its WGSL accuracy bound (sizes 1, 255, 257, 70 000)",
  async () => {
    const r = new Rng(701);
    for (const n of [1, 255, 257, 70_000]) {
      for (const op of MAP_OPS) {
        const positive = op === "sqrt" || op === "log";
        const x = positive ? r.uniformArray(n, 0, 50) : r.normalArray(n, 0, 6);
        if (op === "log" && n > 1) x[0] = 0; // log(0) = −∞ exactly
        const a = positive ? 0.5 : -1.5, b = positive ? 0 : 0.25;
        const res = await gpu.elementwiseMap(x, op, { a, b, backend: "gpu" });
        assert.equal(res.backend, "gpu", `${op}: ${res.backendReason}`);
        const ref = elementwiseMap(x, op, { a, b });
        assertWithin(res.value, ref, (i) => mapTol(op, x[i], a, b, ref[i]), `${op} n=${n}`);
        if (op === "log" && n > 1) assert.equal(res.value[0], -Infinity);
      }
    }
  },
);

gpuTest(
  "elementwiseZip: every op matches its f64 twin within 3u·(|αx| + |βy|) + u|z| (add/sub/max/min), 7u|z| (mul), 11u|z| (div)",
  async () => {
    const r = new Rng(702);
    for (const n of [1, 255, 257, 70_000]) {
      for (const op of ZIP_OPS) {
        const x = r.normalArray(n, 0, 3);
        const y = op === "div" ? r.uniformArray(n, 0.5, 4) : r.normalArray(n, 0, 3);
        const alpha = 2, beta = -0.5;
        const res = await gpu.elementwiseZip(x, y, op, { alpha, beta, backend: "gpu" });
        assert.equal(res.backend, "gpu");
        const ref = elementwiseZip(x, y, op, { alpha, beta });
        assertWithin(res.value, ref, (i) => {
          const u = Math.abs(alpha * x[i]), v = Math.abs(beta * y[i]), z = Math.abs(ref[i]);
          const t = op === "mul" ? 7 * U * z : op === "div" ? 11 * U * z : 3 * U * (u + v) + U * z;
          return 1.01 * t;
        }, `${op} n=${n}`);
      }
    }
  },
);

gpuTest("elementwise: an f32 overflow (exp(100)) is recomputed on the CPU, warned once, and says why", async () => {
  const warn = console.warn;
  const seen: string[] = [];
  console.warn = (m: string) => seen.push(String(m));
  try {
    const r1 = await gpu.elementwiseMap([1, 100], "exp", { backend: "gpu" });
    const r2 = await gpu.elementwiseMap([1, 100], "exp", { backend: "gpu" });
    assert.equal(r1.backend, "cpu");
    assert.match(r1.backendReason, /f32 range/);
    assert.deepEqual([...r1.value], [Math.E, Math.exp(100)]);
    assert.equal(r2.backend, "cpu");
    assert.equal(seen.length, 1, `one warning, got ${JSON.stringify(seen)}`);
  } finally {
    console.warn = warn;
  }
});

gpuTest("elementwise ops reject bad input like their twins, on any backend (naming the argument)", async () => {
  await assertRejectsArg(() => gpu.elementwiseMap([1, NaN], "exp", { backend: "gpu" }), "x[1]", "nonFinite");
  await assertRejectsArg(() => gpu.elementwiseMap([1, -2], "sqrt", { backend: "gpu" }), "x[1]", "domain");
  await assertRejectsArg(() => gpu.elementwiseMap([1], "cube" as MapOp, { backend: "gpu" }), "op", "option");
  await assertRejectsArg(() => gpu.elementwiseMap([1], "exp", { a: Infinity, backend: "gpu" }), "params.a", "option");
  await assertRejectsArg(() => gpu.elementwiseZip([1, 2], [1], "add", { backend: "gpu" }), "y", "shape");
  await assertRejectsArg(() => gpu.elementwiseZip([1, 2], [1, 0], "div", { backend: "gpu" }), "y[1]", "domain");
  await assertRejectsArg(() => gpu.elementwiseZip([1], [1], "add", { gamma: 2 } as never), "options.gamma", "option");
});
