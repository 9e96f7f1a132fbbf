/**
 * Layers: a minimal module interface, `Linear`, activation layers, `Sequential`, and the
 * `mlp` builder.
 *
 * A module is anything with `forward(x)` and `parameters()` (a record of named tensors,
 * the same record `valueAndGrad`, the optimizers and checkpoints use).
 *
 * @module
 */

import { describeValue, OptionError, ShapeError } from "../core/errors.ts";
import { Rng } from "../core/rng.ts";
import { assertInteger } from "../core/validate.ts";
import { gelu, leakyRelu, relu, sigmoid, softplus, tanh } from "../autodiff/activation.ts";
import { linear, matmul } from "../autodiff/matmul.ts";
import { type Tensor, zeros } from "../autodiff/tensor.ts";
import { INITIALIZERS, type InitName } from "./init.ts";

/** A trainable function: `forward` plus its named parameters. */
export interface Module {
  /** Apply the module to a batch. */
  forward(x: Tensor): Tensor;
  /** Trainable tensors by name (a new record each call; the tensors themselves are shared). */
  parameters(): Record<string, Tensor>;
}

/** Options of {@linkcode Linear}. */
export interface LinearOptions {
  /** Add a bias. @default true */
  bias?: boolean;
  /** Weight initialiser. @default "kaimingUniform" */
  init?: InitName;
  /** Seed or `Rng` for the initialiser. @default 0 */
  seed?: number | Rng;
}

/**
 * Affine layer y = x·W + b with W of shape [inFeatures, outFeatures] (JAX/Flax layout; torch
 * stores Wᵀ). Biases start at 0, except with `init: "torchDefault"`, where they are drawn
 * from U(±1/√inFeatures) as torch does.
 *
 * @example
 * ```ts
 * import { Linear } from "@parsimony/parsimony/nn";
 * import { randn } from "@parsimony/parsimony/autodiff";
 * const layer = new Linear(4, 2, { seed: 1 });
 * layer.forward(randn([3, 4], 0)).shape; // => [3, 2]
 * ```
 */
export class Linear implements Module {
  /** Weight [inFeatures, outFeatures]. */
  readonly weight: Tensor;
  /** Bias [outFeatures], or null. */
  readonly bias: Tensor | null;

  /**
   * @param inFeatures input width
   * @param outFeatures output width
   * @param options {@linkcode LinearOptions}
   * @throws {DomainError} for non-positive widths
   * @throws {OptionError} for an unknown initialiser
   */
  constructor(inFeatures: number, outFeatures: number, options: LinearOptions = {}) {
    assertInteger(inFeatures, "Linear", "inFeatures", 1);
    assertInteger(outFeatures, "Linear", "outFeatures", 1);
    const init = options.init ?? "kaimingUniform";
    if (!(init in INITIALIZERS)) {
      throw new OptionError({
        fn: "Linear",
        arg: "options.init",
        expected: `one of ${Object.keys(INITIALIZERS).join(", ")}`,
        got: describeValue(init),
      });
    }
    const rng = typeof options.seed === "object" ? options.seed : new Rng(options.seed ?? 0);
    this.weight = INITIALIZERS[init]([inFeatures, outFeatures], rng);
    if (options.bias === false) this.bias = null;
    else if (init === "torchDefault") this.bias = torchBias(inFeatures, outFeatures, rng);
    else this.bias = zeros([outFeatures]);
  }

  /**
   * x·W + b.
   *
   * @throws {ShapeError} when the last axis of x is not inFeatures
   */
  forward(x: Tensor): Tensor {
    if (x.shape[x.rank - 1] !== this.weight.shape[0]) {
      throw new ShapeError({
        fn: "Linear.forward",
        arg: "x",
        expected: `last axis ${this.weight.shape[0]}`,
        got: `shape [${x.shape}]`,
      });
    }
    return this.bias ? linear(x, this.weight, this.bias) : matmul(x, this.weight);
  }

  /** `{ weight, bias }`. */
  parameters(): Record<string, Tensor> {
    return this.bias ? { weight: this.weight, bias: this.bias } : { weight: this.weight };
  }
}

function torchBias(inFeatures: number, outFeatures: number, rng: Rng): Tensor {
  const b = 1 / Math.sqrt(inFeatures);
  const t = zeros([outFeatures]);
  t.data.set(rng.uniformArray(outFeatures, -b, b));
  return t;
}

/** Names of the built-in activations. */
export type ActivationName = "relu" | "leakyRelu" | "tanh" | "sigmoid" | "softplus" | "gelu" | "identity";

const ACTIVATIONS: Readonly<Record<ActivationName, (x: Tensor) => Tensor>> = Object.freeze({
  relu,
  leakyRelu: (x: Tensor) => leakyRelu(x),
  tanh,
  sigmoid,
  softplus,
  gelu: (x: Tensor) => gelu(x),
  identity: (x: Tensor) => x,
});

/**
 * A parameter-free layer applying a named activation.
 *
 * @example
 * ```ts
 * import { Activation } from "@parsimony/parsimony/nn";
 * import { tensor } from "@parsimony/parsimony/autodiff";
 * new Activation("relu").forward(tensor([-1, 1])).toArray(); // => [0, 1]
 * ```
 */
export class Activation implements Module {
  /** Activation name. */
  readonly name: ActivationName;
  readonly #f: (x: Tensor) => Tensor;

  /** @throws {OptionError} for an unknown name */
  constructor(name: ActivationName) {
    if (!(name in ACTIVATIONS)) {
      throw new OptionError({
        fn: "Activation",
        arg: "name",
        expected: `one of ${Object.keys(ACTIVATIONS).join(", ")}`,
        got: describeValue(name),
      });
    }
    this.name = name;
    this.#f = ACTIVATIONS[name];
  }

  /** Apply the activation. */
  forward(x: Tensor): Tensor {
    return this.#f(x);
  }

  /** No parameters. */
  parameters(): Record<string, Tensor> {
    return {};
  }
}

/**
 * Modules applied in order; parameters are named `"<index>.<name>"` as in torch.
 *
 * @example
 * ```ts
 * import { Activation, Linear, Sequential } from "@parsimony/parsimony/nn";
 * const net = new Sequential([new Linear(2, 3), new Activation("tanh"), new Linear(3, 1)]);
 * Object.keys(net.parameters()); // => ["0.weight", "0.bias", "2.weight", "2.bias"]
 * ```
 */
export class Sequential implements Module {
  /** The layers. */
  readonly layers: readonly Module[];

  /** @param layers modules in application order */
  constructor(layers: readonly Module[]) {
    this.layers = layers.slice();
  }

  /** Apply every layer in turn. */
  forward(x: Tensor): Tensor {
    let h = x;
    for (const l of this.layers) h = l.forward(h);
    return h;
  }

  /** All layers' parameters, prefixed by the layer index. */
  parameters(): Record<string, Tensor> {
    const out: Record<string, Tensor> = {};
    this.layers.forEach((l, i) => {
      for (const [k, v] of Object.entries(l.parameters())) out[`${i}.${k}`] = v;
    });
    return out;
  }
}

/** Options of {@linkcode mlp}. */
export interface MlpOptions {
  /** Hidden-layer activation. @default "relu" */
  activation?: ActivationName;
  /** Activation after the last layer. @default "identity" (logits) */
  outputActivation?: ActivationName;
  /** Weight initialiser. @default "kaimingUniform" */
  init?: InitName;
  /** Seed of the initialisation. @default 0 */
  seed?: number;
}

/**
 * Multilayer perceptron `sizes[0] → sizes[1] → … → sizes[L]`: Linear layers with the
 * activation between them (layer l is initialised from one seeded stream, in order).
 *
 * @param sizes layer widths, input first (at least two)
 * @param options {@linkcode MlpOptions}
 * @returns a {@linkcode Sequential}
 * @throws {ShapeError} for fewer than two sizes
 * @example
 * ```ts
 * import { mlp } from "@parsimony/parsimony/nn";
 * const net = mlp([64, 128, 128, 10], { seed: 0 });
 * Object.keys(net.parameters()).length; // => 6
 * ```
 */
export function mlp(sizes: readonly number[], options: MlpOptions = {}): Sequential {
  if (!Array.isArray(sizes) || sizes.length < 2) {
    throw new ShapeError({ fn: "mlp", arg: "sizes", expected: "at least two layer widths", got: describeValue(sizes) });
  }
  sizes.forEach((s, i) => assertInteger(s, "mlp", `sizes[${i}]`, 1));
  const rng = new Rng(options.seed ?? 0);
  const layers: Module[] = [];
  for (let l = 0; l + 1 < sizes.length; l++) {
    layers.push(new Linear(sizes[l], sizes[l + 1], { init: options.init, seed: rng }));
    const act = l + 2 < sizes.length ? options.activation ?? "relu" : options.outputActivation ?? "identity";
    if (act !== "identity" || l + 2 < sizes.length) layers.push(new Activation(act));
  }
  return new Sequential(layers);
}
