#!/usr/bin/env node
/**
 * Parity harness: how much seqnet learns per step next to PyTorch, on the same data and the same
 * batches. For each workload seqnet prepares the data once and writes it (inputs, targets, the
 * validation split) with one index file of the batch order; seqnet and bench/parity_ref.py both
 * train from those files, step for step, and report the validation metric at the chosen steps.
 * PyTorch runs twice: with its own default initialisers, and with the initialisers seqnet used.
 *
 *   npm run build && node bench/parity.mjs [--steps 25,50,100,200,400] [--workloads lstm-lm,gru-lm]
 *       [--seqnet-variants "lstm-lm:model.embedding_init=uniform;..."] [--no-pytorch] [--seeds 1,2]
 *       [--work DIR] [--out bench/parity.json]
 *   node bench/parity.mjs --table bench/parity.json      (print a results file as a markdown table)
 *
 * The LMs read a public-domain book that Debian ships (dict-devil: Bierce's The Devil's Dictionary,
 * /usr/share/dictd/devil.dict.dz; `apt-get install dict-devil`), unpacked into the work folder and
 * never committed; the rest read the shipped data/. PyTorch is Debian's python3-torch:
 *   env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE /usr/bin/python3 (set PARITY_PYTHON to change it).
 * Metrics: bits per token (LMs), accuracy (classifiers), MAE in scaled units (forecaster).
 */
import { spawnSync } from 'node:child_process';
import { parseArgs } from 'node:util';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { initBackend, tf } from '../dist/backend/index.js';
import { applySet, validateConfig } from '../dist/config/load.js';
import { batchIndices } from '../dist/data/batch.js';
import { resolveInit } from '../dist/models/init.js';
import { seedDropout } from '../dist/models/layers/dropout.js';
import { buildModel } from '../dist/models/registry.js';
import { taskSpec } from '../dist/tasks/index.js';
import { trainStep } from '../dist/train/fit.js';
import { makeOptimizer } from '../dist/train/optim.js';
import { Rng } from '../dist/util/rng.js';

const USAGE = `usage: node bench/parity.mjs [--steps 25,50,100,200,400] [--workloads lstm-lm,gru-lm,...]
         [--seqnet-variants "lstm-lm:model.embedding_init=uniform;..."] [--no-pytorch] [--seeds 1,2]
         [--work DIR] [--out bench/parity.json]
       node bench/parity.mjs --table bench/parity.json   (print a results file as a markdown table)
workloads: lstm-lm, gru-lm, transformer-lm, gru-forecast, bilstm-classify, textcnn-classify (default: all)
Run \`npm run build\` first. PyTorch: PARITY_PYTHON (default /usr/bin/python3), run without OPENBLAS_CORETYPE / OPENBLAS_L2_SIZE.`;
function usageError(message) {
  console.error(`parity: ${message}\n${USAGE}`);
  process.exit(2);
}
// strict: an unknown or misspelt flag is an error, never a full run that overwrites bench/parity.json
let opts;
try {
  opts = parseArgs({
    options: {
      help: { type: 'boolean', short: 'h' }, steps: { type: 'string' }, workloads: { type: 'string' }, 'seqnet-variants': { type: 'string' },
      'no-pytorch': { type: 'boolean' }, seeds: { type: 'string' }, work: { type: 'string' }, out: { type: 'string' }, table: { type: 'string' },
    },
  }).values;
} catch (e) {
  usageError(e.message);
}
if (opts.help) {
  console.log(USAGE);
  process.exit(0);
}
const arg = (name, dflt) => opts[name.slice(2)] ?? dflt;
const positiveInts = (flag, text) => {
  const v = text.split(',').map(Number);
  if (!v.every((n) => Number.isInteger(n) && n > 0)) usageError(`${flag} ${text}: give comma-separated positive integers`);
  return v;
};
const STEPS = positiveInts('--steps', arg('--steps', '25,50,100,200,400'));
const MAX = Math.max(...STEPS);
const WORK = arg('--work', path.join(os.tmpdir(), 'seqnet-parity'));
const OUT = arg('--out', new URL('./parity.json', import.meta.url).pathname);
const PYTHON = process.env.PARITY_PYTHON ?? '/usr/bin/python3';
const SEEDS = positiveInts('--seeds', arg('--seeds', '1'));
const DATA = new URL('../data/', import.meta.url).pathname;
const BOOK = '/usr/share/dictd/devil.dict.dz';

function bookText() {
  const file = path.join(WORK, 'devil.txt');
  if (!fs.existsSync(file)) {
    if (!fs.existsSync(BOOK)) throw new Error(`${BOOK} is missing: apt-get install dict-devil`);
    fs.mkdirSync(WORK, { recursive: true });
    // dictzip is gzip; drop the dictd header entries (lines starting 00-database)
    const text = zlib.gunzipSync(fs.readFileSync(BOOK)).toString('utf8');
    fs.writeFileSync(file, text.slice(text.indexOf('\n\n\n')).trimStart());
  }
  return file;
}

const lmTrain = { epochs: 100, batch_size: 32, learning_rate: 0.003, clip_norm: 5 };
const book = () => ({ train: bookText(), valid: 0.05, test: 0.05, tokenizer: { type: 'char' }, seq_len: 64 });
const reviews = () => ({ train: path.join(DATA, 'reviews.csv'), text_column: 'text', label_column: 'label', valid: 0.1, test: 0.1, tokenizer: { type: 'word', lowercase: true, min_freq: 2 }, seq_len: 32 });

/** Each workload: a seqnet config (the harness drives the steps itself) and the metric it reports. */
const WORKLOADS = {
  'lstm-lm': () => ({ task: 'language_model', data: book(), model: { type: 'lstm', embedding_dim: 32, units: 128, layers: 1 }, train: lmTrain }),
  'gru-lm': () => ({ task: 'language_model', data: book(), model: { type: 'gru', embedding_dim: 32, units: 128, layers: 1 }, train: lmTrain }),
  'transformer-lm': () => ({
    task: 'language_model',
    data: book(),
    model: { type: 'transformer', d_model: 64, heads: 4, layers: 2, ff_dim: 128, dropout: 0 },
    train: { ...lmTrain, learning_rate: 0.004, clip_norm: 1 },
  }),
  'gru-forecast': () => ({
    task: 'forecasting',
    data: { train: path.join(DATA, 'weather.csv'), valid: 0.15, test: 0.15, date_column: 'date', features: ['temperature', 'humidity', 'pressure', 'wind'], targets: ['temperature'], lookback: 48, horizon: 6, stride: 2, scaler: 'standard', missing: 'ffill' },
    model: { type: 'gru', units: 32, layers: 1 },
    train: { epochs: 100, batch_size: 32, learning_rate: 0.005 },
  }),
  'bilstm-classify': () => ({
    task: 'classification',
    data: reviews(),
    model: { type: 'lstm', embedding_dim: 32, units: 48, layers: 1, bidirectional: true, merge: 'concat', dropout: 0.2 },
    train: { epochs: 100, batch_size: 32, learning_rate: 0.005 },
  }),
  'textcnn-classify': () => ({
    task: 'classification',
    data: reviews(),
    model: { type: 'textcnn', embedding_dim: 32, filters: 32, kernel_sizes: [2, 3, 4], pool: 'max', padding: 'same', dropout: 0.3, hidden: [32] },
    train: { epochs: 100, batch_size: 32, learning_rate: 0.003 },
  }),
};
const ONLY = arg('--workloads', Object.keys(WORKLOADS).join(',')).split(',');
for (const name of ONLY) if (!WORKLOADS[name]) usageError(`unknown workload ${name}; choose from ${Object.keys(WORKLOADS).join(', ')}`);
/** extra seqnet runs: "workload:key=value,key=value;workload:…" */
const VARIANTS = (arg('--seqnet-variants', '') || '')
  .split(';')
  .filter(Boolean)
  .map((v) => ({ workload: v.split(':')[0], set: v.slice(v.indexOf(':') + 1).split(',') }));

/** All examples of a split as flat typed arrays: x, y (and w) with their shapes. */
function materialise(split, limit = Infinity) {
  const n = Math.min(split.size, limit);
  const parts = { x: [], y: [], w: [] };
  let shapes;
  for (const idx of batchIndices(n, 512)) {
    const b = split.batch(idx);
    parts.x.push(b.xs[0].dataSync().slice());
    parts.y.push(b.ys.dataSync().slice());
    if (b.weights) parts.w.push(b.weights.dataSync().slice());
    shapes ??= { x_shape: b.xs[0].shape.slice(1), y_shape: b.ys.shape.slice(1), dx: b.xs[0].dtype, dy: b.ys.dtype };
    tf.dispose([...b.xs, b.ys, ...(b.weights ? [b.weights] : [])]);
  }
  const cat = (arrs) => {
    const out = new arrs[0].constructor(arrs.reduce((a, r) => a + r.length, 0));
    let o = 0;
    for (const r of arrs) out.set(r, (o += r.length) - r.length);
    return out;
  };
  return { n, x: cat(parts.x), y: cat(parts.y), w: parts.w.length ? cat(parts.w) : null, ...shapes };
}

const rowsOf = (arr, shape, idx) => {
  const per = shape.reduce((a, b) => a * b, 1);
  const out = new arr.constructor(idx.length * per);
  idx.forEach((k, i) => out.set(arr.subarray(k * per, (k + 1) * per), i * per));
  return out;
};

function tensors(d, idx) {
  return {
    xs: [tf.tensor(rowsOf(d.x, d.x_shape, idx), [idx.length, ...d.x_shape], d.dx)],
    ys: tf.tensor(rowsOf(d.y, d.y_shape, idx), [idx.length, ...d.y_shape], d.dy),
    ...(d.w ? { weights: tf.tensor(rowsOf(d.w, d.y_shape, idx), [idx.length, ...d.y_shape]) } : {}),
  };
}

/** The validation metric, defined once here and the same way in parity_ref.py. */
function score(model, task, d) {
  let sum = 0;
  let n = 0;
  for (const idx of batchIndices(d.n, 256)) {
    const b = tensors(d, idx);
    const out = model.predict(b.xs[0], { batchSize: 256 });
    const v = tf.tidy(() => {
      if (task === 'language_model') {
        const logp = tf.logSoftmax(out);
        const nll = tf.oneHot(b.ys, out.shape[2]).mul(logp).sum(-1).neg();
        const w = b.weights ?? tf.onesLike(nll);
        return [nll.mul(w).sum().dataSync()[0] / Math.LN2, w.sum().dataSync()[0]];
      }
      if (task === 'classification') return [out.argMax(-1).equal(b.ys.cast('int32')).cast('float32').sum().dataSync()[0], idx.length];
      return [out.sub(b.ys).abs().sum().dataSync()[0], b.ys.size];
    });
    sum += v[0];
    n += v[1];
    tf.dispose([out, ...b.xs, b.ys, ...(b.weights ? [b.weights] : [])]);
  }
  return sum / n;
}

function writeData(dir, name, d) {
  fs.writeFileSync(path.join(dir, `${name}_x.bin`), Buffer.from(d.x.buffer, d.x.byteOffset, d.x.byteLength));
  fs.writeFileSync(path.join(dir, `${name}_y.bin`), Buffer.from(d.y.buffer, d.y.byteOffset, d.y.byteLength));
  if (d.w) fs.writeFileSync(path.join(dir, `${name}_w.bin`), Buffer.from(d.w.buffer, d.w.byteOffset, d.w.byteLength));
  return { n: d.n, x_shape: d.x_shape, y_shape: d.y_shape, x_dtype: d.dx, y_dtype: d.dy, weights: Boolean(d.w) };
}

async function runSeqnet(cfg, info, train, valid, batches) {
  const task = taskSpec(cfg.task);
  seedDropout(cfg.seed);
  const model = buildModel(cfg.model, { task: cfg.task, info, seed: cfg.seed });
  const opt = makeOptimizer(cfg.train);
  const curve = {};
  const t0 = Date.now();
  for (let s = 0; s < MAX; s++) {
    const b = tensors(train, batches[s]);
    trainStep(model, task, b, opt, cfg.train.clip_norm);
    tf.dispose([...b.xs, b.ys, ...(b.weights ? [b.weights] : [])]);
    if (STEPS.includes(s + 1)) curve[s + 1] = score(model, cfg.task, valid);
  }
  model.dispose();
  opt.dispose();
  return { curve, seconds: (Date.now() - t0) / 1000 };
}

function runPytorch(dir, init) {
  const script = new URL('./parity_ref.py', import.meta.url).pathname;
  const env = { ...process.env };
  delete env.OPENBLAS_CORETYPE;
  delete env.OPENBLAS_L2_SIZE;
  const r = spawnSync(PYTHON, [script, dir, init], { encoding: 'utf8', env, maxBuffer: 1 << 24 });
  if (r.status !== 0) throw new Error(`parity_ref.py failed:\n${r.stderr}`);
  return JSON.parse(r.stdout.trim().split('\n').pop());
}

const fmt = (v) => (v === undefined ? '—' : v.toFixed(3));

async function main() {
  const backend = await initBackend({ device: 'cpu' });
  fs.mkdirSync(WORK, { recursive: true });
  const results = { backend: `${backend.backend} (${backend.engine})`, steps: STEPS, seeds: SEEDS, workloads: {} };
  for (const name of ONLY) {
    if (!WORKLOADS[name]) throw new Error(`unknown workload ${name}; choose from ${Object.keys(WORKLOADS).join(', ')}`);
    for (const seed of SEEDS) {
      const raw = { name, seed, ...WORKLOADS[name]() };
      const cfg = validateConfig(raw, name);
      const task = taskSpec(cfg.task);
      const data = task.prepare(cfg);
      const train = materialise(data.train);
      const valid = materialise(data.valid);
      const dir = path.join(WORK, `${name}-s${seed}`);
      fs.mkdirSync(dir, { recursive: true });
      // one batch order for both sides: seeded shuffled epochs, as seqnet's fit draws them
      const batches = [];
      for (let epoch = 1; batches.length < MAX; epoch++) batches.push(...batchIndices(train.n, cfg.train.batch_size, new Rng(seed * 1000 + epoch)));
      batches.length = MAX;
      fs.writeFileSync(path.join(dir, 'batches.json'), JSON.stringify(batches));
      const order = JSON.parse(fs.readFileSync(path.join(dir, 'batches.json'), 'utf8')); // what both sides read
      const inits = resolveInit(cfg.model.type === 'transformer' ? 'transformer' : cfg.model.type === 'textcnn' ? 'textcnn' : 'recurrent', cfg.task, cfg.model.embedding_init, cfg.model.init);
      const meta = {
        workload: name, task: cfg.task, model: cfg.model, train: cfg.train, seed, steps: STEPS, info: data.info, seqnet_init: inits,
        train_data: writeData(dir, 'train', train), valid_data: writeData(dir, 'valid', valid),
      };
      fs.writeFileSync(path.join(dir, 'meta.json'), JSON.stringify(meta, null, 2));
      const row = (results.workloads[name] ??= { metric: { language_model: 'valid bits/token', classification: 'valid accuracy', forecasting: 'valid MAE (scaled)' }[cfg.task], runs: {} }).runs;
      const add = (key, r) => ((row[key] ??= []).push({ seed, ...r }), console.log(`${name} s${seed} ${key}: ${STEPS.map((s) => `${s}:${fmt(r.curve[s])}`).join(' ')} (${r.seconds.toFixed(0)} s)`));
      add(`seqnet (${inits.embedding}/${inits.weights})`, await runSeqnet(cfg, data.info, train, valid, order));
      for (const v of VARIANTS.filter((v) => v.workload === name)) {
        const r2 = structuredClone(raw);
        for (const s of v.set) applySet(r2, s, '--seqnet-variants');
        const c2 = validateConfig(r2, name);
        add(`seqnet ${v.set.join(',')}`, await runSeqnet(c2, data.info, train, valid, order));
      }
      if (!opts['no-pytorch']) {
        add('pytorch (own init)', runPytorch(dir, 'torch'));
        add(`pytorch (seqnet init: ${inits.embedding}/${inits.weights})`, runPytorch(dir, 'seqnet'));
      }
    }
  }
  fs.writeFileSync(OUT, JSON.stringify(results, null, 2) + '\n');
  console.log(`wrote ${OUT}\n\n${markdown(results)}`);
}

/** The results as one markdown table: a row per workload and run, the metric at each step (mean over seeds). */
function markdown(results) {
  const steps = results.steps;
  const lines = [`| workload (metric) | run | ${steps.map((s) => `step ${s}`).join(' | ')} |`, `|---|---|${steps.map(() => '---').join('|')}|`];
  for (const [name, w] of Object.entries(results.workloads)) {
    for (const [run, rs] of Object.entries(w.runs)) {
      const mean = (s) => rs.reduce((a, r) => a + r.curve[s], 0) / rs.length;
      lines.push(`| ${name} (${w.metric}) | ${run} | ${steps.map((s) => fmt(mean(s))).join(' | ')} |`);
    }
  }
  return lines.join('\n');
}

if (opts.table !== undefined) console.log(markdown(JSON.parse(fs.readFileSync(opts.table, 'utf8'))));
else await main();
