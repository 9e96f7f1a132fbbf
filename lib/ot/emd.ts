/**
 * Exact (unregularised) optimal transport: the network simplex method on the transportation
 * problem ({@linkcode emd}, method card A6), and the closed-form monotone coupling in 1-D
 * ({@linkcode emd1d}).
 *
 * Network simplex (Dantzig; Orlin 1997; the strongly-feasible-tree variant of Cunningham 1976
 * with Bland-free anti-cycling, block-search pivoting as in LEMON, which POT's `ot.emd` wraps):
 * a spanning tree of the bipartite graph plus an artificial root, flows on tree arcs,
 * potentials π with reduced costs C_ij + π_i − π_j = 0 on the tree. Each pivot brings in an arc
 * of negative reduced cost, pushes flow around the cycle it closes and drops the blocking arc;
 * the leaving-arc tie rule keeps the tree strongly feasible, so degenerate pivots cannot cycle.
 * At the end the potentials are an optimal LP dual: α_i + β_j ≤ C_ij with equality on the plan's
 * support (the dual certificate returned with the plan).
 *
 * @module
 */

import type { Diagnostics, StopReason } from "../core/diagnostics.ts";
import { DomainError, ShapeError } from "../core/errors.ts";
import { Matrix, type MatrixLike } from "../core/matrix.ts";
import { type ConstraintTable, resolveOptions, toVector } from "../core/validate.ts";
import { buildProblem, kahan, type Marginal, MASS_TOL } from "./_problem.ts";

/** Options of {@linkcode emd}. */
export interface EmdOptions {
  /** Maximum simplex pivots (the solver stops with `converged: false` beyond). @default 10_000_000 */
  maxIter: number;
  /** Reduced-cost tolerance relative to max|C|: arcs with rc ≥ −tol·max|C| do not enter. @default 1e-12 */
  tol: number;
}

/** Defaults of {@linkcode EmdOptions}. */
export const EMD_DEFAULTS: Readonly<EmdOptions> = Object.freeze({ maxIter: 10_000_000, tol: 1e-12 });

const EMD_CONSTRAINTS: ConstraintTable<EmdOptions> = Object.freeze({
  maxIter: { kind: "number", min: 1, integer: true },
  tol: { kind: "number", min: 0, max: 1e-3 },
});

/** Result of {@linkcode emd}: an optimal plan with its LP dual certificate. */
export interface EmdResult extends Diagnostics<EmdOptions> {
  /** Optimal plan (n×m, at most n + m − 1 nonzeros). */
  readonly plan: Matrix;
  /** Optimal cost ⟨C, P⟩ = OT(a, b). */
  readonly cost: number;
  /** Dual potential α (length n); centred so that aᵀα = bᵀβ (as POT's `center_dual`). */
  readonly u: Float64Array;
  /** Dual potential β (length m). */
  readonly v: Float64Array;
  /** Dual objective aᵀα + bᵀβ (equals `cost` at optimality: strong duality). */
  readonly dual: number;
  /** cost − dual (≈ 0; the certificate). */
  readonly dualityGap: number;
  /** max_ij (α_i + β_j − C_ij)⁺ (≈ 0: dual feasibility). */
  readonly dualViolation: number;
  /** ‖P1 − a‖₁ + ‖Pᵀ1 − b‖₁. */
  readonly marginalError: number;
  /** Simplex pivots. */
  readonly iterations: number;
}

/**
 * Exact optimal transport by the network simplex method (card A6): min ⟨C, P⟩ over P ≥ 0 with
 * P1 = a, Pᵀ1 = b. Returns the plan and an LP dual certificate (α, β) with α_i + β_j ≤ C_ij and
 * aᵀα + bᵀβ = ⟨C, P⟩. Practical up to n·m ≈ 10⁶ (n ≈ 1000). When the LP optimum is not unique
 * the plan is one optimal vertex: compare costs, not plans.
 *
 * @param a row marginal (length n, ≥ 0); `null`/`[]` for uniform
 * @param b column marginal (length m, ≥ 0, same mass as a); `null`/`[]` for uniform
 * @param C cost matrix n×m (finite, any sign)
 * @param options {@linkcode EmdOptions}
 * @returns {@linkcode EmdResult}
 * @throws {ParsimonyError} naming `a`, `b`, `C` or the option at fault
 * @example
 * ```ts
 * import { emd } from "@parsimony/parsimony/ot";
 * const r = emd([0.3, 0.7], [0.6, 0.4], [[0, 1], [2, 0.5]]);
 * r.cost; // => 0.8 (card oracle O1)
 * r.dualityGap; // => 0 (up to round-off)
 * ```
 */
export function emd(a: Marginal, b: Marginal, C: MatrixLike, options: Partial<EmdOptions> = {}): EmdResult {
  const t0 = performance.now();
  const fn = "emd";
  const opts = resolveOptions(fn, EMD_DEFAULTS, options, EMD_CONSTRAINTS);
  const p = buildProblem(fn, a, b, C, NaN);
  const n = p.as.length, m = p.bs.length;
  const sol = networkSimplex(n, m, p.Cr, p.as, p.bs, opts.maxIter, opts.tol);
  // Embed into the full problem.
  const plan = new Matrix(p.n, p.m);
  for (let i = 0; i < n; i++) {
    const dst = p.rows[i] * p.m, src = i * m;
    for (let j = 0; j < m; j++) plan.data[dst + p.cols[j]] = sol.flow[src + j];
  }
  // Potentials off the support: the tightest feasible values (c-transforms), so that the
  // certificate α_i + β_j ≤ C_ij holds on the whole matrix.
  const u = new Float64Array(p.n).fill(NaN), v = new Float64Array(p.m).fill(NaN);
  for (let i = 0; i < n; i++) u[p.rows[i]] = sol.alpha[i];
  for (let j = 0; j < m; j++) v[p.cols[j]] = sol.beta[j];
  const Cd = p.C.data;
  for (let j = 0; j < p.m; j++) {
    if (!Number.isNaN(v[j])) continue;
    let best = Infinity;
    for (let k = 0; k < n; k++) best = Math.min(best, Cd[p.rows[k] * p.m + j] - u[p.rows[k]]);
    v[j] = best;
  }
  for (let i = 0; i < p.n; i++) {
    if (!Number.isNaN(u[i])) continue;
    let best = Infinity;
    for (let j = 0; j < p.m; j++) best = Math.min(best, Cd[i * p.m + j] - v[j]);
    u[i] = best;
  }
  // Centre as POT does: shift so that aᵀα = bᵀβ.
  let sa = 0, sb = 0;
  for (let i = 0; i < p.n; i++) sa += p.a[i] * u[i];
  for (let j = 0; j < p.m; j++) sb += p.b[j] * v[j];
  const shift = (sb - sa) / (p.mass + p.mass);
  for (let i = 0; i < p.n; i++) u[i] += shift;
  for (let j = 0; j < p.m; j++) v[j] -= shift;
  let cost = 0, viol = 0;
  const rs = new Float64Array(p.n), cs = new Float64Array(p.m);
  for (let i = 0; i < p.n; i++) {
    const o = i * p.m;
    let row = 0;
    for (let j = 0; j < p.m; j++) {
      const x = plan.data[o + j];
      row += Cd[o + j] * x;
      rs[i] += x;
      cs[j] += x;
      const s = u[i] + v[j] - Cd[o + j];
      if (s > viol) viol = s;
    }
    cost += row;
  }
  let err = 0;
  for (let i = 0; i < p.n; i++) err += Math.abs(rs[i] - p.a[i]);
  for (let j = 0; j < p.m; j++) err += Math.abs(cs[j] - p.b[j]);
  const au = new Float64Array(p.n), bv = new Float64Array(p.m);
  for (let i = 0; i < p.n; i++) au[i] = p.a[i] * u[i];
  for (let j = 0; j < p.m; j++) bv[j] = p.b[j] * v[j];
  const dual = kahan(au) + kahan(bv);
  const elapsedMs = performance.now() - t0;
  const stopReason: StopReason = sol.converged ? "tol" : "maxIter";
  return Object.freeze({
    plan,
    cost,
    u,
    v,
    dual,
    dualityGap: cost - dual,
    dualViolation: viol,
    marginalError: err,
    iterations: sol.pivots,
    converged: sol.converged,
    stopReason,
    history: { iteration: Int32Array.from(sol.histIt), error: Float64Array.from(sol.histCost) },
    elapsedMs,
    backend: "cpu",
    backendReason: "network simplex runs on the CPU (f64)",
    options: opts,
  });
}

interface SimplexSolution {
  flow: Float64Array;
  alpha: Float64Array;
  beta: Float64Array;
  pivots: number;
  converged: boolean;
  histIt: number[];
  histCost: number[];
}

/**
 * Network simplex on the complete bipartite graph (arcs i → n + j, cost C[i·m + j]) with an
 * artificial root R = n + m and artificial arcs i → R (supply), R → n + j (demand) of cost
 * BIG = (n + m + 1)·(max|C| + 1). Strongly feasible initial tree; leaving-arc ties broken as in
 * Cunningham's rule (first blocking arc on the source side, last on the target side).
 */
function networkSimplex(
  n: number,
  m: number,
  C: Float64Array,
  a: Float64Array,
  b: Float64Array,
  maxIter: number,
  tolRel: number,
): SimplexSolution {
  const nm = n * m, V = n + m + 1, R = n + m;
  let cmax = 0;
  for (let k = 0; k < nm; k++) cmax = Math.max(cmax, Math.abs(C[k]));
  const BIG = (n + m + 1) * (cmax + 1);
  const tolRc = tolRel * Math.max(cmax, 1e-300);
  const flow = new Float64Array(nm + n + m);
  const inTree = new Uint8Array(nm);
  const parent = new Int32Array(V), pred = new Int32Array(V), depth = new Int32Array(V);
  const up = new Uint8Array(V);
  const pi = new Float64Array(V);
  const first = new Int32Array(V).fill(-1), next = new Int32Array(V).fill(-1), prev = new Int32Array(V).fill(-1);
  const stack = new Int32Array(V);
  const attach = (par: number, c: number) => {
    const f = first[par];
    next[c] = f;
    prev[c] = -1;
    if (f >= 0) prev[f] = c;
    first[par] = c;
  };
  const detach = (par: number, c: number) => {
    const p = prev[c], q = next[c];
    if (p >= 0) next[p] = q;
    else first[par] = q;
    if (q >= 0) prev[q] = p;
    prev[c] = next[c] = -1;
  };
  parent[R] = -1;
  pred[R] = -1;
  for (let i = 0; i < n; i++) {
    parent[i] = R;
    pred[i] = nm + i;
    up[i] = 1; // arc i → R
    flow[nm + i] = a[i];
    pi[i] = -BIG;
    depth[i] = 1;
    attach(R, i);
  }
  for (let j = 0; j < m; j++) {
    const v = n + j;
    parent[v] = R;
    pred[v] = nm + v;
    up[v] = 0; // arc R → v
    flow[nm + v] = b[j];
    pi[v] = BIG;
    depth[v] = 1;
    attach(R, v);
  }
  const block = Math.max(10, Math.ceil(Math.sqrt(nm)));
  let si = 0, sj = 0; // block-search cursor
  let pivots = 0, converged = false;
  let cost = 0;
  for (let i = 0; i < n; i++) cost += BIG * a[i];
  for (let j = 0; j < m; j++) cost += BIG * b[j];
  const histIt: number[] = [], histCost: number[] = [];
  while (pivots < maxIter) {
    // --- entering arc: block search
    let best = -1, bestRc = -tolRc, scanned = 0, inBlock = 0;
    while (scanned < nm) {
      const o = si * m, pis = pi[si];
      const jEnd = Math.min(m, sj + (block - inBlock));
      for (let j = sj; j < jEnd; j++) {
        const rc = C[o + j] + pis - pi[n + j];
        if (rc < bestRc && !inTree[o + j]) {
          bestRc = rc;
          best = o + j;
        }
      }
      const took = jEnd - sj;
      scanned += took;
      inBlock += took;
      sj = jEnd;
      if (sj === m) {
        sj = 0;
        si = si + 1 === n ? 0 : si + 1;
      }
      if (inBlock >= block) {
        if (best >= 0) break;
        inBlock = 0;
      }
    }
    if (best < 0) {
      converged = true;
      break;
    }
    const eIn = best;
    const s = (eIn / m) | 0, t = n + (eIn - s * m);
    // --- join (lowest common ancestor)
    let x = s, y = t;
    while (x !== y) {
      if (depth[x] > depth[y]) x = parent[x];
      else if (depth[y] > depth[x]) y = parent[y];
      else {
        x = parent[x];
        y = parent[y];
      }
    }
    const join = x;
    // --- leaving arc
    let delta = Infinity, uOut = -1, side = 0;
    for (let w = s; w !== join; w = parent[w]) {
      if (up[w]) {
        const d = flow[pred[w]];
        if (d < delta) {
          delta = d;
          uOut = w;
          side = 1;
        }
      }
    }
    for (let w = t; w !== join; w = parent[w]) {
      if (!up[w]) {
        const d = flow[pred[w]];
        if (d <= delta) {
          delta = d;
          uOut = w;
          side = 2;
        }
      }
    }
    // --- augment
    if (delta > 0) {
      flow[eIn] += delta;
      for (let w = s; w !== join; w = parent[w]) flow[pred[w]] += up[w] ? -delta : delta;
      for (let w = t; w !== join; w = parent[w]) flow[pred[w]] += up[w] ? delta : -delta;
      cost += delta * bestRc;
    }
    flow[pred[uOut]] = 0;
    // --- tree update: drop pred[uOut], re-hang the subtree at uIn below vIn
    const eOut = pred[uOut];
    if (eOut < nm) inTree[eOut] = 0;
    inTree[eIn] = 1;
    const uIn = side === 1 ? s : t, vIn = side === 1 ? t : s;
    let cur = uIn, newPar = vIn, newPred = eIn, newUp = uIn === s ? 1 : 0;
    for (;;) {
      const oldPar = parent[cur], oldPred = pred[cur], oldUp = up[cur];
      detach(oldPar, cur);
      parent[cur] = newPar;
      pred[cur] = newPred;
      up[cur] = newUp;
      attach(newPar, cur);
      if (cur === uOut) break;
      newPar = cur;
      newPred = oldPred;
      newUp = 1 - oldUp;
      cur = oldPar;
    }
    // Potentials of the moved subtree shift by ±rc(eIn); depths are recomputed.
    const sigma = uIn === t ? bestRc : -bestRc;
    let top = 0;
    stack[top++] = uIn;
    while (top > 0) {
      const w = stack[--top];
      pi[w] += sigma;
      depth[w] = depth[parent[w]] + 1;
      for (let c = first[w]; c >= 0; c = next[c]) stack[top++] = c;
    }
    pivots++;
    if (pivots % 256 === 0) {
      histIt.push(pivots);
      histCost.push(cost);
    }
  }
  const flowOut = flow.subarray(0, nm);
  const alpha = new Float64Array(n), beta = new Float64Array(m);
  for (let i = 0; i < n; i++) alpha[i] = -pi[i];
  for (let j = 0; j < m; j++) beta[j] = pi[n + j];
  histIt.push(pivots);
  let c2 = 0;
  for (let k = 0; k < nm; k++) c2 += C[k] * flowOut[k];
  histCost.push(c2);
  return { flow: flowOut, alpha, beta, pivots, converged, histIt, histCost };
}

/** Options of {@linkcode emd1d}. */
export interface Emd1dOptions {
  /** Ground cost |x − y|^p. @default 2 */
  p: number;
}

/** Result of {@linkcode emd1d}: the monotone coupling as a sparse list (≤ n + m − 1 entries). */
export interface Emd1dResult {
  /** OT cost Σ |x_i − y_j|^p P_ij = W_p^p. */
  readonly cost: number;
  /** W_p = cost^(1/p). */
  readonly distance: number;
  /** Row index (into `x`) of each coupling entry. */
  readonly rows: Int32Array;
  /** Column index (into `y`) of each coupling entry. */
  readonly cols: Int32Array;
  /** Mass of each coupling entry. */
  readonly mass: Float64Array;
}

/**
 * Exact 1-D optimal transport in closed form (card A6): for a convex ground cost |x − y|^p
 * (p ≥ 1) the monotone (north-west-corner on sorted supports) coupling is optimal; O((n + m)
 * log(n + m)). W_p^p of POT's `ot.wasserstein_1d(x, y, a, b, p)` and `ot.emd2_1d`.
 *
 * @param x support of the first measure (length n, any order)
 * @param y support of the second measure (length m)
 * @param a weights of x (≥ 0); `null`/`[]` for uniform
 * @param b weights of y (≥ 0, same mass); `null`/`[]` for uniform
 * @param options {@linkcode Emd1dOptions}
 * @returns {@linkcode Emd1dResult}
 * @throws {ParsimonyError} naming `x`, `y`, `a`, `b` or `options.p`
 * @example
 * ```ts
 * import { emd1d } from "@parsimony/parsimony/ot";
 * emd1d([0, 1], [1, 2], null, null, { p: 1 }).cost; // => 1
 * ```
 */
export function emd1d(
  x: ArrayLike<number>,
  y: ArrayLike<number>,
  a?: Marginal,
  b?: Marginal,
  options: Partial<Emd1dOptions> = {},
): Emd1dResult {
  const fn = "emd1d";
  const opts = resolveOptions(fn, { p: 2 }, options, { p: { kind: "number", min: 1 } });
  const xs = toVector(x, fn, "x"), ys = toVector(y, fn, "y");
  const wa = weights(fn, "a", a, xs.length), wb = weights(fn, "b", b, ys.length);
  const sa = kahan(wa), sb = kahan(wb);
  if (!(sa > 0)) throw new DomainError({ fn, arg: "a", expected: "positive total mass", got: `sum ${sa}` });
  if (Math.abs(sa - sb) > MASS_TOL * Math.max(sa, sb)) {
    throw new DomainError({
      fn,
      arg: "b",
      expected: "the same total mass as a",
      got: `sum(a) = ${sa}, sum(b) = ${sb}`,
    });
  }
  const ix = argsort(xs), iy = argsort(ys);
  const rows: number[] = [], cols: number[] = [], mass: number[] = [];
  let i = 0, j = 0, ra = wa[ix[0]], rb = wb[iy[0]] * (sa / sb), cost = 0;
  const pw = opts.p;
  while (i < xs.length && j < ys.length) {
    const q = Math.min(ra, rb);
    if (q > 0) {
      const d = Math.abs(xs[ix[i]] - ys[iy[j]]);
      cost += q * (pw === 1 ? d : pw === 2 ? d * d : Math.pow(d, pw));
      rows.push(ix[i]);
      cols.push(iy[j]);
      mass.push(q);
    }
    ra -= q;
    rb -= q;
    // Advance the side that ran out (both when equal); the last column takes the round-off.
    if (ra <= rb) {
      i++;
      if (i < xs.length) ra = wa[ix[i]];
    } else {
      j++;
      if (j < ys.length) rb = wb[iy[j]] * (sa / sb);
    }
  }
  return Object.freeze({
    cost,
    distance: Math.pow(cost, 1 / pw),
    rows: Int32Array.from(rows),
    cols: Int32Array.from(cols),
    mass: Float64Array.from(mass),
  });
}

function weights(fn: string, arg: string, w: Marginal, len: number): Float64Array {
  if (w === null || w === undefined || w.length === 0) return new Float64Array(len).fill(1 / len);
  const v = toVector(w, fn, arg);
  if (v.length !== len) throw new ShapeError({ fn, arg, expected: `length ${len}`, got: `length ${v.length}` });
  for (let i = 0; i < len; i++) {
    if (v[i] < 0) throw new DomainError({ fn, arg: `${arg}[${i}]`, expected: "non-negative", got: String(v[i]) });
  }
  return v;
}

function argsort(x: Float64Array): Int32Array {
  const idx = new Int32Array(x.length);
  for (let i = 0; i < idx.length; i++) idx[i] = i;
  return idx.sort((p, q) => x[p] - x[q] || p - q);
}
