/**
 * Side-by-side benchmark: parsimony's `lasso` vs scikit-learn 1.2.1 `Lasso` on the same problems,
 * in the same run, with the same tolerance and stopping rule.
 *
 *   npx deno run -A bench/lasso_vs_sklearn.ts                 # p = 200, 2000, 10000; 3 rounds
 *   npx deno run -A bench/lasso_vs_sklearn.ts --ps 200,2000 --rounds 5 --threads 1
 *
 * Problems: n = 1000 rows, p columns, Gaussian design — uncorrelated, or AR(1)-correlated
 * columns x_j = 0.8·x_{j−1} + 0.6·z_j (Toeplitz correlation 0.8^|i−j|) — with a 20-sparse truth
 * (±(0.5…2)) plus N(0, 0.1²) noise, all drawn from lib/core's seeded Rng; α = 0.1·α_max and
 * 0.01·α_max; tol 1e-4 (sklearn's default; both stop when the duality gap ≤ tol·‖y‖²/n, checked
 * after sweeps whose largest coordinate change is < tol·max|w|). X and y are written to a
 * temporary file that bench/lasso_vs_sklearn.py reads, so scikit-learn sees exactly our numbers.
 *
 * Ours runs with its defaults (coordinate descent on X with active-set sweeps between full
 * sweeps), then with `activeSet: false` — scikit-learn's exact algorithm: same iterates, same
 * sweep count — and, where n > p, with `precompute: true` (Gram-matrix coordinate descent;
 * G = XᵀX/n is formed inside the timed call). Both sides use `--threads` threads (default 1):
 * OPENBLAS_NUM_THREADS for numpy/scipy, PARSIMONY_THREADS for our Gram product (the only part of
 * ours that can use the worker pool).
 *
 * Timing: wall clock of the whole call (validation, copy of X, sweeps), best of `--rounds`
 * alternating rounds (sklearn for all problems, then ours), after one warm-up solve (JIT).
 * The machine is shared: read ratios, not absolute numbers. "agree" is
 * max|w_ours − w_sklearn| / max|w_sklearn| (both stop at the same loose tolerance, so it is of the
 * order of the solution error, not of rounding).
 *
 * @module
 */

import { parseArgs } from "node:util";
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { tmpdir } from "node:os";
import { closeWorkerPool, lasso, lassoAlphaMax, Matrix, Rng } from "../lib/core/mod.ts";

const { values } = parseArgs({
  args: Deno.args,
  options: {
    ps: { type: "string", default: "200,2000,10000" },
    n: { type: "string", default: "1000" },
    fracs: { type: "string", default: "0.1,0.01" },
    tol: { type: "string", default: "1e-4" },
    rounds: { type: "string", default: "3" },
    threads: { type: "string", default: "1" },
    seed: { type: "string", default: "2024" },
    python: { type: "string", default: "/usr/bin/python3" },
  },
});
Deno.env.set("PARSIMONY_THREADS", values.threads!);
const n = Number(values.n), tol = Number(values.tol), rounds = Number(values.rounds);
const ps = values.ps!.split(",").map(Number), fracs = values.fracs!.split(",").map(Number);

function makeProblem(p: number, correlated: boolean, seed: number): { X: Matrix; y: Float64Array } {
  const r = new Rng(seed);
  const X = new Matrix(n, p);
  const d = X.data;
  for (let i = 0; i < n; i++) {
    let prev = 0;
    for (let j = 0; j < p; j++) {
      const z = r.normal();
      const v = correlated ? (j === 0 ? z : 0.8 * prev + 0.6 * z) : z;
      d[i * p + j] = v;
      prev = v;
    }
  }
  const w = new Float64Array(p);
  for (const j of r.choice(p, 20)) w[j] = (r.uniform() < 0.5 ? -1 : 1) * r.uniform(0.5, 2);
  const y = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let j = 0; j < p; j++) s += d[i * p + j] * w[j];
    y[i] = s + 0.1 * r.normal();
  }
  return { X, y };
}

interface Entry {
  name: string;
  path: string;
  n: number;
  p: number;
  alpha: number;
  X: Matrix;
  y: Float64Array;
}
const dir = mkdtempSync(join(tmpdir(), "lasso-bench-"));
const entries: Entry[] = [];
let seed = Number(values.seed);
for (const p of ps) {
  for (const correlated of [false, true]) {
    const { X, y } = makeProblem(p, correlated, seed++);
    const path = join(dir, `p${p}_${correlated ? "corr" : "iid"}.f64`);
    const buf = new Float64Array(n * p + n);
    buf.set(X.data);
    buf.set(y, n * p);
    writeFileSync(path, new Uint8Array(buf.buffer));
    const am = lassoAlphaMax(X, y);
    for (const f of fracs) {
      entries.push({ name: `p=${p} ${correlated ? "corr 0.8" : "iid"} α=${f}·αmax`, path, n, p, alpha: f * am, X, y });
    }
  }
}

interface PeerOut {
  ms: number;
  iterations: number;
  dualGap: number;
  coef: number[];
}
function runPeer(): Record<string, PeerOut> {
  const cfg = { tol, problems: entries.map(({ name, path, n, p, alpha }) => ({ name, path, n, p, alpha })) };
  const t = values.threads!;
  const r = spawnSync(
    values.python!,
    [new URL("./lasso_vs_sklearn.py", import.meta.url).pathname, JSON.stringify(cfg)],
    {
      env: { ...Deno.env.toObject(), OPENBLAS_NUM_THREADS: t, OMP_NUM_THREADS: t, MKL_NUM_THREADS: t },
      maxBuffer: 1 << 28,
      encoding: "utf8",
    },
  );
  if (r.status !== 0) throw new Error(`python peer failed: ${r.stderr}`);
  return JSON.parse(r.stdout);
}

lasso(entries[0].X, entries[0].y, { alpha: entries[0].alpha, tol }); // warm-up (JIT)
lasso(entries[0].X, entries[0].y, { alpha: entries[0].alpha, tol, activeSet: false, precompute: true });
type Res = ReturnType<typeof lasso>;
const variants: Record<string, (e: Entry) => Res | null> = {
  ours: (e) => lasso(e.X, e.y, { alpha: e.alpha, tol, maxIter: 10000 }),
  plain: (e) => lasso(e.X, e.y, { alpha: e.alpha, tol, maxIter: 10000, activeSet: false }),
  gram: (e) => e.n > e.p ? lasso(e.X, e.y, { alpha: e.alpha, tol, maxIter: 10000, precompute: true }) : null,
};
const best: Record<string, Record<string, number>> = {};
const last: Record<string, Record<string, Res | null>> = {};
let peer: Record<string, PeerOut> = {};
for (let round = 0; round < rounds; round++) {
  peer = runPeer();
  for (const e of entries) {
    const b = best[e.name] ??= { sk: Infinity, ours: Infinity, plain: Infinity, gram: Infinity };
    const l = last[e.name] ??= {};
    b.sk = Math.min(b.sk, peer[e.name].ms);
    for (const [k, f] of Object.entries(variants)) {
      const t = performance.now();
      l[k] = f(e);
      b[k] = Math.min(b[k], performance.now() - t);
    }
  }
}
closeWorkerPool();
rmSync(dir, { recursive: true, force: true });

console.log(`n = ${n}, tol = ${tol}, best of ${rounds} alternating rounds, threads ${values.threads} each`);
console.log(
  "| problem | sklearn (ms) | ours (ms) | ratio | ours, activeSet false (ms) | ratio | ours, Gram (ms) | ratio " +
    "| full sweeps ours (+active) / plain / sk | nnz ours/sk | agree |",
);
console.log("|---|---|---|---|---|---|---|---|---|---|---|");
for (const e of entries) {
  const b = best[e.name], r = last[e.name].ours!, pl = last[e.name].plain!, s = peer[e.name];
  let num = 0, den = 0;
  for (let j = 0; j < e.p; j++) {
    num = Math.max(num, Math.abs(r.coef[j] - s.coef[j]));
    den = Math.max(den, Math.abs(s.coef[j]));
  }
  const skNnz = s.coef.filter((v) => v !== 0).length;
  const gram = last[e.name].gram ? `${b.gram.toFixed(1)} | ${(b.gram / b.sk).toFixed(2)}` : "– | –";
  console.log(
    `| ${e.name} | ${b.sk.toFixed(1)} | ${b.ours.toFixed(1)} | ${(b.ours / b.sk).toFixed(2)} | ` +
      `${b.plain.toFixed(1)} | ${(b.plain / b.sk).toFixed(2)} | ${gram} | ` +
      `${r.iterations} (+${r.activeSweeps}) / ${pl.iterations} / ${s.iterations} | ${r.nonzero}/${skNnz} | ${
        (num / den).toExponential(1)
      } |`,
  );
}
