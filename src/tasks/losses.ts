/** Losses shared by the tasks, written once with their shapes. */
import { tf } from '../backend/index.js';

/**
 * Mean sparse softmax cross-entropy.
 * logits: [..., V] float32; targets: [...] int32; weights: [...] (1 counts, 0 ignored) or undefined.
 * Picks log p(target) by a gather on the flattened log-probabilities, so no [N, V] one-hot is built.
 */
export function sparseCrossEntropy(logits: tf.Tensor, targets: tf.Tensor, weights?: tf.Tensor): tf.Scalar {
  return tf.tidy(() => {
    const v = logits.shape[logits.shape.length - 1];
    const logp = tf.logSoftmax(logits.reshape([-1, v]));
    const n = logp.shape[0];
    const flatIdx = tf.range(0, n, 1, 'int32').mul(tf.scalar(v, 'int32')).add(targets.reshape([-1]).cast('int32'));
    const nll = tf.gather(logp.reshape([-1]), flatIdx).neg();
    if (!weights) return nll.mean() as tf.Scalar;
    const w = weights.reshape([-1]).cast('float32');
    return nll.mul(w).sum().div(w.sum().maximum(1)) as tf.Scalar;
  });
}
