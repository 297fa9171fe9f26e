/**
 * The n-gram language model against probabilities worked by hand on a six-token corpus
 * (V = 7: ids 0-3 are the specials, 4-6 the words):  4 5 4 6 4 5
 *   unigram counts   4:3  5:2  6:1                       (6 tokens)
 *   bigram counts    (4,5):2 (4,6):1 (5,4):1 (6,4):1     c(4·) = 3, c(5·) = c(6·) = 1
 *   continuation     N1+(·4) = 2 (after 5 and 6), N1+(·5) = N1+(·6) = 1; 4 bigram types, 3 words
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend, tf } from '../../src/backend/index.js';
import { NgramLM } from '../../src/baselines/ngram.js';
import { NgramSchema } from '../../src/config/schema/index.js';

const CORPUS = [4, 5, 4, 6, 4, 5];
const V = 7;
const cfg = (o: Record<string, unknown>) => NgramSchema.parse({ type: 'ngram', ...o });

beforeAll(async () => {
  await initBackend({ device: 'cpu' });
});

describe('ngram kneser_ney', () => {
  const lm = NgramLM.fit(CORPUS, V, cfg({ order: 2, discount: 0.5 }));

  it('stores one entry per distinct n-gram', () => {
    expect(lm.countParams()).toBe(3 + 4);
  });

  it('gives the probability worked by hand', () => {
    // lower order: P_cont(5) = max(1 - .5, 0)/4 + (.5 · 3/4) · 1/7 = .125 + .0535714 = .1785714
    // P(5 | 4) = max(2 - .5, 0)/3 + (.5 · 2/3) · P_cont(5) = .5 + .0595238 = .5595238
    expect(lm.prob([4], 5)).toBeCloseTo(0.5595238, 6);
    // P(4 | 5) = .5/1 + (.5 · 1/1) · P_cont(4),  P_cont(4) = 1.5/4 + .0535714 = .4285714
    expect(lm.prob([5], 4)).toBeCloseTo(0.7142857, 6);
    // an unseen context backs off entirely to the continuation unigram
    expect(lm.prob([7], 5)).toBeCloseTo(0.1785714, 6);
    // no context at all (a window's first position): raw unigram counts, (2 - .5)/6 + (.5 · 3/6)/7
    expect(lm.prob([], 5)).toBeCloseTo(0.2857143, 6);
    // a word never seen keeps the uniform share: (.5 · 2/3) · (.5 · 3/4)/7
    expect(lm.prob([4], 0)).toBeCloseTo((1 / 3) * (0.375 / 7), 8);
  });

  it('estimates D = n1 / (n1 + 2 n2) per order', () => {
    const est = NgramLM.fit(CORPUS, V, cfg({ order: 2 }));
    // raw unigrams 3,2,1 → 1/(1+2); raw bigrams 2,1,1,1 → 3/(3+2); continuation unigrams 2,1,1 → 2/(2+2)
    expect(est.discounts.raw[0]).toBeCloseTo(1 / 3, 10);
    expect(est.discounts.raw[1]).toBeCloseTo(0.6, 10);
    expect(est.discounts.continuation[0]).toBeCloseTo(0.5, 10);
  });

  it('sums to one over the vocabulary for every context, at every order', () => {
    const ids = Array.from({ length: 400 }, (_, i) => 4 + ((i * 7 + (i >> 3)) % 9));
    const tri = NgramLM.fit(ids, 13, cfg({ order: 3 }));
    for (const ctx of [[], [4], [4, 5], [12, 12], [0, 1], [9, 4]]) {
      const p = tri.distribution(ctx);
      expect(p.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 10);
      expect(Math.min(...p)).toBeGreaterThan(0);
    }
  });

  it('returns log-probabilities [B, T, V] from each position’s own context', () => {
    const x = tf.tensor2d([[4, 5], [6, 4]], [2, 2], 'int32');
    const y = lm.apply([x]);
    expect(y.shape).toEqual([2, 2, V]);
    const v = y.arraySync() as number[][][];
    expect(Math.exp(v[0][0][5])).toBeCloseTo(lm.prob([4], 5), 6);
    expect(Math.exp(v[0][1][4])).toBeCloseTo(lm.prob([5], 4), 6);
    expect(Math.exp(v[1][0][4])).toBeCloseTo(lm.prob([6], 4), 6);
    tf.dispose([x, y]);
  });

  it('saves to JSON and loads back to identical outputs', () => {
    const c = cfg({ order: 3 });
    const ids = Array.from({ length: 200 }, (_, i) => 4 + ((i * i) % 5));
    const a = NgramLM.fit(ids, 9, c);
    const b = NgramLM.fromJSON(JSON.parse(JSON.stringify(a.toJSON())), c, 'baseline.json');
    const x = tf.tensor2d([[4, 5, 6, 7, 8]], [1, 5], 'int32');
    const ya = a.apply(x);
    const yb = b.apply(x);
    expect(Array.from(yb.dataSync())).toEqual(Array.from(ya.dataSync()));
    expect(b.countParams()).toBe(a.countParams());
    tf.dispose([x, ya, yb]);
    expect(() => NgramLM.fromJSON({ ...a.toJSON(), order: 2 }, c, 'run/best/baseline.json')).toThrow(/run\/best\/baseline.json: order 2 does not match model.order 3/);
  });
});

describe('ngram add_k', () => {
  it('is (count + k) / (context count + k·V) at the highest order', () => {
    const lm = NgramLM.fit(CORPUS, V, cfg({ order: 2, smoothing: 'add_k', k: 1 }));
    expect(lm.prob([4], 5)).toBeCloseTo((2 + 1) / (3 + 7), 10);
    expect(lm.prob([4], 0)).toBeCloseTo(1 / 10, 10);
    expect(lm.prob([7], 5)).toBeCloseTo(1 / 7, 10); // unseen context: uniform
    expect(lm.prob([], 4)).toBeCloseTo((3 + 1) / (6 + 7), 10); // window start: unigram counts
    const half = NgramLM.fit(CORPUS, V, cfg({ order: 2, smoothing: 'add_k', k: 0.5 }));
    expect(half.prob([4], 5)).toBeCloseTo(2.5 / 6.5, 10);
  });
});
