/** `seqnet export` on bad input: clear messages and exit codes, nothing half-written. */
import fs from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { translate } from '../../src/export/translate.js';
import type { SavedModel } from '../../src/export/saved.js';
import { runCli } from '../helpers/cli.js';
import { setup, trainRun } from './fixtures.js';

let dir: string;
let lstm: string;
beforeAll(async () => {
  dir = await setup();
  lstm = await trainRun(dir, 'lstm', 'cls', '{ type: lstm, embedding_dim: 4, units: 4, layers: 1 }');
});

describe('seqnet export bad input', () => {
  it('refuses a folder that is not a run (exit 4)', async () => {
    const r = await runCli('export', dir, '--out', path.join(dir, 'x'));
    expect(r.code).toBe(4);
    expect(r.err).toMatch(/is not a seqnet run directory \(no manifest\.json\)/);
    expect(r.err).not.toMatch(/\n\s+at /); // no stack
  });

  it('refuses a run without a checkpoint (exit 4)', async () => {
    const run = path.join(dir, 'no-ckpt');
    fs.cpSync(lstm, run, { recursive: true });
    fs.rmSync(path.join(run, 'best'), { recursive: true });
    fs.rmSync(path.join(run, 'last'), { recursive: true });
    const r = await runCli('export', run, '--out', path.join(dir, 'y'));
    expect(r.code).toBe(4);
    expect(r.err).toMatch(/has no checkpoint yet .*train it first/);
  });

  it('refuses a damaged checkpoint (exit 4, no stack), with or without its checkpoint.json', async () => {
    const run = path.join(dir, 'damaged');
    fs.cpSync(lstm, run, { recursive: true });
    const weights = path.join(run, 'best', 'weights.bin');
    fs.truncateSync(weights, 40);
    const r = await runCli('export', run, '--out', path.join(dir, 'd1'));
    expect(r.code, r.err).toBe(4);
    expect(r.err).toMatch(/weights\.bin has 40 bytes, checkpoint\.json says \d+: the file is truncated/);
    fs.rmSync(path.join(run, 'best', 'checkpoint.json')); // a checkpoint from before checkpoint.json
    const old = await runCli('export', run, '--out', path.join(dir, 'd2'));
    expect(old.code, old.err).toBe(4);
    expect(old.err).toMatch(/model\.json: its weights need \d+ bytes, the weight files hold 40; the checkpoint is damaged/);
    expect(old.err).not.toMatch(/\n\s+at /);
  });

  it('refuses a non-empty --out unless --overwrite, and needs --out or --web', async () => {
    const out = path.join(dir, 'busy');
    fs.mkdirSync(out);
    fs.writeFileSync(path.join(out, 'keep.txt'), 'mine');
    const r = await runCli('export', lstm, '--out', out);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/--out .*busy: the folder is not empty\. Choose another folder or pass --overwrite/);
    expect(fs.readdirSync(out)).toEqual(['keep.txt']);
    const under = await runCli('export', lstm, '--out', path.join(out, 'keep.txt', 'x')); // was exit 70, ENOTDIR
    expect(under.code, under.err).toBe(2);
    expect(under.err).toMatch(/--out .*keep\.txt.x: .*keep\.txt is a file, so no folder can be made there/);
    const ok = await runCli('export', lstm, '--out', out, '--overwrite');
    expect(ok.code, ok.err).toBe(0);
    expect(ok.out).toMatch(/standard TensorFlow\.js layers only/);
    expect(fs.readdirSync(out).sort()).toEqual(['model.json', 'seqnet.js', 'seqnet.json', 'weights.bin']);
    const none = await runCli('export', lstm);
    expect(none.code).toBe(2);
    expect(none.err).toMatch(/give --out DIR .*--web DIR/);
  });

  it('never writes over the run itself, even with --overwrite', async () => {
    const before = fs.readdirSync(path.join(lstm, 'best')).sort();
    expect(before).toContain('checkpoint.json');
    for (const [flag, target, says] of [['--out', path.join(lstm, 'best'), 'is inside'], ['--web', dir, 'holds'], ['--out', lstm, 'is inside']]) {
      const r = await runCli('export', lstm, flag, target, '--overwrite');
      expect(r.code, target).toBe(2);
      expect(r.err).toMatch(new RegExp(`${flag} .*: the folder ${says} the run .*Export into a folder outside the run`));
    }
    expect(fs.readdirSync(path.join(lstm, 'best')).sort()).toEqual(before);
    expect(fs.existsSync(path.join(lstm, 'manifest.json'))).toBe(true);
  });

  it('names the layer that cannot take the requested form, and what to use instead', async () => {
    const gru = await trainRun(dir, 'gru', 'cls', '{ type: gru, embedding_dim: 4, units: 4, layers: 1 }');
    const r = await runCli('export', gru, '--out', path.join(dir, 'g'), '--pure');
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/layer gru_1 \(SeqnetRecurrent, cell gru: .*train lstm or rnn for a pure export\)/);
    const mlm = await trainRun(dir, 'mlm', 'mlm', '{ type: transformer, d_model: 8, heads: 2, layers: 1 }');
    const t = await runCli('export', mlm, '--out', path.join(dir, 't'));
    expect(t.code).toBe(2);
    expect(t.err).toMatch(/export of masked_lm runs is not supported: .*export that model's run instead/);
    expect(fs.existsSync(path.join(dir, 't'))).toBe(false);
  });

  it('names a seqnet class that has no browser implementation', () => {
    const m: SavedModel = {
      name: 'm',
      layers: [
        { name: 'tokens', class_name: 'InputLayer', config: { batch_input_shape: [null, null], dtype: 'int32' }, inbound_nodes: [] },
        { name: 'attn', class_name: 'SeqnetSelfAttention', config: {}, inbound_nodes: [[['tokens', 0, 0, {}]]] },
      ],
      inputs: [['tokens', 0, 0]],
      outputs: [['attn', 0, 0]],
      weights: new Map(),
      weightNames: [],
    };
    expect(() => translate(m, false)).toThrow(/layer attn \(SeqnetSelfAttention\) cannot be exported yet: .*Families that export today/);
  });

  it('explains that a fitted baseline has no network to export', async () => {
    const ngram = await trainRun(dir, 'ngram', 'lm', '{ type: ngram, order: 3 }');
    const r = await runCli('export', ngram, '--out', path.join(dir, 'n'));
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/model type `ngram` is a fitted baseline .*Train a network family/);
  });
});
