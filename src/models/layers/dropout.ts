/**
 * SeqnetDropout: inverted dropout while training, with masks from the runtime's seeded stream
 * (backend/ops/dropout.ts, re-exported here for the layers and the trainer).
 */
import { tf } from '../../backend/index.js';
import { dropout } from '../../backend/ops/dropout.js';

export { dropout, dropoutMask, seedDropout } from '../../backend/ops/dropout.js';

export class SeqnetDropout extends tf.layers.Layer {
  static className = 'SeqnetDropout';
  readonly rate: number;
  constructor(args: { rate: number; name?: string }) {
    super(args);
    this.rate = args.rate;
    this.supportsMasking = true; // the padding mask passes through unchanged
  }
  override call(inputs: tf.Tensor | tf.Tensor[], kwargs: { training?: boolean }): tf.Tensor {
    const x = Array.isArray(inputs) ? inputs[0] : inputs;
    return dropout(x, this.rate, kwargs.training === true);
  }
  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), rate: this.rate };
  }
}
tf.serialization.registerClass(SeqnetDropout);
