/**
 * One recurrent step at a time (generation): the fused step against the reference, and three
 * steps against the sequence op over the same three tokens, for every cell.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initBackend, runtime } from '../../../src/backend/index.js';
import { CELLS, recurrentSequence, recurrentStep, type CellType, type StepWeights } from '../../../src/backend/ops/recurrent.js';
import { tf } from '../../../src/backend/tf.js';
import { Rng } from '../../../src/util/rng.js';
import { bothWays, onReferenceKernels, randn, relErr } from '../helpers.js';

beforeAll(async () => {
  await initBackend({ device: 'cpu', kernels: 'fast' });
});
afterAll(() => runtime().setMode('fast'));

const B = 3, D = 7, U = 37, T = 3;

describe.each(['lstm', 'gru', 'rnn'] as CellType[])('recurrentStep: %s', (cell) => {
  it('three steps give the sequence op\'s states, fused and reference alike', () => {
    const spec = CELLS[cell], GU = spec.G * U;
    const rng = new Rng(cell.length);
    const w = {
      kernel: randn(rng, [D, GU], 0.3) as tf.Tensor2D, recurrentKernel: randn(rng, [U, GU], 0.3) as tf.Tensor2D,
      bias: randn(rng, [GU], 0.1) as tf.Tensor1D, recurrentBias: spec.hasRecurrentBias ? (randn(rng, [GU], 0.1) as tf.Tensor1D) : undefined,
    };
    const arrays: StepWeights = {
      kernel: w.kernel.dataSync() as Float32Array, recurrentKernel: w.recurrentKernel.dataSync() as Float32Array,
      bias: w.bias.dataSync() as Float32Array, recurrentBias: (w.recurrentBias?.dataSync() as Float32Array) ?? null,
    };
    const x = randn(rng, [B, T, D]) as tf.Tensor3D;
    const steps = () => {
      let state = Array.from({ length: spec.hasC ? 2 : 1 }, () => new Float32Array(B * U));
      for (let t = 0; t < T; t++) {
        const xt = x.slice([0, t, 0], [-1, 1, -1]).dataSync() as Float32Array;
        state = recurrentStep(cell, arrays, xt, B, state);
      }
      return state;
    };
    const { reference, fast } = bothWays(steps);
    const seq = recurrentSequence(cell, x, w).states.map((s) => s.dataSync() as Float32Array);
    reference.forEach((s, i) => {
      expect(relErr(fast[i], s), `state ${i}: fused vs reference`).toBeLessThan(1e-5);
      expect(relErr(s, seq[i]), `state ${i}: reference steps vs the sequence`).toBeLessThan(1e-5);
    });
    expect(fast[0].some((v) => v !== 0)).toBe(true);
    tf.dispose([x, ...Object.values(w).filter((t): t is tf.Tensor => t !== undefined)]);
  });
});

it('recurrentStep refuses a state of the wrong arity', () => {
  const z = new Float32Array(4);
  expect(() => recurrentStep('lstm', { kernel: z, recurrentKernel: z, bias: z, recurrentBias: null }, z, 1, [z])).toThrow(/2 state arrays/);
});

describe.each(['lstm', 'gru', 'rnn'] as CellType[])('recurrentStates: %s', (cell) => {
  it('the final states and their gradients, as the whole sequence op gives them (mask, backwards)', async () => {
    const { recurrentStates } = await import('../../../src/backend/ops/recurrent.js');
    const spec = CELLS[cell], GU = spec.G * U;
    const rng = new Rng(cell.length + 7);
    const Tn = 5;
    const x = randn(rng, [B, Tn, D]) as tf.Tensor3D;
    const W = randn(rng, [D, GU], 0.3), Ur = randn(rng, [U, GU], 0.3), b = randn(rng, [GU], 0.1);
    const rb = spec.hasRecurrentBias ? randn(rng, [GU], 0.1) : undefined;
    const mask = tf.tensor2d([[1, 1, 1, 0, 0], [1, 1, 1, 1, 1], [1, 0, 1, 1, 0]]);
    const up = Array.from({ length: spec.hasC ? 2 : 1 }, () => randn(rng, [B, U]));
    for (const goBackwards of [false, true]) {
      const loss = (states: (ws: tf.Tensor[]) => tf.Tensor2D[]) => (xx: tf.Tensor, ...ws: tf.Tensor[]) =>
        tf.addN(states([xx, ...ws]).map((s, i) => s.mul(up[i]).sum()));
      const w = (t: tf.Tensor[]) => ({ kernel: t[1] as tf.Tensor2D, recurrentKernel: t[2] as tf.Tensor2D, bias: t[3] as tf.Tensor1D, recurrentBias: t[4] as tf.Tensor1D | undefined });
      const opts = { mask, goBackwards };
      const only = loss((t) => recurrentStates(cell, t[0] as tf.Tensor3D, w(t), opts));
      const whole = loss((t) => recurrentSequence(cell, t[0] as tf.Tensor3D, w(t), opts).states);
      const args = [x, W, Ur, b, ...(rb ? [rb] : [])];
      const gOnly = tf.grads(only)(args), gWhole = tf.grads(whole)(args);
      const ref = onReferenceKernels(() => tf.grads(whole)(args));
      expect(relErr(only(x, W, Ur, b, ...(rb ? [rb] : [])).dataSync(), whole(x, W, Ur, b, ...(rb ? [rb] : [])).dataSync())).toBeLessThan(1e-6);
      gOnly.forEach((g, i) => {
        expect(relErr(g.dataSync(), gWhole[i].dataSync()), `grad ${i}, backwards ${goBackwards}`).toBeLessThan(1e-5);
        expect(relErr(g.dataSync(), ref[i].dataSync()), `grad ${i} vs reference`).toBeLessThan(1e-4);
      });
    }
  });
});
