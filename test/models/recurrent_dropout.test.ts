/**
 * recurrent_dropout (RnnOpts.recurrentMask, run by the per-timestep reference ops) against the
 * fused kernels: with nothing dropped it gives the same outputs and states (masking and
 * goBackwards included); an all-zero mask removes the recurrent product; a rate only changes
 * training-mode outputs.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend, tf } from '../../src/backend/index.js';
import { gruSequence, lstmSequence, simpleRnnSequence, type RnnOpts } from '../../src/backend/ops/recurrent.js';
import { SeqnetRecurrent, type Cell } from '../../src/models/layers/recurrent.js';

beforeAll(async () => {
  await initBackend({ device: 'cpu' });
});

const B = 2, T = 4, D = 3, U = 5;

type Weights = [tf.Tensor2D, tf.Tensor2D, tf.Tensor1D, tf.Tensor1D?];
const run = (cell: Cell, x: tf.Tensor3D, [k, r, b, rb]: Weights, opts: RnnOpts) =>
  cell === 'lstm' ? lstmSequence(x, k, r, b, opts)
  : cell === 'gru' ? gruSequence(x, k, r, b, rb!, opts)
  : simpleRnnSequence(x, k, r, b, opts);

describe.each(['lstm', 'gru', 'rnn'] as Cell[])('%s', (cell) => {
  it.each([false, true])('matches the fused op when nothing is dropped (goBackwards %s)', (goBackwards) => {
    const layer = new SeqnetRecurrent({ cell, units: U, seed: 2 });
    layer.apply(tf.input({ shape: [null, D] }));
    const [kernel, recurrentKernel, bias, recurrentBias] = layer.getWeights() as [tf.Tensor2D, tf.Tensor2D, tf.Tensor1D, tf.Tensor1D?];
    const x = tf.randomNormal([B, T, D], 0, 1, 'float32', 5) as tf.Tensor3D;
    const mask = tf.tensor2d([[1, 1, 1, 1], [1, 1, 0, 0]]);
    const opts = { goBackwards, mask };
    const ref = run(cell, x, [kernel, recurrentKernel, bias, recurrentBias], opts);
    const got = run(cell, x, [kernel, recurrentKernel, bias, recurrentBias], { ...opts, recurrentMask: tf.ones([B, U]) as tf.Tensor2D });
    const o = got.outputs.dataSync();
    ref.outputs.dataSync().forEach((v, i) => expect(o[i]).toBeCloseTo(v, 5));
    got.states.forEach((s, k) => {
      const sv = s.dataSync();
      ref.states[k].dataSync().forEach((v, i) => expect(sv[i]).toBeCloseTo(v, 5));
    });
    tf.dispose([x, mask, ref.outputs, ...ref.states, got.outputs, ...got.states]);
    layer.dispose();
  });

  it('an all-zero mask removes the recurrent product (as a zero recurrent kernel would)', () => {
    const layer = new SeqnetRecurrent({ cell, units: U, seed: 3 });
    layer.apply(tf.input({ shape: [null, D] }));
    const w = layer.getWeights() as Weights;
    const x = tf.randomNormal([B, T, D], 0, 1, 'float32', 8) as tf.Tensor3D;
    const masked = run(cell, x, w, { recurrentMask: tf.zeros([B, U]) as tf.Tensor2D });
    const noRec = run(cell, x, [w[0], tf.zerosLike(w[1]), w[2], w[3]], {});
    const o = masked.outputs.dataSync();
    noRec.outputs.dataSync().forEach((v, i) => expect(o[i]).toBeCloseTo(v, 5));
    layer.dispose();
  });

  it('drops only while training', () => {
    const plain = new SeqnetRecurrent({ cell, units: U, seed: 2 });
    const dropped = new SeqnetRecurrent({ cell, units: U, seed: 2, recurrentDropout: 0.5 });
    const x = tf.randomNormal([B, T, D], 0, 1, 'float32', 6);
    const a = plain.apply(x) as tf.Tensor;
    const b = dropped.apply(x, { training: false }) as tf.Tensor;
    const c = dropped.apply(x, { training: true }) as tf.Tensor;
    expect(Array.from(b.dataSync())).toEqual(Array.from(a.dataSync()));
    expect(Array.from(c.dataSync())).not.toEqual(Array.from(a.dataSync()));
    // step 0 reads h = 0, so dropping h cannot change the first output
    const first = (t: tf.Tensor) => Array.from(t.slice([0, 0, 0], [B, 1, U]).dataSync());
    first(c).forEach((v, i) => expect(v).toBeCloseTo(first(a)[i], 5));
    tf.dispose([x, a, b, c]);
  });
});
