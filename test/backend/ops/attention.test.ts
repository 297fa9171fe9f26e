/** The attention op: the fused path against per-head plain ops, values and gradients. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tf } from '../../../src/backend/tf.js';
import { initBackend, runtime } from '../../../src/backend/index.js';
import { attentionFused } from '../../../src/backend/ops/attention.js';
import { Rng } from '../../../src/util/rng.js';
import { expectClose, onReferenceKernels, randn, spreadOverTwoThreads } from '../helpers.js';

beforeAll(async () => {
  await initBackend({ device: 'cpu', kernels: 'fast' });
});
afterAll(() => runtime().setMode('fast'));

// T = 37: causal attention runs in tiles of 8 (native) or 16 (wasm) query rows, the last one partial
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
  // [name, reference bias, dropout, causal, the fused op's bias (default: the reference's)]: with
  // causal set, the kernels hide later keys themselves, so the fused op needs no causal bias
  type Case = [string, () => tf.Tensor | null, boolean, boolean, (() => tf.Tensor | null)?];
  const cases: Case[] = [
    ['no bias', () => null, false, false], ['causal', causal, false, true], ['key mask', keys, false, false],
    ['causal + key mask + dropout', () => causal().add(keys()), true, true],
    ['causal in the kernels alone', causal, false, true, () => null],
    ['causal in the kernels + key mask + dropout', () => causal().add(keys()), true, true, keys],
  ];
  const check = (makeBias: () => tf.Tensor | null, drop: boolean, isCausal: boolean, makeFusedBias = makeBias) => {
    const rng = new Rng(11);
    const [q, k, v, w] = [0, 1, 2, 3].map(() => randn(rng, [B, T, D]));
    const bias = makeBias(), fusedBias = makeFusedBias();
    const mask = drop ? tf.tensor4d(Float32Array.from({ length: B * T * H * T }, (_, i) => (i % 3 ? 1.25 : 0)), [B, T, H, T]) : null;
    // the fused op takes q | k | v packed in one [B, T, 3D] tensor, as one projection makes them
    const fused = (a: tf.Tensor, b: tf.Tensor, c: tf.Tensor) => attentionFused(tf.concat([a, b, c], 2) as tf.Tensor3D, H, fusedBias, mask, isCausal);
    const plain = (a: tf.Tensor, b: tf.Tensor, c: tf.Tensor) => refAttention(a, b, c, bias, mask);
    expectClose(fused(q, k, v), onReferenceKernels(() => plain(q, k, v)), 1e-5, 'ctx');
    const loss = (f: typeof fused) => (a: tf.Tensor, b: tf.Tensor, c: tf.Tensor) => f(a, b, c).mul(w).sum();
    const gf = tf.grads(loss(fused))([q, k, v]);
    const gr = onReferenceKernels(() => tf.grads(loss(plain))([q, k, v]));
    ['dq', 'dk', 'dv'].forEach((what, i) => expectClose(gf[i], gr[i], 1e-4, what));
  };
  it.each(cases)('%s: context and dq, dk, dv match per-head plain ops', (_, makeBias, drop, c, fb) => check(makeBias, drop, c, fb));

  describe('with batch rows spread over two threads', () => {
    beforeAll(spreadOverTwoThreads);
    afterAll(() => runtime().configureThreads());
    it('has a ready worker', () => expect(runtime().activeThreads()).toBe(2));
    it.each(cases)('%s: same values and gradients', (_, makeBias, drop, c, fb) => check(makeBias, drop, c, fb));
  });
});
