/** The layer norm op: the fused path against the plain formula, values and gradients. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tf } from '../../../src/backend/tf.js';
import { initBackend, runtime } from '../../../src/backend/index.js';
import { layerNormFused } from '../../../src/backend/ops/layer_norm.js';
import { Rng } from '../../../src/util/rng.js';
import { expectClose, onReferenceKernels, randn, spreadOverTwoThreads } from '../helpers.js';

beforeAll(async () => {
  await initBackend({ device: 'cpu', kernels: 'fast' });
});
afterAll(() => runtime().setMode('fast'));

const refNorm = (x: tf.Tensor, g: tf.Tensor, b: tf.Tensor, eps: number) => {
  const c = x.sub(x.mean(-1, true));
  return c.mul(tf.rsqrt(c.square().mean(-1, true).add(eps))).mul(g).add(b);
};
const NORM_SHAPES = [[[3, 5, 8]], [[4, 7]], [[2, 1, 3, 16]], [[40, 24]]];
function checkNorm(shape: number[]): void {
  const rng = new Rng(shape.length * 7 + shape[shape.length - 1]);
  const D = shape[shape.length - 1];
  const x = randn(rng, shape, 2).add(0.5);
  const g = randn(rng, [D]).add(1), b = randn(rng, [D]);
  const w = randn(rng, shape);
  const loss = (f: typeof refNorm) => (xx: tf.Tensor, gg: tf.Tensor, bb: tf.Tensor) => f(xx, gg, bb, 1e-5).mul(w).sum();
  const fast = tf.grads(loss(layerNormFused))([x, g, b]);
  const ref = onReferenceKernels(() => tf.grads(loss(refNorm))([x, g, b]));
  expectClose(layerNormFused(x, g, b, 1e-5), onReferenceKernels(() => refNorm(x, g, b, 1e-5)), 1e-5, 'y');
  ['dx', 'dgamma', 'dbeta'].forEach((what, i) => expectClose(fast[i], ref[i], 1e-4, what));
}

describe('layerNormFused', () => {
  it.each(NORM_SHAPES)('matches the plain formula for %j: values and gradients', (shape) => checkNorm(shape));

  it('leaks no tensors through a gradient step', () => {
    const x = tf.ones([2, 4]), g = tf.ones([4]), b = tf.zeros([4]);
    const before = tf.memory().numTensors;
    tf.tidy(() => {
      tf.grads((a: tf.Tensor) => layerNormFused(a, g, b, 1e-3).sum())([x]);
    });
    expect(tf.memory().numTensors).toBe(before);
  });
});

describe('layer norm with rows spread over two threads', () => {
  beforeAll(spreadOverTwoThreads);
  afterAll(() => runtime().configureThreads());
  it('has a ready worker', () => expect(runtime().activeThreads()).toBe(2));
  it.each(NORM_SHAPES)('layer norm %j: same values and gradients', (shape) => checkNorm(shape));
});
