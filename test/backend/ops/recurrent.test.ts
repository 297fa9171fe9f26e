import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tf } from '../../../src/backend/tf.js';
import { initBackend, runtime } from '../../../src/backend/index.js';
import { gruSequence, lstmSequence, simpleRnnSequence, type RnnOpts, type RnnResult } from '../../../src/backend/ops/recurrent.js';
import { adam } from '../../../src/backend/adam.js';
import { Rng } from '../../../src/util/rng.js';
import { bothWays, expectClose, randn } from '../helpers.js';

beforeAll(async () => {
  await initBackend({ device: 'cpu', kernels: 'fast' });
});
afterAll(() => runtime().setMode('fast'));

const B = 3, T = 5, D = 4, U = 6;

interface Family {
  name: string;
  G: number;
  nStates: number;
  recurrentBias: boolean;
  run(x: tf.Tensor3D, w: tf.Tensor[], opts: RnnOpts): RnnResult;
}

const FAMILIES: Family[] = [
  {
    name: 'lstm', G: 4, nStates: 2, recurrentBias: false,
    run: (x, [k, rk, b], o) => lstmSequence(x, k as tf.Tensor2D, rk as tf.Tensor2D, b as tf.Tensor1D, o),
  },
  {
    name: 'gru', G: 3, nStates: 1, recurrentBias: true,
    run: (x, [k, rk, b, rb], o) => gruSequence(x, k as tf.Tensor2D, rk as tf.Tensor2D, b as tf.Tensor1D, rb as tf.Tensor1D, o),
  },
  {
    name: 'simple', G: 1, nStates: 1, recurrentBias: false,
    run: (x, [k, rk, b], o) => simpleRnnSequence(x, k as tf.Tensor2D, rk as tf.Tensor2D, b as tf.Tensor1D, o),
  },
];

type Variant = 'plain' | 'mask' | 'goBackwards' | 'initialState' | 'all';
const VARIANTS: Variant[] = ['plain', 'mask', 'goBackwards', 'initialState', 'all'];

// row 0: a gap mid-sequence; row 1: masked at the start and the end; row 2: all real
const MASK = [1, 1, 0, 1, 1, 0, 0, 1, 1, 0, 1, 1, 1, 1, 1];

/** Inputs, loss weights and the list of differentiable tensors for one case. */
function setup(f: Family, v: Variant, seed: number, d = D) {
  const rng = new Rng(seed);
  const x = randn(rng, [B, T, d]) as tf.Tensor3D;
  const weights = [randn(rng, [d, f.G * U], 0.5), randn(rng, [U, f.G * U], 0.4), randn(rng, [f.G * U], 0.3)];
  if (f.recurrentBias) weights.push(randn(rng, [f.G * U], 0.3));
  const withMask = v === 'mask' || v === 'all';
  const withInit = v === 'initialState' || v === 'all';
  const init = withInit ? Array.from({ length: f.nStates }, () => randn(rng, [B, U]) as tf.Tensor2D) : [];
  const opts: RnnOpts = {
    goBackwards: v === 'goBackwards' || v === 'all',
    mask: withMask ? tf.tensor2d(MASK, [B, T]) : undefined,
    initialState: withInit ? init : undefined,
  };
  const lossW = [randn(rng, [B, T, U]), ...Array.from({ length: f.nStates }, () => randn(rng, [B, U]))];
  const diff = [x, ...weights, ...init];
  const loss = (...ts: tf.Tensor[]): tf.Scalar => {
    const [xx, ...rest] = ts;
    const w = rest.slice(0, weights.length);
    const st = rest.slice(weights.length) as tf.Tensor2D[];
    const r = f.run(xx as tf.Tensor3D, w, { ...opts, initialState: withInit ? st : undefined });
    const terms = [r.outputs, ...r.states].map((t, i) => tf.sum(tf.mul(t, lossW[i])));
    return tf.addN(terms) as tf.Scalar;
  };
  const dispose = () => tf.dispose([...diff, ...lossW, ...(opts.mask ? [opts.mask] : [])]);
  return { x, weights, opts, diff, loss, dispose };
}

function checkAgainstReference(f: Family, v: Variant, d = D): void {
  const c = setup(f, v, f.G * 10 + VARIANTS.indexOf(v), d);
  const fwd = bothWays(() => f.run(c.x, c.weights, c.opts));
  expect(fwd.fast.outputs.shape).toEqual([B, T, U]);
  expect(fwd.fast.states.length).toBe(f.nStates);
  expectClose(fwd.fast.outputs, fwd.reference.outputs, 1e-4, 'outputs');
  fwd.fast.states.forEach((s, i) => expectClose(s, fwd.reference.states[i], 1e-4, `state ${i}`));
  const grads = bothWays(() => tf.grads(c.loss)(c.diff));
  grads.fast.forEach((g, i) => expectClose(g, grads.reference[i], 1e-4, `grad ${i}`));
  tf.dispose([fwd.fast, fwd.reference, grads.fast, grads.reference] as unknown as tf.Tensor[]);
  c.dispose();
}

describe.each(FAMILIES)('$name fused vs reference', (f) => {
  it.each(VARIANTS)('%s: outputs, states and all gradients match', (v) => checkAgainstReference(f, v));

  // dXs = dG·Wᵀ takes gemmRows for up to 16 input features, the sgemm beyond
  it('all: with 20 input features, outputs, states and all gradients match', () => checkAgainstReference(f, 'all', 20));

  it('masked steps repeat the previous output (zeros before the first real step)', () => {
    const c = setup(f, 'mask', 99);
    const out = f.run(c.x, c.weights, c.opts).outputs.arraySync() as number[][][];
    expect(out[1][0].every((v) => v === 0)).toBe(true); // row 1 starts masked
    expect(out[1][1].every((v) => v === 0)).toBe(true);
    expect(out[0][2]).toEqual(out[0][1]); // row 0 gap
    expect(out[1][4]).toEqual(out[1][3]);
    c.dispose();
  });

  it('leaks no tensors across forward + backward in variableGrads', () => {
    const c = setup(f, 'all', 5);
    const vars = c.weights.map((w) => tf.variable(w));
    const before = tf.memory().numTensors;
    const { value, grads } = tf.variableGrads(() => c.loss(c.x, ...vars, ...(c.opts.initialState ?? [])));
    expect(Object.keys(grads).length).toBe(vars.length);
    tf.dispose(value);
    tf.dispose(Object.values(grads));
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose(vars);
    c.dispose();
  });

  it('pins its saved activations in the forward pass and frees them in the backward pass', () => {
    const c = setup(f, 'all', 6);
    tf.dispose(f.run(c.x, c.weights, c.opts).outputs); // inference pins only a copy of the weights, kept for the next call
    const cached = runtime().arena.pinnedBytes();
    tf.dispose(f.run(c.x, c.weights, c.opts).outputs);
    expect(runtime().arena.pinnedBytes()).toBe(cached);
    const g = tf.grads(c.loss)(c.diff);
    expect(runtime().arena.pinnedBytes()).toBe(cached);
    tf.dispose(g);
    c.dispose();
  });
});

describe('batch rows split over two threads (each runs every step for its rows)', () => {
  beforeAll(async () => {
    runtime().configureThreads(2, 1, false); // every job list is split, however small
    tf.matMul(tf.ones([8, 8]), tf.ones([8, 8])).dispose(); // starts the worker
    for (let i = 0; i < 100 && runtime().activeThreads() < 2; i++) await new Promise((r) => setTimeout(r, 50));
  });
  afterAll(() => runtime().configureThreads());
  it('has a ready worker', () => expect(runtime().activeThreads()).toBe(2));
  it.each(FAMILIES.flatMap((f) => VARIANTS.map((v) => [f.name, v, f] as const)))('%s %s: same outputs, states and gradients', (_, v, f) =>
    checkAgainstReference(f, v));
});

describe('weights cached for inference', () => {
  it('serves updated weights after an in-place Adam step, not the cached copy', () => {
    const rng = new Rng(21);
    const x = randn(rng, [2, 3, 4]) as tf.Tensor3D;
    const own = (t: tf.Tensor) => {
      const v = tf.variable(t);
      t.dispose(); // the variable alone holds its buffer
      return v;
    };
    const [k, rk, b] = [randn(rng, [4, 4 * U], 0.5), randn(rng, [U, 4 * U], 0.4), randn(rng, [4 * U], 0.3)].map(own);
    const run = () => lstmSequence(x, k as unknown as tf.Tensor2D, rk as unknown as tf.Tensor2D, b as unknown as tf.Tensor1D).outputs;
    const before = run();
    const array = rk.dataSync();
    const opt = adam(0.1); // tf.train.adam with the fused update
    opt.minimize(() => run().sum() as tf.Scalar);
    expect(rk.dataSync()).toBe(array); // the fast Adam wrote in place: same array, new values
    const after = run();
    runtime().setMode('reference');
    const reference = run();
    runtime().setMode('fast');
    expectClose(after, reference, 1e-4);
    expect(Math.abs(after.sub(before).abs().max().dataSync()[0])).toBeGreaterThan(1e-3);
    tf.dispose([x, k, rk, b, before, after, reference]);
    opt.dispose();
  });
});
