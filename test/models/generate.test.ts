/** A transformer language model trains, reloads and generates through `seqnet generate`'s library call. */
import path from 'node:path';
import { beforeAll, expect, it } from 'vitest';
import { initBackend, tf, type BackendInfo } from '../../src/backend/index.js';
import { loadConfig } from '../../src/config/load.js';
import { generate } from '../../src/generate/index.js';
import { train } from '../../src/train/index.js';
import { fixture, TINY_CORPUS } from '../helpers/tmp.js';

let backend: BackendInfo;
beforeAll(async () => {
  backend = await initBackend({ device: 'cpu' });
});

const YAML = `
name: tiny-transformer-lm
seed: 2
task: language_model
data:
  train: corpus.txt
  tokenizer: { type: char }
  seq_len: 12
model:
  type: transformer
  d_model: 16
  heads: 2
  layers: 1
  ff_dim: 32
  dropout: 0.1
train:
  epochs: 3
  batch_size: 16
  learning_rate: 0.01
  log_every: 1
`;

it('learns, then generates beyond its window reproducibly without leaking tensors', async () => {
  const dir = fixture({ 'c.yaml': YAML, 'corpus.txt': TINY_CORPUS });
  const losses: number[] = [];
  const r = await train(loadConfig(path.join(dir, 'c.yaml')), { backend, out: path.join(dir, 'run'), hooks: { onStep: (e) => losses.push(e.loss) } });
  expect(r.status).toBe('finished');
  expect(losses[losses.length - 1]).toBeLessThan(losses[0] * 0.8);
  const test = (r.metrics.test ?? r.metrics.valid) as Record<string, number>;
  const base = (r.metrics.test_baseline ?? r.metrics.valid_baseline) as Record<string, number>;
  expect(test.loss).toBeLessThan(base.unigram_loss);

  // 30 new tokens from a 7-character prime: the window (12) slides
  const opts = { prime: 'the cat', length: 30, temperature: 0.8, topK: null, topP: 0.9, num: 2, seed: 4 };
  const first = await generate(path.join(dir, 'run'), opts);
  const before = tf.memory().numTensors;
  const second = await generate(path.join(dir, 'run'), opts);
  expect(tf.memory().numTensors).toBe(before);
  expect(second.samples).toEqual(first.samples);
  for (const s of first.samples) {
    expect(s.startsWith('the cat')).toBe(true);
    expect(s.length).toBeGreaterThan('the cat'.length + 10);
  }
});
