/**
 * Bag-of-n-grams vectors for two sentences worked by hand, and the bow classifier's network:
 * shape, parameter count, save → load → identical outputs.
 *   A = 5 6 5 (then padding), B = 6 7; ngram_range [1, 2]
 *   counts over both: "5":2 "6":2 "5 6":1 "6 5":1 "7":1 "6 7":1 → features in that order
 *   (most frequent first, ties in the order first seen: unigrams of A, bigrams of A, then B)
 */
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend, tf } from '../../src/backend/index.js';
import { featurize, fitBow } from '../../src/baselines/bow_features.js';
import { BowSchema } from '../../src/config/schema/index.js';
import { ClassifySplit } from '../../src/data/examples.js';
import { loadCheckpoint, saveCheckpoint } from '../../src/models/io.js';
import { buildModel } from '../../src/models/registry.js';
import { tmpDir } from '../helpers/tmp.js';

const A = [5, 6, 5, 0, 0];
const B = [6, 7, 0, 0, 0];
const bow = (o: Record<string, unknown>) => BowSchema.parse({ type: 'bow', ...o });
const rows = (v: Float32Array, F: number) => [Array.from(v.subarray(0, F)), Array.from(v.subarray(F, 2 * F))];

beforeAll(async () => {
  await initBackend({ device: 'cpu' });
});

describe('bow features', () => {
  it('count and binary', () => {
    const v = fitBow([A, B], bow({ weighting: 'count' }));
    expect(v.features).toEqual(['5', '6', '5 6', '6 5', '7', '6 7']);
    expect(rows(featurize([A, B], v), 6)).toEqual([
      [2, 1, 1, 1, 0, 0],
      [0, 1, 0, 0, 1, 1],
    ]);
    const bin = fitBow([A, B], bow({ weighting: 'binary' }));
    expect(rows(featurize([A, B], bin), 6)).toEqual([
      [1, 1, 1, 1, 0, 0],
      [0, 1, 0, 0, 1, 1],
    ]);
  });

  it('tfidf: count × (ln((1+N)/(1+df)) + 1), rows scaled to unit length', () => {
    const v = fitBow([A, B], bow({ weighting: 'tfidf' }));
    // N = 2: "6" is in both (idf = ln(3/3) + 1 = 1), every other n-gram in one (idf = ln(3/2) + 1 = 1.4054651)
    expect(v.idf![0]).toBeCloseTo(1.4054651, 6);
    expect(v.idf![1]).toBeCloseTo(1, 10);
    // A = [2·1.4054651, 1, 1.4054651, 1.4054651, 0, 0] / 3.5849695
    // B = [0, 1, 0, 0, 1.4054651, 1.4054651] / 2.2249952
    const [a, b] = rows(featurize([A, B], v), 6);
    [0.7840880, 0.2789425, 0.3920440, 0.3920440, 0, 0].forEach((x, j) => expect(a[j]).toBeCloseTo(x, 6));
    [0, 0.4494364, 0, 0, 0.6316672, 0.6316672].forEach((x, j) => expect(b[j]).toBeCloseTo(x, 6));
  });

  it('keeps the max_features most frequent n-grams and ignores unknown ones', () => {
    const v = fitBow([A, B], bow({ weighting: 'count', ngram_range: [1, 1], max_features: 2 }));
    expect(v.features).toEqual(['5', '6']);
    expect(rows(featurize([[7, 7, 5], [9]], v), 2)).toEqual([
      [1, 0],
      [0, 0],
    ]);
  });
});

describe('bow classifier', () => {
  it('is features → dense logits [B, C], with F·C + C parameters, and reloads identically', async () => {
    const train = new ClassifySplit([[5, 6, 5], [6, 7], [7, 7, 8]], Int32Array.from([0, 1, 2]), 5, 'post', ['a', 'b', 'c'], 3);
    const model = buildModel(bow({ weighting: 'tfidf' }), { task: 'classification', info: { seqLen: 5, vocabSize: 9, numClasses: 3 }, seed: 1, train });
    // n-grams: 5 6 7 8, 5 6, 6 5, 6 7, 7 7, 7 8 → F = 9
    expect(model.countParams()).toBe(9 * 3 + 3);
    const x = tf.tensor2d([A, B], [2, 5], 'int32');
    const y = model.predict(x) as tf.Tensor;
    expect(y.shape).toEqual([2, 3]);
    const dir = path.join(tmpDir(), 'ckpt');
    await saveCheckpoint(model, dir);
    const back = await loadCheckpoint(dir);
    const y2 = back.predict(x) as tf.Tensor;
    expect(Array.from(y2.dataSync())).toEqual(Array.from(y.dataSync()));
    tf.dispose([x, y, y2]);
    model.dispose();
    back.dispose();
  });

  it('needs the training split of a classification task', () => {
    expect(() => buildModel(bow({}), { task: 'classification', info: { seqLen: 5, vocabSize: 9, numClasses: 3 }, seed: 1 })).toThrow(/bow needs the training split/);
  });
});
