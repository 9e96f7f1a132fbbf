import fc from "fast-check";
import { assert, assertAllClose, assertClose, assertThrowsArg } from "../_helpers.ts";
import {
  argmax,
  frobenius,
  logSumExp,
  logSumExpCols,
  logSumExpRows,
  lseStrided,
  mean,
  norm1,
  norm2,
  normInf,
  softmax,
  softmaxCols,
  softmaxRows,
  sum,
  variance,
} from "../../lib/core/reduce.ts";
import { Matrix } from "../../lib/core/matrix.ts";

Deno.test("logSumExp: entries ±1e308 neither overflow nor underflow", () => {
  assert.equal(logSumExp([1e308, 1e308]), 1e308); // 1e308 + ln 2 rounds to 1e308
  assert.equal(logSumExp([1e308, -1e308]), 1e308);
  assert.equal(logSumExp([-1e308, -1e308]), -1e308);
  assertClose(logSumExp([-1e308, 0]), 0);
  assertClose(logSumExp([1000, 1000]), 1000 + Math.LN2, 1e-16);
  assertClose(logSumExp([-1000, -1000]), -1000 + Math.LN2, 1e-16);
  assert.ok(Number.isFinite(logSumExp([1.7e308, 1.7e308, 1.7e308])));
  assert.equal(logSumExp([-Infinity, -Infinity]), -Infinity);
  assert.equal(logSumExp([]), -Infinity);
  assert.equal(logSumExp([1, Infinity]), Infinity);
  assertClose(logSumExp([-Infinity, 2]), 2);
  assertThrowsArg(() => logSumExp([0, NaN]), "x[1]", "nonFinite");
});

Deno.test("logSumExp: properties — shift equivariance and max ≤ lse ≤ max + log n", () => {
  fc.assert(
    fc.property(
      fc.array(fc.double({ min: -700, max: 700, noNaN: true }), { minLength: 1, maxLength: 30 }),
      fc.double({ min: -1e3, max: 1e3, noNaN: true }),
      (xs, c) => {
        const l = logSumExp(xs);
        const m = Math.max(...xs);
        const shifted = logSumExp(xs.map((v) => v + c));
        const tol = 1e-12 * (Math.abs(l) + Math.abs(c) + 1);
        return l >= m - 1e-12 * Math.abs(m) && l <= m + Math.log(xs.length) + tol &&
          Math.abs(shifted - (l + c)) <= 1e-9 * (Math.abs(l) + Math.abs(c) + 1);
      },
    ),
    { numRuns: 200, seed: 2 },
  );
});

Deno.test("logSumExpRows/Cols: agree with the vector form, ±Inf rows handled", () => {
  const A = [[1e308, 1e308, 0], [-Infinity, -Infinity, -Infinity], [1, 2, 3]];
  const rows = logSumExpRows(A);
  assert.equal(rows[0], 1e308);
  assert.equal(rows[1], -Infinity);
  assertClose(rows[2], logSumExp([1, 2, 3]), 1e-15);
  const cols = logSumExpCols(A);
  assert.equal(cols[0], 1e308);
  assertClose(cols[2], logSumExp([0, -Infinity, 3]), 1e-15);
  const M = Matrix.fromRows([[0.5, -3], [2, 7], [-1, 0]]);
  assertAllClose(logSumExpCols(M), logSumExpRows(M.transpose()), 1e-15);
  assertThrowsArg(() => logSumExpRows([[0, NaN]]), "A[0][1]", "nonFinite");
  assertThrowsArg(() => logSumExpCols([[0], [NaN]]), "A[1][0]", "nonFinite");
  assertClose(lseStrided([0, 5, 0, 5], 1, 2, 2), 5 + Math.LN2, 1e-15);
});

Deno.test("softmax: sums to 1, handles huge logits, rejects NaN/+Inf/all −Inf", () => {
  const s = softmax([1000, 1000, -Infinity]);
  assert.deepEqual(s, new Float64Array([0.5, 0.5, 0]));
  assertClose(sum(softmax([3, -2, 0.5, 10])), 1, 1e-15);
  const R = softmaxRows([[0, 0], [0, Math.log(3)]]);
  assertAllClose(R.row(1), [0.25, 0.75], 1e-15);
  const C = softmaxCols([[0, 0], [0, Math.log(3)]]);
  assertAllClose(C.col(1), [0.25, 0.75], 1e-15);
  assertThrowsArg(() => softmax([NaN]), "x[0]", "nonFinite");
  assertThrowsArg(() => softmax([Infinity, 0]), "x[0]", "nonFinite");
  assertThrowsArg(() => softmax([-Infinity]), "x", "nonFinite");
});

Deno.test("sum/mean/variance: compensated and exact on hard cases", () => {
  assert.equal(sum([1e16, 1, -1e16]), 1);
  assert.equal(sum([1, 1e100, 1, -1e100]), 2);
  const xs = Array.from({ length: 1000 }, (_, i) => 1e9 + (i % 2)); // mean 1e9 + 0.5, var 0.25·1000/999
  assertClose(mean(xs), 1e9 + 0.5, 1e-16);
  assertClose(variance(xs), 0.25 * 1000 / 999, 1e-10);
  assertClose(variance([1, 2, 3, 4], 0), 1.25, 1e-16);
  assertThrowsArg(() => mean([]), "x", "shape");
  assertThrowsArg(() => variance([1]), "x", "shape");
});

Deno.test("norms: scaled ℓ2 survives 1e±200, ℓ1, ℓ∞, Frobenius, argmax", () => {
  assertClose(norm2([3e200, 4e200]), 5e200, 2e-16);
  assertClose(norm2([3e-200, 4e-200]), 5e-200, 1e-15);
  assert.equal(norm2([0, 0]), 0);
  assert.equal(norm1([3, -4]), 7);
  assert.equal(normInf([3, -4, 1]), 4);
  assertClose(frobenius([[1, 2], [2, 4]]), 5, 1e-15);
  assert.equal(argmax([1, 5, 5, 2]), 1);
  assert.equal(argmax([]), -1);
  assertThrowsArg(() => argmax([1, NaN]), "x[1]", "nonFinite");
});
