/** Each task's plots from a tiny trained run: produced, well-formed SVG, axis titles and legend entries. */
import fs from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend, tf, type BackendInfo } from '../../src/backend/index.js';
import { loadConfig } from '../../src/config/load.js';
import { plotCompare, writePlots } from '../../src/plot/index.js';
import { bestRow } from '../../src/plot/loss.js';
import type { RunCurves } from '../../src/plot/rundata.js';
import { train } from '../../src/train/index.js';
import { runCli } from '../helpers/cli.js';
import { fixture } from '../helpers/tmp.js';
import { expectTexts, svgTexts } from './svg.js';

const words = ['good', 'fine', 'great', 'bad', 'awful', 'poor'];
const REVIEWS = 'text,label\n' + Array.from({ length: 40 }, (_, i) => `${words[i % 6]} film ${i % 4 ? 'indeed' : ''},${i % 6 < 3 ? 'pos' : 'neg'}`).join('\n') + '\n';
const CONLL = Array.from({ length: 20 }, (_, i) => (i % 2 ? 'the\tDET\ndog\tNOUN\nruns\tVERB\n' : 'a\tDET\ncat\tNOUN\nsleeps\tVERB\n.\tPUNCT\n')).join('\n');
const day = (i: number) => new Date(Date.UTC(2024, 0, 1 + i)).toISOString().slice(0, 10);
const SERIES = 'date,a,b\n' + Array.from({ length: 60 }, (_, i) => `${day(i)},${Math.sin(i / 3).toFixed(3)},${(i % 7) / 7}`).join('\n') + '\n';
const PAIRS = 'src\ttgt\n' + Array.from({ length: 40 }, (_, i) => { const s = 'abcde'.slice(i % 3, (i % 3) + 2 + (i % 2)); return `${s}\t${[...s].reverse().join('').toUpperCase()}`; }).join('\n') + '\n';
const TRAIN = 'train:\n  epochs: 2\n  max_steps: 4\n  batch_size: 8\n  log_every: 1\n';
const GRU = 'model: { type: gru, embedding_dim: 4, units: 4, layers: 1 }\n';
const SPLITS = '  valid: 0.2\n  test: 0.2\n';

let backend: BackendInfo;
let dir: string;
const runs: Record<string, string> = {};

beforeAll(async () => {
  backend = await initBackend({ device: 'cpu' });
  dir = fixture({
    'reviews.csv': REVIEWS,
    'tags.conll': CONLL,
    'series.csv': SERIES,
    'pairs.tsv': PAIRS,
    'cls.yaml': `name: c\ntask: classification\ndata:\n  train: reviews.csv\n  text_column: text\n  label_column: label\n  tokenizer: { type: word }\n  seq_len: 4\n${SPLITS}${GRU}${TRAIN}`,
    'tag.yaml': `name: t\ntask: tagging\ndata:\n  train: tags.conll\n  tokenizer: { type: word }\n  seq_len: 5\n${SPLITS}${GRU}${TRAIN}`,
    'fc.yaml': `name: f\ntask: forecasting\ndata:\n  train: series.csv\n  date_column: date\n  lookback: 4\n  horizon: 2\n  targets: [a]\n${SPLITS}${GRU}${TRAIN}`,
    's2s.yaml': `name: s\ntask: seq2seq\ndata:\n  train: pairs.tsv\n  source_column: src\n  target_column: tgt\n  seq_len: 6\n${SPLITS}model: { type: seq2seq, units: 6, embedding_dim: 4, attention: general }\n${TRAIN}`,
    'tfm.yaml': `name: x\ntask: classification\ndata:\n  train: reviews.csv\n  text_column: text\n  label_column: label\n  tokenizer: { type: word }\n  seq_len: 4\n${SPLITS}model: { type: transformer, d_model: 8, heads: 2, layers: 2, ff_dim: 8 }\n${TRAIN}`,
  });
  for (const c of ['cls', 'tag', 'fc', 's2s', 'tfm']) {
    runs[c] = path.join(dir, `run-${c}`);
    await train(loadConfig(path.join(dir, `${c}.yaml`)), { backend, out: runs[c] });
  }
});

const plot = (run: string, f: string) => path.join(run, 'plots', f);

describe('plots per task', () => {
  it('classification: loss.svg and confusion.svg with axis titles, legend entries, labels on both axes and counts', async () => {
    const before = tf.memory().numTensors;
    const r = await writePlots(runs.cls);
    expect(tf.memory().numTensors).toBe(before); // every tensor the plots make is disposed
    expect(r.written.map((f) => path.basename(f))).toEqual(['loss.svg', 'confusion.svg']);
    expectTexts(plot(runs.cls, 'loss.svg'), [
      'run-cls: loss and accuracy', 'step (optimizer steps)', 'loss (cross-entropy, nats)', 'accuracy (fraction correct)',
      'train loss (per logged step)', 'valid loss (per evaluation)', 'best evaluation', 'valid accuracy (per evaluation)',
    ]);
    expectTexts(plot(runs.cls, 'confusion.svg'), ['predicted label', 'true label', 'neg', 'pos']);
    const texts = svgTexts(plot(runs.cls, 'confusion.svg'));
    const counts = texts.filter((t) => /^\d+$/.test(t)).map(Number);
    const test = JSON.parse(fs.readFileSync(path.join(runs.cls, 'metrics.json'), 'utf8')).test;
    expect(counts.reduce((a, b) => a + b, 0)).toBe(test.examples); // the four cells hold every test example
  });

  it('tagging: the confusion matrix is over tags', async () => {
    await writePlots(runs.tag);
    expectTexts(plot(runs.tag, 'confusion.svg'), ['predicted tag', 'true tag', 'DET', 'NOUN', 'VERB']);
    expectTexts(plot(runs.tag, 'loss.svg'), ['accuracy (fraction of tokens correct)']);
  });

  it('forecasting: actual, predicted and naive per horizon step, in original units', async () => {
    const r = await writePlots(runs.fc);
    expect(r.written.map((f) => path.basename(f))).toEqual(['loss.svg', 'forecast.svg']);
    expectTexts(plot(runs.fc, 'forecast.svg'), [
      'actual', 'predicted (model)', 'naive (last observed value)', 'a at t+1 (original units)', 'a at t+2 (original units)', 'row of the test split (time steps)',
    ]);
    expectTexts(plot(runs.fc, 'loss.svg'), ['loss (MSE, standardised units)', 'mae (a: original units)']);
  });

  it('seq2seq: attention of the first test example, source against output tokens', async () => {
    const r = await writePlots(runs.s2s);
    expect(r.written.map((f) => path.basename(f))).toEqual(['loss.svg', 'attention.svg']);
    expectTexts(plot(runs.s2s, 'attention.svg'), ['source token', 'output token', 'run-s2s: attention']);
  });

  it('transformer: one self-attention map per layer', async () => {
    const before = tf.memory().numTensors;
    await writePlots(runs.tfm);
    expect(tf.memory().numTensors).toBe(before);
    expectTexts(plot(runs.tfm, 'attention.svg'), ['layer 1', 'layer 2', 'key token (attended to)', 'query token']);
  });

  it('uses steps.csv and valid_<metric> columns when the run has them', async () => {
    const run = path.join(dir, 'run-copy');
    fs.cpSync(runs.cls, run, { recursive: true });
    fs.writeFileSync(path.join(run, 'steps.csv'), 'step,epoch,loss,learning_rate,seconds\n1,1,0.9,0.01,0.1\n2,1,0.8,0.01,0.2\n3,2,0.7,0.01,0.3\n4,2,0.65,0.01,0.4\n');
    fs.writeFileSync(path.join(run, 'history.csv'), 'epoch,step,train_loss,valid_loss,learning_rate,seconds,valid_accuracy\n1,2,0.85,0.8,0.01,0.2,0.5\n2,4,0.67,0.7,0.01,0.4,0.75\n');
    await writePlots(run);
    expectTexts(plot(run, 'loss.svg'), ['train loss (per logged step)', 'valid accuracy (per evaluation)', 'best evaluation']);
  });

  it('marks the best evaluation by best_step when an epoch has several (eval_every_steps)', () => {
    const history = [20, 40, 60, 80].map((step, i) => ({ epoch: step <= 75 ? 1 : 2, step, valid_loss: [0.6, 0.3, 0.1, 0.2][i] }));
    const run = { history, metrics: { best_epoch: 1, best_step: 60 } } as unknown as RunCurves;
    expect(bestRow(run)?.step).toBe(60);
    // runs written before best_step: by epoch
    expect(bestRow({ ...run, metrics: { best_epoch: 2 } })?.step).toBe(80);
  });

  it('compare: validation curves of several runs on one chart, one legend entry per run', () => {
    const out = path.join(dir, 'cmp.svg');
    plotCompare([runs.cls, runs.tfm], out);
    expectTexts(out, ['run-cls', 'run-tfm', 'valid loss (cross-entropy, nats)', 'step (optimizer steps)']);
  });
});

describe('seqnet plot', () => {
  it('regenerates the plots of a run, and --compare writes one chart', async () => {
    fs.rmSync(path.join(runs.fc, 'plots'), { recursive: true, force: true });
    const r = await runCli('plot', runs.fc);
    expect(r.code).toBe(0);
    expect(r.out.trim().split('\n').map((f) => path.basename(f))).toEqual(['loss.svg', 'forecast.svg']);
    const c = await runCli('plot', runs.cls, runs.tag, '--compare', path.join(dir, 'c2.svg'));
    expect(c.code).toBe(0);
    svgTexts(path.join(dir, 'c2.svg'));
  });

  it('--out onto a file: a usage error, no stack', async () => {
    const file = path.join(dir, 'reviews.csv');
    const r = await runCli('plot', runs.cls, '--out', file);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/--out .*reviews\.csv: cannot make a folder there/);
    expect(fs.readFileSync(file, 'utf8')).toBe(REVIEWS);
  });

  it('on a folder that is not a run: a clear error, exit code 4', async () => {
    const r = await runCli('plot', dir);
    expect(r.code).toBe(4);
    expect(r.err).toMatch(/is not a seqnet run directory/);
    expect(r.err).not.toMatch(/at .*\.ts:/);
  });
});
