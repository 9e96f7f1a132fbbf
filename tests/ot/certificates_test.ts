import { assert, assertClose, assertThrowsArg } from "../_helpers.ts";
import { Rng } from "../../lib/core/mod.ts";
import {
  dualGapIdentity,
  dualityGap,
  emd,
  entropicBiasBound,
  sinkhorn,
  sinkhornLog,
  sinkhornNewtonSparse,
} from "../../lib/ot/mod.ts";
import { O1, pointCost, simplex } from "./_problems.ts";

Deno.test("dualityGap: rigorous bracket dual ≤ OT_reg ≤ primal(rounded plan) for early-stopped iterates, gap → 0 at convergence", () => {
  const rng = new Rng(13);
  const a = simplex(rng, 30), b = simplex(rng, 20);
  const C = pointCost(13, 30, 20);
  const reg = 0.01;
  const star = sinkhornNewtonSparse(a, b, C, { reg, tol: 1e-13 });
  for (const it of [1, 3, 10, 50]) {
    const r = sinkhornLog(a, b, C, { reg, maxIter: it });
    const cert = dualityGap(r);
    assert.ok(cert.gap >= 0);
    assert.ok(cert.dual <= star.objective + 1e-14, `iteration ${it}: dual ${cert.dual} > OT ${star.objective}`);
    assert.ok(cert.primal >= star.objective - 1e-14, `iteration ${it}: primal ${cert.primal} < OT ${star.objective}`);
    assert.ok(cert.roundingDistance <= 2 * cert.marginalError + 1e-15);
  }
  const c = dualityGap(star);
  assert.ok(c.gap < 1e-12, `gap ${c.gap}`);
});

Deno.test("dualityGap: exact-OT bracket aᵀf + bᵀf^c ≤ OT ≤ ⟨C, P̂⟩ (OT from emd), and the bias bound", () => {
  const rng = new Rng(14);
  const a = simplex(rng, 25), b = simplex(rng, 25);
  const C = pointCost(14, 25, 25);
  const ot = emd(a, b, C).cost;
  for (const reg of [0.05, 0.005]) {
    const cert = dualityGap(sinkhornNewtonSparse(a, b, C, { reg, tol: 1e-12 }));
    assert.ok(
      cert.exactLower <= ot + 1e-13 && ot <= cert.exactUpper + 1e-13,
      `${cert.exactLower} ≤ ${ot} ≤ ${cert.exactUpper}`,
    );
    assert.ok(cert.exactUpper - ot <= cert.biasBound + 1e-12);
    assertClose(cert.biasBound, entropicBiasBound(a, b, reg), 0);
  }
});

Deno.test("T1 gap identity D(z*) − D(z) = reg·KL̃(P* ‖ P(z)) for Sinkhorn iterates and an arbitrary z (relative 1e-10)", () => {
  const rng = new Rng(15);
  const a = simplex(rng, 12), b = simplex(rng, 9);
  const C = pointCost(15, 12, 9);
  const reg = 0.05;
  const star = sinkhornLog(a, b, C, { reg, tol: 1e-15 });
  for (const it of [1, 2, 5, 20]) {
    const z = sinkhorn(a, b, C, { reg, maxIter: it });
    const id = dualGapIdentity(star, z.f, z.g);
    assert.ok(id.gap > 0);
    assertClose(id.gap, id.kl, 1e-10, 1e-16, `iteration ${it}`);
  }
  const f = rng.normalArray(12, 0, 0.01), g = rng.normalArray(9, 0, 0.01);
  const id = dualGapIdentity(star, f, g);
  assertClose(id.gap, id.kl, 1e-10);
  assertThrowsArg(() => dualGapIdentity(star, [1, 2], g), "f", "shape");
});

Deno.test("entropicBiasBound: value and validation", () => {
  const H = -(0.25 * Math.log(0.25) + 0.75 * Math.log(0.75));
  assertClose(entropicBiasBound([0.5, 0.5], [0.25, 0.75], 0.1), 0.1 * H, 1e-15);
  assertClose(entropicBiasBound([1, 1], [0.5, 1.5], 0.1), 0.1 * 2 * H, 1e-15); // mass 2
  assertThrowsArg(() => entropicBiasBound([0.5, 0.5], [0.5, 0.6], 0.1), "b", "domain");
  assertThrowsArg(() => entropicBiasBound([0.5, 0.5], [0.5, 0.5], 0), "reg", "domain");
  assertThrowsArg(() => entropicBiasBound([0.5, -0.5], [0.5, 0.5], 1), "a[1]", "domain");
});

Deno.test("O1 certificate values: dual = OT_η = 0.254218681009754, exact bracket contains 0.8", () => {
  const c = dualityGap(sinkhornLog(O1.a, O1.b, O1.C, { reg: O1.reg, tol: 1e-15 }));
  assertClose(c.dual, O1.objective, 1e-13);
  assertClose(c.primal, O1.objective, 1e-13);
  assert.ok(c.exactLower <= O1.exact && O1.exact <= c.exactUpper);
});
