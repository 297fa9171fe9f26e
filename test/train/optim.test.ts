import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend, tf } from '../../src/backend/index.js';
import { TrainSchema } from '../../src/config/schema/index.js';
import { applyWeightDecay, clipByGlobalNorm, decayedVariables, makeOptimizer } from '../../src/train/optim.js';

beforeAll(async () => {
  await initBackend({ device: 'cpu', kernels: 'fast' });
});

describe('clipByGlobalNorm', () => {
  // |(3, 4, 12)| = 13
  const grads = () => ({ a: tf.tensor1d([3, 4]), b: tf.tensor2d([[12]]) });

  it('returns the global norm and leaves gradients under the limit alone', () => {
    const g = grads();
    expect(clipByGlobalNorm(g, 20)).toBeCloseTo(13, 5);
    expect(Array.from(g.a.dataSync())).toEqual([3, 4]);
  });

  it('scales every gradient by limit / norm when over the limit', () => {
    const g = grads();
    expect(clipByGlobalNorm(g, 6.5)).toBeCloseTo(13, 5);
    expect(Array.from(g.a.dataSync())).toEqual([1.5, 2]);
    expect(Array.from(g.b.dataSync())).toEqual([6]);
  });

  it('only measures when clipping is off', () => {
    const g = grads();
    expect(clipByGlobalNorm(g, null)).toBeCloseTo(13, 5);
    expect(Array.from(g.b.dataSync())).toEqual([12]);
  });
});

describe('optimizers', () => {
  const cfg = (o: Record<string, unknown>) => TrainSchema.parse(o);

  it('builds each optimizer with its settings', () => {
    expect(makeOptimizer(cfg({ optimizer: 'adamw' })).getClassName()).toBe('Adam');
    const m = makeOptimizer(cfg({ optimizer: 'sgd', momentum: 0.9, nesterov: true }));
    expect(m.getConfig()).toMatchObject({ momentum: 0.9, useNesterov: true });
    expect(makeOptimizer(cfg({ optimizer: 'sgd' })).getClassName()).toBe('SGD');
    expect(makeOptimizer(cfg({ optimizer: 'rmsprop', momentum: 0.5 })).getConfig()).toMatchObject({ momentum: 0.5 });
    expect(makeOptimizer(cfg({ optimizer: 'adam', beta1: 0.8, epsilon: 1e-6 })).getConfig()).toMatchObject({ beta1: 0.8, epsilon: 1e-6 });
  });

  it('adamw decays weights of rank ≥ 2 only (not biases or norm gains), decoupled: w·(1 − lr·wd)', () => {
    const kernel = tf.variable(tf.ones([2, 2]));
    const bias = tf.variable(tf.ones([2]));
    const picked = decayedVariables([kernel, bias], cfg({ optimizer: 'adamw', weight_decay: 0.5 }));
    expect(picked).toEqual([kernel]);
    expect(decayedVariables([kernel, bias], cfg({ optimizer: 'adamw', decay_all_params: true }))).toHaveLength(2);
    expect(decayedVariables([kernel, bias], cfg({ optimizer: 'adam', weight_decay: 0.5 }))).toEqual([]);
    applyWeightDecay(picked, 0.1, 0.5);
    expect(Array.from(kernel.dataSync())).toEqual([0.95, 0.95, 0.95, 0.95].map(Math.fround));
    expect(Array.from(bias.dataSync())).toEqual([1, 1]);
  });
});
