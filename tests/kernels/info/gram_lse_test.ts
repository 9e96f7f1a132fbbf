/**
 * Parity of the log-domain Gram-row kernels (kernels/info/gram_lse.ts) with their f64 twins
 * (`logGramRowSums`, `conditionalRowStats`), and of `csDivergenceAsync` / `csConditionalAsync` on the GPU
 * with `csDivergence` / `csConditional`, at tolerances derived from the f32 error analysis below.
 *
 * Error model (u = 2⁻²⁴, first order, every bound multiplied by 1.01 for the second-order terms):
 * - squared distance of f32-rounded inputs by direct differences: δD ≤ Σ_k (2|Δ_k|ε_k + ε_k²) + (d + 1)·u·D,
 *   ε_k = u(|a_k| + |b_k| + |Δ_k|) (input rounding of both operands, the subtraction; d + 1 roundings of
 *   the squares and the sum);
 * - exponent t = c·D: δt ≤ |c|·δD + 2u|t| (c rounded to f32, the product); a sum of two exponents adds
 *   both errors and u|t|;
 * - each exp(x) term: relative error (3 + 2|x|) ULP (WGSL's bound) ≤ (6 + 4|x|)·u, plus e^{δt} − 1;
 *   a max-shifted pass adds the rounding of t − m (u|t − m|) and its maximum may sit at another index
 *   (|x| grows by ≤ 2 max δt);
 * - Kahan row sum: ≤ 2u relative; terms that underflow (x < −87) lose ≤ 2⁻¹²⁶ each against a sum ≥ 1.
 * Hence the row's log sum errs by ≤ r/(1 − r), r = Σ_i w_i e_i / Σ_i w_i + 2u + n·2⁻¹²⁶ with w_i = e^{t_i − m}
 * and e_i the per-term error above. Log-sum-exp over rows is 1-Lipschitz in the max-norm, so the estimates
 * err by at most the sum of the worst row errors of their log terms (D_CS: ΔPp + ΔQq + 2ΔPq; conditional:
 * ΔA + ΔB + 2ΔC with each Δ = max_j (row error of the numerator + that of the denominator)).
 * On standardised data the bounds come out at 1e-6 … 1e-5 and the measured differences at 1e-9 … 1e-7;
 * the card's 1e-5 (§6, N ≤ 4096) is checked too, except for the far-apart case where the divergence is
 * ≈ 200 and the bound is relative (≈ 1e-7 of the value).
 */
import { assert, assertClose, assertRejectsArg } from "../../_helpers.ts";
import { Matrix } from "../../../lib/core/matrix.ts";
import { Rng } from "../../../lib/core/rng.ts";
import { runtime, setAdapterProvider } from "../../../lib/gpu/mod.ts";
import { COND_ROW_LSE_KERNEL, gramRowLseKernel } from "../../../kernels/info/gram_lse.ts";
import { conditionalRowStats, logGramRowSums } from "../../../lib/info/_gram.ts";
import { condTile, dispatchTiles, gramLseTile } from "../../../lib/info/_tiles.ts";
import {
  csConditional,
  csConditionalAsync,
  csDivergence,
  csDivergenceAsync,
  csQmi,
  csQmiAsync,
} from "../../../lib/info/mod.ts";
import { gpuTest, randn, restoreRuntime, runtimeTest, U } from "../../gpu/_gpu.ts";

/** Exact squared distance between row i of A and row j of B, and the f32 bound on its error. */
function sq(A: Matrix, i: number, B: Matrix, j: number): [number, number] {
  let D = 0, e = 0;
  for (let k = 0; k < A.cols; k++) {
    const a = A.get(i, k), b = B.get(j, k), dk = a - b;
    const eps = U * (Math.abs(a) + Math.abs(b) + Math.abs(dk));
    e += 2 * Math.abs(dk) * eps + eps * eps;
    D += dk * dk;
  }
  return [D, e + (A.cols + 1) * U * D];
}

/** Bound on |log Σ_i exp(t̃_i) (kernel) − log Σ_i exp(t_i)| from exponents t and their errors dt (module doc). */
function rowBound(t: Float64Array, dt: Float64Array, shifted: boolean): number {
  let m = -Infinity, dmax = 0;
  for (let i = 0; i < t.length; i++) {
    m = Math.max(m, t[i]);
    dmax = Math.max(dmax, dt[i]);
  }
  let W = 0, E = 0;
  for (let i = 0; i < t.length; i++) {
    const w = Math.exp(t[i] - m), x = Math.abs(t[i] - m) + (shifted ? 2 * dmax : 0);
    const e = dt[i] * (1 + dt[i]) + (shifted ? U * x : 0) + (6 + 4 * x) * U;
    W += w;
    E += w * e;
  }
  const r = E / W + 2 * U + t.length * 2 ** -126;
  return 1.01 * r / (1 - r);
}

/** Exponents t_j = c·‖a_i − b_j‖² of a row and their error bounds. */
function gramRow(A: Matrix, i: number, B: Matrix, c: number): { t: Float64Array; dt: Float64Array } {
  const t = new Float64Array(B.rows), dt = new Float64Array(B.rows);
  for (let j = 0; j < B.rows; j++) {
    const [D, e] = sq(A, i, B, j);
    t[j] = c * D;
    dt[j] = Math.abs(c) * e + 2 * U * Math.abs(t[j]);
  }
  return { t, dt };
}

async function gramRowsGpu(A: Matrix, B: Matrix, sigma: number, self: boolean): Promise<Float64Array> {
  const dev = await runtime.device();
  const ga = dev.upload(A), gb = self ? ga : dev.upload(B), out = dev.alloc(3 * A.rows);
  try {
    const batch = dev.batch(), params = { m: A.rows, nb: B.rows, d: A.cols, c: -1 / (2 * sigma * sigma) };
    for (const phase of self ? [1] : [0, 1]) {
      const t = dispatchTiles(
        batch,
        gramRowLseKernel(self),
        [ga, gb, out],
        { ...params, phase },
        Math.ceil(A.rows / 64),
        B.rows,
        gramLseTile(A.cols),
      );
      assert.equal(t > 1, B.rows * (A.cols + 4) > 60000, "tiling");
    }
    const [o] = await batch.run([out]);
    return Float64Array.from({ length: A.rows }, (_, i) => o[3 * i] + Math.log(o[3 * i + 1]));
  } finally {
    for (const m of new Set([ga, gb, out])) m.release();
  }
}

gpuTest(
  "gramRowLse (self and cross, max-shifted): every row's log sum within the f32 bound of logGramRowSums",
  async () => {
    const r = new Rng(91);
    for (
      const [m, n, d, sigma, shift] of [[1, 1, 1, 1, 0], [70, 65, 2, 1, 0.5], [300, 200, 3, 0.7, 3], [
        150,
        100,
        1,
        0.3,
        10,
      ]] as const
    ) {
      const A = randn(r, m, d), B = randn(r, n, d);
      for (let p = 0; p < B.data.length; p++) B.data[p] += shift;
      const c = -1 / (2 * sigma * sigma);
      for (const [self, P, Q] of [[true, A, A], [false, A, B]] as const) {
        const got = await gramRowsGpu(P, Q, sigma, self);
        const want = logGramRowSums(P, Q, sigma);
        for (let i = 0; i < P.rows; i++) {
          const { t, dt } = gramRow(P, i, Q, c);
          assertClose(
            got[i],
            want[i],
            0,
            rowBound(t, dt, !self),
            `${self ? "self" : "cross"} m=${m} shift=${shift} row ${i}`,
          );
        }
      }
    }
  },
);

/** Per-row error bounds of the five conditional statistics. */
function condBounds(X: Matrix, Y: Matrix, Yh: Matrix, sx: number, sy: number, j: number) {
  const n = X.rows, cx = -1 / (2 * sx * sx), cy = -1 / (2 * sy * sy);
  const mk = () => ({ t: new Float64Array(n), dt: new Float64Array(n) });
  const S = mk(), S2 = mk(), A = mk(), B = mk(), C = mk();
  for (let i = 0; i < n; i++) {
    const [dx, ex] = sq(X, j, X, i);
    const tS = cx * dx, dS = Math.abs(cx) * ex + 2 * U * Math.abs(tS);
    S.t[i] = tS;
    S.dt[i] = dS;
    S2.t[i] = 2 * tS;
    S2.dt[i] = 2 * dS;
    for (const [o, P, Q] of [[A, Y, Y], [B, Yh, Yh], [C, Yh, Y]] as const) {
      const [dy, ey] = sq(P, j, Q, i);
      const ty = cy * dy;
      o.t[i] = tS + ty;
      o.dt[i] = dS + Math.abs(cy) * ey + 2 * U * Math.abs(ty) + U * Math.abs(o.t[i]);
    }
  }
  return {
    S: rowBound(S.t, S.dt, false),
    S2: rowBound(S2.t, S2.dt, false),
    A: rowBound(A.t, A.dt, false),
    B: rowBound(B.t, B.dt, false),
    C: rowBound(C.t, C.dt, true),
  };
}

function condData(r: Rng, n: number, dx: number, dy: number, noise: number) {
  const X = randn(r, n, dx), Y = new Matrix(n, dy), Yh = new Matrix(n, dy);
  for (let i = 0; i < n; i++) {
    for (let c = 0; c < dy; c++) {
      Y.set(i, c, X.get(i, 0) + 0.3 * r.normal());
      Yh.set(i, c, Y.get(i, c) + noise * r.normal());
    }
  }
  return { X, Y, Yh };
}

gpuTest("condRowLse: the five row statistics within the f32 bound of conditionalRowStats", async () => {
  const r = new Rng(92);
  const dev = await runtime.device();
  for (
    const [n, dx, dy, sx, sy, noise] of [[2, 1, 1, 1, 1, 0.5], [130, 3, 1, 1, 1, 0.5], [300, 5, 2, 2, 0.5, 3]] as const
  ) {
    const { X, Y, Yh } = condData(r, n, dx, dy, noise);
    const gx = dev.upload(X), gy = dev.upload(Y), gh = dev.upload(Yh), out = dev.alloc(12 * n);
    try {
      const batch = dev.batch(), params = { n, dx, dy, cx: -1 / (2 * sx * sx), cy: -1 / (2 * sy * sy) };
      for (const phase of [0, 1]) {
        const t = dispatchTiles(
          batch,
          COND_ROW_LSE_KERNEL,
          [gx, gy, gh, out],
          { ...params, phase },
          Math.ceil(n / 64),
          n,
          condTile(dx, dy),
        );
        assert.equal(t > 1, n * (dx + 3 * dy + 12) > 60000 - 16, "tiling");
      }
      const [o] = await batch.run([out]);
      const want = conditionalRowStats(X, sx, Y, Yh, sy);
      for (let j = 0; j < n; j++) {
        const b = condBounds(X, Y, Yh, sx, sy, j);
        assertClose(Math.log(o[12 * j + 1]), want.logS[j], 0, b.S, `logS row ${j}`);
        assertClose(Math.log(o[12 * j + 3]), want.logS2[j], 0, b.S2, `logS2 row ${j}`);
        assertClose(Math.log(o[12 * j + 5]), want.logA[j], 0, b.A, `logA row ${j}`);
        assertClose(Math.log(o[12 * j + 7]), want.logB[j], 0, b.B, `logB row ${j}`);
        assertClose(o[12 * j] + Math.log(o[12 * j + 9]), want.logC[j], 0, b.C, `logC row ${j}`);
      }
    } finally {
      for (const m of [gx, gy, gh, out]) m.release();
    }
  }
});

gpuTest(
  "csDivergenceAsync on the GPU: within the derived bound of csDivergence (and the card's 1e-5 on standardised data)",
  async () => {
    const r = new Rng(93);
    for (
      const [m, n, d, sigma, shift] of [[3, 2, 1, 1, 0], [400, 300, 2, 1, 0.5], [1000, 800, 3, 1.5, 0.2], [
        200,
        150,
        1,
        0.3,
        10,
      ]] as const
    ) {
      const A = randn(r, m, d), B = randn(r, n, d);
      for (let p = 0; p < B.data.length; p++) B.data[p] += shift;
      const g = await csDivergenceAsync(A, B, { sigma, backend: "gpu" });
      assert.equal(g.backend, "gpu", g.backendReason);
      const cpu = csDivergence(A, B, { sigma });
      const c = -1 / (2 * sigma * sigma);
      const worst = (P: Matrix, Q: Matrix, shifted: boolean) => {
        let w = 0;
        for (let i = 0; i < P.rows; i++) {
          const { t, dt } = gramRow(P, i, Q, c);
          w = Math.max(w, rowBound(t, dt, shifted));
        }
        return w;
      };
      const tol = worst(A, A, false) + worst(B, B, false) + 2 * worst(A, B, true) + 1e-12;
      assertClose(g.value, cpu.value, 0, tol, `D_CS m=${m} shift=${shift} (bound ${tol.toExponential(2)})`);
      if (shift < 1) assertClose(g.value, cpu.value, 0, 1e-5, "card §6: 1e-5");
    }
  },
);

gpuTest(
  "csConditionalAsync on the GPU: within the derived bound of csConditional (paper and released-code), and 1e-5",
  async () => {
    const r = new Rng(94);
    for (
      const [n, dx, dy, sx, sy, noise] of [[3, 1, 1, 1, 1, 0.5], [400, 3, 1, 1, 1, 0.5], [600, 13, 1, 1, 1, 0.2], [
        250,
        2,
        2,
        0.5,
        0.5,
        2,
      ]] as const
    ) {
      const { X, Y, Yh } = condData(r, n, dx, dy, noise);
      const rows = Array.from({ length: n }, (_, j) => condBounds(X, Y, Yh, sx, sy, j));
      for (const variant of ["paper", "released-code"] as const) {
        const g = await csConditionalAsync(X, Y, Yh, { sigmaX: sx, sigmaY: sy, variant, backend: "gpu" });
        assert.equal(g.backend, "gpu", g.backendReason);
        const cpu = csConditional(X, Y, Yh, { sigmaX: sx, sigmaY: sy, variant });
        const den = (b: (typeof rows)[number]) => variant === "paper" ? 2 * b.S : b.S2;
        const worst = (k: "A" | "B" | "C") => Math.max(...rows.map((b) => b[k] + den(b)));
        const tol = worst("A") + worst("B") + 2 * worst("C") + 1e-12;
        assertClose(g.value, cpu.value, 0, tol, `n=${n} ${variant} (bound ${tol.toExponential(2)})`);
        assertClose(g.value, cpu.value, 0, 1e-5, "card §6: 1e-5");
      }
    }
  },
);

gpuTest(
  "CS kernels refuse inputs whose squared distances leave the f32 range: forced 'gpu' names the argument, 'auto' runs the CPU",
  async () => {
    const a = [[0], [1e19]], b = [[0.5], [2]];
    await assertRejectsArg(() => csDivergenceAsync(a, b, { backend: "gpu" }), "a", "backend");
    await assertRejectsArg(() => csConditionalAsync([[0], [1]], [0, 1e20], [0, 1], { backend: "gpu" }), "y", "backend");
    const auto = await csDivergenceAsync(a, b);
    assert.equal(auto.backend, "cpu");
    assert.equal(auto.value, csDivergence(a, b).value);
  },
);

runtimeTest(
  "null adapter: csDivergenceAsync / csConditionalAsync / csQmiAsync under 'auto' are exactly the CPU estimators; forced 'gpu' is a BackendError",
  async () => {
    await setAdapterProvider(() => Promise.resolve(null));
    try {
      const r = new Rng(95);
      const A = randn(r, 60, 2), B = randn(r, 50, 2);
      const d = await csDivergenceAsync(A, B, { sigma: "medianDist" });
      assert.equal(d.backend, "cpu");
      assert.match(d.backendReason, /no WebGPU adapter/);
      const { backend: _b, backendReason: _r, ...rest } = d;
      assert.deepEqual(rest, csDivergence(A, B, { sigma: "medianDist" }));
      const { X, Y, Yh } = condData(r, 60, 2, 1, 0.4);
      const c = await csConditionalAsync(X, Y, Yh, { variant: "released-code" });
      assert.equal(c.backend, "cpu");
      assert.equal(c.value, csConditional(X, Y, Yh, { variant: "released-code" }).value);
      const q = await csQmiAsync(A, A.map((v) => v * v));
      assert.equal(q.backend, "cpu");
      assert.equal(q.value, csQmi(A, A.map((v) => v * v)).value);
      await assertRejectsArg(() => csDivergenceAsync(A, B, { backend: "gpu" }), "options.backend", "backend");
      await assertRejectsArg(() => csConditionalAsync(X, Y, Yh, { backend: "gpu" }), "options.backend", "backend");
    } finally {
      await restoreRuntime();
      await setAdapterProvider(null);
    }
  },
);
