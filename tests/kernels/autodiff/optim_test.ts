/**
 * Parity of `adamUpdate` and `sgdUpdate` (kernels/autodiff/optim.ts) with their twins, the f64
 * optimizers of lib/nn/optim.ts (`Adam`, `AdamW`, `Sgd`), for one step from the same f32
 * state (θ, m, v or the momentum buffer, g), at an early and a later step count, with weight
 * decay, momentum, dampening and Nesterov; plus the clip factor and the halt status.
 *
 * Tolerance: first-order propagation of one rounding per operation (u = 2⁻²⁴; every f32
 * parameter — β, 1 − β, the bias corrections, η, λ — rounds once, u; sqrt 9u; division 5u):
 * Adam: g' = s·g + λθ: e_g = 2u|λθ| + u|g'| (0 when λ = 0); m = β₁m₀ + (1 − β₁)g':
 * e_m = 2uβ₁|m₀| + (1 − β₁)(e_g + 2u|g'|) + u|m|; v = β₂v₀ + (1 − β₂)g'²:
 * e_v = 2uβ₂v₀ + (1 − β₂)(2|g'|e_g + 3u·g'²) + u·v; d = √v/bc₂ + ε:
 * e_d = (e_v/(2√v) + 15u√v)/bc₂ + u(ε + d); Δ = (η/bc₁)·m/d:
 * e_Δ = (η/bc₁)(e_m + 2u|m|)/d + |Δ|(e_d/d + 5u); θ' = θ·(1 − ηλ_W) − Δ: e = 2u|θ|[AdamW] + e_Δ + u|θ'|.
 * SGD: d = s·g + λθ (e_d as e_g); b = μb₀ + (1 − τ)d: e_b = 2uμ|b₀| + (1 − τ)(e_d + 2u|d|) + u|b|
 * (the first step copies d); Nesterov d + μb: e_d + μ(e_b + 2u|b|) + u|d'|;
 * θ' = θ − ηd': η(e_d' + 2u|d'|) + u|θ'|. The factor 1.01 covers second order.
 */
import { assert } from "../../_helpers.ts";
import { adamUpdateKernel, sgdUpdateKernel } from "../../../kernels/autodiff/optim.ts";
import { Adam, AdamW, Sgd } from "../../../lib/nn/optim.ts";
import { tensor } from "../../../lib/autodiff/tensor.ts";
import { Rng } from "../../../lib/core/rng.ts";
import { assertWithin, gpuTest, U } from "../../gpu/_gpu.ts";
import { f32, runKernel } from "./_run.ts";

const N = 1000;

for (
  const [name, decoupled, wd, t, s] of [
    ["Adam, step 1", false, 0, 1, 1],
    ["Adam with L2 0.01, step 7, clip factor 0.5", false, 0.01, 7, 0.5],
    ["AdamW 0.1, step 3", true, 0.1, 3, 1],
  ] as const
) {
  gpuTest(`adamUpdate: ${name} matches the f64 optimizer's step within the propagated f32 bound`, async () => {
    const r = new Rng(1500 + t);
    const x = f32(r.normalArray(N)), g = f32(r.normalArray(N, 0, 0.1));
    const m0 = f32(r.normalArray(N, 0, 0.05)), v0 = f32(r.normalArray(N, 0, 0.01).map((a) => a * a));
    if (t === 1) m0.fill(0), v0.fill(0);
    const lr = 1e-2, b1 = 0.9, b2 = 0.999, eps = 1e-8;
    const w = tensor(x, [N]);
    const opt = decoupled ? new AdamW({ w }, { lr, weightDecay: wd }) : new Adam({ w }, { lr, weightDecay: wd });
    opt.loadStateDict({
      kind: decoupled ? "adamw" : "adam",
      steps: t - 1,
      lr,
      buffers: { "w/m": Array.from(m0), "w/v": Array.from(v0) },
    });
    opt.step({ w: tensor(g.map((v) => v * s), [N]) });
    const st = opt.stateDict();
    const xRef = w.data, mRef = st.buffers["w/m"], vRef = st.buffers["w/v"];
    const bc1 = 1 - b1 ** t, bc2 = Math.sqrt(1 - b2 ** t);
    const [, , , xg, mg, vg] = await runKernel(
      adamUpdateKernel(),
      [{ f32: g }, { f32: [s] }, { u32: [0] }, { f32: x }, { f32: m0 }, { f32: v0 }],
      {
        n: N,
        stepSize: lr / bc1,
        b1,
        omb1: 1 - b1,
        b2,
        omb2: 1 - b2,
        bc2,
        eps,
        wd: decoupled ? 0 : wd,
        shrink: decoupled ? 1 - lr * wd : 1,
      },
      Math.ceil(N / 256),
    );
    const l2 = decoupled ? 0 : wd;
    const bound = (i: number) => {
      const gp = s * g[i] + l2 * x[i];
      const eg = l2 ? 2 * U * Math.abs(l2 * x[i]) + U * Math.abs(gp) : 0;
      const m = mRef[i], v = vRef[i];
      const em = 2 * U * b1 * Math.abs(m0[i]) + (1 - b1) * (eg + 2 * U * Math.abs(gp)) + U * Math.abs(m);
      const ev = 2 * U * b2 * v0[i] + (1 - b2) * (2 * Math.abs(gp) * eg + 3 * U * gp * gp) + U * v;
      const d = Math.sqrt(v) / bc2 + eps;
      const ed = (ev / (2 * Math.sqrt(v) || 1e-300) + 15 * U * Math.sqrt(v)) / bc2 + U * (eps + d);
      const delta = (lr / bc1) * m / d;
      const eD = (lr / bc1) * (em + 2 * U * Math.abs(m)) / d + Math.abs(delta) * (ed / d + 5 * U);
      return { em, ev, ex: (decoupled ? 2 * U * Math.abs(x[i]) : 0) + eD + U * Math.abs(xRef[i]) };
    };
    assertWithin(mg, mRef, (i) => 1.01 * bound(i).em + 1e-45, `${name}: m`);
    assertWithin(vg, vRef, (i) => 1.01 * bound(i).ev + 1e-45, `${name}: v`);
    assertWithin(xg, xRef, (i) => 1.01 * bound(i).ex + 1e-45, `${name}: θ`);
  });
}

for (
  const [name, mu, damp, nesterov, wd, fresh] of [
    ["plain", 0, 0, false, 0, true],
    ["momentum 0.9, first step", 0.9, 0, false, 0.001, true],
    ["momentum 0.9, dampening 0.2, later step", 0.9, 0.2, false, 0, false],
    ["Nesterov 0.8 with L2, later step", 0.8, 0, true, 0.01, false],
  ] as const
) {
  gpuTest(`sgdUpdate: ${name} matches Sgd.step within the propagated f32 bound`, async () => {
    const r = new Rng(1600 + Math.round(mu * 10));
    const x = f32(r.normalArray(N)), g = f32(r.normalArray(N, 0, 0.3)), b0 = f32(r.normalArray(N, 0, 0.2));
    const lr = 0.05;
    const w = tensor(x, [N]);
    const opt = new Sgd({ w }, { lr, momentum: mu, dampening: damp, nesterov, weightDecay: wd });
    if (mu !== 0 && !fresh) opt.loadStateDict({ kind: "sgd", steps: 4, lr, buffers: { "w/momentum": Array.from(b0) } });
    opt.step({ w: tensor(g, [N]) });
    const bRef = mu !== 0 ? opt.stateDict().buffers["w/momentum"] : null;
    const bufs = [{ f32: g }, { f32: [1] }, { u32: [0] }, { f32: x }, ...(mu !== 0 ? [{ f32: b0 }] : [])];
    const res = await runKernel(sgdUpdateKernel(mu !== 0), bufs, {
      n: N,
      lr,
      mu,
      damp1: 1 - damp,
      wd,
      nesterov: nesterov ? 1 : 0,
      fresh: fresh ? 1 : 0,
    }, Math.ceil(N / 256));
    const bound = (i: number) => {
      const d = g[i] + wd * x[i];
      const ed = wd ? 2 * U * Math.abs(wd * x[i]) + U * Math.abs(d) : 0;
      let dd = d, edd = ed, eb = 0;
      if (mu !== 0) {
        const b = bRef![i];
        eb = fresh ? ed : 2 * U * mu * Math.abs(b0[i]) + (1 - damp) * (ed + 2 * U * Math.abs(d)) + U * Math.abs(b);
        if (nesterov) {
          dd = d + mu * b;
          edd = ed + mu * (eb + 2 * U * Math.abs(b)) + U * Math.abs(dd);
        } else dd = b, edd = eb;
      }
      return { eb, ex: lr * (edd + 2 * U * Math.abs(dd)) + U * Math.abs(w.data[i]) };
    };
    assertWithin(res[3], w.data, (i) => 1.01 * bound(i).ex + 1e-45, `${name}: θ`);
    if (bRef) assertWithin(res[4], bRef, (i) => 1.01 * bound(i).eb + 1e-45, `${name}: momentum`);
  });
}

gpuTest(
  "adamUpdate / sgdUpdate: a set status word leaves θ and the optimizer state bit-for-bit unchanged",
  async () => {
    const r = new Rng(1700);
    const x = f32(r.normalArray(300)),
      g = f32(r.normalArray(300)),
      m = f32(r.normalArray(300)),
      v = f32(m.map((a) => a * a));
    const a = await runKernel(
      adamUpdateKernel(),
      [{ f32: g }, { f32: [1] }, { u32: [1] }, { f32: x }, { f32: m }, { f32: v }],
      { n: 300, stepSize: 0.1, b1: 0.9, omb1: 0.1, b2: 0.999, omb2: 0.001, bc2: 0.5, eps: 1e-8, wd: 0, shrink: 1 },
      2,
    );
    assert.deepEqual([...a[3]], [...x]);
    assert.deepEqual([...a[4]], [...m]);
    assert.deepEqual([...a[5]], [...v]);
    const s = await runKernel(
      sgdUpdateKernel(true),
      [{ f32: g }, { f32: [1] }, { u32: [1] }, { f32: x }, { f32: m }],
      { n: 300, lr: 0.1, mu: 0.9, damp1: 1, wd: 0, nesterov: 0, fresh: 0 },
      2,
    );
    assert.deepEqual([...s[3]], [...x]);
    assert.deepEqual([...s[4]], [...m]);
  },
);
