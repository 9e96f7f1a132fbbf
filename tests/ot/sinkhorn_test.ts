import { assert, assertAllClose, assertClose, assertThrowsArg } from "../_helpers.ts";
import { Matrix, Rng } from "../../lib/core/mod.ts";
import { sinkhorn, sinkhornLog, sinkhornNewtonDense, sinkhornNewtonSparse } from "../../lib/ot/mod.ts";
import { marginals, maxAbsDiff, O1, pointCost, POT, simplex } from "./_problems.ts";

const solvers = { sinkhorn, sinkhornLog, sinkhornNewtonSparse, sinkhornNewtonDense } as const;

Deno.test("O1 2×2 closed form: P11, ⟨C,P⟩ and OT_η match the card's worked numbers to 1e-13 (all four solvers)", () => {
  for (const [name, solve] of Object.entries(solvers)) {
    const r = solve(O1.a, O1.b, O1.C, { reg: O1.reg, tol: 1e-15 });
    assertClose(r.plan.get(0, 0), O1.P11, 1e-13, 0, `${name} P11`);
    assertClose(r.cost, O1.cost, 1e-13, 0, `${name} cost`);
    assertClose(r.objective, O1.objective, 1e-13, 0, `${name} objective`);
    assertClose(r.dual, O1.objective, 1e-13, 0, `${name} dual`);
  }
});

Deno.test("O1 closed form independently: P11 is the feasible root of the quadratic P11·P22/(P12·P21) = exp(−η(C11+C22−C12−C21))", () => {
  // P12 = r1 − x, P21 = c1 − x, P22 = r2 − c1 + x; k = exp(−η(0 + 0.5 − 1 − 2)) = e^5.
  const k = Math.exp(-2 * (0 + 0.5 - 1 - 2));
  const [r1, r2] = O1.a, [c1] = O1.b;
  // x(r2 − c1 + x) = k(r1 − x)(c1 − x)  ⇒ (1 − k)x² + (r2 − c1 + k(r1 + c1))x − k r1 c1 = 0
  const A = 1 - k, B = r2 - c1 + k * (r1 + c1), Cq = -k * r1 * c1;
  const disc = Math.sqrt(B * B - 4 * A * Cq);
  const roots = [(-B + disc) / (2 * A), (-B - disc) / (2 * A)];
  const x = roots.find((t) => t > 0 && t < Math.min(r1, c1))!;
  assertClose(x, O1.P11, 1e-14);
  assertClose(sinkhornLog(O1.a, O1.b, O1.C, { reg: O1.reg, tol: 1e-15 }).plan.get(0, 0), x, 1e-13);
});

Deno.test("O2 separable cost C_ij = α_i + β_j: P* = a bᵀ and OT_η = aᵀα + bᵀβ − reg(H(a)+H(b)) to 1e-14 (×|C|/(20·reg) when larger), every reg", () => {
  const rng = new Rng(3);
  const n = 6, m = 9;
  const a = simplex(rng, n), b = simplex(rng, m);
  const al = rng.uniformArray(n, -1, 2), be = rng.uniformArray(m, 0, 3);
  const C = Matrix.zeros(n, m);
  for (let i = 0; i < n; i++) for (let j = 0; j < m; j++) C.set(i, j, al[i] + be[j]);
  const H = (p: Float64Array) => -p.reduce((s, x) => s + x * Math.log(x), 0);
  for (const reg of [0.01, 0.3, 5]) {
    const expected = a.reduce((s, x, i) => s + x * al[i], 0) + b.reduce((s, x, j) => s + x * be[j], 0) -
      reg * (H(a) + H(b));
    for (const [name, solve] of Object.entries(solvers)) {
      const r = solve(a, b, C, { reg, tol: 1e-15 });
      // f64 floor (card A2): P carries relative error ≈ eps·|C|/reg from the exponent; 1e-14 where that is ≤ 1.
      const tol = 1e-14 * Math.max(1, 5 / reg / 20);
      for (let i = 0; i < n; i++) {
        for (let j = 0; j < m; j++) assertClose(r.plan.get(i, j), a[i] * b[j], tol, 0, `${name} P[${i}][${j}]`);
      }
      assertClose(r.objective, expected, tol, 1e-15, `${name} OT_η at reg ${reg}`);
    }
  }
});

Deno.test("O3 KKT: marginals within tol, f is the Sinkhorn row map of g (Schrödinger fixed point), dual increases monotonically", () => {
  const C = pointCost(11, 40, 30);
  const rng = new Rng(11);
  const a = simplex(rng, 40), b = simplex(rng, 30);
  const reg = 0.02;
  const r = sinkhornLog(a, b, C, { reg, tol: 1e-12 });
  assert.ok(r.converged);
  const { rows, cols } = marginals(r.plan);
  let err = 0;
  for (let i = 0; i < 40; i++) err += Math.abs(rows[i] - a[i]);
  for (let j = 0; j < 30; j++) err += Math.abs(cols[j] - b[j]);
  assert.ok(err <= 1.0001e-12, `marginal error ${err}`);
  assertClose(r.marginalError, err, 1e-10, 1e-16);
  // x_i = reg·(log a_i − LSE_j((g_j − C_ij)/reg − 1))
  let dev = 0;
  for (let i = 0; i < 40; i++) {
    let mx = -Infinity;
    const row: number[] = [];
    for (let j = 0; j < 30; j++) {
      const t = (r.g[j] - C.get(i, j)) / reg - 1;
      row.push(t);
      mx = Math.max(mx, t);
    }
    const lse = mx + Math.log(row.reduce((s, t) => s + Math.exp(t - mx), 0));
    dev = Math.max(dev, Math.abs(r.f[i] - reg * (Math.log(a[i]) - lse)));
  }
  assert.ok(dev < 1e-12, `row-map deviation ${dev}`);
  for (const res of [r, sinkhornNewtonSparse(a, b, C, { reg, tol: 1e-12 })]) {
    const d = res.trace.dual;
    for (let k = 1; k < d.length; k++) {
      assert.ok(d[k] >= d[k - 1] - 1e-15 * Math.abs(d[k]), `dual decreased at row ${k}: ${d[k - 1]} → ${d[k]}`);
    }
  }
});

Deno.test("O4 strong duality: objective − dual ≤ 1e-12 (relative) at convergence, every solver", () => {
  const C = pointCost(5, 25, 35);
  const rng = new Rng(5);
  const a = simplex(rng, 25), b = simplex(rng, 35);
  for (const [name, solve] of Object.entries(solvers)) {
    for (const reg of [0.1, 0.01]) {
      const r = solve(a, b, C, { reg, tol: 1e-13 });
      assert.ok(r.converged, `${name} at ${reg}: ${r.stopReason}`);
      const gap = (r.objective - r.dual) / Math.abs(r.objective);
      assert.ok(Math.abs(gap) <= 1e-12, `${name} reg ${reg}: relative gap ${gap}`);
    }
  }
});

Deno.test("O5 invariances: gauge (f + t, g − t), C + α1ᵀ + 1βᵀ (value + aᵀα + bᵀβ), (sC, s·reg) give the same plan to 1e-12", () => {
  const C = pointCost(8, 12, 15);
  const rng = new Rng(8);
  const a = simplex(rng, 12), b = simplex(rng, 15);
  const reg = 0.05;
  const base = sinkhornLog(a, b, C, { reg, tol: 1e-14 });
  // gauge: a warm start shifted by t is already a solution
  const t = 0.37;
  const shifted = sinkhornLog(a, b, C, {
    reg,
    tol: 1e-12,
    init: { f: base.f.map((x) => x + t), g: base.g.map((x) => x - t) },
  });
  assert.ok(shifted.iterations.sinkhorn <= 1, `gauge-shifted start needed ${shifted.iterations.sinkhorn} iterations`);
  assert.ok(maxAbsDiff(shifted.plan.data, base.plan.data) < 1e-12);
  // additive row/column costs
  const al = rng.uniformArray(12, -2, 2), be = rng.uniformArray(15, -2, 2);
  const C2 = C.map((c, i, j) => c + al[i] + be[j]);
  const r2 = sinkhornLog(a, b, C2, { reg, tol: 1e-14 });
  assert.ok(maxAbsDiff(r2.plan.data, base.plan.data) < 1e-12);
  const shift = a.reduce((s, x, i) => s + x * al[i], 0) + b.reduce((s, x, j) => s + x * be[j], 0);
  assertClose(r2.objective, base.objective + shift, 1e-12, 1e-13);
  // scaling
  const s = 7.5;
  const r3 = sinkhornNewtonSparse(a, b, C.map((c) => s * c), { reg: s * reg, tol: 1e-14 });
  assert.ok(maxAbsDiff(r3.plan.data, base.plan.data) < 1e-12);
  assertClose(r3.objective, s * base.objective, 1e-12);
});

Deno.test("O6 POT 0.8.2 ot.sinkhorn fixtures: same plan to 1e-10 and ⟨M,P⟩ = ot.sinkhorn2 to 1e-12 (sinkhorn and sinkhornLog)", () => {
  for (const fx of POT.sinkhorn) {
    for (const solve of [sinkhorn, sinkhornLog]) {
      const r = solve(fx.a, fx.b, fx.M, { reg: fx.reg, tol: 1e-15 });
      assert.ok(maxAbsDiff(r.plan.data, fx.plan.flat()) < 1e-10, `${solve.name} reg ${fx.reg}`);
      assertClose(r.cost, fx.sinkhorn2, 1e-12, 0, `${solve.name} sinkhorn2`);
    }
  }
});

Deno.test("O6 POT 0.8.2 ot.bregman.sinkhorn_log fixtures at reg 0.01 and 0.002: same plan to 1e-10, potentials equal log_u·reg up to the gauge", () => {
  for (const fx of POT.sinkhorn_log) {
    const r = sinkhornLog(fx.a, fx.b, fx.M, { reg: fx.reg, tol: 1e-13 });
    assert.ok(r.converged);
    assert.ok(
      maxAbsDiff(r.plan.data, fx.plan.flat()) < 1e-10,
      `reg ${fx.reg}: ${maxAbsDiff(r.plan.data, fx.plan.flat())}`,
    );
    // POT: P = exp(log_u + log_v − M/reg) ⇒ f = reg·log_u + reg/2 + t, g = reg·log_v + reg/2 − t
    const t = r.f[0] - fx.reg * (fx.log_u[0] + 0.5);
    assertAllClose(r.f, fx.log_u.map((x) => fx.reg * (x + 0.5) + t), 0, 1e-11, "f");
    assertAllClose(r.g, fx.log_v.map((x) => fx.reg * (x + 0.5) - t), 0, 1e-11, "g");
  }
});

Deno.test("sinkhornLog is stable at reg = 1e-4·max C: finite iterates, monotone dual, error decreasing; SNS reaches 1e-11 there", () => {
  const C = pointCost(2, 30, 30);
  const r = sinkhornLog(null, null, C, { reg: 1e-4, tol: 1e-9, maxIter: 3000 });
  assert.ok(r.plan.data.every(Number.isFinite) && r.f.every(Number.isFinite) && r.g.every(Number.isFinite));
  const d = r.trace.dual, e = r.trace.error;
  for (let k = 1; k < d.length; k++) assert.ok(d[k] >= d[k - 1] - 1e-15 * Math.abs(d[k]));
  assert.ok(e[e.length - 1] < 1e-2 * e[0], `error ${e[0]} → ${e[e.length - 1]}`);
  const sns = sinkhornNewtonSparse(null, null, C, { reg: 1e-4, tol: 1e-11 });
  assert.ok(sns.converged, `${sns.stopReason} ${sns.marginalError}`);
  assert.ok(sns.marginalError <= 1e-11);
});

Deno.test("sinkhorn (scaling form) refuses an underflowing kernel with a NumericalError naming options.reg and pointing to sinkhornLog", () => {
  // C + 900 gives the same plan (O5), but exp(−C/reg) is 0 everywhere at reg = 1
  const e = assertThrowsArg(
    () => sinkhorn(null, null, [[900, 901], [901, 900]], { reg: 1 }),
    "options.reg",
    "numerical",
  );
  assert.match(e.message, /sinkhornLog/);
});

Deno.test("sinkhorn (scaling form) on a partly underflowed kernel: stopReason 'nonFinite', converged false, warning → sinkhornLog, no NaN", () => {
  // C_ij = 650(i + j) is separable: P* = a bᵀ = 1/4, but K_11 = e^-1300 = 0 in f64: the scaling form
  // solves a truncated problem; the plan recomputed from its potentials exposes it.
  const C = [[0, 650], [650, 1300]];
  const r = sinkhorn([0.5, 0.5], [0.5, 0.5], C, { reg: 1, tol: 1e-12, maxIter: 2000 });
  assert.equal(r.converged, false);
  assert.equal(r.stopReason, "nonFinite");
  assert.match(r.warning ?? "", /sinkhornLog/);
  assert.ok(r.plan.data.every((x) => !Number.isNaN(x)) && !Number.isNaN(r.cost) && !Number.isNaN(r.marginalError));
  const l = sinkhornLog([0.5, 0.5], [0.5, 0.5], C, { reg: 1, tol: 1e-14 });
  assertAllClose(l.plan.data, [0.25, 0.25, 0.25, 0.25], 1e-12); // exponents ~1300: floor 1300·eps (card A2)
});

Deno.test("zero-mass rows/columns are removed: their plan entries are 0 and potentials −∞, the rest equals the reduced problem", () => {
  const C = pointCost(4, 6, 5);
  const a = [0.2, 0, 0.3, 0.1, 0.4, 0], b = [0.25, 0.25, 0, 0.3, 0.2];
  for (const solve of [sinkhorn, sinkhornLog, sinkhornNewtonSparse]) {
    const r = solve(a, b, C, { reg: 0.05, tol: 1e-13 });
    assert.ok(r.converged);
    for (const i of [1, 5]) {
      assert.equal(r.f[i], -Infinity);
      for (let j = 0; j < 5; j++) assert.equal(r.plan.get(i, j), 0);
    }
    assert.equal(r.g[2], -Infinity);
    const sub = solve(
      [0.2, 0.3, 0.1, 0.4],
      [0.25, 0.25, 0.3, 0.2],
      [0, 2, 3, 4].map((i) => [0, 1, 3, 4].map((j) => C.get(i, j))),
      {
        reg: 0.05,
        tol: 1e-13,
      },
    );
    assertClose(r.objective, sub.objective, 1e-12);
    assert.ok(!Number.isNaN(r.dual));
  }
});

Deno.test("a total-mass mismatch within 1e-9 is removed by rescaling b; beyond it the call is rejected naming 'b'", () => {
  const C = pointCost(1, 3, 3);
  const r = sinkhornLog([0.2, 0.3, 0.5], [0.3, 0.3, 0.4 + 1e-12], C, { reg: 0.1, tol: 1e-13 });
  assert.ok(r.converged);
  assertClose(r.problem.b.reduce((s, x) => s + x, 0), 1, 1e-15);
  assertThrowsArg(() => sinkhornLog([0.2, 0.3, 0.5], [0.3, 0.3, 0.5], C, { reg: 0.1 }), "b", "domain");
});

Deno.test("history/trace: one row per iteration, errors of column-exact iterates, sinkhorn and sinkhornLog agree on the iteration count", () => {
  const C = pointCost(9, 20, 20);
  const s = sinkhorn(null, null, C, { reg: 0.02, tol: 1e-10 });
  const l = sinkhornLog(null, null, C, { reg: 0.02, tol: 1e-10 });
  assert.equal(s.iterations.sinkhorn, l.iterations.sinkhorn);
  assert.equal(l.history.iteration.length, l.iterations.sinkhorn);
  assert.deepEqual(Array.from(l.history.iteration), Array.from({ length: l.iterations.sinkhorn }, (_, k) => k + 1));
  assert.ok(l.history.error[l.history.error.length - 1] <= 1e-10);
  assertAllClose(s.history.error.slice(-5), l.history.error.slice(-5), 1e-6, 1e-15, "scaling vs log errors");
  assert.equal(l.trace.iteration.length, l.trace.seconds.length);
  assert.equal(l.stages[0].backend, "cpu");
  assert.equal(l.stages[0].precision, "f64");
});

Deno.test("maxIter stops with converged false and a final trace row; onIteration can stop the solver (stopReason 'callback')", () => {
  const C = pointCost(9, 20, 20);
  const r = sinkhornLog(null, null, C, { reg: 0.005, tol: 1e-14, maxIter: 7 });
  assert.equal(r.stopReason, "maxIter");
  assert.equal(r.converged, false);
  assert.equal(r.iterations.sinkhorn, 7);
  assert.equal(r.trace.iteration[r.trace.iteration.length - 1], 7);
  let calls = 0;
  const c = sinkhornLog(null, null, C, { reg: 0.005, onIteration: (info) => ++calls < 3 && info.stage === "sinkhorn" });
  assert.equal(c.stopReason, "callback");
  assert.equal(calls, 3);
});

Deno.test("resolved options are echoed with defaults; backend 'gpu' in the synchronous API is a BackendError pointing to the Async variant", () => {
  const r = sinkhornLog(null, null, [[0, 1], [1, 0]], { reg: 0.5 });
  assert.equal(r.options.tol, 1e-9);
  assert.equal(r.options.maxIter, 10000);
  assert.equal(r.backend, "cpu");
  const e = assertThrowsArg(
    () => sinkhornLog(null, null, [[0, 1], [1, 0]], { reg: 0.5, backend: "gpu" }),
    "options.backend",
    "backend",
  );
  assert.match(e.message, /sinkhornLogAsync/);
});
