/** Losses shared by the tasks, written once with their shapes. */
import { tf } from '../backend/index.js';
import { crossEntropyFused, fastKernelsActive } from '../backend/kernels/index.js';

/**
 * Mean sparse softmax cross-entropy.
 * logits: [..., V] float32; targets: [...] int32; weights: [...] (1 counts, 0 ignored) or undefined.
 * Picks log p(target) with a one-hot product: linear in N·V on every backend, where a gather's
 * gradient (UnsortedSegmentSum) costs O((N·V)²) on the pure-JS reference kernels.
 */
export function sparseCrossEntropy(logits: tf.Tensor, targets: tf.Tensor, weights?: tf.Tensor): tf.Scalar {
  return tf.tidy(() => {
    const v = logits.shape[logits.shape.length - 1];
    if (fastKernelsActive() && logits.dtype === 'float32') {
      // pure-JS path: one fused op (backend/kernels/loss.ts), the same value and gradient
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
