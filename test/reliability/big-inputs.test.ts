/**
 * Promise 5: big inputs stay bounded. The corpus reader never holds the text whole: it reads
 * 1 MiB chunks, keeps token ids in the smallest typed array that fits and hands out the splits as
 * views of one array. These tests pin that it gives exactly the ids of encoding the whole text
 * (across chunk boundaries, multi-byte characters, several files) and that a very long line
 * works. The 200 MB and 1,000,000-row figures come from bench/bigcorpus.mjs (README).
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { CHUNK_BYTES } from '../../src/data/chunks.js';
import { idArray, readCorpus, type CorpusProgress } from '../../src/data/corpus.js';
import { carve } from '../../src/data/split.js';
import { fitTokenizer } from '../../src/data/tokenizers/index.js';
import { Rng } from '../../src/util/rng.js';
import { fixture } from '../helpers/tmp.js';

/** ~n code units of seeded text with multi-byte and astral characters and newlines. */
function text(n: number, seed: number): string {
  const rng = new Rng(seed);
  const pieces = ['the ', 'cat ', 'Ünïcødé ', '日本語 ', '🙂 ', 'sat.\n', 'on the mat\n', 'x', '\n'];
  let s = '';
  while (s.length < n) s += pieces[Math.floor(rng.next() * pieces.length)];
  return s;
}

/** index of the first difference between two id lists, -1 when equal (fast on long lists) */
function firstDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  for (let i = 0; i < Math.max(a.length, b.length); i++) if (a[i] !== b[i]) return i;
  return -1;
}

const char = { type: 'char' as const, lowercase: false };

describe('the chunked corpus reader', () => {
  it('gives the ids of encoding the whole text, split by code units, across chunk boundaries and files', () => {
    const a = text(Math.round(CHUNK_BYTES * 1.7), 1);
    const b = text(5000, 2);
    const dir = fixture({ 'a.txt': '\uFEFF' + a, 'b.txt': b });
    const progress: CorpusProgress[] = [];
    const c = readCorpus([path.join(dir, 'a.txt'), path.join(dir, 'b.txt')], { valid: 0.1, test: 0.05, tokenizer: char }, 'corpus', undefined, (p) => progress.push(p));
    const whole = `${a}\n${b}`;
    const r = carve(whole.length, 0.1, 0.05, 'corpus');
    const tok = fitTokenizer([whole.slice(...r.train)], char);
    expect(c.tok.vocab).toEqual(tok.vocab);
    expect(c.train).toBeInstanceOf(Uint8Array); // a char vocabulary fits in one byte per id
    expect(firstDiff(c.train, tok.encode(whole.slice(...r.train)))).toBe(-1);
    expect(firstDiff(c.valid!, tok.encode(whole.slice(...r.valid)))).toBe(-1);
    expect(firstDiff(c.test!, tok.encode(whole.slice(...r.test)))).toBe(-1);
    // the splits are views of one array, not copies
    expect(c.valid!.buffer).toBe(c.train.buffer);
    expect(c.test!.buffer).toBe(c.train.buffer);
    expect(new Set(progress.map((p) => p.pass))).toEqual(new Set(['count', 'vocabulary', 'encode']));
  });

  it('word tokenizers give the same ids as encoding the whole text', () => {
    const a = text(Math.round(CHUNK_BYTES * 1.1), 3);
    const dir = fixture({ 'a.txt': a });
    const word = { type: 'word' as const, lowercase: true, min_freq: 1, vocab_size: null };
    const c = readCorpus([path.join(dir, 'a.txt')], { valid: 0.1, test: 0, tokenizer: word }, 'corpus');
    const r = carve(a.length, 0.1, 0, 'corpus');
    const tok = fitTokenizer([a.slice(...r.train)], word);
    expect(firstDiff(c.train, tok.encode(a.slice(...r.train)))).toBe(-1);
    expect(firstDiff(c.valid!, tok.encode(a.slice(...r.valid)))).toBe(-1);
    expect(c.test).toBeUndefined();
  });

  it('reads one line longer than several chunks', () => {
    const line = 'abc '.repeat(Math.round(CHUNK_BYTES * 0.75)); // 3 MiB, no newline
    const dir = fixture({ 'long.txt': line });
    const c = readCorpus([path.join(dir, 'long.txt')], { valid: 0, test: 0, tokenizer: char }, 'long');
    expect(c.train.length).toBe(line.length);
    expect(c.tok.decode(Array.from(c.train.subarray(0, 8)))).toBe('abc abc ');
  });

  it('picks the smallest id type for the vocabulary', () => {
    expect(idArray(3, 256)).toBeInstanceOf(Uint8Array);
    expect(idArray(3, 257)).toBeInstanceOf(Uint16Array);
    expect(idArray(3, 65536)).toBeInstanceOf(Uint16Array);
    expect(idArray(3, 65537)).toBeInstanceOf(Int32Array);
  });

  it('a binary file given as text is a clear data error', () => {
    const dir = fixture({ 'bin.txt': new Uint8Array([104, 105, 10, 0, 1, 2, 255]) });
    expect(() => readCorpus([path.join(dir, 'bin.txt')], { valid: 0, test: 0, tokenizer: char }, 'bin')).toThrow(
      /bin\.txt looks binary: a NUL byte at line 2, column 1 \(byte offset 3\)/,
    );
    fs.rmSync(dir, { recursive: true });
  });
});
