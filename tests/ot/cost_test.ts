import { assert, assertAllClose, assertClose, assertThrowsArg } from "../_helpers.ts";
import { Matrix } from "../../lib/core/mod.ts";
import { euclidean, gridCost, sqeuclidean, wasserstein } from "../../lib/ot/mod.ts";

Deno.test("sqeuclidean / euclidean: hand values, 1-D flat arrays, Y omitted = X, symmetric zero diagonal", () => {
  assert.deepEqual(sqeuclidean([[0, 0], [1, 1]], [[1, 0]]).toArray(), [[1], [1]]);
  assert.deepEqual(sqeuclidean([0, 3]).toArray(), [[0, 9], [9, 0]]);
  assert.deepEqual(sqeuclidean(new Float64Array([1, 2]), [4]).toArray(), [[9], [4]]);
  assertClose(euclidean([[0, 0]], [[3, 4]]).get(0, 0), 5, 0);
  const X = Matrix.fromRows([[0.1, 0.2, 0.3], [1, -1, 2], [5, 5, 5]]);
  const D = euclidean(X);
  for (let i = 0; i < 3; i++) {
    assert.equal(D.get(i, i), 0);
    for (let j = 0; j < 3; j++) assert.equal(D.get(i, j), D.get(j, i));
  }
  // differences, not the ‖x‖² + ‖y‖² − 2xy expansion: no cancellation for nearby large points
  assertClose(sqeuclidean([[1e8]], [[1e8 + 1]]).get(0, 0), 1, 0);
});

Deno.test("gridCost: unit-cube spacing by default, explicit spacing, cityblock, powers", () => {
  assertAllClose(gridCost([3], 1).data, [0, 0.5, 1, 0.5, 0, 0.5, 1, 0.5, 0], 1e-15);
  assertAllClose(gridCost([3], 2).data, [0, 0.25, 1, 0.25, 0, 0.25, 1, 0.25, 0], 1e-15);
  const G = gridCost([2, 3], 1, { spacing: 1 });
  // cell k = (row, col) with col fastest: cell 0 = (0,0), cell 5 = (1,2)
  assertClose(G.get(0, 5), Math.sqrt(5), 1e-15);
  assertClose(gridCost([2, 3], 1, { spacing: 1, metric: "cityblock" }).get(0, 5), 3, 0);
  assertClose(gridCost([2, 2], 2, { spacing: 1 }).get(0, 3), 2, 1e-15);
  assertClose(gridCost([2, 2], 2, { spacing: [2, 1] }).get(0, 3), 5, 1e-15);
  assertClose(gridCost([4], 3).get(0, 3), 1, 1e-15);
  assert.equal(gridCost([1], 1).get(0, 0), 0);
});

Deno.test("wasserstein: W_p from a ground distance, exactly and entropically", () => {
  assertClose(wasserstein([1, 0, 0], [0, 0, 1], gridCost([3], 1)).distance, 1, 1e-15);
  const a = [0.5, 0.5, 0, 0], b = [0, 0, 0.5, 0.5];
  const D = gridCost([4], 1, { spacing: 1 });
  assertClose(wasserstein(a, b, D, { p: 1 }).distance, 2, 1e-15);
  assertClose(wasserstein(a, b, D, { p: 2 }).distance, 2, 1e-15);
  const w = wasserstein(a, b, D, { p: 2, method: "sns", reg: 1e-3 });
  assert.ok(w.distance >= 2 - 1e-12 && w.distance < 2.01);
  assert.equal(w.method, "sns");
  assertThrowsArg(() => wasserstein(a, b, D, { method: "sinkhornLog" }), "options.reg", "option");
  assertThrowsArg(() => wasserstein(a, b, D, { p: 0.5 }), "options.p", "option");
});

Deno.test("cost helpers reject bad input naming the argument", () => {
  assertThrowsArg(() => sqeuclidean([[0, 0]], [[1, 2, 3]]), "Y", "shape");
  assertThrowsArg(() => sqeuclidean([[0, NaN]]), "X[0][1]", "nonFinite");
  assertThrowsArg(() => gridCost([], 1), "shape", "shape");
  assertThrowsArg(() => gridCost([3, 0], 1), "shape[1]", "domain");
  assertThrowsArg(() => gridCost([3], -1), "p", "domain");
  assertThrowsArg(() => gridCost([3], 1, { spacing: [-1] }), "options.spacing", "domain");
  // deno-lint-ignore no-explicit-any
  assertThrowsArg(() => gridCost([3], 1, { metric: "chebyshev" as any }), "options.metric", "option");
});
