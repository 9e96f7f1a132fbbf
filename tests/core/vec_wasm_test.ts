import fc from "fast-check";
import { assert } from "../_helpers.ts";
import { vecKernels } from "../../lib/core/_vec_wasm.ts";
import { Rng } from "../../lib/core/rng.ts";

Deno.test("SIMD level-1 kernels are available under Deno (else lasso runs ~2.5× slower)", () => {
  assert.ok(vecKernels !== null);
});

Deno.test("SIMD dot: equals the exact sum to rounding for every length mod 8 and offset; axpy is bitwise the scalar loop", () => {
  const v = vecKernels!;
  fc.assert(
    fc.property(
      fc.integer({ min: 0, max: 70 }),
      fc.integer({ min: 0, max: 5 }),
      fc.integer({ min: 0, max: 1e6 }),
      (n, off, seed) => {
        const r = new Rng(seed);
        const ar = v.arena(2 * n + off + 1)!;
        const x = ar.subarray(off, off + n), y = ar.subarray(off + n, off + 2 * n);
        x.set(r.normalArray(n));
        y.set(r.normalArray(n));
        // reference: compensated (exact to rounding) sum of the products
        let s = 0, c = 0, mag = 0;
        for (let i = 0; i < n; i++) {
          const t = x[i] * y[i], u = s + t;
          c += Math.abs(s) >= Math.abs(t) ? (s - u) + t : (t - u) + s;
          s = u;
          mag += Math.abs(t);
        }
        const exact = s + c;
        const d = v.dot(x, y, n);
        if (!(Math.abs(d - exact) <= 4 * n * Number.EPSILON * mag + 1e-300)) return false;
        const yRef = Float64Array.from(y);
        for (let i = 0; i < n; i++) yRef[i] += -0.37 * x[i];
        v.axpy(-0.37, x, y, n);
        return y.every((q, i) => Object.is(q, yRef[i]));
      },
    ),
    { numRuns: 300, seed: 3 },
  );
});

Deno.test("SIMD dot / axpy on vectors outside the arena fall back to the scalar loops (same values)", () => {
  const v = vecKernels!;
  const x = new Float64Array([1, 2, 3]), y = new Float64Array([4, 5, 6]);
  assert.equal(v.dot(x, y, 3), 32);
  v.axpy(2, x, y, 3);
  assert.deepEqual([...y], [6, 9, 12]);
  // the arena grows on demand and a view taken after growing is usable
  const big = v.arena(1 << 18)!;
  assert.ok(big.length === 1 << 18);
  big.fill(1);
  assert.equal(v.dot(big.subarray(0, 1000), big.subarray(1000, 2000), 1000), 1000);
});
