/**
 * Gradient clipping, as torch.nn.utils: by global ℓ2 norm and by value. Both scale the
 * gradient tensors in place.
 *
 * @module
 */

import { assertPositive } from "../core/validate.ts";
import type { Tensor } from "../autodiff/tensor.ts";

/**
 * Scale all gradients by min(1, maxNorm/(‖g‖₂ + 1e-6)), ‖g‖₂ over every entry of every tensor.
 *
 * @param grads gradients (modified in place)
 * @param maxNorm largest allowed global norm (> 0)
 * @returns the global norm before clipping
 * @throws {DomainError} for maxNorm ≤ 0
 * @example
 * ```ts
 * import { clipGradNorm } from "@parsimony/parsimony/nn";
 * import { tensor } from "@parsimony/parsimony/autodiff";
 * const g = { w: tensor([3, 4]) };
 * clipGradNorm(g, 1); // => 5
 * g.w.data[0]; // => 0.59999988 (≈ 3/5)
 * ```
 */
export function clipGradNorm(grads: Readonly<Record<string, Tensor>> | readonly Tensor[], maxNorm: number): number {
  assertPositive(maxNorm, "clipGradNorm", "maxNorm");
  const list = Object.values(grads) as Tensor[];
  // scaled sum of squares (no overflow for huge gradients)
  let scale = 0, ssq = 1;
  for (const g of list) {
    for (const v of g.data) {
      const a = Math.abs(v);
      if (a === 0) continue;
      if (a > scale) {
        ssq = 1 + ssq * (scale / a) ** 2;
        scale = a;
      } else ssq += (a / scale) ** 2;
    }
  }
  const norm = scale * Math.sqrt(ssq);
  const c = maxNorm / (norm + 1e-6);
  if (c < 1) { for (const g of list) for (let i = 0; i < g.size; i++) g.data[i] *= c; }
  return norm;
}

/**
 * Clip every gradient entry into [−clip, clip].
 *
 * @throws {DomainError} for clip ≤ 0
 * @example
 * ```ts
 * import { clipGradValue } from "@parsimony/parsimony/nn";
 * import { tensor } from "@parsimony/parsimony/autodiff";
 * const g = [tensor([-5, 0.5])];
 * clipGradValue(g, 1);
 * g[0].toArray(); // => [-1, 0.5]
 * ```
 */
export function clipGradValue(grads: Readonly<Record<string, Tensor>> | readonly Tensor[], clip: number): void {
  assertPositive(clip, "clipGradValue", "clip");
  for (const g of Object.values(grads) as Tensor[]) {
    for (let i = 0; i < g.size; i++) g.data[i] = Math.min(clip, Math.max(-clip, g.data[i]));
  }
}
