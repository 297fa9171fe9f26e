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
import { idsMask, pool, type PoolMode } from '../../backend/ops/pool.js';

export { idsMask, pool, type PoolMode } from '../../backend/ops/pool.js';

export interface PoolArgs {
  mode: PoolMode;
  /** stride of the features relative to the token ids (convolutions), default 1 */
  stride?: number;
  name?: string;
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
