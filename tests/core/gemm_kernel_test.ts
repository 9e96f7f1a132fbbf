import fc from "fast-check";
import { assert, relErr } from "../_helpers.ts";
import { gemmUnchecked } from "../../lib/core/gemm_kernel.ts";
import { wasmGemm } from "../../lib/core/_gemm_wasm.ts";
import { Rng } from "../../lib/core/rng.ts";

/** Textbook triple loop over explicit strides: the oracle. */
function naive(
  tA: boolean,
  tB: boolean,
  m: number,
  n: number,
  k: number,
  alpha: number,
  a: Float64Array,
  b: Float64Array,
  beta: number,
  c0: Float64Array,
): Float64Array {
  const c = new Float64Array(m * n);
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let p = 0; p < k; p++) s += (tA ? a[p * m + i] : a[i * k + p]) * (tB ? b[j * k + p] : b[p * n + j]);
      c[i * n + j] = alpha * s + (beta === 0 ? 0 : beta * c0[i * n + j]);
    }
  }
  return c;
}

Deno.test("gemmUnchecked: all four layouts match the triple loop (rel 1e-14) on shapes that cut the 2×4 tiles", () => {
  fc.assert(
    fc.property(
      fc.integer({ min: 1, max: 11 }),
      fc.integer({ min: 1, max: 11 }),
      fc.integer({ min: 0, max: 9 }),
      fc.boolean(),
      fc.boolean(),
      fc.constantFrom(0, 1, -0.5),
      fc.integer({ min: 0, max: 1e6 }),
      (m, n, k, tA, tB, beta, seed) => {
        const r = new Rng(seed);
        const a = r.normalArray(m * k), b = r.normalArray(k * n), c0 = r.normalArray(m * n);
        const c = Float64Array.from(c0);
        gemmUnchecked(tA, tB, m, n, k, 1.5, a, b, beta, c);
        const e = naive(tA, tB, m, n, k, 1.5, a, b, beta, c0);
        return relErr(c, e) < 1e-14 || (k === 0 && beta === 0 && c.every((v) => v === 0));
      },
    ),
    { numRuns: 300, seed: 4 },
  );
});

Deno.test("gemmUnchecked: beta = 0 ignores NaN already in C (BLAS convention)", () => {
  const c = new Float64Array([NaN, NaN]);
  gemmUnchecked(false, false, 1, 2, 1, 1, new Float64Array([2]), new Float64Array([3, 4]), 0, c);
  assert.deepEqual([...c], [6, 8]);
});

Deno.test("gemmUnchecked: scalar and WebAssembly SIMD paths are bitwise equal to the triple loop (same summation order)", () => {
  // shapes on both sides of the SIMD threshold (m·n·k ≥ 4096, m, n ≥ 4), all layouts, β ∈ {0, 1, −0.5}
  fc.assert(
    fc.property(
      fc.integer({ min: 1, max: 37 }),
      fc.integer({ min: 1, max: 37 }),
      fc.integer({ min: 0, max: 70 }),
      fc.boolean(),
      fc.boolean(),
      fc.constantFrom(0, 1, -0.5),
      fc.integer({ min: 0, max: 1e6 }),
      (m, n, k, tA, tB, beta, seed) => {
        const r = new Rng(seed);
        const a = r.normalArray(m * k), b = r.normalArray(k * n), c0 = r.normalArray(m * n);
        const c = Float64Array.from(c0);
        gemmUnchecked(tA, tB, m, n, k, 0.75, a, b, beta, c);
        const e = naive(tA, tB, m, n, k, 0.75, a, b, beta, c0);
        return c.every((v, i) => v === e[i]);
      },
    ),
    { numRuns: 300, seed: 5 },
  );
});

Deno.test("WebAssembly SIMD kernel is available under Deno (else gemm silently runs 2–3x slower)", () => {
  assert.ok(wasmGemm !== null);
});
