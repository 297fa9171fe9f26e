/** The fast element-wise and segment-sum kernels give exactly what tfjs' reference kernels give. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initBackend, tf } from '../../../src/backend/index.js';
import { Rng } from '../../../src/util/rng.js';

const rng = new Rng(5);
const rand = (shape: number[]) => tf.tensor(Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => rng.normal()), shape);

async function both<T>(f: () => T): Promise<[T, T]> {
  await initBackend({ device: 'cpu', kernels: 'reference' });
  const ref = f();
  await initBackend({ device: 'cpu', kernels: 'fast' });
  return [ref, f()];
}

beforeAll(() => initBackend({ device: 'cpu', kernels: 'fast' }));
afterAll(() => initBackend({ device: 'cpu', kernels: 'fast' }));

describe('binary kernels with broadcasting', () => {
  const shapes: [number[], number[]][] = [
    [[3, 4], [3, 4]],
    [[3, 4], [4]],
    [[3, 4], [3, 1]],
    [[2, 3, 4], [1, 3, 1]],
    [[2, 1, 4], [3, 1]],
    [[5], []],
    [[], [2, 2]],
    [[0, 3], [3]],
    [[2, 3, 4], [2, 3, 4]], // collapses to one flat axis
    [[4, 1, 3], [4, 5, 3]],
    [[2, 3, 1], [1, 1, 4]],
    [[6, 1], [1, 6]],
    [[2, 1, 3, 1], [2, 4, 3, 5]],
    [[70, 1, 64], [1, 3, 64]], // large (13,440 floats): an output without the zero fill, every element written
  ];
  const ops: [string, (a: tf.Tensor, b: tf.Tensor) => tf.Tensor][] = [
    ['add', tf.add], ['sub', tf.sub], ['mul', tf.mul], ['div', tf.div], ['maximum', tf.maximum], ['minimum', tf.minimum],
    ['squaredDifference', tf.squaredDifference], ['greater', tf.greater], ['lessEqual', tf.lessEqual], ['equal', tf.equal], ['notEqual', tf.notEqual],
  ];
  for (const [sa, sb] of shapes) {
    it(`${JSON.stringify(sa)} op ${JSON.stringify(sb)}`, async () => {
      const a = rand(sa);
      const b = rand(sb);
      for (const [name, op] of ops) {
        const [ref, fast] = await both(() => op(a, b));
        expect(fast.shape, name).toEqual(ref.shape);
        expect(fast.dtype, name).toBe(ref.dtype);
        expect(Array.from(fast.dataSync()), name).toEqual(Array.from(ref.dataSync()));
        tf.dispose([ref, fast]);
      }
      tf.dispose([a, b]);
    });
  }

  it('keeps int32 arithmetic int32 and handles NaN in maximum like the reference', async () => {
    const a = tf.tensor1d([1, 2, 3], 'int32');
    const b = tf.tensor1d([3, 2, 1], 'int32');
    const [r, f] = await both(() => tf.add(a, b));
    expect(f.dtype).toBe('int32');
    expect(Array.from(f.dataSync())).toEqual(Array.from(r.dataSync()));
    const n = tf.tensor1d([NaN, 1, -1]);
    const z = tf.tensor1d([0, NaN, 0]);
    const [rm, fm] = await both(() => tf.maximum(n, z));
    expect(Array.from(fm.dataSync())).toEqual(Array.from(rm.dataSync()));
    tf.dispose([a, b, r, f, n, z, rm, fm]);
  });
});

describe('AddN', () => {
  it('matches the reference for two and three float inputs, and int32', async () => {
    const [a, b, c] = [rand([3, 5]), rand([3, 5]), rand([3, 5])];
    const z = tf.tensor1d([-0, 0, -0]);
    for (const f of [() => tf.addN([a, b]), () => tf.addN([a, b, c]), () => tf.addN([z]), () => tf.addN([tf.tensor1d([1, 2], 'int32'), tf.tensor1d([3, 4], 'int32')])]) {
      const [ref, fast] = await both(f);
      expect(fast.dtype).toBe(ref.dtype);
      expect(Array.from(fast.dataSync()).map((v) => Object.is(v, -0) ? '-0' : v)).toEqual(Array.from(ref.dataSync()).map((v) => Object.is(v, -0) ? '-0' : v));
      tf.dispose([ref, fast]);
    }
    tf.dispose([a, b, c, z]);
  });

  it('matches the reference for large sums, which go through wasm (Add too; a scalar tail of 3)', async () => {
    const [a, b, c] = [rand([255, 161]), rand([255, 161]), rand([255, 161])];
    for (const f of [() => tf.add(a, b), () => tf.addN([a, b]), () => tf.addN([a, b, c])]) {
      const [ref, fast] = await both(f);
      expect(Array.from(fast.dataSync())).toEqual(Array.from(ref.dataSync()));
      tf.dispose([ref, fast]);
    }
    tf.dispose([a, b, c]);
  });
});

describe('UnsortedSegmentSum (gather gradient)', () => {
  it('matches the reference for an embedding-style gradient', async () => {
    const emb = rand([7, 3]);
    const ids = tf.tensor2d([[1, 2, 2], [6, 0, 1]], [2, 3], 'int32');
    const grad = () => tf.grad((e: tf.Tensor) => tf.gather(e, ids).square().sum())(emb);
    const [ref, fast] = await both(grad);
    expect(Array.from(fast.dataSync())).toEqual(Array.from(ref.dataSync()));
    const seg = tf.tensor1d([0, 2, 0, 9], 'int32');
    const x = rand([4, 2]);
    const [r2, f2] = await both(() => tf.unsortedSegmentSum(x, seg, 3));
    expect(Array.from(f2.dataSync())).toEqual(Array.from(r2.dataSync()));
    tf.dispose([emb, ids, ref, fast, seg, x, r2, f2]);
  });
});
