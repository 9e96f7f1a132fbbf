import { assertThrowsArg } from "../_helpers.ts";
import * as ad from "../../lib/autodiff/mod.ts";
import type { Tensor } from "../../lib/autodiff/mod.ts";

const t = ad.tensor;
const x23 = t([[1, 2, 3], [4, 5, 6]]);

// Bad input → a ParsimonyError naming the argument (and its index where one entry is at fault).
const cases: [string, () => unknown, string, string][] = [
  ["tensor: ragged rows", () => t([[1, 2], [3]] as number[][]), "x[1]", "shape"],
  ["tensor: NaN entry", () => t([1, NaN]), "x[1]", "nonFinite"],
  ["tensor: rank 5", () => t([[[[[1]]]]] as unknown as number[]), "x", "shape"],
  ["tensor: flat length vs shape", () => t([1, 2, 3], [2, 2]), "shape", "shape"],
  ["tensor: a string", () => t("1" as unknown as number), "x", "type"],
  ["zeros: negative dimension", () => ad.zeros([2, -1]), "shape[1]", "shape"],
  ["add: shapes that do not broadcast", () => ad.add(x23, t([1, 2])), "b", "shape"],
  ["add: a string operand", () => ad.add(x23, "1" as unknown as number), "b", "type"],
  ["matmul: inner dimensions differ", () => ad.matmul(x23, x23), "b", "shape"],
  ["matmul: a vector", () => ad.matmul(t([1, 2]), x23), "a", "shape"],
  ["matmul: batch axes differ", () => ad.matmul(ad.zeros([2, 2, 3]), ad.zeros([3, 3, 1])), "b", "shape"],
  ["reshape: size mismatch", () => ad.reshape(x23, [4, 2]), "shape", "shape"],
  ["transpose: not a permutation", () => ad.transpose(x23, [0, 0]), "perm", "shape"],
  ["sum: axis out of range", () => ad.sum(x23, 2), "axes", "shape"],
  ["softmax: axis out of range", () => ad.softmax(x23, -3), "axis", "shape"],
  ["slice: end beyond the axis", () => ad.slice(x23, [0, 0], [3, 3]), "begin[0]/end[0]", "shape"],
  ["gather: index out of range", () => ad.gather(x23, [0, 2]), "indices[1]", "shape"],
  ["concat: mismatched shapes", () => ad.concat([x23, t([[1, 2]])], 0), "xs[1]", "shape"],
  ["concat: empty list", () => ad.concat([]), "xs", "shape"],
  ["broadcastTo: incompatible", () => ad.broadcastTo(x23, [3, 3]), "shape", "shape"],
  ["clamp: min > max", () => ad.clamp(x23, 2, 1), "max", "shape"],
  ["leakyRelu: slope NaN", () => ad.leakyRelu(x23, NaN), "slope", "nonFinite"],
  ["crossEntropy: label out of range", () => ad.crossEntropy(x23, [3, 0]), "target[0]", "type"],
  ["crossEntropy: wrong number of labels", () => ad.crossEntropy(x23, [0]), "target", "shape"],
  ["crossEntropy: rank-3 logits", () => ad.crossEntropy(ad.zeros([1, 2, 3]), [0]), "logits", "shape"],
  ["mseLoss: shapes differ", () => ad.mseLoss(x23, t([1, 2, 3])), "target", "shape"],
  [
    "mseLoss: unknown reduction",
    () => ad.mseLoss(x23, x23, { reduction: "avg" as "mean" }),
    "options.reduction",
    "option",
  ],
  ["binaryCrossEntropy: shapes differ", () => ad.binaryCrossEntropy(t([0.5]), t([1, 0])), "target", "shape"],
  ["item: more than one entry", () => x23.item(), "this", "shape"],
  ["valueAndGrad: non-scalar output", () => ad.valueAndGrad((p) => ad.mul(p, 2), x23), "f", "shape"],
  [
    "valueAndGrad: params holds a number",
    () => ad.valueAndGrad(() => ad.sum(x23), { a: 1 as unknown as Tensor }),
    "params.a",
    "type",
  ],
  ["vjp: a primal that is not a tensor", () => ad.vjp((a) => a, [1] as unknown as Tensor), "primals[0]", "type"],
  ["vjp: cotangent of the wrong shape", () => ad.vjp((a) => a, x23).vjp(t([1, 2])), "cotangent", "shape"],
  [
    "customVjp: fwd not a function",
    () => ad.customVjp("c", 1 as unknown as () => { out: Tensor }, () => []),
    "fwd",
    "type",
  ],
  [
    "checkGrads: unknown option",
    () => ad.checkGrads(ad.exp, [x23], { tol: 1 } as unknown as { eps: number }),
    "options.tol",
    "option",
  ],
];
for (const [name, f, arg, code] of cases) {
  Deno.test(`rejects ${name}, naming '${arg}'`, () => {
    assertThrowsArg(f, arg, code as "shape");
  });
}
