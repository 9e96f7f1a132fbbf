import { assertClose } from "../_helpers.ts";
import { erf } from "../../lib/core/special.ts";

Deno.test("erf: matches scipy.special.erf reference values (rel 2e-16) and symmetry", () => {
  // scipy.special.erf (SciPy 1.10) at these points, printed with repr
  const ref: [number, number][] = [
    [0.5, 0.5204998778130465],
    [1, 0.8427007929497148],
    [2, 0.9953222650189527],
    [1e-10, 1.1283791670955126e-10],
    [3.5, 0.9999992569016276],
  ];
  for (const [x, e] of ref) {
    assertClose(erf(x), e, 2.3e-16, 0, `erf(${x})`);
    assertClose(erf(-x), -e, 2.3e-16, 0, `erf(${-x})`);
  }
  assertClose(erf(Infinity), 1);
});
