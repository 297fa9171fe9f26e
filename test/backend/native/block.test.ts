/**
 * The transformer block over whole sequences (native/block_loop.c blockRows and its backward pass,
 * blockGradRows, weight gradients as per-job partial sums) against their wasm twins, in one job or
 * one per sequence.
 */
import { describe, expect, it } from 'vitest';
import type { KernelExports } from '../../../src/backend/wasm/interface.js';
import { canBuildNative, maxRelDiff, twins, type Twins } from './harness.js';

const B = 5, T = 7, D = 12, H = 3, F = 20, N = B * T, nP = B * H * T * T;
// the kernels read BlockParams (38 slots) and BlockGradParams (47): wasm/block_loop.ts

interface Case {
  causal: boolean;
  /** additive attention bias [B, 1, 1, T], or null */
  bias: Float32Array | null;
  /** dropout multipliers: attention weights, both residual branches; or null */
  drops: Float32Array[] | null;
}

/**
 * On side k, jobs cut at `cuts` (sequence boundaries): y and the activations kept by blockRows,
 * then from blockGradRows with dL/dy = dy: dF, dG, dH, dA, dqkv, dx, the sums over the
 * sequences of the partial sums (dgamma₁, dbeta₁, dgamma₂, dbeta₂, and the four biases'), and the
 * sums over the jobs of the weight gradients' partial sums (dWqkv dWo dW1 dW2). Jobs of equal size.
 */
function runBlock(t: Twins, k: KernelExports, w: Float32Array[], x: Float32Array, dy: Float32Array, c: Case, cuts: number[]): Float32Array[] {
  const [g1, b1, Wqkv, bqkv, Wo, bo, g2, b2, W1, bf1, W2, bf2] = w;
  const packed = (m: Float32Array, I: number, O: number) => {
    const p = t.alloc(k.packedFloats(I, O));
    k.packB(I, O, t.put(m), O, 0, p);
    return p;
  };
  const transposed = (m: Float32Array, rows: number, cols: number) => {
    const p = t.alloc(k.packedFloats(cols, rows));
    k.packB(cols, rows, t.put(m), cols, 1, p);
    return p;
  };
  const ws = t.alloc(k.workspaceBytes() / 4);
  const run = (kernel: 'blockRows' | 'blockGradRows', slots: number[]) => {
    const prm = t.alloc(slots.length);
    new Int32Array(t.heap().buffer, prm, slots.length).set(slots);
    if (kernel === 'blockRows') new Float32Array(t.heap().buffer, prm + 16, 1)[0] = 1e-5; // eps, as the bits of an f32
    for (let i = 0; i + 1 < cuts.length; i++) k[kernel](cuts[i], cuts[i + 1], prm, ws);
  };
  // forward: x ln1 m1 r1 qkv P ctx h ln2 m2 r2 pre g y
  const sizes = [N * D, N * D, N, N, 3 * N * D, nP, N * D, N * D, N * D, N, N, N * F, N * F, N * D];
  const [px, ln1, m1, r1, qkv, P, ctx, h, ln2, m2, r2, pre, g, y] = sizes.map((n) => t.alloc(n));
  t.heap().set(x, px >> 2);
  const [am, mA, mF] = c.drops ? c.drops.map((d) => t.put(d)) : [0, 0, 0];
  const [pg1, pg2] = [t.put(g1), t.put(g2)];
  run('blockRows', [
    T, D, F, H | (c.causal ? 1 << 16 : 0), 0,
    px, ln1, m1, r1, qkv, P, am ? t.alloc(nP) : 0, ctx, h, ln2, m2, r2, pre, g, y,
    c.bias ? t.put(c.bias) : 0, c.bias ? T : 0, 0, am, mA, mF,
    pg1, t.put(b1), packed(Wqkv, D, 3 * D), t.put(bqkv), packed(Wo, D, D), t.put(bo),
    pg2, t.put(b2), packed(W1, D, F), t.put(bf1), packed(W2, F, D), t.put(bf2),
  ]);
  // backward
  const pdy = t.put(dy);
  const df = mF ? t.alloc(N * D) : pdy, dg = t.alloc(N * F), dh = t.alloc(N * D), da = mA ? t.alloc(N * D) : dh;
  const dqkv = t.alloc(3 * N * D), dx = t.alloc(N * D);
  const cols = [D, D, D, D, D, F, D, 3 * D];
  const sums = cols.map((n) => t.alloc(B * n));
  const jobs = cuts.length - 1, W = 4 * D * D + 2 * D * F, wpart = t.alloc(jobs * W);
  run('blockGradRows', [
    T, D, F, H | (c.causal ? 1 << 16 : 0), px, m1, r1, qkv, P, h, m2, r2, pre, pdy,
    df, dg, t.alloc(N * D), dh, da, t.alloc(N * D), dqkv, am ? t.alloc(nP) : 0, t.alloc(nP), dx,
    am, mA, mF, pg1, pg2, transposed(W2, F, D), transposed(W1, D, F), transposed(Wo, D, D), transposed(Wqkv, D, 3 * D),
    ...sums, ln1, ctx, ln2, g, wpart, cuts[1] - cuts[0],
  ]);
  const total = (p: number, n: number) => {
    const a = t.get(p, B * n), out = new Float32Array(n);
    for (let b = 0; b < B; b++) for (let j = 0; j < n; j++) out[j] += a[b * n + j];
    return out;
  };
  return [
    ...[y, px, ln1, m1, r1, qkv, P, ctx, h, ln2, m2, r2, pre, g].map((p, i) => t.get(p, i === 0 ? N * D : sizes[i - 1])),
    ...[df, dg, dh, da, dqkv, dx].map((p, i) => t.get(p, [N * D, N * F, N * D, N * D, 3 * N * D, N * D][i])),
    ...sums.map((p, i) => total(p, cols[i])),
    Float32Array.from({ length: W }, (_, j) => t.get(wpart, jobs * W).reduce((acc, v, i) => (i % W === j ? acc + v : acc), 0)),
  ];
}

describe.skipIf(!canBuildNative())('native blockRows and blockGradRows', () => {
  const t = twins(4);
  const w = [
    t.randn(D, 0.3).map((v) => v + 1), t.randn(D, 0.3), t.randn(D * 3 * D, 0.3), t.randn(3 * D, 0.3), t.randn(D * D, 0.3), t.randn(D, 0.3),
    t.randn(D, 0.3).map((v) => v + 1), t.randn(D, 0.3), t.randn(D * F, 0.3), t.randn(F, 0.3), t.randn(F * D, 0.3), t.randn(D, 0.3),
  ];
  const x = t.randn(N * D), dy = t.randn(N * D);
  const keep = (n: number) => Float32Array.from(t.randn(n), (v) => (v > -0.5 ? 1 / 0.7 : 0)); // dropout multipliers
  // padding: the last two keys of every sequence hidden
  const bias = Float32Array.from({ length: B * T }, (_, i) => (i % T >= T - 2 ? -1e9 : 0));
  const cases: [string, Case][] = [
    ['causal', { causal: true, bias: null, drops: null }],
    ['padding bias', { causal: false, bias, drops: null }],
    ['causal, dropout', { causal: true, bias: null, drops: [keep(B * T * H * T), keep(N * D), keep(N * D)] }],
  ];
  for (const [what, c] of cases) {
    it(`${what}: the same outputs, kept activations and gradients as the wasm twins, in one job or one per sequence`, () => {
      const all = [0, B], each = Array.from({ length: B + 1 }, (_, i) => i);
      const wasmOut = runBlock(t, t.wasm, w, x, dy, c, all);
      const nativeOut = runBlock(t, t.native, w, x, dy, c, all);
      nativeOut.forEach((a, i) => expect(maxRelDiff(a, wasmOut[i]), `array ${i}`).toBeLessThan(1e-4));
      // per sequence: the same values (the partial sums grouped differently)
      runBlock(t, t.native, w, x, dy, c, each).forEach((a, i) => expect(maxRelDiff(a, nativeOut[i]), `native, per sequence, array ${i}`).toBeLessThan(1e-5));
      runBlock(t, t.wasm, w, x, dy, c, each).forEach((a, i) => expect(maxRelDiff(a, wasmOut[i]), `wasm, per sequence, array ${i}`).toBeLessThan(1e-5));
      expect(maxRelDiff(nativeOut[0], x)).toBeGreaterThan(0.01); // it did something
      expect(nativeOut.slice(14).every((a) => a.some((v) => v !== 0))).toBe(true); // every gradient written
    });
  }

  it('are in the packed-layout group with the products they call', () => {
    for (const name of ['blockRows', 'blockGradRows', 'sgemmPacked']) expect(t.names).toContain(name);
  });
});
