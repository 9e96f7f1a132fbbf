import { assert, assertAllClose, assertThrowsArg } from "../_helpers.ts";
import { choleskySolve, eigSym, Matrix, Rng } from "../../lib/core/mod.ts";
import { hessVec, pcg, PcgWorkspace } from "../../lib/ot/_pcg.ts";
import { SparseWorkspace, tailMass } from "../../lib/ot/_sparsify.ts";
import { sinkhornLog } from "../../lib/ot/mod.ts";
import { pointCost } from "./_problems.ts";

/** A smooth plan (Sinkhorn at moderate reg) and its sums. */
function plan(seed: number, n: number, m: number, reg: number) {
  const r = sinkhornLog(null, null, pointCost(seed, n, m), { reg, tol: 1e-12 });
  const P = r.plan.data;
  const rs = new Float64Array(n), cs = new Float64Array(m);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < m; j++) {
      rs[i] += P[i * m + j];
      cs[j] += P[i * m + j];
    }
  }
  return { P, rs, cs };
}

/** Dense H̃ = [[diag(r), P̃], [P̃ᵀ, diag(c)]] from the CSR. */
function denseH(ws: SparseWorkspace, rs: Float64Array, cs: Float64Array): Matrix {
  const { n, m } = ws, N = n + m;
  const H = Matrix.zeros(N, N);
  for (let i = 0; i < n; i++) H.set(i, i, rs[i]);
  for (let j = 0; j < m; j++) H.set(n + j, n + j, cs[j]);
  for (let i = 0; i < n; i++) {
    for (let k = ws.rowPtr[i]; k < ws.rowPtr[i + 1]; k++) {
      H.set(i, n + ws.colIdx[k], ws.val[k]);
      H.set(n + ws.colIdx[k], i, ws.val[k]);
    }
  }
  return H;
}

Deno.test("O12 CG operator: the sparse mat-vec equals the dense [[diag(r), P̃], [P̃ᵀ, diag(c)]]·w to 1e-14, every rule", () => {
  const n = 30, m = 24;
  const { P, rs, cs } = plan(1, n, m, 0.02);
  const rng = new Rng(1);
  for (const rule of ["top", "mass", "union"] as const) {
    const ws = new SparseWorkspace(n, m);
    ws.sparsify(P, rs, cs, rule, 2 * (n + m), 1e-3);
    const H = denseH(ws, rs, cs);
    const w = rng.normalArray(n + m);
    const out = new Float64Array(n + m);
    hessVec(n, m, ws.rowPtr, ws.colIdx, ws.val, rs, cs, w, out);
    const ref = new Float64Array(n + m), abs = new Float64Array(n + m);
    for (let i = 0; i < n + m; i++) {
      for (let j = 0; j < n + m; j++) {
        ref[i] += H.get(i, j) * w[j];
        abs[i] += Math.abs(H.get(i, j) * w[j]);
      }
    }
    // 1e-14 relative to Σ|H_ij w_j| (summation order differs; the terms have mixed signs)
    for (let i = 0; i < n + m; i++) {
      assert.ok(Math.abs(out[i] - ref[i]) <= 1e-14 * abs[i], `${rule}[${i}]: ${out[i]} vs ${ref[i]}`);
    }
  }
});

Deno.test("O12 H̃ ≻ 0 when every row and column dropped an entry; with nothing dropped the only null vector is (1, −1)", () => {
  const n = 12, m = 10;
  const { P, rs, cs } = plan(2, n, m, 0.05);
  const ws = new SparseWorkspace(n, m);
  ws.sparsify(P, rs, cs, "top", 40, 1e-3);
  for (let i = 0; i < n; i++) assert.ok(ws.rowPtr[i + 1] - ws.rowPtr[i] < m, `row ${i} kept everything`);
  const lam = eigSym(denseH(ws, rs, cs)).values;
  assert.ok(lam[0] > 0, `smallest eigenvalue ${lam[0]}`);
  const full = new SparseWorkspace(n, m);
  full.sparsify(P, rs, cs, "top", n * m, 1e-3);
  const H = denseH(full, rs, cs);
  const e = eigSym(H);
  assert.ok(Math.abs(e.values[0]) < 1e-14, `null eigenvalue ${e.values[0]}`);
  assert.ok(e.values[1] > 1e-6);
  const z = e.vectors.col(0);
  const s = z[0];
  for (let i = 0; i < n; i++) assert.ok(Math.abs(z[i] - s) < 1e-10);
  for (let j = 0; j < m; j++) assert.ok(Math.abs(z[n + j] + s) < 1e-10);
});

Deno.test("PCG solves H̃ d = g to the requested relative residual and matches a dense Cholesky solve", () => {
  const n = 40, m = 35;
  const { P, rs, cs } = plan(3, n, m, 0.01);
  const ws = new SparseWorkspace(n, m);
  ws.sparsify(P, rs, cs, "union", 2 * (n + m), 1e-3);
  const rng = new Rng(3);
  const g = rng.normalArray(n + m);
  let s = 0;
  for (let i = 0; i < n; i++) s += g[i];
  for (let j = 0; j < m; j++) s -= g[n + j];
  g[0] -= s; // gᵀ(1, −1) = 0, as for a true gradient
  const d = new Float64Array(n + m);
  const it = pcg(n, m, ws.rowPtr, ws.colIdx, ws.val, rs, cs, g, d, new PcgWorkspace(n + m), 1e-12, 20 * (n + m));
  assert.ok(it > 0);
  const Hd = new Float64Array(n + m);
  hessVec(n, m, ws.rowPtr, ws.colIdx, ws.val, rs, cs, d, Hd);
  let rr = 0, gg = 0;
  for (let k = 0; k < n + m; k++) {
    rr += (Hd[k] - g[k]) ** 2;
    gg += g[k] ** 2;
  }
  assert.ok(Math.sqrt(rr / gg) <= 1e-12);
  const ref = choleskySolve(denseH(ws, rs, cs), g);
  let num = 0, den = 0;
  for (let k = 0; k < n + m; k++) {
    num = Math.max(num, Math.abs(d[k] - ref[k]));
    den = Math.max(den, Math.abs(ref[k]));
  }
  assert.ok(num / den < 1e-6, `relative difference ${num / den}`);
});

Deno.test("sparsify rules: 'top' keeps exactly the k largest entries; 'mass' keeps ≥ (1 − δ) of every row and column sum", () => {
  const n = 25, m = 30, k = 60, delta = 1e-3;
  const { P, rs, cs } = plan(4, n, m, 0.01);
  const top = new SparseWorkspace(n, m);
  top.sparsify(P, rs, cs, "top", k, delta);
  assert.equal(top.nnz, k);
  const sorted = Float64Array.from(P).sort().reverse();
  const kept = Float64Array.from(top.val.subarray(0, k)).sort().reverse();
  assertAllClose(kept, sorted.subarray(0, k), 0, 0);
  const mass = new SparseWorkspace(n, m);
  mass.sparsify(P, rs, cs, "mass", k, delta);
  const rowKept = new Float64Array(n), colKept = new Float64Array(m);
  for (let i = 0; i < n; i++) {
    for (let q = mass.rowPtr[i]; q < mass.rowPtr[i + 1]; q++) {
      rowKept[i] += mass.val[q];
      colKept[mass.colIdx[q]] += mass.val[q];
    }
  }
  for (let i = 0; i < n; i++) assert.ok(rowKept[i] >= (1 - delta) * rs[i] * (1 - 1e-12), `row ${i}`);
  for (let j = 0; j < m; j++) assert.ok(colKept[j] >= (1 - delta) * cs[j] * (1 - 1e-12), `column ${j}`);
  // per-row minimality: without the column rule, dropping the smallest kept entry of a row would break its budget
  const union = new SparseWorkspace(n, m);
  union.sparsify(P, rs, cs, "union", k, delta);
  assert.ok(union.nnz >= Math.max(mass.nnz, k));
  assert.ok(mass.nnz < n * m / 2, `mass rule kept ${mass.nnz} of ${n * m}`);
});

Deno.test("tailMass equals ΣP minus the sum of its k largest entries, over ΣP", () => {
  const { P } = plan(5, 20, 20, 0.02);
  const total = P.reduce((s, x) => s + x, 0);
  const sorted = Float64Array.from(P).sort().reverse();
  for (const k of [1, 40, 400]) {
    const ref = (total - sorted.subarray(0, k).reduce((s, x) => s + x, 0)) / total;
    const got = tailMass(P, total, k, new Float64Array(k), new Int32Array(k));
    assert.ok(Math.abs(got - ref) < 1e-14, `k = ${k}: ${got} vs ${ref}`);
  }
});

Deno.test("public sparsifyPlan / tailMassFraction agree with the internal sparsifier and a sort", async () => {
  const { sparsifyPlan, tailMassFraction } = await import("../../lib/ot/mod.ts");
  const { P, rs, cs } = plan(6, 15, 12, 0.02);
  const M = new Matrix(15, 12, Float64Array.from(P));
  const s = sparsifyPlan(M, { rule: "union" });
  const ws = new SparseWorkspace(15, 12);
  assert.equal(s.nnz, ws.sparsify(P, rs, cs, "union", 2 * 27, 1e-3));
  assert.equal(s.pattern.data.reduce((a: number, x: number) => a + x, 0), s.nnz);
  assert.ok(s.keptMass >= 1 - 1e-3 - 1e-12);
  const sorted = Float64Array.from(P).sort().reverse();
  const tot = P.reduce((a, x) => a + x, 0);
  const ref = (tot - sorted.subarray(0, 30).reduce((a, x) => a + x, 0)) / tot;
  assert.ok(Math.abs(tailMassFraction(M, 30) - ref) < 1e-14);
  assertThrowsArg(() => sparsifyPlan([[1, -1]]), "P[0][1]", "domain");
  assertThrowsArg(() => tailMassFraction([[1]], 0), "k", "domain");
});
