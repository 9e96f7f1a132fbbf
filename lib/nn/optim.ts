/**
 * First-order optimizers with torch's exact update rules: SGD with momentum/Nesterov
 * (Sutskever et al. 2013), Adam (Kingma & Ba 2015) with L2 weight decay, and AdamW
 * (Loshchilov & Hutter 2019, decoupled weight decay).
 *
 * An optimizer holds a record of parameter tensors and updates their `data` in place from
 * a record of gradients with the same names (as `valueAndGrad` returns them). `lr` is a
 * plain field, so schedules set it between steps.
 *
 * @module
 */

import { ShapeError } from "../core/errors.ts";
import { type ConstraintTable, resolveOptions } from "../core/validate.ts";
import type { Tensor } from "../autodiff/tensor.ts";

/** What every optimizer offers. */
export interface Optimizer {
  /** Current learning rate (schedules write it). */
  lr: number;
  /** The parameters it updates (shared tensors). */
  readonly params: Readonly<Record<string, Tensor>>;
  /** Number of steps taken. */
  readonly steps: number;
  /** Apply one update from `grads` (same names and shapes as `params`; missing names are skipped). */
  step(grads: Readonly<Record<string, Tensor>>): void;
  /** Internal buffers (momenta, step count) as plain arrays, for checkpoints. */
  stateDict(): OptimizerState;
  /** Restore buffers saved by `stateDict`. */
  loadStateDict(state: OptimizerState): void;
}

/** Serializable optimizer state. */
export interface OptimizerState {
  /** Optimizer kind. */
  readonly kind: string;
  /** Steps taken. */
  readonly steps: number;
  /** Learning rate at save time. */
  readonly lr: number;
  /** Named buffers: `"<param>/<buffer>"` → values. */
  readonly buffers: Readonly<Record<string, number[]>>;
}

function checkGrad(fn: string, name: string, p: Tensor, g: Tensor): void {
  if (g.size !== p.size) {
    throw new ShapeError({ fn, arg: `grads.${name}`, expected: `shape [${p.shape}]`, got: `[${g.shape}]` });
  }
}

abstract class Base implements Optimizer {
  lr: number;
  readonly params: Readonly<Record<string, Tensor>>;
  steps = 0;
  protected readonly buffers: Map<string, Float64Array> = new Map();
  protected abstract readonly kind: string;

  constructor(params: Readonly<Record<string, Tensor>>, lr: number) {
    this.params = { ...params };
    this.lr = lr;
  }

  protected buffer(name: string, size: number): Float64Array {
    let b = this.buffers.get(name);
    if (!b) this.buffers.set(name, b = new Float64Array(size));
    return b;
  }

  abstract step(grads: Readonly<Record<string, Tensor>>): void;

  stateDict(): OptimizerState {
    const buffers: Record<string, number[]> = {};
    for (const [k, v] of this.buffers) buffers[k] = Array.from(v);
    return { kind: this.kind, steps: this.steps, lr: this.lr, buffers };
  }

  loadStateDict(state: OptimizerState): void {
    if (state.kind !== this.kind) {
      throw new ShapeError({
        fn: "loadStateDict",
        arg: "state.kind",
        expected: `"${this.kind}"`,
        got: `"${state.kind}"`,
      });
    }
    this.steps = state.steps;
    this.lr = state.lr;
    this.buffers.clear();
    for (const [k, v] of Object.entries(state.buffers)) this.buffers.set(k, Float64Array.from(v));
  }
}

/** Options of {@linkcode Sgd}. */
export interface SgdOptions {
  /** Learning rate. @default 0.01 */
  lr: number;
  /** Momentum coefficient μ. @default 0 */
  momentum: number;
  /** Dampening of the gradient in the momentum buffer. @default 0 */
  dampening: number;
  /** Nesterov momentum (needs momentum > 0, dampening 0). @default false */
  nesterov: boolean;
  /** L2 penalty coefficient added to the gradient. @default 0 */
  weightDecay: number;
}

/** Defaults of {@linkcode Sgd}. */
export const SGD_DEFAULTS: Readonly<SgdOptions> = Object.freeze({
  lr: 0.01,
  momentum: 0,
  dampening: 0,
  nesterov: false,
  weightDecay: 0,
});

const SGD_CONSTRAINTS: ConstraintTable<SgdOptions> = {
  lr: { kind: "number", min: 0 },
  momentum: { kind: "number", min: 0 },
  dampening: { kind: "number", min: 0, max: 1 },
  nesterov: { kind: "boolean" },
  weightDecay: { kind: "number", min: 0 },
};

/**
 * Stochastic gradient descent with momentum, as torch.optim.SGD:
 * d = g + λθ; b ← μb + (1 − τ)d (b = d on the first step); d ← d + μb (Nesterov) or b;
 * θ ← θ − η·d.
 *
 * @example
 * ```ts
 * import { Sgd } from "@parsimony/parsimony/nn";
 * import { tensor } from "@parsimony/parsimony/autodiff";
 * const w = tensor([1]);
 * new Sgd({ w }, { lr: 0.1 }).step({ w: tensor([2]) });
 * w.data[0]; // => 0.8
 * ```
 */
export class Sgd extends Base {
  /** Resolved options. */
  readonly options: Readonly<SgdOptions>;
  protected readonly kind = "sgd";

  /**
   * @param params parameters to update
   * @param options {@linkcode SgdOptions}
   * @throws {OptionError} for an unknown or out-of-range option, or Nesterov without momentum
   */
  constructor(params: Readonly<Record<string, Tensor>>, options?: Partial<SgdOptions>) {
    const o = resolveOptions("Sgd", SGD_DEFAULTS, options, SGD_CONSTRAINTS);
    super(params, o.lr);
    if (o.nesterov && (o.momentum <= 0 || o.dampening !== 0)) {
      throw new ShapeError({
        fn: "Sgd",
        arg: "options.nesterov",
        expected: "momentum > 0 and dampening = 0",
        got: `momentum ${o.momentum}, dampening ${o.dampening}`,
      });
    }
    this.options = o;
  }

  step(grads: Readonly<Record<string, Tensor>>): void {
    const { momentum: mu, dampening, nesterov, weightDecay: wd } = this.options;
    for (const [name, p] of Object.entries(this.params)) {
      const g = grads[name];
      if (!g) continue;
      checkGrad("Sgd.step", name, p, g);
      const x = p.data, gd = g.data, lr = this.lr;
      const key = `${name}/momentum`;
      const fresh = mu !== 0 && !this.buffers.has(key); // torch: the buffer starts as the first d
      const buf = mu !== 0 ? this.buffer(key, p.size) : null;
      for (let i = 0; i < x.length; i++) {
        let d = gd[i] + wd * x[i];
        if (buf) {
          buf[i] = fresh ? d : mu * buf[i] + (1 - dampening) * d;
          d = nesterov ? d + mu * buf[i] : buf[i];
        }
        x[i] -= lr * d;
      }
    }
    this.steps++;
  }
}

/** Options of {@linkcode Adam} and {@linkcode AdamW}. */
export interface AdamOptions {
  /** Learning rate. @default 1e-3 */
  lr: number;
  /** First-moment decay β₁. @default 0.9 */
  beta1: number;
  /** Second-moment decay β₂. @default 0.999 */
  beta2: number;
  /** Denominator guard ε. @default 1e-8 */
  eps: number;
  /** Weight decay: L2 added to the gradient (Adam) or decoupled shrinkage (AdamW). @default 0 (Adam), 0.01 (AdamW) */
  weightDecay: number;
}

/** Defaults of {@linkcode Adam}. */
export const ADAM_DEFAULTS: Readonly<AdamOptions> = Object.freeze({
  lr: 1e-3,
  beta1: 0.9,
  beta2: 0.999,
  eps: 1e-8,
  weightDecay: 0,
});
/** Defaults of {@linkcode AdamW} (torch's: weight decay 0.01). */
export const ADAMW_DEFAULTS: Readonly<AdamOptions> = Object.freeze({ ...ADAM_DEFAULTS, weightDecay: 0.01 });

const ADAM_CONSTRAINTS: ConstraintTable<AdamOptions> = {
  lr: { kind: "number", min: 0 },
  beta1: { kind: "number", min: 0, max: 1, maxExclusive: true },
  beta2: { kind: "number", min: 0, max: 1, maxExclusive: true },
  eps: { kind: "number", min: 0 },
  weightDecay: { kind: "number", min: 0 },
};

/**
 * Adam, as torch.optim.Adam: g ← g + λθ; m ← β₁m + (1 − β₁)g; v ← β₂v + (1 − β₂)g²;
 * θ ← θ − (η/(1 − β₁ᵗ))·m / (√v/√(1 − β₂ᵗ) + ε).
 *
 * @example
 * ```ts
 * import { Adam } from "@parsimony/parsimony/nn";
 * import { tensor } from "@parsimony/parsimony/autodiff";
 * const w = tensor([1]);
 * new Adam({ w }, { lr: 0.1 }).step({ w: tensor([5]) });
 * w.data[0]; // => 0.9000000002 (a first Adam step moves by ≈ lr)
 * ```
 */
export class Adam extends Base {
  /** Resolved options. */
  readonly options: Readonly<AdamOptions>;
  protected readonly kind: string = "adam";
  /** Whether weight decay is decoupled (AdamW). */
  protected readonly decoupled: boolean = false;

  /**
   * @param params parameters to update
   * @param options {@linkcode AdamOptions}
   * @throws {OptionError} for an unknown or out-of-range option
   */
  constructor(
    params: Readonly<Record<string, Tensor>>,
    options?: Partial<AdamOptions>,
    defaults: Readonly<AdamOptions> = ADAM_DEFAULTS,
  ) {
    const o = resolveOptions(defaults === ADAM_DEFAULTS ? "Adam" : "AdamW", defaults, options, ADAM_CONSTRAINTS);
    super(params, o.lr);
    this.options = o;
  }

  step(grads: Readonly<Record<string, Tensor>>): void {
    const { beta1: b1, beta2: b2, eps, weightDecay: wd } = this.options;
    const t = ++this.steps;
    const bc1 = 1 - b1 ** t, bc2 = Math.sqrt(1 - b2 ** t);
    const lr = this.lr, stepSize = lr / bc1;
    for (const [name, p] of Object.entries(this.params)) {
      const g = grads[name];
      if (!g) continue;
      checkGrad(this.decoupled ? "AdamW.step" : "Adam.step", name, p, g);
      const x = p.data, gd = g.data;
      const m = this.buffer(`${name}/m`, p.size), v = this.buffer(`${name}/v`, p.size);
      for (let i = 0; i < x.length; i++) {
        let gi = gd[i];
        if (wd !== 0) {
          if (this.decoupled) x[i] *= 1 - lr * wd;
          else gi += wd * x[i];
        }
        m[i] = b1 * m[i] + (1 - b1) * gi;
        v[i] = b2 * v[i] + (1 - b2) * gi * gi;
        x[i] -= stepSize * m[i] / (Math.sqrt(v[i]) / bc2 + eps);
      }
    }
  }
}

/**
 * AdamW, as torch.optim.AdamW: θ ← θ(1 − ηλ), then the Adam step without L2 in the gradient.
 *
 * @example
 * ```ts
 * import { AdamW } from "@parsimony/parsimony/nn";
 * import { tensor } from "@parsimony/parsimony/autodiff";
 * const w = tensor([1]);
 * new AdamW({ w }, { lr: 0.1, weightDecay: 0.5 }).step({ w: tensor([0]) });
 * w.data[0]; // => 0.95
 * ```
 */
export class AdamW extends Adam {
  protected override readonly kind: string = "adamw";
  protected override readonly decoupled: boolean = true;

  /**
   * @param params parameters to update
   * @param options {@linkcode AdamOptions} (weight decay defaults to 0.01)
   */
  constructor(params: Readonly<Record<string, Tensor>>, options?: Partial<AdamOptions>) {
    super(params, options, ADAMW_DEFAULTS);
  }
}
