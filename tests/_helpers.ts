/**
 * Test helpers shared by every test file: tolerance-aware comparisons and
 * error assertions that check the error names the right argument.
 *
 * (JSR's `@std/assert` is unreachable from these machines, so tests use
 * `node:assert` through Deno's Node compatibility plus these helpers.)
 */
import assert from "node:assert/strict";
import { ParsimonyError } from "../lib/core/errors.ts";

export { assert };

/** |a − e| ≤ atol + rtol·|e|, with a message that shows both numbers and the tolerance. */
export function assertClose(actual: number, expected: number, rtol = 1e-12, atol = 0, what = "value"): void {
  const tol = atol + rtol * Math.abs(expected);
  const ok = actual === expected || Math.abs(actual - expected) <= tol;
  if (!ok) {
    throw new assert.AssertionError({
      message: `${what}: ${actual} differs from ${expected} by ${Math.abs(actual - expected)} > tol ${tol}`,
    });
  }
}

/** Elementwise {@link assertClose} over two array-likes of equal length. */
export function assertAllClose(
  actual: ArrayLike<number>,
  expected: ArrayLike<number>,
  rtol = 1e-12,
  atol = 0,
  what = "array",
): void {
  assert.equal(actual.length, expected.length, `${what}: length ${actual.length} ≠ ${expected.length}`);
  for (let i = 0; i < actual.length; i++) assertClose(actual[i], expected[i], rtol, atol, `${what}[${i}]`);
}

/** Max |a − b| / max(|b|) over arrays: a single relative error figure. */
export function relErr(actual: ArrayLike<number>, expected: ArrayLike<number>): number {
  let num = 0, den = 0;
  for (let i = 0; i < expected.length; i++) {
    num = Math.max(num, Math.abs(actual[i] - expected[i]));
    den = Math.max(den, Math.abs(expected[i]));
  }
  return den === 0 ? num : num / den;
}

/**
 * Assert `f` throws a ParsimonyError whose `arg` equals (or matches) `arg`, optionally with a code.
 * Returns the error for further checks.
 */
export function assertThrowsArg(
  f: () => unknown,
  arg: string | RegExp,
  code?: ParsimonyError["code"],
): ParsimonyError {
  try {
    f();
  } catch (e) {
    if (!(e instanceof ParsimonyError)) {
      throw new assert.AssertionError({ message: `expected a ParsimonyError, got ${e}` });
    }
    if (typeof arg === "string" ? e.arg !== arg : !arg.test(e.arg)) {
      throw new assert.AssertionError({ message: `error names '${e.arg}', expected '${arg}': ${e.message}` });
    }
    if (code !== undefined && e.code !== code) {
      throw new assert.AssertionError({ message: `error code '${e.code}', expected '${code}': ${e.message}` });
    }
    if (!e.message.includes(e.fn) || !e.message.includes(e.arg)) {
      throw new assert.AssertionError({ message: `message does not name fn and arg: ${e.message}` });
    }
    return e;
  }
  throw new assert.AssertionError({ message: `expected a ParsimonyError naming '${arg}', nothing was thrown` });
}

/** Same as {@link assertThrowsArg} for async functions. */
export async function assertRejectsArg(
  f: () => Promise<unknown>,
  arg: string | RegExp,
  code?: ParsimonyError["code"],
): Promise<ParsimonyError> {
  let err: unknown;
  try {
    await f();
  } catch (e) {
    err = e;
  }
  return assertThrowsArg(
    () => {
      if (err !== undefined) throw err;
    },
    arg,
    code,
  );
}
