/**
 * Sparsity diagnostics of transport plans (method card §1, SNS §5): which entries the SNS
 * Newton Hessian keeps, and how much mass lies outside a plan's largest entries.
 *
 * @module
 */

import { DomainError } from "../core/errors.ts";
import { Matrix, type MatrixLike, toMatrix } from "../core/matrix.ts";
import { resolveOptions } from "../core/validate.ts";
import { SparseWorkspace } from "./_sparsify.ts";
import type { SparsityOptions } from "./sinkhorn_newton_sparse.ts";

/** The kept pattern of a sparsified plan. */
export interface PlanSparsity {
  /** 1 where the entry is kept, 0 elsewhere (n×m). */
  readonly pattern: Matrix;
  /** Kept entries nnz(P̃). */
  readonly nnz: number;
  /** nnz(P̃)/(n·m). */
  readonly density: number;
  /** Hessian density (n + m + 2·nnz)/(n + m)² (exact diagonal plus both off-diagonal blocks). */
  readonly hessianDensity: number;
  /** Kept mass / total mass. */
  readonly keptMass: number;
}

/**
 * Sparsify a plan with the SNS rules (card A3 rules A/B/C; `sinkhornNewtonSparse` uses the same
 * code): the pattern of P̃ that the Newton Hessian [[diag(P1), P̃], [P̃ᵀ, diag(Pᵀ1)]] keeps.
 *
 * @param P a nonnegative plan n×m (e.g. `result.plan`)
 * @param options `{ rule, keep, delta }` as in `SnsOptions.sparsity` (keep default 2(n + m))
 * @returns {@linkcode PlanSparsity}
 * @throws {ParsimonyError} naming `P` (shape, non-finite, negative) or the option at fault
 * @example
 * ```ts
 * import { sparsifyPlan } from "@parsimony/parsimony/ot";
 * const s = sparsifyPlan([[0.5, 1e-9], [1e-9, 0.5]], { rule: "mass" });
 * s.nnz; // => 2
 * ```
 */
export function sparsifyPlan(P: MatrixLike, options: Partial<SparsityOptions> = {}): PlanSparsity {
  const fn = "sparsifyPlan";
  const M = toMatrix(P, fn, "P");
  const n = M.rows, m = M.cols;
  const o = resolveOptions(fn, { rule: "union", keep: undefined, delta: 1e-3 } as SparsityOptions, options, {
    rule: { kind: "enum", values: ["union", "top", "mass"] },
    keep: { kind: "number", min: 1, integer: true },
    delta: { kind: "number", min: 0, max: 1, maxExclusive: true },
  });
  const rs = new Float64Array(n), cs = new Float64Array(m);
  let total = 0;
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < m; j++) {
      const x = M.data[i * m + j];
      if (x < 0) throw new DomainError({ fn, arg: `P[${i}][${j}]`, expected: "non-negative", got: String(x) });
      rs[i] += x;
      cs[j] += x;
      total += x;
    }
  }
  const ws = new SparseWorkspace(n, m);
  const nnz = ws.sparsify(M.data, rs, cs, o.rule, o.keep ?? Math.min(n * m, 2 * (n + m)), o.delta);
  const pattern = new Matrix(n, m);
  let kept = 0;
  for (let i = 0; i < n; i++) {
    for (let k = ws.rowPtr[i]; k < ws.rowPtr[i + 1]; k++) {
      pattern.data[i * m + ws.colIdx[k]] = 1;
      kept += ws.val[k];
    }
  }
  const N = n + m;
  return Object.freeze({
    pattern,
    nnz,
    density: nnz / (n * m),
    hessianDensity: (N + 2 * nnz) / (N * N),
    keptMass: total > 0 ? kept / total : 1,
  });
}

/**
 * Relative mass outside the k largest entries, ε_λ(P)/ΣP with k = ⌈λ·n·m⌉ (card §1: the best
 * (λ, ε)-sparse approximation of a nonnegative matrix keeps its largest entries).
 *
 * @param P a nonnegative matrix
 * @param k number of entries kept (≥ 1)
 * @returns the tail mass fraction in [0, 1]
 * @throws {ParsimonyError} naming `P` or `k`
 * @example
 * ```ts
 * import { tailMassFraction } from "@parsimony/parsimony/ot";
 * tailMassFraction([[0.7, 0.1], [0.1, 0.1]], 1); // => 0.3 (up to round-off)
 * ```
 */
export function tailMassFraction(P: MatrixLike, k: number): number {
  const fn = "tailMassFraction";
  const M = toMatrix(P, fn, "P");
  if (!Number.isInteger(k) || k < 1) {
    throw new DomainError({ fn, arg: "k", expected: "an integer ≥ 1", got: String(k) });
  }
  const v = Float64Array.from(M.data);
  for (let q = 0; q < v.length; q++) {
    if (v[q] < 0) {
      throw new DomainError({
        fn,
        arg: `P[${Math.floor(q / M.cols)}][${q % M.cols}]`,
        expected: "non-negative",
        got: String(v[q]),
      });
    }
  }
  v.sort();
  let total = 0, top = 0;
  for (let q = 0; q < v.length; q++) total += v[q];
  for (let q = Math.max(0, v.length - k); q < v.length; q++) top += v[q];
  return total > 0 ? Math.max(0, total - top) / total : 0;
}
