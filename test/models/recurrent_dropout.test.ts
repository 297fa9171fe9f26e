/**
 * recurrent_dropout's per-timestep path against the fused kernels: with nothing dropped it gives
 * the same outputs and states (masking and goBackwards included); with a rate it only changes
 * training-mode outputs.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend, tf } from '../../src/backend/index.js';
import { gruSequence, lstmSequence, simpleRnnSequence } from '../../src/backend/kernels/rnn.js';
import { SeqnetRecurrent, type Cell } from '../../src/models/layers/recurrent.js';
import { runWithRecurrentDropout } from '../../src/models/layers/recurrent_dropout.js';

beforeAll(async () => {
  await initBackend({ device: 'cpu' });
});

const B = 2, T = 4, D = 3, U = 5;

describe.each(['lstm', 'gru', 'rnn'] as Cell[])('%s', (cell) => {
  it.each([false, true])('matches the fused op when nothing is dropped (goBackwards %s)', (goBackwards) => {
    const layer = new SeqnetRecurrent({ cell, units: U, seed: 2 });
    layer.apply(tf.input({ shape: [null, D] }));
    const [kernel, recurrentKernel, bias, recurrentBias] = layer.getWeights() as [tf.Tensor2D, tf.Tensor2D, tf.Tensor1D, tf.Tensor1D?];
    const x = tf.randomNormal([B, T, D], 0, 1, 'float32', 5) as tf.Tensor3D;
    const mask = tf.tensor2d([[1, 1, 1, 1], [1, 1, 0, 0]]);
    const opts = { goBackwards, mask };
    const ref =
      cell === 'lstm' ? lstmSequence(x, kernel, recurrentKernel, bias, opts)
      : cell === 'gru' ? gruSequence(x, kernel, recurrentKernel, bias, recurrentBias!, opts)
      : simpleRnnSequence(x, kernel, recurrentKernel, bias, opts);
    // a rate of 1e-9 keeps every unit (scaled by 1/(1-1e-9))
    const got = runWithRecurrentDropout(cell, x, { kernel, recurrentKernel, bias, recurrentBias }, 1e-9, opts);
    const o = got.outputs.dataSync();
    ref.outputs.dataSync().forEach((v, i) => expect(o[i]).toBeCloseTo(v, 5));
    got.states.forEach((s, k) => {
      const sv = s.dataSync();
      ref.states[k].dataSync().forEach((v, i) => expect(sv[i]).toBeCloseTo(v, 5));
    });
    tf.dispose([x, mask, ref.outputs, ...ref.states, got.outputs, ...got.states]);
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
