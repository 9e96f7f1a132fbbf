/**
 * Discrete-symbol helpers for the plug-in estimators: rows of integer codes → dense symbol ids
 * (hash by exact row content), and plug-in entropies / mutual information from symbol ids.
 * Private to lib/info.
 *
 * @module
 */

/** Dense symbol ids (0..count−1, in order of first appearance) of the rows of an N×d integer-code array. */
export function rowSymbols(codes: Int32Array | Float64Array, n: number, d: number): { ids: Int32Array; count: number } {
  const ids = new Int32Array(n);
  if (d === 1) {
    const map = new Map<number, number>();
    for (let i = 0; i < n; i++) {
      const key = codes[i];
      let id = map.get(key);
      if (id === undefined) {
        id = map.size;
        map.set(key, id);
      }
      ids[i] = id;
    }
    return { ids, count: map.size };
  }
  const map = new Map<string, number>();
  const row: number[] = new Array(d);
  for (let i = 0; i < n; i++) {
    for (let c = 0; c < d; c++) row[c] = codes[i * d + c];
    const key = row.join(",");
    let id = map.get(key);
    if (id === undefined) {
      id = map.size;
      map.set(key, id);
    }
    ids[i] = id;
  }
  return { ids, count: map.size };
}

/** Counts of each symbol. */
export function symbolCounts(ids: Int32Array, count: number): Float64Array {
  const c = new Float64Array(count);
  for (let i = 0; i < ids.length; i++) c[ids[i]]++;
  return c;
}

/** Plug-in entropy −Σ p log p (nats) from counts summing to n; also the number of occupied cells. */
export function plugInEntropy(counts: ArrayLike<number>, n: number): { h: number; occupied: number } {
  let h = 0, occ = 0;
  const logN = Math.log(n);
  for (let i = 0; i < counts.length; i++) {
    const c = counts[i];
    if (c > 0) {
      h -= (c / n) * (Math.log(c) - logN);
      occ++;
    }
  }
  return { h, occupied: occ };
}

/** Joint symbol of two id arrays. */
export function jointIds(a: Int32Array, ca: number, b: Int32Array): { ids: Int32Array; count: number } {
  const n = a.length;
  const codes = new Float64Array(n);
  for (let i = 0; i < n; i++) codes[i] = b[i] * ca + a[i];
  return rowSymbols(codes, n, 1);
}

/** Plug-in MI with its occupied-cell counts and entropies (nats). */
export interface PlugInMi {
  readonly mi: number;
  readonly ma: number;
  readonly mb: number;
  readonly mab: number;
  readonly ha: number;
  readonly hb: number;
  readonly hab: number;
}

/**
 * Plug-in mutual information Σ_ab (n_ab/N) log(N n_ab/(n_a n_b)) (nats) of two symbol sequences, with the
 * occupied-cell counts used by the Miller–Madow correction.
 */
export function plugInMi(a: Int32Array, ca: number, b: Int32Array, cb: number): PlugInMi {
  const n = a.length;
  const na = symbolCounts(a, ca), nb = symbolCounts(b, cb);
  const j = jointIds(a, ca, b);
  const nab = symbolCounts(j.ids, j.count);
  // representative a, b of each joint cell
  const ra = new Int32Array(j.count), rb = new Int32Array(j.count);
  for (let i = 0; i < n; i++) {
    ra[j.ids[i]] = a[i];
    rb[j.ids[i]] = b[i];
  }
  return plugInMiCounts(na, nb, nab, ra, rb, n);
}

/**
 * The arithmetic of {@linkcode plugInMi} from counts: marginal counts `na`, `nb` and joint counts `nab`,
 * each indexed by symbol id in order of first appearance, and the marginal ids `ra[q]`, `rb[q]` of joint
 * cell q. Summation runs over q in that order, so equal tables give bit-identical results.
 */
export function plugInMiCounts(
  na: Float64Array,
  nb: Float64Array,
  nab: Float64Array,
  ra: Int32Array,
  rb: Int32Array,
  n: number,
): PlugInMi {
  let mi = 0;
  const logN = Math.log(n);
  for (let q = 0; q < nab.length; q++) {
    const c = nab[q];
    mi += (c / n) * (Math.log(c) + logN - Math.log(na[ra[q]]) - Math.log(nb[rb[q]]));
  }
  const ha = plugInEntropy(na, n), hb = plugInEntropy(nb, n), hab = plugInEntropy(nab, n);
  return { mi, ma: ha.occupied, mb: hb.occupied, mab: hab.occupied, ha: ha.h, hb: hb.h, hab: hab.h };
}
