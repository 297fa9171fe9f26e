/** Pretrained word vectors: placement, coverage warning, frozen weights and clear errors. */
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend, tf } from '../../src/backend/index.js';
import { buildModel } from '../../src/models/registry.js';
import { readVectors } from '../../src/models/vectors.js';
import { DataError } from '../../src/util/errors.js';
import { fixture } from '../helpers/tmp.js';
import { INFO, tinyModel } from './helpers.js';

beforeAll(async () => {
  await initBackend({ device: 'cpu' });
});

// 13 ids as INFO.vocabSize: 4 specials + 9 words
const VOCAB = ['<pad>', '<unk>', '<bos>', '<eos>', 'the', 'cat', 'Dog', 'sat', 'on', 'mat', 'zebra', 'a', 'ran'];
const VECTORS = ['the 1 2 3 4', 'cat 0.5 0.5 0.5 0.5', 'dog 9 9 9 9', 'Dog -1 -2 -3 -4', 'sat 0 0 0 1', 'unused 7 7 7 7', ''].join('\n');
const dir = fixture({ 'vec.txt': VECTORS, 'w2v.txt': `3 4\n${VECTORS}`, 'small.txt': 'the 1 2 3\n', 'bad.txt': 'the 1 2 3 4\ncat 1 x 3 4\n', 'short.txt': 'the 1 2 3 4\ncat 1 2\n' });
const at = (f: string) => path.join(dir, f);

describe('readVectors', () => {
  it('keeps vocabulary rows, prefers exact case, and reports coverage', () => {
    for (const f of ['vec.txt', 'w2v.txt']) {
      const v = readVectors(at(f), VOCAB, 4);
      expect([...v.rows.keys()].sort((a, b) => a - b)).toEqual([4, 5, 6, 7]);
      expect(Array.from(v.rows.get(6)!)).toEqual([-1, -2, -3, -4]); // `Dog` exactly, not `dog`
      expect(v).toMatchObject({ covered: 4, total: 9 });
      expect(v.missing).toEqual(['on', 'mat', 'zebra', 'a', 'ran']);
    }
  });

  it('names the file, line and fix when the dimension differs from embedding_dim', () => {
    expect(() => readVectors(at('small.txt'), VOCAB, 4)).toThrow(DataError);
    expect(() => readVectors(at('small.txt'), VOCAB, 4)).toThrow(/small\.txt, line 1: the vectors have 3 dimensions but model\.embedding_dim is 4.*embedding_dim: 3/s);
    expect(() => readVectors(at('w2v.txt'), VOCAB, 8)).toThrow(/w2v\.txt, line 1: the vectors have 4 dimensions/);
    expect(() => readVectors(at('bad.txt'), VOCAB, 4)).toThrow(/bad\.txt, line 2: `x` is not a number/);
    expect(() => readVectors(at('short.txt'), VOCAB, 4)).toThrow(/short\.txt, line 2: expected a word and 4 numbers/);
    expect(() => readVectors(at('missing.txt'), VOCAB, 4)).toThrow(/not found/);
  });
});

describe.each(['lstm', 'textcnn'] as const)('%s with model.embeddings', (type) => {
  it.each([true, false])('starts from the vectors (trainable %s) and warns about coverage', (trainable) => {
    const warnings: string[] = [];
    const cfg = tinyModel(type, { embedding_dim: 4, embeddings: { path: at('vec.txt'), trainable } });
    const model = buildModel(cfg, { task: 'classification', info: INFO, seed: 1, artifacts: { tokenizer: { type: 'word', vocab: VOCAB } }, warn: (w) => warnings.push(w) });
    const table = model.getLayer('embedding').getWeights()[0].arraySync() as number[][];
    expect(table[4]).toEqual([1, 2, 3, 4]);
    expect(table[6]).toEqual([-1, -2, -3, -4]);
    expect(Math.max(...table[10].map(Math.abs))).toBeLessThanOrEqual(0.05); // `zebra`: random init
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/4 of 9 vocabulary tokens \(44\.4%\) have a vector in .*vec\.txt; the other 5 start random \(e\.g\. "on"/);
    const names = model.trainableWeights.map((w) => w.originalName);
    expect(names.some((n) => n.startsWith('embedding/'))).toBe(trainable);
    model.dispose();
  });
});

it('tf memory: building with pretrained vectors leaves only the model weights', () => {
  const before = tf.memory().numTensors;
  const model = buildModel(tinyModel('gru', { embedding_dim: 4, embeddings: { path: at('vec.txt'), trainable: true } }), {
    task: 'tagging',
    info: INFO,
    seed: 1,
    artifacts: { tokenizer: { type: 'word', vocab: VOCAB } },
  });
  const weights = model.weights.length;
  expect(tf.memory().numTensors - before).toBe(weights);
  model.dispose();
});
