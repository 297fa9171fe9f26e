/** The native row add on JS arrays (native/add_rows.c, addRows in the generated glue). */
import { describe, expect, it } from 'vitest';
import { bindNative } from '../../../src/backend/wasm/native.js';
import { canBuildNative } from './harness.js';

describe.skipIf(!canBuildNative())('native addRows', () => {
  const native = bindNative(new WebAssembly.Memory({ initial: 1, maximum: 1, shared: true }));
  if (typeof native === 'string') throw new Error(`the native kernels are not built: ${native}`);

  it('adds b to every row of a (b as long as a row, as a, or one float), in place too', () => {
    for (const [n, nb] of [[12, 4], [37, 37], [5, 1], [1000, 100], [0, 3]]) {
      const a = Float32Array.from({ length: n }, (_, i) => i * 0.25 - 3), b = Float32Array.from({ length: nb }, (_, j) => j * 10 + 0.5);
      const want = a.map((v, i) => v + b[i % nb]);
      const out = new Float32Array(n);
      expect(native.addRows(a, b, out)).toBe(true);
      expect(out).toEqual(want);
      expect(native.addRows(a, b, a)).toBe(true);
      expect(a).toEqual(want);
    }
  });

  it('writes nothing and says false when the lengths do not fit or an array is not float32', () => {
    const out = new Float32Array(6).fill(7);
    expect(native.addRows(new Float32Array(6), new Float32Array(4), out)).toBe(false); // 4 does not divide 6
    expect(native.addRows(new Float32Array(6), new Float32Array(0), out)).toBe(false);
    expect(native.addRows(new Float32Array(5), new Float32Array(1), out)).toBe(false); // out of another length
    expect(native.addRows(new Float64Array(6) as unknown as Float32Array, new Float32Array(2), out)).toBe(false);
    expect(out.every((v) => v === 7)).toBe(true);
  });
});
