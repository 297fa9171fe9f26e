import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tf } from '../../src/backend/tf.js';
import { initBackend } from '../../src/backend/index.js';
import {
  attentionFused, denseFused, installFastKernels, layerNormFused, type DenseAct,
} from '../../src/backend/kernels/index.js';
import { activeThreads, configureThreads } from '../../src/backend/kernels/wasm.js';
import { Rng } from '../../src/util/rng.js';
import { expectClose, onReferenceKernels, randn } from './helpers.js';

beforeAll(async () => {
  await initBackend({ device: 'cpu', kernels: 'fast' });
});
afterAll(() => installFastKernels());

const refNorm = (x: tf.Tensor, g: tf.Tensor, b: tf.Tensor, eps: number) => {
  const c = x.sub(x.mean(-1, true));
  return c.mul(tf.rsqrt(c.square().mean(-1, true).add(eps))).mul(g).add(b);
};
const refGelu = (x: tf.Tensor) => x.mul(tf.erf(x.mul(Math.SQRT1_2)).add(1)).mul(0.5);

const NORM_SHAPES = [[[3, 5, 8]], [[4, 7]], [[2, 1, 3, 16]], [[40, 24]]];
function checkNorm(shape: number[]): void {
  const rng = new Rng(shape.length * 7 + shape[shape.length - 1]);
  const D = shape[shape.length - 1];
  const x = randn(rng, shape, 2).add(0.5);
  const g = randn(rng, [D]).add(1), b = randn(rng, [D]);
  const w = randn(rng, shape);
  const loss = (f: typeof refNorm) => (xx: tf.Tensor, gg: tf.Tensor, bb: tf.Tensor) => f(xx, gg, bb, 1e-5).mul(w).sum();
  const fast = tf.grads(loss(layerNormFused))([x, g, b]);
  const ref = onReferenceKernels(() => tf.grads(loss(refNorm))([x, g, b]));
  expectClose(layerNormFused(x, g, b, 1e-5), onReferenceKernels(() => refNorm(x, g, b, 1e-5)), 1e-5, 'y');
  ['dx', 'dgamma', 'dbeta'].forEach((what, i) => expectClose(fast[i], ref[i], 1e-4, what));
}

describe('layerNormFused', () => {
  it.each(NORM_SHAPES)('matches the plain formula for %j: values and gradients', (shape) => checkNorm(shape));

  it('leaks no tensors through a gradient step', () => {
    const x = tf.ones([2, 4]), g = tf.ones([4]), b = tf.zeros([4]);
    const before = tf.memory().numTensors;
    tf.tidy(() => {
      tf.grads((a: tf.Tensor) => layerNormFused(a, g, b, 1e-3).sum())([x]);
    });
    expect(tf.memory().numTensors).toBe(before);
  });
});

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

  it('leaks no tensors through a gradient step', () => {
    const x = tf.ones([3, 4]), w = tf.ones([4, 2]), b = tf.zeros([2]);
    const before = tf.memory().numTensors;
    tf.tidy(() => {
      tf.grads((a: tf.Tensor) => denseFused(a, w, b, 'gelu').sum())([x]);
    });
    expect(tf.memory().numTensors).toBe(before);
  });
});

// T = 37: causal attention runs in blocks of 16 query rows (the last one partial)
describe.each([5, 37])('attentionFused, T = %i', (T) => {
  const B = 2, D = 8, H = 2;
  /** per-head attention from plain ops: [B,T,D] → [B,H,T,dh] and back */
  function refAttention(q: tf.Tensor, k: tf.Tensor, v: tf.Tensor, bias: tf.Tensor | null, mask: tf.Tensor | null): tf.Tensor {
    const heads = (t: tf.Tensor) => t.reshape([B, T, H, D / H]).transpose([0, 2, 1, 3]);
    let s = tf.matMul(heads(q), heads(k), false, true).div(Math.sqrt(D / H)); // [B, H, Tq, Tk]
    if (bias) s = s.add(bias.transpose([0, 2, 1, 3]));
    let p = tf.softmax(s);
    if (mask) p = p.mul(mask.transpose([0, 2, 1, 3]));
    return tf.matMul(p, heads(v)).transpose([0, 2, 1, 3]).reshape([B, T, D]);
  }
  const causal = () => tf.sub(1, tf.linalg.bandPart(tf.ones([T, T]), -1, 0)).mul(-1e9).reshape([1, T, 1, T]);
  // row 0 ends in two padding keys
  const keys = () => tf.tensor2d(Array.from({ length: B * T }, (_, i) => (i < T && i >= T - 2 ? 0 : 1)), [B, T]).sub(1).mul(1e9).reshape([B, 1, 1, T]);
  const cases: [string, () => tf.Tensor | null, boolean, boolean][] = [
    ['no bias', () => null, false, false], ['causal', causal, false, true], ['key mask', keys, false, false],
    ['causal + key mask + dropout', () => causal().add(keys()), true, true],
  ];
  const check = (makeBias: () => tf.Tensor | null, drop: boolean, isCausal: boolean) => {
    const rng = new Rng(11);
    const [q, k, v, w] = [0, 1, 2, 3].map(() => randn(rng, [B, T, D]));
    const bias = makeBias();
    const mask = drop ? tf.tensor4d(Float32Array.from({ length: B * T * H * T }, (_, i) => (i % 3 ? 1.25 : 0)), [B, T, H, T]) : null;
    // the fused op takes q | k | v packed in one [B, T, 3D] tensor, as one projection makes them
    const fused = (a: tf.Tensor, b: tf.Tensor, c: tf.Tensor) => attentionFused(tf.concat([a, b, c], 2) as tf.Tensor3D, H, bias, mask, isCausal);
    const plain = (a: tf.Tensor, b: tf.Tensor, c: tf.Tensor) => refAttention(a, b, c, bias, mask);
    expectClose(fused(q, k, v), onReferenceKernels(() => plain(q, k, v)), 1e-5, 'ctx');
    const loss = (f: typeof fused) => (a: tf.Tensor, b: tf.Tensor, c: tf.Tensor) => f(a, b, c).mul(w).sum();
    const gf = tf.grads(loss(fused))([q, k, v]);
    const gr = onReferenceKernels(() => tf.grads(loss(plain))([q, k, v]));
    ['dq', 'dk', 'dv'].forEach((what, i) => expectClose(gf[i], gr[i], 1e-4, what));
  };
  it.each(cases)('%s: context and dq, dk, dv match per-head plain ops', (_, makeBias, drop, c) => check(makeBias, drop, c));

  describe('with batch rows spread over two threads', () => {
    beforeAll(spreadOverTwoThreads);
    afterAll(() => configureThreads());
    it('has a ready worker', () => expect(activeThreads()).toBe(2));
    it.each(cases)('%s: same values and gradients', (_, makeBias, drop, c) => check(makeBias, drop, c));
  });
});

async function spreadOverTwoThreads(): Promise<void> {
  configureThreads(2, 1, false); // every job list is split, however small
  tf.matMul(tf.ones([8, 8]), tf.ones([8, 8])).dispose(); // starts the worker
  for (let i = 0; i < 100 && activeThreads() < 2; i++) await new Promise((r) => setTimeout(r, 50));
}

describe('layer norm and GELU with rows spread over two threads', () => {
  beforeAll(spreadOverTwoThreads);
  afterAll(() => configureThreads());
  it('has a ready worker', () => expect(activeThreads()).toBe(2));
  it.each(NORM_SHAPES)('layer norm %j: same values and gradients', (shape) => checkNorm(shape));
  it('GELU: same values and gradient', checkGelu);
});
