/** The native sum of squares on JS arrays (native/sum_squares.c, sumSquares in the generated glue) against the JS loop. */
import { describe, expect, it } from 'vitest';
import { bindNative } from '../../../src/backend/wasm/native.js';
import { canBuildNative } from './harness.js';

const jsSum = (a: Float32Array) => a.reduce((s, v) => s + v * v, 0);

describe.skipIf(!canBuildNative())('native sumSquares', () => {
  const native = bindNative(new WebAssembly.Memory({ initial: 1, maximum: 1, shared: true }));
  if (typeof native === 'string') throw new Error(`the native kernels are not built: ${native}`);

  it('sums squares in double precision, lanes and tail alike, the same every time', () => {
    for (const n of [0, 1, 7, 8, 9, 1000, 4099]) {
      const a = Float32Array.from({ length: n }, (_, i) => Math.sin(i * 1.7) * (1 + (i % 13)));
      const got = native.sumSquares(a);
      expect(Math.abs(got - jsSum(a))).toBeLessThanOrEqual(1e-13 * jsSum(a)); // f64 sums in another order
      expect(native.sumSquares(a)).toBe(got);
    }
    // a sum float32 accumulation would lose: ones after 4096² = 2²⁴ (float32 would stay at 2²⁴)
    const big = new Float32Array(100_001).fill(1);
    big[0] = 4096;
    expect(native.sumSquares(big)).toBe(2 ** 24 + 100_000);
    // on a view: only its own elements
    const base = Float32Array.from([5, 1, 2, 3, 5]);
    expect(native.sumSquares(base.subarray(1, 4))).toBe(14);
  });

  it('says -1 for anything but a float32 array, and passes NaN through', () => {
    expect(native.sumSquares(new Float64Array(3) as unknown as Float32Array)).toBe(-1);
    expect(native.sumSquares([1, 2] as unknown as Float32Array)).toBe(-1);
    expect(Number.isNaN(native.sumSquares(Float32Array.from([1, NaN, 2])))).toBe(true);
  });
});
