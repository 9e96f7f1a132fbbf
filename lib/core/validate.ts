/**
 * Input validation at the public boundary, shared by every module.
 *
 * Public functions convert and check their arguments once with these helpers
 * and trust them afterwards; inner loops never re-check. Every failure is a
 * {@linkcode ParsimonyError} subclass naming the function and the argument.
 *
 * Options objects are checked against a declarative constraint table
 * ({@linkcode resolveOptions}), as scikit-learn's `_parameter_constraints`:
 * unknown keys are rejected (a notebook typo like `tols` must not be ignored),
 * defaults are filled in from one frozen literal, and the resolved object is
 * what solvers echo back in their diagnostics.
 *
 * @module
 */

import { describeValue, DomainError, NonFiniteError, OptionError, ShapeError, TypeMismatchError } from "./errors.ts";

/** Anything indexable with numbers: `number[]`, `Float64Array`, `Float32Array`, … */
export type VectorLike = ArrayLike<number>;

/**
 * Check that every entry of `x` is a finite number.
 *
 * @param x values to check
 * @param fn public function name, for the message
 * @param arg argument name, for the message
 * @throws {NonFiniteError} naming the first non-finite index
 * @throws {TypeMismatchError} if an entry is not a number
 * @example
 * ```ts
 * import { assertFinite } from "@parsimony/parsimony/core";
 * assertFinite([1, 2, 3], "demo", "x"); // ok
 * // assertFinite([1, NaN], "demo", "x") throws "demo: 'x[1]' must be finite; got NaN"
 * ```
 */
export function assertFinite(x: VectorLike, fn: string, arg: string): void {
  for (let i = 0; i < x.length; i++) {
    const v = x[i];
    if (typeof v !== "number") {
      throw new TypeMismatchError({ fn, arg: `${arg}[${i}]`, expected: "a number", got: describeValue(v) });
    }
    if (!Number.isFinite(v)) {
      throw new NonFiniteError({ fn, arg: `${arg}[${i}]`, expected: "finite", got: describeValue(v) });
    }
  }
}

/**
 * Check that a scalar is a finite number strictly greater than zero.
 *
 * @throws {TypeMismatchError} if not a number
 * @throws {NonFiniteError} if NaN or infinite
 * @throws {DomainError} if ≤ 0
 * @example
 * ```ts
 * import { assertPositive } from "@parsimony/parsimony/core";
 * assertPositive(0.1, "sinkhorn", "reg"); // ok
 * // assertPositive(0, "sinkhorn", "reg") throws "sinkhorn: 'reg' must be > 0; got 0"
 * ```
 */
export function assertPositive(x: unknown, fn: string, arg: string): asserts x is number {
  assertNumber(x, fn, arg);
  if (!(x > 0)) throw new DomainError({ fn, arg, expected: "> 0", got: describeValue(x) });
}

/**
 * Check that every entry of a vector is finite and ≥ 0 (a mass, a weight, a count).
 *
 * @throws {NonFiniteError} | {DomainError} naming the index
 * @example
 * ```ts
 * import { assertNonNegative } from "@parsimony/parsimony/core";
 * assertNonNegative([0, 0.5, 0.5], "emd", "a"); // ok
 * ```
 */
export function assertNonNegative(x: VectorLike, fn: string, arg: string): void {
  assertFinite(x, fn, arg);
  for (let i = 0; i < x.length; i++) {
    if (x[i] < 0) {
      throw new DomainError({ fn, arg: `${arg}[${i}]`, expected: "non-negative", got: describeValue(x[i]) });
    }
  }
}

/**
 * Check that a scalar is a probability, 0 ≤ p ≤ 1.
 *
 * @throws {DomainError} if outside [0, 1]
 * @example
 * ```ts
 * import { assertProbability } from "@parsimony/parsimony/core";
 * assertProbability(0.3, "bernoulli", "p"); // ok
 * // assertProbability(1.5, "bernoulli", "p") throws "bernoulli: 'p' must be in [0, 1]; got 1.5"
 * ```
 */
export function assertProbability(p: unknown, fn: string, arg: string): asserts p is number {
  assertNumber(p, fn, arg);
  if (!(p >= 0 && p <= 1)) throw new DomainError({ fn, arg, expected: "in [0, 1]", got: describeValue(p) });
}

/**
 * Check that a vector is a probability vector: entries ≥ 0 summing to 1 within `tol`.
 *
 * @param tol allowed |Σp − 1| (default 1e-9)
 * @throws {DomainError} naming the first negative entry or the sum
 * @example
 * ```ts
 * import { assertSimplex } from "@parsimony/parsimony/core";
 * assertSimplex([0.25, 0.75], "demo", "p"); // ok
 * ```
 */
export function assertSimplex(p: VectorLike, fn: string, arg: string, tol = 1e-9): void {
  assertNonNegative(p, fn, arg);
  let s = 0;
  for (let i = 0; i < p.length; i++) s += p[i];
  if (!(Math.abs(s - 1) <= tol)) {
    throw new DomainError({ fn, arg, expected: `to sum to 1 (within ${tol})`, got: `sum ${s}` });
  }
}

/**
 * Check that a scalar is a finite number.
 *
 * @throws {TypeMismatchError} | {NonFiniteError}
 * @example
 * ```ts
 * import { assertNumber } from "@parsimony/parsimony/core";
 * assertNumber(2.5, "demo", "x"); // ok
 * ```
 */
export function assertNumber(x: unknown, fn: string, arg: string): asserts x is number {
  if (typeof x !== "number") throw new TypeMismatchError({ fn, arg, expected: "a number", got: describeValue(x) });
  if (!Number.isFinite(x)) throw new NonFiniteError({ fn, arg, expected: "finite", got: describeValue(x) });
}

/**
 * Check that a scalar is an integer in `[min, max]`.
 *
 * @throws {TypeMismatchError} if not an integer | {DomainError} if out of range
 * @example
 * ```ts
 * import { assertInteger } from "@parsimony/parsimony/core";
 * assertInteger(3, "ksg", "k", 1, 10); // ok
 * ```
 */
export function assertInteger(
  x: unknown,
  fn: string,
  arg: string,
  min: number = Number.MIN_SAFE_INTEGER,
  max: number = Number.MAX_SAFE_INTEGER,
): asserts x is number {
  if (typeof x !== "number" || !Number.isInteger(x)) {
    throw new TypeMismatchError({ fn, arg, expected: "an integer", got: describeValue(x) });
  }
  if (x < min || x > max) {
    throw new DomainError({ fn, arg, expected: rangeText(min, max), got: describeValue(x) });
  }
}

function rangeText(min: number, max: number): string {
  if (min === Number.MIN_SAFE_INTEGER) return `≤ ${max}`;
  if (max === Number.MAX_SAFE_INTEGER) return `≥ ${min}`;
  return `in [${min}, ${max}]`;
}

/**
 * Check that a length matches an expected one.
 *
 * @throws {ShapeError}
 * @example
 * ```ts
 * import { assertLength } from "@parsimony/parsimony/core";
 * assertLength([1, 2, 3], 3, "demo", "x"); // ok
 * ```
 */
export function assertLength(x: VectorLike, n: number, fn: string, arg: string): void {
  if (x.length !== n) throw new ShapeError({ fn, arg, expected: `length ${n}`, got: `length ${x.length}` });
}

/**
 * Convert a vector argument to a fresh `Float64Array`, checking it is array-like, non-empty
 * (unless `allowEmpty`) and finite.
 *
 * @throws {TypeMismatchError} | {ShapeError} | {NonFiniteError}
 * @example
 * ```ts
 * import { toVector } from "@parsimony/parsimony/core";
 * toVector([1, 2], "demo", "x"); // => Float64Array [1, 2]
 * ```
 */
export function toVector(x: unknown, fn: string, arg: string, allowEmpty = false): Float64Array {
  if (!isArrayLikeOfNumbers(x)) {
    throw new TypeMismatchError({ fn, arg, expected: "an array of numbers", got: describeValue(x) });
  }
  if (!allowEmpty && x.length === 0) throw new ShapeError({ fn, arg, expected: "non-empty", got: "length 0" });
  assertFinite(x, fn, arg);
  return Float64Array.from(x);
}

function isArrayLikeOfNumbers(x: unknown): x is VectorLike {
  if (Array.isArray(x)) return true;
  if (ArrayBuffer.isView(x) && !(x instanceof DataView)) {
    return !(x instanceof BigInt64Array || x instanceof BigUint64Array);
  }
  return false;
}

/** One entry of an options constraint table (see {@linkcode resolveOptions}). */
export type Constraint =
  | {
    readonly kind: "number";
    readonly min?: number;
    readonly max?: number;
    /** If true, `min` itself is not allowed. */
    readonly minExclusive?: boolean;
    /** If true, `max` itself is not allowed. */
    readonly maxExclusive?: boolean;
    readonly integer?: boolean;
  }
  | { readonly kind: "enum"; readonly values: readonly (string | number)[] }
  | { readonly kind: "boolean" }
  | { readonly kind: "function" }
  | { readonly kind: "object" }
  | { readonly kind: "any" };

/** A constraint per option key; keys not in the table are rejected. */
export type ConstraintTable<T> = { readonly [K in keyof T]-?: Constraint };

/**
 * Merge user options over frozen defaults, rejecting unknown keys and values that break
 * their constraint. `undefined` values in `options` fall back to the default.
 *
 * @param fn public function name
 * @param defaults default value of every option (may be `undefined` for optional callbacks)
 * @param options what the user passed (or `undefined`)
 * @param constraints one constraint per key of `defaults`
 * @returns a new frozen object with every key resolved
 * @throws {OptionError} for an unknown key or a value outside its constraint
 * @example
 * ```ts
 * import { resolveOptions } from "@parsimony/parsimony/core";
 * const o = resolveOptions("demo", { tol: 1e-9, maxIter: 100 }, { tol: 1e-6 }, {
 *   tol: { kind: "number", min: 0, minExclusive: true },
 *   maxIter: { kind: "number", min: 1, integer: true },
 * });
 * o.tol; // => 1e-6
 * o.maxIter; // => 100
 * ```
 */
export function resolveOptions<T extends object>(
  fn: string,
  defaults: T,
  options: Partial<T> | undefined,
  constraints: ConstraintTable<T>,
): Readonly<T> {
  const out = { ...defaults } as Record<string, unknown>;
  if (options !== undefined && options !== null) {
    if (typeof options !== "object" || Array.isArray(options)) {
      throw new OptionError({ fn, arg: "options", expected: "an object", got: describeValue(options) });
    }
    const known = Object.keys(constraints);
    for (const [key, value] of Object.entries(options)) {
      if (!(key in constraints)) {
        throw new OptionError({
          fn,
          arg: `options.${key}`,
          expected: `a known option (${known.join(", ")})`,
          got: "an unknown key",
        });
      }
      if (value === undefined) continue;
      checkConstraint(fn, `options.${key}`, value, (constraints as Record<string, Constraint>)[key]);
      out[key] = value;
    }
  }
  return Object.freeze(out) as Readonly<T>;
}

/**
 * Check one value against one {@linkcode Constraint}.
 *
 * @throws {OptionError}
 * @example
 * ```ts
 * import { checkConstraint } from "@parsimony/parsimony/core";
 * checkConstraint("demo", "options.k", 3, { kind: "number", min: 1, integer: true }); // ok
 * ```
 */
export function checkConstraint(fn: string, arg: string, value: unknown, c: Constraint): void {
  const fail = (expected: string): never => {
    throw new OptionError({ fn, arg, expected, got: describeValue(value) });
  };
  switch (c.kind) {
    case "number": {
      if (typeof value !== "number" || Number.isNaN(value)) fail("a number");
      const v = value as number;
      if (c.integer && !Number.isInteger(v)) fail("an integer");
      if (c.min !== undefined && (c.minExclusive ? !(v > c.min) : !(v >= c.min))) {
        fail(`${c.minExclusive ? ">" : "≥"} ${c.min}`);
      }
      if (c.max !== undefined && (c.maxExclusive ? !(v < c.max) : !(v <= c.max))) {
        fail(`${c.maxExclusive ? "<" : "≤"} ${c.max}`);
      }
      if (!Number.isFinite(v) && !(v === Infinity && c.max === undefined)) fail("finite");
      return;
    }
    case "enum":
      if (!c.values.includes(value as string | number)) {
        fail(`one of ${c.values.map((v) => JSON.stringify(v)).join(", ")}`);
      }
      return;
    case "boolean":
      if (typeof value !== "boolean") fail("a boolean");
      return;
    case "function":
      if (typeof value !== "function") fail("a function");
      return;
    case "object":
      if (typeof value !== "object" || value === null) fail("an object");
      return;
    case "any":
      return;
  }
}
