/**
 * Promise 6: bad data is reported, not guessed. A BOM, CRLF line ends and a last line without a
 * newline are read silently; ragged rows, non-numeric cells, NaN/Infinity, empty CoNLL tokens and
 * invalid UTF-8 are errors naming file, line and column (or byte offset); `missing: drop` says
 * how many rows it dropped and why.
 */
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { readConll } from '../../src/data/conll.js';
import { readText } from '../../src/data/read.js';
import { readSeries } from '../../src/data/series.js';
import { readTable } from '../../src/data/table.js';
import { fixture } from '../helpers/tmp.js';

const f = (name: string, content: string | Uint8Array) => path.join(fixture({ [name]: content }), name);
const err = (fn: () => unknown): string => {
  try {
    fn();
  } catch (e) {
    return e instanceof Error ? `${e.name}: ${e.message}` : String(e);
  }
  return 'no error';
};
const series = (file: string, missing: 'error' | 'drop' = 'error') => readSeries(file, { format: null, features: null, targets: null, date_column: null, missing });

describe('harmless differences are handled silently', () => {
  const plain = 'a,b\n1,2\n3,4\n';
  it.each([
    ['a BOM', '\uFEFF' + plain],
    ['CRLF line ends', plain.replace(/\n/g, '\r\n')],
    ['no final newline', plain.slice(0, -1)],
    ['all three', '\uFEFF' + plain.replace(/\n/g, '\r\n').slice(0, -2)],
  ])('%s in a CSV', (_name, text) => {
    const t = readTable(f('t.csv', text), 'csv');
    expect(t.columns).toEqual(['a', 'b']);
    expect(t.rows).toEqual([{ a: '1', b: '2' }, { a: '3', b: '4' }]);
    const { series: s, warnings } = series(f('s.csv', text));
    expect(s.rows.map((r) => Array.from(r))).toEqual([[1, 2], [3, 4]]);
    expect(warnings).toEqual([]);
  });

  it('in text and CoNLL files', () => {
    expect(readText(f('x.txt', '\uFEFFhello\r\nworld'))).toBe('hello\r\nworld');
    const s = readConll(f('x.conll', '\uFEFFthe\tDET\r\ndog\tNOUN\r\n\r\nhi\tINTJ'));
    expect(s.map((x) => x.tokens)).toEqual([['the', 'dog'], ['hi']]);
    expect(s.map((x) => x.tags)).toEqual([['DET', 'NOUN'], ['INTJ']]);
  });
});

describe('bad data is reported with file, line and column', () => {
  it('a ragged CSV row', () => {
    expect(err(() => readTable(f('r.csv', 'a,b\n1,2\n3,4,5\n'), 'csv'))).toMatch(/DataError: .*r\.csv, line 3: the row has 3 field\(s\) but the header has 2/);
  });

  it.each([
    ['a non-numeric cell', 'x', /line 3 \(b = "x"\)/],
    ['Infinity', 'Infinity', /line 3 \(b = "Infinity"\)/],
    ['NaN', 'NaN', /line 3 \(b = "NaN"\)/],
  ])('%s in a series', (_name, cell, where) => {
    const m = err(() => series(f('n.csv', `a,b\n1,2\n3,${cell}\n5,6\n7,8\n`)));
    expect(m).toMatch(/DataError: .*n\.csv: 1 row\(s\) with missing or non-numeric values/);
    expect(m).toMatch(where);
    expect(m).toMatch(/set data\.missing: drop \| ffill/);
  });

  it('an empty CoNLL token', () => {
    expect(err(() => readConll(f('e.conll', 'the\tDET\n\tNOUN\n')))).toMatch(/DataError: .*e\.conll, line 2, column 1: the token is empty/);
  });

  it('invalid UTF-8, with the byte offset', () => {
    const bytes = new Uint8Array([...Buffer.from('ok\nfine\nca'), 0xe9, ...Buffer.from('fe\n')]);
    expect(err(() => readText(f('l.txt', bytes)))).toMatch(/DataError: .*l\.txt is not valid UTF-8 \(first bad byte at line 3, column 3, byte offset 10\)/);
    // a multi-byte character cut off at the end of the file
    expect(err(() => readText(f('cut.txt', new Uint8Array([0x61, 0xe2, 0x82]))))).toMatch(/line 1, column 2, byte offset 1/);
  });
});

describe('missing: drop', () => {
  it('says how many rows it dropped and why', () => {
    const { series: s, warnings } = series(f('d.csv', 'a,b\n1,2\n,4\n5,x\n7,8\n9,NaN\n'), 'drop');
    expect(s.rows.map((r) => Array.from(r))).toEqual([[1, 2], [7, 8]]);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/d\.csv: dropped 3 row\(s\) with missing or non-numeric values: line 3 \(a = ""\), line 4 \(b = "x"\), line 6 \(b = "NaN"\)/);
  });
});
