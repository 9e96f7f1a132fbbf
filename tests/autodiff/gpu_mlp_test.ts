/**
 * The loss and every gradient of a 64-128-128-10 ReLU MLP with mean cross-entropy (batch 64)
 * computed on the GPU in one traced step (`valueAndGradAsync`, backend "gpu") against the f64
 * engine, within the first-order running error bound of tests/autodiff/_mlp_bound.ts (the
 * bound propagates one rounding per operation through the network; the factor 1.01 covers
 * second order). Also a wider, deeper net with a larger batch.
 */
import { assert } from "../_helpers.ts";
import { crossEntropy, linear, relu, Tensor, valueAndGrad, valueAndGradAsync } from "../../lib/autodiff/mod.ts";
import { DeviceSession } from "../../lib/autodiff/_device_session.ts";
import type { DeviceTensor } from "../../lib/autodiff/_device_tensor.ts";
import { gemm } from "../../lib/core/blas.ts";
import { lseStrided } from "../../lib/core/reduce.ts";
import { gpu, rowWorkgroupSize } from "../../lib/gpu/mod.ts";
import { lseTol } from "../kernels/core/_lse_tol.ts";
import { reduceRel, U } from "./_gpu_vjp.ts";
import { mlp } from "../../lib/nn/mod.ts";
import { Matrix } from "../../lib/core/matrix.ts";
import { Rng } from "../../lib/core/rng.ts";
import { assertWithin, gpuTest } from "../gpu/_gpu.ts";
import { mlpBound } from "./_mlp_bound.ts";

for (
  const [sizes, B, seed] of [[[64, 128, 128, 10], 64, 1], [[30, 200, 150, 90, 7], 257, 2]] as [
    number[],
    number,
    number,
  ][]
) {
  gpuTest(`MLP ${sizes.join("-")} (batch ${B}): GPU loss and gradients within the propagated f32 bound`, async () => {
    const r = new Rng(seed);
    const net = mlp(sizes, { seed });
    const x = new Tensor(r.normalArray(B * sizes[0]), [B, sizes[0]]);
    const y = Array.from({ length: B }, () => r.integer(sizes[sizes.length - 1]));
    const params = net.parameters();
    const f = () => crossEntropy(net.forward(x), y);
    const cpu = valueAndGrad(f, params);
    const res = await valueAndGradAsync(f, params, { backend: "gpu" });
    assert.equal(res.backend, "gpu", res.backendReason);
    const layers = [];
    for (let l = 0; 2 * l < Object.keys(params).length; l++) {
      const W = params[`${2 * l}.weight`];
      layers.push({ W: new Matrix(W.shape[0], W.shape[1], W.data), b: params[`${2 * l}.bias`].data });
    }
    const bound = mlpBound(new Matrix(B, sizes[0], x.data), y, layers);
    assert.ok(
      Math.abs(bound.loss - cpu.value) <= 1e-12 * Math.abs(cpu.value),
      "the bound's reference is the engine's loss",
    );
    assert.ok(
      Math.abs(res.value - cpu.value) <= 1.01 * bound.lossErr,
      `loss ${res.value} vs ${cpu.value}: |diff| ${Math.abs(res.value - cpu.value)} > ${bound.lossErr}`,
    );
    bound.grads.forEach((g, l) => {
      const scale = g.dW.data.reduce((a, v) => Math.max(a, Math.abs(v)), 0);
      assertWithin(
        cpu.grads[`${2 * l}.weight`].data,
        g.dW.data,
        () => 1e-12 * scale,
        "reference dW",
      );
      assertWithin(
        res.grads[`${2 * l}.weight`].data,
        cpu.grads[`${2 * l}.weight`].data,
        (i) => 1.01 * bound.errs[l].dW.data[i],
        `layer ${l} dW`,
      );
      assertWithin(
        res.grads[`${2 * l}.bias`].data,
        cpu.grads[`${2 * l}.bias`].data,
        (i) => 1.01 * bound.errs[l].db[i],
        `layer ${l} db`,
      );
    });
  });
}

/**
 * The end-to-end bound above is worst case: it carries |W| through every layer (no
 * cancellation), so it is ~10⁵ times the errors seen (0.015 on the loss against ~1e-7) and
 * only catches gross errors. This test checks every stage of the same GPU step against its
 * own tight bound instead: all intermediates (Z_l, H_l, the loss, and the cotangents dZ_l,
 * dH_l, dW_l, db_l) are read back, and each is compared with the f64 value of its op applied
 * to the GPU's own (f32) inputs:
 *   Z = Ĥ·Ŵ + b̂: (k + 4)u|Ĥ||Ŵ| + u|b̂| + u|Z|;   H = relu(Ẑ): exact;
 *   loss = mean(lse − ẑ_y): per row lse's own error (lseTol) + u|ẑ_y| + u|ℓ|, then reduceRel(B) + u;
 *   dZ_L = (softmax(Ẑ_L) − onehot)/B from the kernels' lse: as the crossEntropy op test;
 *   dW = Ĥᵀ·dẐ: (B + 4)u|Ĥ|ᵀ|dẐ|;   db = Σ_rows dẐ: reduceRel(B)·Σ|dẐ|;   dH = dẐ·Ŵᵀ: (n + 4)u|dẐ||Ŵ|ᵀ;
 *   dZ = dĤ ⊙ [Ẑ > 0]: exact.
 * A scale error of 1e-5 anywhere in the step fails it.
 */
gpuTest(
  "MLP 64-128-128-10: every stage of the GPU step within its local f32 bound (intermediates read back)",
  async () => {
    const sizes = [64, 128, 128, 10], B = 64, r = new Rng(5);
    const net = mlp(sizes, { seed: 5 });
    const params = net.parameters();
    const Wl = [0, 1, 2].map((l) => params[`${2 * l}.weight`]), bl = [0, 1, 2].map((l) => params[`${2 * l}.bias`]);
    const x = new Tensor(r.normalArray(B * 64), [B, 64]);
    const y = Array.from({ length: B }, () => r.integer(10));
    const dev = await gpu.device();
    const s = new DeviceSession(dev);
    try {
      const leaves = [...Wl, ...bl].map((p) => s.bind(p));
      const Z: DeviceTensor[] = [], H: DeviceTensor[] = [];
      const loss = s.trace(() => {
        let h: Tensor = x;
        for (let l = 0; l < 3; l++) {
          const z = linear(h, Wl[l], bl[l]) as DeviceTensor;
          Z.push(z);
          if (l < 2) H.push(h = relu(z) as DeviceTensor);
          else h = z;
        }
        return crossEntropy(h, y);
      }) as DeviceTensor;
      const cots = s.backward(loss, [...leaves, ...Z, ...H]);
      const all = [loss, ...Z, ...H, ...cots.map((c) => c!)];
      const back = await s.batch!.run(all.map((t) => t.buf!));
      const val = (i: number) => back[i].slice(0, all[i].size);
      const lossG = val(0)[0];
      const Zg = [1, 2, 3].map(val), Hg = [4, 5].map(val);
      const dWg = [6, 7, 8].map(val), dbg = [9, 10, 11].map(val), dZg = [12, 13, 14].map(val), dHg = [15, 16].map(val);
      const fr = (a: ArrayLike<number>) => Float64Array.from(a, Math.fround);
      const M = (rows: number, cols: number, d: Float64Array) => new Matrix(rows, cols, d);
      const abs = (m: Matrix) => new Matrix(m.rows, m.cols, m.data.map(Math.abs));
      const inputs = [fr(x.data), Hg[0], Hg[1]];
      for (let l = 0; l < 3; l++) {
        const k = sizes[l], n = sizes[l + 1];
        const h = M(B, k, inputs[l]), w = M(k, n, fr(Wl[l].data)), b = fr(bl[l].data);
        const z = gemm(h, w), mag = gemm(abs(h), abs(w));
        for (let q = 0; q < z.data.length; q++) z.data[q] += b[q % n];
        assertWithin(
          Zg[l],
          z.data,
          (q) => 1.01 * ((k + 4) * U * mag.data[q] + U * Math.abs(b[q % n]) + U * Math.abs(z.data[q])),
          `Z${l}`,
        );
        if (l < 2) {
          assert.deepEqual([...Hg[l]], [...Zg[l]].map((v) => (v > 0 ? v : 0)), `H${l} = relu(Z${l})`);
        }
      }
      // loss from the GPU's logits
      const L = Zg[2], C = 10;
      let ref = 0, err = 0, absL = 0;
      const lse = new Float64Array(B), eLse = new Float64Array(B);
      for (let i = 0; i < B; i++) {
        const row = Array.from(L.subarray(i * C, (i + 1) * C));
        lse[i] = lseStrided(L, i * C, C, 1);
        eLse[i] = lseTol(row, [0], 1 + Math.log2(rowWorkgroupSize(C))) / 1.01;
        const li = lse[i] - row[y[i]];
        ref += li / B, absL += Math.abs(li) / B, err += (eLse[i] + U * Math.abs(row[y[i]]) + U * Math.abs(li)) / B;
      }
      assert.ok(
        Math.abs(lossG - ref) <= 1.01 * (err + reduceRel(B) * absL + U * Math.abs(ref)),
        `loss ${lossG} vs ${ref}`,
      );
      // dZ_L from the logits
      const dZL = L.map((v, q) => {
        const i = Math.floor(q / C);
        return (Math.exp(v - lse[i]) - (q % C === y[i] ? 1 : 0)) / B;
      });
      assertWithin(dZg[2], dZL, (q) => {
        const i = Math.floor(q / C), t = L[q] - lse[i], p = Math.exp(t);
        const ep = p * (eLse[i] + U * Math.abs(t) + (6 + 4 * Math.abs(t)) * U);
        return 1.01 * ((ep + U * Math.abs(B * dZL[q])) / B + 4 * U * Math.abs(dZL[q]));
      }, "dZ2");
      for (let l = 2; l >= 0; l--) {
        const k = sizes[l], n = sizes[l + 1];
        const h = M(B, k, inputs[l]), dz = M(B, n, dZg[l]), w = M(k, n, fr(Wl[l].data));
        const dW = gemm(h, dz, { transA: true }), magW = gemm(abs(h), abs(dz), { transA: true });
        assertWithin(dWg[l], dW.data, (q) => 1.01 * (B + 4) * U * magW.data[q], `dW${l}`);
        const db = new Float64Array(n), magb = new Float64Array(n);
        for (let q = 0; q < B * n; q++) db[q % n] += dz.data[q], magb[q % n] += Math.abs(dz.data[q]);
        assertWithin(dbg[l], db, (j) => 1.01 * reduceRel(B) * magb[j], `db${l}`);
        if (l === 0) break;
        const dH = gemm(dz, w, { transB: true }), magH = gemm(abs(dz), abs(w), { transB: true });
        assertWithin(dHg[l - 1], dH.data, (q) => 1.01 * (n + 4) * U * magH.data[q], `dH${l - 1}`);
        assert.deepEqual([...dZg[l - 1]], [...dHg[l - 1]].map((v, q) => v * (Zg[l - 1][q] > 0 ? 1 : 0)), `dZ${l - 1}`);
      }
    } finally {
      s.release();
    }
  },
);
