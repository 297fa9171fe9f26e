import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tf } from '../../src/backend/tf.js';
import { initBackend, runtime } from '../../src/backend/index.js';
import { adam, SeqnetAdam } from '../../src/backend/adam.js';
import { Rng } from '../../src/util/rng.js';
import { relErr } from './helpers.js';

beforeAll(async () => {
  await initBackend({ device: 'cpu', kernels: 'fast' });
});
afterAll(() => runtime().setMode('fast'));

/** Three Adam steps on two variables; returns final values, the optimizer's weights and a pre-step clone. */
async function run(fast: boolean, lrs: number[]) {
  if (fast) runtime().setMode('fast');
  else runtime().setMode('reference');
  const rng = new Rng(5);
  const vals = (n: number) => Float32Array.from({ length: n }, () => rng.normal());
  const a = tf.variable(tf.tensor2d(vals(12), [3, 4]), true, `adam_a_${fast}`);
  const b = tf.variable(tf.tensor1d(vals(5)), true, `adam_b_${fast}`);
  const opt = adam(lrs[0], 0.8, 0.95, 1e-6);
  const snapshot = a.clone();
  const before = snapshot.dataSync().slice();
  const count = tf.memory().numTensors;
  for (const lr of lrs) {
    (opt as unknown as { learningRate: number }).learningRate = lr;
    const grads = { [a.name]: tf.tensor2d(vals(12), [3, 4]), [b.name]: tf.tensor1d(vals(5)) };
    opt.applyGradients(grads);
    tf.dispose(Object.values(grads));
  }
  const leaked = tf.memory().numTensors - count;
  const weights = await opt.getWeights();
  const out = {
    a: a.dataSync().slice(), b: b.dataSync().slice(),
    slots: weights.map((w) => ({ name: w.name, values: w.tensor.dataSync().slice() })),
    snapshotKept: relErr(snapshot.dataSync(), before) === 0,
    leaked,
  };
  tf.dispose([a, b, snapshot]);
  opt.dispose();
  return out;
}

describe('one-pass Adam', () => {
  it('matches tfjs AdamOptimizer: values, moments and iterations after three steps', async () => {
    const lrs = [0.1, 0.05, 0.2];
    const ref = await run(false, lrs);
    const fast = await run(true, lrs);
    expect(relErr(fast.a, ref.a)).toBeLessThan(1e-5);
    expect(relErr(fast.b, ref.b)).toBeLessThan(1e-5);
    expect(fast.slots.map((s) => s.name.replace('true', 'false'))).toEqual(ref.slots.map((s) => s.name));
    fast.slots.forEach((s, i) => expect(relErr(s.values, ref.slots[i].values), s.name).toBeLessThan(1e-5));
    expect(fast.slots[0].values[0]).toBe(3); // iterations
    expect(fast.leaked).toBe(ref.leaked);
  });

  it('leaves a clone of the weights untouched and leaks no tensors', async () => {
    const fast = await run(true, [0.1, 0.1]);
    expect(fast.snapshotKept).toBe(true);
    expect(fast.leaked).toBe(4); // m and v of both variables, created on the first step
  });

  it('follows the runtime mode, without patching tfjs\' AdamOptimizer', () => {
    const original = tf.AdamOptimizer.prototype.applyGradients;
    const v = tf.variable(tf.ones([3]), true, 'adam_mode');
    const opt = adam(0.1);
    expect(opt).toBeInstanceOf(tf.AdamOptimizer);
    expect(opt.getClassName()).toBe('Adam');
    const step = () => {
      const g = { [v.name]: tf.ones([3]) };
      opt.applyGradients(g);
      tf.dispose(Object.values(g));
    };
    const version = runtime().weightsVersion;
    runtime().setMode('reference');
    step(); // tfjs' own update: the fused one did not run
    expect(runtime().weightsVersion).toBe(version);
    runtime().setMode('fast');
    step();
    expect(runtime().weightsVersion).toBe(version + 1);
    expect(tf.AdamOptimizer.prototype.applyGradients).toBe(original);
    expect(SeqnetAdam.prototype.applyGradients).not.toBe(original);
    tf.dispose(v);
    opt.dispose();
  });
});
