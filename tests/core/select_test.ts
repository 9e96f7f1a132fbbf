import fc from "fast-check";
import { assert, assertThrowsArg } from "../_helpers.ts";
import { kSmallestPerRow } from "../../lib/core/select.ts";
import { Matrix } from "../../lib/core/matrix.ts";
import { Rng } from "../../lib/core/rng.ts";

/** Oracle: sort every (value, index) pair of the row, take the first k. */
function bySort(M: Matrix, k: number, excl = false): { indices: number[]; values: number[] } {
  const indices: number[] = [], values: number[] = [];
  for (let i = 0; i < M.rows; i++) {
    const js = [...Array(M.cols).keys()].filter((j) => !(excl && j === i));
    js.sort((a, b) => (M.get(i, a) - M.get(i, b)) || (a - b));
    for (let t = 0; t < k; t++) {
      indices.push(js[t]);
      values.push(M.get(i, js[t]));
    }
  }
  return { indices, values };
}

Deno.test("kSmallestPerRow: equals a full stable sort (exact) on random rows, both code paths (k ≤ 64 and k > 64)", () => {
  const r = new Rng(3);
  for (
    const [n, m, k] of [[1, 1, 1], [3, 7, 3], [5, 100, 1], [4, 100, 100], [6, 257, 17], [3, 300, 65], [2, 300, 300]]
  ) {
    const M = new Matrix(n, m, r.normalArray(n * m));
    const got = kSmallestPerRow(M, k);
    const want = bySort(M, k);
    assert.deepEqual([...got.indices], want.indices, `${n}×${m} k=${k}`);
    assert.deepEqual([...got.values], want.values, `${n}×${m} k=${k}`);
    assert.equal(got.rows, n);
    assert.equal(got.k, k);
  }
});

Deno.test("kSmallestPerRow: ties go to the smaller column index; ±Infinity sort to the ends", () => {
  const D = [[2, 1, 1, -Infinity, 1, Infinity, 0]];
  const r = kSmallestPerRow(D, 5);
  assert.deepEqual([...r.indices], [3, 6, 1, 2, 4]);
  assert.deepEqual([...r.values], [-Infinity, 0, 1, 1, 1]);
  const all = kSmallestPerRow(D, 7);
  assert.deepEqual([...all.indices], [3, 6, 1, 2, 4, 0, 5]);
  // k > 64 path, many ties: identical to the oracle
  const rr = new Rng(5);
  const T = new Matrix(2, 200, Float64Array.from({ length: 400 }, () => rr.integer(4)));
  assert.deepEqual([...kSmallestPerRow(T, 150).indices], bySort(T, 150).indices);
  assert.deepEqual([...kSmallestPerRow(T, 10).indices], bySort(T, 10).indices);
});

Deno.test("kSmallestPerRow: excludeDiagonal skips (i, i) (kNN without the point itself)", () => {
  const r = new Rng(8);
  const M = new Matrix(7, 5, r.normalArray(35)); // rows 5, 6 have no diagonal entry
  for (let i = 0; i < 5; i++) M.set(i, i, -100);
  for (const k of [1, 3, 4]) {
    const got = kSmallestPerRow(M, k, { excludeDiagonal: true });
    const want = bySort(M, k, true);
    assert.deepEqual([...got.indices], want.indices);
    assert.deepEqual([...got.values], want.values);
  }
});

Deno.test("kSmallestPerRow: property — kept values are sorted, and no dropped entry beats the k-th", () => {
  fc.assert(
    fc.property(
      fc.integer({ min: 1, max: 6 }),
      fc.integer({ min: 1, max: 90 }),
      fc.integer({ min: 0, max: 1e6 }),
      (n, m, seed) => {
        const r = new Rng(seed);
        const k = 1 + r.integer(m);
        const M = new Matrix(n, m, Float64Array.from({ length: n * m }, () => r.integer(10) - 5));
        const { indices, values } = kSmallestPerRow(M, k);
        for (let i = 0; i < n; i++) {
          const kept = new Set<number>();
          for (let t = 0; t < k; t++) {
            const j = indices[i * k + t];
            if (values[i * k + t] !== M.get(i, j)) return false;
            if (
              t > 0 &&
              !(values[i * k + t - 1] < values[i * k + t] ||
                (values[i * k + t - 1] === values[i * k + t] && indices[i * k + t - 1] < j))
            ) return false;
            kept.add(j);
          }
          const last = values[i * k + k - 1], lastJ = indices[i * k + k - 1];
          for (let j = 0; j < m; j++) {
            if (kept.has(j)) continue;
            if (M.get(i, j) < last || (M.get(i, j) === last && j < lastJ)) return false;
          }
        }
        return true;
      },
    ),
    { numRuns: 200, seed: 2 },
  );
});

Deno.test("kSmallestPerRow: rejects NaN naming D[i][j], k out of range naming 'k', no columns naming 'D'", () => {
  assertThrowsArg(() => kSmallestPerRow([[1, 2], [3, NaN]], 1), "D[1][1]", "nonFinite");
  assertThrowsArg(() => kSmallestPerRow([[1, 2]], 3), "k", "domain");
  assertThrowsArg(() => kSmallestPerRow([[1, 2]], 0), "k", "domain");
  assertThrowsArg(() => kSmallestPerRow([[1, 2]], 1.5), "k", "type");
  assertThrowsArg(() => kSmallestPerRow([[1, 2]], 2, { excludeDiagonal: true }), "k", "domain");
  assertThrowsArg(() => kSmallestPerRow([[1]], 1, { excludeDiagonal: true }), "D", "shape");
  assert.equal(kSmallestPerRow(new Matrix(0, 3), 2).indices.length, 0);
});
