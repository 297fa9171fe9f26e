/**
 * The native element-wise kernels (native/elementwise.c) against their wasm twins on the same
 * memory: lengths around the vector width (16 lanes natively, 4 in wasm), in place and not, and
 * the inputs where the approximations switch branch or saturate (±0, tiny, |x| near 1/8, past
 * exp's overflow and underflow, ±Infinity, NaN).
 */
import { describe, expect, it } from 'vitest';
import { canBuildNative, maxRelDiff, twins, type Twins } from './harness.js';

// exp, sigmoid and tanh come out bit-identical; erf and GELU differ by ~1e-7 (gcc fuses 1 − (p·t)·e)
const TOL = 1e-6;
const LENGTHS = [1, 3, 15, 16, 17, 31, 33, 70, 1027];
const SPECIAL = [NaN, Infinity, -Infinity, 0, -0, 1e-30, -1e-7, 0.124, -0.126, 88.7, 88.8, -87.3, -87.4, 100, -100, 5, -5];

/** n normal floats of the given scale, the special values spread over them */
function inputs(t: Twins, n: number, scale: number): Float32Array {
  const xs = t.randn(n, scale);
  SPECIAL.forEach((v, i) => {
    if (i * 7 < n) xs[i * 7] = v;
  });
  return xs;
}

describe.skipIf(!canBuildNative())('native element-wise kernels', () => {
  it('exports them under their wasm names', () => {
    const { names } = twins();
    for (const n of ['expN', 'sigmoidN', 'tanhN', 'erfN', 'geluN', 'geluGradN', 'addArrays']) expect(names).toContain(n);
  });

  for (const name of ['expN', 'sigmoidN', 'tanhN', 'erfN', 'geluN'] as const) {
    it(`${name} matches wasm, out of place and in place`, () => {
      const t = twins(name.length);
      for (const n of LENGTHS) {
        for (const scale of [1, 30]) {
          const xs = inputs(t, n, scale);
          const src = t.put(xs), dw = t.alloc(n), dn = t.alloc(n);
          t.wasm[name](n, src, dw);
          t.native[name](n, src, dn);
          expect(maxRelDiff(t.get(dn, n), t.get(dw, n)), `n=${n} scale=${scale}`).toBeLessThan(TOL);
          expect([...t.get(src, n)].map(String)).toEqual([...xs].map(String)); // src untouched
          const iw = t.put(xs), inn = t.put(xs);
          t.wasm[name](n, iw, iw);
          t.native[name](n, inn, inn);
          expect(maxRelDiff(t.get(inn, n), t.get(iw, n)), `in place n=${n}`).toBeLessThan(TOL);
        }
      }
    });
  }

  it('expN is +Infinity past overflow, 0 past underflow, NaN for NaN, as in wasm', () => {
    const t = twins(2);
    const xs = [89, 1000, Infinity, -88, -1000, -Infinity, NaN, 0];
    const src = t.put(xs), dn = t.alloc(xs.length);
    t.native.expN(xs.length, src, dn);
    expect([...t.get(dn, xs.length)]).toEqual([Infinity, Infinity, Infinity, 0, 0, 0, NaN, 1]);
  });

  it('geluGradN matches wasm, with dst apart and dst = dy', () => {
    const t = twins(5);
    for (const n of LENGTHS) {
      const xs = inputs(t, n, 3), dys = t.randn(n);
      const x = t.put(xs);
      const dw = t.put(dys), dn = t.put(dys), ow = t.alloc(n), on = t.alloc(n);
      t.wasm.geluGradN(n, x, dw, ow);
      t.native.geluGradN(n, x, dn, on);
      expect(maxRelDiff(t.get(on, n), t.get(ow, n)), `n=${n}`).toBeLessThan(TOL);
      t.wasm.geluGradN(n, x, dw, dw);
      t.native.geluGradN(n, x, dn, dn);
      expect(maxRelDiff(t.get(dn, n), t.get(dw, n)), `in place n=${n}`).toBeLessThan(TOL);
    }
  });

  it('addArrays is exactly wasm, into dst = a', () => {
    const t = twins(6);
    for (const n of LENGTHS) {
      const a = inputs(t, n, 1e3), b = t.put(t.randn(n));
      const aw = t.put(a), an = t.put(a);
      t.wasm.addArrays(n, aw, b, aw);
      t.native.addArrays(n, an, b, an);
      expect(maxRelDiff(t.get(an, n), t.get(aw, n))).toBe(0);
    }
  });
});
