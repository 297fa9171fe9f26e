/** An interrupted run leaves a usable `last` checkpoint, and --resume continues from it. */
import fs from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend, type BackendInfo } from '../../src/backend/index.js';
import { loadConfig } from '../../src/config/load.js';
import { evaluate } from '../../src/eval/evaluate.js';
import { train } from '../../src/train/index.js';
import { fixture, TINY_CORPUS, TINY_LM_YAML } from '../helpers/tmp.js';

let backend: BackendInfo;
let dir: string;
beforeAll(async () => {
  backend = await initBackend({ device: 'cpu' });
  dir = fixture({ 'c.yaml': TINY_LM_YAML, 'corpus.txt': TINY_CORPUS });
});

describe('interrupt and resume', () => {
  it('stops at an abort with a loadable last checkpoint, then resumes to the planned steps', async () => {
    const cfg = loadConfig(path.join(dir, 'c.yaml'), { set: ['train.log_every=1'] });
    const out = path.join(dir, 'run');
    const abort = new AbortController();
    let steps = 0;
    const first = await train(cfg, {
      backend,
      out,
      signal: abort.signal,
      hooks: { onStep: () => ++steps === 4 && abort.abort() },
    });
    expect(first.status).toBe('interrupted');
    expect(first.state.step).toBe(4);
    const saved = JSON.parse(fs.readFileSync(path.join(out, 'last', 'state.json'), 'utf8'));
    expect(saved.step).toBe(4);
    expect(JSON.parse(fs.readFileSync(path.join(out, 'manifest.json'), 'utf8')).status).toBe('interrupted');
    const ev = await evaluate(out, { checkpoint: 'last' });
    expect(Number.isFinite(ev.metrics.loss)).toBe(true);

    const resumed = await train(cfg, { backend, out, resume: true, hooks: { onStep: () => steps++ } });
    expect(resumed.status).toBe('finished');
    // same batches in the same order, same optimizer state: the same model as an uninterrupted run
    const metrics = JSON.parse(fs.readFileSync(path.join(out, 'metrics.json'), 'utf8'));
    const straight = await train(cfg, { backend, out: path.join(dir, 'straight') });
    expect(metrics.steps).toBe(straight.state.step);
    expect(metrics.valid.loss).toBeCloseTo((straight.metrics.valid as { loss: number }).loss, 5);
  });

  it('refuses to resume with a different model', async () => {
    const cfg = loadConfig(path.join(dir, 'c.yaml'), { set: ['model.units=17'] });
    await expect(train(cfg, { backend, out: path.join(dir, 'run'), resume: true })).rejects.toThrow(
      /--resume: the config differs from the run .* outside `train`:\n  - model\.units: 16 → 17/,
    );
  });
});
