import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { readConll } from '../../src/data/conll.js';
import { column, readTable } from '../../src/data/table.js';
import { DataError } from '../../src/util/errors.js';
import { fixture } from '../helpers/tmp.js';

const dir = fixture({
  'ok.csv': 'text,label\n"hello, world",pos\n\n"two\nlines",neg\nplain,pos\n',
  'ok.tsv': 'text\tlabel\nsay "hi"\tpos\n',
  'ragged.csv': 'a,b,c\n1,2,3\n4,5\n',
  'ok.jsonl': '{"text": "a", "label": 1}\n\n{"text": "b", "extra": [1, 2]}\n',
  'bad.jsonl': '{"text": "a"}\n{"text": \n',
  'latin1.csv': Buffer.from([0x61, 0x0a, 0x63, 0x61, 0x66, 0xe9, 0x0a]),
  'tags.conll': '-DOCSTART-\tO\n\nthe\tDT\tx\tDET\ndog\tNOUN\n\n\nruns NOUN\n',
  'notag.conll': 'the\tDET\ndog\n',
});
const f = (name: string) => path.join(dir, name);
const err = (fn: () => unknown): string => {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(DataError);
    return (e as Error).message;
  }
  throw new Error('expected a DataError');
};

describe('readTable', () => {
  it('reads CSV with quoted commas and newlines, skipping blank lines, with the line of each row', () => {
    const t = readTable(f('ok.csv'), 'csv');
    expect(t.columns).toEqual(['text', 'label']);
    expect(t.rows).toEqual([
      { text: 'hello, world', label: 'pos' },
      { text: 'two\nlines', label: 'neg' },
      { text: 'plain', label: 'pos' },
    ]);
    expect([0, 1, 2].map((i) => t.line(i))).toEqual([2, 4, 6]);
  });

  it('reads TSV (quotes inside fields are kept) and JSON Lines (union of keys, missing = "")', () => {
    expect(readTable(f('ok.tsv'), 'tsv').rows).toEqual([{ text: 'say "hi"', label: 'pos' }]);
    const j = readTable(f('ok.jsonl'), 'jsonl');
    expect(j.columns).toEqual(['text', 'label', 'extra']);
    expect(j.rows[1]).toEqual({ text: 'b', label: '', extra: '[1,2]' });
    expect(j.line(1)).toBe(3);
  });

  it('names file and line of a ragged row, of bad JSON, and of the first non-UTF-8 byte', () => {
    expect(err(() => readTable(f('ragged.csv'), 'csv'))).toMatch(/ragged\.csv, line 3: the row has 2 field\(s\) but the header has 3/);
    expect(err(() => readTable(f('bad.jsonl'), 'jsonl'))).toMatch(/bad\.jsonl, line 2: not valid JSON/);
    expect(err(() => readTable(f('latin1.csv'), 'csv'))).toMatch(/latin1\.csv is not valid UTF-8 \(first bad byte at line 2/);
  });

  it('lists the existing columns when a named one is missing', () => {
    const t = readTable(f('ok.csv'), 'csv');
    expect(err(() => column(t, 'txt', 'ok.csv', 'data.text_column'))).toBe(
      'ok.csv: column `txt` (data.text_column) not found; the file has: text, label.\nSet data.text_column to one of them.',
    );
  });
});

describe('readConll', () => {
  it('takes the token from the first column and the tag from the last; blank lines end sentences', () => {
    expect(readConll(f('tags.conll'))).toEqual([
      { tokens: ['the', 'dog'], tags: ['DET', 'NOUN'], line: 3 },
      { tokens: ['runs'], tags: ['NOUN'], line: 7 },
    ]);
  });

  it('rejects a line without a tag, naming file and line; reads it when tags are not needed', () => {
    expect(err(() => readConll(f('notag.conll')))).toMatch(/notag\.conll, line 2: `dog` has a token but no tag/);
    expect(readConll(f('notag.conll'), { tags: false })[0].tokens).toEqual(['the', 'dog']);
  });
});
