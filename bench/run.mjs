#!/usr/bin/env node
/**
 * seqnet's benchmark: W1–W5 (bench/workloads.mjs) trained and run through seqnet's own model
 * builders on the engine in use, and through plain TensorFlow.js layers (model.trainOnBatch, as
 * model.fit runs it) on the pure-JS cpu backend — what a user without native TensorFlow gets
 * without seqnet. Prints a table and writes bench/results.json (bench/results-partial.json with --only).
 *
 *   npm run bench                  all workloads, all references (the W4 reference takes many minutes a step)
 *   npm run bench -- --quick       each measure timed 3 s instead of 6; pure-JS reference for W1 and W5 only
 *   npm run bench -- --only W1,W5  a subset
 *   npm run bench -- --pytorch     also runs bench/pytorch_ref.py right before and right after each
 *                                  workload (with /usr/bin/python3, or --python PATH) and compares
 *                                  with the mean of the two: side by side, as the machine's speed drifts
 *   npm run bench -- --pytorch --rounds 3   three such rounds per workload; reports the median shares
 * Training, inference (eval, no tape, the whole batch in one call) and generation (greedy, batch 1, token by token, from a
 * one-token prime until the window is full) are each warmed up for at least 2 s and 10 calls, then
 * timed for at least 3 s, in seqnet and in PyTorch alike.
 * Otherwise PyTorch figures come from bench/pytorch.json when present (python3 bench/pytorch_ref.py writes it).
 */
import '../dist/cli/gc_flags.js'; // first, as bin/seqnet.js does: the V8 flags seqnet's processes run with
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
const refSteps = quick ? 1 : 2;
const refIds = quick ? ['W1', 'W5'] : WORKLOADS.map((w) => w.id);
const sideBySide = argv.includes('--pytorch');
const rounds = argv.includes('--rounds') ? Math.max(1, Number(argv[argv.indexOf('--rounds') + 1])) : 1;
const python = argv.includes('--python') ? argv[argv.indexOf('--python') + 1] : '/usr/bin/python3';

/**
 * One PyTorch measurement of workload `id` ({ train, infer, generate? }), or null when it cannot
 * run. PyTorch runs as a user has it: this machine's OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE pin an
 * AVX2 kernel on an AVX-512 CPU, so they are unset in this command only.
 */
let pytorchInfo = null;
function pytorchNow(id) {
  const script = new URL('./pytorch_ref.py', import.meta.url).pathname;
  const env = { ...process.env };
  delete env.OPENBLAS_CORETYPE;
  delete env.OPENBLAS_L2_SIZE;
  const r = spawnSync(python, [script, '--only', id, '--stdout', ...(quick ? ['--quick'] : [])], { encoding: 'utf8', env });
  if (r.status !== 0) {
    process.stderr.write(`\nbench: PyTorch reference did not run (${(r.stderr || r.error?.message || '').trim().split('\n').pop()})\n`);
    return null;
  }
  const out = JSON.parse(r.stdout);
  if (!pytorchInfo) {
    pytorchInfo = out._info;
    const b = pytorchInfo.blas;
    process.stderr.write(`\nbench: PyTorch ${pytorchInfo.torch}, ${pytorchInfo.threads} threads, BLAS ${b.libraries.join(', ')}` +
      (b.openblas ? ` (${b.openblas}; core ${b.core}, ${b.threading}, ${b.openblas_threads} threads)` : '') + '\n');
  }
  return out[id];
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

/** median seconds of `fn` over n runs after `warm` warm-up runs (the slow pure-JS references) */
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

const WARM_S = 2, WARM_N = 10, TIME_S = quick ? 3 : 6;
const seconds = (t) => Number(process.hrtime.bigint() - t) / 1e9;
/** units per second of fn, as pytorch_ref.py measures: warmed up ≥ 2 s and ≥ 10 calls, then timed ≥ 3 s (6 s full) */
function throughput(fn, units) {
  let t = process.hrtime.bigint();
  for (let n = 0; n < WARM_N || seconds(t) < WARM_S; n++) fn();
  t = process.hrtime.bigint();
  let n = 0;
  for (; n < 3 || seconds(t) < TIME_S; n++) {
    fn();
    sampleRss();
  }
  return (units * n) / seconds(t);
}

/** greedy generation at batch 1 from a one-token prime: `n` tokens, each fed back (the bench's and pytorch_ref.py's protocol) */
function generateGreedy(model, seqLen, n) {
  const stepper = makeStepper(model, seqLen);
  let x = tf.tensor2d([[5]], [1, 1], 'int32');
  for (let i = 0; i < n; i++) {
    const logits = stepper.feed(x);
    x.dispose();
    const id = tf.tidy(() => logits.argMax(-1).dataSync()[0]);
    logits.dispose();
    x = tf.tensor2d([[id]], [1, 1], 'int32');
  }
  x.dispose();
  stepper.dispose();
}

function seqnetRun(w, kernels) {
  const model = buildModel(ModelSchema.parse(w.model), { task: w.task, info: w.info, seed: 1 });
  const opt = adam(1e-3); // tf.train.adam with seqnet's fused update (src/train/optim.ts)
  const rng = makeRng(7);
  const task = lossFor(w.task);
  const per = w.batch * w.perExample;
  const trainOnce = () => {
    const b = w.makeBatch(rng);
    trainStep(model, task, b, opt, 5);
    disposeBatch(b);
  };
  const b = w.makeBatch(rng);
  // the whole batch in one call, as pytorch_ref.py runs it and as seqnet eval does (predict's
  // default would cut W4's 64 and W5's 128 into calls of 32); the tidy returns nothing: it would
  // walk a returned typed array element by element
  const inferOnce = () => tf.tidy(() => { model.predict(b.xs[0], { batchSize: w.batch }).dataSync(); });
  const r = { params: model.countParams() };
  if (kernels === 'reference') {
    r.train = per / timeIt(trainOnce, refSteps, 1);
    r.infer = per / timeIt(inferOnce, refSteps, 1);
  } else {
    r.train = throughput(trainOnce, per);
    r.infer = throughput(inferOnce, per);
    if (w.task === 'language_model') {
      const S = w.info.seqLen;
      // within the window (the prime and S - 1 new tokens), then twice the window (the context slides)
      r.gen = throughput(() => generateGreedy(model, S, S - 1), S - 1);
      r.genSliding = throughput(() => generateGreedy(model, S, 2 * S), 2 * S);
    }
  }
  disposeBatch(b);
  model.dispose();
  opt.dispose();
  return r;
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
  const infer = timeIt(() => tf.tidy(() => { model.predict(b.xs[0], { batchSize: w.batch }).dataSync(); }), refSteps, 1);
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
const METRICS = [['train', 'train'], ['infer', 'infer'], ['gen', 'generate']]; // seqnet key, PyTorch key
const results = [];
for (const w of WORKLOADS) {
  if (onlyArg && !onlyArg.includes(w.id)) continue;
  process.stderr.write(`${w.id} ${w.what}: ${sideBySide ? 'PyTorch… ' : ''}seqnet…`);
  // each round: PyTorch, seqnet, PyTorch; the round's shares compare seqnet with the mean of its two
  const runs = [];
  for (let k = 0; k < (sideBySide ? rounds : 1); k++) {
    const before = sideBySide ? pytorchNow(w.id) : null;
    await initBackend({ device: 'auto', kernels: 'fast' });
    const s = seqnetRun(w, 'fast');
    const after = sideBySide && before ? pytorchNow(w.id) : null;
    const pt = {};
    const share = {};
    for (const [sk, pk] of METRICS) {
      if (before?.[pk] == null || after?.[pk] == null || s[sk] == null) continue;
      pt[pk] = (before[pk] + after[pk]) / 2;
      share[pk] = s[sk] / pt[pk];
    }
    runs.push({ s, before, after, pt, share, load: os.loadavg()[0] });
  }
  const last = runs[runs.length - 1].s;
  const r = { id: w.id, what: w.what, unit: w.unit, params: last.params, seqnet: {}, pytorch: null, fraction_of_pytorch: null };
  // per measure, the round with the median share (rounds differ by machine drift, not by code)
  for (const [sk, pk] of METRICS) {
    const withShare = runs.filter((x) => x.share[pk] != null).sort((a, b) => a.share[pk] - b.share[pk]);
    const mid = withShare.length ? withShare[Math.floor(withShare.length / 2)] : runs[Math.floor(runs.length / 2)];
    if (mid.s[sk] != null) r.seqnet[pk] = mid.s[sk];
    if (mid.share[pk] != null) {
      (r.pytorch ??= { measured: 'side by side' })[pk] = mid.pt[pk];
      (r.fraction_of_pytorch ??= {})[pk] = mid.share[pk];
    }
  }
  if (last.genSliding != null) {
    r.window = w.info.seqLen;
    r.seqnet.generate_sliding = median(runs.map((x) => x.s.genSliding));
  }
  if (sideBySide) {
    r.rounds = runs.map((x) => ({ seqnet: x.s, pytorch_before: x.before, pytorch_after: x.after, share: x.share, load_average: x.load }));
  } else if (pytorch?.[w.id]) {
    r.pytorch = { ...pytorch[w.id], measured: 'bench/pytorch.json' };
    r.fraction_of_pytorch = Object.fromEntries(METRICS.filter(([sk, pk]) => r.pytorch[pk] && last[sk]).map(([sk, pk]) => [pk, last[sk] / r.pytorch[pk]]));
  }
  if (refIds.includes(w.id)) {
    await initBackend({ device: 'cpu', kernels: 'reference' });
    process.stderr.write(' pure-JS reference…');
    const ref = w.reference ? await layersRun(w) : seqnetRun(w, 'reference');
    r.reference = { ...ref, kind: w.reference ? 'tfjs-layers model.fit, cpu backend' : 'seqnet model, tfjs reference kernels, cpu backend' };
    r.speedup = { train: r.seqnet.train / ref.train, infer: r.seqnet.infer / ref.infer };
  }
  results.push(r);
  // the figures as they come, so a long run that is stopped still tells something
  process.stderr.write(` done ${JSON.stringify({ seqnet: r.seqnet, pytorch: r.pytorch, share: r.fraction_of_pytorch })}\n`);
}

const fmt = (v) => (v == null ? '—' : v >= 100 ? Math.round(v).toLocaleString('en-US') : v.toFixed(1));
const pct = (v) => (v == null ? '' : ` = ${Math.round(v * 100)}%`);
/** "seqnet / PyTorch = share" */
const cell = (r, k) => (r.seqnet[k] == null ? '—' : r.pytorch?.[k] == null ? fmt(r.seqnet[k]) : `${fmt(r.seqnet[k])} / ${fmt(r.pytorch[k])}${pct(r.fraction_of_pytorch?.[k])}`);
const lines = [
  `| workload | unit | train: seqnet / PyTorch | inference: seqnet / PyTorch | generation, batch 1 (tokens/s): seqnet / PyTorch | pure-JS tfjs train (seqnet speed-up) |`,
  `|---|---|---|---|---|---|`,
  ...results.map((r) =>
    `| ${r.id} ${r.what} | ${r.unit} | ${cell(r, 'train')} | ${cell(r, 'infer')} | ${cell(r, 'generate')} | ` +
    `${r.reference ? `${fmt(r.reference.train)} (${fmt(r.speedup.train)}×)` : '—'} |`,
  ),
];
const byRound = results.filter((r) => r.rounds).map((r) =>
  `${r.id} shares of PyTorch by round: ` +
  METRICS.map(([, pk]) => pk).filter((pk) => r.rounds.some((x) => x.share[pk] != null))
    .map((pk) => `${pk} ${r.rounds.map((x) => (x.share[pk] == null ? '—' : Math.round(x.share[pk] * 100) + '%')).join(', ')}`).join('; ') +
  ` (median shown; 1-minute load average ${r.rounds.map((x) => x.load_average.toFixed(1)).join(', ')} on ${os.cpus().length} cores)`);
const sliding = results.filter((r) => r.seqnet.generate_sliding).map((r) =>
  `${r.id} seqnet generation of ${2 * r.window} tokens (the context slides past the window of ${r.window}): ${fmt(r.seqnet.generate_sliding)} tokens/s`);
process.stdout.write(`seqnet: ${info.engine} (${info.backend}); PyTorch: ${pytorchInfo ? `${pytorchInfo.torch}, ${pytorchInfo.threads} threads, ${pytorchInfo.blas.openblas ?? pytorchInfo.blas.libraries.join(', ')}` : 'bench/pytorch.json'}\n\n` +
  lines.join('\n') + '\n\n' + [...byRound, ...sliding].join('\n') + `\npeak RSS ${(peakRss / 2 ** 20).toFixed(0)} MiB\n`);
const out = {
  date: new Date().toISOString(),
  machine: { cpus: os.cpus().length, model: os.cpus()[0]?.model, memory_gib: Math.round(os.totalmem() / 2 ** 30), node: process.version },
  engine: info.engine,
  backend: info.backend,
  pytorch: pytorchInfo,
  mode: quick ? 'quick' : 'full',
  rounds,
  timing: `each measure warmed up >= ${WARM_S} s and ${WARM_N} calls, then timed >= ${TIME_S} s; generation: greedy, batch 1, from a one-token prime, window - 1 new tokens per call (the context fills the window)`,
  peak_rss_mib: Math.round(peakRss / 2 ** 20),
  results,
};
// a subset run (--only) must not replace the full table in results.json
const outFile = onlyArg ? './results-partial.json' : './results.json';
fs.writeFileSync(new URL(outFile, import.meta.url), JSON.stringify(out, null, 2) + '\n');
