/**
 * The additive (Bahdanau) score op, vᵀ tanh(q_t + k_s) for every (t, s) pair: `additiveScores` is
 * what models call. In 'fast' mode (runtime.ts) it is one fused op.
 * Written with tf ops it builds a [B, T, S, A] tensor whose gradient sums over the broadcast axes,
 * which the reference cpu kernels do slowly (three quarters of a training step). The fused op
 * runs forward and backward in one pass over Float32Arrays, keeping tanh for the backward.
 * Otherwise (other engines, --kernels reference) the plain tf ops run; both agree (tested).
 */
import { runtime } from '../runtime.js';
import { tf } from '../tf.js';

/** q: [B, T, A] projected queries, k: [B, S, A] projected keys (bias included), v: [A, 1] → [B, T, S] */
export function additiveScores(q: tf.Tensor3D, k: tf.Tensor3D, v: tf.Tensor2D): tf.Tensor3D {
  return runtime().fast ? fused(q, k, v) : additiveScoresReference(q, k, v);
}

/** The plain-op formula: a [B, T, S, A] tensor of tanh(q_t + k_s), times v. */
export function additiveScoresReference(q: tf.Tensor3D, k: tf.Tensor3D, v: tf.Tensor2D): tf.Tensor3D {
  return tf.tidy(() => {
    const [B, T, A] = q.shape;
    const S = k.shape[1];
    const e = tf.tanh(q.reshape([B, T, 1, A]).add(k.reshape([B, 1, S, A]))).reshape([B * T * S, A]);
    return tf.matMul(e, v).reshape([B, T, S]) as tf.Tensor3D;
  });
}

function fused(q: tf.Tensor3D, k: tf.Tensor3D, v: tf.Tensor2D): tf.Tensor3D {
  const [B, T, A] = q.shape;
  const S = k.shape[1];
  const op = tf.customGrad((...args: unknown[]) => {
    const [qt, kt, vt] = args as [tf.Tensor, tf.Tensor, tf.Tensor];
    const Q = qt.dataSync() as Float32Array;
    const K = kt.dataSync() as Float32Array;
    const V = vt.dataSync() as Float32Array;
    const E = new Float32Array(B * T * S * A); // tanh(q_t + k_s), kept for the backward pass
    const out = new Float32Array(B * T * S);
    for (let b = 0; b < B; b++) {
      for (let t = 0; t < T; t++) {
        const qo = (b * T + t) * A;
        for (let s = 0; s < S; s++) {
          const ko = (b * S + s) * A;
          const eo = ((b * T + t) * S + s) * A;
          let acc = 0;
          for (let a = 0; a < A; a++) {
            const e = Math.tanh(Q[qo + a] + K[ko + a]);
            E[eo + a] = e;
            acc += e * V[a];
          }
          out[(b * T + t) * S + s] = acc;
        }
      }
    }
    return {
      value: tf.tensor3d(out, [B, T, S]),
      gradFunc: (dy: tf.Tensor) => {
        const G = dy.dataSync() as Float32Array;
        const dQ = new Float32Array(B * T * A);
        const dK = new Float32Array(B * S * A);
        const dV = new Float32Array(A);
        for (let b = 0; b < B; b++) {
          for (let t = 0; t < T; t++) {
            const qo = (b * T + t) * A;
            for (let s = 0; s < S; s++) {
              const g = G[(b * T + t) * S + s];
              if (g === 0) continue; // masked source positions get exactly zero gradient
              const ko = (b * S + s) * A;
              const eo = ((b * T + t) * S + s) * A;
              for (let a = 0; a < A; a++) {
                const e = E[eo + a];
                dV[a] += g * e;
                const d = g * V[a] * (1 - e * e);
                dQ[qo + a] += d;
                dK[ko + a] += d;
              }
            }
          }
        }
        return [tf.tensor3d(dQ, [B, T, A]), tf.tensor3d(dK, [B, S, A]), tf.tensor2d(dV, [A, 1])];
      },
    };
  });
  return op(q, k, v) as tf.Tensor3D;
}
