/**
 * The native products (native/sgemm.c) against their wasm twins on the same memory: plain and
 * transposed operands, edge tiles, K past one block, accumulate, alpha, strided C, and the packed
 * form on column blocks that start on panel boundaries.
 */
import { describe, expect, it } from 'vitest';
import { canBuildNative, maxRelDiff, twins } from './harness.js';

const TOL = 1e-5;

describe.skipIf(!canBuildNative())('native sgemm', () => {
  it('exports the products under their wasm names', () => {
    const t = twins();
    for (const n of ['sgemm', 'sgemmPacked', 'packB', 'packedFloats', 'workspaceBytes']) expect(t.names).toContain(n);
  });

  const shapes: [number, number, number][] = [[1, 1, 1], [7, 33, 5], [37, 70, 300], [64, 1024, 256], [130, 65, 513], [3, 2100, 17]];
  for (const [M, N, K] of shapes) {
    for (const [tA, tB] of [[0, 0], [1, 0], [0, 1], [1, 1]]) {
      it(`sgemm ${M}x${N}x${K} transA=${tA} transB=${tB}, set and accumulate`, () => {
        const t = twins(M * 7 + N + K);
        const a = t.put(t.randn(M * K)), b = t.put(t.randn(K * N));
        const c0 = t.randn(M * N);
        const lda = tA ? M : K, ldb = tB ? K : N;
        for (const [alpha, beta] of [[1, 0], [0.5, 1]]) {
          const cw = t.put(c0), cn = t.put(c0);
          const ws = t.alloc(t.native.workspaceBytes() / 4), ww = t.alloc(t.wasm.workspaceBytes() / 4);
          t.wasm.sgemm(M, N, K, alpha, a, lda, tA, b, ldb, tB, beta, cw, N, ww);
          t.native.sgemm(M, N, K, alpha, a, lda, tA, b, ldb, tB, beta, cn, N, ws);
          expect(maxRelDiff(t.get(cn, M * N), t.get(cw, M * N))).toBeLessThan(TOL * Math.sqrt(K));
        }
      });
    }
  }

  it('sgemm into a strided block of C leaves the rest alone', () => {
    const t = twins(3);
    const M = 9, N = 40, K = 20, ldc = 57;
    const a = t.put(t.randn(M * K)), b = t.put(t.randn(K * N));
    const c0 = t.randn(M * ldc);
    const cw = t.put(c0), cn = t.put(c0);
    t.wasm.sgemm(M, N, K, 1, a, K, 0, b, N, 0, 1, cw + 8, ldc, t.alloc(t.wasm.workspaceBytes() / 4));
    t.native.sgemm(M, N, K, 1, a, K, 0, b, N, 0, 1, cn + 8, ldc, t.alloc(t.native.workspaceBytes() / 4));
    expect(maxRelDiff(t.get(cn, M * ldc), t.get(cw, M * ldc))).toBeLessThan(1e-5);
  });

  it('K = 0 zeroes C without beta and keeps it with', () => {
    const t = twins(4);
    const c = t.put([1, 2, 3, 4]);
    t.native.sgemm(2, 2, 0, 1, 0, 0, 0, 0, 0, 0, 1, c, 2, t.alloc(t.native.workspaceBytes() / 4));
    expect([...t.get(c, 4)]).toEqual([1, 2, 3, 4]);
    t.native.sgemm(2, 2, 0, 1, 0, 0, 0, 0, 0, 0, 0, c, 2, t.alloc(t.native.workspaceBytes() / 4));
    expect([...t.get(c, 4)]).toEqual([0, 0, 0, 0]);
  });

  for (const [M, N, K, tB] of [[16, 1024, 256, 0], [32, 256, 1024, 1], [5, 100, 600, 0], [8, 4200, 70, 1]]) {
    it(`packed B ${M}x${N}x${K} transB=${tB}, whole and in panel-aligned column blocks`, () => {
      const t = twins(M + N + K);
      const a = t.put(t.randn(M * K)), b = t.put(t.randn(K * N));
      const ref = t.alloc(M * N);
      t.wasm.sgemm(M, N, K, 1, a, K, 0, b, tB ? K : N, tB, 0, ref, N, t.alloc(t.wasm.workspaceBytes() / 4));
      const pb = t.alloc(t.native.packedFloats(K, N));
      t.native.packB(K, N, b, tB ? K : N, tB, pb);
      const ws = t.alloc(t.native.workspaceBytes() / 4);
      const whole = t.alloc(M * N);
      t.native.sgemmPacked(M, N, K, 1, a, K, 0, pb, N, 0, 0, whole, N, ws);
      expect(maxRelDiff(t.get(whole, M * N), t.get(ref, M * N))).toBeLessThan(TOL * Math.sqrt(K));
      const nr = t.native.packedFloats(1, 1);
      const cut = t.alloc(M * N);
      const step = nr * 3;
      for (let j = 0; j < N; j += step) t.native.sgemmPacked(M, Math.min(step, N - j), K, 1, a, K, 0, pb, N, j, 0, cut + j * 4, N, ws);
      expect(maxRelDiff(t.get(cut, M * N), t.get(whole, M * N))).toBe(0);
    });
  }
});
