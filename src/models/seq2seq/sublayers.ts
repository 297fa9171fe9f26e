/**
 * Helpers for the seq2seq layers, which own sub-layers (SeqnetRecurrent, the attention) the way
 * Keras' Bidirectional owns its two RNNs: the outer layer lists the sub-layers' weights as its own.
 */
import { tf } from '../../backend/index.js';
import { Rng } from '../../util/rng.js';

/** a weight initializer (tfjs does not export the class type) */
export type Init = ReturnType<typeof tf.initializers.zeros>;

/**
 * Builds `inner` by applying it once to a tiny probe input. tfjs builds a layer inside its own name
 * scope and the outer layer's build already runs inside the outer one, so the weights are saved as
 * `outer/inner/kernel` — unique, and found again when the model is loaded.
 */
export function buildSublayer(inner: tf.layers.Layer, probe: () => tf.Tensor | tf.Tensor[]): void {
  tf.tidy(() => {
    inner.apply(probe());
  });
}

/** Weights of `own` followed by those of every sub-layer, in a fixed order. */
export function withSublayers(own: tf.LayerVariable[], subs: readonly tf.layers.Layer[], which: 'trainable' | 'nonTrainable'): tf.LayerVariable[] {
  return [...own, ...subs.flatMap((l) => (which === 'trainable' ? l.trainableWeights : l.nonTrainableWeights))];
}

/** Glorot-uniform kernel initializer, seeded from `rng`. */
export function glorot(rng: Rng): Init {
  return tf.initializers.glorotUniform({ seed: rng.fork() });
}

/** Embedding rows uniform in ±0.05 (the Keras default), seeded. */
export function embeddingInit(rng: Rng): Init {
  return tf.initializers.randomUniform({ minval: -0.05, maxval: 0.05, seed: rng.fork() });
}

/** x [B, T, D] · kernel [D, N] + bias [N] → [B, T, N] (one 2-D product). */
export function dense3d(x: tf.Tensor, kernel: tf.Tensor, bias?: tf.Tensor): tf.Tensor3D {
  const [B, T, D] = x.shape as [number, number, number];
  const N = kernel.shape[1]!;
  let y = tf.matMul(x.reshape([B * T, D]), kernel as tf.Tensor2D);
  if (bias) y = y.add(bias);
  return y.reshape([B, T, N]) as tf.Tensor3D;
}
