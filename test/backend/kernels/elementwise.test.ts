import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tf } from '../../../src/backend/tf.js';
import { initBackend, runtime } from '../../../src/backend/index.js';
import { UNARY_KERNELS } from '../../../src/backend/kernels/unary.js';
import { Rng } from '../../../src/util/rng.js';
import { bothWays, randn } from '../helpers.js';

beforeAll(async () => {
  await initBackend({ device: 'cpu', kernels: 'fast' });
});
afterAll(() => runtime().setMode('fast'));

/** Same shape, dtype and values (NaN equal to NaN), fast vs original kernels. */
function expectSame(f: () => tf.Tensor): void {
  const r = bothWays(f);
  expect(r.fast.shape).toEqual(r.reference.shape);
  expect(r.fast.dtype).toBe(r.reference.dtype);
  expect(Array.from(r.fast.dataSync())).toEqual(Array.from(r.reference.dataSync()));
  tf.dispose([r.fast, r.reference]);
}

describe('unary kernels', () => {
  const x = () => tf.tensor1d([-3, -1, -0.5, 0, -0, 0.25, 1, 2.5, 7, NaN, Infinity, -Infinity]);
  const pos = () => tf.tensor1d([0.01, 0.5, 1, 2, 100]);
  const ops: Record<string, (t: tf.Tensor) => tf.Tensor> = {
    Abs: tf.abs, Elu: tf.elu, Exp: tf.exp, Log: tf.log, Log1p: tf.log1p, Neg: tf.neg, Reciprocal: tf.reciprocal,
    Relu: tf.relu, Relu6: tf.relu6, Rsqrt: tf.rsqrt, Sigmoid: tf.sigmoid, Sqrt: tf.sqrt, Square: tf.square, Tanh: tf.tanh,
    Step: (t) => tf.step(t, 0.25), Erf: tf.erf,
  };
  it('covers every overridden kernel', () => expect(Object.keys(ops).sort()).toEqual([...UNARY_KERNELS].sort()));
  it.each(Object.keys(ops))('%s matches the original exactly', (name) => {
    expectSame(() => ops[name](x()));
    expectSame(() => ops[name](pos()));
  });
  it('leaves int32 inputs to the original kernel', () => expectSame(() => tf.neg(tf.tensor1d([1, -2, 3], 'int32'))));
  it('keeps the sign of zero where the original does', () => {
    for (const f of [tf.relu, tf.neg, tf.abs]) expectSame(() => tf.div(1, f(tf.tensor1d([0, -0]))));
  });
});

describe('Exp, Sigmoid, Tanh and Erf on large tensors (wasm SIMD)', () => {
  const specials = [0, -0, 1e-7, -1e-7, 1e-3, 0.1, -0.1, 0.124, 0.126, 20, -20, 88, 89, -88, -100, Infinity, -Infinity, NaN];
  const grid = Array.from({ length: 5000 }, (_, i) => -15 + (30 * i) / 4999);
  const ops: Record<string, (t: tf.Tensor) => tf.Tensor> = { Exp: tf.exp, Sigmoid: tf.sigmoid, Tanh: tf.tanh, Erf: tf.erf };
  it.each(Object.keys(ops))('%s is within float32 rounding of the original', (name) => {
    const r = bothWays(() => ops[name](tf.tensor1d([...specials, ...grid])));
    const a = r.fast.dataSync(), b = r.reference.dataSync();
    for (let i = 0; i < a.length; i++) {
      if (Number.isNaN(b[i]) || !Number.isFinite(b[i])) expect(a[i], `${name}(${i})`).toBe(b[i]);
      // Erf's 1 − p(t)·t·e^(−x²) loses float32 ulps of 1 near x = 0 (the A&S formula itself is good to 1.5e-7)
      else expect(Math.abs(a[i] - b[i]), `${name}(${[...specials, ...grid][i]})`).toBeLessThanOrEqual(2e-6 * Math.abs(b[i]) + (name === 'Erf' ? 3e-7 : 1e-7));
    }
    tf.dispose([r.fast, r.reference]);
  });
});

describe('Sum, Mean and Max over a block of axes', () => {
  let x: tf.Tensor;
  beforeAll(() => {
    x = randn(new Rng(3), [3, 4, 5, 2]);
  });
  const axesCases: (number | number[])[] = [0, 1, 3, -1, [0, 1], [1, 2], [2, 3], [0, 1, 2, 3], [1, 2, 3]];
  it.each(axesCases.map((a) => [a]))('axis %j (and keepDims) matches the original', (axis) => {
    for (const keep of [false, true]) {
      const r = bothWays(() => [tf.sum(x, axis, keep), tf.max(x, axis, keep), tf.mean(x, axis, keep)]);
      r.fast.forEach((t, i) => {
        expect(t.shape).toEqual(r.reference[i].shape);
        const a = t.dataSync(), b = r.reference[i].dataSync();
        for (let j = 0; j < a.length; j++) expect(a[j]).toBeCloseTo(b[j], 5);
      });
      tf.dispose([...r.fast, ...r.reference]);
    }
  });
  it('sums large column blocks in the kernels, to the value of the JS loop (the same f64 sums) and close to the original', () => {
    const big = randn(new Rng(5), [3, 100, 200]); // 20,000 floats a block: past the kernels' threshold (16,384)
    const r = bothWays(() => [tf.sum(big, 1), tf.sum(big.reshape([300, 200]), 0)]);
    r.fast.forEach((t, i) => {
      const a = t.dataSync(), b = r.reference[i].dataSync();
      for (let j = 0; j < a.length; j++) expect(a[j]).toBeCloseTo(b[j], 4);
    });
    // the JS loop's sums: f64 over the rows in order, rounded once
    const xs = big.dataSync(), want = new Float32Array(600);
    for (let o = 0; o < 3; o++) for (let i = 0; i < 200; i++) {
      let acc = 0;
      for (let row = 0; row < 100; row++) acc += xs[(o * 100 + row) * 200 + i];
      want[o * 200 + i] = acc;
    }
    expect(Array.from(r.fast[0].dataSync())).toEqual(Array.from(want));
    tf.dispose([big, ...r.fast, ...r.reference]);
  });
  it('falls back for non-contiguous axes and int32', () => {
    expectSame(() => tf.sum(x, [0, 2]));
    expectSame(() => tf.sum(tf.tensor2d([1, 2, 3, 4], [2, 2], 'int32'), 0));
  });
  it('lets NaN win in Max, as tfjs does', () => {
    expectSame(() => tf.max(tf.tensor2d([1, NaN, 3, 4, 5, 2], [3, 2]), 0));
    expectSame(() => tf.max(tf.tensor2d([1, NaN, 3, 4, 5, 2], [2, 3]), 1));
  });
});

describe('Transpose', () => {
  const rng = new Rng(4);
  const perms: [number[], number[]][] = [
    [[4, 3], [1, 0]], [[2, 3, 4], [0, 2, 1]], [[2, 3, 4], [2, 0, 1]], [[2, 3, 4, 5], [0, 2, 1, 3]],
    [[2, 1, 4, 3], [3, 1, 2, 0]], [[2, 3], [0, 1]], [[1, 5], [1, 0]], [[2, 3, 4, 5], [1, 0, 3, 2]],
  ];
  it.each(perms)('shape %j perm %j matches the original', (shape, perm) => {
    const x = randn(rng, shape);
    expectSame(() => tf.transpose(x, perm));
    expectSame(() => tf.transpose(x.toInt(), perm));
  });
  it('shares the buffer for an identity permutation, and stays valid after the input is disposed', () => {
    const x = tf.tensor2d([1, 2, 3, 4, 5, 6], [2, 3]);
    const y = tf.transpose(x, [0, 1]);
    x.dispose();
    expect(Array.from(y.dataSync())).toEqual([1, 2, 3, 4, 5, 6]);
    y.dispose();
  });
});

describe('Slice and PadV2', () => {
  const rng = new Rng(6);
  const cases: [number[], number[], number[]][] = [
    [[4, 6], [1, 2], [2, 3]], [[4, 6], [0, 0], [4, 6]], [[4, 6], [2, 0], [2, 6]], [[3, 4, 5], [1, 1, 2], [2, -1, 2]],
    [[2, 3, 4, 5], [0, 1, 0, 3], [2, 2, 4, 2]], [[5], [2], [3]], [[4, 6], [1, 2], [0, 3]],
  ];
  it.each(cases)('slice of %j at %j size %j matches the original', (shape, begin, sz) => {
    const x = randn(rng, shape);
    expectSame(() => tf.slice(x, begin, sz));
    expectSame(() => tf.slice(x.toInt(), begin, sz));
  });
  it.each([[[4, 9], [2, 3, 4], 1], [[6, 2, 3], 3, 0], [[2, 5, 3], [1, -1, 2], 1]] as [number[], number | number[], number][])(
    'split of %j into %j along %i matches the original', (shape, splits, axis) => {
      const x = randn(rng, shape);
      const r = bothWays(() => tf.split(x, splits, axis));
      r.fast.forEach((t, i) => {
        expect(t.shape).toEqual(r.reference[i].shape);
        expect(Array.from(t.dataSync())).toEqual(Array.from(r.reference[i].dataSync()));
      });
      tf.dispose([...r.fast, ...r.reference]);
    },
  );
  it.each([
    [[3, 4], [[1, 2], [0, 3]], 0], [[2, 3, 4], [[0, 0], [2, 1], [1, 1]], 1.5], [[5], [[3, 0]], -1], [[2, 2], [[0, 0], [0, 0]], 0],
  ] as [number[], [number, number][], number][])('pad of %j by %j with %s matches the original', (shape, paddings, value) => {
    const x = randn(rng, shape);
    expectSame(() => tf.pad(x, paddings, value));
  });
});

describe('GatherV2', () => {
  const rng = new Rng(5);
  let table: tf.Tensor, ids: tf.Tensor;
  beforeAll(() => {
    table = randn(rng, [6, 3, 2]);
    ids = tf.tensor2d([0, 5, 2, 2, 1, 4], [2, 3], 'int32');
  });
  it('matches the original on large outputs (no zero fill): rows of a table (native) and along an inner axis (JS loop)', () => {
    const big = randn(rng, [500, 16]), wide = randn(rng, [40, 300, 2]);
    const many = tf.tensor1d(Array.from({ length: 600 }, (_, i) => (i * 37) % 500), 'int32');
    const some = tf.tensor1d(Array.from({ length: 100 }, (_, i) => (i * 7) % 300), 'int32');
    expectSame(() => tf.gather(big, many, 0)); // 9,600 floats
    expectSame(() => tf.gather(wide, some, 1)); // 8,000 floats
    tf.dispose([big, wide, many, some]);
  });
  it.each([0, 1, 2])('axis %i matches the original', (axis) => {
    const idx = tf.tensor1d([1, 0, 1], 'int32');
    expectSame(() => tf.gather(table, axis === 0 ? ids : idx, axis));
  });
  it('handles batchDims', () => {
    const x = randn(rng, [2, 4, 3]);
    const bi = tf.tensor2d([3, 0, 1, 2], [2, 2], 'int32');
    expectSame(() => tf.gather(x, bi, 1, 1));
  });
  it('throws the original error for an index out of range', () => {
    expect(() => tf.gather(table, tf.tensor1d([0, 6], 'int32'))).toThrow(/GatherV2: the index value 6 is not in \[0, 5\]/);
  });
});
