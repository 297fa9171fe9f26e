/**
 * Dropout with a seeded stream: tfjs' own layer either reuses one fixed mask (with a seed) or
 * draws from Math.random (without), so neither trains both well and reproducibly.
 */
import { tf } from '../../backend/index.js';
import { Rng } from '../../util/rng.js';

let stream = new Rng(1);

/** Reseeds every dropout mask drawn after this call (the trainer calls it with the run seed). */
export function seedDropout(seed: number): void {
  stream = new Rng(seed);
}

/** Inverted dropout on `x` when training; identity otherwise. */
export function dropout(x: tf.Tensor, rate: number, training: boolean): tf.Tensor {
  if (!training || rate <= 0) return x;
  return tf.tidy(() => {
    const keep = tf.randomUniform(x.shape, 0, 1, 'float32', stream.fork()).greaterEqual(rate);
    return x.mul(keep.cast('float32')).div(1 - rate);
  });
}

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
