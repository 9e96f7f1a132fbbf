/**
 * The GPU path of the engine: a `DeviceSession` traces one step (forward and backward) onto a
 * `GpuBatch`, so that the whole step is one submission and nothing is read back until the
 * caller asks for its results.
 *
 * While `session.trace(f)` runs, the session is installed as the ops' device hook
 * (`_hook.ts`): every op with a GPU kernel records its passes on the batch and returns a
 * {@linkcode DeviceTensor}; its VJP is recorded on the session's own tape, whose nodes map
 * device cotangents to device cotangents. `session.backward(out, params)` then records the
 * reverse sweep on the same batch. Parameters are bound to device buffers by identity, so a
 * model's layers that reach them through a closure find them (as on the CPU tape).
 *
 * Buffers come from lib/gpu's pool and are returned by `release()` after the batch has run,
 * so a loop that traces the same step every iteration allocates no buffer after the first.
 * Nothing is released in the middle of a trace: `queue.writeBuffer` lands before the whole
 * submission, so a buffer reused within one batch could be overwritten before an earlier pass
 * read it.
 *
 * With no device (`new DeviceSession(null)`) the session traces shapes only: no buffer, no
 * dispatch; it counts the work (multiply-adds of products, entries of everything else) and
 * finds ops without a GPU kernel, which is how `"auto"` decides whether a step pays.
 *
 * @module
 */

import { describeValue, ShapeError, TypeMismatchError } from "../core/errors.ts";
import { F32RangeError } from "../gpu/backend.ts";
import type { GpuBatch } from "../gpu/batch.ts";
import { F32_MAX } from "../gpu/ops.ts";
import { type GpuDevice, GpuMatrix } from "../gpu/runtime.ts";
import type { MapOp, ZipOp } from "../../kernels/core/elementwise.ts";
import { type BroadcastOp, broadcastZipKernel } from "../../kernels/autodiff/broadcast.ts";
import {
  pointwiseForwardKernel,
  type PointwiseForwardOp,
  pointwiseVjpKernel,
  type PointwiseVjpOp,
} from "../../kernels/autodiff/pointwise.ts";
import { crossEntropyRowsKernel, crossEntropyVjpKernel } from "../../kernels/autodiff/cross_entropy.ts";
import { gatherRowsKernel } from "../../kernels/autodiff/train.ts";
import { type DeviceOps, DeviceUnsupportedError, setDeviceOps } from "./_hook.ts";
import { DeviceTensor } from "./_device_tensor.ts";
import { recordingPaused } from "./_tape.ts";
import { broadcastShapes, normAxes, normAxis, reducedShape, sameShape } from "./_kernels.ts";
import { checkLabels, checkSame, type LossOptions, reductionOf } from "./loss.ts";
import { reshapeTarget } from "./shape.ts";
import { checkShape, shapeSize, Tensor, type TensorLike } from "./tensor.ts";

/** The ops that run on the GPU (every other op makes the step run on the CPU). */
export const GPU_OPS: readonly string[] = Object.freeze([
  "add",
  "sub",
  "mul",
  "div",
  "neg",
  "exp",
  "log",
  "log1p",
  "sqrt",
  "abs",
  "square",
  "clamp",
  "relu",
  "leakyRelu",
  "sigmoid",
  "tanh",
  "softplus",
  "matmul",
  "linear",
  "pairwiseSqDist",
  "sum",
  "mean",
  "logsumexp",
  "softmax",
  "logSoftmax",
  "crossEntropy",
  "mseLoss",
  "reshape",
  "broadcastTo",
  "detach",
]);

type DeviceVjp = (g: DeviceTensor, needs: readonly boolean[]) => readonly (DeviceTensor | null)[];

interface DeviceNode {
  readonly out: number;
  readonly inputs: readonly number[];
  readonly needs: readonly boolean[];
  readonly vjp: DeviceVjp;
}

/**
 * Where an operand sits in a broadcast: the output viewed as [outer, mod, inner] with the
 * operand being the middle block; entry i of the output reads entry (i / inner) mod `mod`.
 */
interface Geometry {
  readonly outer: number;
  readonly mod: number;
  readonly inner: number;
}

const prod = (s: readonly number[], lo: number, hi: number): number => {
  let p = 1;
  for (let d = lo; d < hi; d++) p *= s[d];
  return p;
};

/**
 * The broadcast geometry of shape `s` inside `S` (s broadcasts to S). Supported when the axes
 * that `s` keeps (size > 1 in S, equal in s) are contiguous among the axes of S of size > 1.
 */
function geometry(s: readonly number[], S: readonly number[], fn: string): Geometry {
  const r = S.length;
  const p = new Array<number>(r).fill(1);
  for (let i = 0; i < s.length; i++) p[r - s.length + i] = s[i];
  let lo = -1, hi = -1;
  for (let d = 0; d < r; d++) {
    if (S[d] !== 1 && p[d] === S[d]) {
      if (lo < 0) lo = d;
      hi = d;
    }
  }
  if (lo < 0) return { outer: shapeSize(S), mod: 1, inner: 1 };
  for (let d = lo; d <= hi; d++) {
    if (S[d] !== 1 && p[d] !== S[d]) {
      throw new DeviceUnsupportedError(
        `${fn}: broadcasting [${s}] to [${S}]`,
        "has no GPU kernel (the operand's kept axes must be contiguous)",
      );
    }
  }
  const mod = prod(S, lo, hi + 1), inner = prod(S, hi + 1, r);
  return { outer: shapeSize(S) / (mod * inner), mod, inner };
}

/** [outer, r, inner] of a reduction over `axes`; one of outer, inner must be 1. */
function reduceGeometry(shape: readonly number[], axes: readonly number[], fn: string): Geometry {
  const red = axes.filter((a) => shape[a] !== 1);
  if (red.length === 0) return { outer: shapeSize(shape), mod: 1, inner: 1 };
  const lo = Math.min(...red), hi = Math.max(...red);
  for (let d = lo; d <= hi; d++) {
    if (shape[d] !== 1 && !axes.includes(d)) {
      throw new DeviceUnsupportedError(
        `${fn} over axes [${axes}] of [${shape}]`,
        "has no GPU kernel (non-contiguous axes)",
      );
    }
  }
  const g = { outer: prod(shape, 0, lo), mod: prod(shape, lo, hi + 1), inner: prod(shape, hi + 1, shape.length) };
  if (g.outer > 1 && g.inner > 1) {
    throw new DeviceUnsupportedError(
      `${fn} over axes [${axes}] of [${shape}]`,
      "has no GPU kernel (only leading or trailing blocks of axes, or all of them)",
    );
  }
  return g;
}

/** Index map of the reduced tensor (size outer·inner) inside the full one: (div, mod). */
function keptMap(g: Geometry): { div: number; mod: number } {
  return g.inner === 1 ? { div: g.mod, mod: g.outer } : { div: 1, mod: g.inner };
}

/**
 * Refuse finite values an f32 buffer cannot hold (they would become ±∞).
 *
 * @throws {F32RangeError} naming the first such entry
 */
export function checkF32(data: ArrayLike<number>, what: string): void {
  for (let i = 0; i < data.length; i++) {
    const v = data[i];
    if ((v > F32_MAX || v < -F32_MAX) && Number.isFinite(v)) {
      throw new F32RangeError(`${what}[${i}] = ${v} is beyond the f32 range ±3.4e38`);
    }
  }
}

/** One traced GPU step (see the module doc). */
export class DeviceSession implements DeviceOps {
  /** The device (null: a shape-only trace). */
  readonly device: GpuDevice | null;
  /** The batch the passes are recorded on (null in a shape-only trace). */
  readonly batch: GpuBatch | null;
  /** Work recorded so far: multiply-adds of products, entries of other passes. */
  work = 0;
  #owned: GpuMatrix[] = [];
  readonly #params = new Map<Tensor, DeviceTensor>();
  readonly #consts = new Map<Tensor, DeviceTensor>();
  readonly #scalars = new Map<number, DeviceTensor>();
  readonly #nodes: DeviceNode[] = [];
  #slots = 0;

  /**
   * @param device the device, or null for a shape-only trace
   * @param batch the batch to record on (default: a new one on `device`)
   */
  constructor(device: GpuDevice | null, batch?: GpuBatch) {
    this.device = device;
    this.batch = device ? batch ?? device.batch() : null;
  }

  // ---- session API -------------------------------------------------------------------------

  /**
   * Run `f` with this session as the ops' device hook.
   *
   * @returns what `f` returns
   */
  trace<T>(f: () => T): T {
    const prev = setDeviceOps(this);
    try {
      return f();
    } finally {
      setDeviceOps(prev);
    }
  }

  /**
   * Bind a host tensor as a differentiated leaf: to `storage` (a resident parameter buffer) or
   * to a fresh upload of its values. The same tensor object is one leaf.
   *
   * @returns its device tensor
   */
  bind(t: Tensor, storage?: GpuMatrix): DeviceTensor {
    const hit = this.#params.get(t);
    if (hit) return hit;
    const d = storage ? new DeviceTensor(this, storage, t.shape) : this.#upload(t.data, t.shape, "params");
    d.dslot = this.#slots++;
    this.#params.set(t, d);
    return d;
  }

  /**
   * A device tensor holding rows `idx[offset … offset + shape[0])` of `src` (rows of
   * size(shape)/shape[0] entries): the minibatch of a resident data set.
   *
   * @returns the gathered tensor (a constant)
   */
  gather(src: GpuMatrix | null, idx: GpuMatrix | null, offset: number, shape: readonly number[], labels = false) {
    const out = this.#new(shape, labels);
    const width = out.size / shape[0];
    this.work += out.size;
    if (this.batch) {
      this.batch.dispatch(gatherRowsKernel(), [src!, idx!, out.buf!], { n: out.size, width, offset }, blocks(out.size));
    }
    return out;
  }

  /**
   * Record the reverse sweep from `out` to the leaves `wrt`, seeded with 1 (a scalar loss) or
   * with the cotangent `seed` (a host tensor of `out`'s size).
   *
   * @returns one cotangent per leaf (null where `out` does not depend on it)
   */
  backward(out: DeviceTensor, wrt: readonly DeviceTensor[], seed?: Tensor): (DeviceTensor | null)[] {
    if (out.dslot < 0) return wrt.map(() => null);
    if (seed && seed.size !== out.size) {
      throw new ShapeError({ fn: "backward", arg: "seed", expected: `${out.size} entries`, got: `${seed.size}` });
    }
    const cot = new Array<DeviceTensor | undefined>(this.#slots);
    cot[out.dslot] = seed ? this.#view(this.#val(seed, "backward", "seed"), out.shape) : this.#scalar(1);
    const keep = new Set(wrt.map((w) => w.dslot));
    for (let n = this.#nodes.length - 1; n >= 0; n--) {
      const node = this.#nodes[n];
      const g = cot[node.out];
      if (g === undefined) continue;
      if (!keep.has(node.out)) cot[node.out] = undefined;
      const grads = node.vjp(g, node.needs);
      for (let i = 0; i < node.inputs.length; i++) {
        const s = node.inputs[i], gi = grads[i];
        if (s < 0 || !gi) continue;
        const acc = cot[s];
        if (acc === undefined) cot[s] = gi;
        else {
          const sum = this.#new(acc.shape);
          this.#zip("add", acc, gi, sum);
          cot[s] = sum;
        }
      }
    }
    return wrt.map((w) => cot[w.dslot] ?? null);
  }

  /** The device tensor a host tensor is bound to in this session (a leaf or an uploaded constant), if any. */
  lookup(t: Tensor): DeviceTensor | undefined {
    return t instanceof DeviceTensor ? t : this.#params.get(t) ?? this.#consts.get(t);
  }

  /** A device tensor of `shape` for a shape-only trace's inputs (no storage). */
  placeholder(shape: readonly number[], labels = false): DeviceTensor {
    return this.#new(shape, labels);
  }

  /** Return every buffer this session allocated to the pool (after its batch has run). */
  release(): void {
    for (const m of this.#owned) m.release();
    this.#owned = [];
  }

  // ---- DeviceOps: hook plumbing ------------------------------------------------------------

  /** Device tensors and bound parameters are device values. */
  owns(t: Tensor): boolean {
    return t instanceof DeviceTensor || this.#params.has(t);
  }

  /** The error an op without a GPU kernel throws on device values. */
  unsupported(op: string): Error {
    return new DeviceUnsupportedError(op);
  }

  // ---- storage -----------------------------------------------------------------------------

  #new(shape: readonly number[], labels = false): DeviceTensor {
    const n = shapeSize(shape);
    if (n === 0) throw new DeviceUnsupportedError("an empty tensor", "cannot be stored on the GPU");
    let buf: GpuMatrix | null = null;
    if (this.device) {
      buf = this.device.alloc(n);
      this.#owned.push(buf);
    }
    return new DeviceTensor(this, buf, shape, labels);
  }

  #upload(data: ArrayLike<number>, shape: readonly number[], what: string, labels = false): DeviceTensor {
    const t = this.#new(shape, labels);
    if (this.device) {
      checkF32(data, what);
      this.device.write(t.buf!, data);
    }
    return t;
  }

  #scalar(v: number): DeviceTensor {
    let t = this.#scalars.get(v);
    if (!t) this.#scalars.set(v, t = this.#upload([v], [], "a scalar"));
    return t;
  }

  /** A view: same storage, another shape, not tracked. */
  #view(t: DeviceTensor, shape: readonly number[]): DeviceTensor {
    return new DeviceTensor(this, t.buf, shape, t.labels);
  }

  /** The storage of `t` as a rows×cols device matrix. */
  #mat(t: DeviceTensor, rows: number, cols: number): GpuMatrix {
    const b = t.buf!;
    return b.rows === rows && b.cols === cols ? b : new GpuMatrix(this.device!, b.buffer, rows, cols, "f32");
  }

  /** An op's argument as a device tensor (host tensors and numbers are uploaded once per session). */
  #val(x: unknown, fn: string, arg: string): DeviceTensor {
    if (x instanceof DeviceTensor) {
      if (x.owner !== this) {
        throw new DeviceUnsupportedError(`${fn}: '${arg}' from another GPU step`, "is not usable here");
      }
      return x;
    }
    if (x instanceof Tensor) {
      const p = this.#params.get(x) ?? this.#consts.get(x);
      if (p) return p;
      const t = this.#upload(x.data, x.shape, `${fn}: ${arg}`);
      this.#consts.set(x, t);
      return t;
    }
    if (typeof x === "number") return this.#scalar(x);
    throw new TypeMismatchError({ fn, arg, expected: "a Tensor or a number", got: describeValue(x) });
  }

  #record(out: DeviceTensor, inputs: readonly DeviceTensor[], vjp: DeviceVjp): DeviceTensor {
    if (recordingPaused()) return out;
    const slots = inputs.map((t) => t.dslot);
    const needs = slots.map((s) => s >= 0);
    if (!needs.includes(true)) return out;
    out.dslot = this.#slots++;
    this.#nodes.push({ out: out.dslot, inputs: slots, needs, vjp });
    return out;
  }

  // ---- passes ------------------------------------------------------------------------------

  #zip(op: ZipOp, x: DeviceTensor, y: DeviceTensor, z: DeviceTensor, alpha = 1, beta = 1): void {
    this.work += z.size;
    this.batch?.elementwiseZip(x.buf!, y.buf!, z.buf!, op, { alpha, beta });
  }

  #map(op: MapOp, x: DeviceTensor, y: DeviceTensor, a = 1, b = 0): void {
    this.work += y.size;
    this.batch?.elementwiseMap(x.buf!, y.buf!, op, { a, b });
  }

  #bzip(
    op: BroadcastOp,
    z: DeviceTensor,
    x: DeviceTensor | null,
    gx: { div: number; mod: number } | null,
    y: DeviceTensor,
    gy: { div: number; mod: number },
    alpha = 1,
    beta = 1,
  ): void {
    this.work += z.size;
    if (!this.batch) return;
    const bufs = op === "copy" ? [y.buf!, z.buf!] : [x!.buf!, y.buf!, z.buf!];
    this.batch.dispatch(broadcastZipKernel(op), bufs, {
      n: z.size,
      xdiv: gx?.div ?? 1,
      xmod: gx?.mod ?? 1,
      ydiv: gy.div,
      ymod: gy.mod,
      alpha,
      beta,
    }, blocks(z.size));
  }

  #pfwd(op: PointwiseForwardOp, x: DeviceTensor, y: DeviceTensor, a = 0, b = 0): void {
    this.work += y.size;
    this.batch?.dispatch(pointwiseForwardKernel(op), [x.buf!, y.buf!], { n: y.size, a, b }, blocks(y.size));
  }

  #pvjp(op: PointwiseVjpOp, g: DeviceTensor, t: DeviceTensor, z: DeviceTensor, a = 0, b = 0): void {
    this.work += z.size;
    this.batch?.dispatch(pointwiseVjpKernel(op), [g.buf!, t.buf!, z.buf!], { n: z.size, a, b }, blocks(z.size));
  }

  /** C = α·op(A)·op(B) + β·C with A, B, C given as stored (rows, cols). */
  #gemm(
    A: DeviceTensor,
    ar: number,
    ac: number,
    B: DeviceTensor,
    br: number,
    bc: number,
    C: DeviceTensor,
    opts: { transA?: boolean; transB?: boolean; alpha?: number; beta?: number } = {},
  ): void {
    const M = opts.transA ? ac : ar, K = opts.transA ? ar : ac, N = opts.transB ? br : bc;
    this.work += M * N * K;
    this.batch?.gemm(this.#mat(A, ar, ac), this.#mat(B, br, bc), this.#mat(C, M, N), opts);
  }

  /** Reduce x viewed as rows×cols along rows (out: rows) or columns (out: cols), times α. */
  #reduce(
    kind: "sum" | "lse",
    along: "rows" | "cols",
    x: DeviceTensor,
    rows: number,
    cols: number,
    out: DeviceTensor,
    alpha = 1,
  ): void {
    this.work += rows * cols;
    if (!this.batch) return;
    const A = this.#mat(x, rows, cols), o = this.#mat(out, along === "rows" ? rows : cols, 1);
    const ep = { outScale: alpha };
    if (kind === "sum") along === "rows" ? this.batch.sumRows(A, o, ep) : this.batch.sumCols(A, o, ep);
    else along === "rows" ? this.batch.logSumExpRows(A, o, ep) : this.batch.logSumExpCols(A, o, ep);
  }

  /** Σ of a cotangent over the broadcast axes of an operand with geometry `g`, times α. */
  #sumTo(g: DeviceTensor, geo: Geometry, shape: readonly number[], alpha = 1): DeviceTensor {
    const { outer, mod, inner } = geo;
    if (outer === 1 && inner === 1) {
      if (alpha === 1) return this.#view(g, shape);
      const r = this.#new(shape);
      this.#map("affine", g, r, alpha, 0);
      return r;
    }
    const r = this.#new(shape);
    if (mod === 1) this.#reduce("sum", "rows", g, 1, outer * inner, r, alpha);
    else if (inner === 1) this.#reduce("sum", "cols", g, outer, mod, r, alpha);
    else if (outer === 1) this.#reduce("sum", "rows", g, mod, inner, r, alpha);
    else {
      const t = this.#new([outer * mod]);
      this.#reduce("sum", "rows", g, outer * mod, inner, t);
      this.#reduce("sum", "cols", t, outer, mod, r, alpha);
    }
    return r;
  }

  // ---- binary elementwise ------------------------------------------------------------------

  #binary(name: "add" | "sub" | "mul" | "div", a: TensorLike, b: TensorLike): Tensor {
    const A = this.#val(a, name, "a"), B = this.#val(b, name, "b");
    const shape = broadcastShapes(A.shape, B.shape, name);
    const ga = geometry(A.shape, shape, name), gb = geometry(B.shape, shape, name);
    const out = this.#new(shape);
    const same = sameShape(A.shape, shape) && sameShape(B.shape, shape);
    const ia = { div: ga.inner, mod: ga.mod }, ib = { div: gb.inner, mod: gb.mod };
    if (same) this.#zip(name, A, B, out);
    else this.#bzip(name, out, A, ia, B, ib);
    const full = { div: 1, mod: out.size };
    return this.#record(out, [A, B], (g, needs) => {
      let da: DeviceTensor | null = null, db: DeviceTensor | null = null;
      switch (name) {
        case "add":
        case "sub":
          if (needs[0]) da = this.#sumTo(g, ga, A.shape);
          if (needs[1]) db = this.#sumTo(g, gb, B.shape, name === "sub" ? -1 : 1);
          break;
        case "mul":
          if (needs[0]) {
            const t = this.#new(shape);
            this.#bzip("mul", t, g, full, B, ib);
            da = this.#sumTo(t, ga, A.shape);
          }
          if (needs[1]) {
            const t = this.#new(shape);
            this.#bzip("mul", t, g, full, A, ia);
            db = this.#sumTo(t, gb, B.shape);
          }
          break;
        case "div":
          if (needs[0]) {
            const t = this.#new(shape);
            this.#bzip("div", t, g, full, B, ib);
            da = this.#sumTo(t, ga, A.shape);
          }
          if (needs[1]) {
            // −g·(a/b)/b
            const t = this.#new(shape), u = this.#new(shape);
            this.#zip("mul", g, out, t, -1);
            this.#bzip("div", u, t, full, B, ib);
            db = this.#sumTo(u, gb, B.shape);
          }
          break;
      }
      return [da, db];
    });
  }

  /** a + b. */
  add(a: TensorLike, b: TensorLike): Tensor {
    return this.#binary("add", a, b);
  }

  /** a − b. */
  sub(a: TensorLike, b: TensorLike): Tensor {
    return this.#binary("sub", a, b);
  }

  /** a ⊙ b. */
  mul(a: TensorLike, b: TensorLike): Tensor {
    return this.#binary("mul", a, b);
  }

  /** a / b. */
  div(a: TensorLike, b: TensorLike): Tensor {
    return this.#binary("div", a, b);
  }

  // ---- unary elementwise -------------------------------------------------------------------

  #unary(
    name: string,
    x: TensorLike,
    fwd: (X: DeviceTensor, out: DeviceTensor) => void,
    vjp: (g: DeviceTensor, X: DeviceTensor, out: DeviceTensor, r: DeviceTensor) => void,
  ): Tensor {
    const X = this.#val(x, name, "x");
    const out = this.#new(X.shape);
    fwd(X, out);
    return this.#record(out, [X], (g) => {
      const r = this.#new(X.shape);
      vjp(g, X, out, r);
      return [r];
    });
  }

  /** −x. */
  neg(x: TensorLike): Tensor {
    return this.#unary("neg", x, (X, o) => this.#map("neg", X, o), (g, _X, _o, r) => this.#map("neg", g, r));
  }

  /** eˣ. */
  exp(x: TensorLike): Tensor {
    return this.#unary("exp", x, (X, o) => this.#map("exp", X, o), (g, _X, o, r) => this.#zip("mul", g, o, r));
  }

  /** log x. */
  log(x: TensorLike): Tensor {
    return this.#unary("log", x, (X, o) => this.#map("log", X, o), (g, X, _o, r) => this.#zip("div", g, X, r));
  }

  /** log(1 + x). */
  log1p(x: TensorLike): Tensor {
    return this.#unary(
      "log1p",
      x,
      (X, o) => this.#pfwd("log1p", X, o),
      (g, X, _o, r) => this.#pvjp("log1p", g, X, r),
    );
  }

  /** √x. */
  sqrt(x: TensorLike): Tensor {
    return this.#unary("sqrt", x, (X, o) => this.#map("sqrt", X, o), (g, _X, o, r) => this.#zip("div", g, o, r, 0.5));
  }

  /** |x|. */
  abs(x: TensorLike): Tensor {
    return this.#unary("abs", x, (X, o) => this.#map("abs", X, o), (g, X, _o, r) => this.#pvjp("abs", g, X, r));
  }

  /** x². */
  square(x: TensorLike): Tensor {
    return this.#unary("square", x, (X, o) => this.#map("square", X, o), (g, X, _o, r) => this.#zip("mul", g, X, r, 2));
  }

  /** min(max(x, lo), hi). */
  clamp(x: TensorLike, min: number, max: number): Tensor {
    return this.#unary(
      "clamp",
      x,
      (X, o) => this.#pfwd("clamp", X, o, min, max),
      (g, X, _o, r) => this.#pvjp("clamp", g, X, r, min, max),
    );
  }

  /** max(x, 0). */
  relu(x: TensorLike): Tensor {
    return this.#unary("relu", x, (X, o) => this.#map("relu", X, o), (g, X, _o, r) => this.#pvjp("leakyRelu", g, X, r));
  }

  /** x or slope·x. */
  leakyRelu(x: TensorLike, slope: number): Tensor {
    return this.#unary(
      "leakyRelu",
      x,
      (X, o) => this.#pfwd("leakyRelu", X, o, slope),
      (g, X, _o, r) => this.#pvjp("leakyRelu", g, X, r, slope),
    );
  }

  /** σ(x). */
  sigmoid(x: TensorLike): Tensor {
    return this.#unary(
      "sigmoid",
      x,
      (X, o) => this.#map("sigmoid", X, o),
      (g, _X, o, r) => this.#pvjp("sigmoid", g, o, r),
    );
  }

  /** tanh x. */
  tanh(x: TensorLike): Tensor {
    return this.#unary("tanh", x, (X, o) => this.#map("tanh", X, o), (g, _X, o, r) => this.#pvjp("tanh", g, o, r));
  }

  /** log(1 + eˣ). */
  softplus(x: TensorLike): Tensor {
    return this.#unary(
      "softplus",
      x,
      (X, o) => this.#pfwd("softplus", X, o),
      (g, X, _o, r) => this.#pvjp("softplus", g, X, r),
    );
  }

  // ---- products ----------------------------------------------------------------------------

  /** Matrix product (a of any rank ≥ 2 folded into rows; b of rank 2). */
  matmul(a: TensorLike, b: TensorLike): Tensor {
    const A = this.#val(a, "matmul", "a"), B = this.#val(b, "matmul", "b");
    if (A.rank < 2) {
      throw new ShapeError({
        fn: "matmul",
        arg: "a",
        expected: "rank ≥ 2 (reshape a vector to [1, k])",
        got: `shape [${A.shape}]`,
      });
    }
    if (B.rank < 2) {
      throw new ShapeError({
        fn: "matmul",
        arg: "b",
        expected: "rank ≥ 2 (reshape a vector to [k, 1])",
        got: `shape [${B.shape}]`,
      });
    }
    const k = A.shape[A.rank - 1], kb = B.shape[B.rank - 2], n = B.shape[B.rank - 1];
    if (k !== kb) {
      throw new ShapeError({
        fn: "matmul",
        arg: "b",
        expected: `${k} rows (the last axis of a)`,
        got: `shape [${B.shape}]`,
      });
    }
    if (B.rank !== 2) throw new DeviceUnsupportedError("matmul with a batched right operand");
    const rows = A.size / k;
    const out = this.#new([...A.shape.slice(0, -1), n]);
    this.#gemm(A, rows, k, B, k, n, out);
    return this.#record(out, [A, B], (g, needs) => {
      let ga: DeviceTensor | null = null, gb: DeviceTensor | null = null;
      if (needs[0]) this.#gemm(g, rows, n, B, k, n, ga = this.#new(A.shape), { transB: true });
      if (needs[1]) this.#gemm(A, rows, k, g, rows, n, gb = this.#new(B.shape), { transA: true });
      return [ga, gb];
    });
  }

  /** x·W + b. */
  linear(x: TensorLike, w: TensorLike, b?: TensorLike): Tensor {
    const X = this.#val(x, "linear", "x"), W = this.#val(w, "linear", "w");
    if (X.rank < 2) {
      throw new ShapeError({ fn: "linear", arg: "x", expected: "rank ≥ 2 ([batch, in])", got: `shape [${X.shape}]` });
    }
    if (W.rank !== 2 || W.shape[0] !== X.shape[X.rank - 1]) {
      throw new ShapeError({
        fn: "linear",
        arg: "w",
        expected: `shape [${X.shape[X.rank - 1]}, out]`,
        got: `[${W.shape}]`,
      });
    }
    const k = W.shape[0], n = W.shape[1], rows = X.size / k;
    const B = b === undefined ? null : this.#val(b, "linear", "b");
    if (B && (B.rank !== 1 || B.size !== n)) {
      throw new ShapeError({ fn: "linear", arg: "b", expected: `shape [${n}]`, got: `[${B.shape}]` });
    }
    const out = this.#new([...X.shape.slice(0, -1), n]);
    if (B) this.#bzip("copy", out, null, null, B, { div: 1, mod: n });
    this.#gemm(X, rows, k, W, k, n, out, { beta: B ? 1 : 0 });
    const inputs = B ? [X, W, B] : [X, W];
    return this.#record(out, inputs, (g, needs) => {
      let gx: DeviceTensor | null = null, gw: DeviceTensor | null = null, gb: DeviceTensor | null = null;
      if (needs[0]) this.#gemm(g, rows, n, W, k, n, gx = this.#new(X.shape), { transB: true });
      if (needs[1]) this.#gemm(X, rows, k, g, rows, n, gw = this.#new(W.shape), { transA: true });
      if (B && needs[2]) this.#reduce("sum", "cols", g, rows, n, gb = this.#new(B.shape));
      return B ? [gx, gw, gb] : [gx, gw];
    });
  }

  /** D_ij = ‖x_i − y_j‖² (tiled kernel with direct differences). */
  pairwiseSqDist(x: TensorLike, y?: TensorLike): Tensor {
    const X = this.#val(x, "pairwiseSqDist", "x");
    const Y = y === undefined ? X : this.#val(y, "pairwiseSqDist", "y");
    if (X.rank !== 2) {
      throw new ShapeError({
        fn: "pairwiseSqDist",
        arg: "x",
        expected: "rank 2 (points as rows)",
        got: `shape [${X.shape}]`,
      });
    }
    if (Y.rank !== 2 || Y.shape[1] !== X.shape[1]) {
      throw new ShapeError({
        fn: "pairwiseSqDist",
        arg: "y",
        expected: `shape [m, ${X.shape[1]}]`,
        got: `[${Y.shape}]`,
      });
    }
    const [n, d] = X.shape, m = Y.shape[0];
    const D = this.#new([n, m]);
    this.work += n * m * d;
    this.batch?.pairwiseSqDist(this.#mat(X, n, d), this.#mat(Y, m, d), this.#mat(D, n, m));
    const same = Y === X;
    // ∂/∂x = 2(rowsum(G) ⊙ x − G·y), ∂/∂y = 2(colsum(G) ⊙ y − Gᵀ·x)
    const side = (g: DeviceTensor, P: DeviceTensor, Q: DeviceTensor, rowsOfP: boolean): DeviceTensor => {
      const cnt = rowsOfP ? n : m;
      const t = this.#new(P.shape), s = this.#new([cnt]), u = this.#new(P.shape), r = this.#new(P.shape);
      this.#gemm(g, n, m, Q, rowsOfP ? m : n, d, t, { transA: !rowsOfP, alpha: -2 });
      this.#reduce("sum", rowsOfP ? "rows" : "cols", g, n, m, s);
      this.#bzip("mul", u, P, { div: 1, mod: cnt * d }, s, { div: d, mod: cnt }, 2);
      this.#zip("add", t, u, r);
      return r;
    };
    return this.#record(D, same ? [X] : [X, Y], (g, needs) => {
      if (same) {
        const gx = side(g, X, X, true), gy = side(g, X, X, false), r = this.#new(X.shape);
        this.#zip("add", gx, gy, r);
        return [r];
      }
      return [needs[0] ? side(g, X, Y, true) : null, needs[1] ? side(g, Y, X, false) : null];
    });
  }

  // ---- reductions --------------------------------------------------------------------------

  #sumLike(name: "sum" | "mean", x: TensorLike, axis: number | readonly number[] | undefined, keepdims: boolean) {
    const X = this.#val(x, name, "x");
    const axes = normAxes(axis, X.rank, name);
    const geo = reduceGeometry(X.shape, axes, name);
    const alpha = name === "mean" ? 1 / geo.mod : 1;
    const out = this.#new(reducedShape(X.shape, axes, keepdims));
    if (geo.inner === 1) this.#reduce("sum", "rows", X, geo.outer, geo.mod, out, alpha);
    else this.#reduce("sum", "cols", X, geo.mod, geo.inner, out, alpha);
    return this.#record(out, [X], (g) => {
      const r = this.#new(X.shape);
      this.#bzip("copy", r, null, null, g, keptMap(geo), 1, alpha);
      return [r];
    });
  }

  /** Σ over axes. */
  sum(x: TensorLike, axis: number | readonly number[] | undefined, keepdims: boolean): Tensor {
    return this.#sumLike("sum", x, axis, keepdims);
  }

  /** Mean over axes. */
  mean(x: TensorLike, axis: number | readonly number[] | undefined, keepdims: boolean): Tensor {
    return this.#sumLike("mean", x, axis, keepdims);
  }

  /** log Σ exp over axes. */
  logsumexp(x: TensorLike, axis: number | readonly number[] | undefined, keepdims: boolean): Tensor {
    const X = this.#val(x, "logsumexp", "x");
    const axes = normAxes(axis, X.rank, "logsumexp");
    const geo = reduceGeometry(X.shape, axes, "logsumexp");
    const out = this.#new(reducedShape(X.shape, axes, keepdims));
    if (geo.inner === 1) this.#reduce("lse", "rows", X, geo.outer, geo.mod, out);
    else this.#reduce("lse", "cols", X, geo.mod, geo.inner, out);
    return this.#record(out, [X], (g) => {
      // g·exp(x − lse)
      const p = this.#new(X.shape), r = this.#new(X.shape), full = { div: 1, mod: X.size };
      this.#bzip("sub", p, X, full, out, keptMap(geo));
      this.#map("exp", p, p);
      this.#bzip("mul", r, p, full, g, keptMap(geo));
      return [r];
    });
  }

  /** Geometry of a softmax-like op along one axis (rows when inner = 1, else columns). */
  #lineGeometry(name: string, X: DeviceTensor, axis: number): Geometry {
    return reduceGeometry(X.shape, [normAxis(axis, X.rank, name)], name);
  }

  /** softmax along an axis. */
  softmax(x: TensorLike, axis: number): Tensor {
    const X = this.#val(x, "softmax", "x");
    const geo = this.#lineGeometry("softmax", X, axis);
    const y = this.#new(X.shape);
    if (this.batch) {
      if (geo.inner === 1) this.batch.softmaxRows(this.#mat(X, geo.outer, geo.mod), this.#mat(y, geo.outer, geo.mod));
      else this.batch.softmaxCols(this.#mat(X, geo.mod, geo.inner), this.#mat(y, geo.mod, geo.inner));
    }
    this.work += X.size;
    return this.#record(y, [X], (g) => {
      // y ⊙ (g − Σ g ⊙ y)
      const t = this.#new(X.shape), s = this.#new([geo.outer * geo.inner]), u = this.#new(X.shape);
      const r = this.#new(X.shape);
      this.#zip("mul", g, y, t);
      if (geo.inner === 1) this.#reduce("sum", "rows", t, geo.outer, geo.mod, s);
      else this.#reduce("sum", "cols", t, geo.mod, geo.inner, s);
      this.#bzip("sub", u, g, { div: 1, mod: X.size }, s, keptMap(geo));
      this.#zip("mul", u, y, r);
      return [r];
    });
  }

  /** log softmax along an axis. */
  logSoftmax(x: TensorLike, axis: number): Tensor {
    const X = this.#val(x, "logSoftmax", "x");
    const geo = this.#lineGeometry("logSoftmax", X, axis);
    const lse = this.#new([geo.outer * geo.inner]), y = this.#new(X.shape), full = { div: 1, mod: X.size };
    if (geo.inner === 1) this.#reduce("lse", "rows", X, geo.outer, geo.mod, lse);
    else this.#reduce("lse", "cols", X, geo.mod, geo.inner, lse);
    this.#bzip("sub", y, X, full, lse, keptMap(geo));
    return this.#record(y, [X], (g) => {
      // g − exp(y)·Σ g
      const s = this.#new([geo.outer * geo.inner]), p = this.#new(X.shape), t = this.#new(X.shape);
      const r = this.#new(X.shape);
      if (geo.inner === 1) this.#reduce("sum", "rows", g, geo.outer, geo.mod, s);
      else this.#reduce("sum", "cols", g, geo.mod, geo.inner, s);
      this.#map("exp", y, p);
      this.#bzip("mul", t, p, full, s, keptMap(geo));
      this.#zip("sub", g, t, r);
      return [r];
    });
  }

  // ---- losses ------------------------------------------------------------------------------

  /** Cross-entropy from logits with class labels. */
  crossEntropy(logits: Tensor, target: ArrayLike<number> | Tensor, options?: LossOptions): Tensor {
    const Z = this.#val(logits, "crossEntropy", "logits");
    if (Z.rank !== 1 && Z.rank !== 2) {
      throw new ShapeError({ fn: "crossEntropy", arg: "logits", expected: "shape [N, C] or [C]", got: `[${Z.shape}]` });
    }
    const red = reductionOf("crossEntropy", options);
    const C = Z.shape[Z.rank - 1], N = Z.size / C;
    let Y: DeviceTensor;
    if (target instanceof DeviceTensor && target.labels) {
      if (target.size !== N) {
        throw new ShapeError({
          fn: "crossEntropy",
          arg: "target",
          expected: `${N} class labels`,
          got: `${target.size}`,
        });
      }
      Y = target;
    } else if (target instanceof Tensor) {
      throw new DeviceUnsupportedError("crossEntropy with class-probability targets");
    } else Y = this.#upload(checkLabels(target, N, C), [N], "crossEntropy: target", true);
    const lse = this.#new([N]), l = this.#new(Z.shape.slice(0, -1));
    this.#reduce("lse", "rows", Z, N, C, lse);
    this.work += N;
    this.batch?.dispatch(
      crossEntropyRowsKernel(),
      [Z.buf!, lse.buf!, Y.buf!, l.buf!],
      { rows: N, cols: C },
      blocks(N, 64),
    );
    let out = l;
    const alpha = red === "mean" ? 1 / N : 1;
    if (red !== "none") this.#reduce("sum", "rows", l, 1, N, out = this.#new([]), alpha);
    return this.#record(out, [Z], (g) => {
      const dZ = this.#new(Z.shape);
      this.work += Z.size;
      this.batch?.dispatch(crossEntropyVjpKernel(red === "none"), [Z.buf!, lse.buf!, Y.buf!, g.buf!, dZ.buf!], {
        n: Z.size,
        cols: C,
        alpha,
      }, blocks(Z.size));
      return [dZ];
    });
  }

  /** Mean squared error. */
  mseLoss(pred: TensorLike, target: TensorLike, options?: LossOptions): Tensor {
    const P = this.#val(pred, "mseLoss", "pred"), T = this.#val(target, "mseLoss", "target");
    checkSame("mseLoss", P, T);
    const red = reductionOf("mseLoss", options);
    const d = this.#new(P.shape), sq = this.#new(P.shape);
    this.#zip("sub", P, T, d);
    this.#map("square", d, sq);
    const alpha = red === "mean" ? 1 / P.size : 1;
    let out = sq;
    if (red !== "none") this.#reduce("sum", "rows", sq, 1, P.size, out = this.#new([]), alpha);
    return this.#record(out, [P, T], (g, needs) => {
      const gp = this.#new(P.shape);
      if (red === "none") this.#zip("mul", d, g, gp, 2);
      else this.#bzip("mul", gp, d, { div: 1, mod: P.size }, g, { div: 1, mod: 1 }, 2 * alpha);
      let gt: DeviceTensor | null = null;
      if (needs[1]) this.#map("neg", gp, gt = this.#new(P.shape));
      return [needs[0] ? gp : null, gt];
    });
  }

  // ---- shapes ------------------------------------------------------------------------------

  /** Same storage, new shape. */
  reshape(x: TensorLike, shape: readonly number[]): Tensor {
    const X = this.#val(x, "reshape", "x");
    const s = reshapeTarget(X, shape);
    return this.#record(this.#view(X, s), [X], (g) => [this.#view(g, X.shape)]);
  }

  /** Broadcast to a shape. */
  broadcastTo(x: TensorLike, shape: readonly number[]): Tensor {
    const X = this.#val(x, "broadcastTo", "x");
    const s = checkShape(shape, "broadcastTo", "shape");
    const ok = X.rank <= s.length && X.shape.every((d, i) => d === 1 || d === s[s.length - X.rank + i]);
    if (!ok) {
      throw new ShapeError({
        fn: "broadcastTo",
        arg: "shape",
        expected: `a shape that [${X.shape}] broadcasts to`,
        got: `[${shape}]`,
      });
    }
    const geo = geometry(X.shape, s, "broadcastTo");
    const out = this.#new(s);
    this.#bzip("copy", out, null, null, X, { div: geo.inner, mod: geo.mod });
    return this.#record(out, [X], (g) => [this.#sumTo(g, geo, X.shape)]);
  }

  /** The same values, cut from the tape. */
  detach(x: TensorLike): Tensor {
    const X = this.#val(x, "detach", "x");
    return this.#view(X, X.shape);
  }
}

/** Workgroups of `wg` invocations covering n entries. */
function blocks(n: number, wg = 256): number {
  return Math.ceil(n / wg);
}
