/**
 * Padding does not change a sequence's result (masks flow through embeddings, merges, attention
 * and pooling), and a language model's per-token stepping matches its whole-window forward pass.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend, tf } from '../../src/backend/index.js';
import { buildModel } from '../../src/models/registry.js';
import { makeStepper } from '../../src/models/stepper.js';
import { INFO, tinyModel } from './helpers.js';

beforeAll(async () => {
  await initBackend({ device: 'cpu' });
});

const close = (a: tf.Tensor, b: tf.Tensor, digits = 5) => {
  const av = a.dataSync();
  expect(a.shape).toEqual(b.shape);
  b.dataSync().forEach((v, i) => expect(av[i]).toBeCloseTo(v, digits));
};

describe.each([
  ['lstm', { bidirectional: true, merge: 'sum', norm: 'layer' }],
  ['gru', { bidirectional: true, merge: 'concat' }],
  ['transformer', { pooling: 'mean' }],
  ['transformer', { pooling: 'cls', positional: 'sinusoidal' }],
])('%s %o', (type, extra) => {
  it('classifies a padded sequence as it classifies the unpadded one', () => {
    const model = buildModel(tinyModel(type as 'lstm', extra), { task: 'classification', info: INFO, seed: 3 });
    const padded = tf.tensor2d([[5, 6, 7, 0, 0, 0]], [1, 6], 'int32');
    const bare = tf.tensor2d([[5, 6, 7]], [1, 3], 'int32');
    const a = model.predict(padded) as tf.Tensor;
    const b = model.predict(bare) as tf.Tensor;
    close(a, b);
    tf.dispose([padded, bare, a, b]);
    model.dispose();
  });

  it('tags the real tokens of a padded sequence as it tags the unpadded one', () => {
    const model = buildModel(tinyModel(type as 'lstm', extra), { task: 'tagging', info: INFO, seed: 3 });
    const padded = tf.tensor2d([[5, 6, 7, 0, 0, 0]], [1, 6], 'int32');
    const bare = tf.tensor2d([[5, 6, 7]], [1, 3], 'int32');
    const a = (model.predict(padded) as tf.Tensor).slice([0, 0, 0], [1, 3, -1]);
    const b = model.predict(bare) as tf.Tensor;
    close(a, b);
    tf.dispose([padded, bare, a, b]);
    model.dispose();
  });
});

describe.each([
  ['lstm', { norm: 'layer', recurrent_dropout: 0.2 }],
  ['gru', {}],
  ['transformer', {}],
])('language model stepping: %s %o', (type, extra) => {
  it('gives the logits of the whole-window pass, one token at a time', () => {
    const model = buildModel(tinyModel(type as 'lstm', extra), { task: 'language_model', info: INFO, seed: 4 });
    const ids = [4, 9, 5, 11, 6];
    const whole = model.predict(tf.tensor2d([ids], [1, 5], 'int32')) as tf.Tensor3D; // [1, 5, V]
    const stepper = makeStepper(model, INFO.seqLen);
    const before = tf.memory().numTensors;
    for (let t = 0; t < ids.length; t++) {
      const input = tf.tensor2d([t === 0 ? ids.slice(0, 2) : [ids[t]]], undefined, 'int32');
      if (t === 1) {
        input.dispose();
        continue; // the prime covered ids[0..1]
      }
      const logits = stepper.feed(input);
      const at = t === 0 ? 1 : t;
      const ref = tf.tidy(() => whole.slice([0, at, 0], [1, 1, -1]).reshape([1, -1]));
      close(logits, ref, 4);
      tf.dispose([input, logits, ref]);
    }
    stepper.dispose();
    expect(tf.memory().numTensors).toBeLessThanOrEqual(before);
    whole.dispose();
    model.dispose();
  });
});
