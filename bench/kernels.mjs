#!/usr/bin/env node
/**
 * Micro-benchmark of seqnet's fast kernels on the pure-JS cpu backend.
 *   npm run build && node bench/kernels.mjs [--quick] [--skip-slow]
 * 1. matrix product GFLOP/s: raw wasm sgemm, tf.matMul with the fast kernel, tf.matMul with the
 *    original cpu kernel (256/512/1024, plain and transposed);
 * 2. an LSTM training step (B=32, T=64, D=64, U=256, two layers, softmax head over 64 classes):
 *    tokens/s for the fused ops vs the per-timestep reference, with and without the fast matmul;
 * 3. a TextCNN conv1d forward + both gradients (im2col + sgemm vs the original loops).
 * Threads: SEQNET_THREADS=1 for single-threaded numbers (default: all cores, max 4).
 * Imports the compiled library from dist/ so it needs no TypeScript runner.
 */
import { tf, initBackend } from '../dist/backend/index.js';
import { orthogonal } from '../dist/backend/kernels/init.js';
import { lstmSequence } from '../dist/backend/ops/recurrent.js';
import { lstmReference } from '../dist/backend/ops/recurrent/reference.js';
import { runtime } from '../dist/backend/runtime.js';
import * as wasm from '../dist/backend/wasm/index.js';

const installFastKernels = () => runtime().setMode('fast');
const uninstallFastKernels = () => runtime().setMode('reference');
const activeThreads = () => runtime().activeThreads();
import { Rng } from '../dist/util/rng.js';

const args = new Set(process.argv.slice(2));
const quick = args.has('--quick');
const skipSlow = args.has('--skip-slow');

await initBackend({ device: 'cpu', kernels: 'fast' });

/** Median ms of fn over reps runs after one warm-up (no warm-up when reps is 1). */
function time(fn, reps) {
  if (reps > 1) fn();
  const ts = [];
  for (let i = 0; i < reps; i++) {
    const t0 = performance.now();
    fn();
    ts.push(performance.now() - t0);
  }
  ts.sort((a, b) => a - b);
  return ts[Math.floor(ts.length / 2)];
}

const gflops = (flop, ms) => (flop / ms / 1e6).toFixed(2);

function matmulBench() {
  console.log(`\n== matrix product, GFLOP/s (wasm/tf.matMul(fast) on up to ${process.env.SEQNET_THREADS ?? 'all'} threads) ==`);
  console.log('n     op      wasm-sgemm  tf.matMul(fast)  tf.matMul(original cpu)');
  const sizes = quick ? [256, 512] : [256, 512, 1024];
  for (const n of sizes) {
    for (const [tA, tB, name] of [[false, false, 'A·B'], [true, false, 'Aᵀ·B'], [false, true, 'A·Bᵀ']]) {
      const flop = 2 * n * n * n;
      const m = wasm.mark();
      const pa = wasm.alloc(n * n), pb = wasm.alloc(n * n), pc = wasm.alloc(n * n);
      const h = wasm.heap();
      for (let i = 0; i < n * n; i++) { h[(pa >> 2) + i] = Math.random(); h[(pb >> 2) + i] = Math.random(); }
      const raw = time(() => wasm.gemm(n, n, n, pa, tA, pb, tB, pc), n >= 1024 ? 5 : 15);
      wasm.release(m);

      const a = tf.randomNormal([n, n], 0, 1, 'float32', 1);
      const b = tf.randomNormal([n, n], 0, 1, 'float32', 2);
      const run = () => tf.matMul(a, b, tA, tB).dispose();
      installFastKernels();
      const fast = time(run, n >= 1024 ? 5 : 15);
      let orig = NaN;
      if (!skipSlow || n <= 256) {
        uninstallFastKernels();
        orig = time(run, n >= 512 ? 1 : 3);
        installFastKernels();
      }
      tf.dispose([a, b]);
      console.log(`${String(n).padEnd(5)} ${name.padEnd(7)} ${gflops(flop, raw).padStart(10)}  ${gflops(flop, fast).padStart(15)}  ${gflops(flop, orig).padStart(23)}`);
    }
  }
}

/** Two-layer LSTM language-model-like step: returns ms per variableGrads + SGD update. */
function lstmStep(lstm, reps) {
  const B = 32, T = quick ? 16 : 64, D = 64, U = 256, V = 64;
  const rng = new Rng(1);
  const glorot = (r, c) => tf.variable(tf.randomUniform([r, c], -Math.sqrt(6 / (r + c)), Math.sqrt(6 / (r + c)), 'float32', rng.fork()));
  const layer = (d) => ({
    k: glorot(d, 4 * U),
    rk: tf.variable(tf.tensor2d(orthogonal([U, 4 * U], 1, () => rng.next()), [U, 4 * U])),
    b: tf.variable(tf.zeros([4 * U])),
  });
  const l1 = layer(D), l2 = layer(U);
  const wOut = glorot(U, V), bOut = tf.variable(tf.zeros([V]));
  const x = tf.randomNormal([B, T, D], 0, 1, 'float32', 3);
  const labels = tf.oneHot(tf.randomUniform([B * T], 0, V, 'int32', 4), V);
  const opt = tf.train.sgd(0.01);
  const step = () => {
    tf.tidy(() => {
      const { grads } = tf.variableGrads(() => {
        const h1 = lstm(x, l1.k, l1.rk, l1.b, {}).outputs;
        const h2 = lstm(h1, l2.k, l2.rk, l2.b, {}).outputs;
        const logits = tf.fused.matMul({ a: tf.reshape(h2, [B * T, U]), b: wOut, bias: bOut });
        return tf.losses.softmaxCrossEntropy(labels, logits);
      });
      opt.applyGradients(grads);
    });
  };
  const ms = time(step, reps);
  tf.dispose([x, labels, wOut, bOut, l1.k, l1.rk, l1.b, l2.k, l2.rk, l2.b]);
  opt.dispose();
  return { ms, tokens: B * T, T };
}

function lstmBench() {
  console.log('\n== LSTM training step: B=32, D=64, U=256, two layers, softmax head ==');
  const report = (name, r) =>
    console.log(`T=${r.T}  ${name.padEnd(40)} ${r.ms.toFixed(0).padStart(7)} ms/step ${(r.tokens / r.ms * 1000).toFixed(0).padStart(7)} tokens/s`);
  installFastKernels();
  const fused = lstmStep(lstmSequence, quick ? 3 : 5);
  report('fused ops + wasm sgemm (--kernels fast)', fused);
  console.log(`   (sgemm autotuner now uses: ${runtime().tuner.choice()} threads)`);
  const refFast = lstmStep(lstmReference, quick ? 1 : 2);
  report('per-step reference ops + wasm sgemm', refFast);
  if (!skipSlow) {
    uninstallFastKernels();
    const ref = lstmStep(lstmSequence, 1);
    installFastKernels();
    report('per-step reference + original cpu kernels', ref);
    console.log(`fused vs original: ${(ref.ms / fused.ms).toFixed(1)}x`);
  }
}

function convBench() {
  console.log('\n== TextCNN conv1d: x [32, 200, 128], filter [5, 128, 100], forward + dx + dW ==');
  const x = tf.randomNormal([32, 200, 128], 0, 1, 'float32', 5);
  const w = tf.randomNormal([5, 128, 100], 0, 0.1, 'float32', 6);
  const flop = 3 * 2 * 32 * 196 * 5 * 128 * 100;
  const step = () => tf.tidy(() => tf.grads((a, b) => tf.sum(tf.conv1d(a, b, 1, 'valid')))([x, w])).forEach((t) => t.dispose());
  installFastKernels();
  const fast = time(step, quick ? 2 : 5);
  let orig = NaN;
  if (!skipSlow) {
    uninstallFastKernels();
    orig = time(step, 1);
    installFastKernels();
  }
  console.log(`im2col + sgemm: ${fast.toFixed(0)} ms (${gflops(flop, fast)} GFLOP/s)   original cpu: ${orig.toFixed(0)} ms (${gflops(flop, orig)} GFLOP/s)`);
  tf.dispose([x, w]);
}

/** Lets the sgemm workers start (they spin up asynchronously) before timing anything. */
async function warmThreads() {
  installFastKernels();
  tf.matMul(tf.ones([256, 256]), tf.ones([256, 256])).dispose();
  for (let i = 0; i < 100 && activeThreads() < Math.min(4, Number(process.env.SEQNET_THREADS ?? 2)); i++) {
    await new Promise((r) => setTimeout(r, 20));
  }
  console.log(`sgemm threads ready: ${activeThreads()}; build: ${runtime().variant === 'relaxed' ? 'relaxed SIMD (FMA)' : 'SIMD'}`);
}

await warmThreads();
matmulBench();
lstmBench();
convBench();
