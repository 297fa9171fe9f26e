/**
 * SeqnetPool: one vector per sequence from [B, T, C] features, ignoring padding.
 *   max  — the largest value of each channel over real positions
 *   mean — the average over real positions
 *   first — position 0 (the [CLS] position of a transformer)
 * Which positions are real comes either from the Keras mask that flows with the features, or,
 * for layers that drop the mask (convolutions), from the token ids given as a second input:
 * output position j of a convolution with stride s is real when token j·s is (padding sits at the end).
 */
import { tf } from '../../backend/index.js';

export type PoolMode = 'max' | 'mean' | 'first';

export interface PoolArgs {
  mode: PoolMode;
  /** stride of the features relative to the token ids (convolutions), default 1 */
  stride?: number;
  name?: string;
}

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

export class SeqnetPool extends tf.layers.Layer {
  static className = 'SeqnetPool';
  readonly mode: PoolMode;
  readonly stride: number;
  constructor(args: PoolArgs) {
    super({ name: args.name });
    this.mode = args.mode;
    this.stride = args.stride ?? 1;
    this.supportsMasking = true;
  }

  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape {
    const s = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as tf.Shape;
    return [s[0], s[2]];
  }

  override computeMask(): tf.Tensor | tf.Tensor[] {
    return null as unknown as tf.Tensor; // one vector per sequence: nothing left to mask
  }

  /** inputs: features [B, T', C], or [features, token ids [B, T]] */
  override call(inputs: tf.Tensor | tf.Tensor[], kwargs: { mask?: tf.Tensor | tf.Tensor[] }): tf.Tensor {
    return tf.tidy(() => {
      const list = Array.isArray(inputs) ? inputs : [inputs];
      const x = list[0] as tf.Tensor3D;
      let mask: tf.Tensor2D | null = null;
      if (list.length > 1) {
        mask = idsMask(list[1] as tf.Tensor2D, x.shape[1], this.stride);
      } else {
        const m = Array.isArray(kwargs.mask) ? kwargs.mask[0] : kwargs.mask;
        if (m) mask = m.cast('float32') as tf.Tensor2D;
      }
      return pool(x, mask, this.mode);
    });
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), mode: this.mode, stride: this.stride };
  }
}
tf.serialization.registerClass(SeqnetPool);
