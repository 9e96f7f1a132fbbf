import { assert, assertClose, assertThrowsArg } from "../_helpers.ts";
import { Rng } from "../../lib/core/mod.ts";
import { gridCost, sinkhornLog, sinkhornNewtonDense, sinkhornNewtonSparse, SNS_DEFAULTS } from "../../lib/ot/mod.ts";
import { assignmentCost, e3Densities, maxAbsDiff, pointCost, simplex } from "./_problems.ts";

Deno.test("O10 SNS ≡ Sinkhorn fixed point: the same plan as sinkhornLog run to 1e-13, to 1e-10 (points, assignment, non-square)", () => {
  const rng = new Rng(21);
  const cases = [
    { a: simplex(rng, 40), b: simplex(rng, 40), C: pointCost(21, 40, 40), reg: 0.01 },
    { a: null, b: null, C: assignmentCost(22, 50), reg: 1 / 300 },
    { a: simplex(rng, 25), b: simplex(rng, 60), C: pointCost(23, 25, 60, 3), reg: 0.005 },
  ];
  for (const { a, b, C, reg } of cases) {
    const ref = sinkhornLog(a, b, C, { reg, tol: 1e-13, maxIter: 200000 });
    assert.ok(ref.converged);
    for (const rule of ["union", "top", "mass"] as const) {
      const s = sinkhornNewtonSparse(a, b, C, { reg, tol: 1e-13, sparsity: { rule } });
      assert.ok(s.converged, `${rule}: ${s.stopReason} at ${s.marginalError}`);
      assert.ok(
        maxAbsDiff(s.plan.data, ref.plan.data) < 1e-10,
        `${rule}: plan differs by ${maxAbsDiff(s.plan.data, ref.plan.data)}`,
      );
      assertClose(s.objective, ref.objective, 1e-12);
    }
  }
});

Deno.test("card E1 scaled (random assignment, n = 100, η = 300, 5 seeds): SNS reaches ‖∇‖₁ ≤ 1e-12 in 20 + 6…15 Newton steps", () => {
  for (let seed = 0; seed < 5; seed++) {
    const s = sinkhornNewtonSparse(null, null, assignmentCost(seed, 100), { reg: 1 / 300, tol: 1e-12 });
    assert.ok(s.converged, `seed ${seed}: ${s.stopReason} at ${s.marginalError}`);
    assert.ok(s.marginalError <= 1e-12);
    assert.equal(s.iterations.sinkhorn, 20);
    assert.ok(
      s.iterations.newton >= 6 && s.iterations.newton <= 15,
      `seed ${seed}: ${s.iterations.newton} Newton steps`,
    );
  }
});

Deno.test("card E3 W2 (1-D densities, η = 1200): entropic ⟨C,P*⟩ = 0.008212774858 and 20 + ≤ 20 Newton steps", () => {
  const { r, c } = e3Densities();
  const s = sinkhornNewtonSparse(r, c, gridCost([200], 2), { reg: 1 / 1200, tol: 1e-12 });
  assert.ok(s.converged);
  assertClose(s.cost, 0.008212774858, 1e-10);
  assert.ok(s.iterations.newton <= 20, `${s.iterations.newton} Newton steps`);
});

Deno.test("card E3 W1 (ℓ1 cost, η = 1200, N1 = 200, rule C): entropic ⟨C,P*⟩ = 0.083615753141 within 40 Newton steps", () => {
  const { r, c } = e3Densities();
  const s = sinkhornNewtonSparse(r, c, gridCost([200], 1), { reg: 1 / 1200, tol: 1e-12, sinkhornIters: 200 });
  assert.ok(s.converged, `${s.stopReason} ${s.marginalError}`);
  assertClose(s.cost, 0.083615753141, 1e-10);
  assert.ok(s.iterations.newton <= 40, `${s.iterations.newton} Newton steps`);
});

Deno.test("card A3 pitfall: rule A ('top', k = 2(n+m)) stalls on 1-D W2 where rule C ('union', default) converges", () => {
  const { r, c } = e3Densities();
  const C = gridCost([200], 2);
  const top = sinkhornNewtonSparse(r, c, C, { reg: 1 / 1200, tol: 1e-12, maxIter: 60, sparsity: { rule: "top" } });
  const union = sinkhornNewtonSparse(r, c, C, { reg: 1 / 1200, tol: 1e-12, maxIter: 60 });
  assert.equal(top.converged, false);
  assert.ok(top.marginalError > 1e-6, `top reached ${top.marginalError}`);
  assert.ok(union.converged);
});

Deno.test("diagnostics: iterations, hessianDensity = (n+m+2·nnz)/(n+m)², per-step trace (nnz, α, CG), stages, resolved data-dependent defaults", () => {
  const n = 60, m = 50;
  const s = sinkhornNewtonSparse(null, null, pointCost(31, n, m), { reg: 0.003, tol: 1e-12 });
  assert.ok(s.converged);
  const N = n + m;
  const newtonRows = Array.from(s.trace.stage).map((x, k) => [x, k] as const).filter(([x]) => x === 1).map(([, k]) =>
    k
  );
  assert.equal(newtonRows.length, s.iterations.newton);
  const last = newtonRows[newtonRows.length - 1];
  assertClose(s.hessianDensity!, (N + 2 * s.trace.nnz[last]) / (N * N), 1e-15);
  for (const k of newtonRows) {
    assert.ok(s.trace.nnz[k] > 0 && s.trace.cg[k] > 0 && s.trace.step[k] > 0 && s.trace.step[k] <= 1);
  }
  assert.equal(s.options.sparsity.keep, 2 * N);
  assert.equal(s.options.cgMaxIter, undefined);
  assert.equal(s.options.sparsity.rule, SNS_DEFAULTS.sparsity.rule);
  assert.deepEqual(s.stages.map((x) => x.stage), ["sinkhorn", "newton"]);
  assert.deepEqual(Array.from(s.trace.iteration), Array.from({ length: s.trace.iteration.length }, (_, k) => k + 1));
  assert.equal(s.trace.iteration[s.trace.iteration.length - 1], s.iterations.sinkhorn + s.iterations.newton);
});

Deno.test("the warm-up alone can converge (no Newton step, hessianDensity null); a converged warm start needs ≤ 1 iteration", () => {
  const C = pointCost(3, 15, 15);
  const s = sinkhornNewtonSparse(null, null, C, { reg: 1, tol: 1e-10 });
  assert.ok(s.converged);
  assert.equal(s.iterations.newton, 0);
  assert.equal(s.hessianDensity, null);
  const r = sinkhornNewtonSparse(null, null, C, { reg: 0.01, tol: 1e-12 });
  const w = sinkhornNewtonSparse(null, null, C, { reg: 0.01, tol: 1e-11, init: { f: r.f, g: r.g } });
  assert.ok(w.iterations.sinkhorn + w.iterations.newton <= 1);
});

Deno.test("adaptive switch (card A3, ours) converges to the same plan; switchRule 'fixed' runs exactly sinkhornIters sweeps", () => {
  const C = assignmentCost(4, 60);
  const f = sinkhornNewtonSparse(null, null, C, { reg: 1 / 300, tol: 1e-12, sinkhornIters: 35 });
  assert.equal(f.iterations.sinkhorn, 35);
  const a = sinkhornNewtonSparse(null, null, C, { reg: 1 / 300, tol: 1e-12, switchRule: "adaptive" });
  assert.ok(f.converged && a.converged);
  assert.ok(a.iterations.sinkhorn >= 20);
  assert.ok(maxAbsDiff(a.plan.data, f.plan.data) < 1e-10);
});

Deno.test("dense Sinkhorn–Newton (card A4) agrees with SNS to 1e-10 and converges in few Newton steps", () => {
  const rng = new Rng(41);
  const a = simplex(rng, 30), b = simplex(rng, 20);
  const C = pointCost(41, 30, 20);
  const d = sinkhornNewtonDense(a, b, C, { reg: 0.005, tol: 1e-12 });
  const s = sinkhornNewtonSparse(a, b, C, { reg: 0.005, tol: 1e-12 });
  assert.ok(d.converged && s.converged);
  assert.ok(maxAbsDiff(d.plan.data, s.plan.data) < 1e-10);
  assert.equal(d.hessianDensity, 1);
  assert.ok(
    d.iterations.newton <= s.iterations.newton + 2,
    `dense ${d.iterations.newton} vs sparse ${s.iterations.newton}`,
  );
});

Deno.test("stops: maxIter counts Newton steps; an unreachable tol ends as 'stalled' at the f64 floor, never NaN", () => {
  const C = assignmentCost(5, 40);
  const m = sinkhornNewtonSparse(null, null, C, { reg: 1 / 300, tol: 1e-14, maxIter: 2 });
  assert.equal(m.iterations.newton, 2);
  assert.equal(m.stopReason, "maxIter");
  const s = sinkhornNewtonSparse(null, null, C, { reg: 1 / 300, tol: 0 });
  assert.equal(s.stopReason, "stalled");
  assert.ok(s.marginalError < 1e-12 && Number.isFinite(s.marginalError));
});

Deno.test("SNS option validation names the nested key: options.sparsity.rule, options.sparsity.delta, options.cgTol", () => {
  const C = [[0, 1], [1, 0]];
  assertThrowsArg(
    () => sinkhornNewtonSparse(null, null, C, { reg: 0.1, sparsity: { rule: "dense" as unknown as "top" } }),
    "options.sparsity.rule",
    "option",
  );
  assertThrowsArg(
    () => sinkhornNewtonSparse(null, null, C, { reg: 0.1, sparsity: { delta: 1 } }),
    "options.sparsity.delta",
    "option",
  );
  assertThrowsArg(
    () => sinkhornNewtonSparse(null, null, C, { reg: 0.1, sparsity: { keepp: 3 } as unknown as { keep: number } }),
    "options.sparsity.keepp",
    "option",
  );
  assertThrowsArg(() => sinkhornNewtonSparse(null, null, C, { reg: 0.1, cgTol: 0 }), "options.cgTol", "option");
});
