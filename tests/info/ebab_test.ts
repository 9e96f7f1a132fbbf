import { assert, assertClose, assertThrowsArg } from "../_helpers.ts";
import { Rng } from "../../lib/core/rng.ts";
import { adaptiveBinningMi, EBAB_LOW_TANH, ebabEdges, fixedBinningMi } from "../../lib/info/mod.ts";
import { fixtures } from "./_fixtures.ts";

Deno.test("adaptiveBinningMi: H(T) and I(T;Y) equal the adaptive_estimators binning rule (NumPy, tanh and ReLU, B = 5, 30)", async () => {
  for (const c of (await fixtures()).ebab) {
    const r = adaptiveBinningMi(c.t, c.labels, { bins: c.bins });
    assertClose(r.hT, c.hT, 1e-12, 0, `${c.activation} B=${c.bins} H`);
    assertClose(r.value, c.hT, 1e-12); // distinct inputs: I(X;T) = H(T)
    assertClose(r.ity!, c.ity, 1e-12, 1e-15, `${c.activation} B=${c.bins} I(T;Y)`);
    assert.equal(r.params.low, c.activation === "tanh" ? EBAB_LOW_TANH : 0);
  }
});

Deno.test("adaptiveBinningMi: O13 — bounds, rank invariance under ReLU scaling, all-distinct ⇒ log2 N", () => {
  const r = new Rng(3);
  const n = 256;
  const t = Array.from(
    { length: n },
    () => [Math.max(0, r.normal()), Math.max(0, r.normal()), Math.max(0, r.normal())],
  );
  const y = Array.from({ length: n }, () => (r.uniform() < 0.4 ? 1 : 0));
  const a = adaptiveBinningMi(t, y, { unit: "bits" });
  const hy = -(0.4 * Math.log2(0.4) + 0.6 * Math.log2(0.6));
  assert.ok(a.value <= Math.log2(n) + 1e-12);
  const p1 = y.filter((v) => v === 1).length / n;
  const hyEmp = -(p1 * Math.log2(p1) + (1 - p1) * Math.log2(1 - p1));
  assert.ok(a.ity! <= hyEmp + 1e-12 && hy > 0);
  // g(v) = 3v keeps ReLU's low = 0 fixed: rank-based edges ⇒ identical H(T), I(T;Y)
  const scaled = t.map((row) => row.map((v) => 3 * v));
  const b = adaptiveBinningMi(scaled, y, { unit: "bits" });
  assert.equal(b.value, a.value);
  assert.equal(b.ity, a.ity);
  // fixed-width binning on [0, 1] changes under the same scaling
  const f1 = fixedBinningMi(t, y, { range: [0, 1] }), f3 = fixedBinningMi(scaled, y, { range: [0, 1] });
  assert.notEqual(f1.value, f3.value);
  // all distinct patterns (B ≥ number of unique values): H = log2 N
  const distinct = Array.from({ length: 64 }, (_, i) => [i / 64]);
  assertClose(adaptiveBinningMi(distinct, null, { bins: 64, unit: "bits" }).value, 6, 1e-14);
});

Deno.test("ebabEdges: equal unique-value counts, [low] first, the maximum last", () => {
  const e = ebabEdges([0, 0, 0, 1, 2, 3, 4, 5, 6, 7], 4, 0);
  // u = [1..7] (0 = low excluded), |u| = 7: indices int(k·7/4) = 0, 1, 3, 5 → 1, 2, 4, 6; max 7
  assert.deepEqual(Array.from(e), [0, 1, 2, 4, 6, 7]);
});

Deno.test("adaptiveBinningMi: inputIds — repeated inputs give I(X;T) = H(T) − H(T|X) (here 0 for a deterministic map)", () => {
  const t = [[0.1], [0.1], [0.5], [0.5], [0.9], [0.9]];
  const r = adaptiveBinningMi(t, null, { inputIds: [0, 0, 1, 1, 2, 2], bins: 3 });
  assertClose(r.value, Math.log(3), 1e-14);
  const s = adaptiveBinningMi(t, null, { inputIds: [0, 1, 2, 3, 4, 5], bins: 3 });
  assertClose(s.value, Math.log(3), 1e-14);
  assert.equal(s.params.inputIds, true);
});

Deno.test("fixedBinningMi: [−1, 1] collapses ReLU activations above 1 (IDNNs #12); binWidth reproduces ⌊v/0.07⌋", () => {
  const t = [[1.5], [2.5], [3.5], [0.5]];
  assertClose(
    fixedBinningMi(t, null, { unit: "bits" }).value,
    -(0.75 * Math.log2(0.75) + 0.25 * Math.log2(0.25)),
    1e-14,
  );
  assertClose(fixedBinningMi(t, null, { range: "zeroToMax", unit: "bits" }).value, 2, 1e-14);
  const w = fixedBinningMi([[0.01], [0.06], [0.08], [0.2]], null, { binWidth: 0.07, unit: "bits" });
  assertClose(w.value, 1.5, 1e-14); // bins 0, 0, 1, 2
});

Deno.test("layer binning estimators: bad inputs name the argument", () => {
  assertThrowsArg(() => adaptiveBinningMi([[1], [2]], [0]), "labels", "shape");
  assertThrowsArg(() => adaptiveBinningMi([[1], [NaN]]), "t[1][0]", "nonFinite");
  assertThrowsArg(() => adaptiveBinningMi([[1], [2]], null, { bins: 0 }), "options.bins", "option");
  assertThrowsArg(() => adaptiveBinningMi([[1], [2]], null, { low: "tanh" as never }), "options.low", "domain");
  assertThrowsArg(() => adaptiveBinningMi([[1], [2]], null, { inputIds: [0] }), "options.inputIds", "shape");
  assertThrowsArg(() => fixedBinningMi([[1], [2]], null, { range: [1, 1] }), "options.range", "domain");
  assertThrowsArg(() => fixedBinningMi([[1], [2]], null, { binWidth: 0 }), "options.binWidth", "domain");
});
