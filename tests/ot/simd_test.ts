/**
 * The WebAssembly SIMD kernels against their TypeScript reference twins (lib/ot/_lse.ts):
 * same inputs, tolerance from the kernels' only differences — the SIMD exp (≤ 1 ulp from
 * Math.exp) and 2–4-lane summation order.
 */
import { assert } from "../_helpers.ts";
import { Rng } from "../../lib/core/mod.ts";
import { createKernels, jsKernels, type OtKernels, setKernelPreference, simdAvailable } from "../../lib/ot/_simd.ts";
import { OT_SIMD_WAT_SHA256 } from "../../lib/ot/_simd_wasm.ts";
import { sinkhorn, sinkhornLog, sinkhornNewtonSparse } from "../../lib/ot/mod.ts";
import { buildWat } from "../../scripts/build_ot_wasm.ts";
import { pointCost } from "./_problems.ts";

const ulpBuf = new Float64Array(1), ulpInt = new BigInt64Array(ulpBuf.buffer);
function ord(x: number): bigint {
  ulpBuf[0] = x;
  return ulpInt[0];
}
function relMax(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let m = 0;
  for (let k = 0; k < a.length; k++) {
    const d = Math.abs(a[k] - b[k]) / Math.max(Math.abs(b[k]), 1e-300);
    if (d > m) m = d;
  }
  return m;
}

Deno.test("the committed WAT is what scripts/build_ot_wasm.ts generates, and the bytes were assembled from it (SHA-256)", async () => {
  const wat = Deno.readTextFileSync(new URL("../../kernels/ot/ot_simd.wat", import.meta.url));
  assert.equal(wat, buildWat());
  const d = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(wat));
  const hex = Array.from(new Uint8Array(d), (b) => b.toString(16).padStart(2, "0")).join("");
  assert.equal(hex, OT_SIMD_WAT_SHA256);
});

Deno.test("WebAssembly SIMD is available in Deno, and the solvers report the kernels they used", () => {
  assert.ok(simdAvailable());
  assert.match(sinkhornLog(null, null, [[0, 1], [1, 0]], { reg: 0.5 }).backendReason, /wasm-simd kernels/);
});

Deno.test("SIMD exp agrees with Math.exp to ≤ 1 ulp over [-750, 750] (2^18 points), including ±Inf, NaN, overflow, subnormals", () => {
  const N = 1 << 18;
  const k = createKernels(2 * N + 16);
  assert.equal(k.kind, "wasm-simd");
  const x = k.alloc(N), y = k.alloc(N);
  const rng = new Rng(1);
  for (let i = 0; i < N; i++) {
    x[i] = i % 4 === 0 ? rng.uniform(-750, 750) : i % 4 === 1 ? rng.uniform(-40, 40) : rng.uniform(-1, 1);
  }
  const special = [
    0,
    -0,
    1,
    -1,
    709.78,
    709.8,
    710,
    -708.39,
    -745.1,
    -745.2,
    -746,
    Infinity,
    -Infinity,
    NaN,
    1e-300,
    -1e-300,
  ];
  special.forEach((v, i) => (x[i] = v));
  k.expAffine(x, y, 1, 0);
  let worst = 0n;
  for (let i = 0; i < N; i++) {
    const e = Math.exp(x[i]);
    if (Number.isNaN(e)) {
      assert.ok(Number.isNaN(y[i]), `exp(${x[i]})`);
      continue;
    }
    const d = ord(y[i]) - ord(e);
    const ad = d < 0n ? -d : d;
    if (ad > worst) worst = ad;
  }
  assert.ok(worst <= 1n, `max ulp difference ${worst}`);
});

function fill(k: OtKernels, src: ArrayLike<number>): Float64Array {
  const out = k.alloc(src.length);
  out.set(src);
  return out;
}

Deno.test("kernels vs TS twins: logSweep (exact and bound stabiliser, odd sizes, one and several row blocks), planPass, scalingSweep, cross agree to 1e-13", () => {
  const js = jsKernels();
  for (const [n, m] of [[7, 5], [33, 17], [64, 64], [381, 361]]) {
    const rng = new Rng(n * m);
    const C = pointCost(n + m, n, m);
    const reg = 0.02;
    const Cs = Float64Array.from(C.data, (c) => c / reg + 1);
    const a = rng.uniformArray(n, 0.5, 1.5), b = rng.uniformArray(m, 0.5, 1.5);
    const sa = a.reduce((s, x) => s + x), sb = b.reduce((s, x) => s + x);
    for (let i = 0; i < n; i++) a[i] /= sa;
    for (let j = 0; j < m; j++) b[j] /= sb;
    const la = a.map(Math.log), lb = b.map(Math.log);
    const w = createKernels(4 * n * m + 20 * (n + m), { n, m, threads: 2 });
    const run = (k: OtKernels) => {
      const [Csk, ak, lak, lbk] = [fill(k, Cs), fill(k, a), fill(k, la), fill(k, lb)];
      let u = fill(k, rng.normalArray(n, 0, 0.1)), v = fill(k, new Float64Array(m));
      let un = k.alloc(n), vn = k.alloc(m);
      const acc = k.alloc(m), t = k.alloc(m);
      const errs: number[] = [];
      for (let it = 0; it < 4; it++) {
        errs.push(k.logSweep(n, m, Csk, ak, lak, lbk, u, v, un, vn, acc, t, it === 0));
        [u, un] = [un, u];
        [v, vn] = [vn, v];
      }
      const P = k.alloc(n * m), rs = k.alloc(n), cs = k.alloc(m);
      const total = k.planPass(n, m, Csk, u, v, P, rs, cs);
      const em = fill(k, rng.normalArray(n, 0, 0.1)), en = fill(k, rng.normalArray(m, 0, 0.1));
      const cross = k.cross(n, m, P, em, en);
      const K = fill(k, C.data);
      k.expAffine(K, K, -1 / reg, 0);
      const us = fill(k, new Float64Array(n).fill(1)), vs = fill(k, new Float64Array(m).fill(1)), sacc = k.alloc(m);
      const serr = [
        k.scalingSweep(n, m, K, ak, fill(k, b), us, vs, sacc),
        k.scalingSweep(n, m, K, ak, fill(k, b), us, vs, sacc),
      ];
      return {
        errs,
        u: Float64Array.from(u),
        v: Float64Array.from(v),
        P: Float64Array.from(P),
        total,
        cross,
        us: Float64Array.from(us),
        vs: Float64Array.from(vs),
        serr,
      };
    };
    // same random draws for both runs
    const seedState = rng.getState();
    const A = run(w);
    rng.setState(seedState);
    const B = run(js);
    assert.ok(relMax(A.errs.slice(1), B.errs.slice(1)) < 1e-10, `errors ${A.errs} vs ${B.errs}`);
    let du = 0;
    for (let i = 0; i < n; i++) du = Math.max(du, Math.abs(A.u[i] - B.u[i]));
    for (let j = 0; j < m; j++) du = Math.max(du, Math.abs(A.v[j] - B.v[j]));
    assert.ok(du < 1e-12, `potentials differ by ${du}`);
    assert.ok(relMax(A.P, B.P) < 1e-12, `plan ${relMax(A.P, B.P)}`);
    assert.ok(Math.abs(A.total - B.total) < 1e-14 && Math.abs(A.cross - B.cross) < 1e-14);
    assert.ok(relMax(A.us, B.us) < 1e-13 && relMax(A.vs, B.vs) < 1e-13);
    assert.ok(relMax(A.serr, B.serr) < 1e-10);
  }
});

Deno.test("solvers give the same answer with the SIMD kernels and with the TS twins (plan to 1e-12, same iteration counts ±1)", () => {
  const C = pointCost(77, 45, 38);
  try {
    for (
      const [name, solve] of [["sinkhorn", sinkhorn], ["sinkhornLog", sinkhornLog], [
        "sns",
        sinkhornNewtonSparse,
      ]] as const
    ) {
      setKernelPreference("js");
      const j = solve(null, null, C, { reg: 0.01, tol: 1e-12 });
      setKernelPreference("auto");
      const w = solve(null, null, C, { reg: 0.01, tol: 1e-12 });
      assert.match(j.backendReason, /js kernels/);
      let d = 0;
      for (let k = 0; k < j.plan.data.length; k++) d = Math.max(d, Math.abs(j.plan.data[k] - w.plan.data[k]));
      assert.ok(d < 1e-12, `${name}: plans differ by ${d}`);
      assert.ok(
        Math.abs(j.iterations.sinkhorn - w.iterations.sinkhorn) <= 1 &&
          Math.abs(j.iterations.newton - w.iterations.newton) <= 1,
      );
    }
  } finally {
    setKernelPreference("auto");
  }
});
