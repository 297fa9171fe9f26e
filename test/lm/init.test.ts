/** model.embedding_init and model.init: what auto resolves to, what each draws, and old runs loading unchanged. */
import fs from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend, tf, type BackendInfo } from '../../src/backend/index.js';
import { loadConfig } from '../../src/config/load.js';
import { evaluate } from '../../src/eval/evaluate.js';
import { resolveInit } from '../../src/models/init.js';
import { buildModel } from '../../src/models/registry.js';
import { train } from '../../src/train/index.js';
import { fixture, TINY_CORPUS, TINY_LM_YAML } from '../helpers/tmp.js';
import { INFO, tinyModel } from '../models/helpers.js';

let backend: BackendInfo;
beforeAll(async () => {
  backend = await initBackend({ device: 'cpu' });
});

const weight = (m: tf.LayersModel, name: string) => Array.from(m.weights.find((w) => w.originalName.endsWith(name))!.read().dataSync());
const maxAbs = (v: number[]) => Math.max(...v.map(Math.abs));
const std = (v: number[]) => Math.sqrt(v.reduce((a, x) => a + x * x, 0) / v.length);

describe('initialisers', () => {
  it('auto: N(0, 1) embeddings for recurrent LMs, U(±0.05) for classifiers, N(0, 0.02) for the transformer', () => {
    expect(resolveInit('recurrent', 'language_model', 'auto', 'auto')).toEqual({ embedding: 'normal', weights: 'keras' });
    expect(resolveInit('recurrent', 'classification', 'auto', 'auto')).toEqual({ embedding: 'uniform', weights: 'keras' });
    expect(resolveInit('textcnn', 'classification', 'auto', 'auto').embedding).toBe('uniform');
    expect(resolveInit('transformer', 'language_model', 'auto').embedding).toBe('small_normal');
    expect(resolveInit('recurrent', 'language_model', 'uniform', 'pytorch')).toEqual({ embedding: 'uniform', weights: 'pytorch' });
  });

  it('draws the embedding from the chosen distribution', () => {
    const info = { ...INFO, vocabSize: 400 };
    const emb = (embedding_init: string) => {
      const m = buildModel(tinyModel('lstm', { embedding_init }), { task: 'language_model', info, seed: 1 });
      const v = weight(m, 'embedding/embeddings');
      m.dispose();
      return v;
    };
    expect(maxAbs(emb('uniform'))).toBeLessThanOrEqual(0.05);
    expect(std(emb('normal'))).toBeGreaterThan(0.9);
    expect(std(emb('normal'))).toBeLessThan(1.1);
    expect(std(emb('small_normal'))).toBeLessThan(0.025);
  });

  it("init: pytorch draws every recurrent and dense weight from U(±1/√fan_in); keras keeps the unit forget bias", () => {
    const build = (init: string) => buildModel(tinyModel('lstm', { init, units: 16, layers: 1 }), { task: 'language_model', info: INFO, seed: 1 });
    const torch = build('pytorch');
    const k = 1 / Math.sqrt(16);
    expect(maxAbs(weight(torch, 'lstm_1/kernel'))).toBeLessThanOrEqual(k);
    expect(maxAbs(weight(torch, 'lstm_1/kernel'))).toBeGreaterThan(0.8 * k);
    expect(maxAbs(weight(torch, 'recurrent_kernel'))).toBeLessThanOrEqual(k);
    // the LSTM's one bias is PyTorch's b_ih + b_hh
    expect(maxAbs(weight(torch, 'lstm_1/bias'))).toBeLessThanOrEqual(2 * k);
    expect(maxAbs(weight(torch, 'lstm_1/bias'))).toBeGreaterThan(k);
    expect(maxAbs(weight(torch, 'logits/kernel'))).toBeLessThanOrEqual(k);
    expect(maxAbs(weight(torch, 'logits/bias'))).toBeGreaterThan(0);
    const keras = build('keras');
    expect(weight(keras, 'lstm_1/bias').slice(16, 32)).toEqual(new Array(16).fill(1));
    expect(weight(keras, 'logits/bias').every((b) => b === 0)).toBe(true);
    torch.dispose();
    keras.dispose();
  });

  it('a run written before these keys existed loads with the same outputs', async () => {
    const dir = fixture({ 'c.yaml': TINY_LM_YAML, 'corpus.txt': TINY_CORPUS });
    const cfg = loadConfig(path.join(dir, 'c.yaml'), { set: ['train.max_steps=3'] });
    const out = path.join(dir, 'run');
    await train(cfg, { backend, out });
    const before = await evaluate(out);
    // the config as an older seqnet wrote it: no embedding_init / init keys
    const file = path.join(out, 'config.yaml');
    const text = fs.readFileSync(file, 'utf8');
    expect(text).toMatch(/embedding_init: auto/);
    fs.writeFileSync(file, text.replace(/^\s*(embedding_init|init): auto\n/gm, ''));
    expect(fs.readFileSync(file, 'utf8')).not.toMatch(/init: auto/);
    const after = await evaluate(out);
    expect(after.metrics.loss).toBe(before.metrics.loss);
  });
});
