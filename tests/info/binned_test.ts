import { assert, assertClose, assertThrowsArg } from "../_helpers.ts";
import { Rng } from "../../lib/core/rng.ts";
import { binnedEntropy, binnedMi } from "../../lib/info/mod.ts";
import { fixtures } from "./_fixtures.ts";

Deno.test("binnedMi: O14 discrete labels equal sklearn.metrics.mutual_info_score (1e-12)", async () => {
  for (const c of (await fixtures()).discrete) {
    assertClose(binnedMi(c.a, c.b, { strategy: "discrete" }).value, c.mi, 1e-12, 1e-15);
  }
});

Deno.test("binnedEntropy: O17 SZT labels (2118 of 4096 ones, p = 0.51709) give H(Y) = 0.9991571 bits (1e-7)", () => {
  const y = Array.from({ length: 4096 }, (_, i) => (i < 2118 ? 1 : 0));
  assertClose(binnedEntropy(y, { strategy: "discrete", unit: "bits" }).value, 0.9991571, 0, 1e-7);
});

Deno.test("binnedMi: identity and independence — I(a;a) = H(a); Î = H(X)+H(Y)−H(X,Y) exactly", () => {
  const r = new Rng(4);
  const x = r.normalArray(500), y = x.map((v) => v + r.normal());
  const hx = binnedEntropy(x, { bins: 8 }).value, hy = binnedEntropy(y, { bins: 8 }).value;
  const hxy = binnedEntropy(Array.from(x, (v, i) => [v, y[i]]), { bins: 8 }).value;
  assertClose(binnedMi(x, y, { bins: 8 }).value, hx + hy - hxy, 1e-12);
  assertClose(binnedMi(x, x, { bins: 8 }).value, hx, 1e-12);
});

Deno.test("binnedMi: Miller–Madow removes the (Bx−1)(By−1)/(2N) plug-in bias for independent variables (20 seeds)", () => {
  const n = 1000, B = 6;
  let plug = 0, mm = 0;
  for (let s = 0; s < 20; s++) {
    const r = new Rng(s);
    const x = r.normalArray(n), y = r.normalArray(n);
    plug += binnedMi(x, y, { bins: B, strategy: "quantile" }).value / 20;
    mm += binnedMi(x, y, { bins: B, strategy: "quantile", correction: "millerMadow" }).value / 20;
  }
  const bias = ((B - 1) * (B - 1)) / (2 * n);
  assertClose(plug, bias, 0, 0.004);
  assert.ok(Math.abs(mm) < 0.004, `MM mean ${mm}`);
});

Deno.test("binnedEntropy: Miller–Madow adds (m̂ − 1)/(2N); quantile bins are equally filled; uniform bins span [min, max]", () => {
  const x = Array.from({ length: 100 }, (_, i) => i);
  const q = binnedEntropy(x, { bins: 4, strategy: "quantile" });
  assertClose(q.value, Math.log(4), 1e-14);
  const mm = binnedEntropy(x, { bins: 4, strategy: "quantile", correction: "millerMadow" });
  assertClose(mm.value, Math.log(4) + 3 / 200, 1e-14);
  assert.equal(binnedEntropy([0, 1, 2, 10], { bins: 2 }).params.occupied, 2);
  assertClose(binnedEntropy([0, 1, 2, 10], { bins: 2 }).value, -(0.75 * Math.log(0.75) + 0.25 * Math.log(0.25)), 1e-14);
});

Deno.test("binned estimators: bad inputs name the argument", () => {
  assertThrowsArg(() => binnedMi([1, 2, 3], [1, 2]), "y", "shape");
  assertThrowsArg(() => binnedMi([1, 2], [1, 2], { bins: 0 }), "options.bins", "option");
  assertThrowsArg(() => binnedMi([1, 2], [1, 2], { strategy: "equal" as never }), "options.strategy", "option");
  assertThrowsArg(() => binnedEntropy([1, NaN]), "x[1]", "nonFinite");
  assertThrowsArg(() => binnedEntropy([1]), "x", "shape");
  assertThrowsArg(() => binnedEntropy([1, 2], { correction: "mm" as never }), "options.correction", "option");
});
