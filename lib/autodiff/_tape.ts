/**
 * The tape: a list of recorded operations and the reverse sweep over it.
 *
 * While a tape is active, every op whose inputs include a tracked tensor appends one node
 * {output slot, input slots, VJP closure}. Nodes are appended in execution order, which is
 * a topological order, so the backward pass is a single reverse loop. Tensors carry the id
 * of the tape that tracks them and their slot on it; a tensor from another (or no) tape is
 * a constant. Only one tape records at a time (first-order reverse mode): a nested
 * `valueAndGrad` records on its own tape and the outer one sees its result as a constant.
 *
 * @module
 */

import type { Tensor } from "./tensor.ts";

/**
 * A vector–Jacobian product: given the cotangent `g` of the output (same size as the output),
 * return one cotangent per input (same size as that input), or `null` where `needs[i]` is
 * false or the input has no gradient. Returned arrays may alias `g` or saved values: the
 * engine never writes into an array it did not allocate.
 */
export type VjpFn = (g: Float64Array, needs: readonly boolean[]) => readonly (Float64Array | null)[];

interface TapeNode {
  readonly out: number;
  readonly inputs: readonly number[];
  readonly needs: readonly boolean[];
  readonly vjp: VjpFn;
}

/** One recording. */
export class Tape {
  /** Unique id (tensors store it to say they are tracked here). */
  readonly id: number;
  /** Recorded nodes, in execution order. */
  readonly nodes: TapeNode[] = [];
  /** Number of slots handed out (leaves and node outputs). */
  slots = 0;

  constructor(id: number) {
    this.id = id;
  }
}

let nextId = 1;
let current: Tape | null = null;
let pausedDepth = 0;

/** Whether `t` is tracked by the tape that is recording now. */
export function isTracked(t: Tensor): boolean {
  return current !== null && pausedDepth === 0 && t._tape === current.id;
}

/**
 * Append a node for `out = op(inputs)` if any input is tracked; returns `out` either way.
 * Ops call this after computing their forward value.
 */
export function record(out: Tensor, inputs: readonly Tensor[], vjp: VjpFn): Tensor {
  if (current === null || pausedDepth > 0) return out;
  const tape = current;
  let any = false;
  const slots = new Array<number>(inputs.length);
  const needs = new Array<boolean>(inputs.length);
  for (let i = 0; i < inputs.length; i++) {
    const t = inputs[i];
    const tr = t._tape === tape.id;
    slots[i] = tr ? t._slot : -1;
    needs[i] = tr;
    any ||= tr;
  }
  if (!any) return out;
  out._tape = tape.id;
  out._slot = tape.slots++;
  tape.nodes.push({ out: out._slot, inputs: slots, needs, vjp });
  return out;
}

/**
 * Run `f` with a fresh tape that tracks `watch`; restores the previous tape and the previous
 * marks of the watched tensors afterwards (so nested recordings do not disturb each other).
 */
export function trace<T>(watch: readonly Tensor[], f: () => T): { tape: Tape; result: T } {
  const tape = new Tape(nextId++);
  const prev = current, prevPaused = pausedDepth;
  const saved = watch.map((t) => [t._tape, t._slot] as const);
  for (const t of watch) {
    if (t._tape !== tape.id) {
      t._tape = tape.id;
      t._slot = tape.slots++;
    }
  }
  current = tape;
  pausedDepth = 0;
  try {
    return { tape, result: f() };
  } finally {
    current = prev;
    pausedDepth = prevPaused;
    for (let i = watch.length - 1; i >= 0; i--) [watch[i]._tape, watch[i]._slot] = saved[i];
  }
}

/**
 * Reverse sweep: seed the cotangent of `outSlot` with `seed` and return the cotangents of
 * `wrt` slots (`null` when the output does not depend on that slot).
 */
export function backward(
  tape: Tape,
  outSlot: number,
  seed: Float64Array,
  wrt: readonly number[],
): (Float64Array | null)[] {
  const keep = new Set(wrt);
  const cot: (Float64Array | undefined)[] = new Array(tape.slots);
  const owned = new Uint8Array(tape.slots);
  cot[outSlot] = seed;
  const prev = current, prevPaused = pausedDepth;
  current = null; // user VJPs (custom ops) must not record
  pausedDepth = 0;
  try {
    for (let n = tape.nodes.length - 1; n >= 0; n--) {
      const node = tape.nodes[n];
      const g = cot[node.out];
      if (g === undefined) continue;
      if (!keep.has(node.out)) cot[node.out] = undefined; // free intermediates as we go
      const grads = node.vjp(g, node.needs);
      for (let i = 0; i < node.inputs.length; i++) {
        const s = node.inputs[i], gi = grads[i];
        if (s < 0 || gi === null || gi === undefined) continue;
        const acc = cot[s];
        if (acc === undefined) {
          cot[s] = gi;
        } else if (owned[s]) {
          for (let k = 0; k < acc.length; k++) acc[k] += gi[k];
        } else {
          const sum = new Float64Array(acc.length);
          for (let k = 0; k < acc.length; k++) sum[k] = acc[k] + gi[k];
          cot[s] = sum;
          owned[s] = 1;
        }
      }
    }
  } finally {
    current = prev;
    pausedDepth = prevPaused;
  }
  return wrt.map((s) => cot[s] ?? null);
}

/** Enter a no-recording region (nestable). */
export function pauseRecording(): void {
  pausedDepth++;
}

/** Whether a no-recording region (`noGrad`, a custom op's forward) is open. */
export function recordingPaused(): boolean {
  return pausedDepth > 0;
}

/** Leave a no-recording region. */
export function resumeRecording(): void {
  pausedDepth--;
}
