import { assertClose } from "../_helpers.ts";
import { digamma, gammaln } from "../../lib/core/special.ts";

// Reference values from scipy.special (SciPy 1.10): digamma(1), digamma(0.5), digamma(20000), digamma(3.7),
// gammaln(0.5), gammaln(2.5), gammaln(100), gammaln(1e-3).
Deno.test("digamma: matches SciPy to 1e-15 relative, and the recurrence ψ(x + 1) = ψ(x) + 1/x", () => {
  assertClose(digamma(1), -0.5772156649015329, 1e-15);
  assertClose(digamma(0.5), -1.9635100260214235, 1e-15);
  assertClose(digamma(20000), 9.903462552327793, 1e-15);
  assertClose(digamma(3.7), 1.1671535393615115, 1e-14);
  for (const x of [0.3, 1.7, 12.5, 250]) assertClose(digamma(x + 1), digamma(x) + 1 / x, 1e-14);
});

Deno.test("gammaln: matches SciPy to 1e-14 relative, and log Γ(n) = log (n − 1)!", () => {
  assertClose(gammaln(0.5), 0.5723649429247001, 1e-15);
  assertClose(gammaln(2.5), 0.2846828704729192, 1e-14);
  assertClose(gammaln(100), 359.1342053695754, 1e-15);
  assertClose(gammaln(1e-3), 6.907178885383853, 1e-14);
  let f = 0;
  for (let n = 2; n < 30; n++) {
    f += Math.log(n - 1);
    assertClose(gammaln(n), f, 1e-13);
  }
});
