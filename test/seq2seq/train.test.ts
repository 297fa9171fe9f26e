/**
 * A tiny seq2seq end to end (reverse and uppercase a few letters): train → eval → predict, the
 * attention heatmap and tensor ownership (the additive score op: test/backend/ops/additive_score.test.ts).
 */
import fs from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend, tf, type BackendInfo } from '../../src/backend/index.js';
import { loadConfig } from '../../src/config/load.js';
import { evaluate } from '../../src/eval/evaluate.js';
import { buildModel } from '../../src/models/registry.js';
import { predict } from '../../src/predict/index.js';
import { taskSpec } from '../../src/tasks/index.js';
import { train } from '../../src/train/index.js';
import { trainStep } from '../../src/train/fit.js';
import { makeOptimizer } from '../../src/train/optim.js';
import { Rng } from '../../src/util/rng.js';
import { fixture } from '../helpers/tmp.js';

let backend: BackendInfo;
let dir: string;

const rng = new Rng(5);
const PAIRS = Array.from({ length: 160 }, () => {
  const s = Array.from({ length: 2 + rng.int(3) }, () => 'abcde'[rng.int(5)]).join('');
  return `${s}\t${[...s].reverse().join('').toUpperCase()}`;
});

const YAML = `
name: tiny-s2s
seed: 2
task: seq2seq
data:
  train: pairs.tsv
  source_column: src
  target_column: tgt
  valid: 0.1
  test: 0.1
  seq_len: 8
model:
  type: seq2seq
  units: 12
  embedding_dim: 8
  attention: general
  decoding: beam
  beam_size: 2
train:
  epochs: 4
  batch_size: 16
  learning_rate: 0.02
  log_every: 1
`;

beforeAll(async () => {
  backend = await initBackend({ device: 'cpu' });
  dir = fixture({ 'c.yaml': YAML, 'pairs.tsv': ['src\ttgt', ...PAIRS].join('\n') });
});

describe('tiny seq2seq end to end', () => {
  it('trains, scores by decoding, reloads for eval and predict, and draws the attention', async () => {
    const cfg = loadConfig(path.join(dir, 'c.yaml'));
    const losses: number[] = [];
    const out = path.join(dir, 'run');
    const r = await train(cfg, { backend, out, hooks: { onStep: (e) => losses.push(e.loss) } });
    expect(r.status).toBe('finished');
    expect(losses.slice(-3).reduce((a, b) => a + b) / 3).toBeLessThan(losses[0] * 0.7);
    expect(fs.existsSync(path.join(out, 'target_tokenizer.json'))).toBe(true);
    const test = r.metrics.test as Record<string, number>;
    for (const k of ['loss', 'perplexity', 'exact_match', 'token_accuracy', 'bleu']) expect(Number.isFinite(test[k])).toBe(true);
    expect(r.metrics.test_baseline).toHaveProperty('copy_exact_match', 0); // a reversed uppercase copy is never the source

    const ev = await evaluate(out);
    expect(ev.metrics).toEqual(test);

    const p = await predict(out, { text: 'abc', attention: path.join(dir, 'att.svg') });
    const [res] = p.results as { source: string; translation: string }[];
    expect(p.render.split('\n')[0]).toBe(res.translation);
    const svg = fs.readFileSync(path.join(dir, 'att.svg'), 'utf8');
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
    const outTokens = res.translation.length + 1; // + <eos> (the tiny model may also stop at max_length)
    expect((svg.match(/<rect x=/g) ?? []).length).toBeGreaterThanOrEqual(3 * Math.min(outTokens, 5));
    expect(svg).toContain('&lt;eos&gt;');

    const file = path.join(dir, 'in.txt');
    fs.writeFileSync(file, 'ab\nedc\n');
    const many = await predict(out, { file });
    expect((many.results as unknown[]).length).toBe(2);
    expect(many.render.split('\n')[1].startsWith('edc\t')).toBe(true);
  });

  it('refuses --attention for a model without attention', async () => {
    const cfg = loadConfig(path.join(dir, 'c.yaml'), { set: ['model.attention=none', 'train.epochs=1', 'train.max_steps=2'] });
    const out = path.join(dir, 'plain');
    await train(cfg, { backend, out });
    await expect(predict(out, { text: 'ab', attention: path.join(dir, 'x.svg') })).rejects.toThrow(/model.attention: none/);
  });

  it('a training step and a decode leave no tensors behind', () => {
    const cfg = loadConfig(path.join(dir, 'c.yaml'), { set: ['model.teacher_forcing=0.5', 'model.dropout=0.2', 'model.attention=additive'] });
    const task = taskSpec('seq2seq');
    const data = task.prepare(cfg);
    const model = buildModel(cfg.model, { task: 'seq2seq', info: data.info, seed: 1 });
    const opt = makeOptimizer(cfg.train);
    const step = () => {
      const b = data.train.batch([0, 1, 2, 3]);
      trainStep(model, task, b, opt, 1);
      tf.dispose([...b.xs, b.ys, b.weights!]);
    };
    step(); // creates the optimizer's slots
    const before = tf.memory().numTensors;
    step();
    task.metrics(data.valid!, model).result();
    expect(tf.memory().numTensors).toBe(before);
    model.dispose();
    opt.dispose();
  });
});
