/**
 * The fused conv → relu → masked max pool op (sparse backward) against the same maths from plain
 * tf ops on the reference kernels, and the SeqnetConvPool layer on both paths.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tf } from '../../../src/backend/tf.js';
import { initBackend, runtime } from '../../../src/backend/index.js';
import { convMaxPoolFused, type ConvPoolPadding } from '../../../src/backend/ops/conv_pool.js';
import { SeqnetConvPool } from '../../../src/models/layers/conv_pool.js';
import { idsMask, pool } from '../../../src/models/layers/pooling.js';
import { Rng } from '../../../src/util/rng.js';
import { bothWays, expectClose, onReferenceKernels, randn } from '../helpers.js';

beforeAll(async () => {
  await initBackend({ device: 'cpu', kernels: 'fast' });
});
afterAll(() => runtime().setMode('fast'));

/** The plain ops: relu(conv1d + bias), then the max over real positions (SeqnetPool's mask). */
function reference(x: tf.Tensor3D, w: tf.Tensor3D, b: tf.Tensor1D, ids: tf.Tensor2D, padding: ConvPoolPadding): tf.Tensor2D {
  return tf.tidy(() => {
    const y = tf.relu(tf.conv1d(x, w, 1, padding).add(b)) as tf.Tensor3D;
    return pool(y, idsMask(ids, y.shape[1], 1), 'max');
  });
}

/**
 * ids [B, T]: row 0 real throughout, row 1 with trailing padding, row 2 all padding, row 3 with
 * one padding position inside (the mask is per position), further rows real.
 */
function tokenIds(B: number, T: number): tf.Tensor2D {
  const rows = Array.from({ length: B }, (_, r) =>
    Array.from({ length: T }, (_, t) => (r === 1 && t >= T - 3) || r === 2 || (r === 3 && t === 2) ? 0 : 1 + ((r * 7 + t * 3) % 11)),
  );
  return tf.tensor2d(rows, [B, T], 'int32');
}

/** [B, T, C, k, F, padding, bias shift (negative: many relu outputs ≤ 0)] */
const CASES: [number, number, number, number, number, ConvPoolPadding, number][] = [
  [4, 9, 5, 3, 4, 'same', 0],
  [4, 9, 5, 4, 6, 'same', 0], // even width: the extra padding row on the right
  [5, 10, 3, 2, 5, 'valid', 0],
  [4, 8, 4, 5, 3, 'valid', 0],
  [4, 7, 6, 1, 4, 'same', 0],
  [4, 9, 5, 3, 8, 'same', -2.5], // some filters never fire: pooled 0 and no gradient
  [6, 12, 8, 4, 7, 'valid', -1],
  [5, 23, 9, 3, 37, 'same', 0], // filters past the 16-float padding and several register tiles
];

describe('convMaxPoolFused', () => {
  it.each(CASES)('B %i T %i C %i k %i F %i %s bias %s: forward and gradients match the plain ops', (B, T, C, k, F, padding, shift) => {
    const rng = new Rng(B * 100 + T * 10 + k);
    const x = randn(rng, [B, T, C]) as tf.Tensor3D;
    const w = randn(rng, [k, C, F], 0.5) as tf.Tensor3D;
    const b = tf.tidy(() => randn(rng, [F], 0.3).add(tf.linspace(shift, 0, F))) as tf.Tensor1D;
    const ids = tokenIds(B, T);
    const dy = randn(rng, [B, F]);
    const loss = (op: typeof reference) => (a: tf.Tensor, ww: tf.Tensor, bb: tf.Tensor) =>
      op(a as tf.Tensor3D, ww as tf.Tensor3D, bb as tf.Tensor1D, ids, padding).mul(dy).sum();

    runtime().setMode('reference');
    const yRef = reference(x, w, b, ids, padding);
    const gRef = tf.grads(loss(reference))([x, w, b]);
    runtime().setMode('fast');
    const y = convMaxPoolFused(x, w, b, ids, padding);
    const g = tf.grads(loss(convMaxPoolFused))([x, w, b]);

    expectClose(y, yRef, 1e-4, 'pooled');
    expectClose(g[0], gRef[0], 1e-4, 'dx');
    expectClose(g[1], gRef[1], 1e-4, 'dW');
    expectClose(g[2], gRef[2], 1e-4, 'dbias');
    // the all-padding row pools to 0 and sends nothing back
    expect(Array.from(y.slice([2, 0], [1, -1]).dataSync()).every((v) => v === 0)).toBe(true);
    expect(Array.from(g[0].slice([2, 0, 0], [1, -1, -1]).dataSync()).every((v) => v === 0)).toBe(true);
    if (shift < 0) expect(Array.from(y.dataSync()).some((v) => v === 0)).toBe(true);
    tf.dispose([x, w, b, ids, dy, y, yRef, ...g, ...gRef]);
  });

  it('at inference (no gradient scope) matches the plain ops, and new or updated weights are never served stale', () => {
    const rng = new Rng(31);
    const x = randn(rng, [4, 15, 6]) as tf.Tensor3D;
    const ids = tokenIds(4, 15);
    const b = randn(rng, [21], 0.2) as tf.Tensor1D;
    const w1 = randn(rng, [3, 6, 21], 0.5) as tf.Tensor3D;
    const w2 = randn(rng, [3, 6, 21], 0.5) as tf.Tensor3D;
    const want = (w: tf.Tensor3D) => onReferenceKernels(() => reference(x, w, b, ids, 'valid'));
    for (const w of [w1, w1, w2]) {
      const y = convMaxPoolFused(x, w, b, ids, 'valid');
      const yRef = want(w);
      expectClose(y, yRef, 1e-4, 'pooled');
      tf.dispose([y, yRef]);
    }
    // the fused Adam writes weights in place and moves the weights version
    const v = w2.dataSync() as Float32Array;
    const first = v[0];
    v.forEach((a, i) => (v[i] = -a));
    expect(w2.dataSync()[0]).toBe(-first); // the tensor's own values changed
    runtime().weightsChanged();
    const y = convMaxPoolFused(x, w2, b, ids, 'valid');
    const yRef = want(w2);
    expectClose(y, yRef, 1e-4, 'pooled after an in-place update');
    tf.dispose([x, ids, b, w1, w2, y, yRef]);
  });

  it('lays the input out once for every width it fits (TextCNN: one embedded batch, several widths), and each still matches the plain ops', () => {
    const rng = new Rng(12);
    const x = randn(rng, [3, 11, 5]) as tf.Tensor3D;
    const ids = tokenIds(3, 11);
    const cache = runtime().inputCache;
    const get = cache.get.bind(cache);
    let copies = 0;
    cache.get = (a, tag, build) => get(a, tag, () => (copies++, build()));
    try {
      for (const [padding, widths, want] of [['valid', [2, 3, 5], 1], ['same', [2, 3, 4, 9], 1], ['same', [3, 11, 3], 3]] as const) {
        cache.clear();
        copies = 0;
        for (const k of widths) {
          const w = randn(rng, [k, 5, 7], 0.5) as tf.Tensor3D, b = tf.zeros([7]) as tf.Tensor1D;
          const y = convMaxPoolFused(x, w, b, ids, padding);
          const yRef = onReferenceKernels(() => reference(x, w, b, ids, padding));
          expectClose(y, yRef, 1e-4, `${padding} k ${k}`);
          tf.dispose([w, b, y, yRef]);
        }
        // width 11 needs more room than the shared layout's: its own copy, and the next width another
        expect(copies, `${padding} ${widths}`).toBe(want);
      }
    } finally {
      cache.get = get;
    }
    tf.dispose([x, ids]);
  });

  it('leaves no tensors behind after a forward and backward pass', () => {
    const rng = new Rng(9);
    const x = randn(rng, [3, 8, 4]) as tf.Tensor3D;
    const w = randn(rng, [3, 4, 5]) as tf.Tensor3D;
    const b = tf.zeros([5]) as tf.Tensor1D;
    const ids = tokenIds(3, 8);
    const step = () => {
      const { value, grads } = tf.valueAndGrads((a: tf.Tensor, ww: tf.Tensor, bb: tf.Tensor) =>
        convMaxPoolFused(a as tf.Tensor3D, ww as tf.Tensor3D, bb as tf.Tensor1D, ids, 'same').sum())([x, w, b]);
      tf.dispose([value, ...grads]);
    };
    step();
    const before = tf.memory().numTensors;
    step();
    step();
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([x, w, b, ids]);
  });
});

describe('SeqnetConvPool', () => {
  it.each([
    ['same', 1, 'max'],
    ['valid', 1, 'max'],
    ['same', 2, 'max'], // stride 2: the plain ops on both paths
    ['valid', 1, 'mean'],
  ] as const)('%s stride %i %s pool: the fast path matches the reference, output and weight gradients', (padding, stride, mode) => {
    const rng = new Rng(21);
    const x = randn(rng, [4, 10, 6]) as tf.Tensor3D;
    const ids = tokenIds(4, 10);
    const name = `conv_${padding}_${stride}_${mode}`; // variable names are unique per process
    const layer = new SeqnetConvPool({ filters: 5, kernelSize: 3, stride, padding, pool: mode, seed: 3, name });
    const y = bothWays(() => layer.apply([x, ids]) as tf.Tensor);
    expect(y.fast.shape).toEqual([4, 5]);
    expectClose(y.fast, y.reference, 1e-4, 'pooled');
    expect(layer.weights.map((v) => [v.name, v.shape])).toEqual([
      [`${name}/kernel`, [3, 6, 5]],
      [`${name}/bias`, [5]],
    ]);
    const vars = layer.trainableWeights.map((v) => v.read() as tf.Variable);
    const grads = bothWays(() => {
      const { value, grads: gs } = tf.variableGrads(() => (layer.apply([x, ids]) as tf.Tensor).square().sum() as tf.Scalar, vars);
      value.dispose();
      return vars.map((v) => gs[v.name]);
    });
    grads.fast.forEach((gf, i) => expectClose(gf, grads.reference[i], 1e-4, vars[i].name));
    tf.dispose([x, ids, y.fast, y.reference, ...grads.fast, ...grads.reference]);
    layer.dispose();
  });

  it('initialises its kernel as tf.layers.conv1d does with the same seed', () => {
    const x = tf.zeros([1, 6, 4]);
    const ids = tf.ones([1, 6], 'int32');
    const ours = new SeqnetConvPool({ filters: 3, kernelSize: 2, seed: 11 });
    const theirs = tf.layers.conv1d({ filters: 3, kernelSize: 2, kernelInitializer: tf.initializers.heUniform({ seed: 11 }) });
    tf.dispose([ours.apply([x, ids]) as tf.Tensor, theirs.apply(x) as tf.Tensor]);
    expect(Array.from(ours.getWeights()[0].dataSync())).toEqual(Array.from(theirs.getWeights()[0].dataSync()));
    tf.dispose([x, ids]);
    ours.dispose();
    theirs.dispose();
  });
});
