/**
 * The runtime is the one source of truth for the kernel mode: 'reference' switches every fast path
 * off (no op loads the wasm library, tfjs' own kernels are registered), and it holds a training
 * pass's pinned activations until that pass's backward, or frees them once its tape has ended.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend, runtime, tf } from '../../src/backend/index.js';
import { additiveScores } from '../../src/backend/ops/additive_score.js';
import { selfAttention } from '../../src/backend/ops/attention.js';
import { convPool } from '../../src/backend/ops/conv_pool.js';
import { sparseCrossEntropy } from '../../src/backend/ops/cross_entropy.js';
import { dense } from '../../src/backend/ops/dense.js';
import { dropoutMask, seedDropout } from '../../src/backend/ops/dropout.js';
import { layerNorm } from '../../src/backend/ops/layer_norm.js';
import { recurrentSequence } from '../../src/backend/ops/recurrent.js';
import { transformerBlock } from '../../src/backend/ops/transformer_block.js';
import { Rng } from '../../src/util/rng.js';
import { randn } from './helpers.js';

const D = 4, T = 3, B = 2;

/** Every op models call, forward and backward, summed to one scalar. */
function everyOp(rng: Rng): tf.Scalar {
  seedDropout(3); // the block draws the same masks on both paths
  const w = (...shape: number[]) => randn(rng, shape, 0.3);
  const x = w(B, T, D) as tf.Tensor3D;
  const [d2, d1] = [w(D, D) as tf.Tensor2D, w(D) as tf.Tensor1D];
  const attn = { qkvKernel: w(D, 3 * D) as tf.Tensor2D, qkvBias: w(3 * D) as tf.Tensor1D, outKernel: d2, outBias: d1 };
  const block = {
    norm1Gamma: d1, norm1Beta: d1, ...attn, norm2Gamma: d1, norm2Beta: d1,
    ff1Kernel: d2, ff1Bias: d1, ff2Kernel: d2, ff2Bias: d1,
  };
  const ids = tf.tensor2d([[1, 2, 0], [3, 1, 2]], [B, T], 'int32');
  return tf.tidy(() => {
    const f = (xx: tf.Tensor) => {
      const x3 = xx as tf.Tensor3D;
      const parts: tf.Tensor[] = [
        dense(x3, d2, d1, 'gelu'), layerNorm(x3, d1, d1, 1e-5),
        selfAttention(x3, attn, { heads: 2, causal: true, rate: 0 }, null).output,
        transformerBlock(x3, block, { heads: 2, causal: true, epsilon: 1e-5, rate: 0.1 }, null, true),
        convPool(x3, w(2, D, 3) as tf.Tensor3D, w(3) as tf.Tensor1D, ids, { stride: 1, padding: 'same', pool: 'max' }),
        additiveScores(x3, x3, w(D, 1) as tf.Tensor2D),
        ...(['lstm', 'gru', 'rnn'] as const).map((cell) => {
          const G = { lstm: 4, gru: 3, rnn: 1 }[cell];
          const rw = { kernel: w(D, G * D) as tf.Tensor2D, recurrentKernel: w(D, G * D) as tf.Tensor2D, bias: w(G * D) as tf.Tensor1D, recurrentBias: w(G * D) as tf.Tensor1D };
          return recurrentSequence(cell, x3, rw).outputs;
        }),
        sparseCrossEntropy(x3, tf.tensor2d([[0, 1, 2], [3, 0, 1]], [B, T], 'int32')),
      ];
      return tf.addN(parts.map((p) => p.sum())) as tf.Scalar;
    };
    tf.grad(f)(x);
    seedDropout(3);
    return f(x);
  });
}

describe("'reference' mode", () => {
  beforeAll(async () => {
    await initBackend({ device: 'cpu', kernels: 'reference' });
  });

  it('runs every op without loading the wasm library, on tfjs\' own kernels', () => {
    const original = tf.getKernel('BatchMatMul', 'cpu');
    const y = everyOp(new Rng(1));
    expect(Number.isFinite(y.dataSync()[0])).toBe(true);
    expect(runtime().wasmLoaded).toBe(false);
    expect(tf.getKernel('BatchMatMul', 'cpu')).toBe(original);
  });

  it("gives the same values as 'fast' mode, which installs the overrides and uses the library", () => {
    const ref = everyOp(new Rng(2)).dataSync()[0];
    const original = tf.getKernel('BatchMatMul', 'cpu');
    runtime().setMode('fast');
    try {
      expect(tf.getKernel('BatchMatMul', 'cpu')).not.toBe(original);
      const fast = everyOp(new Rng(2)).dataSync()[0];
      expect(runtime().wasmLoaded).toBe(true);
      expect(Math.abs(fast - ref)).toBeLessThan(1e-3 * Math.max(1, Math.abs(ref)));
    } finally {
      runtime().setMode('reference');
    }
    expect(tf.getKernel('BatchMatMul', 'cpu')).toBe(original);
  });
});

describe('held activations', () => {
  beforeAll(async () => {
    await initBackend({ device: 'cpu', kernels: 'fast' });
  });

  it('are released by the backward pass, or at the next tape when it never ran', () => {
    const rt = runtime();
    // what earlier tests left pinned (cached weights, a conv input) goes first: freed blocks under
    // those would take these pins without the pinned region growing
    rt.weightCache.clear();
    rt.inputCache.clear();
    const before = rt.arena.pinnedBytes();
    const x = tf.ones([2, 3, 4]);
    const W = tf.ones([4, 4]).mul(0.1) as tf.Tensor2D, U = tf.ones([4, 4]).mul(0.1) as tf.Tensor2D, b = tf.zeros([4]) as tf.Tensor1D;
    const run = (xx: tf.Tensor) => recurrentSequence('rnn', xx as tf.Tensor3D, { kernel: W, recurrentKernel: U, bias: b }).outputs.sum();
    // a tape whose gradient is never taken: only some of its outputs feed the loss
    tf.tidy(() => {
      tf.grad((xx: tf.Tensor) => {
        run(xx); // recorded and held, never differentiated
        return xx.sum();
      })(x);
    });
    expect(rt.arena.pinnedBytes()).toBeGreaterThan(before);
    tf.tidy(() => {
      tf.grad(run)(x); // a new tape: the abandoned block goes, this one is freed by its backward pass
    });
    expect(rt.arena.pinnedBytes()).toBe(before);
    // releaseHeld frees an abandoned one between steps without waiting for the next tape
    tf.tidy(() => {
      tf.grad((xx: tf.Tensor) => {
        run(xx);
        return xx.sum();
      })(x);
    });
    rt.releaseHeld();
    expect(rt.arena.pinnedBytes()).toBe(before);
    tf.dispose([x, W, U, b]);
  });
});

describe('dropout stream', () => {
  it('is the runtime\'s, reseeded by seedDropout', () => {
    seedDropout(4);
    const a = Array.from(dropoutMask([32], 0.5).dataSync());
    runtime().seedDropout(4);
    expect(Array.from(dropoutMask([32], 0.5).dataSync())).toEqual(a);
  });
});
