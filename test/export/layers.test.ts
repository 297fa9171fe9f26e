/**
 * Families that keep seqnet classes (GRU, textcnn's padding-aware pooling, bag-of-n-grams) load with
 * @tensorflow/tfjs plus seqnet/layers (standard tf ops only) in another process and match seqnet
 * within 1e-5; --pure refuses them naming the layer and what to use instead. (The browser bundle
 * of the same code runs in browser.test.ts.)
 */
import fs from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { CUSTOM_CLASSES } from '../../src/export/custom.js';
import { exportRun } from '../../src/export/index.js';
import { inputsFor, loadElsewhere, maxAbsDiff, seqnetOutputs, setup, trainRun, webModule, type Inputs } from './fixtures.js';

const S2S = ['SeqnetSeq2seqDecoder', 'SeqnetSeq2seqEncoder'];
const CASES: [name: string, data: string, model: string, custom: string[]][] = [
  ['lm-gru', 'lm', '{ type: gru, embedding_dim: 6, units: 8, layers: 2 }', ['SeqnetRecurrent']],
  ['cls-bigru-concat', 'cls', '{ type: gru, embedding_dim: 4, units: 5, layers: 1, bidirectional: true }', ['SeqnetMerge', 'SeqnetRecurrent']],
  ['tag-bigru-ave', 'tag', '{ type: gru, embedding_dim: 4, units: 5, layers: 1, bidirectional: true, merge: ave }', ['SeqnetMerge', 'SeqnetRecurrent']],
  ['fc-gru', 'fc', '{ type: gru, units: 6, layers: 1 }', ['SeqnetRecurrent']],
  ['cls-textcnn-max', 'cls', '{ type: textcnn, embedding_dim: 4, filters: 3, kernel_sizes: [2, 3], hidden: [5] }', ['SeqnetMerge', 'SeqnetPool']],
  ['cls-textcnn-avg-valid', 'cls', '{ type: textcnn, embedding_dim: 4, filters: 3, kernel_sizes: [2], pool: avg, padding: valid, stride: 2 }', ['SeqnetPool']],
  ['tag-textcnn', 'tag', '{ type: textcnn, embedding_dim: 4, filters: 3, kernel_sizes: [1, 3] }', ['SeqnetMerge']],
  ['fc-textcnn', 'fc', '{ type: textcnn, filters: 3, kernel_sizes: [2] }', ['SeqnetPool']],
  ['cls-bow', 'cls', '{ type: bow, ngram_range: [1, 2], weighting: tfidf }', ['SeqnetBowFeatures']],
  ['lm-transformer', 'lm', '{ type: transformer, d_model: 8, heads: 2, layers: 2 }', ['SeqnetPositional', 'SeqnetTransformerBlock']],
  ['cls-transformer-cls', 'cls', '{ type: transformer, d_model: 8, heads: 2, layers: 1, pooling: cls, positional: sinusoidal }', ['SeqnetClsToken', 'SeqnetPool', 'SeqnetPositional', 'SeqnetTransformerBlock']],
  ['tag-transformer', 'tag', '{ type: transformer, d_model: 8, heads: 4, layers: 1, ff_dim: 12 }', ['SeqnetPositional', 'SeqnetTransformerBlock']],
  ['fc-transformer-mean', 'fc', '{ type: transformer, d_model: 8, heads: 2, layers: 1 }', ['SeqnetPool', 'SeqnetPositional', 'SeqnetTransformerBlock']],
  ['s2s-bilstm-general', 's2s', '{ type: seq2seq, units: 4, embedding_dim: 4, bidirectional: true, attention: general }', S2S],
  ['s2s-gru-additive', 's2s', '{ type: seq2seq, encoder: gru, units: 5, embedding_dim: 4, layers: 2, attention: additive }', S2S],
  ['s2s-lstm-location', 's2s', '{ type: seq2seq, units: 4, embedding_dim: 4, attention: location }', S2S],
  ['s2s-lstm-cosine', 's2s', '{ type: seq2seq, units: 4, embedding_dim: 4, attention: cosine }', S2S],
  ['s2s-lstm-scaled-dot', 's2s', '{ type: seq2seq, units: 4, embedding_dim: 4, attention: scaled_dot }', S2S],
  ['s2s-lstm-none', 's2s', '{ type: seq2seq, units: 4, embedding_dim: 4, attention: none }', S2S],
];

let dir: string;
beforeAll(async () => {
  dir = await setup();
});

describe('seqnet export: families that need seqnet/layers', () => {
  it('load with plain tfjs + seqnet/layers and match seqnet within 1e-5', async () => {
    const bundle = await webModule('layers/index');
    const jobs: { dir: string; inputs: Inputs | Inputs[]; expected: number[]; name: string }[] = [];
    for (const [name, data, model, custom] of CASES) {
      const run = await trainRun(dir, name, data, model);
      const out = path.join(dir, `export-${name}`);
      const r = await exportRun(run, { out, bundle: false });
      expect(r.seqnet.custom_layers, name).toEqual(custom);
      const vocab = data === 'fc' ? 0 : r.seqnet.tokenizer!.vocab.length;
      const inputs = inputsFor(data, vocab, jobs.length + 11, r.seqnet.seq2seq?.target_tokenizer.vocab.length);
      jobs.push({ dir: out, inputs, expected: await seqnetOutputs(run, inputs), name });
    }
    const plain = loadElsewhere(dir, jobs.slice(0, 1));
    expect(plain.results[0].error).toMatch(/SeqnetRecurrent/); // without seqnet/layers the class is unknown
    const loaded = loadElsewhere(dir, jobs, bundle);
    fs.rmSync(bundle);
    expect(loaded.registeredAfter.sort()).toEqual([...CUSTOM_CLASSES].sort());
    for (const [i, j] of jobs.entries()) {
      const got = loaded.results[i];
      expect(got.error, j.name).toBeUndefined();
      expect(maxAbsDiff(got.values!, j.expected), j.name).toBeLessThan(1e-5);
    }
    const classes = new Set(loaded.results.flatMap((r) => r.classes!));
    for (const c of ['Conv1D', 'Dense', 'Embedding', 'Reshape']) expect(classes).toContain(c);
  });

  it('--pure refuses a kept layer, naming it and what to do instead', async () => {
    const run = path.join(dir, 'run-lm-gru');
    const out = path.join(dir, 'pure-gru');
    await expect(exportRun(run, { out, pure: true, bundle: false })).rejects.toThrow(/layer gru_1 \(SeqnetRecurrent, cell gru: .*reset_after.*train lstm or rnn for a pure export\).*export without --pure/s);
    expect(fs.existsSync(out)).toBe(false);
  });
});
