/** The inference transformer block over whole sequences (native/block_loop.c) against its wasm twin. */
import { describe, expect, it } from 'vitest';
import type { KernelExports } from '../../../src/backend/wasm/interface.js';
import { canBuildNative, maxRelDiff, twins, type Twins } from './harness.js';

const B = 5, T = 7, D = 12, H = 3, F = 20;
const SLOTS = 28; // BlockParams, wasm/block_loop.ts

/** x after one block on side k, jobs cut at `cuts` (sequence boundaries); the weights packed by that side's packB */
function runBlock(t: Twins, k: KernelExports, w: Float32Array[], x: Float32Array, causal: boolean, bias: Float32Array | null, cuts: number[]): Float32Array {
  const [g1, b1, Wqkv, bqkv, Wo, bo, g2, b2, W1, bf1, W2, bf2] = w;
  const packed = (m: Float32Array, I: number, O: number) => {
    const p = t.alloc(k.packedFloats(I, O));
    k.packB(I, O, t.put(m), O, 0, p);
    return p;
  };
  const N = B * T, px = t.put(x), prm = t.alloc(SLOTS);
  const slots = [
    T, D, F, H | (causal ? 1 << 16 : 0), 0,
    px, t.alloc(N * D), t.alloc(N), t.alloc(N), t.alloc(3 * N * D), t.alloc(B * H * T * T), t.alloc(N * D), t.alloc(N * F),
    bias ? t.put(bias) : 0, bias ? T : 0, 0,
    t.put(g1), t.put(b1), packed(Wqkv, D, 3 * D), t.put(bqkv), packed(Wo, D, D), t.put(bo),
    t.put(g2), t.put(b2), packed(W1, D, F), t.put(bf1), packed(W2, F, D), t.put(bf2),
  ];
  new Int32Array(t.heap().buffer, prm, SLOTS).set(slots);
  new Float32Array(t.heap().buffer, prm + 16, 1)[0] = 1e-5;
  const ws = t.alloc(k.workspaceBytes() / 4);
  for (let i = 0; i + 1 < cuts.length; i++) k.blockRows(cuts[i], cuts[i + 1], prm, ws);
  return t.get(px, N * D);
}

describe.skipIf(!canBuildNative())('native blockRows', () => {
  const t = twins(3);
  const w = [
    t.randn(D, 0.3).map((v) => v + 1), t.randn(D, 0.3), t.randn(D * 3 * D, 0.3), t.randn(3 * D, 0.3), t.randn(D * D, 0.3), t.randn(D, 0.3),
    t.randn(D, 0.3).map((v) => v + 1), t.randn(D, 0.3), t.randn(D * F, 0.3), t.randn(F, 0.3), t.randn(F * D, 0.3), t.randn(D, 0.3),
  ];
  const x = t.randn(B * T * D);
  // padding: the last two keys of every sequence hidden (an additive bias [B, 1, 1, T])
  const bias = Float32Array.from({ length: B * T }, (_, i) => (i % T >= T - 2 ? -1e9 : 0));
  for (const [what, causal, b] of [['causal', true, null], ['padding bias', false, bias]] as const) {
    it(`${what}: the same block as the wasm twin, in one job or one per sequence`, () => {
      const all = [0, B], each = Array.from({ length: B + 1 }, (_, i) => i);
      const wasmY = runBlock(t, t.wasm, w, x, causal, b, all);
      const nativeY = runBlock(t, t.native, w, x, causal, b, all);
      expect(maxRelDiff(nativeY, wasmY)).toBeLessThan(1e-4);
      expect(maxRelDiff(runBlock(t, t.native, w, x, causal, b, each), nativeY)).toBe(0);
      expect(maxRelDiff(runBlock(t, t.wasm, w, x, causal, b, each), wasmY)).toBe(0);
      expect(maxRelDiff(nativeY, x)).toBeGreaterThan(0.01); // it did something
    });
  }

  it('is in the packed-layout group with the products it calls', () => {
    expect(t.names).toContain('blockRows');
    expect(t.names).toContain('sgemmPacked');
  });
});
