/**
 * The steps of the kNN mutual-information estimators shared by the CPU path (`ksg.ts`) and the GPU path
 * (`ksg_gpu.ts`): scikit-learn's preprocessing, the radii from a neighbour search, the exact f64 counts
 * on the CPU, and the final digamma formula. Both paths call the same functions, so with identical
 * neighbour distances and counts they return identical numbers. Private to lib/info.
 *
 * @module
 */

import { DomainError } from "../core/errors.ts";
import type { Matrix } from "../core/matrix.ts";
import { Rng } from "../core/rng.ts";
import type { LabelCodes } from "./_input.ts";
import { countWithin, knn, type KnnMetric } from "./_kdtree.ts";
import { digamma, meanDigamma, nextDown } from "./_special.ts";
import type { ConstraintTable } from "../core/validate.ts";
import type { KsgOptions, KsgResult, MixedKsgOptions, MixedKsgResult } from "./ksg.ts";
import { fromNats, UNITS } from "./result.ts";

/** Option constraints of `ksg` / `ksgAsync`. */
export const KSG_CONSTRAINTS: ConstraintTable<KsgOptions> = {
  k: { kind: "number", min: 1, integer: true },
  variant: { kind: "enum", values: [1, 2] },
  standardize: { kind: "boolean" },
  jitter: { kind: "number", min: 0 },
  seed: { kind: "number", min: 0, integer: true },
  unit: { kind: "enum", values: UNITS },
};

/** Option constraints of `mixedKsg` / `mixedKsgAsync`. */
export const MIXED_CONSTRAINTS: ConstraintTable<MixedKsgOptions> = {
  k: { kind: "number", min: 1, integer: true },
  metric: { kind: "enum", values: ["max", "euclidean"] },
  standardize: { kind: "boolean" },
  jitter: { kind: "number", min: 0 },
  seed: { kind: "number", min: 0, integer: true },
  unit: { kind: "enum", values: UNITS },
};

/** Divide columns by their std (ddof 0) and add seeded jitter, as scikit-learn; returns a copy. */
export function prepareColumns(M: Matrix, standardize: boolean, jitter: number, rng: Rng | null): Float64Array {
  const n = M.rows, d = M.cols;
  const out = Float64Array.from(M.data);
  for (let c = 0; c < d; c++) {
    if (standardize) {
      let mean = 0;
      for (let i = 0; i < n; i++) mean += out[i * d + c];
      mean /= n;
      let ss = 0;
      for (let i = 0; i < n; i++) {
        const t = out[i * d + c] - mean;
        ss += t * t;
      }
      const sd = Math.sqrt(ss / n);
      if (sd > 0) { for (let i = 0; i < n; i++) out[i * d + c] /= sd; }
    }
    if (jitter > 0 && rng) {
      let ma = 0;
      for (let i = 0; i < n; i++) ma += Math.abs(out[i * d + c]);
      const amp = jitter * Math.max(1, ma / n);
      for (let i = 0; i < n; i++) out[i * d + c] += amp * rng.normal();
    }
  }
  return out;
}

function concatColumns(a: Float64Array, da: number, b: Float64Array, db: number, n: number): Float64Array {
  const d = da + db, out = new Float64Array(n * d);
  for (let i = 0; i < n; i++) {
    for (let c = 0; c < da; c++) out[i * d + c] = a[i * da + c];
    for (let c = 0; c < db; c++) out[i * d + da + c] = b[i * db + c];
  }
  return out;
}

/** Preprocessed KSG input. */
export interface KsgData {
  readonly n: number;
  readonly k: number;
  readonly variant: 1 | 2;
  readonly dx: number;
  readonly dy: number;
  /** Scaled and jittered x (N×dx). */
  readonly xd: Float64Array;
  /** Scaled and jittered y (N×dy). */
  readonly yd: Float64Array;
  /** [x | y] (N×(dx+dy)). */
  readonly joint: Float64Array;
}

/** Scale and jitter x then y with one seeded stream (scikit-learn's order), and join them. */
export function ksgData(
  X: Matrix,
  Y: Matrix,
  o: { k: number; variant: 1 | 2; standardize: boolean; jitter: number; seed: number },
): KsgData {
  const n = X.rows;
  const rng = o.jitter > 0 ? new Rng(o.seed) : null;
  const xd = prepareColumns(X, o.standardize, o.jitter, rng);
  const yd = prepareColumns(Y, o.standardize, o.jitter, rng);
  const dx = X.cols, dy = Y.cols;
  return { n, k: o.k, variant: o.variant, dx, dy, xd, yd, joint: concatColumns(xd, dx, yd, dy, n) };
}

/**
 * Marginal radii of each point: KSG-1 r_x = r_y = nextDown(ε_i) (so "≤ r" is "< ε"); KSG-2 the
 * marginal extents of the k-NN set (`nbIdx`, N×k).
 */
export function ksgRadii(
  p: KsgData,
  eps: ArrayLike<number>,
  nbIdx: Int32Array,
): { rx: Float64Array; ry: Float64Array } {
  const { n, k, dx, dy, xd, yd } = p;
  const rx = new Float64Array(n), ry = new Float64Array(n);
  if (p.variant === 1) {
    for (let i = 0; i < n; i++) rx[i] = ry[i] = nextDown(eps[i]);
    return { rx, ry };
  }
  for (let i = 0; i < n; i++) {
    let ex = 0, ey = 0;
    for (let m = 0; m < k; m++) {
      const j = nbIdx[i * k + m];
      for (let c = 0; c < dx; c++) {
        const t = xd[j * dx + c] - xd[i * dx + c];
        const a = t < 0 ? -t : t;
        if (a > ex) ex = a;
      }
      for (let c = 0; c < dy; c++) {
        const t = yd[j * dy + c] - yd[i * dy + c];
        const a = t < 0 ? -t : t;
        if (a > ey) ey = a;
      }
    }
    rx[i] = ex;
    ry[i] = ey;
  }
  return { rx, ry };
}

/** The CPU neighbour step: exact kNN (k-d tree or brute force) and exact counts #{j: d ≤ r} (self included). */
export function ksgCountsCpu(p: KsgData): { nx: Int32Array; ny: Int32Array } {
  const { n, k, dx, dy } = p;
  const nb = knn(p.joint, n, dx + dy, k, "max");
  const eps = new Float64Array(n);
  for (let i = 0; i < n; i++) eps[i] = nb.dist[i * k + k - 1];
  const { rx, ry } = ksgRadii(p, eps, nb.idx);
  return { nx: countWithin(p.xd, n, dx, rx, "max"), ny: countWithin(p.yd, n, dy, ry, "max") };
}

/**
 * KSG in nats from the counts (self included): KSG-1 ψ(k) + ψ(N) − ⟨ψ(n_x + 1) + ψ(n_y + 1)⟩ with
 * n_x + 1 = count; KSG-2 ψ(k) − 1/k + ψ(N) − ⟨ψ(n_x) + ψ(n_y)⟩ with n_x = count − 1.
 */
export function ksgValueNats(p: KsgData, nx: Int32Array, ny: Int32Array): number {
  const { n, k } = p;
  if (p.variant === 1) return digamma(k) + digamma(n) - meanDigamma(nx) - meanDigamma(ny);
  return digamma(k) - 1 / k + digamma(n) - meanDigamma(nx, -1) - meanDigamma(ny, -1);
}

/** Preprocessed input of Ross's estimator: the samples of non-singleton classes. */
export interface MixedData {
  /** Kept samples N'. */
  readonly n: number;
  readonly d: number;
  /** Kept scaled, jittered samples (N'×d). */
  readonly kept: Float64Array;
  /** Class code of each kept sample. */
  readonly codes: Int32Array;
  /** k_i = min(k, N_c − 1) per kept sample. */
  readonly kc: Float64Array;
  /** N_c per kept sample. */
  readonly nc: Float64Array;
  /** Number of classes. */
  readonly classes: number;
  /** Samples dropped (singleton classes). */
  readonly singletons: number;
}

/** Scale and jitter x, keep the samples of classes with ≥ 2 members. */
export function mixedData(
  fn: string,
  X: Matrix,
  lab: LabelCodes,
  o: { k: number; standardize: boolean; jitter: number; seed: number },
): MixedData {
  const rng = o.jitter > 0 ? new Rng(o.seed) : null;
  const xd = prepareColumns(X, o.standardize, o.jitter, rng);
  const d = X.cols, C = lab.counts.length;
  const keep: number[] = [];
  for (let i = 0; i < X.rows; i++) if (lab.counts[lab.codes[i]] > 1) keep.push(i);
  const n = keep.length;
  if (n < 2) {
    throw new DomainError({
      fn,
      arg: "labels",
      expected: "at least one class with two or more samples",
      got: `${C} classes, all singletons`,
    });
  }
  const kept = new Float64Array(n * d), codes = new Int32Array(n), kc = new Float64Array(n), nc = new Float64Array(n);
  for (let p = 0; p < n; p++) {
    kept.set(xd.subarray(keep[p] * d, keep[p] * d + d), p * d);
    const c = lab.codes[keep[p]], Nc = lab.counts[c];
    codes[p] = c;
    kc[p] = Math.min(o.k, Nc - 1);
    nc[p] = Nc;
  }
  return { n, d, kept, codes, kc, nc, classes: C, singletons: X.rows - n };
}

/** The CPU neighbour step of Ross's estimator: per-class kNN radius (one ulp inside), counts over all kept. */
export function mixedCountsCpu(p: MixedData, metric: KnnMetric): Int32Array {
  const { n, d, kept } = p;
  const radius = new Float64Array(n);
  const members = new Map<number, number[]>();
  for (let q = 0; q < n; q++) {
    const list = members.get(p.codes[q]);
    if (list) list.push(q);
    else members.set(p.codes[q], [q]);
  }
  for (const [, mem] of [...members].sort((a, b) => a[0] - b[0])) {
    const Nc = mem.length, kc = p.kc[mem[0]];
    const sub = new Float64Array(Nc * d);
    for (let q = 0; q < Nc; q++) sub.set(kept.subarray(mem[q] * d, mem[q] * d + d), q * d);
    const nb = knn(sub, Nc, d, kc, metric);
    for (let q = 0; q < Nc; q++) radius[mem[q]] = nextDown(nb.dist[q * kc + kc - 1]);
  }
  return countWithin(kept, n, d, radius, metric);
}

/** Ross's estimate in nats: ψ(N') + ⟨ψ(k_i)⟩ − ⟨ψ(N_{c_i})⟩ − ⟨ψ(m_i)⟩. */
export function mixedValueNats(p: MixedData, m: Int32Array): number {
  return digamma(p.n) + meanDigamma(p.kc) - meanDigamma(p.nc) - meanDigamma(m);
}

/** The result both KSG paths return, from the counts: estimate in `opts.unit`, clipped form, resolved parameters. */
export function ksgResult(p: KsgData, nx: Int32Array, ny: Int32Array, opts: Readonly<KsgOptions>): KsgResult {
  const v = fromNats(ksgValueNats(p, nx, ny), opts.unit);
  return {
    value: v,
    clipped: Math.max(0, v),
    unit: opts.unit,
    n: p.n,
    params: {
      k: p.k,
      variant: opts.variant,
      standardize: opts.standardize,
      jitter: opts.jitter,
      seed: opts.seed,
      dx: p.dx,
      dy: p.dy,
    },
  };
}

/** The result both mixed-KSG paths return, from the counts m_i. */
export function mixedResult(p: MixedData, m: Int32Array, opts: Readonly<MixedKsgOptions>): MixedKsgResult {
  const v = fromNats(mixedValueNats(p, m), opts.unit);
  return {
    value: v,
    clipped: Math.max(0, v),
    unit: opts.unit,
    n: p.n,
    params: {
      k: opts.k,
      metric: opts.metric,
      standardize: opts.standardize,
      jitter: opts.jitter,
      seed: opts.seed,
      classes: p.classes,
      singletons: p.singletons,
    },
  };
}
