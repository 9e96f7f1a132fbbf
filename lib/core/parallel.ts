/**
 * A small deterministic worker pool for WebAssembly kernels over one shared memory: the
 * calling thread and up to `threads − 1` web Workers run the blocks of a data-parallel pass
 * (`exports[name](...args, block)` for block = 0 … blocks − 1), taking blocks from a shared
 * counter until none is left.
 *
 * Determinism is the caller's contract, made easy here: the pool decides only WHO runs a
 * block, never what a block is. A kernel whose partition depends on the problem alone (never
 * on the thread count), and whose blocks write disjoint outputs (each its own partial sums,
 * reduced afterwards in block order), gives bit-identical results for any `threads` — and the
 * single-threaded fallback runs the very same blocks in order on the calling thread.
 *
 * Web-standard APIs only: `Worker` (module workers from a Blob URL), `SharedArrayBuffer`,
 * `Atomics`, `WebAssembly`. Falls back to the calling thread when any of them is missing, when
 * this thread may not block (`Atomics.wait` is forbidden on a browser's main thread), for one
 * block, or for `threads = 1`. Deno's `unrefTimer` is used behind a feature check.
 *
 * Dispatch: the calling thread publishes a job (function, arguments, block count) in a small
 * control SharedArrayBuffer and takes blocks itself; a worker that ran the previous job is still
 * waiting on the job word (futex waits of ≤ 0.25 ms, for up to 2 ms after its last job) and is
 * woken by Atomics.notify, so consecutive passes of an iterative solver cost microseconds to
 * dispatch; a worker back on its event loop is woken by a message.
 *
 * Lifecycle (a Worker keeps a Deno process alive, and `terminate()` cannot end a worker that
 * is blocked in a long `Atomics.wait`): workers never wait longer than one 0.25 ms step, and
 * between runs they sit on their event loops. Starting a worker blocks the calling thread for
 * ~10–20 ms, so a run that finds none starts them at once only inside a long burst of runs (≥ 50
 * ms of work: a long solve); otherwise it runs on the calling thread and the workers start when
 * the thread is next idle, ready for the next burst. They are terminated after `idleMs` (1 s)
 * without a run (a timer that does not keep the process alive), or at once with
 * {@linkcode closeWorkerPool}; the next run starts fresh ones. So a script that used the pool
 * exits ≈ `idleMs` after its last run.
 *
 * Adaptivity: per pass (team, function, block count) the pool compares the wall time per block
 * of its parallel runs with that of calling-thread-only runs (re-measured every 32 runs) and
 * keeps the pass on the calling thread for a while when the workers do not make it faster — as
 * when other processes hold the other cores. This changes who runs the blocks, never a result.
 *
 * Failure: an exception in a worker's block (e.g. a wasm trap) stops the remaining blocks and
 * is rethrown by `run` on the calling thread as a {@linkcode BackendError}; one on the calling
 * thread is rethrown as is. A worker that fails to start or to instantiate the module takes
 * no blocks (the other threads run them).
 *
 * @example
 * ```ts
 * import { defaultThreads, parallelSupport } from "@parsimony/parsimony/core";
 * defaultThreads() >= 1; // => true
 * typeof parallelSupport().available; // => "boolean"
 * ```
 *
 * @module
 */

import { BackendError, OptionError } from "./errors.ts";
import { readEnv } from "./env.ts";

/** Environment variable that sets the default thread count (a positive integer). */
export const THREADS_ENV = "PARSIMONY_THREADS";

/** Cap on the default thread count taken from `navigator.hardwareConcurrency`. */
export const DEFAULT_THREAD_CAP = 8;

/** Largest thread count accepted (option or environment). */
export const MAX_THREADS = 64;

/** Largest number of blocks one run may have. */
export const MAX_BLOCKS = 2047;

/** Pool settings (see {@linkcode configureWorkerPool}). */
export interface WorkerPoolConfig {
  /** Terminate the workers after this many milliseconds without a run. @default 1000 */
  idleMs: number;
}

/** Defaults of {@linkcode WorkerPoolConfig}. */
export const WORKER_POOL_DEFAULTS: Readonly<WorkerPoolConfig> = Object.freeze({ idleMs: 1000 });

/**
 * The default thread count: `PARSIMONY_THREADS` when set (a positive integer ≤ 64), else
 * min(`navigator.hardwareConcurrency`, 8) (1 when unknown).
 *
 * @param fn function name for the error message
 * @returns threads (≥ 1)
 * @throws {OptionError} naming `PARSIMONY_THREADS` when it is set to anything but a positive integer ≤ 64
 * @example
 * ```ts
 * import { defaultThreads } from "@parsimony/parsimony/core";
 * defaultThreads() >= 1; // => true
 * ```
 */
export function defaultThreads(fn = "defaultThreads"): number {
  const env = readEnv(THREADS_ENV);
  if (env !== undefined && env.trim() !== "") {
    const k = Number(env.trim());
    if (!Number.isInteger(k) || k < 1 || k > MAX_THREADS) {
      throw new OptionError({
        fn,
        arg: THREADS_ENV,
        expected: `a positive integer ≤ ${MAX_THREADS} (environment variable)`,
        got: JSON.stringify(env),
      });
    }
    return k;
  }
  const hc = (globalThis as { navigator?: { hardwareConcurrency?: number } }).navigator?.hardwareConcurrency;
  const cores = typeof hc === "number" && Number.isInteger(hc) && hc >= 1 ? hc : 1;
  return Math.min(cores, DEFAULT_THREAD_CAP);
}

/**
 * A thread count from an option: the option when given (validated by the caller's constraint
 * table), else {@linkcode defaultThreads}.
 *
 * @param fn function name for error messages
 * @param threads the option value, or `undefined` for the default
 * @returns threads (≥ 1)
 * @throws {OptionError} for a non-integer or out-of-range value, or a bad `PARSIMONY_THREADS`
 * @example
 * ```ts
 * import { resolveThreads } from "@parsimony/parsimony/core";
 * resolveThreads("demo", 3); // => 3
 * ```
 */
export function resolveThreads(fn: string, threads: number | undefined): number {
  if (threads === undefined) return defaultThreads(fn);
  if (!Number.isInteger(threads) || threads < 1 || threads > MAX_THREADS) {
    throw new OptionError({
      fn,
      arg: "options.threads",
      expected: `an integer in [1, ${MAX_THREADS}]`,
      got: String(threads),
    });
  }
  return threads;
}

let blockingChecked: boolean | undefined;

/** Whether this thread may block in Atomics.wait (not on a browser's main thread). */
function canBlock(): boolean {
  if (blockingChecked !== undefined) return blockingChecked;
  try {
    const a = new Int32Array(new SharedArrayBuffer(4));
    Atomics.wait(a, 0, 1, 0); // returns "not-equal" at once where blocking is allowed, throws where not
    blockingChecked = true;
  } catch {
    blockingChecked = false;
  }
  return blockingChecked;
}

/**
 * Whether runs can use worker threads here, and if not, why (then every run executes its
 * blocks in order on the calling thread — same results).
 *
 * @returns `{ available, reason }`
 * @example
 * ```ts
 * import { parallelSupport } from "@parsimony/parsimony/core";
 * parallelSupport().reason.length > 0; // => true
 * ```
 */
export function parallelSupport(): { available: boolean; reason: string } {
  const g = globalThis as { Worker?: unknown; Blob?: unknown; URL?: { createObjectURL?: unknown } };
  if (typeof SharedArrayBuffer !== "function" || typeof Atomics !== "object") {
    return { available: false, reason: "no SharedArrayBuffer (a browser page needs cross-origin isolation)" };
  }
  if (typeof g.Worker !== "function") return { available: false, reason: "no Worker in this runtime" };
  if (typeof g.Blob !== "function" || typeof g.URL?.createObjectURL !== "function") {
    return { available: false, reason: "no Blob URLs for the worker script" };
  }
  if (typeof WebAssembly !== "object") return { available: false, reason: "no WebAssembly" };
  if (!canBlock()) return { available: false, reason: "this thread may not block (Atomics.wait)" };
  return { available: true, reason: "Workers + SharedArrayBuffer + Atomics" };
}

/**
 * A shared WebAssembly memory (`shared: true`, as a module that imports `(memory … shared)`
 * needs), or `null` where shared memories are unavailable. Tries `maximum` = 65536 pages
 * (4 GiB, address space only), then smaller ones down to `initial`.
 *
 * @param initial pages (64 KiB each) to start with
 * @param maximum largest size it may grow to (pages) @default 65536
 * @returns the memory or `null`
 * @example
 * ```ts
 * import { createSharedMemory } from "@parsimony/parsimony/core";
 * const mem = createSharedMemory(1);
 * mem === null || mem.buffer.byteLength === 65536; // => true
 * ```
 */
export function createSharedMemory(initial: number, maximum = 65536): WebAssembly.Memory | null {
  if (typeof SharedArrayBuffer !== "function" || typeof WebAssembly !== "object") return null;
  for (let max = maximum; max >= initial; max = max === initial ? initial - 1 : Math.max(initial, max >> 1)) {
    try {
      return new WebAssembly.Memory({ initial, maximum: max, shared: true } as WebAssembly.MemoryDescriptor);
    } catch {
      // address space or support: try a smaller maximum, then give up
    }
  }
  return null;
}

/** A `Math` function a worker can import into the module (functions cannot be posted to workers). */
export type MathFunctionName = "exp" | "log" | "expm1" | "log1p" | "sqrt" | "pow" | "sin" | "cos" | "tanh" | "atan2";

/** How to instantiate a module on every thread of a {@linkcode WasmTeam}. */
export interface WasmTeamSpec {
  /** The compiled module (posted to the workers; compiled once). */
  module: WebAssembly.Module;
  /** Its memory; must be shared (`createSharedMemory`) for workers to take part. */
  memory: WebAssembly.Memory;
  /** Import name of the memory, e.g. `["env", "memory"]`. */
  memoryImport: readonly [string, string];
  /** Imported functions taken from `Math` on each thread: `[module, name, Math function]`. */
  mathImports?: readonly (readonly [string, string, MathFunctionName])[];
  /** Optional immutable i32 global import set to the thread's index (0 = calling thread, k = worker k). */
  threadIndexImport?: readonly [string, string];
}

/**
 * Layout of the pool's control SharedArrayBuffer: Int32 control words, one state word per
 * worker (1 = serving: waiting for or running jobs; 0 = idle on its event loop), the job's
 * arguments (f64), the first error's text.
 */
const JOB = 0,
  DONE = 1,
  ERR = 2,
  ERR_LEN = 3,
  PART = 4,
  TEAM = 5,
  FN = 6,
  NARGS = 7,
  BLOCKS = 8,
  HELPERS = 9,
  STOP = 10;
const STATE_AT = 16, MAX_WORKERS = MAX_THREADS - 1;
const ARGS_BYTE = 4 * (STATE_AT + 64), MAX_ARGS = 32, TEXT_BYTE = ARGS_BYTE + 8 * MAX_ARGS, CTL_BYTES = 4096;
const SEQ_SHIFT = 11, SEQ_MASK = 0xfffff, BLOCK_MASK = (1 << SEQ_SHIFT) - 1;
/** Wait slice and the no-progress limit after which a run gives up on its workers. */
const WAIT_SLICE_MS = 1000, STALL_MS = 120_000;
/**
 * How long a worker keeps waiting for the next job (futex waits of at most WAIT_STEP_MS each, woken
 * by the calling thread's Atomics.notify) before it goes back to its event loop. Waiting — not
 * spinning — leaves the core to the calling thread when both share one; the short steps keep
 * terminate() prompt.
 */
const LINGER_MS = 2, WAIT_STEP_MS = 0.25;
/** Before its first futex wait a worker polls the job word this long (the gap between passes is often shorter). */
const POLL_MS = 0.05;
/**
 * Adaptive choice per pass (key: team, function, block count, size class): the pool compares the
 * wall time per block of its parallel runs (the minimum over windows of PAR_WINDOW runs, so that a
 * preempted run does not count) with that of calling-thread-only runs (the minimum of the last
 * SEQ_KEEP, re-measured every CALIBRATE_EVERY runs), and runs a pass on the calling thread alone
 * for a back-off period (BACKOFF_MIN_MS, doubling while it recurs, up to BACKOFF_MAX_MS) when its
 * best parallel runs are not at least 5 % faster — e.g. when other processes hold the other cores.
 * Which thread runs a block never changes a result.
 */
const CALIBRATE_EVERY = 32, PAR_WINDOW = 8, SEQ_KEEP = 4, BACKOFF_MIN_MS = 50, BACKOFF_MAX_MS = 2000;
/**
 * Starting a worker blocks the calling thread for ~10–20 ms (Deno builds an isolate). A run that
 * finds too few workers starts them right away only once the current burst of runs (runs less
 * than BURST_GAP_MS apart: the passes of one solve) has already taken SPAWN_AFTER_MS of work —
 * a long solve, which the workers will repay; otherwise it runs on the calling thread and the
 * workers are started when the thread is next idle, for the next burst.
 */
const SPAWN_AFTER_MS = 50, BURST_GAP_MS = 20;

/** Timing record of one pass (see CALIBRATE_EVERY). */
interface PassStats {
  /** Last SEQ_KEEP calling-thread runs (ms per block; NaN = none yet), and the next slot. */
  seq: Float64Array;
  seqAt: number;
  /** Best parallel ms per block in the current window, and runs in it (the first after a (re)start, which may wake idle workers, is skipped). */
  parMin: number;
  nPar: number;
  runs: number;
  until: number;
  backoffMs: number;
}

/**
 * The worker script (plain JavaScript, loaded from a Blob URL). Messages: init, bind (instantiate
 * a team's module over its memory), unbind, wake. On a wake the worker serves: it runs the
 * current job's blocks (claimed by compare-and-swap on the job word, which carries the job's
 * sequence number), then polls the job word for POLL_MS and waits on it for up to LINGER_MS for
 * the next job (the calling thread publishes consecutive passes microseconds apart and notifies),
 * in futex waits of at most WAIT_STEP_MS, and otherwise marks itself idle and returns to its event loop — it is never
 * blocked in Atomics.wait for longer than one step, so terminate() always ends it promptly. The
 * thread that completes a job's last block wakes the calling thread.
 */
const WORKER_SOURCE = `
const teams = new Map();
let ctl = null, args = null, text = null, index = 0, last = -1, retry = false;
const enc = new TextEncoder();
function fail(e, b) {
  if (Atomics.compareExchange(ctl, ${ERR}, 0, 1) !== 0) return;
  const what = e && typeof e === "object" && "message" in e ? (e.name ? e.name + ": " : "") + e.message : String(e);
  const bytes = enc.encode("worker " + index + ", block " + b + ": " + what);
  const k = Math.min(bytes.length, text.length);
  text.set(bytes.subarray(0, k));
  Atomics.store(ctl, ${ERR_LEN}, k);
}
/** Run the blocks of job seq; false when this worker cannot (unknown team: a bind is still queued). */
function runJob(seq) {
  const team = teams.get(Atomics.load(ctl, ${TEAM}));
  if (team === undefined) return false;
  if (team === null || index > Atomics.load(ctl, ${HELPERS})) return true;
  const f = team.fns[Atomics.load(ctl, ${FN})], nargs = Atomics.load(ctl, ${NARGS});
  const blocks = Atomics.load(ctl, ${BLOCKS});
  const a = new Array(nargs + 1);
  for (let k = 0; k < nargs; k++) a[k] = args[k];
  let ran = false;
  for (;;) {
    const w = Atomics.load(ctl, ${JOB});
    if ((w >>> ${SEQ_SHIFT}) !== seq) break;
    const b = w & ${BLOCK_MASK};
    if (b >= blocks) break;
    if (Atomics.compareExchange(ctl, ${JOB}, w, w + 1) !== w) continue;
    if (!ran) { ran = true; Atomics.add(ctl, ${PART}, 1); }
    if (Atomics.load(ctl, ${ERR}) === 0) {
      a[nargs] = b;
      try { f.apply(null, a); } catch (e) { fail(e, b); }
    }
    if (Atomics.add(ctl, ${DONE}, 1) + 1 === blocks) Atomics.notify(ctl, ${DONE});
  }
  return true;
}
function serve() {
  const me = ${STATE_AT} + index - 1;
  Atomics.store(ctl, me, 1);
  for (;;) {
    let w = Atomics.load(ctl, ${JOB}), seq = w >>> ${SEQ_SHIFT};
    if (seq === last) {
      const t0 = performance.now();
      let polls = 0, polling = true;
      while ((seq = (w = Atomics.load(ctl, ${JOB})) >>> ${SEQ_SHIFT}) === last) {
        if (polling) {
          if ((++polls & 31) === 0 && performance.now() - t0 > ${POLL_MS}) polling = false;
          continue;
        }
        if (performance.now() - t0 > ${LINGER_MS} || Atomics.load(ctl, ${STOP}) !== 0) {
          Atomics.store(ctl, me, 0);
          // a job published after the state store is seen here; one published before it got a wake
          if ((Atomics.load(ctl, ${JOB}) >>> ${SEQ_SHIFT}) === last || Atomics.load(ctl, ${STOP}) !== 0) return;
          Atomics.store(ctl, me, 1);
          continue;
        }
        Atomics.wait(ctl, ${JOB}, w, ${WAIT_STEP_MS});
      }
    }
    last = seq;
    if (!runJob(seq)) {
      // the job's team is bound by a message still queued: serve again once it is processed
      Atomics.store(ctl, me, 0);
      last = -1;
      retry = true;
      return;
    }
  }
}
self.onmessage = (ev) => {
  const m = ev.data;
  if (m.t === "wake") {
    if (ctl !== null) serve();
  } else if (m.t === "init") {
    ctl = new Int32Array(m.ctl, 0, ${STATE_AT + 64});
    args = new Float64Array(m.ctl, ${ARGS_BYTE}, ${MAX_ARGS});
    text = new Uint8Array(m.ctl, ${TEXT_BYTE});
    index = m.index;
    last = -1; // join the job in progress, if any (a finished job has no block left to claim)
  } else if (m.t === "bind") {
    try {
      const imports = {};
      const put = (mod, name, value) => { (imports[mod] ??= {})[name] = value; };
      for (const [mod, name, fn] of m.math) put(mod, name, Math[fn]);
      put(m.memoryImport[0], m.memoryImport[1], m.memory);
      if (m.threadIndexImport) put(m.threadIndexImport[0], m.threadIndexImport[1], new WebAssembly.Global({ value: "i32" }, index));
      const ex = new WebAssembly.Instance(m.module, imports).exports;
      teams.set(m.id, { fns: m.names.map((n) => ex[n]) });
    } catch {
      teams.set(m.id, null);
    }
    if (retry) { retry = false; serve(); }
  } else if (m.t === "unbind") {
    teams.delete(m.id);
  }
};
`;

interface BindMessage {
  t: "bind";
  id: number;
  module: WebAssembly.Module;
  memory: WebAssembly.Memory;
  memoryImport: readonly [string, string];
  math: readonly (readonly [string, string, string])[];
  threadIndexImport: readonly [string, string] | null;
  /** Exported function names; a job names its function by index into this list. */
  names: readonly string[];
}

type TimerHandle = ReturnType<typeof setTimeout>;

/** Keep a timer from holding the process open (Deno.unrefTimer, Node's timer.unref), where the runtime has it. */
function unrefTimer(t: TimerHandle): void {
  const d = (globalThis as { Deno?: { unrefTimer?: (id: number) => void } }).Deno;
  if (d !== undefined && typeof d.unrefTimer === "function" && typeof t === "number") {
    d.unrefTimer(t);
    return;
  }
  const u = (t as unknown as { unref?: () => void }).unref;
  if (typeof u === "function") u.call(t);
}

/** The process-wide pool of this thread (one per JavaScript realm). */
class WorkerPool {
  private workers: Worker[] = [];
  private readonly binds = new Map<number, BindMessage>();
  private ctlBuffer: SharedArrayBuffer | null = null;
  private ctl: Int32Array = new Int32Array(0);
  private args: Float64Array = new Float64Array(0);
  private url: string | null = null;
  private seq = 0;
  private busy = false;
  private timer: TimerHandle | undefined;
  private lastUse = 0;
  idleMs: number = WORKER_POOL_DEFAULTS.idleMs;
  /** Workers started since the process began (tests read it). */
  started = 0;
  /** Parallel runs executed. */
  runs = 0;
  /** Back-off periods entered (passes kept on the calling thread because workers did not speed them up). */
  backoffs = 0;
  private readonly stats = new Map<number, PassStats>();
  private spawnTimer: TimerHandle | undefined;
  private wanted = 0;
  private burstMs = 0;
  private burstEnd = -Infinity;

  /** Whether this run of pass `key` should use the workers (false: calibration run or back-off). */
  wantParallel(key: number): boolean {
    let st = this.stats.get(key);
    if (st === undefined) {
      if (this.stats.size > 4096) this.stats.clear();
      st = {
        seq: new Float64Array(SEQ_KEEP).fill(NaN),
        seqAt: 0,
        parMin: Infinity,
        nPar: 0,
        runs: 0,
        until: 0,
        backoffMs: BACKOFF_MIN_MS,
      };
      this.stats.set(key, st);
    }
    st.runs++;
    if (Number.isNaN(st.seq[0]) || st.runs % CALIBRATE_EVERY === 0) return false;
    return !(st.until > 0 && performance.now() < st.until);
  }

  /** Account one run of pass `key`: wall ms per block, parallel or not. */
  record(key: number, parallel: boolean, msPerBlock: number): void {
    const st = this.stats.get(key);
    if (st === undefined) return;
    if (!parallel) {
      st.seq[st.seqAt] = msPerBlock;
      st.seqAt = (st.seqAt + 1) % SEQ_KEEP;
      return;
    }
    if (++st.nPar === 1) return;
    st.parMin = Math.min(st.parMin, msPerBlock);
    if (st.nPar <= PAR_WINDOW) return;
    let seqMin = Infinity;
    for (const x of st.seq) if (x < seqMin) seqMin = x; // NaN entries compare false
    if (st.parMin > 0.95 * seqMin) {
      this.backoffs++;
      st.until = performance.now() + st.backoffMs;
      st.backoffMs = Math.min(BACKOFF_MAX_MS, 2 * st.backoffMs);
      st.nPar = 0; // judge afresh after the back-off
    } else {
      st.backoffMs = Math.max(BACKOFF_MIN_MS, st.backoffMs / 2);
      st.nPar = 1;
    }
    st.parMin = Infinity;
  }

  get size(): number {
    return this.workers.length;
  }

  bind(msg: BindMessage): void {
    this.binds.set(msg.id, msg);
    for (const w of this.workers) w.postMessage(msg);
  }

  unbind(id: number): void {
    if (!this.binds.delete(id)) return;
    for (const w of this.workers) w.postMessage({ t: "unbind", id });
  }

  bound(id: number): boolean {
    return this.binds.has(id);
  }

  /** Start workers until `helpers` exist (capped); they idle-terminate like any others. */
  ensure(helpers: number): void {
    const h = Math.min(helpers, MAX_WORKERS);
    while (this.workers.length < h) this.spawn();
    this.armIdle();
  }

  /** Whether `helpers` workers (capped) exist. */
  has(helpers: number): boolean {
    return this.workers.length >= Math.min(helpers, MAX_WORKERS);
  }

  /**
   * Start workers until `helpers` exist when this thread is next idle (a macrotask), so that the
   * next burst of runs finds them ready; the timer does not keep the process alive.
   */
  ensureLater(helpers: number): void {
    this.wanted = Math.max(this.wanted, Math.min(helpers, MAX_WORKERS));
    if (this.spawnTimer !== undefined) return;
    const t = setTimeout(() => {
      this.spawnTimer = undefined;
      const h = this.wanted;
      this.wanted = 0;
      if (h > 0) this.ensure(h);
    }, 0);
    unrefTimer(t);
    this.spawnTimer = t;
  }

  /** The work (ms) of the current burst of runs — runs less than BURST_GAP_MS apart — before one starting at `startedAt`. */
  burst(startedAt: number): number {
    if (startedAt - this.burstEnd > BURST_GAP_MS) this.burstMs = 0;
    return this.burstMs;
  }

  /** Add a run that started at `startedAt` and ends now to the current burst; returns its duration (ms). */
  endRun(startedAt: number): number {
    const now = performance.now();
    this.burstMs += now - startedAt;
    this.burstEnd = now;
    return now - startedAt;
  }

  private spawn(): void {
    if (this.ctlBuffer === null) {
      this.ctlBuffer = new SharedArrayBuffer(CTL_BYTES);
      this.ctl = new Int32Array(this.ctlBuffer, 0, STATE_AT + 64);
      this.args = new Float64Array(this.ctlBuffer, ARGS_BYTE, MAX_ARGS);
    }
    if (this.url === null) {
      this.url = URL.createObjectURL(new Blob([WORKER_SOURCE], { type: "text/javascript" }));
    }
    const index = this.workers.length + 1;
    Atomics.store(this.ctl, STOP, 0);
    Atomics.store(this.ctl, STATE_AT + index - 1, 0);
    const w = new Worker(this.url, { type: "module", name: `parsimony-pool-${index}` });
    // An uncaught error inside a worker must not take the process down: drop that worker (it
    // takes no blocks after the error; blocks it claimed were counted by its own handler).
    w.onerror = (e: Event) => {
      e.preventDefault();
      this.drop(w);
    };
    w.onmessageerror = () => this.drop(w);
    w.postMessage({ t: "init", ctl: this.ctlBuffer, index });
    for (const b of this.binds.values()) w.postMessage(b);
    this.workers.push(w);
    this.started++;
  }

  private drop(w: Worker): void {
    // Worker k reads state word k; to keep indices stable, a dropped worker leaves the pool
    // entirely (all workers restart on the next run).
    if (this.workers.includes(w)) this.close();
  }

  /** Terminate every worker now (bindings are kept and re-sent to the next workers). */
  close(): void {
    if (this.timer !== undefined) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    if (this.spawnTimer !== undefined) {
      clearTimeout(this.spawnTimer);
      this.spawnTimer = undefined;
      this.wanted = 0;
    }
    if (this.workers.length > 0) {
      // Ask lingering workers back to their event loops first (a worker in a loop or a wait can
      // take a while to honour terminate()), waiting at most a few milliseconds.
      Atomics.store(this.ctl, STOP, 1);
      Atomics.notify(this.ctl, JOB);
      const t0 = performance.now();
      for (let k = 0; k < this.workers.length; k++) {
        while (Atomics.load(this.ctl, STATE_AT + k) !== 0 && performance.now() - t0 < 5) { /* poll */ }
      }
      for (const w of this.workers) w.terminate();
    }
    this.workers = [];
    if (this.url !== null) {
      URL.revokeObjectURL(this.url);
      this.url = null;
    }
  }

  /** New idle timeout, applied to the pending timer too. */
  setIdle(ms: number): void {
    this.idleMs = ms;
    if (this.timer !== undefined) {
      clearTimeout(this.timer);
      this.timer = undefined;
      this.onIdle();
    }
  }

  private armIdle(): void {
    this.lastUse = performance.now();
    if (this.timer !== undefined || this.workers.length === 0) return;
    const t = setTimeout(() => this.onIdle(), this.idleMs);
    unrefTimer(t);
    this.timer = t;
  }

  private onIdle(): void {
    this.timer = undefined;
    if (this.workers.length === 0) return;
    const left = this.lastUse + this.idleMs - performance.now();
    if (left <= 1) {
      this.close();
      return;
    }
    const t = setTimeout(() => this.onIdle(), left);
    unrefTimer(t);
    this.timer = t;
  }

  /**
   * Run `f(...args, b)` for every block on the calling thread and up to `helpers` workers.
   * Returns the number of threads that ran at least one block.
   */
  run(
    teamId: number,
    fnIndex: number,
    f: (...a: number[]) => unknown,
    name: string,
    args: readonly number[],
    blocks: number,
    helpers: number,
  ): number {
    if (this.busy || args.length > MAX_ARGS) return runSequential(f, args, blocks);
    this.busy = true;
    try {
      const h = Math.min(helpers, MAX_WORKERS);
      while (this.workers.length < h) this.spawn();
      const ctl = this.ctl;
      // Publish the job: descriptor first, then the job word (its sequence number tells the
      // workers that a new job is there; the Atomics store orders the descriptor before it).
      this.seq = (this.seq + 1) & SEQ_MASK;
      const seq = this.seq;
      Atomics.store(ctl, DONE, 0);
      Atomics.store(ctl, ERR, 0);
      Atomics.store(ctl, ERR_LEN, 0);
      Atomics.store(ctl, PART, 0);
      Atomics.store(ctl, TEAM, teamId);
      Atomics.store(ctl, FN, fnIndex);
      Atomics.store(ctl, NARGS, args.length);
      Atomics.store(ctl, BLOCKS, blocks);
      Atomics.store(ctl, HELPERS, h);
      this.args.set(args);
      Atomics.store(ctl, JOB, seq << SEQ_SHIFT);
      Atomics.notify(ctl, JOB);
      // Wake the helpers that went back to their event loop (the others are waiting on the job word).
      for (let k = 0; k < h; k++) {
        if (Atomics.load(ctl, STATE_AT + k) === 0) this.workers[k].postMessage({ t: "wake" });
      }
      // The calling thread's share: take blocks like any worker.
      const a = [...args, 0], last = args.length;
      let own: unknown = undefined, ownFailed = false, ran = false;
      for (;;) {
        const w = Atomics.load(ctl, JOB);
        const b = w & BLOCK_MASK;
        if (b >= blocks) break;
        if (Atomics.compareExchange(ctl, JOB, w, w + 1) !== w) continue;
        if (!ran) {
          ran = true;
          Atomics.add(ctl, PART, 1);
        }
        if (Atomics.load(ctl, ERR) === 0) {
          a[last] = b;
          try {
            f(...a);
          } catch (e) {
            if (Atomics.compareExchange(ctl, ERR, 0, 1) === 0) {
              own = e;
              ownFailed = true;
            }
          }
        }
        Atomics.add(ctl, DONE, 1);
      }
      // Wait for the blocks the workers took: poll briefly (the last block is usually about to
      // finish), then sleep on the done counter.
      let seen = Atomics.load(ctl, DONE);
      for (let spin = 0; seen < blocks && spin < 2000; spin++) seen = Atomics.load(ctl, DONE);
      let since = performance.now();
      while (seen < blocks) {
        Atomics.wait(ctl, DONE, seen, WAIT_SLICE_MS);
        const now = Atomics.load(ctl, DONE);
        if (now !== seen) {
          seen = now;
          since = performance.now();
        } else if (performance.now() - since > STALL_MS) {
          this.close();
          throw new BackendError({
            fn: name,
            arg: "options.threads",
            expected: "served by workers that finish their blocks",
            got: `no progress for ${STALL_MS / 1000} s (${blocks - seen} blocks outstanding)`,
            hint: "threads: 1 runs on the calling thread only",
          });
        }
      }
      this.runs++;
      if (ownFailed) throw own;
      if (Atomics.load(ctl, ERR) !== 0) {
        const len = Atomics.load(ctl, ERR_LEN);
        const bytes = new Uint8Array(this.ctlBuffer!, TEXT_BYTE, len).slice();
        throw new BackendError({
          fn: name,
          arg: "options.threads",
          expected: "served by workers whose blocks succeed",
          got: new TextDecoder().decode(bytes),
          hint: "threads: 1 runs on the calling thread only",
        });
      }
      return Atomics.load(ctl, PART);
    } finally {
      this.busy = false;
      this.armIdle();
    }
  }
}

function runSequential(f: (...a: number[]) => unknown, args: readonly number[], blocks: number): number {
  const a = [...args, 0], last = args.length;
  for (let b = 0; b < blocks; b++) {
    a[last] = b;
    f(...a);
  }
  return 1;
}

let thePool: WorkerPool | null = null;
function pool(): WorkerPool {
  if (thePool === null) thePool = new WorkerPool();
  return thePool;
}

let nextTeamId = 1;

/**
 * A WebAssembly module instantiated over one (shared) memory on the calling thread and, on
 * demand, on the pool's workers: {@linkcode WasmTeam.run} executes a blocked export on up to
 * `threads` threads. With a non-shared memory, or where {@linkcode parallelSupport} says no,
 * every run executes its blocks in order on the calling thread.
 *
 * @example
 * ```ts
 * import { createSharedMemory, WasmTeam } from "@parsimony/parsimony/core";
 * // (module (import "env" "memory" (memory 1 65536 shared))
 * //   (func (export "fill") (param $v f64) (param $b i32)   ;; block b writes slot b
 * //     (f64.store (i32.shl (local.get $b) (i32.const 3)) (local.get $v))))
 * const bytes = Uint8Array.from(atob(
 *   "AGFzbQEAAAABBgFgAnx/AAISAQNlbnYGbWVtb3J5AgMBgIAEAwIBAAcIAQRmaWxsAAAKDgEMACABQQN0IAA5AwAL",
 * ), (c) => c.charCodeAt(0));
 * const memory = createSharedMemory(1);
 * if (memory !== null) {
 *   const team = new WasmTeam({ module: new WebAssembly.Module(bytes), memory, memoryImport: ["env", "memory"] });
 *   team.run("fill", [2.5], 4, 2);
 *   Array.from(new Float64Array(memory.buffer, 0, 4)); // => [2.5, 2.5, 2.5, 2.5]
 *   team.close();
 * }
 * ```
 */
export class WasmTeam {
  /** The calling thread's instance (its exports can also be called directly). */
  readonly exports: WebAssembly.Exports;
  /** True when the memory is shared and workers may take part. */
  readonly shared: boolean;
  private readonly id: number;
  private readonly bindMsg: BindMessage;
  private readonly fnIndex = new Map<string, number>();
  private closed = false;

  /**
   * Instantiate on the calling thread (workers instantiate on their first run).
   *
   * @param spec module, memory and imports
   * @throws the instantiation error of the calling thread (missing or mismatched imports)
   */
  constructor(spec: WasmTeamSpec) {
    const imports: Record<string, Record<string, WebAssembly.ImportValue>> = {};
    const put = (mod: string, name: string, value: WebAssembly.ImportValue) => {
      (imports[mod] ??= {})[name] = value;
    };
    for (const [mod, name, fn] of spec.mathImports ?? []) put(mod, name, Math[fn] as (...a: number[]) => number);
    put(spec.memoryImport[0], spec.memoryImport[1], spec.memory);
    if (spec.threadIndexImport) {
      put(spec.threadIndexImport[0], spec.threadIndexImport[1], new WebAssembly.Global({ value: "i32" }, 0));
    }
    this.exports = new WebAssembly.Instance(spec.module, imports).exports;
    this.shared = typeof SharedArrayBuffer === "function" && spec.memory.buffer instanceof SharedArrayBuffer;
    this.id = nextTeamId++;
    const names = Object.keys(this.exports).filter((k) => typeof this.exports[k] === "function");
    names.forEach((k, i) => this.fnIndex.set(k, i));
    this.bindMsg = {
      t: "bind",
      id: this.id,
      module: spec.module,
      memory: spec.memory,
      memoryImport: spec.memoryImport,
      math: spec.mathImports ?? [],
      threadIndexImport: spec.threadIndexImport ?? null,
      names,
    };
  }

  /**
   * Run `exports[name](...args, b)` for b = 0 … blocks − 1 on up to `threads` threads (the
   * calling thread included) and return when every block is done. Blocks must write disjoint
   * memory; which thread runs which block is unspecified.
   *
   * @param name exported function taking `args` then the block index
   * @param args numeric arguments (i32 offsets, f64 values)
   * @param blocks number of blocks (1 … 2047)
   * @param threads threads to use at most (1 = the calling thread only)
   * @param options `adaptive` (default true): let the pool run this pass on the calling thread alone
   *   when its parallel runs are not faster (calibration runs, back-off); false: always offer the
   *   blocks to the workers. `size`: the pass's work (e.g. entries), so that runs of very different
   *   sizes keep separate timing statistics
   * @returns the number of threads that ran at least one block
   * @throws {BackendError} when a block failed in a worker (the message carries the worker's error)
   * @throws the error of a block that failed on the calling thread
   */
  run(
    name: string,
    args: readonly number[],
    blocks: number,
    threads: number,
    options: { adaptive?: boolean; size?: number } = {},
  ): number {
    const f = this.exports[name] as ((...a: number[]) => unknown) | undefined;
    if (typeof f !== "function") throw new Error(`WasmTeam.run: no exported function '${name}'`);
    if (!(Number.isInteger(blocks) && blocks >= 0 && blocks <= MAX_BLOCKS)) {
      throw new Error(`WasmTeam.run: blocks must be an integer in [0, ${MAX_BLOCKS}]; got ${blocks}`);
    }
    const helpers = Math.min(threads, blocks) - 1;
    if (helpers < 1 || this.closed || !this.shared || !parallelSupport().available) {
      return blocks > 0 ? runSequential(f, args, blocks) : 0;
    }
    const p = pool(), fi = this.fnIndex.get(name)!;
    // size class: runs of a pass whose sizes differ by < ~19 % share timing statistics
    const cls = options.size !== undefined && options.size > 0
      ? Math.min(255, Math.round(4 * Math.log2(options.size)))
      : 0;
    const key = ((this.id * 4096 + fi) * 4096 + blocks) * 256 + cls;
    const adaptive = options.adaptive !== false;
    let parallel = !adaptive || p.wantParallel(key);
    const t0 = performance.now();
    const burstSoFar = p.burst(t0);
    if (adaptive && parallel && !p.has(helpers) && burstSoFar < SPAWN_AFTER_MS) {
      // too early in this burst to pay for starting workers: run here, start them for later
      if (!p.bound(this.id)) p.bind(this.bindMsg);
      p.ensureLater(helpers);
      parallel = false;
    }
    let used: number, ms = 0;
    try {
      if (parallel) {
        if (!p.bound(this.id)) p.bind(this.bindMsg);
        used = p.run(this.id, fi, f, name, args, blocks, helpers);
      } else used = runSequential(f, args, blocks);
    } finally {
      ms = p.endRun(t0);
    }
    // a parallel run that no worker joined (e.g. workers still starting) says nothing about speed-up
    if (adaptive && (!parallel || used > 1)) p.record(key, parallel, ms / blocks);
    return used;
  }

  /**
   * Start the workers a later `run` with `threads` will use (and instantiate the module on them):
   * at once when `now` (the caller knows a long computation follows, which repays the ~10–20 ms
   * that starting a worker blocks this thread, and they then come up while it sets up), else
   * when the calling thread is next idle, so that later bursts of runs find them ready (within a
   * long synchronous burst, `run` starts them itself).
   *
   * @param threads threads the coming runs will use
   * @param now start them now rather than when the thread is next idle @default false
   */
  prewarm(threads: number, now = false): void {
    if (threads < 2 || this.closed || !this.shared || !parallelSupport().available) return;
    const p = pool();
    if (!p.bound(this.id)) p.bind(this.bindMsg);
    if (now) p.ensure(threads - 1);
    else p.ensureLater(threads - 1);
  }

  /** Release the workers' instances (the calling thread's stays usable, single-threaded). */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    thePool?.unbind(this.id);
  }
}

/**
 * Terminate the pool's workers now (they restart on the next parallel run). Call it at the end
 * of a script or test to exit without waiting for the idle timeout.
 *
 * @example
 * ```ts
 * import { closeWorkerPool } from "@parsimony/parsimony/core";
 * closeWorkerPool();
 * ```
 */
export function closeWorkerPool(): void {
  thePool?.close();
}

/**
 * Change the pool's settings (the idle timeout applies from the next run).
 *
 * @param config {@linkcode WorkerPoolConfig} fields to change
 * @returns the settings now in force
 * @throws {OptionError} for an idle timeout that is not a finite number ≥ 0
 * @example
 * ```ts
 * import { configureWorkerPool } from "@parsimony/parsimony/core";
 * configureWorkerPool({ idleMs: 200 }).idleMs; // => 200
 * ```
 */
export function configureWorkerPool(config: Partial<WorkerPoolConfig>): Readonly<WorkerPoolConfig> {
  const p = pool();
  if (config.idleMs !== undefined) {
    if (!(typeof config.idleMs === "number" && Number.isFinite(config.idleMs) && config.idleMs >= 0)) {
      throw new OptionError({
        fn: "configureWorkerPool",
        arg: "config.idleMs",
        expected: "a finite number ≥ 0",
        got: String(config.idleMs),
      });
    }
    p.setIdle(config.idleMs);
  }
  return Object.freeze({ idleMs: p.idleMs });
}

/**
 * The pool's state: live workers, workers started so far, parallel runs executed, back-off
 * periods entered (runs kept on the calling thread because workers were being delayed).
 *
 * @returns `{ workers, started, runs, backoffs, idleMs }`
 * @example
 * ```ts
 * import { workerPoolState } from "@parsimony/parsimony/core";
 * workerPoolState().workers >= 0; // => true
 * ```
 */
export function workerPoolState(): {
  workers: number;
  started: number;
  runs: number;
  backoffs: number;
  idleMs: number;
} {
  const p = pool();
  return { workers: p.size, started: p.started, runs: p.runs, backoffs: p.backoffs, idleMs: p.idleMs };
}
