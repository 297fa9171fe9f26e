/** `summarize` and `seqnet inspect`: layer rows, shapes, parameter totals, for a config and a run. */
import path from 'node:path';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { initBackend, type BackendInfo } from '../../src/backend/index.js';
import { program } from '../../src/cli/main.js';
import { loadConfig } from '../../src/config/load.js';
import { buildModel } from '../../src/models/registry.js';
import { summarize } from '../../src/models/summary.js';
import { train } from '../../src/train/index.js';
import { fixture, TINY_CORPUS } from '../helpers/tmp.js';
import { INFO, tinyModel } from './helpers.js';

let backend: BackendInfo;
beforeAll(async () => {
  backend = await initBackend({ device: 'cpu' });
});
afterEach(() => {
  vi.restoreAllMocks();
});

describe('summarize', () => {
  it('lists every layer with its class, output shape and parameters, and totals them', () => {
    const model = buildModel(tinyModel('lstm', { layers: 1, units: 5, bidirectional: true, norm: 'batch' }), { task: 'classification', info: INFO, seed: 1 });
    const s = summarize(model);
    expect(s.layers.map((l) => l.name)).toEqual(['tokens', 'embedding', 'lstm_1_forward', 'lstm_1_backward', 'lstm_1_concat', 'batch_norm_1', 'logits']);
    expect(s.layers.find((l) => l.name === 'lstm_1_concat')).toMatchObject({ className: 'SeqnetMerge', outputShape: '[B, 10]', params: 0, inputs: ['lstm_1_forward', 'lstm_1_backward'] });
    expect(s.layers.find((l) => l.name === 'embedding')).toMatchObject({ outputShape: '[B, T, 4]', params: INFO.vocabSize! * 4 });
    // batch norm: gamma, beta trainable; moving mean and variance not
    expect(s.layers.find((l) => l.name === 'batch_norm_1')).toMatchObject({ params: 40, nonTrainable: 20 });
    expect(s.totalParams).toBe(model.countParams());
    expect(s.nonTrainableParams).toBe(20);
    expect(s.trainableParams).toBe(s.totalParams - 20);
    model.dispose();
  });
});

const LM_YAML = `
name: tiny-transformer
seed: 2
task: language_model
data:
  train: corpus.txt
  tokenizer: { type: char }
  seq_len: 12
model:
  type: transformer
  d_model: 8
  heads: 2
  layers: 1
  ff_dim: 16
  dropout: 0.0
train:
  epochs: 1
  batch_size: 8
  max_steps: 3
  log_every: 1000
`;

async function runCli(args: string[]): Promise<string> {
  let out = '';
  vi.spyOn(process.stdout, 'write').mockImplementation((s: string | Uint8Array) => ((out += String(s)), true));
  vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
  await program().parseAsync(['node', 'seqnet', ...args]);
  return out;
}

describe('seqnet inspect', () => {
  const dir = fixture({ 'c.yaml': LM_YAML, 'corpus.txt': TINY_CORPUS });

  it('builds a config on its data without training and prints the layers and totals', async () => {
    const out = await runCli(['inspect', path.join(dir, 'c.yaml'), '--device', 'cpu']);
    expect(out).toMatch(/untrained/);
    expect(out).toMatch(/block_1\s+SeqnetTransformerBlock\s+\[B, T, 8\]\s+600\b/); // 4D² + 2DF + 9D + F, D 8, F 16
    const cfg = loadConfig(path.join(dir, 'c.yaml'));
    expect(cfg.model.type).toBe('transformer');
    const total = /total params:\s+([\d,]+)/.exec(out)![1];
    expect(Number(total.replace(/,/g, ''))).toBeGreaterThan(0);
  });

  it('reads a run directory and reports the same totals as JSON', async () => {
    const cfg = loadConfig(path.join(dir, 'c.yaml'));
    const run = path.join(dir, 'run');
    await train(cfg, { backend, out: run });
    const fromConfig = JSON.parse(await runCli(['inspect', path.join(dir, 'c.yaml'), '--json', '--device', 'cpu']));
    const fromRun = JSON.parse(await runCli(['inspect', run, '--json', '--device', 'cpu']));
    expect(fromRun.totalParams).toBe(fromConfig.totalParams);
    expect(fromRun.layers.map((l: { name: string }) => l.name)).toEqual(fromConfig.layers.map((l: { name: string }) => l.name));
  });
});
