/** The transformer block over whole sequences (native/block_loop.c blockRows) against its wasm twin. */
import { describe, expect, it } from 'vitest';
import type { KernelExports } from '../../../src/backend/wasm/interface.js';
import { canBuildNative, maxRelDiff, twins, type Twins } from './harness.js';

const B = 5, T = 7, D = 12, H = 3, F = 20;
const SLOTS = 38; // BlockParams, wasm/block_loop.ts

interface Case {
  causal: boolean;
  /** additive attention bias [B, 1, 1, T], or null */
  bias: Float32Array | null;
  /** dropout multipliers: attention weights, both residual branches; or null */
  drops: Float32Array[] | null;
}

/** y and the activations kept for the backward pass after one block on side k, jobs cut at `cuts` (sequence boundaries) */
function runBlock(t: Twins, k: KernelExports, w: Float32Array[], x: Float32Array, c: Case, cuts: number[]): Float32Array[] {
  const [g1, b1, Wqkv, bqkv, Wo, bo, g2, b2, W1, bf1, W2, bf2] = w;
  const packed = (m: Float32Array, I: number, O: number) => {
    const p = t.alloc(k.packedFloats(I, O));
    k.packB(I, O, t.put(m), O, 0, p);
    return p;
  };
  const N = B * T, nP = B * H * T * T;
  // x ln1 m1 r1 qkv P ctx h ln2 m2 r2 pre g y
  const sizes = [N * D, N * D, N, N, 3 * N * D, nP, N * D, N * D, N * D, N, N, N * F, N * F, N * D];
  const [px, ln1, m1, r1, qkv, P, ctx, h, ln2, m2, r2, pre, g, y] = sizes.map((n) => t.alloc(n));
  t.heap().set(x, px >> 2);
  const [am, da, df] = c.drops ? c.drops.map((d) => t.put(d)) : [0, 0, 0];
  const prm = t.alloc(SLOTS);
  new Int32Array(t.heap().buffer, prm, SLOTS).set([
    T, D, F, H | (c.causal ? 1 << 16 : 0), 0,
    px, ln1, m1, r1, qkv, P, am ? t.alloc(nP) : 0, ctx, h, ln2, m2, r2, pre, g, y,
    c.bias ? t.put(c.bias) : 0, c.bias ? T : 0, 0, am, da, df,
    t.put(g1), t.put(b1), packed(Wqkv, D, 3 * D), t.put(bqkv), packed(Wo, D, D), t.put(bo),
    t.put(g2), t.put(b2), packed(W1, D, F), t.put(bf1), packed(W2, F, D), t.put(bf2),
  ]);
  new Float32Array(t.heap().buffer, prm + 16, 1)[0] = 1e-5;
  const ws = t.alloc(k.workspaceBytes() / 4);
  for (let i = 0; i + 1 < cuts.length; i++) k.blockRows(cuts[i], cuts[i + 1], prm, ws);
  return [y, px, ln1, m1, r1, qkv, P, ctx, h, ln2, m2, r2, pre, g].map((p, i) => t.get(p, i === 0 ? N * D : sizes[i - 1]));
}

describe.skipIf(!canBuildNative())('native blockRows', () => {
  const t = twins(4);
  const w = [
    t.randn(D, 0.3).map((v) => v + 1), t.randn(D, 0.3), t.randn(D * 3 * D, 0.3), t.randn(3 * D, 0.3), t.randn(D * D, 0.3), t.randn(D, 0.3),
    t.randn(D, 0.3).map((v) => v + 1), t.randn(D, 0.3), t.randn(D * F, 0.3), t.randn(F, 0.3), t.randn(F * D, 0.3), t.randn(D, 0.3),
  ];
  const x = t.randn(B * T * D);
  const keep = (n: number) => Float32Array.from(t.randn(n), (v) => (v > -0.5 ? 1 / 0.7 : 0)); // dropout multipliers
  // padding: the last two keys of every sequence hidden
  const bias = Float32Array.from({ length: B * T }, (_, i) => (i % T >= T - 2 ? -1e9 : 0));
  const cases: [string, Case][] = [
    ['causal', { causal: true, bias: null, drops: null }],
    ['padding bias', { causal: false, bias, drops: null }],
    ['causal, dropout', { causal: true, bias: null, drops: [keep(B * T * H * T), keep(B * T * D), keep(B * T * D)] }],
  ];
  for (const [what, c] of cases) {
    it(`${what}: the same output and kept activations as the wasm twin, in one job or one per sequence`, () => {
      const all = [0, B], each = Array.from({ length: B + 1 }, (_, i) => i);
      const wasmOut = runBlock(t, t.wasm, w, x, c, all);
      const nativeOut = runBlock(t, t.native, w, x, c, all);
      nativeOut.forEach((a, i) => expect(maxRelDiff(a, wasmOut[i]), `array ${i}`).toBeLessThan(1e-4));
      runBlock(t, t.native, w, x, c, each).forEach((a, i) => expect(maxRelDiff(a, nativeOut[i]), `native, per sequence, array ${i}`).toBe(0));
      runBlock(t, t.wasm, w, x, c, each).forEach((a, i) => expect(maxRelDiff(a, wasmOut[i]), `wasm, per sequence, array ${i}`).toBe(0));
      expect(maxRelDiff(nativeOut[0], x)).toBeGreaterThan(0.01); // it did something
    });
  }

  it('is in the packed-layout group with the products it calls', () => {
    expect(t.names).toContain('blockRows');
    expect(t.names).toContain('sgemmPacked');
  });
});
