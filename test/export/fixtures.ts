/** Tiny runs of every exportable family and task, trained a few steps, for the export tests. */
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { expect } from 'vitest';
import { initBackend, tf } from '../../src/backend/index.js';
import { loadConfig } from '../../src/config/load.js';
import { loadCheckpoint } from '../../src/models/io.js';
import { train } from '../../src/train/index.js';
import { Rng } from '../../src/util/rng.js';
import { fixture, TINY_CORPUS } from '../helpers/tmp.js';

const words = ['good', 'fine', 'great', 'bad', 'awful', 'poor'];
const REVIEWS = 'text,label\n' + Array.from({ length: 40 }, (_, i) => `${words[i % 6]} film ${i % 4 ? 'indeed' : ''} ${words[(i * 5) % 6]},${i % 6 < 3 ? 'pos' : 'neg'}`).join('\n') + '\n';
const CONLL = Array.from({ length: 20 }, (_, i) => (i % 2 ? 'the\tDET\ndog\tNOUN\nruns\tVERB\n' : 'a\tDET\ncat\tNOUN\nsleeps\tVERB\n.\tPUNCT\n')).join('\n');
const day = (i: number) => new Date(Date.UTC(2024, 0, 1 + i)).toISOString().slice(0, 10);
const SERIES = 'date,a,b\n' + Array.from({ length: 60 }, (_, i) => `${day(i)},${Math.sin(i / 3).toFixed(3)},${(i % 7) / 7}`).join('\n') + '\n';
const PAIRS = 'src\ttgt\n' + Array.from({ length: 40 }, (_, i) => `${'abcde'.slice(i % 3, 3 + (i % 2))}\t${'ABCDE'.slice(i % 3, 3 + (i % 2))}`).join('\n') + '\n';
const TRAIN = 'train:\n  epochs: 1\n  max_steps: 2\n  batch_size: 8\n  log_every: 1000\n';

export const DATA: Record<string, string> = {
  lm: `task: language_model\ndata:\n  train: corpus.txt\n  tokenizer: { type: char }\n  seq_len: 12\n  valid: 0.1\n  test: 0.1\n`,
  cls: `task: classification\ndata:\n  train: reviews.csv\n  text_column: text\n  label_column: label\n  tokenizer: { type: word }\n  seq_len: 6\n  valid: 0.2\n  test: 0.2\n`,
  tag: `task: tagging\ndata:\n  train: tags.conll\n  tokenizer: { type: word }\n  seq_len: 5\n  valid: 0.2\n  test: 0.2\n`,
  mlm: `task: masked_lm\ndata:\n  train: corpus.txt\n  tokenizer: { type: word }\n  seq_len: 8\n  valid: 0.1\n  test: 0.1\n`,
  s2s: `task: seq2seq\ndata:\n  train: pairs.tsv\n  source_column: src\n  target_column: tgt\n  seq_len: 6\n  valid: 0.1\n  test: 0.1\n`,
  fc: `task: forecasting\ndata:\n  train: series.csv\n  date_column: date\n  lookback: 5\n  horizon: 2\n  targets: [a]\n  valid: 0.2\n  test: 0.2\n`,
};

export async function setup(): Promise<string> {
  await initBackend({ device: 'cpu' });
  return fixture({ 'corpus.txt': TINY_CORPUS, 'reviews.csv': REVIEWS, 'tags.conll': CONLL, 'series.csv': SERIES, 'pairs.tsv': PAIRS });
}

/** Trains `model` (a YAML flow mapping) on `data` (a DATA key) in `dir`; returns the run folder. */
export async function trainRun(dir: string, name: string, data: string, model: string, trainYaml = TRAIN): Promise<string> {
  const file = path.join(dir, `${name}.yaml`);
  fs.writeFileSync(file, `name: ${name}\nseed: 5\n${DATA[data]}model: ${model}\n${trainYaml}`);
  const out = path.join(dir, `run-${name}`);
  const r = await train(loadConfig(file, {}), { backend: (await initBackend({ device: 'cpu' })), out, overwrite: true });
  expect(r.status).toBe('finished');
  return out;
}

export interface Inputs {
  shape: number[];
  dtype: 'int32' | 'float32';
  values: number[];
}

/** A batch for a run's model: ids with padding of different lengths (or none for an LM), or features. */
export function inputsFor(data: string, vocab: number, seed: number, targetVocab = 0): Inputs | Inputs[] {
  const rng = new Rng(seed);
  if (data === 's2s') {
    const ids = (T: number, lens: number[], V: number) => lens.flatMap((n) => Array.from({ length: T }, (_, t) => (t < n ? 1 + Math.floor(rng.next() * (V - 1)) : 0)));
    return [
      { shape: [3, 6], dtype: 'int32', values: ids(6, [6, 3, 1], vocab) },
      { shape: [3, 4], dtype: 'int32', values: ids(4, [4, 4, 4], targetVocab) },
    ];
  }
  if (data === 'fc') return { shape: [3, 5, 2], dtype: 'float32', values: Array.from({ length: 30 }, () => rng.next() * 2 - 1) };
  const T = { lm: 12, cls: 6, tag: 5 }[data]!;
  const lens = data === 'lm' ? [T, T, T] : [T, 3, 1];
  const values = lens.flatMap((n) => Array.from({ length: T }, (_, t) => (t < n ? 1 + Math.floor(rng.next() * (vocab - 1)) : 0)));
  return { shape: [3, T], dtype: 'int32', values };
}

/** seqnet's own outputs for the run's best checkpoint on `x`. */
export async function seqnetOutputs(run: string, x: Inputs | Inputs[]): Promise<number[]> {
  const model = await loadCheckpoint(path.join(run, 'best'));
  const mk = (i: Inputs) => tf.tensor(i.values, i.shape, i.dtype);
  const y = tf.tidy(() => model.predict(Array.isArray(x) ? x.map(mk) : mk(x)) as tf.Tensor);
  const v = Array.from(y.dataSync());
  y.dispose();
  model.dispose();
  return v;
}

export interface Loaded {
  registeredBefore: string[];
  /** seqnet classes known after seqnet/layers was imported */
  registeredAfter: string[];
  results: { dir: string; classes?: string[]; values?: number[]; error?: string }[];
}

/**
 * seqnet/layers (src/web/layers) as one ES module importing the repository's @tensorflow/tfjs, as
 * `import 'seqnet/layers'` gives a Node or bundler user; written under node_modules/.cache so the
 * child process resolves tfjs.
 */
export async function webModule(entry: 'layers/index' | 'infer'): Promise<string> {
  const esbuild = await import('esbuild');
  const root = path.join(import.meta.dirname, '..', '..');
  const out = path.join(root, 'node_modules', '.cache', 'seqnet-test', `${entry.replace('/', '-')}-${process.pid}.mjs`);
  await esbuild.build({ entryPoints: [path.join(root, 'src', 'web', `${entry}.ts`)], outfile: out, bundle: true, format: 'esm', platform: 'neutral', external: ['@tensorflow/tfjs'], logLevel: 'silent' });
  return out;
}

/** Runs a script of this folder in a fresh Node process; returns its stdout parsed as JSON. */
export function runChild<T>(script: string, args: string[]): T {
  const r = spawnSync(process.execPath, [path.join(import.meta.dirname, script), ...args], { encoding: 'utf8', cwd: path.join(import.meta.dirname, '..', '..'), maxBuffer: 64 << 20 });
  if (r.status !== 0) throw new Error(`${script} failed: ${r.stderr.slice(-3000)}`);
  return JSON.parse(r.stdout) as T;
}

/** Loads exports in a child process that imports only @tensorflow/tfjs (and seqnet/layers if given). */
export function loadElsewhere(dir: string, jobs: { dir: string; inputs: Inputs | Inputs[] }[], bundle?: string): Loaded {
  const file = path.join(dir, `jobs-${Date.now()}.json`);
  fs.writeFileSync(file, JSON.stringify(jobs));
  return runChild<Loaded>('plain-load.mjs', [file, ...(bundle ? ['--layers', bundle] : [])]);
}

export function maxAbsDiff(a: number[], b: number[]): number {
  expect(a.length).toBe(b.length);
  return a.reduce((m, v, i) => Math.max(m, Math.abs(v - b[i])), 0);
}
