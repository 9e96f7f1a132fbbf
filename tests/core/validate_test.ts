import { assert, assertThrowsArg } from "../_helpers.ts";
import {
  assertFinite,
  assertInteger,
  assertLength,
  assertNonNegative,
  assertNumber,
  assertPositive,
  assertProbability,
  assertSimplex,
  checkConstraint,
  type ConstraintTable,
  resolveOptions,
  toVector,
} from "../../lib/core/validate.ts";
import { describeValue, ParsimonyError } from "../../lib/core/errors.ts";
import { HistoryRecorder, stopwatch } from "../../lib/core/diagnostics.ts";

Deno.test("assert helpers accept valid input and name the argument (and index) otherwise", () => {
  assertFinite([1, 2], "f", "x");
  assertThrowsArg(() => assertFinite([1, Infinity], "f", "x"), "x[1]", "nonFinite");
  assertThrowsArg(() => assertFinite([1, "2" as unknown as number], "f", "x"), "x[1]", "type");
  assertPositive(1e-300, "f", "reg");
  assertThrowsArg(() => assertPositive(0, "f", "reg"), "reg", "domain");
  assertThrowsArg(() => assertPositive(-0, "f", "reg"), "reg", "domain");
  assertThrowsArg(() => assertPositive("1", "f", "reg"), "reg", "type");
  assertThrowsArg(() => assertPositive(NaN, "f", "reg"), "reg", "nonFinite");
  assertNonNegative([0, 1], "f", "a");
  assertThrowsArg(() => assertNonNegative([0, -1e-300], "f", "a"), "a[1]", "domain");
  assertProbability(0, "f", "p");
  assertProbability(1, "f", "p");
  assertThrowsArg(() => assertProbability(-0.1, "f", "p"), "p", "domain");
  assertSimplex([0.5, 0.5], "f", "p");
  assertThrowsArg(() => assertSimplex([0.5, 0.6], "f", "p"), "p", "domain");
  assertThrowsArg(() => assertSimplex([1.5, -0.5], "f", "p"), "p[1]", "domain");
  assertNumber(-3, "f", "x");
  assertThrowsArg(() => assertNumber(undefined, "f", "x"), "x", "type");
  assertInteger(3, "f", "k", 1, 5);
  assertThrowsArg(() => assertInteger(2.5, "f", "k"), "k", "type");
  assertThrowsArg(() => assertInteger(6, "f", "k", 1, 5), "k", "domain");
  assertThrowsArg(() => assertInteger(0, "f", "k", 1), "k", "domain");
  assertLength([1, 2], 2, "f", "x");
  assertThrowsArg(() => assertLength([1], 2, "f", "x"), "x", "shape");
});

Deno.test("toVector: copies array-likes to Float64Array; rejects non-arrays, empties, NaN", () => {
  const src = [1, 2];
  const v = toVector(src, "f", "x");
  assert.ok(v instanceof Float64Array);
  v[0] = 9;
  assert.equal(src[0], 1, "copy, not view");
  assert.deepEqual(toVector(new Int32Array([3]), "f", "x"), new Float64Array([3]));
  assert.equal(toVector([], "f", "x", true).length, 0);
  assertThrowsArg(() => toVector([], "f", "x"), "x", "shape");
  assertThrowsArg(() => toVector("abc", "f", "x"), "x", "type");
  assertThrowsArg(() => toVector({ length: 1, 0: 1 }, "f", "x"), "x", "type");
  assertThrowsArg(() => toVector([1, NaN], "f", "x"), "x[1]", "nonFinite");
});

interface Opts {
  tol: number;
  maxIter: number;
  method: "a" | "b";
  verbose: boolean;
  onIteration: ((i: number) => void) | undefined;
}
const DEFAULTS: Opts = Object.freeze({ tol: 1e-9, maxIter: 100, method: "a", verbose: false, onIteration: undefined });
const CONSTRAINTS: ConstraintTable<Opts> = {
  tol: { kind: "number", min: 0, minExclusive: true },
  maxIter: { kind: "number", min: 1, integer: true },
  method: { kind: "enum", values: ["a", "b"] },
  verbose: { kind: "boolean" },
  onIteration: { kind: "function" },
};

Deno.test("resolveOptions: fills defaults, keeps user values, freezes the result", () => {
  const o = resolveOptions("solver", DEFAULTS, { tol: 1e-6, method: "b", onIteration: () => {} }, CONSTRAINTS);
  assert.equal(o.tol, 1e-6);
  assert.equal(o.maxIter, 100);
  assert.equal(o.method, "b");
  assert.equal(typeof o.onIteration, "function");
  assert.ok(Object.isFrozen(o));
  assert.equal(resolveOptions("solver", DEFAULTS, undefined, CONSTRAINTS).tol, 1e-9);
  assert.equal(resolveOptions("solver", DEFAULTS, { tol: undefined }, CONSTRAINTS).tol, 1e-9);
});

Deno.test("resolveOptions: one invalid value per constraint is rejected, naming options.<key>", () => {
  const bad: [Partial<Record<keyof Opts, unknown>>, string][] = [
    [{ tol: 0 }, "options.tol"],
    [{ tol: -1 }, "options.tol"],
    [{ tol: NaN }, "options.tol"],
    [{ tol: "1e-9" }, "options.tol"],
    [{ maxIter: 1.5 }, "options.maxIter"],
    [{ maxIter: 0 }, "options.maxIter"],
    [{ method: "c" }, "options.method"],
    [{ verbose: 1 }, "options.verbose"],
    [{ onIteration: 3 }, "options.onIteration"],
  ];
  for (const [opts, arg] of bad) {
    assertThrowsArg(() => resolveOptions("solver", DEFAULTS, opts as Partial<Opts>, CONSTRAINTS), arg, "option");
  }
  const e = assertThrowsArg(
    () => resolveOptions("solver", DEFAULTS, { tols: 1 } as unknown as Partial<Opts>, CONSTRAINTS),
    "options.tols",
    "option",
  );
  assert.match(e.message, /a known option \(tol, maxIter, method, verbose, onIteration\)/);
  assertThrowsArg(
    () => resolveOptions("solver", DEFAULTS, 5 as unknown as Partial<Opts>, CONSTRAINTS),
    "options",
    "option",
  );
  assertThrowsArg(
    () => resolveOptions("solver", DEFAULTS, [] as unknown as Partial<Opts>, CONSTRAINTS),
    "options",
    "option",
  );
});

Deno.test("checkConstraint: bounds, Infinity only when unbounded above, object/any kinds", () => {
  checkConstraint("f", "x", Infinity, { kind: "number", min: 0 });
  assertThrowsArg(() => checkConstraint("f", "x", Infinity, { kind: "number", min: 0, max: 10 }), "x", "option");
  assertThrowsArg(() => checkConstraint("f", "x", 10, { kind: "number", max: 10, maxExclusive: true }), "x", "option");
  checkConstraint("f", "x", {}, { kind: "object" });
  assertThrowsArg(() => checkConstraint("f", "x", null, { kind: "object" }), "x", "option");
  checkConstraint("f", "x", Symbol("anything"), { kind: "any" });
});

Deno.test("errors: message format, fields, describeValue", () => {
  const e = new ParsimonyError({ code: "domain", fn: "f", arg: "a[3]", expected: "≥ 0", got: "-1", hint: "Use b" });
  assert.equal(e.message, "f: 'a[3]' must be ≥ 0; got -1. Use b");
  assert.ok(e instanceof Error);
  assert.equal(describeValue(NaN), "NaN");
  assert.equal(describeValue(-0), "-0");
  assert.equal(describeValue("x"), '"x"');
  assert.equal(describeValue(new Float64Array(3)), "a Float64Array of length 3");
  assert.equal(describeValue([1]), "an array of length 1");
  assert.equal(describeValue(null), "null");
  assert.equal(describeValue(() => 1), "a function");
  assert.equal(describeValue(new Map()), "a Map");
});

Deno.test("diagnostics: HistoryRecorder freezes typed traces; stopwatch is monotone", () => {
  const h = new HistoryRecorder();
  assert.ok(Number.isNaN(h.last()));
  h.push(0, 1);
  h.push(10, 0.5);
  assert.equal(h.length, 2);
  assert.equal(h.last(), 0.5);
  const f = h.freeze();
  assert.deepEqual(f.iteration, new Int32Array([0, 10]));
  assert.deepEqual(f.error, new Float64Array([1, 0.5]));
  const t = stopwatch();
  const a = t(), b = t();
  assert.ok(b >= a && a >= 0);
});
