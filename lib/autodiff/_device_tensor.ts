/**
 * `DeviceTensor`: a tensor whose values live in a GPU buffer (f32), created while a GPU step
 * is traced. It has a shape like any tensor, but no host data: reading `data`, `item()` or
 * `toArray()` throws, because WebGPU can only read back asynchronously (the step's results
 * come back once, from `valueAndGradAsync` or `fitAsync`). Ops with a GPU kernel take and
 * return device tensors; the others refuse them, and the step runs on the CPU instead.
 *
 * @module
 */

import type { GpuMatrix } from "../gpu/runtime.ts";
import { DeviceUnsupportedError } from "./_hook.ts";
import { shapeSize, Tensor } from "./tensor.ts";

const EMPTY = new Float64Array(0);

function noHostData(what: string): never {
  throw new DeviceUnsupportedError(
    what,
    "is not available inside a GPU step: the values live on the device (they come back from valueAndGradAsync / fitAsync)",
  );
}

/** A tensor stored on the GPU during a traced step (internal to the GPU path). */
export class DeviceTensor extends Tensor {
  /** The session that owns it. */
  readonly owner: object;
  /** Row-major f32 storage of `size` entries (null in a shape-only trace). */
  readonly buf: GpuMatrix | null;
  /** Slot on the session's tape (−1: a constant). */
  dslot = -1;
  /** Class labels stored as f32 (the target form `crossEntropy` takes on the device). */
  readonly labels: boolean;

  /**
   * @param owner the session
   * @param buf storage (at least `shapeSize(shape)` entries) or null
   * @param shape dimensions
   * @param labels whether the entries are class labels
   */
  constructor(owner: object, buf: GpuMatrix | null, shape: readonly number[], labels = false) {
    super(EMPTY, shape);
    Object.defineProperty(this, "size", { value: shapeSize(shape), writable: false });
    Object.defineProperty(this, "data", { get: () => noHostData("Tensor.data") });
    this.owner = owner;
    this.buf = buf;
    this.labels = labels;
  }

  /** @throws always: no host values inside a GPU step */
  override item(): number {
    return noHostData("Tensor.item()");
  }

  /** @throws always: no host values inside a GPU step */
  override get(..._index: number[]): number {
    return noHostData("Tensor.get()");
  }

  /** @throws always: no host values inside a GPU step */
  override toArray(): never {
    return noHostData("Tensor.toArray()");
  }

  /** @throws always: no host values inside a GPU step */
  override toMatrix(): never {
    return noHostData("Tensor.toMatrix()");
  }

  /** Shape and where the values are. */
  override toString(): string {
    return `DeviceTensor [${this.shape.join("×")}] (on the GPU)`;
  }
}
