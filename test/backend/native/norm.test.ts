/**
 * The native layer-norm rows (native/norm.c) against their wasm twins on the same memory: row
 * lengths around the vector width, rows off zero mean, large values, a NaN row, and the gradient's
 * dg/db adding to what they hold.
 */
import { describe, expect, it } from 'vitest';
import { canBuildNative, maxRelDiff, twins } from './harness.js';

// sums of 16 lanes natively, 4 in wasm, so the statistics differ in the last bits (~1e-7)
const TOL = 1e-5;

describe.skipIf(!canBuildNative())('native layer norm rows', () => {
  it('exports them under their wasm names', () => {
    const { names } = twins();
    for (const n of ['layerNormRows', 'layerNormGradRows']) expect(names).toContain(n);
  });

  const shapes: [number, number][] = [[1, 1], [7, 5], [3, 16], [70, 17], [5, 40], [4, 64], [2, 100]];
  for (const [N, D] of shapes) {
    for (const scale of [1, 1e3]) {
      it(`${N} rows of ${D}, scale ${scale}: values, statistics and gradients`, () => {
        const t = twins(N * D + scale);
        const x0 = t.randn(N * D, 2 * scale).map((v) => v + 3 * scale);
        if (N > 2) x0[D + (D >> 1)] = NaN; // row 1: NaN throughout, and so dg, db
        const x = t.put(x0), g = t.put(t.randn(D)), b = t.put(t.randn(D));
        const out = () => ({ y: t.alloc(N * D), mean: t.alloc(N), rstd: t.alloc(N) });
        const w = out(), n = out();
        t.wasm.layerNormRows(N, D, x, g, b, 1e-5, w.y, w.mean, w.rstd);
        t.native.layerNormRows(N, D, x, g, b, 1e-5, n.y, n.mean, n.rstd);
        expect(maxRelDiff(t.get(n.y, N * D), t.get(w.y, N * D)), 'y').toBeLessThan(TOL);
        expect(maxRelDiff(t.get(n.mean, N), t.get(w.mean, N)), 'mean').toBeLessThan(TOL);
        expect(maxRelDiff(t.get(n.rstd, N), t.get(w.rstd, N)), 'rstd').toBeLessThan(TOL);
        if (N > 2) expect(Number.isNaN(t.get(n.y, N * D)[D])).toBe(true);
        const dy = t.put(t.randn(N * D)), acc = t.randn(2 * D);
        const grads = () => ({ dx: t.alloc(N * D), dg: t.put(acc.subarray(0, D)), db: t.put(acc.subarray(D)) });
        const gw = grads(), gn = grads();
        t.wasm.layerNormGradRows(N, D, x, dy, g, w.mean, w.rstd, gw.dx, gw.dg, gw.db);
        t.native.layerNormGradRows(N, D, x, dy, g, w.mean, w.rstd, gn.dx, gn.dg, gn.db);
        expect(maxRelDiff(t.get(gn.dx, N * D), t.get(gw.dx, N * D)), 'dx').toBeLessThan(TOL);
        expect(maxRelDiff(t.get(gn.dg, D), t.get(gw.dg, D)), 'dg').toBeLessThan(TOL);
        expect(maxRelDiff(t.get(gn.db, D), t.get(gw.db, D)), 'db').toBeLessThan(TOL);
      });
    }
  }
});
