/**
 * Bias and scale ops whose parameter gradients are matrix products: the building blocks of the
 * reference paths of dense and layer norm. A broadcast `x + b` over [..., C] has the gradient
 * sum(dy) over every leading axis, which the pure-JS backend computes by transposing dy first;
 * ones[1, N]·dy[N, C] runs on the fast sgemm instead. Same values as the plain ops on every backend.
 */
import { tf } from '../tf.js';

/** Σ over all leading axes of t [..., C] → [C], as one matrix product. */
function leadingSum(t: tf.Tensor): tf.Tensor1D {
  const C = t.shape[t.shape.length - 1];
  const N = t.size / C;
  return tf.matMul(tf.ones([1, N]), t.reshape([N, C])).reshape([C]) as tf.Tensor1D;
}

const addBiasOp = tf.customGrad((...args: unknown[]) => {
  const [x, b] = args as tf.Tensor[];
  return { value: tf.add(x, b), gradFunc: (dy: tf.Tensor) => [dy, leadingSum(dy)] };
});

/** x [..., C] + b [C] */
export function addBias(x: tf.Tensor, b: tf.Tensor): tf.Tensor {
  return addBiasOp(x, b) as tf.Tensor;
}

const scaleShiftOp = tf.customGrad((...args: unknown[]) => {
  const [x, g, b] = args as tf.Tensor[];
  const save = args[3] as tf.GradSaveFunc;
  save([x, g]);
  return {
    value: tf.add(tf.mul(x, g), b),
    gradFunc: (dy: tf.Tensor, [xs, gs]: tf.Tensor[]) => [tf.mul(dy, gs), leadingSum(tf.mul(dy, xs)), leadingSum(dy)],
  };
});

/** x [..., C] · g [C] + b [C] */
export function scaleShift(x: tf.Tensor, g: tf.Tensor, b: tf.Tensor): tf.Tensor {
  return scaleShiftOp(x, g, b) as tf.Tensor;
}
