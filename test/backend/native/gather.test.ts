/** The native row gather on JS arrays (native/gather.c, gatherRows in the generated glue). */
import { describe, expect, it } from 'vitest';
import { bindNative } from '../../../src/backend/wasm/native.js';
import { canBuildNative } from './harness.js';

describe.skipIf(!canBuildNative())('native gatherRows', () => {
  const native = bindNative(new WebAssembly.Memory({ initial: 1, maximum: 1, shared: true }));
  if (typeof native === 'string') throw new Error(`the native kernels are not built: ${native}`);
  const gather = native.gatherRows;

  it('copies row ids[i] of the table to row i of out, for rows of any width, ids repeated', () => {
    for (const width of [1, 3, 16, 100, 129]) {
      const rows = 37;
      const table = Float32Array.from({ length: rows * width }, (_, i) => i * 0.5 - 7);
      const ids = Int32Array.from({ length: 50 }, (_, i) => (i * 13) % rows);
      const out = new Float32Array(ids.length * width);
      expect(gather(table, ids, out, width)).toBe(true);
      const want = new Float32Array(out.length);
      ids.forEach((id, i) => want.set(table.subarray(id * width, (id + 1) * width), i * width));
      expect(out).toEqual(want);
    }
  });

  it('writes nothing and says false for an index outside the table, a length that does not fit, or a wrong array type', () => {
    const table = new Float32Array(12), out = new Float32Array(8).fill(9);
    for (const ids of [[0, 3], [0, -1], [2, 0, 1]]) expect(gather(table, Int32Array.from(ids), out, 4)).toBe(false);
    expect(gather(table, Int32Array.from([0, 1]), out, 0)).toBe(false);
    expect(gather(table, Float32Array.from([0, 1]) as unknown as Int32Array, out, 4)).toBe(false);
    expect(gather(new Float64Array(12) as unknown as Float32Array, Int32Array.from([0, 1]), out, 4)).toBe(false);
    expect(out.every((v) => v === 9)).toBe(true);
    expect(gather(table, new Int32Array(0), new Float32Array(0), 4)).toBe(true); // nothing to do
  });
});
