/**
 * Dropout with a seeded stream: tfjs' own layer either reuses one fixed mask (with a seed) or
 * draws from Math.random (without), so neither trains both well and reproducibly. Masks are
 * drawn in JS (mulberry32, a few ns a value; tf.randomUniform's seeded generator is several
 * times slower), the same on every backend and kernel set.
 */
import { tf } from '../../backend/index.js';
import { Rng } from '../../util/rng.js';

let stream = new Rng(1);

/** Reseeds every dropout mask drawn after this call (the trainer calls it with the run seed). */
export function seedDropout(seed: number): void {
  stream = new Rng(seed);
}

/** A dropout multiplier of `shape`: each value 1/(1 − rate) with probability 1 − rate, else 0. */
export function dropoutMask(shape: number[], rate: number): tf.Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  const out = new Float32Array(n);
  const keep = 1 / (1 - rate);
  let s = stream.fork() >>> 0;
  for (let i = 0; i < n; i++) {
    // mulberry32, inlined (as util/rng.ts)
    let t = (s = (s + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    out[i] = ((t ^ (t >>> 14)) >>> 0) / 4294967296 >= rate ? keep : 0;
  }
  return tf.tensor(out, shape, 'float32');
}

/** Inverted dropout on `x` when training; identity otherwise. */
export function dropout(x: tf.Tensor, rate: number, training: boolean): tf.Tensor {
  if (!training || rate <= 0) return x;
  return tf.tidy(() => x.mul(dropoutMask(x.shape, rate)));
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
