/**
 * GPU paths of the Cauchy–Schwarz estimators (card §6.1): streamed Gram-row kernels through lib/gpu's
 * backend selection, with the f64 CPU twins as reference and fallback; nothing N×N is ever stored.
 *
 * | function | kernel | host (f64) |
 * |---|---|---|
 * | {@linkcode csQmiAsync} | `gramRowStats` (kernels/info/gram_rows.ts): row sums of K, Q, K∘Q, f32 + Kahan | A, B, C, logs |
 * | {@linkcode csDivergenceAsync} | `gramRowLse` (kernels/info/gram_lse.ts): per-row log Σ_j κ, self pass unshifted, cross pass max-shifted | log-sum-exp over rows, the three log terms |
 * | {@linkcode csConditionalAsync} | `condRowLse` (kernels/info/gram_lse.ts): per-row Σ_i K, K², K∘L, K∘L̂ and the max-shifted K∘L× | denominators, log-sum-exp over rows |
 *
 * Accuracy: f32 inputs, f32 distances by direct differences, WGSL `exp` (3 + 2|x| ULP) and Kahan row
 * sums give each row's log sum to a few 1e-7 × (1 + typical |exponent|); the estimates, differences of
 * such logs, agree with the f64 path to ≈ 1e-6 on standardised data (the tests state and check the
 * per-case bound; card §6: 1e-5 for N ≤ 4096). Values below ~1e-4 (weak dependence, close samples) are
 * better computed on the CPU.
 *
 * @module
 */

import { F32RangeError, runWithFallback, selectBackend, type Unsuitable } from "../gpu/backend.ts";
import type { BackendRequest } from "../gpu/backend.ts";
import type { GpuDevice, GpuMatrix } from "../gpu/runtime.ts";
import type { Backend } from "../core/diagnostics.ts";
import type { Matrix } from "../core/matrix.ts";
import { logSumExp, sum } from "../core/reduce.ts";
import { GRAM_ROW_STATS_KERNEL } from "../../kernels/info/gram_rows.ts";
import { COND_ROW_LSE_KERNEL, gramRowLseKernel } from "../../kernels/info/gram_lse.ts";
import {
  COND_CONSTRAINTS,
  csConditionalInputs,
  csConditionalResult,
  CSD_CONSTRAINTS,
  csDivergenceInputs,
  csDivergenceResult,
} from "./_cs_steps.ts";
import { type ConditionalRowStats, conditionalRowStats, logGramSum, type PairRowStats, pairRowStats } from "./_gram.ts";
import { assertSameRows, toSamples } from "./_input.ts";
import {
  CS_CONDITIONAL_DEFAULTS,
  CS_DIVERGENCE_DEFAULTS,
  CS_QMI_DEFAULTS,
  type CsConditionalOptions,
  type CsConditionalParams,
  type CsDivergenceOptions,
  type CsDivergenceParams,
  type CsQmiOptions,
  type CsQmiParams,
} from "./cs.ts";
import { condTile, dispatchTiles, gramLseTile, gramRowsTile } from "./_tiles.ts";
import { resolveWidth } from "./kernel_width.ts";
import { fromNats, type InfoEstimate, type SampleLike, UNITS } from "./result.ts";
import { resolveOptions } from "../core/validate.ts";

/** Work N²·d from which `backend: "auto"` runs a CS estimator on a hardware GPU (a guess, as GPU_THRESHOLDS). */
export const CS_GPU_THRESHOLD: number = 1 << 24;

/** Largest |value| the CS kernels take: squared distances times |c| must stay finite in f32. */
function csUnsuitable(mats: readonly [string, Matrix][], scale: number): Unsuitable | null {
  for (const [arg, M] of mats) {
    let mx = 0;
    for (let i = 0; i < M.data.length; i++) mx = Math.max(mx, Math.abs(M.data[i]));
    const worst = M.cols * (2 * mx) ** 2 * Math.max(1, scale);
    if (!(worst <= 1e37)) {
      return {
        arg,
        expected: "squared distances (and their kernel exponents) within the f32 range",
        got: `|values| up to ${mx}`,
      };
    }
  }
  return null;
}

function release(ms: GpuMatrix[]): void {
  for (const m of ms) m.release();
}

function finiteOrThrow(v: Float64Array, what: string): void {
  for (let i = 0; i < v.length; i++) {
    if (!Number.isFinite(v[i])) throw new F32RangeError(`${what}[${i}] = ${v[i]} in f32`);
  }
}

/** Options of {@linkcode csQmiAsync}: those of `csQmi` plus the backend. */
export interface CsQmiAsyncOptions extends CsQmiOptions {
  /** `"auto"` (GPU only for a hardware adapter and N² ≥ 2²⁴), `"cpu"` or `"gpu"`. @default "auto" */
  backend: BackendRequest;
}

/** Result of {@linkcode csQmiAsync}: the estimate plus where it ran. */
export interface CsQmiAsyncResult extends InfoEstimate<CsQmiParams> {
  /** Backend that computed the Gram-row sums. */
  readonly backend: Backend;
  /** Why that backend. */
  readonly backendReason: string;
}

/**
 * CS quadratic MI (card A2) with the Gram-row sums on the GPU when selected: the kernel streams K and Q
 * rows in f32 with Kahan sums (never N×N in memory) and the host forms A, B, C and the logs in f64. Agrees
 * with {@linkcode csQmi} to ≈ 1e-5 absolute for N ≤ 4096 (card §6); use the CPU for values below ~1e-4.
 *
 * @param x N×dx samples
 * @param t N×dt samples
 * @param options `sigmaX`, `sigmaT`, `unit` as `csQmi`, plus `backend`
 * @returns the estimate with `backend` and `backendReason`
 * @throws {ParsimonyError} as `csQmi`; `backend: "gpu"` without an adapter
 * @example
 * ```ts
 * import { csQmiAsync } from "@parsimony/parsimony/info";
 * const r = await csQmiAsync([0, 1, 2, 3], [0, 1, 1, 3], { backend: "cpu" });
 * r.backend; // => "cpu"
 * ```
 */
export async function csQmiAsync(
  x: SampleLike,
  t: SampleLike,
  options: Partial<CsQmiAsyncOptions> = {},
): Promise<CsQmiAsyncResult> {
  const fn = "csQmiAsync";
  const opts = resolveOptions(fn, { ...CS_QMI_DEFAULTS, backend: "auto" as BackendRequest }, options, {
    sigmaX: { kind: "any" },
    sigmaT: { kind: "any" },
    unit: { kind: "enum", values: UNITS },
    backend: { kind: "any" },
  });
  const X = toSamples(x, fn, "x");
  const T = toSamples(t, fn, "t");
  assertSameRows(X, T, fn, "x", "t");
  const sx = resolveWidth(X, opts.sigmaX, fn, "options.sigmaX");
  const st = resolveWidth(T, opts.sigmaT, fn, "options.sigmaT");
  const n = X.rows;
  const choice = await selectBackend(fn, opts.backend, n * n * (X.cols + T.cols), 1 << 24);
  const r = await runWithFallback<PairRowStats>(
    fn,
    choice,
    () => pairRowStats(X, sx, T, st),
    async (dev) => {
      const gx = dev.upload(X), gt = dev.upload(T);
      const kr = dev.alloc(n), qr = dev.alloc(n), h = dev.alloc(n), comp = dev.alloc(3 * n);
      try {
        const batch = dev.batch();
        dispatchTiles(
          batch,
          GRAM_ROW_STATS_KERNEL,
          [gx, gt, kr, qr, h, comp],
          { n, dx: X.cols, dt: T.cols, cx: -1 / (2 * sx * sx), ct: -1 / (2 * st * st) },
          Math.ceil(n / 64),
          n,
          gramRowsTile(X.cols + T.cols),
        );
        const [a, b, c] = await batch.run([kr, qr, h]);
        return { kr: a, qr: b, h: c };
      } finally {
        for (const m of [gx, gt, kr, qr, h, comp]) m.release();
      }
    },
  );
  const { kr, qr, h } = r.value;
  const prod = new Float64Array(n);
  for (let i = 0; i < n; i++) prod[i] = kr[i] * qr[i];
  const a = sum(h) / (n * n);
  const b = (sum(kr) / (n * n)) * (sum(qr) / (n * n));
  const c = sum(prod) / (n * n * n);
  const value = Math.max(0, Math.log(a) + Math.log(b) - 2 * Math.log(c));
  return {
    value: fromNats(value, opts.unit),
    unit: opts.unit,
    n,
    params: { sigmaX: sx, sigmaT: st, a, b, c, hsic: a + b - 2 * c },
    backend: r.backend,
    backendReason: r.backendReason,
  };
}

/** Options of {@linkcode csDivergenceAsync}: those of `csDivergence` plus the backend. */
export interface CsDivergenceAsyncOptions extends CsDivergenceOptions {
  /** `"auto"` (GPU only for a hardware adapter and (M + N)²·d ≥ 2²⁴), `"cpu"` or `"gpu"`. @default "auto" */
  backend: BackendRequest;
}

/** Result of {@linkcode csDivergenceAsync}: the estimate plus where it ran. */
export interface CsDivergenceAsyncResult extends InfoEstimate<CsDivergenceParams> {
  /** Backend that computed the Gram-row sums. */
  readonly backend: Backend;
  /** Why that backend. */
  readonly backendReason: string;
}

/** log Σ over rows of the kernel's (shift, sum, compensation) triples, in f64. */
function rowsLse(out: Float64Array, what: string): number {
  const n = out.length / 3, r = new Float64Array(n);
  for (let i = 0; i < n; i++) r[i] = out[3 * i] + Math.log(out[3 * i + 1]);
  finiteOrThrow(r, `log row sums ${what}`);
  return logSumExp(r);
}

/**
 * Two-sample Cauchy–Schwarz divergence (card A1) with the three Gram sums streamed on the GPU when
 * selected: per row, log Σ_j κ(a_i, b_j) in f32 (self blocks unshifted — the diagonal is the row maximum —,
 * the cross block max-shifted in two passes, so far-apart samples stay finite), Kahan sums, and the
 * log-sum-exp over rows and the logs in f64. Agrees with {@linkcode csDivergence} to ≈ 1e-6 on
 * standardised data (module doc); use the CPU for divergences below ~1e-4.
 *
 * @param a M×d samples of p
 * @param b N×d samples of q
 * @param options `sigma`, `unit` as `csDivergence`, plus `backend`
 * @returns the estimate with `backend` and `backendReason`
 * @throws {ParsimonyError} as `csDivergence`; `backend: "gpu"` without an adapter or with values beyond the f32 range
 * @example
 * ```ts
 * import { csDivergenceAsync } from "@parsimony/parsimony/info";
 * const r = await csDivergenceAsync([0, 1, 2], [0.5, 2.5], { backend: "cpu" });
 * r.value; // => 0.1475983784… (as csDivergence)
 * ```
 */
export async function csDivergenceAsync(
  a: SampleLike,
  b: SampleLike,
  options: Partial<CsDivergenceAsyncOptions> = {},
): Promise<CsDivergenceAsyncResult> {
  const fn = "csDivergenceAsync";
  const opts = resolveOptions(fn, { ...CS_DIVERGENCE_DEFAULTS, backend: "auto" as BackendRequest }, options, {
    ...CSD_CONSTRAINTS,
    backend: { kind: "any" },
  });
  const { A, B, sigma } = csDivergenceInputs(fn, a, b, opts.sigma);
  const M = A.rows, N = B.rows, d = A.cols;
  const c = -1 / (2 * sigma * sigma);
  const choice = await selectBackend(fn, opts.backend, (M + N) * (M + N) * d, CS_GPU_THRESHOLD);
  const r = await runWithFallback<[number, number, number]>(
    fn,
    choice,
    () => [logGramSum(A, A, sigma), logGramSum(B, B, sigma), logGramSum(A, B, sigma)],
    async (dev: GpuDevice) => {
      const held: GpuMatrix[] = [];
      try {
        const gA = dev.upload(A), gB = dev.upload(B);
        const oA = dev.alloc(3 * M), oB = dev.alloc(3 * N), oX = dev.alloc(3 * M);
        held.push(gA, gB, oA, oB, oX);
        const self = gramRowLseKernel(true), cross = gramRowLseKernel(false);
        const tile = gramLseTile(d), batch = dev.batch();
        dispatchTiles(batch, self, [gA, gA, oA], { m: M, nb: M, d, c, phase: 1 }, Math.ceil(M / 64), M, tile);
        dispatchTiles(batch, self, [gB, gB, oB], { m: N, nb: N, d, c, phase: 1 }, Math.ceil(N / 64), N, tile);
        for (const phase of [0, 1]) {
          dispatchTiles(batch, cross, [gA, gB, oX], { m: M, nb: N, d, c, phase }, Math.ceil(M / 64), N, tile);
        }
        const [pa, pb, px] = await batch.run([oA, oB, oX]);
        return [rowsLse(pa, "a·a"), rowsLse(pb, "b·b"), rowsLse(px, "a·b")];
      } finally {
        release(held);
      }
    },
    () => csUnsuitable([["a", A], ["b", B]], -c),
  );
  const res = csDivergenceResult(opts, A, B, sigma, r.value[0], r.value[1], r.value[2]);
  return { ...res, backend: r.backend, backendReason: r.backendReason };
}

/** Options of {@linkcode csConditionalAsync}: those of `csConditional` plus the backend. */
export interface CsConditionalAsyncOptions extends CsConditionalOptions {
  /** `"auto"` (GPU only for a hardware adapter and N²·(dx + 2dy) ≥ 2²⁴), `"cpu"` or `"gpu"`. @default "auto" */
  backend: BackendRequest;
}

/** Result of {@linkcode csConditionalAsync}: the estimate plus where it ran. */
export interface CsConditionalAsyncResult extends InfoEstimate<CsConditionalParams> {
  /** Backend that computed the row sums. */
  readonly backend: Backend;
  /** Why that backend. */
  readonly backendReason: string;
}

/**
 * Conditional Cauchy–Schwarz divergence (card A3) with the row sums streamed on the GPU when selected:
 * per row j, Σ_i K_ji, Σ_i K_ji², Σ_i K_ji L_ji, Σ_i K_ji L̂_ji (unshifted: each row's maximum term is
 * 1 at i = j) and the two-pass max-shifted Σ_i K_ji L×_ji, in f32 with Kahan sums; the denominators
 * (paper or released-code variant) and the log-sum-exp over rows in f64. Agrees with
 * {@linkcode csConditional} to ≈ 1e-6 on standardised data (module doc).
 *
 * @param x N×dx inputs
 * @param y N×dy targets
 * @param yHat N×dy predictions
 * @param options `sigmaX`, `sigmaY`, `variant`, `unit` as `csConditional`, plus `backend`
 * @returns the estimate with `backend` and `backendReason`
 * @throws {ParsimonyError} as `csConditional`; `backend: "gpu"` without an adapter or with values beyond the f32 range
 * @example
 * ```ts
 * import { csConditionalAsync } from "@parsimony/parsimony/info";
 * const r = await csConditionalAsync([[0], [1], [2]], [1, 2, 3], [1, 2, 3], { backend: "cpu" });
 * r.value; // => 0
 * ```
 */
export async function csConditionalAsync(
  x: SampleLike,
  y: SampleLike,
  yHat: SampleLike,
  options: Partial<CsConditionalAsyncOptions> = {},
): Promise<CsConditionalAsyncResult> {
  const fn = "csConditionalAsync";
  const opts = resolveOptions(fn, { ...CS_CONDITIONAL_DEFAULTS, backend: "auto" as BackendRequest }, options, {
    ...COND_CONSTRAINTS,
    backend: { kind: "any" },
  });
  const { X, Y, Yh, sx, sy } = csConditionalInputs(fn, x, y, yHat, opts);
  const n = X.rows, dx = X.cols, dy = Y.cols;
  const cx = -1 / (2 * sx * sx), cy = -1 / (2 * sy * sy);
  const choice = await selectBackend(fn, opts.backend, n * n * (dx + 2 * dy), CS_GPU_THRESHOLD);
  const r = await runWithFallback<ConditionalRowStats>(
    fn,
    choice,
    () => conditionalRowStats(X, sx, Y, Yh, sy),
    async (dev: GpuDevice) => {
      const held: GpuMatrix[] = [];
      try {
        const gx = dev.upload(X), gy = dev.upload(Y), gh = dev.upload(Yh), out = dev.alloc(12 * n);
        held.push(gx, gy, gh, out);
        const batch = dev.batch(), tile = condTile(dx, dy);
        for (const phase of [0, 1]) {
          dispatchTiles(
            batch,
            COND_ROW_LSE_KERNEL,
            [gx, gy, gh, out],
            { n, dx, dy, cx, cy, phase },
            Math.ceil(n / 64),
            n,
            tile,
          );
        }
        const [o] = await batch.run([out]);
        const st = {
          logS: new Float64Array(n),
          logS2: new Float64Array(n),
          logA: new Float64Array(n),
          logB: new Float64Array(n),
          logC: new Float64Array(n),
        };
        for (let j = 0; j < n; j++) {
          st.logS[j] = Math.log(o[12 * j + 1]);
          st.logS2[j] = Math.log(o[12 * j + 3]);
          st.logA[j] = Math.log(o[12 * j + 5]);
          st.logB[j] = Math.log(o[12 * j + 7]);
          st.logC[j] = o[12 * j] + Math.log(o[12 * j + 9]);
        }
        for (const [k, v] of Object.entries(st)) finiteOrThrow(v, `conditional ${k}`);
        return st;
      } finally {
        release(held);
      }
    },
    () => csUnsuitable([["x", X], ["y", Y], ["yHat", Yh]], Math.max(-cx, -cy)),
  );
  const res = csConditionalResult(opts, n, sx, sy, r.value);
  return { ...res, backend: r.backend, backendReason: r.backendReason };
}
