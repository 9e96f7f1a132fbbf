/**
 * Side-by-side benchmark: parsimony's entropic OT solvers vs POT 0.8.2 (numpy) on the same
 * problems, in the same run, to the same marginal error.
 *
 *   npx deno run -A bench/ot_vs_pot.ts --quick          # n = 500, 1000 (a few minutes on 2 cores)
 *   npx deno run -A bench/ot_vs_pot.ts                  # n = 500, 1000, 2000
 *   npx deno run -A bench/ot_vs_pot.ts --sizes 1000 --regs 0.002 --repeats 3 --json out/ot_bench.json
 *
 * Problems: n uniform points in [0,1]² (seeded), n uniform points again, squared-Euclidean cost
 * divided by its maximum (so reg is relative to max C), uniform marginals; reg ∈ {0.05, 0.01, 0.002}.
 * The cost matrix is written to a temporary file and read by bench/ot_vs_pot_peer.py, so POT
 * sees exactly the same numbers.
 *
 * Stopping: ours stop when ‖P1 − a‖₁ + ‖Pᵀ1 − b‖₁ ≤ tol (1e-9), checked every iteration. POT checks
 * the ℓ2 column error every 10 iterations; the peer lowers POT's stopThr until POT's returned plan
 * meets the same ℓ1 criterion (see the peer's docstring). POT's sinkhorn_log needs the same number
 * of iterations as its sinkhorn (identical iterates); when a full run would take too long its time
 * is extrapolated from 30 timed iterations and marked "≈".
 *
 * POT runs twice per round: with OpenBLAS's default threads (2 on this machine: numpy's matrix-vector
 * products use the second core when it is idle) and with OPENBLAS_NUM_THREADS=1 (ot.sinkhorn only).
 * Ours likewise: with the library's default thread count (min(hardwareConcurrency, 8), or
 * `--threads`; lib/core/parallel.ts) and with `threads: 1` (sinkhorn and SNS), so both comparisons
 * — two threads against two, one against one — are printed. Results are bit-identical either way.
 *
 * Timing: wall clock of the whole call (validation, kernel matrix, iterations, final plan), best of
 * `--repeats` alternating rounds (POT, then ours, so both see the same machine load), after a warm-up solve (JIT, wasm compile); "ms·it⁻¹" is that time divided by the
 * iteration count, for POT and for us alike. The machine is shared: read ratios, not absolute
 * numbers, and rerun when in doubt.
 *
 * @module
 */

import { parseArgs } from "node:util";
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { tmpdir } from "node:os";
import { closeWorkerPool, defaultThreads, Matrix, Rng } from "../lib/core/mod.ts";
import { type OtResult, sinkhorn, sinkhornLog, sinkhornNewtonSparse, sqeuclidean } from "../lib/ot/mod.ts";

const { values } = parseArgs({
  options: {
    quick: { type: "boolean", default: false },
    sizes: { type: "string" },
    regs: { type: "string", default: "0.05,0.01,0.002" },
    tol: { type: "string", default: "1e-9" },
    repeats: { type: "string" },
    seed: { type: "string", default: "2024" },
    json: { type: "string" },
    "log-budget": { type: "string" },
    python: { type: "string", default: "/usr/bin/python3" },
    threads: { type: "string" },
  },
});
const threads = values.threads === undefined ? defaultThreads() : Number(values.threads);

const sizes = (values.sizes ?? (values.quick ? "500,1000" : "500,1000,2000")).split(",").map(Number);
const regs = values.regs!.split(",").map(Number);
const tol = Number(values.tol);
const repeats = Number(values.repeats ?? (values.quick ? 1 : 2));
const logBudget = Number(values["log-budget"] ?? (values.quick ? 20 : 120));

function problem(n: number, seed: number): Matrix {
  const r = new Rng(seed);
  const X = Matrix.fromTypedArray(r.uniformArray(2 * n), n, 2);
  const Y = Matrix.fromTypedArray(r.uniformArray(2 * n), n, 2);
  const C = sqeuclidean(X, Y);
  let mx = 0;
  for (const v of C.data) mx = Math.max(mx, v);
  for (let k = 0; k < C.data.length; k++) C.data[k] /= mx;
  return C;
}

function best(k: number, f: () => OtResult): { ms: number; r: OtResult } {
  let out: { ms: number; r: OtResult } | null = null;
  for (let i = 0; i < k; i++) {
    const t = performance.now();
    const r = f();
    const ms = performance.now() - t;
    if (out === null || ms < out.ms) out = { ms, r };
  }
  return out!;
}

interface PotRow {
  reg: number;
  sinkhorn: { seconds: number; iterations: number; ms_per_iter: number; l1: number; stopThr: number };
  sinkhorn_log: { seconds: number; ms_per_iter: number; l1: number | null; extrapolated: boolean };
}

function runPot(path: string, n: number, oneThread = false): { pot: string; results: PotRow[] } {
  const peer = new URL("./ot_vs_pot_peer.py", import.meta.url).pathname;
  const req = JSON.stringify({ path, n, regs, tol, repeats: 1, log_full_budget_s: logBudget, skip_log: oneThread });
  const env = { ...Deno.env.toObject(), ...(oneThread ? { OPENBLAS_NUM_THREADS: "1" } : {}) };
  const p = spawnSync(values.python!, [peer], { input: req, encoding: "utf8", maxBuffer: 1 << 24, env });
  if (p.status !== 0) throw new Error(`POT peer failed: ${p.stderr}`);
  return JSON.parse(p.stdout);
}

// Warm-up: compile the wasm module, JIT the TS paths.
{
  const C = problem(150, 1);
  sinkhorn(null, null, C, { reg: 0.01 });
  sinkhornLog(null, null, C, { reg: 0.01 });
  sinkhornNewtonSparse(null, null, C, { reg: 0.002 });
}

let potVersion = "?";
const dir = mkdtempSync(join(tmpdir(), "ot-bench-"));
interface Row {
  n: number;
  reg: number;
  pot: PotRow;
  /** POT ot.sinkhorn with OPENBLAS_NUM_THREADS=1. */
  pot1: PotRow["sinkhorn"];
  sinkhorn: { ms: number; iterations: number; msPerIter: number; l1: number; stop: string };
  /** Ours with threads: 1. */
  sinkhorn1: { ms: number; msPerIter: number };
  sns1: { ms: number };
  sinkhornLog: { ms: number; iterations: number; msPerIter: number; l1: number; stop: string };
  sns: {
    ms: number;
    iterations: { sinkhorn: number; newton: number };
    l1: number;
    stop: string;
    hessianDensity: number | null;
  };
  kernels: string;
}
const rows: Row[] = [];
const fmtS = (ms: number) => (ms / 1e3).toFixed(ms < 1e4 ? 3 : 1);
const fmtE = (x: number | null) => (x === null ? "–" : x.toExponential(1));
console.log(
  `# parsimony lib/ot vs POT — tol ${tol} (ℓ1, both marginals), best of ${repeats}, ${new Date().toISOString()}`,
);
try {
  for (const n of sizes) {
    const C = problem(n, Number(values.seed) + n);
    const path = join(dir, `C_${n}.f64`);
    writeFileSync(path, new Uint8Array(C.data.buffer, C.data.byteOffset, C.data.byteLength));
    // Alternating rounds: POT then ours, `repeats` times, so both sides see the same machine load;
    // each side keeps its best round.
    let pot: { pot: string; results: PotRow[] } | null = null;
    let pot1: { pot: string; results: PotRow[] } | null = null;
    type Best = ReturnType<typeof best>;
    const ours = new Map<number, { sk: Best; lg: Best; sn: Best; sk1: Best; sn1: Best }>();
    for (let round = 0; round < repeats; round++) {
      const p = runPot(path, n);
      potVersion = p.pot;
      if (pot === null) pot = p;
      else {
        p.results.forEach((r, k) => {
          const q = pot!.results[k];
          if (r.sinkhorn.seconds < q.sinkhorn.seconds) q.sinkhorn = r.sinkhorn;
          if (r.sinkhorn_log.seconds < q.sinkhorn_log.seconds) q.sinkhorn_log = r.sinkhorn_log;
        });
      }
      const p1 = runPot(path, n, true);
      if (pot1 === null) pot1 = p1;
      else {
        p1.results.forEach((r, k) => {
          if (r.sinkhorn.seconds < pot1!.results[k].sinkhorn.seconds) pot1!.results[k].sinkhorn = r.sinkhorn;
        });
      }
      for (const reg of regs) {
        const sk = best(1, () => sinkhorn(null, null, C, { reg, tol, maxIter: 1_000_000, threads }));
        const lg = best(1, () => sinkhornLog(null, null, C, { reg, tol, maxIter: 1_000_000, threads }));
        const sn = best(1, () => sinkhornNewtonSparse(null, null, C, { reg, tol, threads }));
        const sk1 = best(1, () => sinkhorn(null, null, C, { reg, tol, maxIter: 1_000_000, threads: 1 }));
        const sn1 = best(1, () => sinkhornNewtonSparse(null, null, C, { reg, tol, threads: 1 }));
        const prev = ours.get(reg);
        const pick = (k: "sk" | "lg" | "sn" | "sk1" | "sn1", x: Best) => (prev && prev[k].ms < x.ms ? prev[k] : x);
        ours.set(reg, {
          sk: pick("sk", sk),
          lg: pick("lg", lg),
          sn: pick("sn", sn),
          sk1: pick("sk1", sk1),
          sn1: pick("sn1", sn1),
        });
      }
    }
    for (const [ri, pr] of pot!.results.entries()) {
      const reg = pr.reg;
      const { sk, lg, sn, sk1, sn1 } = ours.get(reg)!;
      const row: Row = {
        n,
        reg,
        pot: pr,
        pot1: pot1!.results[ri].sinkhorn,
        sinkhorn: {
          ms: sk.ms,
          iterations: sk.r.iterations.sinkhorn,
          msPerIter: sk.ms / sk.r.iterations.sinkhorn,
          l1: sk.r.marginalError,
          stop: sk.r.stopReason,
        },
        sinkhorn1: { ms: sk1.ms, msPerIter: sk1.ms / sk1.r.iterations.sinkhorn },
        sns1: { ms: sn1.ms },
        sinkhornLog: {
          ms: lg.ms,
          iterations: lg.r.iterations.sinkhorn,
          msPerIter: lg.ms / lg.r.iterations.sinkhorn,
          l1: lg.r.marginalError,
          stop: lg.r.stopReason,
        },
        sns: {
          ms: sn.ms,
          iterations: sn.r.iterations,
          l1: sn.r.marginalError,
          stop: sn.r.stopReason,
          hessianDensity: sn.r.hessianDensity,
        },
        kernels: sn.r.backendReason,
      };
      rows.push(row);
      console.error(
        `n=${n} reg=${reg}: POT sinkhorn ${fmtS(pr.sinkhorn.seconds * 1e3)} s (1 thread ${
          fmtS(pot1!.results[ri].sinkhorn.seconds * 1e3)
        } s), ours ${fmtS(sk.ms)} s (1 thread ${fmtS(sk1.ms)} s), SNS ${fmtS(sn.ms)} s (1 thread ${fmtS(sn1.ms)} s)`,
      );
    }
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}

// The table
const lines: string[] = [];
lines.push(
  `| n | reg | POT sinkhorn it / s / ms·it⁻¹ | POT 1-thread s / ms·it⁻¹ | ours sinkhorn (${threads} threads) it / s / ms·it⁻¹ | ours 1-thread s / ms·it⁻¹ | per-it ours÷POT (1-thread ÷ 1-thread) | POT sinkhorn_log s | ours sinkhornLog it / s | SNS it (N1+Newton) / s | SNS 1-thread s | POT sinkhorn ÷ SNS (1-thread ÷ 1-thread) | POT log ÷ SNS | ℓ1 err POT / SNS |`,
);
lines.push("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|");
for (const r of rows) {
  const p = r.pot;
  const potMs = p.sinkhorn.seconds * 1e3, potLogMs = p.sinkhorn_log.seconds * 1e3, pot1Ms = r.pot1.seconds * 1e3;
  lines.push(
    `| ${r.n} | ${r.reg} | ${p.sinkhorn.iterations} / ${fmtS(potMs)} / ${p.sinkhorn.ms_per_iter.toFixed(2)} | ` +
      `${fmtS(pot1Ms)} / ${r.pot1.ms_per_iter.toFixed(2)} | ` +
      `${r.sinkhorn.iterations} / ${fmtS(r.sinkhorn.ms)} / ${r.sinkhorn.msPerIter.toFixed(2)} | ` +
      `${fmtS(r.sinkhorn1.ms)} / ${r.sinkhorn1.msPerIter.toFixed(2)} | ` +
      `${(r.sinkhorn.msPerIter / p.sinkhorn.ms_per_iter).toFixed(2)} (${
        (r.sinkhorn1.msPerIter / r.pot1.ms_per_iter).toFixed(2)
      }) | ` +
      `${p.sinkhorn_log.extrapolated ? "≈" : ""}${fmtS(potLogMs)} | ${r.sinkhornLog.iterations} / ${
        fmtS(r.sinkhornLog.ms)
      } | ` +
      `${r.sns.iterations.sinkhorn}+${r.sns.iterations.newton} / ${fmtS(r.sns.ms)} | ${fmtS(r.sns1.ms)} | ` +
      `${(potMs / r.sns.ms).toFixed(1)}× (${(pot1Ms / r.sns1.ms).toFixed(1)}×) | ${
        p.sinkhorn_log.extrapolated ? "≈" : ""
      }${(potLogMs / r.sns.ms).toFixed(1)}× | ` +
      `${fmtE(p.sinkhorn.l1)} / ${fmtE(r.sns.l1)} |`,
  );
}
console.log(lines.join("\n"));
const kinds = new Set(rows.map((r) => r.kernels));
console.log(
  `\nkernels: ${
    [...kinds].join("; ")
  }; POT ${potVersion} via ${values.python}. "≈": POT sinkhorn_log time extrapolated from 30 timed iterations × POT sinkhorn's iteration count.`,
);
if (values.json) writeFileSync(values.json, JSON.stringify({ tol, repeats, threads, rows }, null, 1));
closeWorkerPool();
