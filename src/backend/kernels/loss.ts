/**
 * Fused sparse softmax cross-entropy for the pure-JS path: ONE tf.customGrad node in place of
 * logSoftmax, oneHot, a product, a row sum and a mean (and their gradients):
 *   loss = Σ_i w_i·(lse_i − z[i, t_i]) / den,   lse_i = log Σ_j e^z[i, j]
 *   dz[i, :] = dy·w_i/den·(softmax(z_i) − onehot(t_i))
 * with den = N and w = 1 without weights, else den = max(Σ w, 1). A target outside [0, V) adds
 * nothing, as oneHot's zero row does in the plain formula.
 */
import { tf } from '../tf.js';
import * as wasm from './wasm.js';

/** softmax rows of z [N, V] (exponentials in wasm SIMD) and lse [N] = log Σ_j e^z[i, j]. */
function softmaxRows(z: Float32Array, N: number, V: number): { p: Float32Array; lse: Float64Array } {
  const shifted = new Float32Array(N * V);
  const max = new Float64Array(N);
  for (let i = 0; i < N; i++) {
    const o = i * V;
    let m = -Infinity;
    for (let j = 0; j < V; j++) if (z[o + j] > m) m = z[o + j];
    max[i] = m;
    for (let j = 0; j < V; j++) shifted[o + j] = z[o + j] - m;
  }
  const mk = wasm.mark();
  const pe = wasm.put(shifted);
  wasm.elementwise().expN(N * V, pe, pe);
  const p = wasm.take(pe, N * V);
  wasm.release(mk);
  const lse = new Float64Array(N);
  for (let i = 0; i < N; i++) {
    const o = i * V;
    let s = 0;
    for (let j = 0; j < V; j++) s += p[o + j];
    lse[i] = max[i] + Math.log(s);
    const inv = 1 / s;
    for (let j = 0; j < V; j++) p[o + j] *= inv;
  }
  return { p, lse };
}

/** logits [N, V], targets [N] (int32), weights [N] or null → scalar loss. */
export function crossEntropyFused(logits: tf.Tensor2D, targets: tf.Tensor1D, weights: tf.Tensor1D | null): tf.Scalar {
  const [N, V] = logits.shape;
  const t = targets.dataSync() as Int32Array;
  const w = weights ? (weights.dataSync() as Float32Array) : null;
  let den = N;
  if (w) {
    den = 0;
    for (let i = 0; i < N; i++) den += w[i];
    den = Math.max(den, 1);
  }
  const op = tf.customGrad((...args: unknown[]) => {
    const z = (args[0] as tf.Tensor).dataSync() as Float32Array;
    const { p, lse } = softmaxRows(z, N, V);
    let total = 0;
    for (let i = 0; i < N; i++) {
      const ti = t[i];
      if (ti >= 0 && ti < V) total += (w ? w[i] : 1) * (lse[i] - z[i * V + ti]);
    }
    return {
      value: tf.scalar(total / den),
      gradFunc: (dy: tf.Tensor) => {
        const g = dy.dataSync()[0] / den;
        const dz = new Float32Array(N * V);
        for (let i = 0; i < N; i++) {
          const ti = t[i];
          const wi = w ? w[i] : 1;
          if (ti < 0 || ti >= V || wi === 0) continue;
          const o = i * V, k = g * wi;
          for (let j = 0; j < V; j++) dz[o + j] = k * p[o + j];
          dz[o + ti] -= k;
        }
        return [tf.tensor2d(dz, [N, V])];
      },
    };
  });
  return op(logits) as tf.Scalar;
}
