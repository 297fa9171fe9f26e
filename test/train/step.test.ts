/** The optimizer step's divergence guard: a NaN loss is not applied, and the last good weights come back. */
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend, tf } from '../../src/backend/index.js';
import { TrainSchema } from '../../src/config/schema/index.js';
import type { TaskSpec } from '../../src/tasks/types.js';
import { makeOptimizer } from '../../src/train/optim.js';
import { Stepper, disposeBatch } from '../../src/train/step.js';

beforeAll(async () => {
  await initBackend({ device: 'cpu', kernels: 'fast' });
});

describe('Stepper', () => {
  it('skips a NaN step and restores the weights the last finite loss was measured at', () => {
    const model = tf.sequential({ layers: [tf.layers.dense({ units: 1, inputShape: [2], kernelInitializer: 'ones' })] });
    let poison = false;
    // mean squared error; `poison` turns it into NaN
    const task = { loss: (out: tf.Tensor, ys: tf.Tensor) => tf.tidy(() => out.sub(ys).square().mean().add(poison ? NaN : 0) as tf.Scalar) } as TaskSpec;
    const cfg = TrainSchema.parse({ optimizer: 'sgd', learning_rate: 0.1 });
    const step = new Stepper(model, task, makeOptimizer(cfg), cfg);
    const batch = () => ({ xs: [tf.tensor2d([[1, 2]])], ys: tf.tensor2d([[0]]) });
    const weights = () => model.getWeights().map((w) => Array.from(w.dataSync()));

    const w0 = weights();
    const b1 = batch();
    const first = step.step([b1], 0.1);
    disposeBatch(b1);
    const tensors = tf.memory().numTensors;
    expect(first).toMatchObject({ loss: 9, finite: true }); // (1·1 + 1·2 + 0 − 0)² = 9
    const w1 = weights();
    expect(w1).not.toEqual(w0);
    poison = true;
    const b2 = batch();
    const second = step.step([b2], 0.1);
    disposeBatch(b2);
    expect(tf.memory().numTensors).toBe(tensors);
    expect(second.finite).toBe(false);
    expect(Number.isNaN(second.loss)).toBe(true);
    expect(weights()).toEqual(w1); // nothing applied
    expect(step.restoreLastGood()).toBe(true);
    expect(weights()).toEqual(w0); // the weights step 1's finite loss was measured at
    step.dispose();
    expect(tf.memory().numTensors).toBe(tensors - 2); // the snapshot (kernel, bias) released
  });
});
