import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend, tf } from '../../src/backend/index.js';
import { documentStream, splitDocuments } from '../../src/data/documents.js';
import { ClassifySplit, TagSplit } from '../../src/data/examples.js';
import { WindowSplit } from '../../src/data/lm.js';
import { padInto } from '../../src/data/sequence.js';
import { carveExamples } from '../../src/data/split.js';

beforeAll(async () => {
  await initBackend({ device: 'cpu' });
});

describe('padding and truncation', () => {
  it('pads at the end with 0 and keeps the start (post) or the end (pre) of long sequences', () => {
    const out = new Int32Array(4);
    expect(padInto(out, 0, [5, 6], 4, 'post')).toBe(2);
    expect(Array.from(out)).toEqual([5, 6, 0, 0]);
    padInto(out, 0, [5, 6, 7, 8, 9], 4, 'post');
    expect(Array.from(out)).toEqual([5, 6, 7, 8]);
    padInto(out, 0, [5, 6, 7, 8, 9], 4, 'pre');
    expect(Array.from(out)).toEqual([6, 7, 8, 9]);
  });

  it('gives tagging batches a weight mask of 1 on real tokens and 0 on padding', async () => {
    const s = new TagSplit([[7, 8, 9], [4]], [[1, 2, 1], [2]], 4, 'post', ['A', 'B', 'C'], 3);
    const b = s.batch([0, 1]);
    expect(await b.xs[0].array()).toEqual([[7, 8, 9, 0], [4, 0, 0, 0]]);
    expect(await b.ys.array()).toEqual([[1, 2, 1, 0], [2, 0, 0, 0]]);
    expect(await b.weights!.array()).toEqual([[1, 1, 1, 0], [1, 0, 0, 0]]);
    tf.dispose([...b.xs, b.ys, b.weights!]);
  });

  it('gives classification batches [B, T] tokens and [B] labels', async () => {
    const s = new ClassifySplit([[7, 8, 9], [4]], Int32Array.from([1, 0]), 2, 'pre', ['neg', 'pos'], 2);
    const b = s.batch([0, 1]);
    expect(await b.xs[0].array()).toEqual([[8, 9], [4, 0]]);
    expect(await b.ys.array()).toEqual([1, 0]);
    tf.dispose([...b.xs, b.ys]);
  });
});

describe('splitting examples', () => {
  const items = Array.from({ length: 10 }, (_, i) => i);
  it('shuffles with the seed before carving fractions, and keeps file order without shuffle', () => {
    const a = carveExamples(items, { valid: 0.2, test: 0.2, shuffle: true }, 1, 't');
    expect(carveExamples(items, { valid: 0.2, test: 0.2, shuffle: true }, 1, 't')).toEqual(a);
    expect([...a.train, ...a.valid!, ...a.test!].sort((x, y) => x - y)).toEqual(items);
    expect(a.train).not.toEqual([0, 1, 2, 3, 4, 5]);
    expect(carveExamples(items, { valid: 0.2, test: 0.2, shuffle: false }, 1, 't')).toEqual({ train: [0, 1, 2, 3, 4, 5], valid: [6, 7], test: [8, 9] });
  });

  it('leaves splits given as files to the caller and refuses a fraction that carves nothing', () => {
    expect(carveExamples(items, { valid: 'v.csv', test: 0, shuffle: false }, 1, 't')).toEqual({ train: items, valid: undefined, test: undefined });
    expect(() => carveExamples(items.slice(0, 4), { valid: 0.1, test: 0, shuffle: false }, 1, 'few.csv')).toThrow(
      'few.csv: data.valid: 0.1 of 4 examples is an empty split',
    );
  });
});

describe('language-model documents and tbptt', () => {
  it('splits documents by line or by blank line and frames each as <bos> … <eos>', () => {
    expect(splitDocuments('a b\n\nc\r\n', 'lines')).toEqual(['a b', 'c']);
    expect(splitDocuments('p1 l1\np1 l2\n\n \np2\n', 'blank_lines')).toEqual(['p1 l1\np1 l2', 'p2']);
    expect(Array.from(documentStream([[5, 6], [7]]))).toEqual([2, 5, 6, 3, 2, 7, 3]);
  });

  it('cuts each window into chunks of K tokens, the last one aligned to the window end', () => {
    const ids = Int32Array.from({ length: 13 }, (_, i) => i);
    // windows of 6 at stride 6: starts 0, 6; K = 4 → chunks at 0, 2 and 6, 8
    const w = new WindowSplit(ids, 6, 6, 4);
    expect(w.size).toBe(4);
    expect([0, 1, 2, 3].map((k) => w.start(k))).toEqual([0, 2, 6, 8]);
    const b = w.batch([3]);
    expect(b.xs[0].arraySync()).toEqual([[8, 9, 10, 11]]);
    expect(b.ys.arraySync()).toEqual([[9, 10, 11, 12]]);
    tf.dispose([...b.xs, b.ys]);
    expect(new WindowSplit(ids, 6, 6, null).size).toBe(2);
  });
});
