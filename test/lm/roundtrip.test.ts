/**
 * A tiny language model end to end: train → save → load → eval → generate, with determinism and
 * tensor ownership checked. Small enough to run in a few seconds on the pure-JS backend.
 */
import fs from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend, tf, type BackendInfo } from '../../src/backend/index.js';
import { loadConfig } from '../../src/config/load.js';
import { evaluate } from '../../src/eval/evaluate.js';
import { generate } from '../../src/generate/index.js';
import { loadCheckpoint } from '../../src/models/io.js';
import { train } from '../../src/train/index.js';
import { fixture, TINY_CORPUS, TINY_LM_YAML } from '../helpers/tmp.js';

let backend: BackendInfo;
let dir: string;

beforeAll(async () => {
  backend = await initBackend({ device: 'cpu' });
  dir = fixture({ 'c.yaml': TINY_LM_YAML, 'corpus.txt': TINY_CORPUS });
});

async function trainTiny(out: string, set: string[] = []) {
  const cfg = loadConfig(path.join(dir, 'c.yaml'), { set });
  const losses: number[] = [];
  const r = await train(cfg, { backend, out: path.join(dir, out), hooks: { onStep: (e) => losses.push(e.loss) } });
  return { r, losses, cfg };
}

describe('tiny char LSTM end to end', () => {
  it('learns, writes a self-describing run, and reloads to identical outputs', async () => {
    const { r, losses } = await trainTiny('run', ['train.log_every=1', 'train.epochs=5']);
    expect(r.status).toBe('finished');
    expect(losses.length).toBeGreaterThan(10);
    const head = losses.slice(0, 3).reduce((a, b) => a + b) / 3;
    const tail = losses.slice(-3).reduce((a, b) => a + b) / 3;
    expect(tail).toBeLessThan(head * 0.8);

    const run = path.join(dir, 'run');
    for (const f of ['config.yaml', 'manifest.json', 'tokenizer.json', 'history.csv', 'metrics.json', 'last/model.json', 'last/weights.bin', 'last/optimizer.json', 'best/model.json']) {
      expect(fs.existsSync(path.join(run, f)), f).toBe(true);
    }
    const manifest = JSON.parse(fs.readFileSync(path.join(run, 'manifest.json'), 'utf8'));
    expect(manifest).toMatchObject({ backend: 'cpu', seed: 3, status: 'finished' });
    expect(manifest.data_files[0].sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(fs.readFileSync(path.join(run, 'history.csv'), 'utf8').trim().split('\n')).toHaveLength(6);

    // reloaded weights give the same outputs as a second load (and eval gives the training-time metrics)
    const a = await loadCheckpoint(path.join(run, 'best'));
    const b = await loadCheckpoint(path.join(run, 'best'));
    const x = tf.tensor2d([[4, 5, 6, 7, 8]], [1, 5], 'int32');
    const ya = a.predict(x) as tf.Tensor;
    const yb = b.predict(x) as tf.Tensor;
    expect(Array.from(ya.dataSync())).toEqual(Array.from(yb.dataSync()));
    tf.dispose([x, ya, yb]);
    a.dispose();
    b.dispose();
    const ev = await evaluate(run, { split: 'test' });
    const saved = JSON.parse(fs.readFileSync(path.join(run, 'metrics.json'), 'utf8'));
    expect(ev.metrics.loss).toBeCloseTo(saved.test.loss, 5);
    expect(ev.metrics.loss).toBeLessThan(ev.baseline!.unigram_loss);
  });

  it('is deterministic: same seed, same losses', async () => {
    const one = await trainTiny('det1', ['train.max_steps=5', 'train.log_every=1']);
    const two = await trainTiny('det2', ['train.max_steps=5', 'train.log_every=1']);
    expect(one.losses).toEqual(two.losses);
    const other = await trainTiny('det3', ['train.max_steps=5', 'train.log_every=1', 'seed=4']);
    expect(other.losses).not.toEqual(one.losses);
  });

  it('generates from a prime, reproducibly, without leaking tensors', async () => {
    const run = path.join(dir, 'run');
    const opts = { prime: 'the cat', length: 20, temperature: 0.8, topK: 5, topP: null, num: 2, seed: 9 };
    const first = await generate(run, opts);
    const before = tf.memory().numTensors;
    const second = await generate(run, opts);
    expect(tf.memory().numTensors).toBe(before);
    expect(second.samples).toEqual(first.samples);
    expect(first.samples).toHaveLength(2);
    for (const s of first.samples) expect(s.startsWith('the cat')).toBe(true);
    const unk = await generate(run, { ...opts, prime: 'the cat§', num: 1 });
    expect(unk.warnings[0]).toMatch(/not in the vocabulary.*"§"/);
  });

  it('keeps the tensor count across a training step', async () => {
    const { trainStep } = await import('../../src/train/fit.js');
    const { buildModel } = await import('../../src/models/registry.js');
    const { taskSpec } = await import('../../src/tasks/index.js');
    const cfg = loadConfig(path.join(dir, 'c.yaml'));
    const task = taskSpec('language_model');
    const data = task.prepare(cfg);
    const model = buildModel(cfg.model, { task: cfg.task, info: data.info, seed: 1 });
    const opt = tf.train.adam(0.01);
    const step = () => {
      const b = data.train.batch([0, 1, 2]);
      trainStep(model, task, b, opt, 1);
      tf.dispose([...b.xs, b.ys]);
    };
    step(); // creates the optimizer's slots
    const before = tf.memory().numTensors;
    step();
    expect(tf.memory().numTensors).toBe(before);
    model.dispose();
    opt.dispose();
  });
});
