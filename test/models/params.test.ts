/**
 * Parameter counts against their formulas (LSTM 4(nm+n²+n), GRU with reset_after 3(nm+n²+2n),
 * Elman nm+n²+n, a pre-norm transformer block), bidirectional merge widths and directions.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend, tf } from '../../src/backend/index.js';
import { SeqnetRecurrent, type Cell } from '../../src/models/layers/recurrent.js';
import { buildModel } from '../../src/models/registry.js';
import { summarize } from '../../src/models/summary.js';
import { INFO, tinyInput, tinyModel } from './helpers.js';

beforeAll(async () => {
  await initBackend({ device: 'cpu' });
});

const m = 7; // input width
const n = 5; // units

describe('recurrent layer parameters', () => {
  const formula: Record<Cell, number> = {
    lstm: 4 * (n * m + n * n + n),
    gru: 3 * (n * m + n * n + 2 * n),
    rnn: n * m + n * n + n,
  };
  it.each(Object.entries(formula))('%s has %i parameters', (cell, expected) => {
    const layer = new SeqnetRecurrent({ cell: cell as Cell, units: n });
    layer.apply(tf.input({ shape: [null, m] }));
    expect(layer.countParams()).toBe(expected);
    layer.dispose();
  });

  it('a one-layer bidirectional LSTM classifier counts embedding + 2 directions + head', () => {
    const E = 4;
    const model = buildModel(tinyModel('lstm', { layers: 1, units: n, embedding_dim: E, bidirectional: true }), { task: 'classification', info: INFO, seed: 1 });
    const V = INFO.vocabSize!;
    const C = INFO.numClasses!;
    expect(model.countParams()).toBe(V * E + 2 * 4 * (n * E + n * n + n) + (2 * n * C + C));
    model.dispose();
  });
});

describe('transformer block parameters', () => {
  const D = 8;
  const F = 12;
  // attention 4(D² + D), two layer norms 2·2D, feed-forward D·F + F + F·D + D
  const block = 4 * (D * D + D) + 2 * 2 * D + (D * F + F + F * D + D);
  it(`is 4D² + 2DF + 9D + F = ${block} for D=${D}, F=${F}`, () => {
    expect(block).toBe(4 * D * D + 2 * D * F + 9 * D + F);
    const one = buildModel(tinyModel('transformer', { layers: 1, d_model: D, ff_dim: F }), { task: 'language_model', info: INFO, seed: 1 });
    const two = buildModel(tinyModel('transformer', { layers: 2, d_model: D, ff_dim: F }), { task: 'language_model', info: INFO, seed: 1 });
    expect(two.countParams() - one.countParams()).toBe(block);
    const rows = summarize(two).layers.filter((l) => l.name === 'block_2');
    expect(rows.reduce((a, l) => a + l.params, 0)).toBe(block);
    // embedding V·D + learned positions T·D + blocks + final norm 2D + logits D·V + V
    const V = INFO.vocabSize!;
    expect(one.countParams()).toBe(V * D + INFO.seqLen * D + block + 2 * D + (D * V + V));
    one.dispose();
    two.dispose();
  });
});

describe('bidirectional merge', () => {
  it.each([
    ['concat', 2 * n],
    ['sum', n],
    ['mul', n],
    ['ave', n],
  ])('%s gives width %i and combines the two directions', (merge, width) => {
    const model = buildModel(tinyModel('gru', { layers: 1, units: n, bidirectional: true, merge }), { task: 'tagging', info: INFO, seed: 2 });
    const fwd = model.getLayer('gru_1_forward');
    const bwd = model.getLayer('gru_1_backward');
    const merged = model.getLayer(`gru_1_${merge}`);
    expect(merged.outputShape).toEqual([null, null, width]);
    const probe = tf.model({ inputs: model.inputs, outputs: [fwd.output, bwd.output, merged.output] as tf.SymbolicTensor[] });
    const x = tinyInput('tagging');
    const [f, b, y] = probe.predict(x) as tf.Tensor[];
    const expected = { concat: () => tf.concat([f, b], -1), sum: () => f.add(b), mul: () => f.mul(b), ave: () => f.add(b).div(2) }[merge]!();
    expect(y.shape).toEqual([2, INFO.seqLen, width]);
    const got = y.dataSync();
    expected.dataSync().forEach((v, i) => expect(got[i]).toBeCloseTo(v, 6));
    tf.dispose([x, f, b, y, expected]);
    model.dispose();
  });

  it('the backward layer reads the sequence reversed but reports in original time order', () => {
    const fwd = new SeqnetRecurrent({ cell: 'lstm', units: n, seed: 4 });
    const bwd = new SeqnetRecurrent({ cell: 'lstm', units: n, seed: 4, goBackwards: true });
    const x = tf.randomNormal([2, 6, m], 0, 1, 'float32', 3) as tf.Tensor3D;
    const a = bwd.apply(x) as tf.Tensor3D;
    const b = (fwd.apply(tf.reverse(x, 1)) as tf.Tensor3D).reverse(1);
    const av = a.dataSync();
    b.dataSync().forEach((v, i) => expect(av[i]).toBeCloseTo(v, 5));
    tf.dispose([x, a, b]);
  });
});
