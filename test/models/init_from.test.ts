/**
 * Masked-token pre-training of a transformer encoder, then `train.init_from` fine-tuning for
 * classification: masking statistics, which layers move, and the errors for runs that do not fit.
 */
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend, tf, type BackendInfo } from '../../src/backend/index.js';
import { loadConfig } from '../../src/config/load.js';
import { loadCheckpoint } from '../../src/models/io.js';
import { buildModel } from '../../src/models/registry.js';
import { transferWeights } from '../../src/models/transfer.js';
import { MASK_RATE, MaskedSplit } from '../../src/tasks/masked_lm.js';
import { WindowSplit } from '../../src/data/lm.js';
import { train } from '../../src/train/index.js';
import { RunError } from '../../src/util/errors.js';
import { fixture, TINY_CORPUS } from '../helpers/tmp.js';
import { INFO, tinyModel } from './helpers.js';

let backend: BackendInfo;
beforeAll(async () => {
  backend = await initBackend({ device: 'cpu' });
});

describe('MaskedSplit', () => {
  const ids = Int32Array.from({ length: 4001 }, (_, i) => 4 + (i % 20)); // vocabulary 24, [MASK] = 24
  const windows = new WindowSplit(ids, 40, 40);

  it('chooses ~15% of positions: 80% [MASK], 10% random, 10% kept; targets are the original ids', () => {
    const s = new MaskedSplit(windows, 24, 1, false);
    const b = s.batch(Array.from({ length: s.size }, (_, k) => k));
    const [x, y, w] = [b.xs[0].dataSync(), b.ys.dataSync(), b.weights.dataSync()];
    let chosen = 0, masked = 0, kept = 0;
    for (let i = 0; i < y.length; i++) {
      expect(y[i]).toBe(ids[Math.floor(i / 40) * 40 + (i % 40)]);
      if (w[i] === 0) {
        expect(x[i]).toBe(y[i]);
        continue;
      }
      chosen++;
      if (x[i] === 24) masked++;
      else if (x[i] === y[i]) kept++;
    }
    expect(chosen / y.length).toBeCloseTo(MASK_RATE, 1);
    expect(masked / chosen).toBeGreaterThan(0.72);
    expect(masked / chosen).toBeLessThan(0.88);
    expect(kept / chosen).toBeGreaterThan(0.05); // 10% kept, plus random draws that hit the same id
    tf.dispose([...b.xs, b.ys, b.weights]);
  });

  it('fixes evaluation masks per window and draws training masks afresh', () => {
    const same = (s: MaskedSplit) => {
      const a = s.batch([0, 1]);
      const b = s.batch([0, 1]);
      const eq = Array.from(a.weights.dataSync()).join() === Array.from(b.weights.dataSync()).join();
      tf.dispose([...a.xs, a.ys, a.weights, ...b.xs, b.ys, b.weights]);
      return eq;
    };
    expect(same(new MaskedSplit(windows, 24, 1, false))).toBe(true);
    expect(same(new MaskedSplit(windows, 24, 1, true))).toBe(false);
  });
});

const PRETRAIN = `
name: mlm
seed: 1
task: masked_lm
data:
  train: corpus.txt
  tokenizer: { type: char }
  seq_len: 16
model: { type: transformer, d_model: 16, heads: 2, layers: 1, ff_dim: 32, dropout: 0.0 }
train: { epochs: 12, batch_size: 16, learning_rate: 0.01, log_every: 1 }
`;

const CSV = ['text,label', ...Array.from({ length: 60 }, (_, i) => (i % 2 ? '"the cat sat on the mat",cat' : '"the dog ran so the bird sang",dog'))].join('\n');
const FINETUNE = (ff = 32) => `
name: finetune
seed: 1
task: classification
data: { train: reviews.csv, text_column: text, label_column: label, tokenizer: { type: char }, seq_len: 16 }
model: { type: transformer, d_model: 16, heads: 2, layers: 1, ff_dim: ${ff}, dropout: 0.0 }
train: { epochs: 1, batch_size: 16, learning_rate: 0.01, init_from: mlm-run }
`;

describe('masked_lm then init_from', () => {
  const dir = fixture({ 'pre.yaml': PRETRAIN, 'corpus.txt': TINY_CORPUS, 'reviews.csv': CSV, 'fine.yaml': FINETUNE(), 'wide.yaml': FINETUNE(48) });

  it('pre-trains, fine-tunes from the encoder, and refuses a model that does not fit', async () => {
    const losses: number[] = [];
    const pre = await train(loadConfig(path.join(dir, 'pre.yaml')), { backend, out: path.join(dir, 'mlm-run'), hooks: { onStep: (e) => losses.push(e.loss) } });
    expect(pre.status).toBe('finished');
    const valid = pre.metrics.valid as Record<string, number>;
    const base = pre.metrics.valid_baseline as Record<string, number>;
    expect(valid.loss).toBeLessThan(base.unigram_loss);
    expect(valid.masked_accuracy).toBeGreaterThanOrEqual(base.most_frequent_accuracy);
    expect(losses[losses.length - 1]).toBeLessThan(losses[0] * 0.8);

    const notes: string[] = [];
    const cfg = loadConfig(path.join(dir, 'fine.yaml'));
    expect(cfg.train.init_from).toBe(path.join(dir, 'mlm-run'));
    const fine = await train(cfg, { backend, out: path.join(dir, 'fine-run'), hooks: { onWarning: (w) => notes.push(w) } });
    expect(fine.status).toBe('finished');
    const note = notes.find((n) => n.startsWith('train.init_from:'))!;
    expect(note).toMatch(/loaded \d+ layer\(s\) from .*mlm-run: .*block_1.*embedding \((\d+) of (\d+) rows\)/);
    expect(note).toMatch(/new \(trained from scratch\): logits; not used: mlm_logits/);
    const [, rows, all] = /embedding \((\d+) of (\d+) rows\)/.exec(note)!;
    expect(Number(all)).toBe(Number(rows) + 1); // the [MASK] row stays behind

    await expect(train(loadConfig(path.join(dir, 'wide.yaml')), { backend, out: path.join(dir, 'wide-run') })).rejects.toThrow(
      /these layers differ:\n  - block_1: SeqnetTransformerBlock .*\[16, 48\] \[48\] \[48, 16\].* here, SeqnetTransformerBlock .*\[16, 32\] \[32\] \[32, 16\].* in .*mlm-run/,
    );
  });

  it('copies weights exactly and leaves the new head alone', async () => {
    const source = await loadCheckpoint(path.join(dir, 'mlm-run', 'best'));
    const target = buildModel(tinyModel('transformer', { d_model: 16, heads: 2, layers: 1, ff_dim: 32 }), { task: 'tagging', info: { ...INFO, seqLen: 16 }, seed: 9 });
    const head = target.getLayer('logits').getWeights()[0].dataSync().slice();
    const r = transferWeights(target, source, 'mlm-run');
    expect(r.fresh).toEqual(['logits']);
    const a = target.getLayer('block_1').getWeights();
    source.getLayer('block_1').getWeights().forEach((w, i) => expect(Array.from(a[i].dataSync())).toEqual(Array.from(w.dataSync())));
    expect(Array.from(target.getLayer('logits').getWeights()[0].dataSync())).toEqual(Array.from(head));
    expect(() => transferWeights(buildModel(tinyModel('lstm'), { task: 'tagging', info: INFO, seed: 1 }), source, 'mlm-run')).toThrow(RunError);
    source.dispose();
    target.dispose();
  });
});

describe('init_from across the TextCNN layer change', () => {
  it('loads a run saved with Conv1D layers (before SeqnetConvPool) into the same-named convolutions', () => {
    const target = buildModel(tinyModel('textcnn'), { task: 'classification', info: INFO, seed: 3 });
    // the old layout: embedding → conv1d per width (named as textcnn names them) → pooled head
    const input = tf.input({ shape: [INFO.seqLen], dtype: 'int32' });
    const e = tf.layers.embedding({ inputDim: INFO.vocabSize!, outputDim: 4, name: target.layers.find((l) => l.getClassName() === 'Embedding')!.name }).apply(input);
    const maps = [2, 3].map((k, i) => tf.layers.conv1d({ filters: 3, kernelSize: k, activation: 'relu', name: `conv_${i + 1}_k${k}` }).apply(e) as tf.SymbolicTensor);
    const pooled = tf.layers.concatenate().apply(maps.map((m) => tf.layers.globalMaxPooling1d().apply(m) as tf.SymbolicTensor));
    const source = tf.model({ inputs: input, outputs: pooled as tf.SymbolicTensor });
    const r = transferWeights(target, source, 'old-run');
    expect(r.loaded).toEqual(expect.arrayContaining(['conv_1_k2', 'conv_2_k3']));
    const want = source.getLayer('conv_2_k3').getWeights()[0].dataSync();
    expect(Array.from(target.getLayer('conv_2_k3').getWeights()[0].dataSync())).toEqual(Array.from(want));
    source.dispose();
    target.dispose();
  });
});

describe('init_from across the transformer block change', () => {
  it('loads a run saved with five layers per block (before SeqnetTransformerBlock) into the block', async () => {
    const { SeqnetLayerNorm } = await import('../../src/models/layers/norm.js');
    const { SeqnetSelfAttention } = await import('../../src/models/layers/attention.js');
    const { SeqnetDense } = await import('../../src/models/layers/dense.js');
    const target = buildModel(tinyModel('transformer', { layers: 1 }), { task: 'classification', info: INFO, seed: 3 });
    // the old layout of block_1, as the transformer family built it
    const input = tf.input({ shape: [INFO.seqLen, 8] });
    let h: tf.SymbolicTensor = input;
    for (const layer of [
      new SeqnetLayerNorm({ name: 'block_1_norm_1' }), new SeqnetSelfAttention({ heads: 2, causal: false, seed: 7, name: 'block_1_attention' }),
      new SeqnetLayerNorm({ name: 'block_1_norm_2' }), new SeqnetDense({ units: 12, activation: 'gelu', seed: 8, name: 'block_1_ff_1' }),
      new SeqnetDense({ units: 8, seed: 9, name: 'block_1_ff_2' }),
    ]) h = layer.apply(h) as tf.SymbolicTensor;
    const source = tf.model({ inputs: input, outputs: h });
    const r = transferWeights(target, source, 'old-run');
    expect(r.loaded).toContain('block_1');
    expect(r.unused).toEqual([]);
    const old = ['block_1_norm_1', 'block_1_attention', 'block_1_norm_2', 'block_1_ff_1', 'block_1_ff_2'].flatMap((n) => source.getLayer(n).getWeights());
    target.getLayer('block_1').getWeights().forEach((w, i) => expect(Array.from(w.dataSync())).toEqual(Array.from(old[i].dataSync())));
    source.dispose();
    target.dispose();
  });
});
