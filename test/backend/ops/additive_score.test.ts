/** The additive (Bahdanau) score op: the fused path against plain tf ops, values and gradients. */
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend, runtime, tf } from '../../../src/backend/index.js';
import { additiveScores, additiveScoresReference as reference } from '../../../src/backend/ops/additive_score.js';

beforeAll(async () => {
  await initBackend({ device: 'cpu', kernels: 'fast' });
});

describe('additiveScores', () => {
  it('the fused additive score equals plain tf ops, values and gradients', () => {
    expect(runtime().fast).toBe(true); // so additiveScores takes the fused path
    const q = tf.randomNormal([2, 3, 4], 0, 1, 'float32', 1) as tf.Tensor3D;
    const k = tf.randomNormal([2, 5, 4], 0, 1, 'float32', 2) as tf.Tensor3D;
    const v = tf.randomNormal([4, 1], 0, 1, 'float32', 3) as tf.Tensor2D;
    const w = tf.randomNormal([2, 3, 5], 0, 1, 'float32', 4);
    const loss = (f: typeof reference) => (a: tf.Tensor, b: tf.Tensor, c: tf.Tensor) => f(a as tf.Tensor3D, b as tf.Tensor3D, c as tf.Tensor2D).mul(w).sum();
    const fast = tf.grads(loss(additiveScores))([q, k, v]);
    const ref = tf.grads(loss(reference))([q, k, v]);
    expect(Array.from(additiveScores(q, k, v).dataSync())).toEqual(Array.from(reference(q, k, v).dataSync()).map((x) => expect.closeTo(x, 5)));
    fast.forEach((g, i) => expect(Array.from(g.dataSync())).toEqual(Array.from(ref[i].dataSync()).map((x) => expect.closeTo(x, 5))));
  });

  it('gives a masked source position exactly zero gradient', () => {
    const q = tf.randomNormal([1, 2, 3], 0, 1, 'float32', 5) as tf.Tensor3D;
    const k = tf.randomNormal([1, 4, 3], 0, 1, 'float32', 6) as tf.Tensor3D;
    const v = tf.randomNormal([3, 1], 0, 1, 'float32', 7) as tf.Tensor2D;
    const w = tf.tensor3d([1, 1, 1, 0, 1, 1, 1, 0], [1, 2, 4]); // source position 3 masked out
    const [, dk] = tf.grads((a: tf.Tensor, b: tf.Tensor) => additiveScores(a as tf.Tensor3D, b as tf.Tensor3D, v).mul(w).sum())([q, k]);
    expect(Array.from(dk.dataSync()).slice(9)).toEqual([0, 0, 0]);
  });
});
