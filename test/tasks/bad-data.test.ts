/** Bad data through the CLI: a clear message naming file and line, a non-zero exit, no stack trace. */
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { fixture } from '../helpers/tmp.js';

const run = runCli;

const MODEL = 'model: { type: lstm, embedding_dim: 4, units: 4, layers: 1 }\ntrain: { max_steps: 1 }\n';
const cls = (file: string, text = 'text') => `name: c\ntask: classification\ndata:\n  train: ${file}\n  text_column: ${text}\n  label_column: label\n  tokenizer: { type: word }\n${MODEL}`;
let dir: string;
beforeAll(() => {
  dir = fixture({
    'ragged.csv': 'text,label\ngood,pos\nbad,neg,extra\n',
    'ok.csv': 'text,label\n' + 'good,pos\nbad,neg\n'.repeat(10),
    'ragged.yaml': cls('ragged.csv'),
    'column.yaml': cls('ok.csv', 'review'),
    'notag.conll': 'the\tDET\ndog\n',
    'tag.yaml': `name: t\ntask: tagging\ndata:\n  train: notag.conll\n  tokenizer: { type: word }\n${MODEL}`,
    'gaps.csv': 'a,b\n' + Array.from({ length: 30 }, (_, i) => `${i === 4 ? 'x' : i === 9 ? '' : i},1`).join('\n') + '\n',
    'fc.yaml': `name: f\ntask: forecasting\ndata:\n  train: gaps.csv\n  lookback: 3\n${MODEL}`,
    'long.yaml': `name: f\ntask: forecasting\ndata:\n  train: gaps.csv\n  lookback: 30\n  missing: drop\n${MODEL}`,
  });
});
afterEach(() => vi.restoreAllMocks());

const bad = async (args: string[], code: number, message: RegExp) => {
  const r = await run(...args);
  expect(r.code).toBe(code);
  expect(r.err).toMatch(message);
  expect(r.err).not.toMatch(/\n\s+at /);
  return r;
};

describe('bad data', () => {
  it('a CSV row with a different column count', async () => {
    await bad(['train', path.join(dir, 'ragged.yaml'), '--out', path.join(dir, 'r1')], 3, /ragged\.csv, line 3: the row has 3 field\(s\) but the header has 2/);
    expect(fs.existsSync(path.join(dir, 'r1'))).toBe(false);
  });

  it('a named column that does not exist', async () => {
    await bad(['train', path.join(dir, 'column.yaml'), '--out', path.join(dir, 'r2')], 3, /column `review` \(data\.text_column\) not found; the file has: text, label/);
  });

  it('a CoNLL line without a tag', async () => {
    await bad(['train', path.join(dir, 'tag.yaml'), '--out', path.join(dir, 'r3')], 3, /notag\.conll, line 2: `dog` has a token but no tag/);
  });

  it('non-numeric values with missing: error, and lookback + horizon longer than the series', async () => {
    await bad(['train', path.join(dir, 'fc.yaml'), '--out', path.join(dir, 'r4')], 3, /gaps\.csv: 2 row\(s\) with missing or non-numeric values: line 6 \(a = "x"\), line 11 \(a = ""\)/);
    await bad(['train', path.join(dir, 'long.yaml'), '--out', path.join(dir, 'r5')], 3, /the series has 28 rows, fewer than data\.lookback \+ data\.horizon = 31/);
  });

  it('predict without exactly one input, or on a run directory that is not one', async () => {
    await bad(['predict', dir], 2, /give exactly one of --input TEXT or --file FILE/);
    await bad(['predict', dir, '--input', 'x'], 4, /is not a seqnet run directory/);
  });
});
