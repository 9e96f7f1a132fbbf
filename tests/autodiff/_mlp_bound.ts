/**
 * First-order running error bound of one GPU (f32) evaluation of a ReLU MLP with a mean
 * cross-entropy loss and its gradients, against the f64 engine. Computed from the f64
 * reference values by propagating, layer by layer, a bound on every intermediate (u = 2⁻²⁴):
 *
 * Forward, Z = H·W + b, H₀ = X (uploaded: E_H₀ = u|X|):
 *   E_Z = E_H·|W| + (k + 4)u·|H||W| + u|b| + u|Z|   (error carried in, gemm with W's upload, bias, final add)
 *   E_H = E_Z                                        (relu is 1-Lipschitz)
 * Loss, per row: lse moves by ≤ max_c E_L[i, c] (1-Lipschitz in the sup norm) plus the kernel's own
 * error (lseTol with no input term); ℓ_i = lse_i − L[i, y_i] adds E_L[i, y] and u|ℓ_i|; the mean
 * adds reduceRel(B)·Σ|ℓ|/B and u|mean|.
 * Backward, dL = (softmax(L) − onehot)/B: the argument L − lse carries E_L + e_lse + u|L − lse|, the
 * exp (6 + 4|t|)u; p − 1 rounds; the scaling 4u|dL|. For each layer from the top:
 *   E_dW = E_Hᵀ|dZ| + |H|ᵀE_dZ + (B + 4)u|H|ᵀ|dZ|      E_db = Σ_rows E_dZ + reduceRel(B)·Σ_rows|dZ|
 *   E_dH = E_dZ|W|ᵀ + (n + 4)u|dZ||W|ᵀ
 *   E_dZ′ = E_dH ⊙ [Z′ > 0] + |dH| ⊙ [|Z′| ≤ E_Z′]      (the relu mask can only differ where |Z′| ≤ E_Z′)
 */
import { gemm } from "../../lib/core/blas.ts";
import { Matrix } from "../../lib/core/matrix.ts";
import { lseStrided } from "../../lib/core/reduce.ts";
import { rowWorkgroupSize } from "../../lib/gpu/mod.ts";
import { lseTol } from "../kernels/core/_lse_tol.ts";
import { reduceRel, U } from "./_gpu_vjp.ts";

/** One affine layer: W [k, n] and b [n] (row-major). */
export interface Layer {
  /** Weight, k×n. */
  readonly W: Matrix;
  /** Bias, n. */
  readonly b: Float64Array;
}

/** Reference values and bounds of one evaluation. */
export interface MlpBound {
  /** f64 loss. */
  readonly loss: number;
  /** Bound on |loss_gpu − loss|. */
  readonly lossErr: number;
  /** f64 gradients per layer. */
  readonly grads: { readonly dW: Matrix; readonly db: Float64Array }[];
  /** Bounds per layer (entrywise). */
  readonly errs: { readonly dW: Matrix; readonly db: Float64Array }[];
  /** Entrywise bound of the logits. */
  readonly logitErr: Matrix;
  /** f64 logits. */
  readonly logits: Matrix;
}

const abs = (M: Matrix) => new Matrix(M.rows, M.cols, M.data.map(Math.abs));
const mm = (A: Matrix, B: Matrix, transA = false, transB = false) => gemm(A, B, { transA, transB });
const add = (...ms: Matrix[]) => {
  const out = new Matrix(ms[0].rows, ms[0].cols, new Float64Array(ms[0].data.length));
  for (const m of ms) for (let i = 0; i < out.data.length; i++) out.data[i] += m.data[i];
  return out;
};
const scale = (M: Matrix, c: number) => new Matrix(M.rows, M.cols, M.data.map((v) => v * c));
const colSum = (M: Matrix) => {
  const s = new Float64Array(M.cols);
  for (let i = 0; i < M.rows; i++) for (let j = 0; j < M.cols; j++) s[j] += M.data[i * M.cols + j];
  return s;
};

/**
 * Reference loss and gradients of mean cross-entropy(MLP(X), labels) with ReLU between the
 * layers, and their f32 error bounds (module doc).
 *
 * @returns the reference values and bounds
 */
export function mlpBound(X: Matrix, labels: ArrayLike<number>, layers: readonly Layer[]): MlpBound {
  const B = X.rows;
  const H: Matrix[] = [X], EH: Matrix[] = [scale(abs(X), U)], Z: Matrix[] = [], EZ: Matrix[] = [];
  layers.forEach((L, l) => {
    const h = H[l], k = L.W.rows, n = L.W.cols;
    const z = mm(h, L.W);
    for (let i = 0; i < B; i++) for (let j = 0; j < n; j++) z.data[i * n + j] += L.b[j];
    const ez = add(mm(EH[l], abs(L.W)), scale(mm(abs(h), abs(L.W)), (k + 4) * U));
    for (let i = 0; i < B; i++) {
      for (let j = 0; j < n; j++) ez.data[i * n + j] += U * Math.abs(L.b[j]) + U * Math.abs(z.data[i * n + j]);
    }
    Z.push(z), EZ.push(ez);
    if (l + 1 < layers.length) H.push(new Matrix(B, n, z.data.map((v) => (v > 0 ? v : 0)))), EH.push(ez);
  });
  const logits = Z[Z.length - 1], EL = EZ[EZ.length - 1], C = logits.cols;
  const wg = rowWorkgroupSize(C), seq = Math.ceil(C / wg) + Math.log2(wg);
  let loss = 0, lossE = 0, lossAbs = 0;
  const lse = new Float64Array(B), eLse = new Float64Array(B);
  for (let i = 0; i < B; i++) {
    const row = Array.from(logits.data.subarray(i * C, (i + 1) * C)), erow = EL.data.subarray(i * C, (i + 1) * C);
    lse[i] = lseStrided(logits.data, i * C, C, 1);
    eLse[i] = Math.max(...erow) + lseTol(row, [0], seq) / 1.01;
    const li = lse[i] - row[labels[i]];
    loss += li / B, lossAbs += Math.abs(li) / B;
    lossE += (eLse[i] + erow[labels[i]] + U * Math.abs(li)) / B;
  }
  const lossErr = lossE + reduceRel(B) * lossAbs + U * Math.abs(loss);
  // dL and its bound
  let dZ = new Matrix(B, C, new Float64Array(B * C)), EdZ = new Matrix(B, C, new Float64Array(B * C));
  for (let i = 0; i < B; i++) {
    for (let c = 0; c < C; c++) {
      const q = i * C + c, t = logits.data[q] - lse[i], p = Math.exp(t), d = c === labels[i] ? p - 1 : p;
      dZ.data[q] = d / B;
      const ep = p * (EL.data[q] + eLse[i] + U * Math.abs(t) + (6 + 4 * Math.abs(t)) * U);
      EdZ.data[q] = (ep + U * Math.abs(d)) / B + 4 * U * Math.abs(d / B);
    }
  }
  const grads: MlpBound["grads"][number][] = [], errs: MlpBound["errs"][number][] = [];
  for (let l = layers.length - 1; l >= 0; l--) {
    const h = H[l], n = layers[l].W.cols;
    const dW = mm(h, dZ, true);
    const EdW = add(mm(EH[l], abs(dZ), true), mm(abs(h), EdZ, true), scale(mm(abs(h), abs(dZ), true), (B + 4) * U));
    const db = colSum(dZ);
    const absDb = colSum(abs(dZ));
    const Edb = colSum(EdZ).map((v, j) => v + reduceRel(B) * absDb[j]);
    grads.unshift({ dW, db }), errs.unshift({ dW: EdW, db: Edb });
    if (l === 0) break;
    const dH = mm(dZ, layers[l].W, false, true);
    const EdH = add(
      mm(EdZ, abs(layers[l].W), false, true),
      scale(mm(abs(dZ), abs(layers[l].W), false, true), (n + 4) * U),
    );
    const zp = Z[l - 1], ezp = EZ[l - 1];
    dZ = new Matrix(dH.rows, dH.cols, dH.data.map((v, q) => (zp.data[q] > 0 ? v : 0)));
    EdZ = new Matrix(
      dH.rows,
      dH.cols,
      EdH.data.map((e, q) => {
        const flip = Math.abs(zp.data[q]) <= ezp.data[q] ? Math.abs(dH.data[q]) : 0;
        return (zp.data[q] > 0 ? e : 0) + flip;
      }),
    );
  }
  return { loss, lossErr, grads, errs, logitErr: EL, logits };
}
