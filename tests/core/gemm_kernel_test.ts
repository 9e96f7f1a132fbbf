import fc from "fast-check";
import { assert, relErr } from "../_helpers.ts";
import { gemmUnchecked } from "../../lib/core/gemm_kernel.ts";
import { GEMM_PARALLEL_MIN, wasmGemm } from "../../lib/core/_gemm_wasm.ts";
import { parallelSupport, workerPoolState } from "../../lib/core/parallel.ts";
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

Deno.test("wasm gemm: k-blocks, row blocks, thread counts and B's layout (packed or not) never change a bit, all layouts", () => {
  assert.ok(wasmGemm !== null);
  fc.assert(
    fc.property(
      fc.integer({ min: 1, max: 29 }),
      fc.integer({ min: 1, max: 29 }),
      fc.integer({ min: 1, max: 40 }),
      fc.boolean(),
      fc.boolean(),
      fc.constantFrom(0, 1, -0.5),
      fc.integer({ min: 1, max: 13 }), // k-block length: 1 … longer than k
      fc.integer({ min: 1, max: 12 }), // rows per block (rounded up to 4)
      fc.integer({ min: 1, max: 3 }),
      fc.boolean(), // B packed in 4-column panels or row-major
      fc.integer({ min: 0, max: 1e6 }),
      (m, n, k, tA, tB, beta, kc, rowsPerBlock, threads, packB, seed) => {
        const r = new Rng(seed);
        const a = r.normalArray(m * k), b = r.normalArray(k * n), c0 = r.normalArray(m * n);
        const c = Float64Array.from(c0);
        assert.ok(wasmGemm!.gemm(tA, tB, m, n, k, 0.75, a, b, beta, c, { kc, rowsPerBlock, threads, packB }));
        const e = naive(tA, tB, m, n, k, 0.75, a, b, beta, c0);
        return c.every((v, i) => Object.is(v, e[i]));
      },
    ),
    { numRuns: 300, seed: 11 },
  );
});

Deno.test("wasm gemm: a product above the parallel threshold is shared with the pool's workers and stays bitwise equal", () => {
  const m = 150, n = 70, k = 300; // 3.15M multiply-adds, 2 k-blocks, rows not a multiple of 4
  assert.ok(m * n * k >= GEMM_PARALLEL_MIN);
  const r = new Rng(3);
  const a = r.normalArray(m * k), b = r.normalArray(n * k);
  const expect = naive(false, true, m, n, k, 1, a, b, 0, new Float64Array(m * n));
  const runs0 = workerPoolState().runs;
  for (
    const [threads, packB] of [[1, true], [2, false], [3, true], [2, true], [2, false], [2, true], [2, true]] as const
  ) {
    const c = new Float64Array(m * n).fill(NaN); // β = 0 ignores what C held
    wasmGemm!.gemm(false, true, m, n, k, 1, a, b, 0, c, { threads, packB });
    assert.ok(c.every((v, i) => Object.is(v, expect[i])), `threads = ${threads}, packB = ${packB}`);
  }
  // and through the public entry point with the default thread count
  const c = new Float64Array(m * n);
  gemmUnchecked(false, true, m, n, k, 1, a, b, 0, c);
  assert.ok(c.every((v, i) => Object.is(v, expect[i])));
  if (parallelSupport().available && wasmGemm!.shared) {
    assert.ok(workerPoolState().runs > runs0, "at least one run offered its blocks to the workers");
  }
});

Deno.test("wasm gemm: products of very different sizes in a row reuse (and grow) the kernel memory correctly", () => {
  const r = new Rng(8);
  for (const [m, n, k] of [[4, 4, 300], [90, 120, 40], [5, 6, 7], [40, 200, 260], [8, 8, 8]]) {
    const a = r.normalArray(m * k), b = r.normalArray(k * n), c0 = r.normalArray(m * n);
    const c = Float64Array.from(c0);
    wasmGemm!.gemm(true, false, m, n, k, 2, Float64Array.from(a), b, 1, c);
    // a as stored is k×m when transposed
    const e = naive(true, false, m, n, k, 2, a, b, 1, c0);
    assert.ok(c.every((v, i) => Object.is(v, e[i])), `${m}×${n}×${k}`);
  }
});
