/** Shared bits of the backend tests: seeded tensors, closeness, running a function with/without fast kernels. */
import { expect } from 'vitest';
import { tf } from '../../src/backend/tf.js';
import { runtime } from '../../src/backend/runtime.js';
import { Rng } from '../../src/util/rng.js';

export function randn(rng: Rng, shape: number[], scale = 1): tf.Tensor {
  const n = shape.reduce((p, d) => p * d, 1);
  const v = new Float32Array(n);
  for (let i = 0; i < n; i++) v[i] = rng.normal() * scale;
  return tf.tensor(v, shape);
}

/** Max |a-b| relative to max |b| (floored at 1e-3, so all-zero expectations work). */
export function relErr(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let d = 0;
  let s = 1e-3;
  for (let i = 0; i < a.length; i++) {
    d = Math.max(d, Math.abs(a[i] - b[i]));
    s = Math.max(s, Math.abs(b[i]));
  }
  return d / s;
}

export function expectClose(a: tf.Tensor, b: tf.Tensor, tol = 1e-4, what = ''): void {
  expect(a.shape, what).toEqual(b.shape);
  expect(relErr(a.dataSync(), b.dataSync()), what).toBeLessThan(tol);
}

/** Runs f with the original cpu kernels and then with the fast ones. */
export function bothWays<T>(f: () => T): { reference: T; fast: T } {
  runtime().setMode('reference');
  const reference = f();
  runtime().setMode('fast');
  const fast = f();
  return { reference, fast };
}

/** Runs f on the original kernels (plain-op formulas), then switches the fast ones back on. */
export function onReferenceKernels<T>(f: () => T): T {
  runtime().setMode('reference');
  try {
    return f();
  } finally {
    runtime().setMode('fast');
  }
}

/** Spreads every job list over two threads (however small) and waits for the worker. */
export async function spreadOverTwoThreads(): Promise<void> {
  runtime().configureThreads(2, 1, false); // every job list is split, however small
  tf.matMul(tf.ones([8, 8]), tf.ones([8, 8])).dispose(); // starts the worker
  for (let i = 0; i < 100 && runtime().activeThreads() < 2; i++) await new Promise((r) => setTimeout(r, 50));
}
