import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tf } from '../../../src/backend/tf.js';
import { initBackend, runtime } from '../../../src/backend/index.js';
import { sparseCrossEntropy } from '../../../src/tasks/losses.js';
import { Rng } from '../../../src/util/rng.js';
import { expectClose, onReferenceKernels, randn } from '../helpers.js';

beforeAll(async () => {
  await initBackend({ device: 'cpu', kernels: 'fast' });
});
afterAll(() => runtime().setMode('fast'));

describe('sparseCrossEntropy, fused', () => {
  const targets = tf.tensor2d([[0, 4, 2], [6, 1, -1]], [2, 3], 'int32'); // 6 and −1: outside [0, 5)
  const weights = tf.tensor2d([[1, 0, 1], [1, 1, 1]], [2, 3]);
  it.each([['no weights', false], ['weights', true]] as const)('%s: loss and dlogits match the plain formula', (_, weighted) => {
    const logits = randn(new Rng(3), [2, 3, 5], 3);
    const w = weighted ? weights : undefined;
    const f = (z: tf.Tensor) => sparseCrossEntropy(z, targets, w);
    expectClose(f(logits), onReferenceKernels(() => f(logits)), 1e-5, 'loss');
    expectClose(tf.grad(f)(logits), onReferenceKernels(() => tf.grad(f)(logits)), 1e-5, 'dlogits');
  });

  it('stays finite where a target\'s probability underflows float32 (logits 300 apart)', () => {
    const logits = tf.tensor2d([[300, 0, 1, -2, 5], [0, 1, 2, 3, 4]]);
    const t = tf.tensor1d([1, 4], 'int32');
    const f = (z: tf.Tensor) => sparseCrossEntropy(z, t);
    const loss = f(logits);
    expect(Number.isFinite(loss.dataSync()[0])).toBe(true);
    expectClose(loss, onReferenceKernels(() => f(logits)), 1e-5, 'loss');
    expectClose(tf.grad(f)(logits), onReferenceKernels(() => tf.grad(f)(logits)), 1e-5, 'dlogits');
  });

  it('leaks no tensors through a gradient step', () => {
    const logits = tf.zeros([2, 3, 5]);
    const before = tf.memory().numTensors;
    tf.tidy(() => {
      tf.grad((z: tf.Tensor) => sparseCrossEntropy(z, targets, weights))(logits);
    });
    expect(tf.memory().numTensors).toBe(before);
  });
});
