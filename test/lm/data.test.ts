import { describe, expect, it } from 'vitest';
import { initBackend, tf } from '../../src/backend/index.js';
import { windows } from '../../src/data/lm.js';
import { carve } from '../../src/data/split.js';
import { CharTokenizer } from '../../src/data/tokenizers/char.js';
import { loadTokenizer, UNK } from '../../src/data/tokenizers/index.js';

describe('char tokenizer', () => {
  const tok = CharTokenizer.fit(['hello wörld'], { type: 'char', lowercase: false });

  it('puts the specials first and characters in code-point order', () => {
    expect(tok.vocab).toEqual(['<pad>', '<unk>', '<bos>', '<eos>', ' ', 'd', 'e', 'h', 'l', 'o', 'r', 'w', 'ö']);
  });

  it('round-trips text through ids and through its JSON form', () => {
    const ids = tok.encode('world hello');
    const again = loadTokenizer(JSON.parse(JSON.stringify(tok.toJSON())), 'test');
    expect(again.decode(again.encode('hello wörld'))).toBe('hello wörld');
    expect(tok.decode(ids)).toBe('world hello');
  });

  it('maps unseen characters to <unk> and names them', () => {
    expect(tok.encode('hz')).toEqual([7, UNK]);
    expect(tok.unknownPieces('hzzq')).toEqual(['z', 'q']);
  });
});

describe('language-model windows', () => {
  it('cuts next-token windows with a stride (hand-computed)', async () => {
    await initBackend({ device: 'cpu' });
    const ids = Int32Array.from([10, 11, 12, 13, 14, 15, 16, 17]);
    const w = windows(ids, { seq_len: 3, stride: 2 }, 'test');
    // starts 0, 2, 4 (start 6 would need ids[9])
    expect(w.size).toBe(3);
    const b = w.batch([0, 2]);
    expect(b.xs[0].shape).toEqual([2, 3]);
    expect(await b.xs[0].array()).toEqual([
      [10, 11, 12],
      [14, 15, 16],
    ]);
    expect(await b.ys.array()).toEqual([
      [11, 12, 13],
      [15, 16, 17],
    ]);
    tf.dispose([...b.xs, b.ys]);
  });

  it('with stride = seq_len by default, and an error when not one window fits', () => {
    expect(windows(Int32Array.from({ length: 10 }, (_, i) => i), { seq_len: 3, stride: null }, 't').size).toBe(3);
    expect(() => windows(Int32Array.from([1, 2, 3]), { seq_len: 3, stride: null }, 'corpus.txt')).toThrow(
      /corpus.txt has 3 tokens, fewer than one window \(data.seq_len \+ 1 = 4\)/,
    );
  });

  it('carves train, valid and test in order', () => {
    expect(carve(100, 0.1, 0.2, 'x')).toEqual({ train: [0, 70], valid: [70, 80], test: [80, 100] });
    expect(() => carve(100, 0.5, 0.5, 'x')).toThrow(/leave no training data/);
  });
});
