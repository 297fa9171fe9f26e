import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend, tf } from '../../src/backend/index.js';
import { dropout, dropoutMask, seedDropout } from '../../src/models/layers/dropout.js';

beforeAll(async () => {
  await initBackend({ device: 'cpu', kernels: 'fast' });
});

describe('dropout', () => {
  it('masks hold 0 or 1/(1 − rate), with about `rate` of them 0', () => {
    seedDropout(3);
    const m = dropoutMask([100, 100], 0.3).dataSync();
    const zeros = m.filter((v) => v === 0).length;
    expect(m.every((v) => v === 0 || Math.abs(v - 1 / 0.7) < 1e-6)).toBe(true);
    expect(Math.abs(zeros / m.length - 0.3)).toBeLessThan(0.02);
  });

  it('the same seed draws the same masks; the stream moves on between draws', () => {
    seedDropout(7);
    const a = Array.from(dropoutMask([64], 0.5).dataSync());
    const b = Array.from(dropoutMask([64], 0.5).dataSync());
    seedDropout(7);
    expect(Array.from(dropoutMask([64], 0.5).dataSync())).toEqual(a);
    expect(b).not.toEqual(a);
  });

  it('scales kept values when training and is the identity otherwise', () => {
    const x = tf.fill([4, 8], 2);
    expect(dropout(x, 0.5, false)).toBe(x);
    const y = dropout(x, 0.5, true).dataSync();
    expect(y.every((v) => v === 0 || v === 4)).toBe(true);
  });
});
