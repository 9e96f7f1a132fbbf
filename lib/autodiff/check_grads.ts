/**
 * `checkGrads`: compare reverse-mode gradients with central finite differences (the oracle of
 * JAX `check_grads` and torch `gradcheck`), in f64.
 *
 * @module
 */

import { Rng } from "../core/rng.ts";
import { resolveOptions } from "../core/validate.ts";
import { noGrad } from "./no_grad.ts";
import { vjp } from "./vjp.ts";
import { Tensor } from "./tensor.ts";

/** Options of {@linkcode checkGrads}. */
export interface CheckGradsOptions {
  /** Relative step: h_i = eps·max(1, |x_i|). @default 1e-6 */
  eps: number;
  /** Pass when every input's relative error is below this. @default 1e-6 */
  rtol: number;
  /** Seed of the random cotangent used to scalarise a non-scalar output. @default 0 */
  seed: number;
}

/** Defaults of {@linkcode checkGrads}. */
export const CHECK_GRADS_DEFAULTS: Readonly<CheckGradsOptions> = Object.freeze({ eps: 1e-6, rtol: 1e-6, seed: 0 });

/** What {@linkcode checkGrads} returns. */
export interface CheckGradsResult {
  /** Every input within `rtol`. */
  readonly ok: boolean;
  /** Largest relative error over the inputs. */
  readonly maxRelError: number;
  /** Per input: ‖analytic − numeric‖∞ / max(‖analytic‖∞, ‖numeric‖∞) (0 when both vanish). */
  readonly relErrors: number[];
  /** Reverse-mode cotangents, one per input. */
  readonly analytic: Float64Array[];
  /** Central-difference estimates, one per input. */
  readonly numeric: Float64Array[];
}

/**
 * Check the gradient of `f` at `inputs` against central differences.
 *
 * A non-scalar output is scalarised as φ(x) = Σ w ⊙ f(x) with a seeded random cotangent w
 * (so the whole VJP is checked, not just its column sums). For each entry,
 * ∂φ/∂x_i ≈ (φ(x + h e_i) − φ(x − h e_i)) / 2h with h = eps·max(1, |x_i|); the truncation
 * error is O(h²) and the rounding error O(ε_mach·|φ|/h).
 *
 * @param f the function under test
 * @param inputs the point (not modified; perturbed copies are used)
 * @param options {@linkcode CheckGradsOptions}
 * @returns errors and both gradients
 * @example
 * ```ts
 * import { checkGrads, exp, tensor } from "@parsimony/parsimony/autodiff";
 * checkGrads((x) => exp(x), [tensor([0.1, -0.4])]).ok; // => true
 * ```
 */
export function checkGrads(
  f: (...inputs: Tensor[]) => Tensor,
  inputs: readonly Tensor[],
  options?: Partial<CheckGradsOptions>,
): CheckGradsResult {
  const o = resolveOptions("checkGrads", CHECK_GRADS_DEFAULTS, options, {
    eps: { kind: "number", min: 0, minExclusive: true },
    rtol: { kind: "number", min: 0 },
    seed: { kind: "number", min: 0, integer: true },
  });
  const xs = inputs.map((x) => new Tensor(x.data.slice(), x.shape));
  const { out, vjp: back } = vjp(f, ...xs);
  const w = out.size === 1 ? new Float64Array([1]) : new Rng(o.seed).normalArray(out.size);
  const analytic = back(new Tensor(w, out.shape)).map((t) => t.data);
  const phi = (): number =>
    noGrad(() => {
      const y = f(...xs).data;
      let s = 0;
      for (let i = 0; i < y.length; i++) s += w[i] * y[i];
      return s;
    });
  const numeric = xs.map((x) => {
    const d = new Float64Array(x.size);
    for (let i = 0; i < x.size; i++) {
      const v = x.data[i], h = o.eps * Math.max(1, Math.abs(v));
      const xp = v + h, xm = v - h; // the step actually taken (v ± h rounds)
      x.data[i] = xp;
      const up = phi();
      x.data[i] = xm;
      const down = phi();
      x.data[i] = v;
      d[i] = (up - down) / (xp - xm);
    }
    return d;
  });
  const relErrors = analytic.map((a, k) => {
    let diff = 0, scale = 0;
    for (let i = 0; i < a.length; i++) {
      diff = Math.max(diff, Math.abs(a[i] - numeric[k][i]));
      scale = Math.max(scale, Math.abs(a[i]), Math.abs(numeric[k][i]));
    }
    return scale === 0 ? diff : diff / scale;
  });
  const maxRelError = Math.max(0, ...relErrors);
  return {
    ok: maxRelError <= o.rtol && relErrors.every((e) => !Number.isNaN(e)),
    maxRelError,
    relErrors,
    analytic,
    numeric,
  };
}
