/**
 * The native conv → relu → max-pool backward (native/convpool.c) against its wasm twin on the same
 * memory: windows cut by either end of the sequence, runs of k·C floats around the vector width,
 * skipped (b, f) pairs (no argmax, or a zero gradient), and accumulation into dwt, dx and db.
 */
import { describe, expect, it } from 'vitest';
import { canBuildNative, maxRelDiff, twins } from './harness.js';

describe.skipIf(!canBuildNative())('native convPoolGrad', () => {
  it('is exported under its wasm name', () => expect(twins().names).toContain('convPoolGrad'));

  for (const [B, T, C, k, F, left] of [[3, 20, 3, 5, 7, 2], [2, 9, 16, 3, 4, 1], [2, 30, 17, 4, 5, 0], [1, 4, 33, 7, 3, 3]]) {
    it(`B=${B} T=${T} C=${C} k=${k} F=${F} left=${left}`, () => {
      const t = twins(B * T * C + k);
      const x = t.put(t.randn(B * T * C)), wt = t.put(t.randn(F * k * C));
      const arg = t.alloc(B * F);
      new Int32Array(t.heap().buffer, arg, B * F).set(Array.from({ length: B * F }, (_, i) => (i % 5 === 4 ? -1 : (i * 7) % T)));
      const dyv = t.randn(B * F);
      dyv[1] = 0;
      const dy = t.put(dyv);
      const init = [t.randn(F * k * C), t.randn(B * T * C), t.randn(F)];
      const [ww, xw, bw] = init.map((v) => t.put(v)), [wn, xn, bn] = init.map((v) => t.put(v));
      t.wasm.convPoolGrad(B, T, C, k, F, left, x, wt, arg, dy, ww, xw, bw);
      t.native.convPoolGrad(B, T, C, k, F, left, x, wt, arg, dy, wn, xn, bn);
      expect(maxRelDiff(t.get(wn, F * k * C), t.get(ww, F * k * C)), 'dwt').toBeLessThan(1e-6);
      expect(maxRelDiff(t.get(xn, B * T * C), t.get(xw, B * T * C)), 'dx').toBeLessThan(1e-6);
      expect(maxRelDiff(t.get(bn, F), t.get(bw, F)), 'db').toBe(0);
      expect(maxRelDiff(t.get(bn, F), Float32Array.from(init[2]))).toBeGreaterThan(0); // it did add
    });
  }
});
