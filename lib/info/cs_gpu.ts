/**
 * GPU path of the CS-QMI estimator: the streamed Gram-row kernel `gramRowStats` (kernels/info/gram_rows.ts)
 * through lib/gpu's backend selection, with the f64 CPU twin as reference and fallback (card §6).
 *
 * @module
 */

import { runWithFallback, selectBackend } from "../gpu/backend.ts";
import type { BackendRequest } from "../gpu/backend.ts";
import type { Backend } from "../core/diagnostics.ts";
import { sum } from "../core/reduce.ts";
import { GRAM_ROW_STATS_KERNEL } from "../../kernels/info/gram_rows.ts";
import { type PairRowStats, pairRowStats } from "./_gram.ts";
import { assertSameRows, toSamples } from "./_input.ts";
import { CS_QMI_DEFAULTS, type CsQmiOptions, type CsQmiParams } from "./cs.ts";
import { resolveWidth } from "./kernel_width.ts";
import { fromNats, type InfoEstimate, type SampleLike, UNITS } from "./result.ts";
import { resolveOptions } from "../core/validate.ts";

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
      const kr = dev.alloc(n), qr = dev.alloc(n), h = dev.alloc(n);
      try {
        const [a, b, c] = await dev.batch().dispatch(
          GRAM_ROW_STATS_KERNEL,
          [gx, gt, kr, qr, h],
          { n, dx: X.cols, dt: T.cols, cx: -1 / (2 * sx * sx), ct: -1 / (2 * st * st) },
          Math.ceil(n / 64),
        ).run([kr, qr, h]);
        return { kr: a, qr: b, h: c };
      } finally {
        for (const m of [gx, gt, kr, qr, h]) m.release();
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
