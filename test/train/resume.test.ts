/** An interrupted and resumed run equals an uninterrupted one with the new training keys in use. */
import fs from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend, type BackendInfo } from '../../src/backend/index.js';
import { loadConfig } from '../../src/config/load.js';
import { train } from '../../src/train/index.js';
import { RunDir } from '../../src/train/rundir.js';
import { fixture, TINY_CORPUS, TINY_LM_YAML } from '../helpers/tmp.js';

let backend: BackendInfo;
let dir: string;
beforeAll(async () => {
  backend = await initBackend({ device: 'cpu' });
  dir = fixture({ 'c.yaml': TINY_LM_YAML, 'corpus.txt': TINY_CORPUS });
});

const SET = [
  'model.dropout=0.2',
  'train.optimizer=adamw',
  'train.weight_decay=0.1',
  'train.grad_accum_steps=2',
  'train.batch_size=4',
  'train.eval_every_steps=3',
  'train.lr_schedule=cosine',
  'train.min_lr=0.001',
  'train.reduce_on_plateau={patience: 1, factor: 0.5, min_delta: 0.5}',
  'train.early_stopping={metric: loss, patience: 20}',
  'train.checkpoint={every_steps: 2, keep_last: 2}',
  'train.max_steps=10',
  'train.log_every=1',
];
const state = (out: string) => JSON.parse(fs.readFileSync(path.join(out, 'last', 'state.json'), 'utf8'));
const strip = <T extends { seconds: number }>(rows: T[]) => rows.map(({ seconds: _s, ...r }) => r);

describe('resume with the new training keys', () => {
  it('interrupted at step 5 and resumed ends with the same losses, history, schedule and counters as a straight run', async () => {
    const cfg = loadConfig(path.join(dir, 'c.yaml'), { set: SET });
    const straight = await train(cfg, { backend, out: path.join(dir, 'straight') });
    expect(straight.status).toBe('finished');

    const out = path.join(dir, 'resumed');
    const abort = new AbortController();
    const first = await train(cfg, { backend, out, signal: abort.signal, hooks: { onStep: (e) => e.step === 5 && abort.abort() } });
    expect(first.status).toBe('interrupted');
    expect(state(out).step).toBe(5);
    await train(cfg, { backend, out, resume: true });

    const [a, b] = [new RunDir(path.join(dir, 'straight')), new RunDir(out)];
    expect(b.readSteps().map((s) => s.step)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    b.readSteps().forEach((s, i) => expect(s.loss).toBeCloseTo(a.readSteps()[i].loss, 5));
    expect(strip(b.readHistory()).map((h) => h.step)).toEqual([3, 6, 9, 10]);
    b.readHistory().forEach((h, i) => {
      expect(h.valid_loss!).toBeCloseTo(a.readHistory()[i].valid_loss!, 5);
      expect(h.train_loss).toBeCloseTo(a.readHistory()[i].train_loss, 5);
      expect(h.learning_rate).toBeCloseTo(a.readHistory()[i].learning_rate, 8);
    });
    const [sa, sb] = [state(a.dir), state(b.dir)];
    // Adam's restored bias corrections (β^t recomputed from t) differ from the running products in the last float digits
    expect(sb.plateau).toEqual({ ...sa.plateau, best: expect.closeTo(sa.plateau.best, 5) });
    expect(sb.plateau.scale).toBeLessThan(1);
    expect(sb.epochs_since_best).toBe(sa.epochs_since_best);
    expect(sb.best_step).toBe(sa.best_step);
    expect(fs.readdirSync(path.join(out, 'checkpoints'))).toEqual(['step-0000008', 'step-0000010']);
  });

  it('refuses --resume with changed model or data keys, naming them, and leaves the run as it was', async () => {
    const out = path.join(dir, 'resumed');
    const before = fs.readFileSync(path.join(out, 'last', 'weights.bin'));
    const cfg = loadConfig(path.join(dir, 'c.yaml'), { set: [...SET, 'model.units=12', 'data.seq_len=12'] });
    await expect(train(cfg, { backend, out, resume: true })).rejects.toThrow(/data\.seq_len: 16 → 12\n {2}- model\.units: 16 → 12/);
    expect(fs.readFileSync(path.join(out, 'last', 'weights.bin')).equals(before)).toBe(true);
  });
});
