#!/usr/bin/env node
/**
 * seqnet's benchmark: W1–W5 (bench/workloads.mjs) trained and run through seqnet's own model
 * builders on the engine in use, and through plain TensorFlow.js layers (model.trainOnBatch, as
 * model.fit runs it) on the pure-JS cpu backend — what a user without native TensorFlow gets
 * without seqnet. Prints a table and writes bench/results.json (bench/results-partial.json with --only).
 *
 *   npm run bench                  all workloads, all references (the W4 reference takes many minutes a step)
 *   npm run bench -- --quick       fewer steps; pure-JS reference for W1 and W5 only (< 5 minutes)
 *   npm run bench -- --only W1,W5  a subset
 *   npm run bench -- --pytorch     also runs bench/pytorch_ref.py right before and right after each
 *                                  workload (with /usr/bin/python3, or --python PATH) and compares
 *                                  with the mean of the two: side by side, as the machine's speed drifts
 *   npm run bench -- --pytorch --rounds 3   three such rounds per workload; reports the medians
 * Otherwise PyTorch figures come from bench/pytorch.json when present (python3 bench/pytorch_ref.py writes it).
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import { initBackend, tf } from '../dist/backend/index.js';
import { adam } from '../dist/backend/adam.js';
import { runtime } from '../dist/backend/runtime.js';
import { ModelSchema } from '../dist/config/schema/index.js';
import { buildModel } from '../dist/models/registry.js';
import { makeStepper } from '../dist/models/stepper.js';
import { sparseCrossEntropy } from '../dist/tasks/losses.js';
import { trainStep } from '../dist/train/fit.js';
import { WORKLOADS, referenceTargets, rng as makeRng } from './workloads.mjs';

const argv = process.argv.slice(2);
const quick = argv.includes('--quick');
const onlyArg = argv.includes('--only') ? argv[argv.indexOf('--only') + 1].split(',') : null;
const steps = quick ? 5 : 8;
const refSteps = quick ? 1 : 2;
const refIds = quick ? ['W1', 'W5'] : WORKLOADS.map((w) => w.id);
const sideBySide = argv.includes('--pytorch');
const rounds = argv.includes('--rounds') ? Math.max(1, Number(argv[argv.indexOf('--rounds') + 1])) : 1;
const python = argv.includes('--python') ? argv[argv.indexOf('--python') + 1] : '/usr/bin/python3';

/** One PyTorch measurement of workload `id` ({ train, infer }), or null when it cannot run. */
function pytorchNow(id) {
  const script = new URL('./pytorch_ref.py', import.meta.url).pathname;
  const r = spawnSync(python, [script, '--only', id, '--stdout', ...(quick ? ['--quick'] : [])], { encoding: 'utf8' });
  if (r.status !== 0) {
    process.stderr.write(`\nbench: PyTorch reference did not run (${(r.stderr || r.error?.message || '').trim().split('\n').pop()})\n`);
    return null;
  }
  return JSON.parse(r.stdout)[id];
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
let peakRss = 0;
const sampleRss = () => (peakRss = Math.max(peakRss, process.memoryUsage().rss));

const lossFor = (task) => ({
  loss: task === 'forecasting' ? (out, ys) => tf.losses.meanSquaredError(ys, out) : (out, ys) => sparseCrossEntropy(out, ys),
});

function disposeBatch(b) {
  tf.dispose([...b.xs, b.ys]);
}

/** median seconds of `fn` over n runs after `warm` warm-up runs */
function timeIt(fn, n, warm) {
  for (let i = 0; i < warm; i++) fn();
  const ts = [];
  for (let i = 0; i < n; i++) {
    const t = process.hrtime.bigint();
    fn();
    ts.push(Number(process.hrtime.bigint() - t) / 1e9);
    sampleRss();
  }
  return median(ts);
}

function seqnetRun(w, kernels) {
  const model = buildModel(ModelSchema.parse(w.model), { task: w.task, info: w.info, seed: 1 });
  const opt = adam(1e-3); // tf.train.adam with seqnet's fused update (src/train/optim.ts)
  const rng = makeRng(7);
  const task = lossFor(w.task);
  const train = timeIt(() => {
    const b = w.makeBatch(rng);
    trainStep(model, task, b, opt, 5);
    disposeBatch(b);
  }, kernels === 'reference' ? refSteps : steps, kernels === 'reference' ? 1 : 3);
  const b = w.makeBatch(rng);
  // the tidy returns nothing: it would walk a returned typed array element by element
  const infer = timeIt(() => tf.tidy(() => { model.predict(b.xs[0]).dataSync(); }), steps, 1);
  disposeBatch(b);
  let gen = null;
  if (w.task === 'language_model' && kernels === 'fast') {
    const stepper = makeStepper(model, w.info.seqLen);
    const n = 100;
    let x = tf.tensor2d([[5]], [1, 1], 'int32');
    const t = process.hrtime.bigint();
    for (let i = 0; i < n; i++) {
      const logits = stepper.feed(x);
      x.dispose();
      const id = logits.argMax(-1).dataSync()[0];
      logits.dispose();
      x = tf.tensor2d([[id]], [1, 1], 'int32');
    }
    gen = n / (Number(process.hrtime.bigint() - t) / 1e9);
    x.dispose();
    stepper.dispose();
  }
  const params = model.countParams();
  model.dispose();
  opt.dispose();
  const per = w.batch * w.perExample;
  return { train: per / train, infer: per / infer, gen, params, stepSeconds: train };
}

/** async variant of timeIt for model.trainOnBatch, which returns a promise */
async function timeAsync(fn, n, warm) {
  for (let i = 0; i < warm; i++) await fn();
  const ts = [];
  for (let i = 0; i < n; i++) {
    const t = process.hrtime.bigint();
    await fn();
    ts.push(Number(process.hrtime.bigint() - t) / 1e9);
    sampleRss();
  }
  return median(ts);
}

async function layersRun(w) {
  const model = w.reference();
  const rng = makeRng(7);
  const train = await timeAsync(async () => {
    const b = w.makeBatch(rng);
    const y = referenceTargets(w, b.ys);
    await model.trainOnBatch(b.xs[0], y);
    y.dispose();
    disposeBatch(b);
  }, refSteps, 1);
  const b = w.makeBatch(rng);
  const infer = timeIt(() => tf.tidy(() => { model.predict(b.xs[0]).dataSync(); }), refSteps, 1);
  disposeBatch(b);
  model.dispose();
  const per = w.batch * w.perExample;
  return { train: per / train, infer: per / infer, stepSeconds: train };
}

const pytorch = fs.existsSync(new URL('./pytorch.json', import.meta.url))
  ? JSON.parse(fs.readFileSync(new URL('./pytorch.json', import.meta.url), 'utf8'))
  : null;

const info = await initBackend({ device: 'auto', kernels: 'fast' });
// the worker threads start with the first large product: let them come up before anything is timed
if (!info.engine.startsWith('native')) {
  for (let i = 0; i < 100 && runtime().activeThreads() < Math.min(os.availableParallelism(), 4); i++) {
    tf.tidy(() => tf.matMul(tf.ones([512, 512]), tf.ones([512, 512])).dataSync());
    await new Promise((r) => setTimeout(r, 20));
  }
}
process.stderr.write(`bench: engine ${info.engine} (${info.backend}), ${os.cpus().length} cores, ${quick ? 'quick' : 'full'} run\n`);
const results = [];
for (const w of WORKLOADS) {
  if (onlyArg && !onlyArg.includes(w.id)) continue;
  process.stderr.write(`${w.id} ${w.what}: ${sideBySide ? 'PyTorch… ' : ''}seqnet…`);
  // each round: PyTorch, seqnet, PyTorch; the round's share compares seqnet with the mean of its two
  const runs = [];
  for (let k = 0; k < (sideBySide ? rounds : 1); k++) {
    const before = sideBySide ? pytorchNow(w.id) : null;
    await initBackend({ device: 'auto', kernels: 'fast' });
    const s = seqnetRun(w, 'fast');
    const after = sideBySide && before ? pytorchNow(w.id) : null;
    runs.push({ s, before, after, share: before && after ? s.train / ((before.train + after.train) / 2) : null });
  }
  const mid = runs.length > 1 ? [...runs].sort((a, b) => (a.share ?? 0) - (b.share ?? 0))[Math.floor(runs.length / 2)] : runs[0];
  const { s, before, after } = mid; // the round with the median share
  const r = { id: w.id, what: w.what, unit: w.unit, params: s.params, seqnet: { train: s.train, infer: s.infer, generate_tokens_per_s: s.gen } };
  if (runs.length > 1) r.rounds = runs.map((x) => ({ seqnet_train: x.s.train, pytorch_before: x.before?.train, pytorch_after: x.after?.train, share: x.share }));
  if (refIds.includes(w.id)) {
    await initBackend({ device: 'cpu', kernels: 'reference' });
    process.stderr.write(' pure-JS reference…');
    const ref = w.reference ? await layersRun(w) : seqnetRun(w, 'reference');
    r.reference = { ...ref, kind: w.reference ? 'tfjs-layers model.fit, cpu backend' : 'seqnet model, tfjs reference kernels, cpu backend' };
    r.speedup = { train: s.train / ref.train, infer: s.infer / ref.infer };
  }
  const pt = before && after
    ? { train: (before.train + after.train) / 2, infer: (before.infer + after.infer) / 2, before, after, measured: 'side by side' }
    : pytorch?.[w.id] ? { ...pytorch[w.id], measured: 'bench/pytorch.json' } : null;
  if (pt) {
    r.pytorch = pt;
    r.fraction_of_pytorch = { train: s.train / pt.train, infer: s.infer / pt.infer };
  }
  results.push(r);
  process.stderr.write(' done\n');
}

const fmt = (v) => (v == null ? '—' : v >= 100 ? Math.round(v).toLocaleString('en-US') : v.toFixed(1));
const lines = [
  `| workload | unit | seqnet train | seqnet inference | pure-JS tfjs train | speed-up train | speed-up inference | PyTorch train | % of PyTorch |`,
  `|---|---|---|---|---|---|---|---|---|`,
  ...results.map((r) =>
    `| ${r.id} ${r.what} | ${r.unit} | ${fmt(r.seqnet.train)} | ${fmt(r.seqnet.infer)} | ${fmt(r.reference?.train)} | ` +
    `${r.speedup ? fmt(r.speedup.train) + '×' : '—'} | ${r.speedup ? fmt(r.speedup.infer) + '×' : '—'} | ${fmt(r.pytorch?.train)} | ` +
    `${r.fraction_of_pytorch ? Math.round(r.fraction_of_pytorch.train * 100) + '%' : '—'} |`,
  ),
];
const ranges = results.filter((r) => r.pytorch?.before).map((r) =>
  `${r.id} PyTorch before / after: ${fmt(r.pytorch.before.train)} / ${fmt(r.pytorch.after.train)} ${r.unit}` +
  (r.rounds ? `; share of PyTorch by round: ${r.rounds.map((x) => Math.round(x.share * 100) + '%').join(', ')} (median shown)` : ''));
const gen = results.filter((r) => r.seqnet.generate_tokens_per_s).map((r) => `${r.id} generation (batch 1, token by token): ${fmt(r.seqnet.generate_tokens_per_s)} tokens/s`);
process.stdout.write(lines.join('\n') + '\n\n' + [...ranges, ...gen].join('\n') + `\npeak RSS ${(peakRss / 2 ** 20).toFixed(0)} MiB\n`);
const out = {
  date: new Date().toISOString(),
  machine: { cpus: os.cpus().length, model: os.cpus()[0]?.model, memory_gib: Math.round(os.totalmem() / 2 ** 30), node: process.version },
  engine: info.engine,
  backend: info.backend,
  mode: quick ? 'quick' : 'full',
  rounds,
  steps,
  peak_rss_mib: Math.round(peakRss / 2 ** 20),
  results,
};
// a subset run (--only) must not replace the full table in results.json
const outFile = onlyArg ? './results-partial.json' : './results.json';
fs.writeFileSync(new URL(outFile, import.meta.url), JSON.stringify(out, null, 2) + '\n');
