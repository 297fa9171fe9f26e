/**
 * One cached decoding step of a transformer block: the fast path (wasm memory, packed weights)
 * against the plain ops, over several positions, two batch rows, with the caches each fills.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initBackend, runtime } from '../../../src/backend/index.js';
import { decodeBlocks, newRowCache, releaseRowCache, type DecodeWeights, type RowCache } from '../../../src/backend/ops/decode_block.js';
import { tf } from '../../../src/backend/tf.js';
import { Rng } from '../../../src/util/rng.js';
import { bothWays, randn, relErr } from '../helpers.js';

beforeAll(async () => {
  await initBackend({ device: 'cpu', kernels: 'fast' });
});
afterAll(() => runtime().setMode('fast'));

const D = 24, F = 40, H = 3, B = 2, L = 6;

function weights(rng: Rng): DecodeWeights {
  const m = (r: number, c: number) => randn(rng, [r, c], 0.3);
  const v = (n: number, at = 0) => randn(rng, [n], 0.1).add(at);
  return {
    norm_1_gamma: v(D, 1), norm_1_beta: v(D), qkv_kernel: m(D, 3 * D), qkv_bias: v(3 * D), out_kernel: m(D, D), out_bias: v(D),
    norm_2_gamma: v(D, 1), norm_2_beta: v(D), ff_1_kernel: m(D, F), ff_1_bias: v(F), ff_2_kernel: m(F, D), ff_2_bias: v(D),
  };
}

/**
 * L positions through the block, one at a time: every output and the final caches (copied out).
 * inWasm: caches from newRowCache (in wasm memory on the fast path: the attention kernel), else
 * plain arrays (the attention in JS).
 */
function run(w: DecodeWeights, xs: Float32Array[], inWasm = true): { ys: Float32Array[]; caches: RowCache[] } {
  const caches = Array.from({ length: B }, () => (inWasm ? newRowCache(L, D) : { k: new Float32Array(L * D), v: new Float32Array(L * D) }));
  const scores = new Float32Array(L);
  const ys = xs.map((x, p) => decodeBlocks([{ w, cfg: { heads: H, epsilon: 1e-5 }, caches }], x, p, scores));
  const copies = caches.map((c) => ({ k: c.k.slice(), v: c.v.slice() }));
  caches.forEach(releaseRowCache);
  return { ys, caches: copies };
}

describe('decodeBlocks, one block', () => {
  it('fast and reference agree on every position and fill the same caches', () => {
    const rng = new Rng(5);
    const w = weights(rng);
    const xs = Array.from({ length: L }, () => randn(rng, [B, D]).dataSync() as Float32Array);
    const { reference, fast } = bothWays(() => run(w, xs));
    reference.ys.forEach((y, p) => expect(relErr(fast.ys[p], y), `position ${p}`).toBeLessThan(1e-5));
    reference.caches.forEach((c, b) => {
      expect(relErr(fast.caches[b].k, c.k)).toBeLessThan(1e-5);
      expect(relErr(fast.caches[b].v, c.v)).toBeLessThan(1e-5);
    });
    // the output moved away from the input: the block did something
    expect(relErr(fast.ys[L - 1], xs[L - 1])).toBeGreaterThan(1e-2);
    // caches in JS memory on the fast path: the attention in JS, same values
    const js = run(w, xs, false);
    reference.ys.forEach((y, p) => expect(relErr(js.ys[p], y), `position ${p}, JS attention`).toBeLessThan(1e-5));
    tf.dispose(Object.values(w));
  });

  it('gives the pinned cache memory back', () => {
    const before = runtime().arena.pinnedBytes();
    const c = newRowCache(64, 32);
    expect(c.pk).toBeDefined();
    expect(runtime().arena.pinnedBytes()).toBeGreaterThan(before);
    releaseRowCache(c);
    expect(runtime().arena.pinnedBytes()).toBe(before);
  });

  it('serves fresh weights after they change', () => {
    const rng = new Rng(6);
    const w = weights(rng);
    const xs = [randn(rng, [B, D]).dataSync() as Float32Array];
    const before = run(w, xs).ys[0];
    (w.ff_2_bias.dataSync() as Float32Array).fill(1); // in place, as the fused Adam writes
    runtime().weightsChanged();
    const after = run(w, xs).ys[0];
    const ref = bothWays(() => run(w, xs)).reference.ys[0];
    expect(relErr(after, ref)).toBeLessThan(1e-5);
    expect(relErr(after, before)).toBeGreaterThan(1e-3);
    tf.dispose(Object.values(w));
  });
});
