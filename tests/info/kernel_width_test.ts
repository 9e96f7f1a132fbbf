import { assert, assertClose, assertThrowsArg } from "../_helpers.ts";
import { Rng } from "../../lib/core/rng.ts";
import { csQmi, kernelWidth, sigmaSweep } from "../../lib/info/mod.ts";
import { fixtures } from "./_fixtures.ts";

Deno.test("kernelWidth: medianDist equals NumPy's median of the i<j Euclidean distances (1e-14)", async () => {
  const f = (await fixtures()).cs;
  assertClose(kernelWidth(f.x, "medianDist"), f.medianDist, 1e-14);
  assert.equal(kernelWidth([0, 1, 3], "medianDist"), 2);
});

Deno.test("kernelWidth: silverman and scott closed forms with ŝ = √(mean column variance)", () => {
  const x = [[0, 1], [2, 2], [4, 0], [1, 5], [3, 3]];
  const v0 = 2.5, v1 = 3.7; // sample variances (ddof 1) of the two columns
  const s = Math.sqrt((v0 + v1) / 2), n = 5, d = 2;
  assertClose(kernelWidth(x, "silverman"), s * Math.pow(4 / ((d + 2) * n), 1 / (d + 4)), 1e-14);
  assertClose(kernelWidth(x, "scott"), s * Math.pow(n, -1 / (d + 4)), 1e-14);
  assert.equal(kernelWidth(x, 0.3), 0.3);
});

Deno.test("kernelWidth: subsampling above maxSamples is seeded (same seed, same σ)", () => {
  const x = new Rng(0).normalArray(3000);
  const a = kernelWidth(x, "medianDist", { maxSamples: 500, seed: 4 });
  assert.equal(kernelWidth(x, "medianDist", { maxSamples: 500, seed: 4 }), a);
  assert.ok(Math.abs(a - 0.954) < 0.1); // median |N(0,2)| = √2·0.6745
});

Deno.test("kernelWidth: releasedCode floors at 0.01 before × 10", () => {
  assertClose(kernelWidth([0, 1e-4, 2e-4], "releasedCode"), 0.1, 1e-15);
});

Deno.test("sigmaSweep: one estimate per σ, in order, with the unit", () => {
  const x = [0, 1, 2, 3, 4], t = [0, 1, 1, 3, 5];
  const s = sigmaSweep([0.5, 1, 2], (sigma) => csQmi(x, t, { sigmaX: sigma, sigmaT: sigma, unit: "bits" }));
  assert.deepEqual(Array.from(s.sigma), [0.5, 1, 2]);
  assert.equal(s.unit, "bits");
  assert.equal(s.value[1], csQmi(x, t, { unit: "bits" }).value);
});

Deno.test("kernelWidth / sigmaSweep: bad inputs name the argument", () => {
  assertThrowsArg(() => kernelWidth([1], "scott"), "z", "shape");
  assertThrowsArg(() => kernelWidth([1, 2], "mean" as never), "rule", "option");
  assertThrowsArg(() => kernelWidth([1, 2], -2), "rule", "domain");
  assertThrowsArg(() => kernelWidth([1, 1, 1], "medianDist"), "rule", "domain");
  assertThrowsArg(() => kernelWidth([1, 1, 1], "silverman"), "rule", "domain");
  assertThrowsArg(() => kernelWidth([1, 2], "scott", { maxSamples: 1 }), "options.maxSamples", "option");
  assertThrowsArg(() => sigmaSweep([1, 0], () => csQmi([0, 1], [0, 1])), "sigmas[1]", "domain");
  assertThrowsArg(() => sigmaSweep([], () => csQmi([0, 1], [0, 1])), "sigmas", "domain");
});
