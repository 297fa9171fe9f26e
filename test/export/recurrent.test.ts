/**
 * Recurrent families export to pure standard TensorFlow.js layers (LSTM / SimpleRNN, Bidirectional
 * with every merge mode, stacked, masked) and load with plain @tensorflow/tfjs in another process,
 * giving seqnet's own outputs within 1e-5 for every task.
 */
import fs from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { exportRun } from '../../src/export/index.js';
import { inputsFor, loadElsewhere, maxAbsDiff, seqnetOutputs, setup, trainRun, type Inputs } from './fixtures.js';

const CASES: [name: string, data: string, model: string][] = [
  ['lm-lstm2', 'lm', '{ type: lstm, embedding_dim: 6, units: 8, layers: 2 }'],
  ['lm-rnn', 'lm', '{ type: rnn, embedding_dim: 6, units: 8, layers: 1 }'],
  ['cls-bilstm-concat-norm', 'cls', '{ type: lstm, embedding_dim: 4, units: 5, layers: 2, bidirectional: true, merge: concat, norm: layer }'],
  ['cls-birnn-sum', 'cls', '{ type: rnn, embedding_dim: 4, units: 5, layers: 1, bidirectional: true, merge: sum }'],
  ['tag-bilstm-mul', 'tag', '{ type: lstm, embedding_dim: 4, units: 5, layers: 2, bidirectional: true, merge: mul, dropout: 0.2 }'],
  ['tag-birnn-ave', 'tag', '{ type: rnn, embedding_dim: 4, units: 5, layers: 1, bidirectional: true, merge: ave, norm: batch }'],
  ['fc-lstm', 'fc', '{ type: lstm, units: 6, layers: 2, norm: layer }'],
];

let dir: string;
beforeAll(async () => {
  dir = await setup();
});

describe('seqnet export: recurrent families to standard layers', () => {
  it('loads with plain tf.loadLayersModel and matches seqnet within 1e-5 for every case', async () => {
    const jobs: { dir: string; inputs: Inputs | Inputs[]; expected: number[]; name: string }[] = [];
    for (const [name, data, model] of CASES) {
      const run = await trainRun(dir, name, data, model);
      const out = path.join(dir, `export-${name}`);
      const r = await exportRun(run, { out, pure: true, bundle: false });
      expect(r.custom).toEqual([]);
      expect(r.seqnet.standard_layers).toBe(true);
      const vocab = data === 'fc' ? 0 : (r.seqnet.tokenizer!.vocab.length);
      const inputs = inputsFor(data, vocab, jobs.length + 1);
      jobs.push({ dir: out, inputs, expected: await seqnetOutputs(run, inputs), name });
    }
    const loaded = loadElsewhere(dir, jobs);
    expect(loaded.registeredBefore).toEqual([]); // the child knows no seqnet class
    for (const [i, j] of jobs.entries()) {
      const got = loaded.results[i];
      expect(got.error, j.name).toBeUndefined();
      expect(got.classes!.filter((c) => c.startsWith('Seqnet')), j.name).toEqual([]);
      expect(maxAbsDiff(got.values!, j.expected), j.name).toBeLessThan(1e-5);
    }
    const classes = new Set(loaded.results.flatMap((r) => r.classes!));
    for (const c of ['Bidirectional', 'LSTM', 'SimpleRNN', 'LayerNormalization', 'BatchNormalization', 'Embedding', 'Dense', 'Reshape']) expect(classes).toContain(c);
  });
});
