import { afterAll, beforeAll, describe, it } from 'vitest';
import { tf } from '../../../src/backend/tf.js';
import { initBackend, runtime } from '../../../src/backend/index.js';
import { Rng } from '../../../src/util/rng.js';
import { bothWays, expectClose, randn } from '../helpers.js';

beforeAll(async () => {
  await initBackend({ device: 'cpu', kernels: 'fast' });
});
afterAll(() => runtime().setMode('fast'));

type Pad = 'valid' | 'same' | number;
/** [x shape NHWC, filter [fh,fw,Cin,Cout], strides, pad, dilation] */
const CASES: [number[], number[], number, Pad, number][] = [
  [[2, 5, 7, 3], [3, 3, 3, 4], 1, 'valid', 1],
  [[2, 5, 7, 3], [3, 2, 3, 5], 1, 'same', 1],
  [[1, 9, 8, 2], [3, 3, 2, 3], 2, 'same', 1],
  [[3, 6, 6, 1], [2, 2, 1, 2], 2, 'valid', 1],
  [[2, 7, 7, 2], [3, 3, 2, 2], 1, 1, 1],
  [[1, 1, 17, 6], [1, 5, 6, 4], 1, 'valid', 1], // conv1d as TextCNN issues it (conv1d.ts, no im2col)
  [[3, 1, 11, 4], [1, 4, 4, 3], 1, 'same', 1], // conv1d, even width: one more pad on the right
  [[2, 1, 9, 5], [1, 3, 5, 2], 1, 'same', 1],
  [[2, 1, 6, 2], [1, 6, 2, 3], 1, 'valid', 1], // the filter spans the whole sequence
  [[2, 1, 10, 3], [1, 3, 3, 2], 2, 'valid', 1], // stride 2: im2col
];

describe('Conv2D family via im2col + sgemm', () => {
  it.each(CASES)('x %j filter %j stride %s pad %s: forward and both gradients match', (xs, fs, s, pad, d) => {
    const rng = new Rng(xs[1] * 10 + fs[0]);
    const x = randn(rng, xs) as tf.Tensor4D;
    const w = randn(rng, fs) as tf.Tensor4D;
    const f = (xx: tf.Tensor, ww: tf.Tensor) =>
      tf.conv2d(xx as tf.Tensor4D, ww as tf.Tensor4D, s, pad as 'valid', 'NHWC', d);
    const y = bothWays(() => f(x, w));
    expectClose(y.fast, y.reference, 1e-4, 'forward');
    const dyW = randn(rng, y.fast.shape);
    const g = bothWays(() => tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(f(a, b), dyW)))([x, w]));
    expectClose(g.fast[0], g.reference[0], 1e-4, 'dx');
    expectClose(g.fast[1], g.reference[1], 1e-4, 'dW');
    tf.dispose([x, w, dyW, y.fast, y.reference, ...g.fast, ...g.reference]);
  });

  it('dilated forward matches', () => {
    const rng = new Rng(3);
    const x = randn(rng, [1, 9, 9, 2]) as tf.Tensor4D;
    const w = randn(rng, [3, 3, 2, 3]) as tf.Tensor4D;
    const y = bothWays(() => tf.conv2d(x, w, 1, 'same', 'NHWC', 2));
    expectClose(y.fast, y.reference);
    tf.dispose([x, w, y.fast, y.reference]);
  });

  it.each(['linear', 'relu', 'elu', 'sigmoid'] as const)('fused conv2d with bias + %s matches', (activation) => {
    const rng = new Rng(4);
    const x = randn(rng, [2, 6, 5, 3]) as tf.Tensor4D;
    const w = randn(rng, [3, 3, 3, 4]) as tf.Tensor4D;
    const bias = randn(rng, [4]);
    const y = bothWays(() => tf.fused.conv2d({ x, filter: w, strides: 1, pad: 'same', bias, activation }));
    expectClose(y.fast, y.reference);
    tf.dispose([x, w, bias, y.fast, y.reference]);
  });

  it('fused conv1d with bias + relu matches', () => {
    const rng = new Rng(6);
    const x = randn(rng, [3, 1, 12, 8]) as tf.Tensor4D;
    const w = randn(rng, [1, 3, 8, 5]) as tf.Tensor4D;
    const bias = randn(rng, [5]);
    const y = bothWays(() => tf.fused.conv2d({ x, filter: w, strides: 1, pad: 'valid', bias, activation: 'relu' }));
    expectClose(y.fast, y.reference);
    tf.dispose([x, w, bias, y.fast, y.reference]);
  });

  it('conv1d (TextCNN) matches', () => {
    const rng = new Rng(5);
    const x = randn(rng, [3, 12, 8]) as tf.Tensor3D;
    const w = randn(rng, [4, 8, 5]) as tf.Tensor3D;
    const y = bothWays(() => tf.conv1d(x, w, 1, 'valid'));
    expectClose(y.fast, y.reference);
    tf.dispose([x, w, y.fast, y.reference]);
  });
});
