/** The training controls on a tiny char LSTM: early stopping, time budget, gradient accumulation, determinism, divergence. */
import fs from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend, type BackendInfo } from '../../src/backend/index.js';
import { loadConfig } from '../../src/config/load.js';
import { evaluate } from '../../src/eval/evaluate.js';
import { loadCheckpoint } from '../../src/models/io.js';
import { train } from '../../src/train/index.js';
import { RunDir } from '../../src/train/rundir.js';
import { fixture, TINY_CORPUS, TINY_LM_YAML } from '../helpers/tmp.js';

// sentences of 3 and 4 tokens padded to 5: batches differ in how many targets their loss averages over
const CONLL = Array.from({ length: 24 }, (_, i) => (i % 3 ? 'the\tDET\ndog\tNOUN\nruns\tVERB\n' : 'a\tDET\ncat\tNOUN\nsleeps\tVERB\n.\tPUNCT\n')).join('\n');
const TAG_YAML = `name: t\ntask: tagging\ndata:\n  train: tags.conll\n  tokenizer: { type: word }\n  seq_len: 5\n  valid: 0\n  test: 0
model: { type: gru, embedding_dim: 4, units: 4, layers: 1 }\ntrain: { log_every: 1, max_steps: 2 }\n`;

let backend: BackendInfo;
let dir: string;
beforeAll(async () => {
  backend = await initBackend({ device: 'cpu' });
  dir = fixture({ 'c.yaml': TINY_LM_YAML, 'corpus.txt': TINY_CORPUS, 'tags.conll': CONLL, 't.yaml': TAG_YAML });
});

const cfgWith = (...set: string[]) => loadConfig(path.join(dir, 'c.yaml'), { set });
const steps = (out: string) => new RunDir(out).readSteps();
const json = (f: string) => JSON.parse(fs.readFileSync(f, 'utf8'));

describe('training controls', () => {
  it('early stopping on a max metric stops at the right evaluation and restores the best weights', async () => {
    // perplexity falls as the model learns, so watched with mode max the first evaluation stays the best
    const cfg = cfgWith('train.eval_every_steps=2', 'train.early_stopping={metric: perplexity, mode: max, patience: 2}', 'train.epochs=5');
    const out = path.join(dir, 'es');
    const r = await train(cfg, { backend, out });
    expect(r.status).toBe('stopped_early');
    const history = new RunDir(out).readHistory();
    expect(history.map((h) => h.step)).toEqual([2, 4, 6]);
    expect(history[2].valid_perplexity!).toBeLessThan(history[0].valid_perplexity!);
    expect(json(path.join(out, 'best', 'state.json')).best_step).toBe(2);
    const best = await evaluate(out, { split: 'valid', checkpoint: 'best' });
    expect((r.metrics.valid as Record<string, number>).perplexity).toBeCloseTo(best.metrics.perplexity, 6);
    expect(best.metrics.perplexity).toBeCloseTo(history[0].valid_perplexity!, 3);
    expect(r.metrics.checkpoint).toBe('best');
  });

  it('time_budget stops cleanly, saves last and evaluates', async () => {
    const cfg = cfgWith('train.time_budget=0.15', 'train.log_every=1');
    const out = path.join(dir, 'budget');
    // each step made to take ≥ 60 ms, so the budget ends the run after a few steps
    const busy = () => {
      const t = Date.now();
      while (Date.now() - t < 60);
    };
    const r = await train(cfg, { backend, out, hooks: { onStep: busy } });
    expect(r.status).toBe('time_budget');
    expect(r.message).toMatch(/time budget of 0\.15s reached at step \d+; last\/ saved and evaluated/);
    expect(r.state.step).toBeGreaterThan(0);
    expect(r.state.step).toBeLessThan(8);
    expect(json(path.join(out, 'manifest.json')).status).toBe('time_budget');
    expect(json(path.join(out, 'last', 'state.json')).step).toBe(r.state.step);
    expect(new RunDir(out).readHistory().at(-1)!.step).toBe(r.state.step);
  });

  /** Trains `a` (one batch of 8 per step) and `b` (4 × 2 accumulated); both must take the same steps. */
  async function sameSteps(config: string, name: string, steps_: number) {
    const at = (...set: string[]) => loadConfig(path.join(dir, config), { set: [`train.max_steps=${steps_}`, 'train.log_every=1', ...set] });
    const a = await train(at('train.batch_size=8'), { backend, out: path.join(dir, `${name}-b8`) });
    const b = await train(at('train.batch_size=4', 'train.grad_accum_steps=2'), { backend, out: path.join(dir, `${name}-b4x2`) });
    expect(b.state.step).toBe(steps_);
    const [la, lb] = [steps(a.dir).map((s) => s.loss), steps(b.dir).map((s) => s.loss)];
    expect(lb).toHaveLength(steps_);
    lb.forEach((l, i) => expect(l).toBeCloseTo(la[i], 4));
    const [wa, wb] = [await loadCheckpoint(path.join(a.dir, 'last')), await loadCheckpoint(path.join(b.dir, 'last'))];
    const diff = Math.max(...wa.getWeights().map((w, i) => w.sub(wb.getWeights()[i]).abs().max().dataSync()[0]));
    expect(diff).toBeLessThan(1e-4);
    wa.dispose();
    wb.dispose();
  }

  it('grad_accum_steps: N batches of B give the steps of one batch of N·B', () => sameSteps('c.yaml', 'lm', 3));

  it('grad_accum_steps with padded (weighted) targets weighs each batch by its real targets', () => sameSteps('t.yaml', 'tag', 2));

  it('is deterministic: the same config, seed and backend give the same loss at every step', async () => {
    const set = ['model.dropout=0.3', 'train.max_steps=6', 'train.log_every=1', 'train.optimizer=adamw', 'train.grad_accum_steps=2'];
    const a = await train(cfgWith(...set), { backend, out: path.join(dir, 'det1') });
    const b = await train(cfgWith(...set), { backend, out: path.join(dir, 'det2') });
    expect(steps(b.dir).map((s) => s.loss)).toEqual(steps(a.dir).map((s) => s.loss));
    expect(steps(a.dir)).toHaveLength(6);
  });

  it('the divergence guard stops a learning rate of 1e6 and leaves a loadable last with finite weights', async () => {
    const out = path.join(dir, 'nan');
    const r = await train(cfgWith('train.learning_rate=1e6', 'train.clip_norm=null', 'train.optimizer=sgd', 'train.log_every=1'), { backend, out });
    expect(r.status).toBe('diverged');
    expect(r.message).toMatch(/diverged at step (\d+): the (loss|gradient norm) became .*; the last finite loss was [\d.]+ \(step \d+\)\. Lower train\.learning_rate .* train\.clip_norm/);
    expect(json(path.join(out, 'manifest.json')).status).toBe('diverged');
    const last = await loadCheckpoint(path.join(out, 'last'));
    for (const w of last.getWeights()) expect(w.isFinite().all().dataSync()[0]).toBe(1);
    last.dispose();
    const ev = await evaluate(out, { checkpoint: 'last' });
    expect(Number.isFinite(ev.metrics.loss)).toBe(true);
  });
});
