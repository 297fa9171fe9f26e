import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend, tf } from '../../src/backend/index.js';
import { clipByGlobalNorm } from '../../src/train/optim.js';

beforeAll(async () => {
  await initBackend({ device: 'cpu', kernels: 'fast' });
});

describe('clipByGlobalNorm', () => {
  // |(3, 4, 12)| = 13
  const grads = () => ({ a: tf.tensor1d([3, 4]), b: tf.tensor2d([[12]]) });

  it('returns the global norm and leaves gradients under the limit alone', () => {
    const g = grads();
    expect(clipByGlobalNorm(g, 20)).toBeCloseTo(13, 5);
    expect(Array.from(g.a.dataSync())).toEqual([3, 4]);
  });

  it('scales every gradient by limit / norm when over the limit', () => {
    const g = grads();
    expect(clipByGlobalNorm(g, 6.5)).toBeCloseTo(13, 5);
    expect(Array.from(g.a.dataSync())).toEqual([1.5, 2]);
    expect(Array.from(g.b.dataSync())).toEqual([6]);
  });

  it('only measures when clipping is off', () => {
    const g = grads();
    expect(clipByGlobalNorm(g, null)).toBeCloseTo(13, 5);
    expect(Array.from(g.b.dataSync())).toEqual([12]);
  });
});
