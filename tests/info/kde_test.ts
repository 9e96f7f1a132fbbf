import { assert, assertClose, assertThrowsArg } from "../_helpers.ts";
import { adaptiveKdeMi, kdeMiBounds } from "../../lib/info/mod.ts";
import { fixtures } from "./_fixtures.ts";

Deno.test("kdeMiBounds: O7 T=[[0,0],[1,0],[0,1],[3,3]], s²=0.5: upper I(X;T) = 1.0446283124 nats (1e-12)", () => {
  const r = kdeMiBounds([[0, 0], [1, 0], [0, 1], [3, 3]], null, { noiseVariance: 0.5 });
  assertClose(r.value, 1.0446283124, 0, 1e-10);
  assertClose(r.ixt.upper, r.value, 0);
  assert.ok(r.ixt.lower <= r.ixt.upper);
  // H_up = I_up + (d/2) log(2πe s²)
  assertClose(r.hT.upper, r.value + Math.log(2 * Math.PI * Math.E * 0.5), 1e-14);
  assert.equal(r.ity, null);
});

Deno.test("kdeMiBounds: upper/lower I(X;T) and I(T;Y) equal the ibsgd kde.py formulas in NumPy (1e-12)", async () => {
  const f = (await fixtures()).kde;
  const r = kdeMiBounds(f.t, f.labels, { noiseVariance: f.s2 });
  assertClose(r.ixt.upper, f.ixtUp, 1e-12);
  assertClose(r.ixt.lower, f.ixtLow, 1e-12);
  assertClose(r.ity!.upper, f.ityUp, 1e-11);
  assertClose(r.ity!.lower, f.ityLow, 1e-11);
  const b = kdeMiBounds(f.t, f.labels, { noiseVariance: f.s2, unit: "bits" });
  assertClose(b.ity!.upper, f.ityUp / Math.LN2, 1e-11);
});

Deno.test("kdeMiBounds: I(X;T) ∈ [0, log N]; → log N as s² → 0 for distinct points; → 0 as s² → ∞", () => {
  const t = [[0, 0], [1, 0], [0, 1], [3, 3], [2, 2]];
  assertClose(kdeMiBounds(t, null, { noiseVariance: 1e-6 }).value, Math.log(5), 1e-12);
  assert.ok(kdeMiBounds(t, null, { noiseVariance: 1e8 }).value < 1e-7);
});

Deno.test("adaptiveKdeMi: s² = κ·max|T| (variance) or (κ·max|T|)² (std); equals kdeMiBounds at that s²", () => {
  const t = [[0.1, -0.9], [0.4, 0.2], [-0.5, 0.3], [0.8, 0.6]], y = [0, 1, 0, 1];
  const a = adaptiveKdeMi(t, y, { kappa: 0.2 });
  assertClose(a.params.noiseVariance, 0.18, 1e-15);
  const k = kdeMiBounds(t, y, { noiseVariance: 0.18 });
  assertClose(a.value, k.ixt.upper, 1e-15);
  assertClose(a.ity!, k.ity!.upper, 1e-15);
  const s = adaptiveKdeMi(t, y, { kappa: 0.2, scale: "std", bound: "lower" });
  assertClose(s.params.noiseVariance, 0.18 * 0.18, 1e-15);
  assertClose(s.value, kdeMiBounds(t, y, { noiseVariance: 0.0324 }).ixt.lower, 1e-15);
  // scale-invariance of the "std" rule: multiplying T by 10 leaves it unchanged
  const t10 = t.map((r) => r.map((v) => 10 * v));
  assertClose(adaptiveKdeMi(t10, y, { scale: "std" }).value, adaptiveKdeMi(t, y, { scale: "std" }).value, 1e-12);
});

Deno.test("KDE estimators: bad inputs name the argument", () => {
  assertThrowsArg(() => kdeMiBounds([[0], [1]], null, { noiseVariance: 0 }), "options.noiseVariance", "option");
  assertThrowsArg(() => kdeMiBounds([[0], [1]], [0, 1, 1]), "labels", "shape");
  assertThrowsArg(() => kdeMiBounds([[0]]), "t", "shape");
  assertThrowsArg(() => adaptiveKdeMi([[0], [0]]), "t", "domain");
  assertThrowsArg(() => adaptiveKdeMi([[0], [1]], null, { kappa: -1 }), "options.kappa", "option");
  assertThrowsArg(() => adaptiveKdeMi([[0], [1]], null, { scale: "var" as never }), "options.scale", "option");
});
