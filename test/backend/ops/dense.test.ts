/** The dense op: the fused path (GELU in wasm included) against the plain ops, values and gradients. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tf } from '../../../src/backend/tf.js';
import { initBackend, runtime } from '../../../src/backend/index.js';
import { denseFused, times, timesPacked, transTimes, type DenseAct } from '../../../src/backend/ops/dense.js';
import * as wasm from '../../../src/backend/wasm/index.js';
import { Rng } from '../../../src/util/rng.js';
import { expectClose, onReferenceKernels, randn, relErr, spreadOverTwoThreads } from '../helpers.js';

beforeAll(async () => {
  await initBackend({ device: 'cpu', kernels: 'fast' });
});
afterAll(() => runtime().setMode('fast'));

const refGelu = (x: tf.Tensor) => x.mul(tf.erf(x.mul(Math.SQRT1_2)).add(1)).mul(0.5);


/** GELU in wasm (inside the fused dense op, through identity weights) against the plain formula */
function checkGelu(): void {
  const rng = new Rng(9);
  const x = randn(rng, [5, 13], 3); // 65 values: the two-vector and one-vector loops and a scalar tail
  const w = randn(rng, [5, 13]);
  const eye = tf.eye(13) as tf.Tensor2D, zero = tf.zeros([13]) as tf.Tensor1D;
  const fused = (a: tf.Tensor) => denseFused(a, eye, zero, 'gelu');
  expectClose(fused(x), onReferenceKernels(() => refGelu(x)), 1e-5, 'y');
  const fast = tf.grad((a: tf.Tensor) => fused(a).mul(w).sum())(x);
  const ref = onReferenceKernels(() => tf.grad((a: tf.Tensor) => refGelu(a).mul(w).sum())(x));
  expectClose(fast, ref, 1e-5, 'dx');
}

describe('GELU', () => {
  it('matches ½x(1 + erf(x/√2)) and its gradient, tails included', checkGelu);
});

describe('denseFused', () => {
  const plain: Record<DenseAct, (z: tf.Tensor) => tf.Tensor> = { linear: (z) => z, relu: (z) => tf.relu(z), gelu: refGelu };
  it.each(['linear', 'relu', 'gelu'] as DenseAct[])('%s: act(x·W + b) and dx, dW, db match the plain ops', (act) => {
    const rng = new Rng(act.length);
    const x = randn(rng, [2, 5, 7]), w = randn(rng, [7, 6]), b = randn(rng, [6]), up = randn(rng, [2, 5, 6]);
    const ref = (xx: tf.Tensor, ww: tf.Tensor, bb: tf.Tensor) => plain[act](tf.matMul(xx.reshape([10, 7]), ww).add(bb)).reshape([2, 5, 6]);
    const fast = (xx: tf.Tensor, ww: tf.Tensor, bb: tf.Tensor) => denseFused(xx, ww as tf.Tensor2D, bb as tf.Tensor1D, act);
    expectClose(fast(x, w, b), onReferenceKernels(() => ref(x, w, b)), 1e-5, 'y');
    const loss = (f: typeof ref) => (xx: tf.Tensor, ww: tf.Tensor, bb: tf.Tensor) => f(xx, ww, bb).mul(up).sum();
    const gf = tf.grads(loss(fast))([x, w, b]);
    const gr = onReferenceKernels(() => tf.grads(loss(ref))([x, w, b]));
    ['dx', 'dW', 'db'].forEach((what, i) => expectClose(gf[i], gr[i], 1e-4, what));
  });

  it('outside a gradient scope: the cached-weights path, served fresh after the weights change', () => {
    const rng = new Rng(21);
    const x = randn(rng, [33, 70]), b = randn(rng, [45]);
    const w = tf.variable(randn(rng, [70, 45]));
    const ref = () => onReferenceKernels(() => tf.relu(tf.matMul(x, w).add(b)));
    const y1 = denseFused(x, w as unknown as tf.Tensor2D, b as tf.Tensor1D, 'relu');
    expectClose(y1, ref(), 1e-5, 'y');
    expectClose(denseFused(x, w as unknown as tf.Tensor2D, b as tf.Tensor1D, 'relu'), y1, 1e-12, 'y again (cached)');
    w.assign(randn(rng, [70, 45])); // new values: a new array, so a new cache entry
    expectClose(denseFused(x, w as unknown as tf.Tensor2D, b as tf.Tensor1D, 'relu'), ref(), 1e-5, 'y after assign');
    // in place, as the fused Adam writes, then announced
    const values = w.dataSync() as Float32Array;
    values.fill(0.25);
    runtime().weightsChanged();
    expectClose(denseFused(x, w as unknown as tf.Tensor2D, b as tf.Tensor1D, 'relu'), ref(), 1e-5, 'y after an in-place update');
    const n = tf.memory().numTensors;
    const y = denseFused(x, w as unknown as tf.Tensor2D, b as tf.Tensor1D, 'gelu');
    expect(tf.memory().numTensors).toBe(n + 1); // the output alone
    tf.dispose([y, y1, w]);
  });

  it('leaks no tensors through a gradient step', () => {
    const x = tf.ones([3, 4]), w = tf.ones([4, 2]), b = tf.zeros([2]);
    const before = tf.memory().numTensors;
    tf.tidy(() => {
      tf.grads((a: tf.Tensor) => denseFused(a, w, b, 'gelu').sum())([x]);
    });
    expect(tf.memory().numTensors).toBe(before);
  });
});

describe('GELU with rows spread over two threads', () => {
  beforeAll(spreadOverTwoThreads);
  afterAll(() => runtime().configureThreads());
  it('has a ready worker', () => expect(runtime().activeThreads()).toBe(2));
  it('GELU: same values and gradient', checkGelu);
});

describe('denseRows and layerNormRows (a generator\'s rows, on plain arrays)', () => {
  it('match the tensor ops, fused and reference alike', async () => {
    const { denseRows } = await import('../../../src/backend/ops/dense.js');
    const { layerNormRows } = await import('../../../src/backend/ops/layer_norm.js');
    const rng = new Rng(31);
    const x = randn(rng, [3, 20]), w = randn(rng, [20, 9]) as tf.Tensor2D, b = randn(rng, [9]) as tf.Tensor1D;
    const g = randn(rng, [20]).add(1), beta = randn(rng, [20]);
    const xs = x.dataSync() as Float32Array;
    const refDense = onReferenceKernels(() => tf.relu(tf.matMul(x, w).add(b)).dataSync() as Float32Array);
    const refNorm = onReferenceKernels(() => {
      const mean = x.mean(-1, true), v = x.sub(mean).square().mean(-1, true);
      return x.sub(mean).div(v.add(1e-5).sqrt()).mul(g).add(beta).dataSync() as Float32Array;
    });
    for (const mode of ['fast', 'reference'] as const) {
      runtime().setMode(mode);
      expect(relErr(denseRows(xs, w, b, 'relu'), refDense), `dense ${mode}`).toBeLessThan(1e-5);
      expect(relErr(layerNormRows(xs, g, beta, 1e-5), refNorm), `norm ${mode}`).toBeLessThan(1e-5);
    }
    runtime().setMode('fast');
    tf.dispose([x, w, b, g, beta]);
  });
});

/** the block products (dense.ts): ranges of C's rows, or of a weight gradient's tokens, as jobs */
function checkProducts(): void {
  const rng = new Rng(21);
  // 37 rows / tokens: ranges of 8 and a partial one; 19 columns: not a whole panel
  const M = 37, K = 11, N = 19;
  const a = randn(rng, [M, K]), b = randn(rng, [K, N]), bt = randn(rng, [N, K]), c0 = randn(rng, [M, N]), g = randn(rng, [M, N]);
  const plain = onReferenceKernels(() => ({
    ab: tf.matMul(a, b).add(c0).dataSync(), abt: tf.matMul(a, bt, false, true).dataSync(),
    atg: tf.matMul(a, g, true, false).dataSync(),
  }));
  const m = wasm.mark();
  const [pa, pb, pbt, pg] = [a, b, bt, g].map((t) => wasm.put(t.dataSync() as Float32Array));
  const pc = wasm.put(c0.dataSync() as Float32Array), pd = wasm.alloc(M * N);
  times(M, N, K, pa, pb, false, pc, true); // C += A·B
  times(M, N, K, pa, pbt, true, pd); // A·Btᵀ
  const pp = wasm.alloc(M * N);
  timesPacked(M, N, K, pa, wasm.packB(K, N, pb, false), pp); // A·B, B packed once
  expectClose(tf.tensor(wasm.take(pc, M * N)), tf.tensor(plain.ab), 1e-5, 'C + A·B');
  expectClose(tf.tensor(wasm.take(pd, M * N)), tf.tensor(plain.abt), 1e-5, 'A·Bᵀ');
  expectClose(tf.tensor(wasm.take(pp, M * N), [M, N]).add(c0).reshape([-1]), tf.tensor(plain.ab), 1e-5, 'A·B packed');
  expectClose(tf.tensor(transTimes(K, N, M, pa, pg)), tf.tensor(plain.atg), 1e-5, 'Aᵀ·G');
  wasm.release(m);
}

describe('block products', () => {
  it('C (+)= A·op(B) and Aᵀ·G match the plain ops', checkProducts);
  describe('spread over two threads', () => {
    beforeAll(spreadOverTwoThreads);
    afterAll(() => runtime().configureThreads());
    it('has a ready worker', () => expect(runtime().activeThreads()).toBe(2));
    it('same values', checkProducts);
  });
});
