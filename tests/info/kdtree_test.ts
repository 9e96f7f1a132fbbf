import { assert } from "../_helpers.ts";
import { Rng } from "../../lib/core/rng.ts";
import { countWithin, KdTree, knnBrute, pointDist } from "../../lib/info/_kdtree.ts";

for (const metric of ["max", "euclidean"] as const) {
  for (const d of [1, 2, 3, 5]) {
    Deno.test(`k-d tree (${metric}, d=${d}): kNN distances and radius counts equal brute force exactly`, () => {
      const r = new Rng(d * 7 + (metric === "max" ? 1 : 2));
      const n = 700, k = 4;
      const data = new Float64Array(n * d);
      for (let i = 0; i < data.length; i++) data[i] = i % 11 === 0 ? 0.5 : r.normal(); // some exact ties
      const dt = new Float64Array(n * k), it = new Int32Array(n * k);
      new KdTree(data, n, d, metric).knnAll(k, dt, it);
      const db = new Float64Array(n * k), ib = new Int32Array(n * k);
      knnBrute(data, n, d, k, metric, db, ib);
      assert.deepEqual(Array.from(dt), Array.from(db));
      for (let i = 0; i < n; i++) {
        for (let m = 0; m < k; m++) {
          assert.notEqual(it[i * k + m], i);
          assert.equal(pointDist(data, d, i, it[i * k + m], metric), dt[i * k + m]);
        }
      }
      const radius = new Float64Array(n);
      for (let i = 0; i < n; i++) radius[i] = i % 3 === 0 ? dt[i * k + k - 1] : r.uniform(0, 1.5);
      const counts = countWithin(data, n, d, radius, metric);
      for (let i = 0; i < n; i += 7) {
        let c = 0;
        for (let j = 0; j < n; j++) if (pointDist(data, d, i, j, metric) <= radius[i]) c++;
        assert.equal(counts[i], c, `point ${i}`);
      }
    });
  }
}
