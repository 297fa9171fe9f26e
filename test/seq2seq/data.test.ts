/** Seq2seq data: pairs from tables, two vocabularies, <bos>/<eos> shifting, padding weights, bad input. */
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend, tf } from '../../src/backend/index.js';
import { loadConfig } from '../../src/config/load.js';
import { BOS, EOS } from '../../src/data/tokenizers/types.js';
import { seq2seq } from '../../src/tasks/seq2seq.js';
import type { Seq2seqSplit } from '../../src/tasks/seq2seq_pairs.js';
import { fixture } from '../helpers/tmp.js';

beforeAll(async () => {
  await initBackend({ device: 'cpu' });
});

const yaml = (data: string, model = '') => `
name: s2s
task: seq2seq
data:
  train: pairs.tsv
  source_column: src
  target_column: tgt
  valid: 0
  test: 0
  shuffle: false
  seq_len: 4
${data}
model:
  type: seq2seq
  units: 4
  embedding_dim: 3
${model}
`;

describe('seq2seq data', () => {
  it('encodes sources and targets with separate vocabularies and shifts the decoder input by one', () => {
    const dir = fixture({ 'c.yaml': yaml(''), 'pairs.tsv': 'src\ttgt\nab\txyz\nbaaaa\tz\n' });
    const p = seq2seq.prepare(loadConfig(path.join(dir, 'c.yaml')));
    // char vocabularies: specials 0-3, then source a=4 b=5; target x=4 y=5 z=6
    expect(p.info).toEqual({ seqLen: 4, vocabSize: 6, targetVocabSize: 7, targetSeqLen: 4 });
    expect((p.artifacts.target_tokenizer as { max_length: number }).max_length).toBe(4); // "xyz" + <eos>
    expect(p.warnings.join('\n')).toMatch(/1 source\(s\) are longer than data.seq_len = 4/);
    const b = p.train.batch([0, 1]);
    expect(b.xs[0].arraySync()).toEqual([
      [4, 5, 0, 0],
      [5, 4, 4, 4], // "baaaa" cut to 4 (truncate: post)
    ]);
    expect(b.xs[1].arraySync()).toEqual([
      [BOS, 4, 5, 6],
      [BOS, 6, 0, 0],
    ]);
    expect(b.ys.arraySync()).toEqual([
      [4, 5, 6, EOS],
      [6, EOS, 0, 0],
    ]);
    expect(b.weights!.arraySync()).toEqual([
      [1, 1, 1, 1],
      [1, 1, 0, 0],
    ]);
    expect((p.train as Seq2seqSplit).references).toEqual([[4, 5, 6], [6]]);
    tf.dispose([...b.xs, b.ys, b.weights!]);
  });

  it('pads each batch only to its own longest source and target', () => {
    const dir = fixture({ 'c.yaml': yaml(''), 'pairs.tsv': 'src\ttgt\nab\txyz\nb\tz\n' });
    const p = seq2seq.prepare(loadConfig(path.join(dir, 'c.yaml')));
    const b = p.train.batch([1]);
    expect(b.xs[0].shape).toEqual([1, 1]);
    expect(b.ys.shape).toEqual([1, 2]);
    tf.dispose([...b.xs, b.ys, b.weights!]);
  });

  it('reads jsonl and splits by seeded shuffle', () => {
    const rows = Array.from({ length: 20 }, (_, i) => JSON.stringify({ src: `s${i}`, tgt: `t${i}` })).join('\n');
    const dir = fixture({ 'c.yaml': yaml('').replace('pairs.tsv', 'pairs.jsonl').replace(/valid: 0\n  test: 0\n  shuffle: false/, 'valid: 0.2\n  test: 0.2'), 'pairs.jsonl': rows });
    const a = seq2seq.prepare(loadConfig(path.join(dir, 'c.yaml')));
    const b = seq2seq.prepare(loadConfig(path.join(dir, 'c.yaml')));
    expect([a.train.size, a.valid!.size, a.test!.size]).toEqual([12, 4, 4]);
    expect((a.test as Seq2seqSplit).references).toEqual((b.test as Seq2seqSplit).references);
  });

  it('names the file, the line and the fix for bad input', () => {
    const bad = (tsv: string, extra = '') => () => seq2seq.prepare(loadConfig(path.join(fixture({ 'c.yaml': yaml(extra), 'pairs.tsv': tsv }), 'c.yaml')));
    expect(bad('src\ttgt\nab\txy\n\tz\n')).toThrow(/pairs\.tsv: 1 row\(s\) have an empty src \(line 3\)/);
    expect(bad('source\ttgt\nab\txy\n')).toThrow(/column `src` \(data.source_column\) not found; the file has: source, tgt/);
    expect(bad('src\ttgt\nab\txy\tq\n')).toThrow(/pairs\.tsv, line 2: the row has 3 field\(s\)/);
  });

  it('refuses a seq2seq model for another task, and another model for seq2seq', () => {
    const dir = fixture({
      'a.yaml': yaml('').replace('task: seq2seq', 'task: classification'),
      'b.yaml': yaml('').replace(/model:\n  type: seq2seq\n  units: 4\n  embedding_dim: 3/, 'model:\n  type: lstm'),
      'pairs.tsv': 'src\ttgt\na\tb\n',
    });
    expect(() => loadConfig(path.join(dir, 'a.yaml'))).toThrow(/model type `seq2seq` does not support task `classification`/);
    expect(() => loadConfig(path.join(dir, 'b.yaml'))).toThrow(/model type `lstm` does not support task `seq2seq`/);
  });
});
