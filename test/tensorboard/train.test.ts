/** `seqnet train --tensorboard` end to end: the events file beside the run, its values matching history.csv; plots written too. */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { fixture, TINY_CORPUS, TINY_LM_YAML } from '../helpers/tmp.js';
import { readEvents } from './reader.js';

describe('seqnet train --tensorboard', () => {
  it('logs per-step and per-evaluation scalars that match the run directory, and writes the plots', async () => {
    const dir = fixture({ 'c.yaml': TINY_LM_YAML, 'corpus.txt': TINY_CORPUS });
    const out = path.join(dir, 'run');
    const r = await runCli('train', path.join(dir, 'c.yaml'), '--out', out, '--tensorboard', '--quiet', '--set', 'train.max_steps=6', '--set', 'train.log_every=2');
    expect(r.code, r.err).toBe(0);
    const files = fs.readdirSync(path.join(out, 'tb'));
    expect(files).toHaveLength(1);
    const ev = readEvents(path.join(out, 'tb', files[0]));
    expect(ev[0].fileVersion).toBe('brain.Event:2');
    const steps = ev.filter((e) => 'train/loss' in e.values).map((e) => e.step);
    expect(steps).toEqual(expect.arrayContaining([2, 4, 6]));
    const evals = ev.filter((e) => 'valid/loss' in e.values);
    const history = fs.readFileSync(path.join(out, 'history.csv'), 'utf8').trim().split('\n').slice(1).map((l) => l.split(','));
    expect(evals.map((e) => e.step)).toEqual(history.map((h) => Number(h[1])));
    evals.forEach((e, i) => expect(e.values['valid/loss']).toBeCloseTo(Number(history[i][3]), 4));
    expect(evals[0].values).toHaveProperty('valid/bits_per_token');
    expect(r.out).toMatch(/plots: loss\.svg/);
    expect(fs.existsSync(path.join(out, 'plots', 'loss.svg'))).toBe(true);
  });
});
