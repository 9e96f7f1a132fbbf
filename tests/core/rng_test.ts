import { assert, assertThrowsArg } from "../_helpers.ts";
import { Rng, rng, spawnSeeds } from "../../lib/core/rng.ts";
import { mean, variance } from "../../lib/core/reduce.ts";

const N = 100_000;

/** |sample mean − μ| and |sample var − σ²| each within 5 standard errors (SE from the exact 4th moment). */
function checkMoments(name: string, xs: ArrayLike<number>, mu: number, sigma2: number, mu4: number): void {
  const m = mean(xs);
  const v = variance(xs, 1);
  const seMean = Math.sqrt(sigma2 / xs.length);
  const seVar = Math.sqrt((mu4 - sigma2 * sigma2) / xs.length);
  assert.ok(Math.abs(m - mu) <= 5 * seMean, `${name}: mean ${m} vs ${mu} (5 SE = ${5 * seMean})`);
  assert.ok(Math.abs(v - sigma2) <= 5 * seVar, `${name}: variance ${v} vs ${sigma2} (5 SE = ${5 * seVar})`);
}

Deno.test("rng: same seed gives bit-identical streams for every distribution", () => {
  const draw = (seed: number) => {
    const r = new Rng(seed);
    return [
      ...r.uniformArray(50),
      ...r.normalArray(50, 1, 2),
      ...r.laplaceArray(50, 0, 3),
      ...r.gammaArray(50, 0.7, 2),
      ...r.exponentialArray(50, 4),
      ...r.bernoulliArray(50, 0.3),
      ...r.permutation(20),
      ...r.choice(10, 20, { p: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10] }),
      ...r.choice(10, 5, { replace: false }),
    ];
  };
  const a = draw(12345), b = draw(12345), c = draw(12346);
  assert.deepEqual(a, b);
  assert.notDeepEqual(a, c);
});

Deno.test("rng: seed 0 and seeds above 2^32 give distinct, valid streams", () => {
  const s0 = new Rng(0).uniformArray(5);
  const s1 = new Rng(1).uniformArray(5);
  const big = new Rng(2 ** 40 + 1).uniformArray(5);
  const big2 = new Rng(1 + 2 ** 41).uniformArray(5);
  assert.notDeepEqual(s0, s1);
  assert.notDeepEqual(big, s1); // the high word matters
  assert.notDeepEqual(big, big2);
  for (const v of [...s0, ...big]) assert.ok(v >= 0 && v < 1);
});

Deno.test("rng: uniform stream equals the reference MT19937 (numpy init_by_array fixture), bit for bit", async () => {
  const fx = JSON.parse(await Deno.readTextFile(new URL("../fixtures/core/mt19937_streams.json", import.meta.url)));
  for (const { seed, stream } of fx.cases as { seed: number; stream: number[] }[]) {
    // The seeded normal sampler draws one uniform at construction: ours starts at the reference's 2nd value.
    assert.deepEqual(Array.from(new Rng(seed).uniformArray(10)), stream.slice(1), `seed ${seed}`);
  }
});

Deno.test("rng: getState/setState replays the stream", () => {
  const r = new Rng(7);
  r.normalArray(10);
  const st = r.getState();
  const x = r.normalArray(5);
  r.setState(st);
  assert.deepEqual(r.normalArray(5), x);
});

Deno.test("rng: fork and spawnSeeds are deterministic and distinct", () => {
  assert.equal(new Rng(3).fork().seed, new Rng(3).fork().seed);
  const s = spawnSeeds(99, 10);
  assert.deepEqual(s, spawnSeeds(99, 10));
  assert.equal(new Set(s).size, 10);
  for (const v of s) assert.ok(Number.isSafeInteger(v) && v >= 0);
  assert.notDeepEqual(spawnSeeds(98, 3), spawnSeeds(99, 3));
});

Deno.test("rng: uniform(2, 5) moments within 5 SE over 1e5 draws", () => {
  const w = 3;
  checkMoments("uniform", rng(1).uniformArray(N, 2, 5), 3.5, w * w / 12, w ** 4 / 80);
});

Deno.test("rng: normal(1, 2) moments within 5 SE over 1e5 draws", () => {
  checkMoments("normal", rng(2).normalArray(N, 1, 2), 1, 4, 3 * 16);
});

Deno.test("rng: laplace(−1, 0.5) moments within 5 SE over 1e5 draws", () => {
  const b = 0.5;
  checkMoments("laplace", rng(3).laplaceArray(N, -1, b), -1, 2 * b * b, 24 * b ** 4);
});

Deno.test("rng: gamma(shape, scale) moments within 5 SE for shape < 1 and > 1", () => {
  for (const [k, th, seed] of [[0.5, 2, 4], [3, 0.7, 5]]) {
    checkMoments(`gamma(${k},${th})`, rng(seed).gammaArray(N, k, th), k * th, k * th * th, 3 * k * (k + 2) * th ** 4);
  }
});

Deno.test("rng: exponential(rate 2.5) moments within 5 SE over 1e5 draws", () => {
  const l = 2.5;
  checkMoments("exponential", rng(6).exponentialArray(N, l), 1 / l, 1 / (l * l), 9 / l ** 4);
});

Deno.test("rng: bernoulli(0.3) moments within 5 SE over 1e5 draws", () => {
  const p = 0.3;
  const xs = Float64Array.from(rng(7).bernoulliArray(N, p));
  const v = p * (1 - p);
  checkMoments("bernoulli", xs, p, v, v * (1 - 3 * p + 3 * p * p));
});

Deno.test("rng: permutation is a permutation and each position is uniform (5 SE)", () => {
  const r = rng(8);
  const n = 5, reps = 20_000;
  const counts = new Float64Array(n * n);
  for (let t = 0; t < reps; t++) {
    const p = r.permutation(n);
    assert.deepEqual([...p].sort(), [0, 1, 2, 3, 4]);
    for (let i = 0; i < n; i++) counts[i * n + p[i]]++;
  }
  const q = 1 / n, se = Math.sqrt(reps * q * (1 - q));
  for (const c of counts) assert.ok(Math.abs(c - reps * q) <= 5 * se, `count ${c} vs ${reps * q}`);
});

Deno.test("rng: weighted choice frequencies within 5 SE of p; without replacement gives distinct indices", () => {
  const p = [0.1, 0.2, 0.3, 0.4];
  const xs = rng(9).choice(4, N, { p });
  const counts = [0, 0, 0, 0];
  for (const v of xs) counts[v]++;
  p.forEach((pi, i) => {
    const se = Math.sqrt(N * pi * (1 - pi));
    assert.ok(Math.abs(counts[i] - N * pi) <= 5 * se, `choice ${i}: ${counts[i]} vs ${N * pi}`);
  });
  const r = rng(10);
  for (let t = 0; t < 100; t++) {
    const s = r.choice(10, 10, { replace: false });
    assert.equal(new Set(s).size, 10);
    const w = r.choice(6, 3, { replace: false, p: [0, 1, 1, 1, 1, 0] });
    assert.equal(new Set(w).size, 3);
    for (const v of w) assert.ok(v >= 1 && v <= 4, "zero-weight index drawn");
  }
});

Deno.test("rng: bad seeds and parameters name the argument", () => {
  assertThrowsArg(() => new Rng("42" as unknown as number), "seed", "type");
  assertThrowsArg(() => new Rng(1.5), "seed", "type");
  assertThrowsArg(() => new Rng(-1), "seed", "domain");
  assertThrowsArg(() => new Rng(NaN), "seed", "type");
  assertThrowsArg(() => spawnSeeds(1.2, 3), "seed");
  const r = rng(0);
  assertThrowsArg(() => r.normal(0, -1), "sd", "domain");
  assertThrowsArg(() => r.normal(NaN, 1), "mean", "nonFinite");
  assertThrowsArg(() => r.gamma(0), "shape", "domain");
  assertThrowsArg(() => r.exponential(-2), "rate", "domain");
  assertThrowsArg(() => r.laplace(0, 0), "scale", "domain");
  assertThrowsArg(() => r.bernoulli(1.5), "p", "domain");
  assertThrowsArg(() => r.uniform(1, 1), "b", "domain");
  assertThrowsArg(() => r.uniformArray(-1), "n", "domain");
  assertThrowsArg(() => r.choice(3, 4, { replace: false }), "k", "domain");
  assertThrowsArg(() => r.choice(3, 2, { p: [1, -1, 1] }), "options.p[1]", "domain");
  assertThrowsArg(() => r.choice(3, 2, { p: [1, 1] }), "options.p", "domain");
  assertThrowsArg(() => r.choice(3, 2, { p: [1, NaN, 1] }), "options.p[1]", "nonFinite");
});
