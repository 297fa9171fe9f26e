/**
 * The native attention kernels (native/attention.c, native/attn_loop.c) against their wasm twins
 * on the same memory: the row kernels on strided rows whose length is not a multiple of the
 * vector width, with and without a bias (one repeated row or one per row) and dropout rows, and
 * the per-head loops (plain and causal, T not a multiple of the causal block, bias per batch row
 * or per query, a dropout mask, a NaN in one head's queries), over batch-row ranges.
 */
import { describe, expect, it } from 'vitest';
import { canBuildNative, maxRelDiff, twins, type Twins } from './harness.js';

// the rows: ~1e-7 (sums in another order); the loops: products of K ≤ 70 in another order
const TOL = 1e-5;

/** a copy of the floats at p, for the second twin to work on */
const clone = (t: Twins, p: number, n: number): number => t.put(t.get(p, n));

describe.skipIf(!canBuildNative())('native attention row kernels', () => {
  it('exports them under their wasm names', () => {
    const { names } = twins();
    for (const n of ['softmaxRows', 'softmaxGradRows', 'mulRows', 'attnForward', 'attnBackward']) expect(names).toContain(n);
  });

  const shapes: [number, number][] = [[1, 1], [3, 7], [5, 16], [70, 17], [9, 37], [2, 70]];
  for (const [rows, cols] of shapes) {
    it(`softmaxRows ${rows}x${cols} in rows ${cols + 3} apart: no bias, one bias row, a bias per row`, () => {
      const t = twins(rows * 100 + cols);
      const ld = cols + 3, n = rows * ld;
      const s0 = t.randn(n, 8);
      s0[0] = 60; // large scores
      if (rows > 2) s0[2 * ld + (cols >> 1)] = NaN; // the whole of row 2 becomes NaN
      const b = t.randn(rows * (cols + 5));
      b[cols + 5] = -1e9; // a masked key in bias row 1
      for (const [bias, stride] of [[0, 0], [t.put(b), 0], [t.put(b), cols + 5]]) {
        const sw = t.put(s0), sn = t.put(s0);
        t.wasm.softmaxRows(rows, cols, ld, sw, bias, stride);
        t.native.softmaxRows(rows, cols, ld, sn, bias, stride);
        const got = t.get(sn, n);
        expect(maxRelDiff(got, t.get(sw, n)), `bias=${bias !== 0} stride=${stride}`).toBeLessThan(TOL);
        if (rows > 2) expect(Number.isNaN(got[2 * ld])).toBe(true);
        expect(got[cols]).toBe(s0[cols]); // the gap between rows is untouched
      }
    });

    it(`softmaxGradRows and mulRows ${rows}x${cols}, in place and not`, () => {
      const t = twins(rows * 31 + cols);
      const ld = cols + 3, n = rows * ld;
      const p = t.put(t.randn(n).map(Math.abs)), dp0 = t.randn(n, 4);
      const dw = t.put(dp0), dn = t.put(dp0), ow = t.alloc(n), on = t.alloc(n);
      t.wasm.softmaxGradRows(rows, cols, ld, p, dw, ow);
      t.native.softmaxGradRows(rows, cols, ld, p, dn, on);
      expect(maxRelDiff(t.get(on, n), t.get(ow, n))).toBeLessThan(TOL);
      t.wasm.softmaxGradRows(rows, cols, ld, p, dw, dw);
      t.native.softmaxGradRows(rows, cols, ld, p, dn, dn);
      expect(maxRelDiff(t.get(dn, n), t.get(dw, n))).toBeLessThan(TOL);
      const m = t.put(t.randn(rows * 2 * cols));
      for (const stride of [0, 2 * cols]) {
        const aw = t.put(dp0), an = t.put(dp0);
        t.wasm.mulRows(rows, cols, ld, aw, m, stride, aw);
        t.native.mulRows(rows, cols, ld, an, m, stride, an);
        expect(maxRelDiff(t.get(an, n), t.get(aw, n))).toBe(0);
      }
    });
  }
});

describe.skipIf(!canBuildNative())('native attention loops', () => {
  // [B, T, D, H, causal, bias, mask]: bias 'key' is [B, 1, 1, T] (biasB = T, biasQ = 0), 'query' [1, T, 1, T]
  const cases: [number, number, number, number, boolean, 'none' | 'key' | 'query', boolean][] = [
    [2, 5, 8, 2, false, 'none', false], [3, 37, 24, 3, true, 'none', false], [2, 37, 16, 2, false, 'key', true],
    [2, 70, 32, 4, true, 'query', true], [1, 16, 16, 1, true, 'key', false], [2, 33, 20, 5, false, 'query', false],
  ];
  for (const [B, T, D, H, causal, biasKind, withMask] of cases) {
    it(`B=${B} T=${T} D=${D} H=${H} causal=${causal} bias=${biasKind} mask=${withMask}: forward and backward`, () => {
      const t = twins(B * T + D + H);
      const hc = H | (causal ? 1 << 16 : 0);
      const qkv0 = t.randn(B * T * 3 * D);
      if (biasKind === 'none') qkv0[(T - 1) * 3 * D + 1] = NaN; // one query of head 0 in the last row
      const qkv = t.put(qkv0);
      const biasB = biasKind === 'key' ? T : 0, biasQ = biasKind === 'query' ? T : 0;
      const b = t.randn(biasKind === 'key' ? B * T : T * T);
      b[1] = -1e9;
      const bias = biasKind === 'none' ? 0 : t.put(b);
      const mask = withMask ? t.put(Float32Array.from({ length: B * T * H * T }, (_, i) => (i % 3 ? 1.25 : 0))) : 0;
      const PT = B * H * T * T, CT = B * T * D;
      const run = (k: typeof t.wasm, ws: number, ranges: [number, number][]) => {
        const P = t.alloc(PT), Pd = t.alloc(PT), dP = t.alloc(PT), ctx = t.alloc(CT);
        const dqkv = t.put(t.randn(3 * CT)); // overwritten (dq, and dk/dv when not causal) or zeroed first (causal)
        for (const [b0, b1] of ranges) k.attnForward(b0, b1, T, D, hc, qkv, bias, biasB, biasQ, mask, P, Pd, ctx, ws);
        return { P, Pd, dP, ctx, dqkv };
      };
      const w = run(t.wasm, t.alloc(t.wasm.workspaceBytes() / 4), [[0, B]]);
      const nws = t.alloc(t.native.workspaceBytes() / 4);
      const n = run(t.native, nws, B > 1 ? [[0, 1], [1, B]] : [[0, B]]);
      expect(maxRelDiff(t.get(n.P, PT), t.get(w.P, PT)), 'P').toBeLessThan(TOL);
      if (withMask) expect(maxRelDiff(t.get(n.Pd, PT), t.get(w.Pd, PT)), 'Pd').toBeLessThan(TOL);
      expect(maxRelDiff(t.get(n.ctx, CT), t.get(w.ctx, CT)), 'ctx').toBeLessThan(TOL);
      if (biasKind === 'none') expect(Number.isNaN(t.get(n.ctx, CT)[(T - 1) * D])).toBe(true);
      // backward from the same P (the wasm one) and dctx
      const dctx = t.put(t.randn(CT));
      const wdq = clone(t, n.dqkv, 3 * CT), ndq = clone(t, n.dqkv, 3 * CT);
      t.wasm.attnBackward(0, B, T, D, hc, qkv, mask, w.P, w.Pd, w.dP, dctx, wdq, t.alloc(t.wasm.workspaceBytes() / 4));
      t.native.attnBackward(0, B, T, D, hc, qkv, mask, w.P, n.Pd, n.dP, dctx, ndq, nws);
      expect(maxRelDiff(t.get(ndq, 3 * CT), t.get(wdq, 3 * CT)), 'dqkv').toBeLessThan(TOL);
      expect(maxRelDiff(t.get(n.dP, PT), t.get(w.dP, PT)), 'dS').toBeLessThan(TOL);
    });
  }
});
