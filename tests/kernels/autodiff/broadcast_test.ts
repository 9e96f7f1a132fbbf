/**
 * Parity of `broadcastZip` (kernels/autodiff/broadcast.ts) with its f64 twin (lib/autodiff/
 * _gpu_twins.ts) on f32 inputs, for every op and the broadcast layouts the autodiff engine
 * uses (same shape, bias row, column, scalar, a middle block).
 *
 * Tolerance (u = 2⁻²⁴; inputs and α, β are f32-exact, so only the kernel rounds): u = α·x and
 * v = β·y carry u relative each; add/sub add u|z|: u(|αx| + |βy|) + u|z|; mul: 3u|z|; div
 * (WGSL: 2.5 ULP ≤ 5u): 7u|z|; copy: u|z|. The factor 1.01 covers second order.
 */
import { assert } from "../../_helpers.ts";
import { BROADCAST_OPS, broadcastZipKernel } from "../../../kernels/autodiff/broadcast.ts";
import { broadcastZip } from "../../../lib/autodiff/_gpu_twins.ts";
import { Rng } from "../../../lib/core/rng.ts";
import { assertWithin, gpuTest, U } from "../../gpu/_gpu.ts";
import { f32, runKernel } from "./_run.ts";

/** [output size, x geometry, y geometry]: div = product of the axes after the block, mod = block size. */
const LAYOUTS: [string, number, { div: number; mod: number }, { div: number; mod: number }][] = [
  ["same shape 1", 1, { div: 1, mod: 1 }, { div: 1, mod: 1 }],
  ["same shape 1000", 1000, { div: 1, mod: 1000 }, { div: 1, mod: 1000 }],
  ["[37,13] + bias [13]", 37 * 13, { div: 1, mod: 37 * 13 }, { div: 1, mod: 13 }],
  ["[37,13] + column [37,1]", 37 * 13, { div: 1, mod: 37 * 13 }, { div: 13, mod: 37 }],
  ["[300,5] + scalar", 1500, { div: 1, mod: 1500 }, { div: 1, mod: 1 }],
  ["[3,7,11] + middle [7,1]", 231, { div: 1, mod: 231 }, { div: 11, mod: 7 }],
  ["bias [13] - [70000/13…]", 13 * 5400, { div: 1, mod: 13 }, { div: 1, mod: 13 * 5400 }],
];

gpuTest(
  "broadcastZip: every op and layout within u(|αx| + |βy|) + u|z| (add/sub), 3u|z| (mul), 7u|z| (div), u|z| (copy)",
  async () => {
    const r = new Rng(1101);
    for (const [name, n, gx, gy] of LAYOUTS) {
      const x = f32(r.normalArray(gx.mod, 0, 3)), y = f32(r.normalArray(gy.mod, 0, 3).map((v) => v + Math.sign(v)));
      for (const op of BROADCAST_OPS) {
        const alpha = op === "copy" ? 1 : -1.5, beta = 0.75;
        const bufs = op === "copy" ? [{ f32: y }, { out: n }] : [{ f32: x }, { f32: y }, { out: n }];
        const res = await runKernel(broadcastZipKernel(op), bufs, {
          n,
          xdiv: gx.div,
          xmod: gx.mod,
          ydiv: gy.div,
          ymod: gy.mod,
          alpha,
          beta,
        }, Math.ceil(n / 256));
        const got = res[res.length - 1];
        const ref = broadcastZip(op, n, x, gx, y, gy, alpha, beta);
        assertWithin(got, ref, (i) => {
          const u = Math.abs(alpha * x[Math.floor(i / gx.div) % gx.mod]);
          const v = Math.abs(beta * y[Math.floor(i / gy.div) % gy.mod]);
          const z = Math.abs(ref[i]);
          const t = op === "add" || op === "sub"
            ? U * (u + v) + U * z
            : op === "mul"
            ? 3 * U * z
            : op === "div"
            ? 7 * U * z
            : U * z;
          return 1.01 * t;
        }, `${op} ${name}`);
      }
    }
  },
);

gpuTest(
  "broadcastZip: the index map reads exactly the broadcast entry (copy of distinct integers is exact)",
  async () => {
    // [4, 3, 5] ← y of shape [3, 1] (div 5, mod 3): z[i] = y[(i / 5) mod 3]
    const y = [10, 20, 30], n = 60;
    const [, z] = await runKernel(broadcastZipKernel("copy"), [{ f32: y }, { out: n }], {
      n,
      xdiv: 1,
      xmod: 1,
      ydiv: 5,
      ymod: 3,
      alpha: 1,
      beta: 1,
    }, 1);
    assert.deepEqual([...z], Array.from({ length: n }, (_, i) => y[Math.floor(i / 5) % 3]));
  },
);
