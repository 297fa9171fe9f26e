/** The cached-generation attention row (native/attn_decode.c) against its wasm twin. */
import { describe, expect, it } from 'vitest';
import { canBuildNative, maxRelDiff, twins } from './harness.js';

describe.skipIf(!canBuildNative())('native attnDecodeRow', () => {
  for (const [H, D, p] of [[4, 128, 0], [4, 128, 63], [5, 20, 7], [4, 36, 30], [1, 3, 2]]) {
    it(`H=${H} D=${D} p=${p}`, () => {
      const t = twins(H * D + p);
      const L = p + 1;
      const q = t.put(t.randn(D, 2)), k = t.put(t.randn(L * D)), v = t.put(t.randn(L * D));
      const sw = t.alloc(L), sn = t.alloc(L), cw = t.alloc(D), cn = t.alloc(D);
      t.wasm.attnDecodeRow(H, D, p, q, k, v, sw, cw);
      t.native.attnDecodeRow(H, D, p, q, k, v, sn, cn);
      expect(maxRelDiff(t.get(cn, D), t.get(cw, D))).toBeLessThan(1e-5);
      // a softmax-weighted mean of v rows: within their range, per element
      const vs = t.get(v, L * D), c = t.get(cn, D);
      for (let d = 0; d < D; d++) {
        const col = Array.from({ length: L }, (_, r) => vs[r * D + d]);
        expect(c[d]).toBeGreaterThanOrEqual(Math.min(...col) - 1e-5);
        expect(c[d]).toBeLessThanOrEqual(Math.max(...col) + 1e-5);
      }
    });
  }
});

describe.skipIf(!canBuildNative())('native decodeBlockRows', () => {
  it('is in the packed-layout group with the products it calls', async () => {
    const { loadLibrary } = await import('../../../src/backend/wasm/library.js');
    const lib = loadLibrary();
    expect(lib.native?.names).toContain('decodeBlockRows');
    expect(lib.native?.names).toContain('sgemmPacked');
  });
});
