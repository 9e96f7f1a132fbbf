/** Bad input → a ParsimonyError naming the argument, for every entropic solver (style §3.5, issue "Bad input"). */
import { assertThrowsArg } from "../_helpers.ts";
import type { ParsimonyError } from "../../lib/core/mod.ts";
import { sinkhorn, sinkhornLog, sinkhornNewtonDense, sinkhornNewtonSparse } from "../../lib/ot/mod.ts";

const C3 = [[0, 1, 2], [1, 0, 1], [2, 1, 0]];
const u3 = [1 / 3, 1 / 3, 1 / 3];
type Call = (a: unknown, b: unknown, C: unknown, o: unknown) => unknown;
const solvers: [string, Call][] = [
  ["sinkhorn", sinkhorn as unknown as Call],
  ["sinkhornLog", sinkhornLog as unknown as Call],
  ["sinkhornNewtonSparse", sinkhornNewtonSparse as unknown as Call],
  ["sinkhornNewtonDense", sinkhornNewtonDense as unknown as Call],
];
const cases: [string, unknown, unknown, unknown, unknown, string, ParsimonyError["code"]][] = [
  ["negative marginal", [0.5, -0.1, 0.6], u3, C3, { reg: 0.1 }, "a[1]", "domain"],
  ["NaN marginal", u3, [0.5, NaN, 0.5], C3, { reg: 0.1 }, "b[1]", "nonFinite"],
  ["infinite marginal", [Infinity, 0, 0], u3, C3, { reg: 0.1 }, "a[0]", "nonFinite"],
  ["zero total mass", [0, 0, 0], u3, C3, { reg: 0.1 }, "a", "domain"],
  ["unequal masses", u3, [0.5, 0.5, 0.5], C3, { reg: 0.1 }, "b", "domain"],
  ["a length ≠ rows of C", [0.5, 0.5], u3, C3, { reg: 0.1 }, "a", "shape"],
  ["b length ≠ columns of C", u3, [1], C3, { reg: 0.1 }, "b", "shape"],
  ["NaN in C", u3, u3, [[0, NaN, 2], [1, 0, 1], [2, 1, 0]], { reg: 0.1 }, "C[0][1]", "nonFinite"],
  ["Inf in C", u3, u3, [[0, 1, 2], [1, 0, 1], [2, -Infinity, 0]], { reg: 0.1 }, "C[2][1]", "nonFinite"],
  ["ragged C", u3, u3, [[0, 1, 2], [1, 0], [2, 1, 0]], { reg: 0.1 }, "C[1]", "shape"],
  ["empty C", [], [], [], { reg: 0.1 }, "C", "shape"],
  ["C not a matrix", u3, u3, "C", { reg: 0.1 }, "C", "type"],
  ["a not an array", "a", u3, C3, { reg: 0.1 }, "a", "type"],
  ["reg = 0", u3, u3, C3, { reg: 0 }, "options.reg", "option"],
  ["reg < 0", u3, u3, C3, { reg: -1 }, "options.reg", "option"],
  ["reg NaN", u3, u3, C3, { reg: NaN }, "options.reg", "option"],
  ["reg Infinity", u3, u3, C3, { reg: Infinity }, "options.reg", "option"],
  ["reg missing", u3, u3, C3, {}, "options.reg", "option"],
  ["options missing", u3, u3, C3, undefined, "options.reg", "option"],
  ["unknown option", u3, u3, C3, { reg: 0.1, tols: 1e-9 }, "options.tols", "option"],
  ["negative tol", u3, u3, C3, { reg: 0.1, tol: -1 }, "options.tol", "option"],
  ["fractional maxIter", u3, u3, C3, { reg: 0.1, maxIter: 2.5 }, "options.maxIter", "option"],
  ["unknown backend", u3, u3, C3, { reg: 0.1, backend: "tpu" }, "options.backend", "option"],
  [
    "warm start of wrong length",
    u3,
    u3,
    C3,
    { reg: 0.1, init: { f: [0, 0], g: [0, 0, 0] } },
    "options.init.f",
    "shape",
  ],
  [
    "warm start with NaN",
    u3,
    u3,
    C3,
    { reg: 0.1, init: { f: [0, 0, 0], g: [0, NaN, 0] } },
    "options.init.g[1]",
    "nonFinite",
  ],
];

for (const [name, solve] of solvers) {
  Deno.test(`${name}: bad input is a ParsimonyError naming the argument (${cases.length} cases)`, () => {
    for (const [, a, b, C, o, arg, code] of cases) assertThrowsArg(() => solve(a, b, C, o), arg, code);
  });
}
