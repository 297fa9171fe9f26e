import { describe, expect, it } from 'vitest';
import { BpeTokenizer, chunks } from '../../src/data/tokenizers/bpe.js';
import { fitTokenizer, loadTokenizer, UNK } from '../../src/data/tokenizers/index.js';
import { WordTokenizer, splitWords } from '../../src/data/tokenizers/word.js';

const SPECIALS = ['<pad>', '<unk>', '<bos>', '<eos>'];

describe('word tokenizer', () => {
  const corpus = ['The cat sat.', 'the cat ran!', 'a dog'];
  const cfg = { type: 'word' as const, lowercase: true, min_freq: 1, vocab_size: null };

  it('splits words and punctuation, keeping inner apostrophes', () => {
    expect(splitWords("Don't stop—now, ok?")).toEqual(["Don't", 'stop', '—', 'now', ',', 'ok', '?']);
  });

  it('orders the vocabulary by frequency, then code point', () => {
    // counts: cat 2, the 2, then ! . a dog ran sat once each
    expect(WordTokenizer.fit(corpus, cfg).vocab).toEqual([...SPECIALS, 'cat', 'the', '!', '.', 'a', 'dog', 'ran', 'sat']);
  });

  it('drops words below min_freq and cuts to vocab_size ids (specials included)', () => {
    expect(WordTokenizer.fit(corpus, { ...cfg, min_freq: 2 }).vocab).toEqual([...SPECIALS, 'cat', 'the']);
    expect(WordTokenizer.fit(corpus, { ...cfg, vocab_size: 7 }).vocab).toEqual([...SPECIALS, 'cat', 'the', '!']);
  });

  it('maps unknown words to <unk>, names them, and reloads from JSON', () => {
    const tok = WordTokenizer.fit(corpus, cfg);
    expect(tok.encode("The dog didn't bark.")).toEqual([5, 9, UNK, UNK, 7]);
    expect(tok.unknownPieces("The dog didn't bark.")).toEqual(["didn't", 'bark']);
    expect(tok.decode(tok.encode('The cat ran!'))).toBe('the cat ran !');
    const again = loadTokenizer(JSON.parse(JSON.stringify(tok.toJSON())), 't');
    expect(again.encode('a cat')).toEqual(tok.encode('a cat'));
  });
});

describe('byte-level BPE', () => {
  // bytes: a = 97 + 4 = 101, b = 102, c = 103, d = 104
  it('learns merges by frequency with ties to the smaller pair (hand-worked)', () => {
    // "aaabdaaabac": (a,a) ×4 → 260; then (260,a) ×2 and (a,b) ×2 tie → (a,b) = 261 (101 < 260);
    // then (260,261) ×2 → 262 "aaab"; every pair left occurs once, so training stops.
    const tok = BpeTokenizer.fit(['aaabdaaabac'], { type: 'bpe', vocab_size: 1000 });
    expect(tok.merges).toEqual([
      [101, 101],
      [101, 102],
      [260, 261],
    ]);
    expect(tok.vocab.slice(260)).toEqual(['aa', 'ab', 'aaab']);
    expect(tok.encode('aaabdaaabac')).toEqual([262, 104, 262, 101, 103]);
    // merges apply in the order learnt: "aab" → (a,a) first → [aa, b]
    expect(tok.encode('aab')).toEqual([260, 102]);
    expect(BpeTokenizer.fit(['aaabdaaabac'], { type: 'bpe', vocab_size: 261 }).merges).toEqual([[101, 101]]);
  });

  it('cuts text into chunks that join back to it', () => {
    const s = "It's 2024 —  ok?\n\ttabs";
    // GPT-2's rule: a whitespace run leaves its last character to the next chunk when a word follows
    expect(chunks(s)).toEqual(['It', "'s", ' 2024', ' —', ' ', ' ok', '?', '\n', '\t', 'tabs']);
    expect(chunks(s).join('')).toBe(s);
  });

  it('round-trips any text exactly, unseen characters included, and reloads from JSON', () => {
    const tok = fitTokenizer(['the cat sat on the mat. the cat ran.'], { type: 'bpe', vocab_size: 300 });
    for (const s of ['the cat', 'Ünïcödé 🎉 and\r\nCRLF  double  spaces', '']) expect(tok.decode(tok.encode(s))).toBe(s);
    expect(tok.unknownPieces('🎉')).toEqual([]);
    const again = loadTokenizer(JSON.parse(JSON.stringify(tok.toJSON())), 't');
    expect(again.encode('the mat')).toEqual(tok.encode('the mat'));
    expect(tok.encode(' the').length).toBe(1);
  });
});
