/**
 * CPU f64 hot loops of the entropic OT solvers (the reference twins of the WGSL kernels in
 * kernels/ot/). All work on the η-scaled support problem: Cs = C/reg + 1 (row-major n×m),
 * scaled potentials u = f/reg, v = g/reg, plan P_ij = exp(u_i + v_j − Cs_ij).
 *
 * Trusted inputs: callers validated everything; no allocation happens in here.
 *
 * @module
 */

/** Row sums below this (or above its inverse) are recomputed with the exact row maximum. */
const SAFE_LO = 1e-200;
const SAFE_HI = 1e200;
/** Column sums below this are recomputed by an exact strided log-sum-exp. */
const COL_LO = 1e-250;

/**
 * One fused log-domain Sinkhorn iteration (row update then column update) reading Cs once.
 *
 * Row i: t_ij = exp(v_j − Cs_ij − M_i), S_i = Σ_j t_ij, u'_i = log a_i − M_i − log S_i.
 * The stabiliser M_i is the exact row maximum on the first sweep (`exact`), afterwards the
 * bound −u_i: the previous column update made every column sum b_j ≤ 1·mass, so
 * exp(u_i + v_j − Cs_ij) = P_ij is bounded and S_i is exactly the current row sum (P1)_i —
 * which gives the marginal error of the previous iterate for free. Rows whose S_i leaves
 * [1e-200, 1e200] are redone with the exact maximum.
 * The plan after the row update is P'_ij = t_ij·a_i/S_i, so the column sums are accumulated
 * from the same exponentials: one exp per entry per iteration instead of two.
 * Column j: v'_j = v_j + log b_j − log Σ_i P'_ij (an exact strided LSE when that sum < 1e-250).
 *
 * @returns ‖P(u, v)1 − a‖₁ of the iterate before the sweep (its columns were exact)
 */
export function logSweep(
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
): number {
  colAcc.fill(0);
  let err = 0;
  for (let i = 0; i < n; i++) {
    const o = i * m;
    const ui = u[i];
    let M = exact ? rowMax(Cs, v, o, m) : -ui;
    let s = 0;
    for (let j = 0; j < m; j++) {
      const e = Math.exp(v[j] - Cs[o + j] - M);
      t[j] = e;
      s += e;
    }
    let rowSum: number;
    if (exact) rowSum = s * Math.exp(M + ui);
    else if (s >= SAFE_LO && s <= SAFE_HI) rowSum = s;
    else {
      rowSum = s;
      M = rowMax(Cs, v, o, m);
      s = 0;
      for (let j = 0; j < m; j++) {
        const e = Math.exp(v[j] - Cs[o + j] - M);
        t[j] = e;
        s += e;
      }
    }
    err += Math.abs(rowSum - a[i]);
    uNew[i] = la[i] - M - Math.log(s);
    const w = a[i] / s;
    for (let j = 0; j < m; j++) colAcc[j] += t[j] * w;
  }
  for (let j = 0; j < m; j++) {
    const cs = colAcc[j];
    if (cs >= COL_LO && cs < Infinity) vNew[j] = v[j] + lb[j] - Math.log(cs);
    else vNew[j] = lb[j] - colLse(Cs, uNew, n, m, j);
  }
  return err;
}

/** max_j (v_j − Cs[o + j]). */
function rowMax(Cs: Float64Array, v: Float64Array, o: number, m: number): number {
  let M = -Infinity;
  for (let j = 0; j < m; j++) {
    const x = v[j] - Cs[o + j];
    if (x > M) M = x;
  }
  return M;
}

/** LSE_i (u_i − Cs_ij), exact two-pass, strided down column j. */
export function colLse(Cs: Float64Array, u: Float64Array, n: number, m: number, j: number): number {
  let M = -Infinity;
  for (let i = 0, p = j; i < n; i++, p += m) {
    const x = u[i] - Cs[p];
    if (x > M) M = x;
  }
  if (M === -Infinity || M === Infinity) return M;
  let s = 0;
  for (let i = 0, p = j; i < n; i++, p += m) s += Math.exp(u[i] - Cs[p] - M);
  return M + Math.log(s);
}

/** LSE_j (v_j − Cs_ij), exact two-pass, along row i. */
export function rowLse(Cs: Float64Array, v: Float64Array, m: number, i: number): number {
  const o = i * m;
  const M = rowMax(Cs, v, o, m);
  if (M === -Infinity || M === Infinity) return M;
  let s = 0;
  for (let j = 0; j < m; j++) s += Math.exp(v[j] - Cs[o + j] - M);
  return M + Math.log(s);
}

/**
 * One fused scaling-form Sinkhorn iteration reading K once: for each row,
 * s = K_i·v, u_i = a_i/s, then acc += u_i K_i while the row is in cache; finally v = b/acc.
 *
 * @returns ‖P(u, v)1 − a‖₁ of the iterate before the sweep (row sums u_i·(Kv)_i)
 */
export function scalingSweep(
  n: number,
  m: number,
  K: Float64Array,
  a: Float64Array,
  b: Float64Array,
  us: Float64Array,
  vs: Float64Array,
  acc: Float64Array,
): number {
  acc.fill(0);
  let err = 0;
  const m4 = m - (m & 3);
  for (let i = 0; i < n; i++) {
    const o = i * m;
    let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
    let j = 0;
    for (; j < m4; j += 4) {
      s0 += K[o + j] * vs[j];
      s1 += K[o + j + 1] * vs[j + 1];
      s2 += K[o + j + 2] * vs[j + 2];
      s3 += K[o + j + 3] * vs[j + 3];
    }
    for (; j < m; j++) s0 += K[o + j] * vs[j];
    const s = (s0 + s1) + (s2 + s3);
    err += Math.abs(us[i] * s - a[i]);
    const ui = a[i] / s;
    us[i] = ui;
    for (j = 0; j < m4; j += 4) {
      acc[j] += ui * K[o + j];
      acc[j + 1] += ui * K[o + j + 1];
      acc[j + 2] += ui * K[o + j + 2];
      acc[j + 3] += ui * K[o + j + 3];
    }
    for (; j < m; j++) acc[j] += ui * K[o + j];
  }
  for (let j = 0; j < m; j++) vs[j] = b[j] / acc[j];
  return err;
}

/**
 * P_ij = exp(u_i + v_j − Cs_ij) into `P`, with row sums, column sums and ΣP.
 *
 * @returns ΣP (+∞ if an entry overflowed)
 */
export function planPass(
  n: number,
  m: number,
  Cs: Float64Array,
  u: Float64Array,
  v: Float64Array,
  P: Float64Array,
  rowSum: Float64Array,
  colSum: Float64Array,
): number {
  colSum.fill(0);
  let total = 0;
  for (let i = 0; i < n; i++) {
    const o = i * m, ui = u[i];
    let s = 0;
    for (let j = 0; j < m; j++) {
      const x = Math.exp(ui + v[j] - Cs[o + j]);
      P[o + j] = x;
      s += x;
      colSum[j] += x;
    }
    rowSum[i] = s;
    total += s;
  }
  return total;
}

/**
 * P_ij ← (P_ij·eu_i)·ev_j in place (the plan after a step z ← z + αd with eu = e^{α du},
 * ev = e^{α dv}), with new row sums, column sums and ΣP. No exp per entry.
 *
 * @returns ΣP
 */
export function scalePlan(
  n: number,
  m: number,
  P: Float64Array,
  eu: Float64Array,
  ev: Float64Array,
  rowSum: Float64Array,
  colSum: Float64Array,
): number {
  colSum.fill(0);
  let total = 0;
  for (let i = 0; i < n; i++) {
    const o = i * m, e = eu[i];
    let s = 0;
    for (let j = 0; j < m; j++) {
      const x = P[o + j] * e * ev[j];
      P[o + j] = x;
      s += x;
      colSum[j] += x;
    }
    rowSum[i] = s;
    total += s;
  }
  return total;
}

/**
 * Minimum, maximum and finiteness of `src[0..len)`. `finite` is false when some entry is NaN or
 * ±∞ (then min/max are meaningless).
 */
export function costStats(src: Float64Array, len: number): { min: number; max: number; finite: boolean } {
  let mn = Infinity, mx = -Infinity, bad = 0;
  for (let k = 0; k < len; k++) {
    const x = src[k];
    if (x < mn) mn = x;
    if (x > mx) mx = x;
    bad += x - x;
  }
  return { min: mn, max: mx, finite: bad === 0 };
}

/** dst_k = src_k·alpha + beta (k < len); returns false when a result is not finite. */
export function affine(src: Float64Array, dst: Float64Array, len: number, alpha: number, beta: number): boolean {
  let bad = 0;
  for (let k = 0; k < len; k++) {
    const y = src[k] * alpha + beta;
    dst[k] = y;
    bad += y - y;
  }
  return bad === 0;
}

/**
 * K_ij = exp(alpha·src_ij + beta) (n×m, dst may be src) with the row maxima and column maxima of K;
 * returns min K and whether every src entry was finite.
 */
export function expRows(
  n: number,
  m: number,
  src: Float64Array,
  dst: Float64Array,
  alpha: number,
  beta: number,
  rowMax: Float64Array,
  colMax: Float64Array,
): { kmin: number; finite: boolean } {
  colMax.fill(0);
  let kmin = Infinity, bad = 0;
  for (let i = 0; i < n; i++) {
    const o = i * m;
    let rm = 0;
    for (let j = 0; j < m; j++) {
      const c = src[o + j];
      bad += c - c;
      const k = Math.exp(alpha * c + beta);
      dst[o + j] = k;
      if (k > rm) rm = k;
      if (k < kmin) kmin = k;
      if (k > colMax[j]) colMax[j] = k;
    }
    rowMax[i] = rm;
  }
  return { kmin, finite: bad === 0 };
}

/**
 * P_ij = (K_ij·eu_i)·ev_j (P may be K) with row sums, column sums, ΣP and the cost ⟨C, P⟩ in the
 * same pass (the scaling form's final plan).
 */
export function scalePlanCost(
  n: number,
  m: number,
  K: Float64Array,
  C: Float64Array,
  eu: Float64Array,
  ev: Float64Array,
  P: Float64Array,
  rowSum: Float64Array,
  colSum: Float64Array,
): { total: number; cost: number } {
  colSum.fill(0);
  let total = 0, cost = 0;
  for (let i = 0; i < n; i++) {
    const o = i * m, e = eu[i];
    let s = 0;
    for (let j = 0; j < m; j++) {
      const x = K[o + j] * e * ev[j];
      P[o + j] = x;
      s += x;
      colSum[j] += x;
      cost += C[o + j] * x;
    }
    rowSum[i] = s;
    total += s;
  }
  return { total, cost };
}

/**
 * ⟨C, P⟩ and Σ_ij P_ij·((u_i + v_j) − Cs_ij) — the entropy Σ P log P of P = exp(u ⊕ v − Cs),
 * whose logarithm is known exactly — in one pass over P.
 */
export function costEnt(
  n: number,
  m: number,
  P: Float64Array,
  C: Float64Array,
  Cs: Float64Array,
  u: Float64Array,
  v: Float64Array,
): { cost: number; ent: number } {
  let cost = 0, ent = 0;
  for (let i = 0; i < n; i++) {
    const o = i * m, ui = u[i];
    for (let j = 0; j < m; j++) {
      const x = P[o + j];
      cost += C[o + j] * x;
      ent += x * (ui + v[j] - Cs[o + j]);
    }
  }
  return { cost, ent };
}
