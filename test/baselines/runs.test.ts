/**
 * Baselines as first-class runs: `train` writes the same run directory as a network (config,
 * artifacts, manifest, metrics, best/ and last/), and `eval`, `generate` and `predict` load it.
 */
import fs from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend, tf, type BackendInfo } from '../../src/backend/index.js';
import { loadConfig } from '../../src/config/load.js';
import { evaluate } from '../../src/eval/evaluate.js';
import { generate } from '../../src/generate/index.js';
import { loadPredictor } from '../../src/models/predictor.js';
import { buildModel } from '../../src/models/registry.js';
import { predict } from '../../src/predict/index.js';
import { train } from '../../src/train/index.js';
import { fixture, TINY_CORPUS, TINY_LM_YAML } from '../helpers/tmp.js';

let backend: BackendInfo;
let dir: string;

const NGRAM_YAML = TINY_LM_YAML.replace(/model:[\s\S]*?train:/, 'model:\n  type: ngram\n  order: 4\ntrain:');
const REVIEWS = ['text,label', ...Array.from({ length: 80 }, (_, i) => (i % 2 ? `"a ${['good', 'great', 'fine'][i % 3]} film, truly ${['good', 'nice'][i % 2]}",pos` : `"a ${['bad', 'dull', 'poor'][i % 3]} film, truly ${['awful', 'bad'][i % 2]}",neg`))].join('\n');
const BOW_YAML = `
name: bow
task: classification
data: { train: reviews.csv, text_column: text, label_column: label, valid: 0.2, test: 0.2, tokenizer: { type: word }, seq_len: 8 }
model: { type: bow, ngram_range: [1, 2], weighting: count }
train: { epochs: 3, batch_size: 8, learning_rate: 0.1, log_every: 1000 }
`;
// a daily cycle of 6 rows plus a slow trend, two columns
const SERIES = ['t,x', ...Array.from({ length: 60 }, (_, t) => `${t},${(Math.sin((2 * Math.PI * t) / 6) * 3 + t * 0.1).toFixed(3)}`)].join('\n');
const FORECAST_YAML = (model: string) => `
name: fc
task: forecasting
data: { train: series.csv, features: [x], valid: 0.2, test: 0.2, lookback: 6, horizon: 2, scaler: standard }
model: ${model}
`;

beforeAll(async () => {
  backend = await initBackend({ device: 'cpu' });
  dir = fixture({
    'lm.yaml': NGRAM_YAML,
    'corpus.txt': TINY_CORPUS,
    'bow.yaml': BOW_YAML,
    'reviews.csv': REVIEWS,
    'naive.yaml': FORECAST_YAML('{ type: naive }'),
    'ar.yaml': FORECAST_YAML('{ type: ar }'),
    'snaive.yaml': FORECAST_YAML('{ type: seasonal_naive, season: 6 }'),
    'series.csv': SERIES,
  });
});

const run = async (config: string, out: string) => train(loadConfig(path.join(dir, config)), { backend, out: path.join(dir, out), overwrite: true });

describe('ngram run', () => {
  it('train → run directory → eval → generate', async () => {
    const r = await run('lm.yaml', 'ngram');
    expect(r.status).toBe('finished');
    expect(r.state.step).toBe(0);
    const out = path.join(dir, 'ngram');
    for (const f of ['config.yaml', 'manifest.json', 'tokenizer.json', 'metrics.json', 'best/baseline.json', 'best/state.json', 'last/baseline.json']) {
      expect(fs.existsSync(path.join(out, f)), f).toBe(true);
    }
    const manifest = JSON.parse(fs.readFileSync(path.join(out, 'manifest.json'), 'utf8'));
    const model = await loadPredictor(path.join(out, 'best'), loadConfig(path.join(dir, 'lm.yaml')).model);
    expect(manifest).toMatchObject({ status: 'finished', params: model.countParams() });
    expect(manifest.params).toBeGreaterThan(0);
    model.dispose();

    const ev = await evaluate(out, { split: 'test' });
    const saved = JSON.parse(fs.readFileSync(path.join(out, 'metrics.json'), 'utf8'));
    expect(ev.metrics.loss).toBeCloseTo(saved.test.loss, 6);
    expect(ev.metrics.perplexity).toBeLessThan(ev.baseline!.unigram_perplexity / 2);
    // an n-gram model carries no state: --stateful is a usage error (exit 2), not a damaged run (4)
    await expect(evaluate(out, { split: 'test', stateful: true })).rejects.toMatchObject({ exitCode: 2, message: expect.stringMatching(/--stateful scores a recurrent language model/) });

    const opts = { prime: 'the cat', length: 30, temperature: 0.8, topK: 5, topP: 0.95, num: 2, seed: 4 };
    const first = await generate(out, opts);
    const before = tf.memory().numTensors;
    const second = await generate(out, opts);
    expect(tf.memory().numTensors).toBe(before);
    expect(second.samples).toEqual(first.samples);
    for (const s of first.samples) expect(s.startsWith('the cat')).toBe(true);
    // greedy decoding where the last 3 characters allow one continuation follows the corpus
    const greedy = await generate(out, { ...opts, prime: 'the cat sat o', temperature: 0, length: 6, num: 1 });
    expect(greedy.samples[0]).toBe('the cat sat on the ');
  });

  it('reloads to identical predictions, refuses --resume and has no layers to build', async () => {
    const out = path.join(dir, 'ngram');
    const cfg = loadConfig(path.join(dir, 'lm.yaml'));
    const a = await loadPredictor(path.join(out, 'best'), cfg.model);
    const b = await loadPredictor(path.join(out, 'last'), cfg.model);
    const x = tf.tensor2d([[5, 6, 7, 8, 9]], [1, 5], 'int32');
    const ya = a.apply(x) as tf.Tensor;
    const yb = b.apply(x) as tf.Tensor;
    expect(Array.from(yb.dataSync())).toEqual(Array.from(ya.dataSync()));
    tf.dispose([x, ya, yb]);
    a.dispose();
    b.dispose();
    await expect(train(cfg, { backend, out, resume: true })).rejects.toThrow(/fitted in one pass, so there is nothing to resume/);
    expect(() => buildModel(cfg.model, { task: cfg.task, info: { seqLen: 16 }, seed: 1 })).toThrow(/baseline fitted by `seqnet train`/);
  });
});

describe('bow run', () => {
  it('trains with the loop, beats the majority class, and predicts', async () => {
    const r = await run('bow.yaml', 'bow');
    expect(r.state.step).toBeGreaterThan(0);
    const ev = await evaluate(path.join(dir, 'bow'), { split: 'test' });
    expect(ev.metrics.accuracy).toBeGreaterThan(ev.baseline!.majority_accuracy);
    const p = await predict(path.join(dir, 'bow'), { text: 'a dull film, truly awful' });
    expect((p.results as { label: string }[])[0].label).toBe('neg');
  });
});

describe('forecasting runs', () => {
  it('naive scores exactly as the task’s naive baseline', async () => {
    await run('naive.yaml', 'naive');
    const ev = await evaluate(path.join(dir, 'naive'), { split: 'test' });
    expect(ev.metrics.mae).toBeCloseTo(ev.baseline!.naive_mae, 4);
    expect(ev.metrics.mase).toBeCloseTo(ev.baseline!.naive_mase, 4);
  });

  it('seasonal_naive and ar beat naive on a seasonal series, and predict from a file', async () => {
    await run('snaive.yaml', 'snaive');
    await run('ar.yaml', 'ar');
    const naive = await evaluate(path.join(dir, 'naive'), { split: 'test' });
    const sn = await evaluate(path.join(dir, 'snaive'), { split: 'test' });
    const ar = await evaluate(path.join(dir, 'ar'), { split: 'test' });
    expect(sn.metrics.mae).toBeLessThan(naive.metrics.mae);
    expect(ar.metrics.mae).toBeLessThan(naive.metrics.mae);
    const p = await predict(path.join(dir, 'ar'), { file: path.join(dir, 'series.csv') });
    const steps = (p.results as { steps: { values: { x: number } }[] }).steps;
    expect(steps).toHaveLength(2);
    // rows 60 and 61 of the generating process, 3·sin(2πt/6) + 0.1t
    expect(steps[0].values.x).toBeCloseTo(Math.sin((2 * Math.PI * 60) / 6) * 3 + 6, 0);
    expect(steps[1].values.x).toBeCloseTo(Math.sin((2 * Math.PI * 61) / 6) * 3 + 6.1, 0);
  });
});
