/** Corpus BLEU-4 and the decoding match scores, on examples worked by hand. */
import { describe, expect, it } from 'vitest';
import { corpusBleu } from '../../src/tasks/bleu.js';
import { matchScores } from '../../src/tasks/seq2seq_metrics.js';

const w = (s: string) => s.split(' ');

describe('corpus BLEU', () => {
  it('matches a two-sentence example worked by hand', () => {
    // h1 "the cat sat on the mat" vs r1 "the cat sat on a mat":
    //   1-grams: the×2 clipped to 1, cat, sat, on, mat → 5/6;  2-grams the-cat cat-sat sat-on → 3/5
    //   3-grams the-cat-sat cat-sat-on → 2/4;                  4-grams the-cat-sat-on → 1/3
    // h2 "a b c d" vs r2 "a b c d e f": 4/4, 3/3, 2/2, 1/1
    // corpus: p = 9/10, 6/8, 4/6, 2/4 → geometric mean 0.225^(1/4);  c = 10, r = 12 → BP = exp(1 − 12/10)
    const r = corpusBleu([w('the cat sat on the mat'), w('a b c d')], [w('the cat sat on a mat'), w('a b c d e f')]);
    expect(r.precisions).toEqual([9 / 10, 6 / 8, 4 / 6, 2 / 4]);
    expect(r.hypothesis_length).toBe(10);
    expect(r.reference_length).toBe(12);
    expect(r.brevity_penalty).toBeCloseTo(Math.exp(-0.2), 12);
    expect(r.bleu).toBeCloseTo(0.56388005, 7);
  });

  it('is 1 for identical corpora, 0 when no 4-gram matches, and has no penalty for longer output', () => {
    expect(corpusBleu([w('a b c d e')], [w('a b c d e')]).bleu).toBeCloseTo(1, 12);
    expect(corpusBleu([w('a b c x d')], [w('a b c d e')]).bleu).toBe(0); // no 4-gram in common
    const long = corpusBleu([w('a b c d e f')], [w('a b c d e')]);
    expect(long.brevity_penalty).toBe(1);
    // p = 5/6, 4/5, 3/4, 2/3 → (1/3)^(1/4)
    expect(long.bleu).toBeCloseTo((1 / 3) ** 0.25, 12);
  });
});

describe('decoding match scores', () => {
  it('exact match, token accuracy with <eos>, and BLEU over token ids', () => {
    // refs [5 6 7] and [8 9]; outputs [5 6 7] (right) and [8 4 4] (wrong):
    // token accuracy over reference positions + <eos>: (3 + 1) right + (1 + 0) right of 4 + 3 → 5/7
    const s = matchScores(
      [
        [5, 6, 7],
        [8, 4, 4],
      ],
      [
        [5, 6, 7],
        [8, 9],
      ],
    );
    expect(s.exact_match).toBe(0.5);
    expect(s.token_accuracy).toBeCloseTo(5 / 7, 12);
    expect(s.bleu).toBe(0); // 3-token outputs have no 4-grams, so p_4 = 0
  });
});
