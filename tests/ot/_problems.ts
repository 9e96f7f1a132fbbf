/**
 * Seeded OT test problems shared by tests/ot/* (and the theory check): the card's worked
 * instances and random instances, plus the POT/SciPy fixtures.
 */
import { Matrix, Rng } from "../../lib/core/mod.ts";
import { sqeuclidean } from "../../lib/ot/mod.ts";

/** Card oracle O1: C = [[0,1],[2,0.5]], r = (0.3,0.7), c = (0.6,0.4), η = 2. */
export const O1 = {
  a: [0.3, 0.7],
  b: [0.6, 0.4],
  C: [[0, 1], [2, 0.5]],
  reg: 0.5,
  P11: 0.297369100524752038,
  cost: 0.806577248688120,
  objective: 0.254218681009754,
  exact: 0.8,
};

/** A random simplex vector with entries in [lo, 1]/sum. */
export function simplex(rng: Rng, k: number, lo = 0.2): Float64Array {
  const w = rng.uniformArray(k, lo, 1);
  let s = 0;
  for (const x of w) s += x;
  for (let i = 0; i < k; i++) w[i] /= s;
  return w;
}

/** n×m squared-Euclidean cost between uniform points in [0,1]^d, scaled to max 1. */
export function pointCost(seed: number, n: number, m: number, d = 2): Matrix {
  const r = new Rng(seed);
  const X = Matrix.fromTypedArray(r.uniformArray(n * d), n, d);
  const Y = Matrix.fromTypedArray(r.uniformArray(m * d), m, d);
  const C = sqeuclidean(X, Y);
  let mx = 0;
  for (const v of C.data) mx = Math.max(mx, v);
  for (let k = 0; k < C.data.length; k++) C.data[k] /= mx;
  return C;
}

/** Random assignment cost C_ij ~ U[0,1] (card E1). */
export function assignmentCost(seed: number, n: number): Matrix {
  return new Matrix(n, n, new Rng(seed).uniformArray(n * n));
}

/** Card E3 densities on the grid x_k = k/199: r ∝ ½N(0.3,0.1²)+½N(0.7,0.05²), c ∝ N(0.5,0.15²). */
export function e3Densities(n = 200): { x: number[]; r: Float64Array; c: Float64Array } {
  const x = Array.from({ length: n }, (_, k) => k / (n - 1));
  const pdf = (t: number, mu: number, s: number) => Math.exp(-0.5 * ((t - mu) / s) ** 2) / (s * Math.sqrt(2 * Math.PI));
  const r = Float64Array.from(x, (t) => 0.5 * pdf(t, 0.3, 0.1) + 0.5 * pdf(t, 0.7, 0.05));
  const c = Float64Array.from(x, (t) => pdf(t, 0.5, 0.15));
  const sr = r.reduce((p, q) => p + q), sc = c.reduce((p, q) => p + q);
  for (let k = 0; k < n; k++) {
    r[k] /= sr;
    c[k] /= sc;
  }
  return { x, r, c };
}

/** POT 0.8.2 / SciPy 1.10 fixtures made by tests/fixtures/ot/make_pot_fixtures.py. */
export interface PotFixtures {
  meta: Record<string, unknown>;
  sinkhorn: { a: number[]; b: number[]; M: number[][]; reg: number; plan: number[][]; sinkhorn2: number }[];
  sinkhorn_log: {
    a: number[];
    b: number[];
    M: number[][];
    reg: number;
    plan: number[][];
    log_u: number[];
    log_v: number[];
    niter: number;
    marginal_error_l1: number;
  }[];
  emd: { kind: string; a: number[]; b: number[]; M: number[][]; emd2: number; dual_u: number[]; dual_v: number[] }[];
  emd1d: {
    x: number[];
    y: number[];
    a: number[];
    b: number[];
    w1: number;
    w2sq: number;
    emd2_1d_sqeuclidean: number;
  }[];
  assignment: { M: number[][]; perm: number[]; ot: number }[];
}

export const POT: PotFixtures = JSON.parse(
  Deno.readTextFileSync(new URL("../fixtures/ot/pot_fixtures.json", import.meta.url)),
);

/** Row/column sums of a row-major plan. */
export function marginals(P: Matrix): { rows: Float64Array; cols: Float64Array } {
  const rows = new Float64Array(P.rows), cols = new Float64Array(P.cols);
  for (let i = 0; i < P.rows; i++) {
    for (let j = 0; j < P.cols; j++) {
      rows[i] += P.data[i * P.cols + j];
      cols[j] += P.data[i * P.cols + j];
    }
  }
  return { rows, cols };
}

/** max |A − B| over entries. */
export function maxAbsDiff(A: ArrayLike<number>, B: ArrayLike<number>): number {
  let m = 0;
  for (let k = 0; k < A.length; k++) m = Math.max(m, Math.abs(A[k] - B[k]));
  return m;
}
