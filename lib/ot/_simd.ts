/**
 * Kernel dispatch for the CPU f64 hot loops of lib/ot: WebAssembly SIMD (f64x2, the module
 * assembled from kernels/ot/ot_simd.wat) when the runtime supports it, else the reference
 * TypeScript loops of `_lse.ts`. Both implement {@linkcode OtKernels}; a solver allocates every
 * array its hot loops touch through `alloc` (wasm linear memory or plain Float64Arrays), so one
 * solver body serves both.
 *
 * WebAssembly is a web-standard API (Deno, Node, browsers). The module is compiled once,
 * synchronously, on first use; each solve instantiates it with its own memory, which is
 * released with the result. The SIMD exponential agrees with Math.exp to ≤ 1 ulp on normal
 * results (tests/ot/simd_test.ts); sums are accumulated in 2–4 lanes, so results differ from
 * the scalar twin in the last bits only.
 *
 * @module
 */

import {
  affine,
  costEnt,
  costStats,
  expRows,
  logSweep,
  planPass,
  scalePlan,
  scalePlanCost,
  scalingSweep,
} from "./_lse.ts";
import { OT_SIMD_WASM_BASE64 } from "./_simd_wasm.ts";

/** Which implementation runs the hot loops. */
export type KernelKind = "wasm-simd" | "js";

/** The hot loops a solver needs, over arrays obtained from `alloc`. */
export interface OtKernels {
  /** Implementation in use. */
  readonly kind: KernelKind;
  /**
   * An f64 array of length `len` that the kernels can read and write; zeroed unless `zero` is false
   * (for n·m buffers the solver overwrites before reading).
   */
  alloc(len: number, zero?: boolean): Float64Array;
  /** Return the kernel memory to the pool (call once, when the solve is done). */
  dispose(): void;
  /** One fused log-domain Sinkhorn iteration (see `_lse.ts` logSweep). */
  logSweep(
    n: number,
    m: number,
    Cs: Float64Array,
    a: Float64Array,
    la: Float64Array,
    lb: Float64Array,
    u: Float64Array,
    v: Float64Array,
    uNew: Float64Array,
    vNew: Float64Array,
    colAcc: Float64Array,
    t: Float64Array,
    exact: boolean,
  ): number;
  /** One fused scaling-form Sinkhorn iteration (see `_lse.ts` scalingSweep). */
  scalingSweep(
    n: number,
    m: number,
    K: Float64Array,
    a: Float64Array,
    b: Float64Array,
    u: Float64Array,
    v: Float64Array,
    acc: Float64Array,
  ): number;
  /** Plan exp(u ⊕ v − Cs), row/column sums; returns ΣP. */
  planPass(
    n: number,
    m: number,
    Cs: Float64Array,
    u: Float64Array,
    v: Float64Array,
    P: Float64Array,
    rowSum: Float64Array,
    colSum: Float64Array,
  ): number;
  /** P ← (P ⊙ eu·)·ev in place with row/column sums; returns ΣP. */
  scalePlan(
    n: number,
    m: number,
    P: Float64Array,
    eu: Float64Array,
    ev: Float64Array,
    rowSum: Float64Array,
    colSum: Float64Array,
  ): number;
  /** Σ_i em_i Σ_j P_ij en_j. */
  cross(n: number, m: number, P: Float64Array, em: Float64Array, en: Float64Array): number;
  /** dst_k = exp(alpha·src_k + beta) (src may be dst). */
  expAffine(src: Float64Array, dst: Float64Array, alpha: number, beta: number): void;
  /** Minimum, maximum and finiteness of the first `len` entries of `src` (see `_lse.ts` costStats). */
  stats(src: Float64Array, len: number): CostStats;
  /** dst_k = src_k·alpha + beta for k < len (src may be dst); false when a result is not finite. */
  affine(src: Float64Array, dst: Float64Array, len: number, alpha: number, beta: number): boolean;
  /** K = exp(alpha·src + beta) with row and column maxima (see `_lse.ts` expRows). */
  expRows(
    n: number,
    m: number,
    src: Float64Array,
    dst: Float64Array,
    alpha: number,
    beta: number,
    rowMax: Float64Array,
    colMax: Float64Array,
  ): { kmin: number; finite: boolean };
  /** P ← (K ⊙ eu·)·ev with row/column sums and ⟨C, P⟩ (P may be K); see `_lse.ts` scalePlanCost. */
  scalePlanCost(
    n: number,
    m: number,
    K: Float64Array,
    C: Float64Array,
    eu: Float64Array,
    ev: Float64Array,
    P: Float64Array,
    rowSum: Float64Array,
    colSum: Float64Array,
  ): { total: number; cost: number };
  /** ⟨C, P⟩ and Σ P·(u_i + v_j − Cs_ij); see `_lse.ts` costEnt. */
  costEnt(
    n: number,
    m: number,
    P: Float64Array,
    C: Float64Array,
    Cs: Float64Array,
    u: Float64Array,
    v: Float64Array,
  ): { cost: number; ent: number };
}

/** What {@linkcode OtKernels.stats} returns. */
export interface CostStats {
  min: number;
  max: number;
  /** Every entry finite. */
  finite: boolean;
}

let compiled: WebAssembly.Module | null | undefined;
let preference: KernelKind | "auto" = "auto";

/**
 * Force the kernel implementation (tests compare the two); `"auto"` restores the default
 * (WebAssembly SIMD when available).
 */
export function setKernelPreference(kind: KernelKind | "auto"): void {
  preference = kind;
}

/** Whether the WebAssembly SIMD module compiles in this runtime. */
export function simdAvailable(): boolean {
  return wasmModule() !== null;
}

function wasmModule(): WebAssembly.Module | null {
  if (compiled !== undefined) return compiled;
  compiled = null;
  try {
    if (typeof WebAssembly === "object" && typeof atob === "function") {
      const bin = atob(OT_SIMD_WASM_BASE64);
      const bytes = new Uint8Array(bin.length);
      for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
      if (WebAssembly.validate(bytes)) compiled = new WebAssembly.Module(bytes);
    }
  } catch {
    compiled = null; // e.g. browsers that forbid synchronous compilation: use the TS loops
  }
  return compiled;
}

/**
 * Kernels with room for `doubles` f64 values of working memory (the sum of the lengths the
 * solver will `alloc`, each rounded up to an even length).
 */
export function createKernels(doubles: number): OtKernels {
  if (preference !== "js") {
    const mod = wasmModule();
    if (mod !== null) {
      const k = wasmKernels(mod, doubles);
      if (k !== null) return k;
    }
  }
  return jsKernels();
}

/** The reference TypeScript twins. */
export function jsKernels(): OtKernels {
  return {
    kind: "js",
    alloc: (len) => new Float64Array(len),
    dispose: () => {},
    logSweep,
    scalingSweep,
    planPass,
    scalePlan,
    cross: (n, m, P, em, en) => {
      let tot = 0;
      for (let i = 0; i < n; i++) {
        const o = i * m;
        let s = 0;
        for (let j = 0; j < m; j++) s += P[o + j] * en[j];
        tot += em[i] * s;
      }
      return tot;
    },
    expAffine: (src, dst, alpha, beta) => {
      for (let k = 0; k < src.length; k++) dst[k] = Math.exp(alpha * src[k] + beta);
    },
    stats: costStats,
    affine,
    expRows,
    scalePlanCost,
    costEnt,
  };
}

interface SimdExports {
  exp_affine(src: number, dst: number, len: number, alpha: number, beta: number): void;
  scaling_sweep(kp: number, n: number, m: number, ap: number, bp: number, up: number, vp: number, cp: number): number;
  log_sweep(
    csp: number,
    n: number,
    m: number,
    ap: number,
    lap: number,
    lbp: number,
    up: number,
    vp: number,
    unp: number,
    vnp: number,
    cap: number,
    tp: number,
    exact: number,
  ): number;
  plan_pass(csp: number, n: number, m: number, up: number, vp: number, pp: number, rsp: number, csum: number): number;
  cross(pp: number, n: number, m: number, emp: number, enp: number): number;
  scale_plan(pp: number, n: number, m: number, eup: number, evp: number, rsp: number, csum: number): number;
  stats(src: number, len: number, out: number): void;
  affine(src: number, dst: number, len: number, alpha: number, beta: number): number;
  exp_rows(
    src: number,
    dst: number,
    n: number,
    m: number,
    alpha: number,
    beta: number,
    rmx: number,
    cmx: number,
    out: number,
  ): void;
  scale_plan_cost(
    kp: number,
    cp: number,
    n: number,
    m: number,
    eup: number,
    evp: number,
    pp: number,
    rsp: number,
    csum: number,
    out: number,
  ): number;
  cost_ent(pp: number, cp: number, csp: number, n: number, m: number, up: number, vp: number, out: number): void;
}

interface PoolEntry {
  memory: WebAssembly.Memory;
  ex: SimdExports;
  busy: boolean;
}

/**
 * One cached instance, reused by consecutive solves (fresh linear memory costs a page fault per
 * 4 KiB on first touch — ~35 ms for the 64 MiB of an n = 2000 solve). It grows to the largest
 * problem seen. A solve that starts while it is in use (e.g. from an onIteration callback) gets
 * a private instance.
 */
let pool: PoolEntry | null = null;

function instantiate(mod: WebAssembly.Module, pages: number): PoolEntry | null {
  try {
    const memory = new WebAssembly.Memory({ initial: pages });
    const inst = new WebAssembly.Instance(mod, { host: { exp: Math.exp, log: Math.log, memory } });
    return { memory, ex: inst.exports as unknown as SimdExports, busy: false };
  } catch {
    return null; // out of memory for a wasm32 heap: the TS loops work on ordinary arrays
  }
}

function wasmKernels(mod: WebAssembly.Module, doubles: number): OtKernels | null {
  const bytes = doubles * 8 + 4096;
  const pages = Math.ceil(bytes / 65536) + 1;
  if (pages > 65536) return null;
  let entry: PoolEntry | null;
  if (pool !== null && !pool.busy) {
    entry = pool;
    const have = entry.memory.buffer.byteLength / 65536;
    if (have < pages) {
      try {
        entry.memory.grow(pages - have);
      } catch {
        return null;
      }
    }
  } else {
    entry = instantiate(mod, pages);
    if (entry === null) return null;
    if (pool === null) pool = entry;
  }
  entry.busy = true;
  const held = entry;
  const { memory, ex } = held;
  const buffer = memory.buffer;
  // bytes [0, 32) hold small kernel outputs (stats, costs); allocations start above them
  const scratch = new Float64Array(buffer, 0, 4);
  let top = 32;
  const off = (x: Float64Array): number => {
    if (x.buffer !== buffer) throw new Error("lib/ot internal: array not allocated by these kernels");
    return x.byteOffset;
  };
  return {
    kind: "wasm-simd",
    alloc(len: number, zero = true): Float64Array {
      const need = len * 8;
      if (top + need > buffer.byteLength) throw new Error("lib/ot internal: kernel memory exhausted");
      const out = new Float64Array(buffer, top, len);
      if (zero) out.fill(0);
      top += (need + 15) & ~15;
      return out;
    },
    dispose() {
      held.busy = false;
    },
    logSweep(n, m, Cs, a, la, lb, u, v, uNew, vNew, colAcc, t, exact) {
      return ex.log_sweep(
        off(Cs),
        n,
        m,
        off(a),
        off(la),
        off(lb),
        off(u),
        off(v),
        off(uNew),
        off(vNew),
        off(colAcc),
        off(t),
        exact ? 1 : 0,
      );
    },
    scalingSweep(n, m, K, a, b, u, v, acc) {
      return ex.scaling_sweep(off(K), n, m, off(a), off(b), off(u), off(v), off(acc));
    },
    planPass(n, m, Cs, u, v, P, rowSum, colSum) {
      return ex.plan_pass(off(Cs), n, m, off(u), off(v), off(P), off(rowSum), off(colSum));
    },
    cross(n, m, P, em, en) {
      return ex.cross(off(P), n, m, off(em), off(en));
    },
    scalePlan(n, m, P, eu, ev, rowSum, colSum) {
      return ex.scale_plan(off(P), n, m, off(eu), off(ev), off(rowSum), off(colSum));
    },
    expAffine(src, dst, alpha, beta) {
      ex.exp_affine(off(src), off(dst), src.length, alpha, beta);
    },
    stats(src, len) {
      ex.stats(off(src), len, 0);
      return { min: scratch[0], max: scratch[1], finite: scratch[2] === 0 };
    },
    affine(src, dst, len, alpha, beta) {
      return ex.affine(off(src), off(dst), len, alpha, beta) === 0;
    },
    expRows(n, m, src, dst, alpha, beta, rowMax, colMax) {
      ex.exp_rows(off(src), off(dst), n, m, alpha, beta, off(rowMax), off(colMax), 0);
      return { kmin: scratch[0], finite: scratch[1] === 0 };
    },
    scalePlanCost(n, m, K, C, eu, ev, P, rowSum, colSum) {
      const total = ex.scale_plan_cost(off(K), off(C), n, m, off(eu), off(ev), off(P), off(rowSum), off(colSum), 0);
      return { total, cost: scratch[0] };
    },
    costEnt(n, m, P, C, Cs, u, v) {
      ex.cost_ent(off(P), off(C), off(Cs), n, m, off(u), off(v), 0);
      return { cost: scratch[0], ent: scratch[1] };
    },
  };
}
