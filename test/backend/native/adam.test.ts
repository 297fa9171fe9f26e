/** The native Adam update on JS arrays (native/adam.c) against the JS loop it stands in for: bit for bit. */
import { describe, expect, it } from 'vitest';
import { updateJs } from '../../../src/backend/adam.js';
import { bindNative } from '../../../src/backend/wasm/native.js';
import { Rng } from '../../../src/util/rng.js';
import { canBuildNative } from './harness.js';

describe.skipIf(!canBuildNative())('native adamUpdate', () => {
  const native = bindNative(new WebAssembly.Memory({ initial: 1, maximum: 1, shared: true }));
  if (typeof native === 'string') throw new Error(`the native kernels are not built: ${native}`);
  const rng = new Rng(6);
  const arr = (n: number, scale: number) => Float32Array.from({ length: n }, () => rng.normal() * scale);
  const hyper = [0.9, 0.999, 1e-3 / (1 - 0.9 ** 3), 1 / (1 - 0.999 ** 3), 1e-7] as const;

  it('gives the JS loop\'s moments and weights exactly, into new arrays and in place', () => {
    for (const n of [1, 7, 16, 1000, 4099]) {
      const g = arr(n, 0.1), m = arr(n, 0.01), v = arr(n, 0.001).map(Math.abs), w = arr(n, 1);
      const want = [new Float32Array(n), new Float32Array(n), new Float32Array(n)];
      updateJs(g, m, v, w, want[0], want[1], want[2], ...hyper);
      const got = [new Float32Array(n), new Float32Array(n), new Float32Array(n)];
      expect(native.adamUpdate(g, m, v, w, got[0], got[1], got[2], ...hyper)).toBe(true);
      got.forEach((a, i) => expect(a).toEqual(want[i]));
      const [mi, vi, wi] = [m.slice(), v.slice(), w.slice()];
      expect(native.adamUpdate(g, mi, vi, wi, mi, vi, wi, ...hyper)).toBe(true);
      [mi, vi, wi].forEach((a, i) => expect(a).toEqual(want[i]));
    }
  });

  it('writes nothing and says false for arrays of different lengths or types', () => {
    const a = new Float32Array(4), out = new Float32Array(4).fill(3), short = new Float32Array(3);
    expect(native.adamUpdate(a, a, a, a, out, out, short, ...hyper)).toBe(false);
    expect(native.adamUpdate(a, a, a, new Float64Array(4) as unknown as Float32Array, out, out, out, ...hyper)).toBe(false);
    expect(out.every((x) => x === 3)).toBe(true);
  });
});
