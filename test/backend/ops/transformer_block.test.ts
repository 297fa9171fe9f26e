/**
 * SeqnetTransformerBlock: the fused block op (pure-JS path) against the composed reference
 * (layer norm, attention, dense, dropout on the original kernels): output and every gradient,
 * causal and with padding, with and without dropout; and its pinned activations are given back.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initBackend, runtime, tf } from '../../../src/backend/index.js';
import { blockFits } from '../../../src/backend/ops/transformer_block.js';
import { pinnedBytes } from '../../../src/backend/wasm/index.js';
import { SeqnetTransformerBlock } from '../../../src/models/layers/block.js';
import { seedDropout } from '../../../src/models/layers/dropout.js';
import { Rng } from '../../../src/util/rng.js';
import { expectClose, onReferenceKernels, randn, spreadOverTwoThreads } from '../helpers.js';

beforeAll(async () => {
  await initBackend({ device: 'cpu', kernels: 'fast' });
});
afterAll(() => runtime().setMode('fast'));

const B = 2, T = 5, D = 8, H = 2, F = 12;

function makeBlock(causal: boolean, dropout: number): SeqnetTransformerBlock {
  const block = new SeqnetTransformerBlock({ heads: H, ffDim: F, causal, dropout, seeds: [3, 4, 5], name: 'block_1' });
  block.build([null, T, D]);
  // non-trivial norms and biases, so that every weight's gradient is exercised
  const rng = new Rng(17);
  block.setWeights(block.getWeights().map((w) => randn(rng, w.shape, 0.3).add(w)));
  return block;
}

/** output and the gradients of Σ y ⊙ up with respect to x and every weight, drawing dropout from `seed` */
function run(block: SeqnetTransformerBlock, x: tf.Tensor3D, mask: tf.Tensor2D | null, training: boolean, up: tf.Tensor) {
  seedDropout(9);
  const vars = block.trainableWeights.map((w) => w.read() as tf.Variable);
  const f = (xx: tf.Tensor) => block.call(xx, { mask: mask ?? undefined, training });
  const y = f(x);
  seedDropout(9);
  const gx = tf.grad((xx: tf.Tensor) => f(xx).mul(up).sum())(x);
  seedDropout(9);
  const { grads } = tf.variableGrads(() => f(x).mul(up).sum() as tf.Scalar, vars);
  return { y, gx, gw: vars.map((v) => grads[v.name]) };
}

describe('SeqnetTransformerBlock fused vs composed', () => {
  const cases: [string, boolean, boolean, number][] = [
    ['causal', true, false, 0], ['padding mask', false, true, 0], ['causal, dropout while training', true, false, 0.3],
    ['padding mask, dropout while training', false, true, 0.3],
  ];
  const check = (causal: boolean, padded: boolean, rate: number, batch = B) => {
    const block = makeBlock(causal, rate);
    const rng = new Rng(5);
    const x = randn(rng, [batch, T, D]) as tf.Tensor3D, up = randn(rng, [batch, T, D]);
    const mask = padded ? tf.tensor2d(Array.from({ length: batch }, (_, b) => (b % 2 ? [1, 1, 1, 0, 0] : [1, 1, 1, 1, 1]))) : null;
    const fast = run(block, x, mask, rate > 0, up);
    const ref = onReferenceKernels(() => run(block, x, mask, rate > 0, up));
    expectClose(fast.y, ref.y, 1e-4, 'y');
    expectClose(fast.gx, ref.gx, 1e-4, 'dx');
    fast.gw.forEach((g, i) => expectClose(g, ref.gw[i], 1e-4, block.trainableWeights[i].name));
  };
  it.each(cases)('%s: output, dx and every weight gradient match', (_, causal, padded, rate) => check(causal, padded, rate));

  describe('with every product, bias and row loop spread over two threads', () => {
    beforeAll(spreadOverTwoThreads);
    afterAll(() => runtime().configureThreads());
    it('has a ready worker', () => expect(runtime().activeThreads()).toBe(2));
    it.each(cases)('%s: same output and gradients', (_, causal, padded, rate) => check(causal, padded, rate));
  });

  describe('training over whole sequences (blockTrainRows: the forward pass as jobs of sequence ranges)', () => {
    // 6 sequences: enough for jobs on both threads
    it.each(cases)('on one thread, %s: output, dx and every weight gradient match', (_, causal, padded, rate) => {
      runtime().configureThreads(1, 1, false);
      try {
        check(causal, padded, rate, 6);
      } finally {
        runtime().configureThreads();
      }
    });
    describe('on two threads', () => {
      beforeAll(spreadOverTwoThreads);
      afterAll(() => runtime().configureThreads());
      it.each(cases)('%s: output, dx and every weight gradient match', (_, causal, padded, rate) => check(causal, padded, rate, 6));
    });
  });

  describe('inference over whole sequences (blockRows: one job per sequence range)', () => {
    const infer = (causal: boolean, padded: boolean) => {
      const block = makeBlock(causal, 0);
      const x = randn(new Rng(8), [6, T, D]) as tf.Tensor3D; // 6 sequences: enough for 3 jobs on 2 threads
      const mask = padded ? tf.tensor2d([1, 1, 1, 1, 1, 1, 1, 1, 0, 0].concat(new Array(20).fill(1)), [6, T]) : null;
      const fast = tf.tidy(() => block.call(x, { mask: mask ?? undefined }));
      expectClose(fast, onReferenceKernels(() => block.call(x, { mask: mask ?? undefined })), 1e-4, 'y');
    };
    it('on one thread: causal, and with padding', () => {
      runtime().configureThreads(1, 1, false);
      infer(true, false);
      infer(false, true);
      runtime().configureThreads();
    });
    describe('on two threads', () => {
      beforeAll(spreadOverTwoThreads);
      afterAll(() => runtime().configureThreads());
      it('causal, and with padding', () => {
        infer(true, false);
        infer(false, true);
      });
    });
  });

  it('fuses only while the activations it pins fit its budget (else the composed ops run)', () => {
    expect(blockFits(32, 64, 128, 4, 512)).toBe(true); // W3: about 18 MB a block
    expect(blockFits(32, 1024, 512, 8, 2048)).toBe(false); // P alone would be 1 GiB
  });

  it('gives its pinned activations back after the backward pass; for inference pins only its packed weights, once', () => {
    const block = makeBlock(true, 0);
    const x = randn(new Rng(2), [B, T, D]) as tf.Tensor3D;
    runtime().weightCache.clear();
    const before = pinnedBytes();
    const tensors = tf.memory().numTensors;
    const first = tf.tidy(() => block.call(x, {}).dataSync());
    // qkv, out, ff_1, ff_2: each matrix packed with its bias; with B ≥ 2 × threads (blockRows) also both norms
    expect(runtime().weightCache.size).toBe(B >= 2 * runtime().activeThreads() ? 6 : 4);
    const cached = pinnedBytes();
    expect(tf.tidy(() => block.call(x, {}).dataSync())).toEqual(first); // from the cache
    expect(pinnedBytes()).toBe(cached);
    runtime().weightCache.clear();
    expect(pinnedBytes()).toBe(before);
    tf.tidy(() => {
      tf.grad((xx: tf.Tensor) => block.call(xx, { training: true }).sum())(x);
    });
    expect(pinnedBytes()).toBe(before);
    expect(tf.memory().numTensors).toBe(tensors);
  });
});
