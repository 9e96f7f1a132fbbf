/**
 * Multi-threaded OT kernels (lib/core/parallel.ts + lib/ot/_simd.ts): every n×m pass is cut into
 * row blocks that depend on (n, m) only, so every solver gives bit-identical results for any
 * `threads`; below 2^17 entries a pass is one block and the results are those of the unblocked
 * kernels before the pool existed (pinned digests from main@28633cb).
 */
import { assert, assertThrowsArg } from "../_helpers.ts";
import { Rng } from "../../lib/core/mod.ts";
import { type OtResult, sinkhorn, sinkhornLog, sinkhornNewtonDense, sinkhornNewtonSparse } from "../../lib/ot/mod.ts";
import {
  createKernels,
  elementPartition,
  hessianDoubles,
  MAX_BLOCKS,
  PARTITION_MIN,
  rowPartition,
  setKernelPreference,
  setMemoryPreference,
  sparsifyDoubles,
} from "../../lib/ot/_simd.ts";
import { SparseWorkspace } from "../../lib/ot/_sparsify.ts";
import { hessVec } from "../../lib/ot/_pcg.ts";
import { pointCost, simplex } from "./_problems.ts";

/** SHA-256 (first 128 bits, hex) of plan, f, g, cost and objective. */
async function digest(r: OtResult<unknown>): Promise<string> {
  const parts = [r.plan.data, r.f, r.g, new Float64Array([r.cost, r.objective])];
  const all = new Uint8Array(parts.reduce((s, p) => s + p.byteLength, 0));
  let o = 0;
  for (const p of parts) {
    all.set(new Uint8Array(p.buffer, p.byteOffset, p.byteLength), o);
    o += p.byteLength;
  }
  const d = new Uint8Array(await crypto.subtle.digest("SHA-256", all));
  return Array.from(d, (b) => b.toString(16).padStart(2, "0")).join("").slice(0, 32);
}

function sameBits(x: OtResult<unknown>, y: OtResult<unknown>, what: string): void {
  assert.equal(x.plan.data.length, y.plan.data.length);
  for (let k = 0; k < x.plan.data.length; k++) {
    if (!Object.is(x.plan.data[k], y.plan.data[k])) {
      assert.fail(`${what}: plan[${k}] ${x.plan.data[k]} vs ${y.plan.data[k]}`);
    }
  }
  for (let i = 0; i < x.f.length; i++) assert.ok(Object.is(x.f[i], y.f[i]), `${what}: f[${i}]`);
  for (let j = 0; j < x.g.length; j++) assert.ok(Object.is(x.g[j], y.g[j]), `${what}: g[${j}]`);
  for (const key of ["cost", "objective", "dual", "marginalError"] as const) {
    assert.ok(Object.is(x[key], y[key]), `${what}: ${key} ${x[key]} vs ${y[key]}`);
  }
  assert.deepEqual(x.iterations, y.iterations, what);
  assert.deepEqual(Array.from(x.history.error), Array.from(y.history.error), `${what}: error history`);
}

Deno.test("row partition depends on (n, m) only: one block below 2^17 entries, ≤ 16 blocks covering every row", () => {
  for (
    const [n, m] of [[1, 1], [300, 250], [362, 362], [363, 362], [400, 400], [2, 100000], [100000, 2], [2000, 2000]]
  ) {
    const { blocks, rows } = rowPartition(n, m);
    if (n * m < PARTITION_MIN) assert.deepEqual({ blocks, rows }, { blocks: 1, rows: n });
    else assert.ok(blocks >= 2 && blocks <= MAX_BLOCKS, `${n}×${m}: ${blocks}`);
    assert.ok(rows * blocks >= n && rows * (blocks - 1) < n, `${n}×${m}: ${blocks} blocks of ${rows}`);
  }
  for (const len of [1, 7, PARTITION_MIN - 1, PARTITION_MIN, 4_000_001]) {
    const { blocks, size } = elementPartition(len);
    assert.ok(size % 2 === 0 && blocks * size >= len && (blocks - 1) * size < len && blocks <= MAX_BLOCKS);
  }
});

Deno.test("one block (n·m < 2^17): results are bit-identical to the kernels before the pool (digests from main@28633cb), any threads", async () => {
  const rng = new Rng(5);
  const a = simplex(rng, 300), b = simplex(rng, 250);
  const C = pointCost(11, 300, 250);
  const pinned = {
    sinkhorn: "ffb12c9e990fb5111637cb58e9069d8a",
    sinkhornLog: "da03623192cec09ca9da0ffb0191cc2f",
    sns: "9353c766ba59751cd1592c6fdb644d2f",
  };
  for (const threads of [1, 2]) {
    assert.equal(await digest(sinkhorn(a, b, C, { reg: 0.01, threads })), pinned.sinkhorn);
    assert.equal(await digest(sinkhornLog(a, b, C, { reg: 0.01, threads })), pinned.sinkhornLog);
    assert.equal(await digest(sinkhornNewtonSparse(a, b, C, { reg: 0.003, threads })), pinned.sns);
  }
});

Deno.test("several blocks (420×400, 11 blocks): sinkhorn, sinkhornLog, SNS and dense Newton are bit-identical for threads = 1, 2, 3", () => {
  const rng = new Rng(8);
  const n = 420, m = 400;
  assert.ok(rowPartition(n, m).blocks > 1);
  const a = simplex(rng, n), b = simplex(rng, m);
  const C = pointCost(21, n, m);
  const solvers = [
    ["sinkhorn", (t: number) => sinkhorn(a, b, C, { reg: 0.01, threads: t })],
    ["sinkhornLog", (t: number) => sinkhornLog(a, b, C, { reg: 0.005, threads: t, maxIter: 400 })],
    ["sns", (t: number) => sinkhornNewtonSparse(a, b, C, { reg: 0.002, threads: t, tol: 1e-11 })],
    ["sns log warm-up", (t: number) => sinkhornNewtonSparse(a, b, C, { reg: 0.002, threads: t, warmupForm: "log" })],
  ] as const;
  for (const [name, solve] of solvers) {
    const one = solve(1);
    assert.match(one.backendReason, /wasm-simd kernels, 1 thread$/);
    assert.equal(one.options.threads, 1);
    for (const t of [2, 3]) {
      const r = solve(t);
      assert.match(r.backendReason, new RegExp(`wasm-simd kernels, ${t} threads$`));
      sameBits(one, r, `${name}, ${t} threads`);
    }
  }
  // the dense reference (n + m ≲ 2000) on a problem just above the partition threshold
  const Cd = pointCost(4, 380, 360), ad = simplex(rng, 380), bd = simplex(rng, 360);
  const d1 = sinkhornNewtonDense(ad, bd, Cd, { reg: 0.02, threads: 1 });
  const d2 = sinkhornNewtonDense(ad, bd, Cd, { reg: 0.02, threads: 2 });
  sameBits(d1, d2, "dense Newton");
});

Deno.test("several blocks: the plain-memory binary (runtimes without SharedArrayBuffer) gives the same bits as the shared one", () => {
  const C = pointCost(31, 410, 390);
  const shared = sinkhornLog(null, null, C, { reg: 0.01, threads: 2, maxIter: 60 });
  const sns = sinkhornNewtonSparse(null, null, C, { reg: 0.003, threads: 2 });
  try {
    setMemoryPreference("plain");
    const k = createKernels(16);
    assert.equal(k.threads, 1);
    k.dispose();
    const plain = sinkhornLog(null, null, C, { reg: 0.01, threads: 2, maxIter: 60 });
    assert.match(plain.backendReason, /wasm-simd kernels, 1 thread$/);
    sameBits(shared, plain, "sinkhornLog");
    sameBits(sns, sinkhornNewtonSparse(null, null, C, { reg: 0.003, threads: 2 }), "sns");
  } finally {
    setMemoryPreference("auto");
  }
});

Deno.test("threads option: validated (OptionError naming options.threads), resolved number echoed in options", () => {
  const C = pointCost(1, 5, 4);
  for (const bad of [0, -1, 1.5, 65, NaN]) {
    assertThrowsArg(() => sinkhorn(null, null, C, { reg: 0.1, threads: bad }), "options.threads", "option");
    assertThrowsArg(() => sinkhornNewtonSparse(null, null, C, { reg: 0.1, threads: bad }), "options.threads", "option");
  }
  assert.equal(sinkhornLog(null, null, C, { reg: 0.1, threads: 3 }).options.threads, 3);
  const auto = sinkhorn(null, null, C, { reg: 0.1 }).options.threads;
  assert.ok(auto !== undefined && Number.isInteger(auto) && auto >= 1);
  // small problems run on one thread whatever the option says
  assert.match(sinkhorn(null, null, C, { reg: 0.1, threads: 4 }).backendReason, /1 thread$/);
});

/** A plan-like n×m matrix in kernel memory (entries spread over many orders of magnitude) with its sums. */
function planLike(kr: ReturnType<typeof createKernels>, n: number, m: number, seed: number, dense = false) {
  const rng = new Rng(seed);
  const P = kr.alloc(n * m), rs = kr.alloc(n), cs = kr.alloc(m);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < m; j++) {
      const d = (i / n - j / m) ** 2;
      const x = dense ? 1 + rng.uniform() : Math.exp(-d * 400 - 8 * rng.uniform());
      P[i * m + j] = x;
      rs[i] += x;
      cs[j] += x;
    }
  }
  return { P, rs, cs };
}

function sameCsr(a: SparseWorkspace, b: SparseWorkspace, n: number, what: string): void {
  assert.equal(a.nnz, b.nnz, `${what}: nnz`);
  for (let i = 0; i <= n; i++) assert.equal(a.rowPtr[i], b.rowPtr[i], `${what}: rowPtr[${i}]`);
  for (let q = 0; q < a.nnz; q++) {
    assert.equal(a.colIdx[q], b.colIdx[q], `${what}: colIdx[${q}]`);
    assert.ok(Object.is(a.val[q], b.val[q]), `${what}: val[${q}]`);
  }
}

Deno.test("sparsification as blocked kernels (several row blocks): the same CSR as the single TS scan for rules union, mass, top; refresh agrees", () => {
  const n = 430, m = 390;
  for (const threads of [1, 2]) {
    const kr = createKernels(2 * n * m + 8 * (n + m) + sparsifyDoubles(n, m, 4 * (n + m), threads), { n, m, threads });
    try {
      const { P, rs, cs } = planLike(kr, n, m, 5);
      const kern = new SparseWorkspace(n, m, kr.sparsifyScan(n, m, 4 * (n + m)));
      for (const rule of ["union", "mass", "top", "union"] as const) {
        const ts = new SparseWorkspace(n, m);
        const nnz = ts.sparsify(P, rs, cs, rule, 2 * (n + m), 1e-3);
        assert.equal(kern.sparsify(P, rs, cs, rule, 2 * (n + m), 1e-3), nnz);
        assert.ok(nnz >= 2 * (n + m), `${rule}: nnz ${nnz}`);
        sameCsr(ts, kern, n, `${rule}, ${threads} threads`);
        assert.equal(kern.refresh(P, rs, cs, 2e-3), ts.refresh(P, rs, cs, 2e-3));
      }
    } finally {
      kr.dispose();
    }
  }
});

Deno.test("sparsification kernels: a pattern denser than the kernel CSR's capacity (n·m/8) falls back to ordinary arrays, same CSR", () => {
  const n = 400, m = 380;
  const kr = createKernels(2 * n * m + 8 * (n + m) + sparsifyDoubles(n, m, 4 * (n + m), 2), { n, m, threads: 2 });
  try {
    const { P, rs, cs } = planLike(kr, n, m, 9, true); // flat rows: the mass rule keeps nearly everything
    const ts = new SparseWorkspace(n, m), kern = new SparseWorkspace(n, m, kr.sparsifyScan(n, m, 4 * (n + m)));
    const nnz = ts.sparsify(P, rs, cs, "union", 2 * (n + m), 1e-3);
    assert.ok(nnz > (n * m) / 8, `nnz ${nnz}`);
    assert.equal(kern.sparsify(P, rs, cs, "union", 2 * (n + m), 1e-3), nnz);
    sameCsr(ts, kern, n, "dense");
  } finally {
    kr.dispose();
  }
});

Deno.test("the Newton operator H̃w as a blocked kernel equals the TS hessVec to 1e-13 and is bit-identical for threads = 1, 2, 3", () => {
  const n = 420, m = 400, N = n + m;
  const rng = new Rng(12);
  const per = 37;
  const rowPtr = new Int32Array(n + 1), colIdx = new Int32Array(n * per), val = new Float64Array(n * per);
  let nnz = 0;
  for (let i = 0; i < n; i++) {
    for (let j = (i * 7) % 11; j < m && nnz < (i + 1) * per; j += 11) {
      colIdx[nnz] = j;
      val[nnz++] = rng.uniform(0.01, 1);
    }
    rowPtr[i + 1] = nnz;
  }
  const r0 = rng.uniformArray(n, 1, 2), c0 = rng.uniformArray(m, 1, 2), w0 = new Rng(4).normalArray(N);
  const results: Float64Array[] = [];
  for (const threads of [1, 2, 3]) {
    const kr = createKernels(hessianDoubles(n, m) + 4 * N + 64, { n, m, threads });
    try {
      const h = kr.sparseHessian(n, m)!;
      assert.ok(h !== null);
      const r = kr.alloc(n), c = kr.alloc(m), w = kr.alloc(N), out = kr.alloc(N);
      r.set(r0);
      c.set(c0);
      w.set(w0);
      assert.ok(h.load(rowPtr, colIdx, val, nnz, true));
      h.apply(r, c, w, out);
      const ref = new Float64Array(N);
      hessVec(n, m, rowPtr, colIdx, val, r0, c0, w0, ref);
      for (let k = 0; k < N; k++) assert.ok(Math.abs(out[k] - ref[k]) <= 1e-13 * (1 + Math.abs(ref[k])), `entry ${k}`);
      results.push(Float64Array.from(out));
    } finally {
      kr.dispose();
    }
  }
  for (const x of results) {
    for (let k = 0; k < N; k++) assert.ok(Object.is(x[k], results[0][k]), "bit-identical across threads");
  }
});

Deno.test("several blocks: every solver agrees with the TS reference loops (plan to 1e-12 absolute, iterations ±1), SNS with kernel sparsification and Newton operator", () => {
  const C = pointCost(41, 400, 380);
  const solvers = [
    ["sinkhorn", (o: { threads: number }) => sinkhorn(null, null, C, { reg: 0.01, tol: 1e-11, ...o })],
    ["sinkhornLog", (o: { threads: number }) => sinkhornLog(null, null, C, { reg: 0.01, tol: 1e-11, ...o })],
    ["sns", (o: { threads: number }) => sinkhornNewtonSparse(null, null, C, { reg: 0.002, tol: 1e-11, ...o })],
  ] as const;
  try {
    for (const [name, solve] of solvers) {
      setKernelPreference("js");
      const j = solve({ threads: 2 });
      setKernelPreference("auto");
      const w = solve({ threads: 2 });
      assert.match(j.backendReason, /js kernels/);
      assert.match(w.backendReason, /wasm-simd kernels, 2 threads/);
      let d = 0;
      for (let k = 0; k < j.plan.data.length; k++) d = Math.max(d, Math.abs(j.plan.data[k] - w.plan.data[k]));
      assert.ok(d < 1e-12, `${name}: plans differ by ${d}`);
      assert.ok(w.converged && j.converged, name);
      assert.ok(
        Math.abs(j.iterations.sinkhorn - w.iterations.sinkhorn) <= 1,
        `${name}: ${JSON.stringify([j.iterations, w.iterations])}`,
      );
      assert.ok(Math.abs(j.iterations.newton - w.iterations.newton) <= 1, name);
    }
  } finally {
    setKernelPreference("auto");
  }
});
