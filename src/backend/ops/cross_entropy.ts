/**
 * The sparse softmax cross-entropy op: `sparseCrossEntropy` is what tasks call. In 'fast' mode
 * (runtime.ts) it is ONE tf.customGrad node in place of logSoftmax, oneHot, a product, a row sum
 * and a mean (and their gradients):
 *   loss = Σ_i w_i·(lse_i − z[i, t_i]) / den,   lse_i = log Σ_j e^z[i, j]
 *   dz[i, :] = dy·w_i/den·(softmax(z_i) − onehot(t_i))
 * with den = N and w = 1 without weights, else den = max(Σ w, 1). A target outside [0, V) adds
 * nothing, as oneHot's zero row does in the plain formula.
 */
import { runtime } from '../runtime.js';
import { tf } from '../tf.js';
import * as wasm from '../wasm/index.js';

/** softmax rows of z [N, V], by the attention op's row kernel (SIMD, native where built) */
function softmax(z: Float32Array, N: number, V: number): Float32Array {
  const mk = wasm.mark();
  const pz = wasm.put(z);
  wasm.attentionRows().softmaxRows(N, V, V, pz, 0, 0);
  const p = wasm.take(pz, N * V);
  wasm.release(mk);
  return p;
}

/**
 * −log softmax(z_i)[t] = lse_i − z[i, t]: from the probability where it is a normal float, else
 * (a target more than ~87 below the row's largest logit, whose probability underflowed to 0)
 * from the row itself, in f64.
 */
function nll(z: Float32Array, p: Float32Array, i: number, V: number, t: number): number {
  const o = i * V;
  if (p[o + t] > MIN_PROB) return -Math.log(p[o + t]);
  let m = -Infinity;
  for (let j = 0; j < V; j++) if (z[o + j] > m) m = z[o + j];
  let s = 0;
  for (let j = 0; j < V; j++) s += Math.exp(z[o + j] - m);
  return m + Math.log(s) - z[o + t];
}

/** probabilities below this take the f64 path (float32's smallest normal is ~1.2e-38) */
const MIN_PROB = 1e-30;

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
    const p = softmax(z, N, V);
    let total = 0;
    for (let i = 0; i < N; i++) {
      const ti = t[i];
      if (ti >= 0 && ti < V) total += (w ? w[i] : 1) * nll(z, p, i, V, ti);
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

/**
 * Mean sparse softmax cross-entropy.
 * logits: [..., V] float32; targets: [...] int32; weights: [...] (1 counts, 0 ignored) or undefined.
 * The reference picks log p(target) with a one-hot product: linear in N·V on every backend, where
 * a gather's gradient (UnsortedSegmentSum) costs O((N·V)²) on the pure-JS reference kernels.
 */
export function sparseCrossEntropy(logits: tf.Tensor, targets: tf.Tensor, weights?: tf.Tensor): tf.Scalar {
  return tf.tidy(() => {
    const v = logits.shape[logits.shape.length - 1];
    if (runtime().fast && logits.dtype === 'float32') {
      const t = targets.reshape([-1]).cast('int32') as tf.Tensor1D;
      return crossEntropyFused(logits.reshape([-1, v]), t, weights ? (weights.reshape([-1]).cast('float32') as tf.Tensor1D) : null);
    }
    const logp = tf.logSoftmax(logits.reshape([-1, v]));
    const nll = logp.mul(tf.oneHot(targets.reshape([-1]).cast('int32'), v)).sum(-1).neg();
    if (!weights) return nll.mean() as tf.Scalar;
    const w = weights.reshape([-1]).cast('float32');
    return nll.mul(w).sum().div(w.sum().maximum(1)) as tf.Scalar;
  });
}
