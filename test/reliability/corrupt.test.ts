/**
 * Promise 3: corrupt or foreign run directories fail clearly (exit 4, the file and the problem
 * named, no stack trace), never with a silently wrong answer.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { fixture, tmpDir, TINY_CORPUS, TINY_LM_YAML } from '../helpers/tmp.js';

let good: string;

beforeAll(async () => {
  const d = fixture({ 'corpus.txt': TINY_CORPUS, 'tiny.yaml': TINY_LM_YAML.replace('epochs: 2', 'epochs: 1') });
  good = path.join(d, 'run');
  const r = await runCli('train', path.join(d, 'tiny.yaml'), '--out', good, '--quiet');
  expect(r.code, r.err).toBe(0);
});

/** A copy of the good run, damaged by `damage(dir)`. */
function damaged(damage: (dir: string) => void): string {
  const dir = path.join(tmpDir(), 'run');
  fs.cpSync(good, dir, { recursive: true });
  damage(dir);
  return dir;
}

/** Rewrites checkpoint.json so its checksums match the (edited) files, as a foreign tool would. */
function rehash(ckpt: string): void {
  const f = path.join(ckpt, 'checkpoint.json');
  const index = JSON.parse(fs.readFileSync(f, 'utf8')) as { files: Record<string, { bytes: number; sha256: string }> };
  for (const name of Object.keys(index.files)) {
    const b = fs.readFileSync(path.join(ckpt, name));
    index.files[name] = { bytes: b.byteLength, sha256: crypto.createHash('sha256').update(b).digest('hex') };
  }
  fs.writeFileSync(f, JSON.stringify(index));
}

function editModelJson(ckpt: string, edit: (mj: { modelTopology: unknown; weightsManifest: { weights: { name: string; shape: number[] }[] }[] }) => void): void {
  const f = path.join(ckpt, 'model.json');
  const mj = JSON.parse(fs.readFileSync(f, 'utf8'));
  edit(mj);
  fs.writeFileSync(f, JSON.stringify(mj));
  rehash(ckpt);
}

const truncate = (f: string) => fs.writeFileSync(f, fs.readFileSync(f).subarray(0, 100));

const cases: [string, (dir: string) => void, RegExp][] = [
  ['truncated weights.bin', (d) => truncate(path.join(d, 'best/weights.bin')), /best\/weights\.bin has 100 bytes, checkpoint\.json says \d+: the file is truncated/],
  [
    'truncated weights.bin without checkpoint.json (an older run)',
    (d) => (truncate(path.join(d, 'best/weights.bin')), fs.rmSync(path.join(d, 'best/checkpoint.json'))),
    /weights\.bin has 100 bytes but .*model\.json describes \d+: the weights are truncated/,
  ],
  ['a flipped byte in weights.bin', (d) => {
    const f = path.join(d, 'best/weights.bin');
    const b = fs.readFileSync(f);
    b[7] ^= 0xff;
    fs.writeFileSync(f, b);
  }, /weights\.bin does not match its checksum/],
  ['model.json shapes that do not match the weights', (d) => editModelJson(path.join(d, 'best'), (mj) => {
    const w = mj.weightsManifest[0].weights.find((x) => x.shape.length === 2 && x.shape[0] !== x.shape[1])!;
    w.shape = [w.shape[1], w.shape[0]];
  }), /best.*do not match/],
  ['tokenizer.json from another run', (d) => {
    const f = path.join(d, 'tokenizer.json');
    const t = JSON.parse(fs.readFileSync(f, 'utf8'));
    t.vocab.push('Ω', 'Ж');
    fs.writeFileSync(f, JSON.stringify(t));
  }, /tokenizer\.json \(\d+ tokens\) is not the tokenizer the checkpoint .*best\/model\.json was trained with \(its embedding has \d+ rows\): the tokenizer is from another run/],
  ['tokenizer.json from another run, same size', (d) => {
    const f = path.join(d, 'tokenizer.json');
    const t = JSON.parse(fs.readFileSync(f, 'utf8'));
    [t.vocab[5], t.vocab[6]] = [t.vocab[6], t.vocab[5]];
    fs.writeFileSync(f, JSON.stringify(t));
  }, /tokenizer\.json \(\d+ tokens\) is not the tokenizer the checkpoint .* was trained with/],
  ['invalid JSON in manifest.json', (d) => fs.writeFileSync(path.join(d, 'manifest.json'), '{"seqnet_version": '), /manifest\.json: not valid JSON/],
  ['invalid JSON in tokenizer.json', (d) => fs.writeFileSync(path.join(d, 'tokenizer.json'), '{oops'), /tokenizer\.json: not valid JSON/],
  ['invalid JSON in model.json', (d) => (fs.writeFileSync(path.join(d, 'best/model.json'), '{"modelTopology": '), rehash(path.join(d, 'best'))), /model\.json: not valid JSON/],
  ['invalid JSON in checkpoint.json', (d) => fs.writeFileSync(path.join(d, 'best/checkpoint.json'), '[1,'), /checkpoint\.json: not valid JSON/],
  // valid JSON of the wrong shape was a TypeError (exit 70) before
  ['null in manifest.json', (d) => fs.writeFileSync(path.join(d, 'manifest.json'), 'null'), /manifest\.json: holds null, not a JSON object/],
  ['a list in tokenizer.json', (d) => fs.writeFileSync(path.join(d, 'tokenizer.json'), '[]'), /tokenizer\.json: holds a list, not a JSON object/],
  ['null in checkpoint.json', (d) => fs.writeFileSync(path.join(d, 'best/checkpoint.json'), 'null'), /checkpoint\.json: holds null, not a JSON object/],
  ['a null file entry in checkpoint.json', (d) => fs.writeFileSync(path.join(d, 'best/checkpoint.json'), '{"format":1,"files":{"weights.bin":null}}'), /checkpoint\.json: the entry for `weights\.bin` is not/],
  ['invalid YAML in config.yaml', (d) => fs.writeFileSync(path.join(d, 'config.yaml'), 'task: [unclosed\n'), /config\.yaml: not valid YAML/],
  ['a manifest from a newer seqnet', (d) => {
    const f = path.join(d, 'manifest.json');
    fs.writeFileSync(f, JSON.stringify({ ...JSON.parse(fs.readFileSync(f, 'utf8')), seqnet_version: '99.0.0' }));
  }, /written by seqnet 99\.0\.0, newer than this seqnet/],
  ['a finished run missing best/', (d) => fs.rmSync(path.join(d, 'best'), { recursive: true }), /best is missing from a finished run; the run directory is damaged/],
  ['model.json declaring a 2^31 × 2^31 tensor', (d) => editModelJson(path.join(d, 'best'), (mj) => {
    mj.weightsManifest[0].weights[0].shape = [2 ** 31, 2 ** 31];
  }), /declares shape \[2147483648, 2147483648\] .* an absurd size; refusing to allocate it/],
  ['model.json asking a layer for 2^31 units', (d) => editModelJson(path.join(d, 'best'), (mj) => {
    const layers = (mj.modelTopology as { config: { layers: { config: Record<string, unknown> }[] } }).config.layers;
    layers.find((l) => 'units' in l.config)!.config.units = 2 ** 31;
  }), /sets units to 2147483648, an absurd size; refusing to build it/],
  // within the absolute bound, but tfjs spent a minute and 2 GB building the layers before noticing
  ['model.json whose embedding asks for 2^20 columns', (d) => editModelJson(path.join(d, 'best'), (mj) => {
    const layers = (mj.modelTopology as { config: { layers: { class_name: string; config: Record<string, unknown> }[] } }).config.layers;
    layers.find((l) => l.class_name === 'Embedding')!.config.output_dim = 2 ** 20;
  }), /sets output_dim to 1048576, larger than any dimension of its saved weights/],
];

describe('a corrupt or foreign run directory', () => {
  it.each(cases)('%s: exit 4 naming the file', async (_name, damage, message) => {
    const dir = damaged(damage);
    const r = await runCli('eval', dir);
    expect(r.code, r.err).toBe(4);
    expect(r.err).toMatch(message);
    expect(r.err).not.toMatch(/internal error|\n\s+at /);
  });

  it('invalid JSON in metrics.json: compare and plot exit 4 naming it (was exit 70)', async () => {
    const dir = damaged((d) => fs.writeFileSync(path.join(d, 'metrics.json'), '{oops'));
    for (const args of [['compare', dir], ['plot', dir]]) {
      const r = await runCli(...args);
      expect(r.code, r.err).toBe(4);
      expect(r.err).toMatch(/metrics\.json: not valid JSON/);
    }
  });

  it.each([
    ['state.json', 'null', /state\.json: holds null, not a JSON object/],
    ['state.json', '{}', /state\.json: step and epoch must be non-negative integers/],
    ['optimizer.json', 'null', /optimizer\.json: holds null, not a JSON object/],
  ])('--resume with last/%s = %s (an older run, no checkpoint.json): exit 4, not a restart at step 0 or a crash', async (file, text, message) => {
    const dir = damaged((d) => (fs.writeFileSync(path.join(d, 'last', file), text), fs.rmSync(path.join(d, 'last/checkpoint.json'))));
    const r = await runCli('train', path.join(good, '../tiny.yaml'), '--out', dir, '--resume', '--quiet');
    expect(r.code, r.err).toBe(4);
    expect(r.err).toMatch(message);
  });

  it('the undamaged copy still evaluates (the cases above fail for their damage only)', async () => {
    const r = await runCli('eval', damaged(() => {}), '--json');
    expect(r.code, r.err).toBe(0);
  });
});
