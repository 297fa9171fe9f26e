import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tf } from '../../../src/backend/tf.js';
import { initBackend, runtime } from '../../../src/backend/index.js';
import * as wasm from '../../../src/backend/wasm/index.js';
import { Rng } from '../../../src/util/rng.js';
import { bothWays, expectClose, randn } from '../helpers.js';

beforeAll(async () => {
  await initBackend({ device: 'cpu', kernels: 'fast' });
});
afterAll(() => runtime().setMode('fast'));

/** [aShape, bShape, transposeA, transposeB] */
const CASES: [number[], number[], boolean, boolean][] = [
  [[1, 1], [1, 1], false, false],
  [[3, 17], [17, 5], false, false],
  [[33, 3], [3, 17], false, false],
  [[17, 33], [17, 9], true, false],
  [[7, 33], [13, 33], false, true],
  [[33, 7], [13, 33], true, true],
  [[65, 70], [70, 9], false, false], // several row panels and a partial column panel
  [[5, 300], [300, 3], false, false], // K spans two depth blocks
  [[2, 3, 4, 5], [5, 6], false, false], // batch broadcast of b
  [[4, 5], [3, 5, 2], false, false], // batch broadcast of a
  [[2, 3, 5, 4], [2, 3, 6, 5], true, true],
  [[1, 4, 5], [3, 5, 2], false, false],
  [[0, 5], [5, 3], false, false], // empty
];

describe('BatchMatMul override', () => {
  it('installs, reports and uninstalls the original kernel configs exactly', () => {
    runtime().setMode('reference');
    const original = tf.getKernel('BatchMatMul', 'cpu');
    const originalFused = tf.getKernel('_FusedMatMul', 'cpu');
    expect(runtime().fast).toBe(false);
    runtime().setMode('fast');
    runtime().setMode('fast'); // idempotent
    expect(runtime().fast).toBe(true);
    expect(tf.getKernel('BatchMatMul', 'cpu')).not.toBe(original);
    runtime().setMode('reference');
    expect(tf.getKernel('BatchMatMul', 'cpu')).toBe(original);
    expect(tf.getKernel('_FusedMatMul', 'cpu')).toBe(originalFused);
    runtime().setMode('fast');
  });

  it.each(CASES)('matches the original for %j x %j (tA=%s, tB=%s)', (as, bs, tA, tB) => {
    const rng = new Rng(as.length * 100 + bs[0]);
    const a = randn(rng, as);
    const b = randn(rng, bs);
    const r = bothWays(() => tf.matMul(a, b, tA, tB));
    expectClose(r.fast, r.reference);
    tf.dispose([a, b, r.fast, r.reference]);
  });

  it('leaves int32 products to the original kernel', () => {
    const a = tf.tensor2d([1, 2, 3, 4], [2, 2], 'int32');
    const c = tf.matMul(a, a);
    expect(c.dtype).toBe('int32');
    expect(Array.from(c.dataSync())).toEqual([7, 10, 15, 22]);
    tf.dispose([a, c]);
  });

  it('gives matMul gradients equal to the original', () => {
    const rng = new Rng(7);
    const a = randn(rng, [5, 4]);
    const b = randn(rng, [4, 3]);
    const f = (x: tf.Tensor, y: tf.Tensor) => tf.sum(tf.square(tf.matMul(x, y)));
    const r = bothWays(() => tf.grads(f)([a, b]));
    expectClose(r.fast[0], r.reference[0]);
    expectClose(r.fast[1], r.reference[1]);
    tf.dispose([a, b, ...r.fast, ...r.reference]);
  });
});

describe('_FusedMatMul override', () => {
  const acts = ['linear', 'relu', 'relu6', 'elu', 'leakyrelu', 'sigmoid', 'prelu'] as const;
  it.each(acts)('bias + %s matches the original', (activation) => {
    const rng = new Rng(11);
    const a = randn(rng, [2, 9, 6]);
    const b = randn(rng, [6, 17], 2);
    const bias = randn(rng, [17]);
    const alpha = randn(rng, [17]);
    const r = bothWays(() =>
      tf.fused.matMul({ a, b, bias, activation, preluActivationWeights: alpha, leakyreluAlpha: 0.3 }));
    expectClose(r.fast, r.reference, 1e-4, activation);
    tf.dispose([a, b, bias, alpha, r.fast, r.reference]);
  });

  it('handles a scalar bias and transposes', () => {
    const rng = new Rng(12);
    const a = randn(rng, [6, 9]);
    const b = randn(rng, [17, 6]);
    const bias = tf.scalar(0.5);
    const r = bothWays(() => tf.fused.matMul({ a, b, bias, transposeA: true, transposeB: true, activation: 'relu' }));
    expectClose(r.fast, r.reference);
    tf.dispose([a, b, bias, r.fast, r.reference]);
  });

  it('falls back to the original for a full-matrix bias', () => {
    const rng = new Rng(13);
    const a = randn(rng, [4, 3]);
    const b = randn(rng, [3, 5]);
    const bias = randn(rng, [4, 5]);
    const r = bothWays(() => tf.fused.matMul({ a, b, bias }));
    expectClose(r.fast, r.reference);
    tf.dispose([a, b, bias, r.fast, r.reference]);
  });

  it('trains a dense layer to the same gradients', () => {
    const rng = new Rng(14);
    const x = randn(rng, [8, 5]);
    const w = randn(rng, [5, 3]);
    const bias = randn(rng, [3]);
    const f = (ww: tf.Tensor, bb: tf.Tensor) =>
      tf.sum(tf.square(tf.fused.matMul({ a: x, b: ww as tf.Tensor2D, bias: bb, activation: 'elu' })));
    const r = bothWays(() => tf.grads(f)([w, bias]));
    expectClose(r.fast[0], r.reference[0]);
    expectClose(r.fast[1], r.reference[1]);
    tf.dispose([x, w, bias, ...r.fast, ...r.reference]);
  });
});

describe('BatchMatMul split across two threads', () => {
  beforeAll(async () => {
    runtime().configureThreads(2, 1, false); // every product is split, however small
    tf.matMul(tf.ones([8, 8]), tf.ones([8, 8])).dispose(); // starts the worker
    for (let i = 0; i < 100 && runtime().activeThreads() < 2; i++) await new Promise((r) => setTimeout(r, 50));
  });
  afterAll(() => runtime().configureThreads());

  it('has a ready worker', () => expect(runtime().activeThreads()).toBe(2));

  it('hands off thousands of products without a worker sleeping out its timeout (a lost wake-up)', () => {
    const a = tf.ones([4, 16]), b = tf.ones([16, 16]);
    for (let i = 0; i < 3000; i++) tf.matMul(a, b).dispose();
    expect(runtime().pool.handOffTimeouts()).toBe(0);
  });

  it.each(CASES)('matches the original for %j x %j (tA=%s, tB=%s)', (as, bs, tA, tB) => {
    const rng = new Rng(as.length * 100 + bs[0] + 1);
    const a = randn(rng, as);
    const b = randn(rng, bs);
    const r = bothWays(() => tf.matMul(a, b, tA, tB));
    expectClose(r.fast, r.reference);
    tf.dispose([a, b, r.fast, r.reference]);
  });

  it.each([[5, 40, 7], [9, 13, 300], [4, 2100, 3]])('a packed B (M=%i, N=%i, K=%i) gives the same product in column blocks', (M, N, K) => {
    const rng = new Rng(M + N + K);
    const av = Float32Array.from({ length: M * K }, () => rng.normal());
    const bv = Float32Array.from({ length: K * N }, () => rng.normal());
    const want = wasm.matmul(av, bv, M, N, K);
    const m = wasm.mark();
    const pa = wasm.put(av), pc = wasm.alloc(M * N);
    const packed = wasm.packB(K, N, wasm.put(bv), false);
    wasm.gemmPacked(M, N, K, pa, false, packed, pc);
    const got = wasm.take(pc, M * N);
    wasm.release(m);
    for (let i = 0; i < want.length; i++) expect(got[i]).toBeCloseTo(want[i], 4);
  });
});
