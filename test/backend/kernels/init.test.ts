import { describe, expect, it } from 'vitest';
import { orthogonal } from '../../../src/backend/kernels/init.js';
import { Rng } from '../../../src/util/rng.js';

/** max |G - gain²·I| where G is the Gram matrix of the rows (byRows) or columns of m [r, c]. */
function gramError(m: Float32Array, r: number, c: number, byRows: boolean, gain: number): number {
  const n = byRows ? r : c;
  const len = byRows ? c : r;
  const at = (v: number, i: number) => (byRows ? m[v * c + i] : m[i * c + v]);
  let err = 0;
  for (let p = 0; p < n; p++) {
    for (let q = 0; q < n; q++) {
      let dot = 0;
      for (let i = 0; i < len; i++) dot += at(p, i) * at(q, i);
      err = Math.max(err, Math.abs(dot - (p === q ? gain * gain : 0)));
    }
  }
  return err;
}

describe('orthogonal', () => {
  it('tall: Q^T Q = gain² I', () => {
    const rng = new Rng(1);
    const q = orthogonal([40, 12], 1.5, () => rng.next());
    expect(q.length).toBe(480);
    expect(gramError(q, 40, 12, false, 1.5)).toBeLessThan(1e-5);
  });

  it('wide: Q Q^T = I (orthonormal rows, as Keras transposes)', () => {
    const rng = new Rng(2);
    const q = orthogonal([8, 32], 1, () => rng.next());
    expect(gramError(q, 8, 32, true, 1)).toBeLessThan(1e-5);
  });

  it('is seeded', () => {
    const a = new Rng(3), b = new Rng(3);
    expect(orthogonal([5, 5], 1, () => a.next())).toEqual(orthogonal([5, 5], 1, () => b.next()));
  });

  // its speed (well under a second, where tfjs' own QR takes minutes) is measured by the bench, not here
  it('initialises a 256 x 1024 recurrent kernel with unit rows', () => {
    const rng = new Rng(4);
    const q = orthogonal([256, 1024], 1, () => rng.next());
    let norm = 0;
    for (let j = 0; j < 1024; j++) norm += q[3 * 1024 + j] ** 2; // a row is a unit vector
    expect(norm).toBeCloseTo(1, 4);
  });
});
