import { assert, assertClose, assertThrowsArg } from "../_helpers.ts";
import { Rng } from "../../lib/core/rng.ts";
import { correlatedGaussian, ksg, mixedKsg } from "../../lib/info/mod.ts";
import { fixtures } from "./_fixtures.ts";

Deno.test("ksg: equals sklearn mutual_info_regression (k=3) on the committed fixtures (1e-9), N = 300…2000", async () => {
  for (const c of (await fixtures()).ksg) {
    const r = ksg(c.x, c.y, { seed: c.seed });
    assertClose(r.clipped, c.sklearn, 0, 1e-9, `N=${c.n} ρ=${c.rho}`);
  }
});

Deno.test("ksg: KSG-1 and KSG-2 equal the cKDTree reference on std-scaled data without jitter (1e-12)", async () => {
  for (const c of (await fixtures()).ksg) {
    assertClose(ksg(c.x, c.y, { jitter: 0 }).value, c.ref1, 1e-12, 1e-14, `KSG-1 N=${c.n}`);
    assertClose(ksg(c.x, c.y, { jitter: 0, variant: 2 }).value, c.ref2, 1e-12, 1e-14, `KSG-2 N=${c.n}`);
    assertClose(ksg(c.x, c.y, { jitter: 0, k: 5 }).value, c.ref1k5, 1e-12, 1e-14, `KSG-1 k=5 N=${c.n}`);
  }
});

Deno.test("ksg: multivariate x (2-D) and y (3-D), k=4, both variants equal the reference (1e-12)", async () => {
  const m = (await fixtures()).ksgMulti;
  assertClose(ksg(m.x, m.y, { k: m.k, jitter: 0 }).value, m.ref1, 1e-12);
  assertClose(ksg(m.x, m.y, { k: m.k, jitter: 0, variant: 2 }).value, m.ref2, 1e-12);
});

Deno.test("ksg: O9 ρ=0.6, k=3, N=2000: 20-seed mean within 0.01 of 0.223144", () => {
  let s = 0;
  for (let seed = 0; seed < 20; seed++) {
    const g = correlatedGaussian(2000, { mi: -0.5 * Math.log(1 - 0.36), seed: 50 + seed });
    s += ksg(g.x, g.y, { seed }).value;
  }
  assert.ok(Math.abs(s / 20 - 0.223144) < 0.01, `mean ${s / 20}`);
});

Deno.test("ksg: permutation null — independent data, 50 shuffles: |perm mean| < 0.02 nats and estimate within 3 sd (N=1000)", () => {
  const r = new Rng(21);
  const x = r.normalArray(1000), y = r.normalArray(1000);
  const est = ksg(x, y).value;
  const vals: number[] = [];
  for (let p = 0; p < 50; p++) {
    const perm = r.permutation(1000);
    vals.push(ksg(x, Array.from(perm, (i) => y[i]), { seed: p }).value);
  }
  const m = vals.reduce((a, b) => a + b) / 50;
  const sd = Math.sqrt(vals.reduce((a, b) => a + (b - m) ** 2, 0) / 49);
  assert.ok(Math.abs(m) < 0.02, `perm mean ${m}`);
  assert.ok(Math.abs(est - m) <= 3 * sd, `estimate ${est}, perm ${m} ± ${sd}`);
});

Deno.test("ksg: raw value can be negative and clipped = max(0, value); bits = nats / ln 2", () => {
  const r = new Rng(2);
  let negative = false;
  for (let s = 0; s < 10 && !negative; s++) {
    const e = ksg(r.normalArray(200), r.normalArray(200), { seed: s });
    if (e.value < 0) {
      negative = true;
      assert.equal(e.clipped, 0);
    }
  }
  assert.ok(negative, "no negative estimate on 10 independent samples");
  const x = r.normalArray(300), y = x.map((v) => v + r.normal());
  assertClose(ksg(x, y, { unit: "bits" }).value, ksg(x, y).value / Math.LN2, 1e-14);
});

Deno.test("ksg: consistent — for x = y the estimate grows ≈ log N (true MI infinite, sklearn #16457)", () => {
  const r = new Rng(9);
  const a = r.normalArray(500), b = r.normalArray(4000);
  const ea = ksg(a, a).value, eb = ksg(b, b).value;
  assertClose(eb - ea, Math.log(8), 0, 0.15);
});

Deno.test("ksg: seed fixes the jitter (same seed, same value; the value does not depend on input scale)", () => {
  const r = new Rng(4);
  const x = r.normalArray(400), y = x.map((v) => v * v + r.normal());
  assert.equal(ksg(x, y, { seed: 3 }).value, ksg(x, y, { seed: 3 }).value);
  assertClose(ksg(x.map((v) => 1e3 * v), y, { jitter: 0 }).value, ksg(x, y, { jitter: 0 }).value, 1e-12);
});

Deno.test("mixedKsg: equals sklearn mutual_info_classif (k=3) on std-scaled x, incl. a singleton class (1e-9)", async () => {
  for (const c of (await fixtures()).ross) {
    const r = mixedKsg(c.x, c.y, { seed: c.seed });
    assertClose(r.clipped, c.sklearn, 0, 1e-9);
  }
  const c = (await fixtures()).ross[1];
  assert.equal(mixedKsg(c.x, c.y).params.singletons, 1);
});

Deno.test("mixedKsg: string labels work; perfectly separated classes give ≈ log C", () => {
  const r = new Rng(1);
  const lab: string[] = [], x: number[] = [];
  for (let i = 0; i < 600; i++) {
    const c = i % 3;
    lab.push(["a", "b", "c"][c]);
    x.push(10 * c + r.normal());
  }
  assertClose(mixedKsg(x, lab).value, Math.log(3), 0, 0.02);
});

Deno.test("ksg / mixedKsg: bad inputs name the argument", () => {
  assertThrowsArg(() => ksg([1, 2, 3], [1, 2]), "y", "shape");
  assertThrowsArg(() => ksg([1], [1]), "x", "shape");
  assertThrowsArg(() => ksg([1, 2, NaN], [1, 2, 3]), "x[2]", "nonFinite");
  assertThrowsArg(() => ksg([1, 2, 3], [1, 2, 3], { k: 3 }), "options.k", "domain");
  assertThrowsArg(() => ksg([1, 2, 3], [1, 2, 3], { k: 0 }), "options.k", "option");
  assertThrowsArg(() => ksg([1, 2, 3], [1, 2, 3], { k: 1.5 }), "options.k", "option");
  assertThrowsArg(() => ksg([1, 2, 3], [1, 2, 3], { variant: 3 as never }), "options.variant", "option");
  assertThrowsArg(() => ksg([1, 2, 3], [1, 2, 3], { jitter: -1 }), "options.jitter", "option");
  assertThrowsArg(() => ksg([1, 2, 3], [1, 2, 3], { seed: -1 }), "options.seed", "option");
  assertThrowsArg(() => mixedKsg([1, 2, 3], [0, 1]), "labels", "shape");
  assertThrowsArg(() => mixedKsg([1, 2, 3], [0, 1, 2]), "labels", "domain");
  assertThrowsArg(() => mixedKsg([1, 2, 3], [0, 1, NaN]), "labels[2]", "nonFinite");
  assertThrowsArg(() => mixedKsg([1, 2, 3], [0, 0, 1], { metric: "l1" as never }), "options.metric", "option");
});
