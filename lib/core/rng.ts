/**
 * Seeded random numbers: the only source of randomness in parsimony.
 *
 * One {@linkcode Rng} wraps one 32-bit Mersenne Twister (MT19937, owned by the seeded
 * `@stdlib/random-base-normal` sampler)
 * and draws every distribution from it through `@stdlib/random-base-*` samplers,
 * so a seed fixes the whole stream: the same seed gives bit-identical numbers on
 * every run, platform and JavaScript engine (the samplers use only IEEE-754
 * arithmetic and `Math` functions that stdlib implements itself).
 *
 * Seeds are integers in [0, 2^53 − 1]; they are fed to MT19937's `init_by_array`
 * as two 32-bit words, so every seed — including 0 — gives a distinct stream.
 * Use {@linkcode Rng.fork} or {@linkcode spawnSeeds} to derive independent
 * streams for replicates instead of `seed + i` by hand.
 *
 * @module
 */

import normalSampler from "@stdlib/random-base-normal";
import laplaceSampler from "@stdlib/random-base-laplace";
import gammaSampler from "@stdlib/random-base-gamma";
import exponentialSampler from "@stdlib/random-base-exponential";
import { describeValue, DomainError, TypeMismatchError } from "./errors.ts";
import { assertInteger, assertNumber, assertPositive, assertProbability, toVector } from "./validate.ts";

/** Shape of the seeded stdlib normal sampler we rely on (its published types are too loose). */
interface SeededNormal {
  (mu: number, sigma: number): number;
  /** The MT19937 `normalized` uniform generator it owns. */
  readonly PRNG: () => number;
  state: Uint32Array;
}
type Sampler2 = (a: number, b: number) => number;
type Sampler1 = (a: number) => number;
interface SamplerFactory<F> {
  factory(options: { prng: () => number }): F;
}

/**
 * Check a seed: an integer in [0, 2^53 − 1].
 *
 * @throws {TypeMismatchError} for a non-integer (e.g. `"42"` or `1.5`)
 * @throws {DomainError} for a negative seed
 * @example
 * ```ts
 * import { assertSeed } from "@parsimony/parsimony/core";
 * assertSeed(42, "demo"); // ok
 * ```
 */
export function assertSeed(seed: unknown, fn: string, arg = "seed"): asserts seed is number {
  if (typeof seed !== "number" || !Number.isInteger(seed)) {
    throw new TypeMismatchError({ fn, arg, expected: "an integer in [0, 2^53 − 1]", got: describeValue(seed) });
  }
  if (seed < 0) throw new DomainError({ fn, arg, expected: "≥ 0", got: describeValue(seed) });
}

/** Options of {@linkcode Rng.choice}. */
export interface ChoiceOptions {
  /** Draw with replacement. @default true */
  replace?: boolean;
  /** Selection probabilities (non-negative, normalised internally); uniform when omitted. */
  p?: ArrayLike<number>;
}

/**
 * A seeded random number generator.
 *
 * @example
 * ```ts
 * import { Rng } from "@parsimony/parsimony/core";
 * const r = new Rng(42);
 * const x = r.normal(); // a standard normal draw
 * const again = new Rng(42).normal();
 * x === again; // => true
 * r.permutation(5); // => e.g. Int32Array [3, 0, 4, 1, 2]
 * ```
 */
export class Rng {
  /** The seed this generator was created with. */
  readonly seed: number;
  readonly #owner: SeededNormal;
  readonly #u: () => number;
  readonly #normal: Sampler2;
  readonly #laplace: Sampler2;
  readonly #gamma: Sampler2;
  readonly #exponential: Sampler1;

  /**
   * @param seed integer in [0, 2^53 − 1]
   * @throws {TypeMismatchError} | {DomainError} for an invalid seed
   */
  constructor(seed: number) {
    assertSeed(seed, "Rng");
    this.seed = seed;
    const words = new Uint32Array([seed % 0x100000000, Math.floor(seed / 0x100000000)]);
    // The seeded normal sampler (improved ziggurat) owns the one MT19937 and needs both its
    // integer and uniform outputs; every other sampler borrows its uniform stream, so the
    // whole generator state is that one MT19937 state (getState/setState replay everything).
    const owner = (normalSampler as unknown as { factory(o: { seed: Uint32Array }): SeededNormal }).factory({
      seed: words,
    });
    this.#owner = owner;
    this.#u = owner.PRNG;
    const prng = { prng: this.#u };
    this.#normal = owner;
    this.#laplace = (laplaceSampler as unknown as SamplerFactory<Sampler2>).factory(prng);
    this.#gamma = (gammaSampler as unknown as SamplerFactory<Sampler2>).factory(prng);
    this.#exponential = (exponentialSampler as unknown as SamplerFactory<Sampler1>).factory(prng);
  }

  /** The generator state (MT19937 words); restore it with {@linkcode Rng.setState}. */
  getState(): Uint32Array {
    return this.#owner.state.slice();
  }

  /** Restore a state captured by {@linkcode Rng.getState}; the stream continues from there. */
  setState(state: Uint32Array): void {
    this.#owner.state = state;
  }

  /**
   * A uniform 32-bit unsigned integer (the top 32 of the 53 random bits of a uniform draw).
   */
  uint32(): number {
    return Math.floor(this.#u() * 0x100000000);
  }

  /**
   * Uniform on [a, b) (53-bit resolution).
   *
   * @default a 0, b 1
   * @throws {DomainError} unless a < b
   */
  uniform(a = 0, b = 1): number {
    if (a !== 0 || b !== 1) checkInterval(a, b, "Rng.uniform");
    return a + (b - a) * this.#u();
  }

  /**
   * `n` uniform draws on [a, b).
   */
  uniformArray(n: number, a = 0, b = 1): Float64Array {
    assertInteger(n, "Rng.uniformArray", "n", 0);
    checkInterval(a, b, "Rng.uniformArray");
    const out = new Float64Array(n);
    for (let i = 0; i < n; i++) out[i] = a + (b - a) * this.#u();
    return out;
  }

  /**
   * Normal N(mean, sd²).
   *
   * @default mean 0, sd 1
   * @throws {DomainError} if sd ≤ 0
   */
  normal(mean = 0, sd = 1): number {
    if (mean !== 0 || sd !== 1) {
      assertNumber(mean, "Rng.normal", "mean");
      assertPositive(sd, "Rng.normal", "sd");
    }
    return this.#normal(mean, sd);
  }

  /** `n` draws from N(mean, sd²). */
  normalArray(n: number, mean = 0, sd = 1): Float64Array {
    assertInteger(n, "Rng.normalArray", "n", 0);
    assertNumber(mean, "Rng.normalArray", "mean");
    assertPositive(sd, "Rng.normalArray", "sd");
    const out = new Float64Array(n);
    for (let i = 0; i < n; i++) out[i] = this.#normal(mean, sd);
    return out;
  }

  /**
   * `n` circularly-symmetric complex normal draws CN(0, σ²): real and imaginary parts
   * independent N(0, σ²/2), so E|z|² = σ² (the noise model of complex channels).
   *
   * @default variance 1
   */
  complexNormalArray(n: number, variance = 1): { re: Float64Array; im: Float64Array } {
    assertInteger(n, "Rng.complexNormalArray", "n", 0);
    assertPositive(variance, "Rng.complexNormalArray", "variance");
    const sd = Math.sqrt(variance / 2);
    const re = new Float64Array(n), im = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      re[i] = this.#normal(0, sd);
      im[i] = this.#normal(0, sd);
    }
    return { re, im };
  }

  /**
   * Laplace with location μ and scale b: density exp(−|x − μ|/b)/(2b); variance 2b².
   *
   * @default mu 0, scale 1
   */
  laplace(mu = 0, scale = 1): number {
    assertNumber(mu, "Rng.laplace", "mu");
    assertPositive(scale, "Rng.laplace", "scale");
    return this.#laplace(mu, scale);
  }

  /** `n` Laplace(μ, b) draws. */
  laplaceArray(n: number, mu = 0, scale = 1): Float64Array {
    assertInteger(n, "Rng.laplaceArray", "n", 0);
    assertNumber(mu, "Rng.laplaceArray", "mu");
    assertPositive(scale, "Rng.laplaceArray", "scale");
    const out = new Float64Array(n);
    for (let i = 0; i < n; i++) out[i] = this.#laplace(mu, scale);
    return out;
  }

  /**
   * Gamma with shape k and scale θ (mean kθ, variance kθ²).
   *
   * @default scale 1
   */
  gamma(shape: number, scale = 1): number {
    assertPositive(shape, "Rng.gamma", "shape");
    assertPositive(scale, "Rng.gamma", "scale");
    // stdlib parameterises by rate β = 1/θ.
    return this.#gamma(shape, 1 / scale);
  }

  /** `n` Gamma(k, θ) draws. */
  gammaArray(n: number, shape: number, scale = 1): Float64Array {
    assertInteger(n, "Rng.gammaArray", "n", 0);
    assertPositive(shape, "Rng.gammaArray", "shape");
    assertPositive(scale, "Rng.gammaArray", "scale");
    const out = new Float64Array(n);
    for (let i = 0; i < n; i++) out[i] = this.#gamma(shape, 1 / scale);
    return out;
  }

  /**
   * Exponential with rate λ (mean 1/λ).
   *
   * @default rate 1
   */
  exponential(rate = 1): number {
    assertPositive(rate, "Rng.exponential", "rate");
    return this.#exponential(rate);
  }

  /** `n` Exponential(λ) draws. */
  exponentialArray(n: number, rate = 1): Float64Array {
    assertInteger(n, "Rng.exponentialArray", "n", 0);
    assertPositive(rate, "Rng.exponentialArray", "rate");
    const out = new Float64Array(n);
    for (let i = 0; i < n; i++) out[i] = this.#exponential(rate);
    return out;
  }

  /**
   * Bernoulli(p): 1 with probability p, else 0.
   */
  bernoulli(p: number): 0 | 1 {
    assertProbability(p, "Rng.bernoulli", "p");
    return this.#u() < p ? 1 : 0;
  }

  /** `n` Bernoulli(p) draws as 0/1 bytes. */
  bernoulliArray(n: number, p: number): Uint8Array {
    assertInteger(n, "Rng.bernoulliArray", "n", 0);
    assertProbability(p, "Rng.bernoulliArray", "p");
    const out = new Uint8Array(n);
    for (let i = 0; i < n; i++) out[i] = this.#u() < p ? 1 : 0;
    return out;
  }

  /**
   * Uniform integer in {0, …, n − 1}. Bias is below n/2^53 (negligible for n < 2^32).
   */
  integer(n: number): number {
    assertInteger(n, "Rng.integer", "n", 1);
    return Math.floor(this.#u() * n);
  }

  /**
   * A uniformly random permutation of 0..n−1 (Fisher–Yates).
   */
  permutation(n: number): Int32Array {
    assertInteger(n, "Rng.permutation", "n", 0, 2 ** 31 - 1);
    const p = new Int32Array(n);
    for (let i = 0; i < n; i++) p[i] = i;
    this.#shuffleInPlace(p);
    return p;
  }

  /**
   * Shuffle an array in place (Fisher–Yates) and return it.
   */
  shuffle<T extends { length: number; [i: number]: unknown }>(x: T): T {
    this.#shuffleInPlace(x);
    return x;
  }

  #shuffleInPlace(x: { length: number; [i: number]: unknown }): void {
    for (let i = x.length - 1; i > 0; i--) {
      const j = Math.floor(this.#u() * (i + 1));
      const t = x[i];
      x[i] = x[j];
      x[j] = t;
    }
  }

  /**
   * Draw `k` indices from {0, …, n − 1}, uniformly or with probabilities `p`, with or
   * without replacement. Weighted draws without replacement are sequential: each pick
   * is removed and the rest renormalised (numpy's `choice(replace=False, p=…)` semantics).
   *
   * @throws {DomainError} if k > n without replacement, or p has no positive mass
   * @example
   * ```ts
   * import { Rng } from "@parsimony/parsimony/core";
   * new Rng(1).choice(10, 3, { replace: false }).length; // => 3
   * ```
   */
  choice(n: number, k: number, options: ChoiceOptions = {}): Int32Array {
    assertInteger(n, "Rng.choice", "n", 1, 2 ** 31 - 1);
    assertInteger(k, "Rng.choice", "k", 0);
    const replace = options.replace ?? true;
    if (!replace && k > n) {
      throw new DomainError({ fn: "Rng.choice", arg: "k", expected: `≤ n = ${n} without replacement`, got: String(k) });
    }
    const out = new Int32Array(k);
    if (options.p === undefined) {
      if (replace) {
        for (let i = 0; i < k; i++) out[i] = Math.floor(this.#u() * n);
      } else {
        // Partial Fisher–Yates: only the first k positions are needed.
        const idx = new Int32Array(n);
        for (let i = 0; i < n; i++) idx[i] = i;
        for (let i = 0; i < k; i++) {
          const j = i + Math.floor(this.#u() * (n - i));
          const t = idx[i];
          idx[i] = idx[j];
          idx[j] = t;
          out[i] = idx[i];
        }
      }
      return out;
    }
    const p = toVector(options.p, "Rng.choice", "options.p");
    if (p.length !== n) {
      throw new DomainError({
        fn: "Rng.choice",
        arg: "options.p",
        expected: `length n = ${n}`,
        got: `length ${p.length}`,
      });
    }
    let total = 0;
    for (let i = 0; i < n; i++) {
      if (p[i] < 0) {
        throw new DomainError({ fn: "Rng.choice", arg: `options.p[${i}]`, expected: "≥ 0", got: String(p[i]) });
      }
      total += p[i];
    }
    if (!(total > 0)) {
      throw new DomainError({
        fn: "Rng.choice",
        arg: "options.p",
        expected: "positive total mass",
        got: String(total),
      });
    }
    if (replace) {
      const cdf = new Float64Array(n);
      let c = 0;
      for (let i = 0; i < n; i++) cdf[i] = c += p[i] / total;
      for (let t = 0; t < k; t++) {
        const u = this.#u() * c;
        let lo = 0, hi = n - 1;
        while (lo < hi) {
          const mid = (lo + hi) >> 1;
          if (cdf[mid] > u) hi = mid;
          else lo = mid + 1;
        }
        out[t] = lo;
      }
      return out;
    }
    let positive = 0;
    for (let i = 0; i < n; i++) if (p[i] > 0) positive++;
    if (k > positive) {
      throw new DomainError({
        fn: "Rng.choice",
        arg: "k",
        expected: `≤ the ${positive} entries with p > 0 without replacement`,
        got: String(k),
      });
    }
    const w = p.slice();
    let rest = total;
    for (let t = 0; t < k; t++) {
      let u = this.#u() * rest;
      let pick = -1;
      for (let i = 0; i < n; i++) {
        if (w[i] <= 0) continue;
        pick = i;
        u -= w[i];
        if (u < 0) break;
      }
      out[t] = pick;
      rest -= w[pick];
      w[pick] = 0;
    }
    return out;
  }

  /**
   * An independent child generator, seeded from this stream (advances this one by two draws).
   *
   * @example
   * ```ts
   * import { Rng } from "@parsimony/parsimony/core";
   * const child = new Rng(7).fork();
   * child.seed === new Rng(7).fork().seed; // => true
   * ```
   */
  fork(): Rng {
    const hi = Math.floor(this.#u() * 0x200000); // 21 bits: keep the seed below 2^53
    const lo = this.uint32();
    return new Rng(hi * 0x100000000 + lo);
  }
}

function checkInterval(a: number, b: number, fn: string): void {
  assertNumber(a, fn, "a");
  assertNumber(b, fn, "b");
  if (!(a < b)) throw new DomainError({ fn, arg: "b", expected: `> a = ${a}`, got: String(b) });
}

/**
 * Create a seeded generator (shorthand for `new Rng(seed)`).
 *
 * @example
 * ```ts
 * import { rng } from "@parsimony/parsimony/core";
 * rng(0).uniform() === rng(0).uniform(); // => true
 * ```
 */
export function rng(seed: number): Rng {
  return new Rng(seed);
}

/**
 * `count` well-separated seeds derived from one master seed by the SplitMix64 mixer
 * (in 32-bit halves), for replicates: `spawnSeeds(seed, 5)` instead of `seed + i`, whose
 * streams are as unrelated as MT19937 allows but whose seeds are easy to collide across
 * experiments.
 *
 * @returns integers in [0, 2^53 − 1]
 * @example
 * ```ts
 * import { spawnSeeds } from "@parsimony/parsimony/core";
 * spawnSeeds(42, 3).length; // => 3
 * spawnSeeds(42, 3)[0] === spawnSeeds(42, 3)[0]; // => true
 * ```
 */
export function spawnSeeds(seed: number, count: number): number[] {
  assertSeed(seed, "spawnSeeds");
  assertInteger(count, "spawnSeeds", "count", 0);
  const out: number[] = [];
  let state = BigInt(seed);
  const mask = (1n << 64n) - 1n;
  for (let i = 0; i < count; i++) {
    state = (state + 0x9e3779b97f4a7c15n) & mask;
    let z = state;
    z = ((z ^ (z >> 30n)) * 0xbf58476d1ce4e5b9n) & mask;
    z = ((z ^ (z >> 27n)) * 0x94d049bb133111ebn) & mask;
    z = z ^ (z >> 31n);
    out.push(Number(z >> 11n)); // top 53 bits
  }
  return out;
}
