/**
 * The GPU training loop of `fitAsync`: everything resident on the device, one submission per
 * step, one readback per epoch.
 *
 * Uploaded once: training and validation inputs and targets (labels as f32), the parameters,
 * the optimizer state (Adam m, v; SGD momentum), a status word. Per epoch the host draws the
 * same seeded permutation as the CPU loop and writes it (n u32) to the device. Per step, one
 * `DeviceSession` gathers the minibatch through the permutation (`gatherRows`), traces the
 * model and loss (forward and backward passes), records the step's loss and hit count into a
 * per-epoch stats buffer (`stepStats`, which also flags a non-finite loss in the status word),
 * optionally the global-norm clip factor (`sumSquares`, `clipScale`), and the optimizer update
 * of every parameter (`adamUpdate` / `sgdUpdate`, a no-op once the status is set); then the
 * batch is submitted without waiting. Validation batches (1024 rows) run the forward only.
 * At the end of the epoch one readback brings the stats; the host does the bookkeeping of the
 * CPU loop (losses, accuracies, early stopping, snapshots as device copies). The parameters
 * come back once, at the end.
 *
 * @module
 */

import { describeValue, ShapeError, TypeMismatchError } from "../core/errors.ts";
import { Rng } from "../core/rng.ts";
import type { GpuDevice, GpuMatrix } from "../gpu/runtime.ts";
import { adamUpdateKernel, sgdUpdateKernel } from "../../kernels/autodiff/optim.ts";
import { clipScaleKernel, stepStatsKernel, sumSquaresKernel } from "../../kernels/autodiff/train.ts";
import { rethrowUnsupported } from "../autodiff/_device_backend.ts";
import { checkF32, DeviceSession } from "../autodiff/_device_session.ts";
import { DeviceTensor } from "../autodiff/_device_tensor.ts";
import { noGrad } from "../autodiff/no_grad.ts";
import type { Tensor } from "../autodiff/tensor.ts";
import { minibatches } from "./batches.ts";
import type { EpochLog, EvaluateResult, OptimizerSpec, Prepared } from "./fit.ts";
import type { Module } from "./layers.ts";

const VAL_BATCH = 1024;

/**
 * Train on the device (see the module doc); the model's parameter tensors receive the result.
 *
 * @returns whether the best epoch's parameters were restored
 * @throws {GpuRuntimeError} on a device failure (the caller reruns on the CPU)
 */
export async function trainOnDevice(
  dev: GpuDevice,
  model: Module,
  P: Prepared,
  log: EpochLog,
  forced: boolean,
  spec: OptimizerSpec,
): Promise<boolean> {
  const { o, lossFn, classification, X, Y, Xv, Yv, params } = P;
  const names = Object.keys(params), list = names.map((k) => params[k]);
  const n = X.shape[0], nv = Xv ? Xv.shape[0] : 0;
  const keep: GpuMatrix[] = [];
  const hold = (m: GpuMatrix): GpuMatrix => (keep.push(m), m);
  const upload = (data: ArrayLike<number>, what: string): GpuMatrix => {
    checkF32(data, what);
    const m = hold(dev.alloc(data.length));
    dev.write(m, data);
    return m;
  };
  const zeros = (len: number): GpuMatrix => upload(new Float64Array(len), "zeros");
  const indices = (len: number): GpuMatrix => hold(dev.alloc(len, 1, "u32"));
  const batch = dev.batch();
  try {
    const Xd = upload(X.data, "data.x");
    const Yd = upload(Y instanceof Int32Array ? Y : Y.data, "data.y");
    const Xvd = Xv ? upload(Xv.data, "data.xVal") : null;
    const Yvd = Yv ? upload(Yv instanceof Int32Array ? Yv : Yv.data, "data.yVal") : null;
    const perm = indices(n);
    const ident = nv ? indices(nv) : null;
    if (ident) dev.writeU32(ident, Uint32Array.from({ length: nv }, (_, i) => i));
    const pDev = list.map((t, i) => upload(t.data, `params.${names[i]}`));
    const momentum = spec.kind === "sgd" && spec.options.momentum !== 0;
    const stateA = spec.kind === "adam" || momentum ? list.map((t) => zeros(t.size)) : [];
    const stateB = spec.kind === "adam" ? list.map((t) => zeros(t.size)) : [];
    const status = indices(1);
    dev.writeU32(status, [0]);
    const one = upload([1], "1");
    const clip = o.clipNorm !== Infinity;
    const sq = clip ? hold(dev.alloc(list.length)) : null;
    const gscale = clip ? hold(dev.alloc(1)) : one;
    const steps = Math.ceil(n / o.batchSize), valBatches = Math.ceil(nv / VAL_BATCH);
    const stats = hold(dev.alloc(2 * steps));
    const vstats = valBatches ? hold(dev.alloc(2 * valBatches)) : null;
    const snaps = o.restoreBest && Xv ? pDev.map((p) => hold(dev.alloc(p.length))) : null;
    const zeroGrad = new Map<number, GpuMatrix>();
    const gradOf = (g: DeviceTensor | null, i: number): GpuMatrix => {
      if (g) return g.buf!;
      let z = zeroGrad.get(i);
      if (!z) zeroGrad.set(i, z = zeros(list[i].size));
      return z;
    };
    const xShape = X.shape.slice(1), yShape = Y instanceof Int32Array ? [] : Y.shape.slice(1);
    // The device reads labels without a range check: check them once against the model's output width, as the
    // f64 crossEntropy does batch by batch.
    let labelsChecked = false;
    const checkLabelRange = (C: number) => {
      for (const [arg, lab] of [["data.y", Y], ["data.yVal", Yv]] as const) {
        if (!(lab instanceof Int32Array)) continue;
        const i = lab.findIndex((v) => v >= C);
        if (i >= 0) {
          throw new TypeMismatchError({
            fn: "crossEntropy",
            arg: `${arg}[${i}]`,
            expected: `an integer class in [0, ${C - 1}]`,
            got: describeValue(lab[i]),
          });
        }
      }
      labelsChecked = true;
    };

    /** Trace the model and loss on rows [off, off + len) of (src, tgt) through `idx`. */
    const traceStep = (
      s: DeviceSession,
      src: GpuMatrix,
      tgt: GpuMatrix,
      idx: GpuMatrix,
      off: number,
      len: number,
    ): { loss: DeviceTensor; out: DeviceTensor; yb: DeviceTensor; leaves: DeviceTensor[] } => {
      const xb = s.gather(src, idx, off, [len, ...xShape]);
      const yb = s.gather(tgt, idx, off, [len, ...yShape], classification);
      const leaves = list.map((p, i) => s.bind(p, pDev[i]));
      let out = null as Tensor | null;
      const loss = s.trace(() => lossFn(out = model.forward(xb), yb));
      if (!(out instanceof DeviceTensor) || !(loss instanceof DeviceTensor)) {
        throw s.unsupported("a model or loss that does not compute on the device");
      }
      if (loss.size !== 1) {
        throw new ShapeError({
          fn: "fitAsync",
          arg: "options.loss",
          expected: "a one-element loss",
          got: `[${loss.shape}]`,
        });
      }
      if (classification && !labelsChecked) checkLabelRange(out.shape[out.rank - 1]);
      return { loss, out, yb, leaves };
    };
    const statsPass = (
      s: { loss: DeviceTensor; out: DeviceTensor; yb: DeviceTensor },
      into: GpuMatrix,
      k: number,
      len: number,
      track: boolean,
    ) => {
      const cols = classification ? s.out.shape[s.out.rank - 1] : 1;
      batch.dispatch(stepStatsKernel(), [s.loss.buf!, s.out.buf!, s.yb.buf!, into, status], {
        k,
        rows: len,
        cols,
        classify: classification ? 1 : 0,
        track: track ? 1 : 0,
      }, 1);
    };

    const rng = new Rng(o.seed);
    const baseLr = o.lr;
    let lr = baseLr, t = 0, fresh = true, snapshotTaken = false, applied = 0;
    outer: for (let epoch = 0; epoch < o.epochs; epoch++) {
      if (o.schedule) lr = o.schedule(epoch, baseLr);
      const batches = minibatches(n, o.batchSize, { seed: rng });
      const order = new Uint32Array(n);
      let off = 0;
      for (const b of batches) order.set(b, off), off += b.length;
      dev.writeU32(perm, order);
      off = 0;
      for (let s = 0; s < batches.length; s++) {
        const len = batches[s].length;
        const sess = new DeviceSession(dev, batch);
        try {
          let st: ReturnType<typeof traceStep>;
          try {
            st = traceStep(sess, Xd, Yd, perm, off, len);
          } catch (e) {
            await batch.run(); // return the batch's scratch buffers
            return rethrowUnsupported(e, "fitAsync", "model", forced);
          }
          const grads = sess.backward(st.loss, st.leaves);
          statsPass(st, stats, s, len, true);
          if (clip) {
            list.forEach((p, i) => {
              batch.dispatch(sumSquaresKernel(), [gradOf(grads[i], i), sq!], { n: p.size, k: i }, 1);
            });
            batch.dispatch(clipScaleKernel(), [sq!, gscale], { p: list.length, maxNorm: o.clipNorm }, 1);
          }
          t++;
          list.forEach((p, i) => {
            const g = gradOf(grads[i], i), groups = Math.ceil(p.size / 256);
            if (spec.kind === "adam") {
              const { beta1: b1, beta2: b2, eps, weightDecay: wd } = spec.options;
              batch.dispatch(adamUpdateKernel(), [g, gscale, status, pDev[i], stateA[i], stateB[i]], {
                n: p.size,
                stepSize: lr / (1 - b1 ** t),
                b1,
                omb1: 1 - b1,
                b2,
                omb2: 1 - b2,
                bc2: Math.sqrt(1 - b2 ** t),
                eps,
                wd: spec.decoupled ? 0 : wd,
                shrink: spec.decoupled ? 1 - lr * wd : 1,
              }, groups);
            } else {
              const { momentum: mu, dampening, nesterov, weightDecay: wd } = spec.options;
              const bufs = [g, gscale, status, pDev[i], ...(momentum ? [stateA[i]] : [])];
              batch.dispatch(sgdUpdateKernel(momentum), bufs, {
                n: p.size,
                lr,
                mu,
                damp1: 1 - dampening,
                wd,
                nesterov: nesterov ? 1 : 0,
                fresh: fresh ? 1 : 0,
              }, groups);
            }
          });
          fresh = false;
          await batch.run();
        } finally {
          sess.release();
        }
        off += len;
      }
      if (Xvd && Yvd && ident) {
        for (let b = 0; b < valBatches; b++) {
          const o0 = b * VAL_BATCH, len = Math.min(VAL_BATCH, nv - o0);
          const sess = new DeviceSession(dev, batch);
          try {
            const st = noGrad(() => traceStep(sess, Xvd, Yvd, ident, o0, len));
            statsPass(st, vstats!, b, len, false);
            await batch.run();
          } finally {
            sess.release();
          }
        }
      }
      const back = await batch.run([{ matrix: stats, length: 2 * batches.length }, ...(vstats ? [vstats] : [])]);
      const st = back[0];
      let total = 0, hits = 0;
      for (let s = 0; s < batches.length; s++) {
        const l = st[2 * s];
        if (!Number.isFinite(l)) {
          log.stopReason = "nonFinite";
          break outer;
        }
        applied++;
        total += l * batches[s].length;
        hits += st[2 * s + 1];
      }
      let v: EvaluateResult | null = null;
      if (vstats) {
        const vs = back[1];
        let vl = 0, vh = 0;
        for (let b = 0; b < valBatches; b++) {
          vl += vs[2 * b] * Math.min(VAL_BATCH, nv - b * VAL_BATCH);
          vh += vs[2 * b + 1];
        }
        v = { loss: vl / nv, accuracy: classification ? vh / nv : null };
      }
      const stop = log.end(epoch, total / n, classification ? hits / n : null, lr, v, () => {
        pDev.forEach((p, i) => batch.copy(p, snaps![i]));
        snapshotTaken = true;
      });
      if (stop) break;
    }
    let restored = false;
    if (snapshotTaken && log.restore) {
      pDev.forEach((p, i) => batch.copy(snaps![i], p));
      restored = true;
    }
    if (applied > 0 || restored) {
      // (with no update applied the host tensors keep their f64 values, as on the CPU)
      const finals = await batch.run(pDev);
      finals.forEach((v, i) => list[i].data.set(v.subarray(0, list[i].size)));
    } else await batch.run();
    return restored;
  } finally {
    for (const m of keep) m.release();
  }
}
