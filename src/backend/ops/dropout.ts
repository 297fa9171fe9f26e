/**
 * Dropout masks from the runtime's seeded stream: tfjs' own layer either reuses one fixed mask
 * (with a seed) or draws from Math.random (without), so neither trains both well and
 * reproducibly. Masks are drawn in JS (mulberry32, a few ns a value; tf.randomUniform's seeded
 * generator is several times slower), the same on every backend and kernel mode, so a fused op
 * that draws its masks here (the transformer block) draws what the composed ops would.
 */
import { runtime } from '../runtime.js';
import { tf } from '../tf.js';

/** Reseeds every dropout mask drawn after this call (the trainer calls it with the run seed). */
export function seedDropout(seed: number): void {
  runtime().seedDropout(seed);
}

/** A dropout multiplier of `shape`: each value 1/(1 − rate) with probability 1 − rate, else 0. */
export function dropoutMask(shape: number[], rate: number): tf.Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  const out = new Float32Array(n);
  const keep = 1 / (1 - rate);
  let s = runtime().dropout.fork() >>> 0;
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
