/**
 * lib/core/parallel.ts: the worker pool runs every block exactly once, gives bit-identical
 * results for any thread count, falls back to the calling thread, propagates worker errors,
 * shuts itself down when idle, and never keeps a process alive for long.
 *
 * The test kernels are tests/core/fixtures/parallel_kernels.wat, assembled with
 * `wat2wasm --enable-threads` (the base64 below).
 */
import { assert, assertThrowsArg } from "../_helpers.ts";
import {
  BackendError,
  closeWorkerPool,
  configureWorkerPool,
  createSharedMemory,
  defaultThreads,
  MAX_THREADS,
  parallelSupport,
  resolveThreads,
  WasmTeam,
  workerPoolState,
} from "../../lib/core/mod.ts";

const KERNELS_B64 =
  "AGFzbQEAAAABEANgAn9/AGADf39/AGABfwACIAIDZW52Bm1lbW9yeQIDAYCABANlbnYGdGhyZWFkA38AAwcGAAEBAAACB0AGBWNvdW50AAAHcGFydGlhbAABBGJ1c3kAAgZ1bmV2ZW4AAw5mYWlsX2luX3dvcmtlcgAECWZhaWxfaGVyZQAFCqoCBiIBAX8gACABQQN0aiECIAIgAisDAEQAAAAAAADwP6A5AwALRAIBfwF8AkADQCADIAFPDQEgBEQAAAAAAADwPyADQQFqIAIgAWxquKOgIQQgA0EBaiEDDAALCyAAIAJBA3RqIAQ5AwALRQIBfwF8A0AgBEQAAAAAAADwP6AhBCADQQFqIQMgAyABSQ0ACyAERAAAAAAAAAAAYwRAAAsgACACQQJ0aiMAQQFqNgIAC0MCAn8BfCAAQQEjAEHjAGxqbCEDA0AgBEQAAAAAAADwP6AhBCACQQFqIQIgAiADSQ0ACyAERAAAAAAAAAAAYwRAAAsLMgEBfyMABEAgAEEB/hcCAAALAkADQCAA/hACAA0BIAJBAWohAiACQYCo1rkHSQ0ACwsLAwAACw==";

const bytes = Uint8Array.from(atob(KERNELS_B64), (c) => c.charCodeAt(0));
const mod = new WebAssembly.Module(bytes);

function team(memory = createSharedMemory(4)!): { team: WasmTeam; memory: WebAssembly.Memory } {
  const t = new WasmTeam({
    module: mod,
    memory,
    memoryImport: ["env", "memory"],
    threadIndexImport: ["env", "thread"],
  });
  return { team: t, memory };
}

Deno.test("the committed base64 is the assembly of tests/core/fixtures/parallel_kernels.wat (exports present)", () => {
  const wat = Deno.readTextFileSync(new URL("./fixtures/parallel_kernels.wat", import.meta.url));
  const names = WebAssembly.Module.exports(mod).map((e) => e.name).sort();
  assert.deepEqual(names, ["busy", "count", "fail_here", "fail_in_worker", "partial", "uneven"]);
  for (const n of names) assert.ok(wat.includes(`(export "${n}")`), n);
});

Deno.test("parallel support is detected in Deno (Workers, SharedArrayBuffer, Atomics.wait on this thread)", () => {
  const s = parallelSupport();
  assert.equal(s.available, true, s.reason);
  assert.ok(createSharedMemory(1)!.buffer instanceof SharedArrayBuffer);
});

Deno.test("every block runs exactly once, for threads = 1…4 and block counts 1…2047, over 200 runs (pool left warm: sanitizers pass)", () => {
  const { team: t, memory } = team();
  const slots = new Float64Array(memory.buffer, 0, 2047);
  let runs = 0;
  for (const blocks of [1, 2, 3, 16, 17, 255, 2047]) {
    for (const threads of [1, 2, 3, 4]) {
      for (let rep = 0; rep < 7; rep++) {
        slots.fill(0);
        t.run("count", [0], blocks, threads, { adaptive: false });
        runs++;
        for (let b = 0; b < 2047; b++) {
          assert.equal(slots[b], b < blocks ? 1 : 0, `block ${b} of ${blocks}, ${threads} threads`);
        }
      }
    }
  }
  assert.ok(runs >= 196);
  t.close();
});

Deno.test("deterministic: per-block partial sums reduced in block order are bit-identical for threads = 1, 2, 3", () => {
  const { team: t, memory } = team();
  const out = new Float64Array(memory.buffer, 0, 64);
  const totals: number[] = [];
  for (const threads of [1, 2, 3, 2, 1, 3]) {
    out.fill(NaN);
    t.run("partial", [0, 20011], 61, threads, { adaptive: false });
    let s = 0;
    for (let b = 0; b < 61; b++) s += out[b];
    totals.push(s);
  }
  // the same bits every time, and the value is the harmonic number H(61·20011) summed in blocks
  for (const s of totals) assert.ok(Object.is(s, totals[0]), `${s} vs ${totals[0]}`);
  const N = 61 * 20011;
  assert.ok(Math.abs(totals[0] - (Math.log(N) + 0.5772156649015329 + 1 / (2 * N))) < 1e-9);
  t.close();
});

Deno.test("workers take part: with slow blocks a run uses ≥ 2 threads and some blocks are run by a worker", () => {
  const { team: t, memory } = team();
  const who = new Int32Array(memory.buffer, 0, 32);
  let best = 0, workerBlocks = 0;
  for (let rep = 0; rep < 20 && (best < 2 || workerBlocks === 0); rep++) {
    who.fill(0);
    best = Math.max(best, t.run("busy", [0, 2_000_000], 32, 2, { adaptive: false }));
    workerBlocks += who.filter((x) => x === 2).length;
    assert.ok(who.every((x) => x === 1 || x === 2), "every block ran on the calling thread (1) or worker 1 (2)");
  }
  assert.ok(best >= 2, `participants ${best}`);
  assert.ok(workerBlocks > 0);
  assert.ok(workerPoolState().workers >= 1);
  t.close();
});

Deno.test("fallback: without Worker a run executes every block on the calling thread, in order, with the same results", () => {
  const saved = globalThis.Worker;
  const startedBefore = workerPoolState().started;
  closeWorkerPool();
  try {
    // deno-lint-ignore no-explicit-any
    (globalThis as any).Worker = undefined;
    assert.equal(parallelSupport().available, false);
    assert.match(parallelSupport().reason, /Worker/);
    const { team: t, memory } = team();
    const out = new Float64Array(memory.buffer, 0, 64);
    assert.equal(t.run("partial", [0, 1001], 33, 4), 1);
    const a = Float64Array.from(out.subarray(0, 33));
    assert.equal(workerPoolState().started, startedBefore, "no worker was started while Worker was missing");
    // deno-lint-ignore no-explicit-any
    (globalThis as any).Worker = saved;
    t.run("partial", [0, 1001], 33, 3);
    assert.deepEqual(Array.from(out.subarray(0, 33)), Array.from(a));
    t.close();
  } finally {
    // deno-lint-ignore no-explicit-any
    (globalThis as any).Worker = saved;
  }
});

Deno.test("a block that fails in a worker is rethrown on the calling thread as a BackendError with the worker's message", () => {
  const { team: t, memory } = team();
  const flag = new Int32Array(memory.buffer, 0, 1);
  flag[0] = 0;
  const e = assertThrowsArg(
    () => t.run("fail_in_worker", [0], 4, 2, { adaptive: false }),
    "options.threads",
    "backend",
  );
  assert.ok(e instanceof BackendError);
  assert.match(e.message, /worker 1, block \d: RuntimeError: unreachable/);
  assert.equal(flag[0], 1);
  // the pool still works afterwards
  const slots = new Float64Array(memory.buffer, 64, 8);
  slots.fill(0);
  t.run("count", [64], 8, 2);
  assert.deepEqual(Array.from(slots), [1, 1, 1, 1, 1, 1, 1, 1]);
  t.close();
});

Deno.test("a block that fails on the calling thread rethrows its own error (a WebAssembly.RuntimeError)", () => {
  const { team: t } = team();
  for (const threads of [1, 2]) {
    assert.throws(
      () => t.run("fail_here", [], 3, threads, { adaptive: false }),
      (e: unknown) => e instanceof WebAssembly.RuntimeError || e instanceof BackendError,
    );
  }
  assert.throws(() => t.run("fail_here", [], 1, 2), WebAssembly.RuntimeError);
  t.close();
});

Deno.test("idle shutdown: the workers are terminated after idleMs without a run, and restart on the next run", async () => {
  const before = configureWorkerPool({}).idleMs;
  configureWorkerPool({ idleMs: 30 });
  try {
    const { team: t, memory } = team();
    t.run("busy", [0, 1000], 8, 2, { adaptive: false });
    assert.ok(workerPoolState().workers >= 1);
    await new Promise((r) => setTimeout(r, 150));
    assert.equal(workerPoolState().workers, 0);
    const started = workerPoolState().started;
    const who = new Int32Array(memory.buffer, 0, 8);
    t.run("busy", [0, 1000], 8, 2, { adaptive: false });
    assert.ok(who.every((x) => x >= 1));
    assert.ok(workerPoolState().started > started);
    t.close();
  } finally {
    configureWorkerPool({ idleMs: before });
  }
  assertThrowsArg(() => configureWorkerPool({ idleMs: -1 }), "config.idleMs", "option");
});

Deno.test("worker start-up: a short burst runs on the calling thread and starts the workers when the thread is idle; a long burst starts them itself", async () => {
  const { team: t } = team();
  await new Promise((r) => setTimeout(r, 40)); // end the previous tests' burst (runs < 20 ms apart)
  closeWorkerPool(); // and drop their workers (and any start they scheduled)
  // short burst: a few tiny runs, far below 50 ms of work
  for (let k = 0; k < 5; k++) assert.equal(t.run("busy", [0, 100], 8, 2), 1);
  assert.equal(workerPoolState().workers, 0, "no worker started inside the short burst");
  await new Promise((r) => setTimeout(r, 0));
  assert.ok(workerPoolState().workers >= 1, "started once the thread was idle");
  closeWorkerPool();
  // long burst: back-to-back runs; once 50 ms of work has accumulated, the pool starts workers
  const t0 = performance.now();
  while (workerPoolState().workers === 0 && performance.now() - t0 < 10_000) t.run("busy", [0, 200_000], 8, 2);
  assert.ok(workerPoolState().workers >= 1, "started inside a long burst");
  assert.ok(performance.now() - t0 >= 40, "not before the burst had taken ~50 ms");
  t.close();
  closeWorkerPool();
});

/** Runs a script in a fresh Deno process; returns its wall time and output. */
async function runScript(
  src: string,
  env: Record<string, string> = {},
): Promise<{ ms: number; out: string; code: number }> {
  const dir = await Deno.makeTempDir();
  const file = `${dir}/script.ts`;
  await Deno.writeTextFile(file, src);
  const t0 = performance.now();
  const p = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "--no-lock", file],
    env,
    signal: AbortSignal.timeout(30_000), // a process that never exits fails the test instead of hanging it
    stdout: "piped",
    stderr: "piped",
  }).output();
  const ms = performance.now() - t0;
  await Deno.remove(dir, { recursive: true });
  const dec = new TextDecoder();
  return { ms, out: dec.decode(p.stdout) + dec.decode(p.stderr), code: p.code };
}

const PARALLEL_URL = new URL("../../lib/core/parallel.ts", import.meta.url).href;
const SCRIPT = (tail: string) => `
import { closeWorkerPool, createSharedMemory, WasmTeam, workerPoolState } from "${PARALLEL_URL}";
const bytes = Uint8Array.from(atob("${KERNELS_B64}"), (c) => c.charCodeAt(0));
const memory = createSharedMemory(1);
const t = new WasmTeam({ module: new WebAssembly.Module(bytes), memory, memoryImport: ["env", "memory"], threadIndexImport: ["env", "thread"] });
for (let k = 0; k < 50; k++) t.run("busy", [0, 200000], 16, 2);
console.log("workers", workerPoolState().workers, "started", workerPoolState().started);
${tail}
`;

Deno.test("exit: a script that used the pool exits by itself ≈ idleMs after its last run; with closeWorkerPool() at once", async () => {
  // a baseline process start, to compare against (the machine may be slow)
  const base = await runScript("console.log('workers 0');");
  const idle = await runScript(SCRIPT(""));
  assert.equal(idle.code, 0, idle.out);
  assert.match(idle.out, /workers 1 started 1/);
  const closed = await runScript(SCRIPT("closeWorkerPool();"));
  assert.equal(closed.code, 0, closed.out);
  // idle shutdown: 200 ms by default; generous bounds for a loaded machine (typically +0.2–0.4 s)
  console.log(`bare ${base.ms.toFixed(0)} ms, idle exit ${idle.ms.toFixed(0)} ms, closed ${closed.ms.toFixed(0)} ms`);
  assert.ok(idle.ms < base.ms + 5000, `idle exit took ${idle.ms} ms (bare process ${base.ms} ms)`);
  assert.ok(closed.ms < base.ms + 5000, `closed exit took ${closed.ms} ms`);
});

Deno.test("threads: PARSIMONY_THREADS sets the default (bad values are an OptionError naming it); the option is validated", async () => {
  const src = `
import { defaultThreads } from "${PARALLEL_URL}";
try { console.log("threads=" + defaultThreads()); } catch (e) { console.log("error " + e.name + " " + e.arg); }`;
  assert.match((await runScript(src, { PARSIMONY_THREADS: "3" })).out, /threads=3/);
  assert.match((await runScript(src, { PARSIMONY_THREADS: "zero" })).out, /error OptionError PARSIMONY_THREADS/);
  assert.match((await runScript(src, { PARSIMONY_THREADS: "0" })).out, /error OptionError PARSIMONY_THREADS/);
  const hc = navigator.hardwareConcurrency;
  const env = Deno.env.get("PARSIMONY_THREADS");
  if (env === undefined) assert.equal(defaultThreads(), Math.min(hc, 8));
  assert.equal(resolveThreads("f", 5), 5);
  assertThrowsArg(() => resolveThreads("f", 0), "options.threads", "option");
  assertThrowsArg(() => resolveThreads("f", 1.5), "options.threads", "option");
  assertThrowsArg(() => resolveThreads("f", MAX_THREADS + 1), "options.threads", "option");
});

Deno.test("adaptive: a pass the workers slow down falls back to the calling thread for a while; results are never affected", () => {
  const { team: t } = team();
  const before = workerPoolState().backoffs;
  // blocks on a worker take 100× longer than on the calling thread: parallel runs are slower.
  // Run until the pool backs off: on a loaded machine the worker may take longer to start than
  // hundreds of these runs (a run the worker takes no block of is not slower), so no fixed count.
  const deadline = performance.now() + 20_000;
  let reps = 0;
  while (workerPoolState().backoffs === before && performance.now() < deadline) {
    t.run("uneven", [20_000], 8, 2);
    reps++;
  }
  assert.ok(workerPoolState().backoffs > before, `no back-off after ${reps} runs`);
  // during the back-off (≥ 50 ms; 20 runs take ≈ 3 ms) the pass stays on the calling thread
  let single = 0;
  for (let rep = 0; rep < 20; rep++) if (t.run("uneven", [20_000], 8, 2) === 1) single++;
  assert.ok(single >= 15, `${single} of 20 runs on the calling thread alone`);
  // and a pass that is not adaptive always offers its blocks to the workers
  const { team: t2, memory } = team();
  const slots = new Float64Array(memory.buffer, 0, 4);
  slots.fill(0);
  t2.run("count", [0], 4, 2, { adaptive: false });
  assert.deepEqual(Array.from(slots), [1, 1, 1, 1]);
  t.close();
  t2.close();
});
