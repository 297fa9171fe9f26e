/**
 * The transformer language model's KV-cache stepper gives the window re-run's next-token logits,
 * so greedy and seeded sampled generation pick the same tokens, inside the window and past it.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend, tf } from '../../src/backend/index.js';
import { sampleFromLogits } from '../../src/generate/sample.js';
import { buildModel } from '../../src/models/registry.js';
import { makeStepper } from '../../src/models/stepper.js';
import { TransformerStepper } from '../../src/models/transformer_decode.js';
import { Rng } from '../../src/util/rng.js';
import { INFO, tinyModel } from './helpers.js';

beforeAll(async () => {
  await initBackend({ device: 'cpu', kernels: 'fast' });
});

const seqLen = INFO.seqLen; // 6
const lm = (positional: 'learned' | 'sinusoidal', layers: number) =>
  buildModel(tinyModel('transformer', { positional, layers, dropout: 0.1 }), { task: 'language_model', info: INFO, seed: 3 }) as tf.LayersModel;

/**
 * Feeds a 2-token prime, then n tokens one at a time, each picked from the logits by `pick`
 * (greedy or seeded sampling); returns the picked tokens and every step's logits.
 */
function run(model: tf.LayersModel, cache: boolean, n: number, pick: (row: Float32Array) => number): { ids: number[]; logits: Float32Array[] } {
  const stepper = makeStepper(model, seqLen, { cache });
  expect(stepper instanceof TransformerStepper).toBe(cache);
  const ids: number[] = [];
  const logits: Float32Array[] = [];
  let input = tf.tensor2d([[4, 7]], [1, 2], 'int32');
  for (let i = 0; i < n; i++) {
    const out = stepper.feed(input);
    input.dispose();
    const row = out.dataSync() as Float32Array;
    out.dispose();
    logits.push(row);
    ids.push(pick(row));
    input = tf.tensor2d([[ids[i]]], [1, 1], 'int32');
  }
  input.dispose();
  stepper.dispose();
  return { ids, logits };
}

const greedy = (row: Float32Array) => sampleFromLogits(row, { temperature: 0, topK: null, topP: null }, new Rng(1));
const sampler = (seed: number) => {
  const rng = new Rng(seed);
  return (row: Float32Array) => sampleFromLogits(row, { temperature: 1, topK: null, topP: 0.95 }, rng);
};

describe.each([
  ['learned', 1],
  ['learned', 2],
  ['sinusoidal', 1],
  ['sinusoidal', 2],
] as const)('KV cache, %s positions, %i layer(s)', (positional, layers) => {
  // 2 prime + 10 new tokens: the first 4 steps fit the window of 6, the rest slide it
  const n = 10;

  it('matches the window re-run: same logits, same greedy and seeded sampled tokens', () => {
    const model = lm(positional, layers);
    const cached = run(model, true, n, greedy);
    const window = run(model, false, n, greedy);
    expect(cached.ids).toEqual(window.ids);
    cached.logits.forEach((row, i) => {
      const ref = window.logits[i];
      const err = Math.max(...row.map((v, j) => Math.abs(v - ref[j])));
      expect(err, `step ${i}`).toBeLessThan(1e-4);
    });
    expect(run(model, true, n, sampler(9)).ids).toEqual(run(model, false, n, sampler(9)).ids);
    model.dispose();
  });
});

it('keeps no tensors after a generation, and a multi-token feed mid-way re-reads the window', () => {
  const model = lm('learned', 2);
  run(model, true, 3, greedy); // the first call builds what tfjs caches once
  const before = tf.memory().numTensors;
  run(model, true, 10, greedy);
  expect(tf.memory().numTensors).toBe(before);

  const cached = makeStepper(model, seqLen);
  const window = makeStepper(model, seqLen, { cache: false });
  // two rows; one token at a time, then two (re-read), then past the window
  for (const ids of [[[4, 7, 9], [2, 2, 5]], [[5], [8]], [[6, 8], [1, 12]], [[3], [4]]]) {
    const x = tf.tensor2d(ids, [2, ids[0].length], 'int32');
    const [a, b] = [cached.feed(x), window.feed(x)];
    expect(Math.max(...(a.sub(b).abs().dataSync() as Float32Array))).toBeLessThan(1e-4);
    tf.dispose([x, a, b]);
  }
  cached.dispose();
  window.dispose();
  model.dispose();
});

it('is off with the reference kernels: the window re-run is the reference twin', async () => {
  const model = lm('learned', 1);
  await initBackend({ device: 'cpu', kernels: 'reference' });
  try {
    const stepper = makeStepper(model, seqLen);
    expect(stepper instanceof TransformerStepper).toBe(false);
    stepper.dispose();
  } finally {
    await initBackend({ device: 'cpu', kernels: 'fast' });
    model.dispose();
  }
});
