/**
 * Global pooling over the real positions of a sequence (padding excluded): the reference half of
 * the conv-pool op and what SeqnetPool (models/layers/pooling.ts) computes.
 */
import { tf } from '../tf.js';

export type PoolMode = 'max' | 'mean' | 'first';

/** features [B, T, C], mask [B, T] float (1 real, 0 padding) or null → [B, C] */
export function pool(x: tf.Tensor3D, mask: tf.Tensor2D | null, mode: PoolMode): tf.Tensor2D {
  return tf.tidy(() => {
    if (mode === 'first') return x.slice([0, 0, 0], [-1, 1, -1]).squeeze([1]) as tf.Tensor2D;
    if (!mask) return (mode === 'max' ? x.max(1) : x.mean(1)) as tf.Tensor2D;
    const m = mask.expandDims(2); // [B, T, 1]
    // an all-padding row pools to zeros rather than -1e9
    if (mode === 'max') return x.add(m.sub(1).mul(1e9)).max(1).mul(m.sum(1).greater(0).cast('float32')) as tf.Tensor2D;
    return x.mul(m).sum(1).div(m.sum(1).maximum(1)) as tf.Tensor2D;
  });
}

/**
 * ids [B, T] (0 = padding) → mask [B, T'] float (1 real, 0 padding) of the T' outputs of a
 * convolution with stride s: output j is real when token j·s is.
 */
export function idsMask(ids: tf.Tensor2D, Tp: number, stride: number): tf.Tensor2D {
  return tf.tidy(() => {
    const [B, T] = ids.shape;
    const picked = ids.stridedSlice([0, 0], [B, Math.min(T, Tp * stride)], [1, stride]) as tf.Tensor2D;
    return picked.slice([0, 0], [B, Tp]).notEqual(0).cast('float32') as tf.Tensor2D;
  });
}
