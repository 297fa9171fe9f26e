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

/** best and arg of convMaxRows computed plainly in f64: the masked max over t of the window products. */
function plainConvMax(B: number, T: number, C: number, k: number, F: number, Lp: number, xs: Float32Array, w: Float32Array, ids: Int32Array) {
  const best = new Float32Array(B * F).fill(-Infinity), arg = new Int32Array(B * F).fill(-1);
  for (let b = 0; b < B; b++) {
    for (let t = 0; t < Lp - k + 1; t++) {
      if (ids[b * T + t] === 0) continue;
      for (let f = 0; f < F; f++) {
        let y = 0;
        for (let i = 0; i < k * C; i++) y += xs[(b * Lp + t) * C + i] * w[i * F + f];
        if (y > best[b * F + f]) {
          best[b * F + f] = y;
          arg[b * F + f] = t;
        }
      }
    }
  }
  return { best, arg };
}

describe.skipIf(!canBuildNative())('native convMaxRows', () => {
  it('is exported under its wasm name', () => expect(twins().names).toContain('convMaxRows'));

  // [B, T, C, k, F, Lp]: Lp > T where 'same' padding adds zero rows; F around the 16-float padding
  // and the register tiles' widths; output positions not a multiple of a tile's rows
  for (const [B, T, C, k, F, Lp] of [[3, 20, 3, 5, 7, 24], [2, 9, 16, 3, 37, 9], [3, 30, 17, 4, 100, 33], [2, 4, 33, 4, 16, 4], [2, 13, 5, 2, 70, 13]]) {
    it(`B=${B} T=${T} C=${C} k=${k} F=${F} Lp=${Lp}: both twins give the plain masked max and its first position`, () => {
      const t = twins(B * T + F);
      const Fp = Math.ceil(F / 16) * 16, K = k * C;
      const xs = new Float32Array((B * Lp + 8) * C);
      xs.set(t.randn(B * Lp * C));
      const w = t.randn(K * F, 0.3);
      const wp = new Float32Array(K * Fp);
      for (let r = 0; r < K; r++) wp.set(w.subarray(r * F, (r + 1) * F), r * Fp);
      // row 0 real, row 1 padding from position 2 on, the last row all padding
      const ids = Int32Array.from({ length: B * T }, (_, i) => (Math.floor(i / T) === B - 1 || (Math.floor(i / T) === 1 && i % T >= 2) ? 0 : 3 + (i % 5)));
      const want = plainConvMax(B, T, C, k, F, Lp, xs, w, ids);
      const px = t.put(xs), pw = t.put(wp), pids = t.alloc(B * T);
      new Int32Array(t.heap().buffer, pids, B * T).set(ids);
      for (const [name, lib] of [['wasm', t.wasm], ['native', t.native]] as const) {
        const best = t.alloc(B * F), arg = t.alloc(B * F), ws = t.alloc(2 * Fp + 32);
        lib.convMaxRows(0, 1, T, C, k, F, Lp, Lp - k + 1, px, pw, pids, best, arg, ws); // two calls: batch rows [0, 1) and [1, B)
        lib.convMaxRows(1, B, T, C, k, F, Lp, Lp - k + 1, px, pw, pids, best, arg, ws);
        expect(maxRelDiff(t.get(best, B * F), want.best), `${name} best`).toBeLessThan(1e-5);
        expect(Array.from(new Int32Array(t.heap().buffer, arg, B * F)), `${name} arg`).toEqual(Array.from(want.arg));
      }
      expect(want.arg.slice((B - 1) * F).every((a) => a === -1)).toBe(true); // the all-padding row
    });
  }
});

describe.skipIf(!canBuildNative())('native gemmRows', () => {
  it('is exported under its wasm name', () => expect(twins().names).toContain('gemmRows'));

  // [M, N, K, lda, ldc]: N within one 16-float row, across several, and on the register tiles'
  // edges; row counts that leave single rows after the tiles; strides wider than the matrices
  for (const [M, N, K, lda, ldc] of [[13, 8, 19, 19, 8], [9, 1, 5, 7, 3], [21, 37, 12, 12, 40], [7, 70, 3, 5, 70], [11, 16, 33, 33, 16]]) {
    it(`M=${M} N=${N} K=${K} lda=${lda} ldc=${ldc}: both twins give the plain product, only in C's N columns`, () => {
      const t = twins(M * N + K);
      const Np = Math.ceil(N / 16) * 16;
      const a = t.randn(M * lda), b = t.randn(K * N);
      const bp = new Float32Array(K * Np);
      for (let k = 0; k < K; k++) bp.set(b.subarray(k * N, (k + 1) * N), k * Np);
      const c0 = t.randn(M * ldc); // what C holds before: kept outside the N columns
      const want = Float32Array.from(c0);
      for (let i = 0; i < M; i++) {
        for (let j = 0; j < N; j++) {
          let s = 0;
          for (let k = 0; k < K; k++) s += a[i * lda + k] * b[k * N + j];
          want[i * ldc + j] = s;
        }
      }
      const pa = t.put(a), pb = t.put(bp);
      for (const [name, lib] of [['wasm', t.wasm], ['native', t.native]] as const) {
        const pc = t.put(c0), ws = t.alloc(32);
        lib.gemmRows(0, 5, N, K, pa, lda, pb, pc, ldc, ws); // two calls: rows [0, 5) and [5, M)
        lib.gemmRows(5, M, N, K, pa, lda, pb, pc, ldc, ws);
        expect(maxRelDiff(t.get(pc, M * ldc), want), name).toBeLessThan(1e-5);
      }
    });
  }
});
