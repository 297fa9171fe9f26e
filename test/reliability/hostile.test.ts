/**
 * Promise 4: hostile inputs are inert. YAML has no custom tags and bounded aliases; run files
 * cannot reach code through names such as "constructor"; absurd shapes are refused before
 * allocation (see corrupt.test.ts); a run name cannot leave runs/ and --out is the only folder
 * written; binary files given as text are data errors.
 */
import fs from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load.js';
import { runCli } from '../helpers/cli.js';
import { fixture, tmpDir, TINY_CORPUS, TINY_LM_YAML } from '../helpers/tmp.js';

const LAUGHS = [
  'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]',
  ...'bcdefghi'.split('').map((k, i) => `${k}: &${k} [${Array(9).fill(`*${'abcdefghi'[i]}`).join(',')}]`),
  'name: laughs',
].join('\n');

let exp: string;
let good: string;

beforeAll(async () => {
  exp = fixture({ 'corpus.txt': TINY_CORPUS, 'tiny.yaml': TINY_LM_YAML.replace('epochs: 2', 'epochs: 1'), 'laughs.yaml': LAUGHS, 'bin.dat': new Uint8Array([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1, 0, 0, 0]) });
  good = path.join(exp, 'good');
  const r = await runCli('train', path.join(exp, 'tiny.yaml'), '--out', good, '--quiet');
  expect(r.code, r.err).toBe(0);
});

function copyRun(): string {
  const dir = path.join(tmpDir(), 'run');
  fs.cpSync(good, dir, { recursive: true });
  return dir;
}

describe('hostile configs', () => {
  // refused before expanding (the test's own timeout would catch an expansion that hangs)
  it('a "billion laughs" YAML is refused, not expanded', () => {
    expect(() => loadConfig(path.join(exp, 'laughs.yaml'))).toThrow(/aliases expand too much/);
  });

  it('custom tags are refused, not resolved', async () => {
    const f = path.join(exp, 'tags.yaml');
    fs.writeFileSync(f, TINY_LM_YAML.replace('name: tiny', 'name: !!js/function "function () { process.exit(9) }"'));
    const r = await runCli('train', f);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/line 2: Unresolved tag: .*js\/function — seqnet configs are plain YAML; custom tags are not allowed/);
    const s = await runCli('train', path.join(exp, 'tiny.yaml'), '--set', 'train.epochs=!custom 3');
    expect(s.code).toBe(2);
    expect(s.err).toMatch(/custom tags are not allowed/);
  });

  it.each([['..'], ['.'], ['../escape'], ['/tmp/abs']])('run name %j cannot leave runs/', async (name) => {
    const r = await runCli('train', path.join(exp, 'tiny.yaml'), '--set', `name=${name}`);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/name: /);
  });

  it('--out with .. writes only inside the folder it names', async () => {
    const cwd = fixture({ 'corpus.txt': TINY_CORPUS, 'tiny.yaml': TINY_LM_YAML.replace('epochs: 2', 'epochs: 1') });
    const before = fs.readdirSync(cwd).sort();
    const r = await runCli('train', path.join(cwd, 'tiny.yaml'), '--out', path.join(cwd, 'sub', '..', 'out2'), '--quiet');
    expect(r.code, r.err).toBe(0);
    expect(fs.readdirSync(cwd).sort()).toEqual([...before, 'out2'].sort());
  });

  it('--overwrite removes only what seqnet wrote in the --out folder, never the user\'s own files', async () => {
    const cwd = fixture({ 'corpus.txt': TINY_CORPUS, 'tiny.yaml': TINY_LM_YAML.replace('epochs: 2', 'epochs: 1'), 'out/notes.txt': 'mine' });
    const out = path.join(cwd, 'out');
    const first = await runCli('train', path.join(cwd, 'tiny.yaml'), '--out', out, '--quiet', '--set', 'train.checkpoint.every_steps=2');
    expect(first.code, first.err).toBe(0);
    const r = await runCli('train', path.join(cwd, 'tiny.yaml'), '--out', out, '--quiet', '--overwrite');
    expect(r.code, r.err).toBe(0);
    expect(fs.readFileSync(path.join(out, 'notes.txt'), 'utf8')).toBe('mine');
    expect(fs.existsSync(path.join(out, 'checkpoints'))).toBe(false); // the replaced run's files are gone
  });
});

describe('hostile run files', () => {
  it.each([['constructor'], ['__proto__'], ['toString']])('a tokenizer.json with type %j is a clear error', async (type) => {
    const dir = copyRun();
    const f = path.join(dir, 'tokenizer.json');
    fs.writeFileSync(f, JSON.stringify({ ...JSON.parse(fs.readFileSync(f, 'utf8')), type }));
    const r = await runCli('eval', dir);
    expect(r.code).toBe(4);
    expect(r.err).toMatch(/tokenizer\.json: unknown tokenizer type/);
    expect(r.err).not.toMatch(/internal error/);
  });

  it('a model.json naming a layer class seqnet does not know is a clear error', async () => {
    const dir = copyRun();
    const f = path.join(dir, 'best/model.json');
    fs.writeFileSync(f, fs.readFileSync(f, 'utf8').replace('"class_name":"Dense"', '"class_name":"constructor"'));
    fs.rmSync(path.join(dir, 'best/checkpoint.json')); // as a hand-made checkpoint would be
    const r = await runCli('eval', dir);
    expect(r.code).toBe(4);
    expect(r.err).toMatch(/cannot load the model in .*best/);
    expect(r.err).not.toMatch(/internal error/);
  });
});

describe('binary files given as text', () => {
  it('are a data error naming the byte', async () => {
    const r = await runCli('train', path.join(exp, 'tiny.yaml'), '--set', 'data.train=bin.dat', '--out', path.join(exp, 'bin-run'));
    expect(r.code).toBe(3);
    expect(r.err).toMatch(/bin\.dat looks binary: a NUL byte at line 1, column 8 \(byte offset 7\)/);
    expect(fs.existsSync(path.join(exp, 'bin-run'))).toBe(false); // nothing left behind
  });
});
