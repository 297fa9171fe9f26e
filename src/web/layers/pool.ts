/**
 * Browser SeqnetPool: one vector per sequence from features [B, T', C], over the real positions
 * only. Real positions come from the Keras mask, or from the token ids [B, T] given as a second
 * input (after a convolution of stride s, output j is real when token j·s is; padding is at the end).
 * An all-padding row pools to zeros.
 */
import * as tf from '@tensorflow/tfjs';

type Mode = 'max' | 'mean' | 'first';

export class SeqnetPool extends tf.layers.Layer {
  static className = 'SeqnetPool';
  readonly mode: Mode;
  readonly stride: number;
  constructor(args: { mode: Mode; stride?: number; name?: string; trainable?: boolean }) {
    super({ name: args.name, trainable: args.trainable });
    this.mode = args.mode;
    this.stride = args.stride ?? 1;
    this.supportsMasking = true;
  }

  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape {
    const s = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as tf.Shape;
    return [s[0], s[2]];
  }

  override computeMask(): tf.Tensor | tf.Tensor[] {
    return null as unknown as tf.Tensor;
  }

  /** [B, T'] float: 1 where output position j reads a real token */
  private realFromIds(ids: tf.Tensor2D, Tp: number): tf.Tensor2D {
    const [B, T] = ids.shape;
    const picked = tf.stridedSlice(ids, [0, 0], [B, Math.min(T, Tp * this.stride)], [1, this.stride]) as tf.Tensor2D;
    return picked.slice([0, 0], [B, Tp]).notEqual(0).cast('float32') as tf.Tensor2D;
  }

  override call(inputs: tf.Tensor | tf.Tensor[], kwargs: { mask?: tf.Tensor | tf.Tensor[] }): tf.Tensor {
    return tf.tidy(() => {
      const list = Array.isArray(inputs) ? inputs : [inputs];
      const x = list[0] as tf.Tensor3D;
      if (this.mode === 'first') return x.slice([0, 0, 0], [-1, 1, -1]).squeeze([1]);
      const km = Array.isArray(kwargs.mask) ? kwargs.mask[0] : kwargs.mask;
      const real = list.length > 1 ? this.realFromIds(list[1] as tf.Tensor2D, x.shape[1]) : km ? km.cast('float32') : undefined;
      if (!real) return this.mode === 'max' ? x.max(1) : x.mean(1);
      const m = real.expandDims(2); // [B, T', 1]
      const count = m.sum(1); // [B, 1]
      if (this.mode === 'mean') return x.mul(m).sum(1).div(count.maximum(1));
      return x.add(m.sub(1).mul(1e9)).max(1).mul(count.greater(0).cast('float32'));
    });
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), mode: this.mode, stride: this.stride };
  }
}
