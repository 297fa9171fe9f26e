/** Every bad input gets a clear one-paragraph error, a non-zero exit, no stack trace, and loses nothing. */
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { fixture, TINY_CORPUS, TINY_LM_YAML } from '../helpers/tmp.js';

const run = runCli;

let dir: string;
beforeAll(() => {
  dir = fixture({
    'ok.yaml': TINY_LM_YAML,
    'corpus.txt': TINY_CORPUS,
    'empty.txt': '  \n',
    'short.txt': 'abc',
    'bad.yaml': 'name: x\ntask: [language_model\n',
    'typo.yaml': TINY_LM_YAML.replace('units: 16', 'untis: 16'),
    'type.yaml': TINY_LM_YAML.replace('units: 16', 'units: lots'),
    'latin1.txt': Buffer.from([0x63, 0x61, 0x66, 0xe9, 0x0a]),
  });
});
afterEach(() => vi.restoreAllMocks());

const noStack = (s: string) => expect(s).not.toMatch(/\n\s+at /);

describe('bad input', () => {
  it.each([
    ['missing config', ['train', 'nope.yaml'], /config file not found/],
    ['malformed YAML', ['train', 'bad.yaml'], /bad\.yaml: invalid config\n  - line \d+, column \d+: Flow sequence/],
    ['unknown key', ['train', 'typo.yaml'], /model\.untis: unknown key `untis` in model — did you mean `units`\?/],
    ['wrong type', ['train', 'type.yaml'], /model\.units: expected number, got string \(line \d+\)/],
    ['missing data file', ['train', 'ok.yaml', '--set', 'data.train=missing.txt'], /training file not found: .*missing\.txt/],
    ['empty data file', ['train', 'ok.yaml', '--set', 'data.train=empty.txt'], /empty\.txt is empty/],
    ['non-UTF-8 data', ['train', 'ok.yaml', '--set', 'data.train=latin1.txt'], /latin1\.txt is not valid UTF-8 \(first bad byte at line 1/],
    ['corpus shorter than a window', ['train', 'ok.yaml', '--set', 'data.train=short.txt', '--set', 'data.valid=0', '--set', 'data.test=0'], /fewer than one window/],
    ['zero batch_size', ['train', 'ok.yaml', '--set', 'train.batch_size=0'], /train\.batch_size: must be > 0 \(from --set\)/],
    ['negative seq_len', ['train', 'ok.yaml', '--set', 'data.seq_len=-3'], /data\.seq_len: must be > 0/],
    ['gpu without the GPU package', ['train', 'ok.yaml', '--device', 'gpu'], /--device gpu needs @tensorflow\/tfjs-node-gpu/],
    ['generate on a folder that is not a run', ['generate', '.', '--prime', 'a'], /is not a seqnet run directory/],
    ['generate on a missing folder', ['generate', 'runs/none', '--prime', 'a'], /run directory not found/],
    ['zero temperature', ['generate', '.', '--temperature', '0'], /--temperature must be a positive number/],
  ])('%s', async (_name, args, pattern) => {
    const cwd = process.cwd();
    process.chdir(dir);
    try {
      const r = await run(...(args as string[]));
      expect(r.code).not.toBe(0);
      expect(r.err).toMatch(pattern as RegExp);
      noStack(r.err);
    } finally {
      process.chdir(cwd);
    }
  });

  it('never touches an existing run when the new input is bad', async () => {
    const out = path.join(dir, 'keep');
    fs.mkdirSync(path.join(out, 'best'), { recursive: true });
    fs.writeFileSync(path.join(out, 'manifest.json'), '{}');
    fs.writeFileSync(path.join(out, 'best', 'model.json'), 'precious');
    const cwd = process.cwd();
    process.chdir(dir);
    try {
      const again = await run('train', 'ok.yaml', '--out', 'keep');
      expect(again.err).toMatch(/already holds a run\. Use --resume .* --overwrite .* --out DIR/);
      const bad = await run('train', 'ok.yaml', '--out', 'keep', '--overwrite', '--set', 'data.train=empty.txt');
      expect(bad.code).not.toBe(0);
    } finally {
      process.chdir(cwd);
    }
    expect(fs.readFileSync(path.join(out, 'best', 'model.json'), 'utf8')).toBe('precious');
  });
});
