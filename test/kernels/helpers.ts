/** Shared bits of the kernel tests: seeded tensors, closeness, running a function with/without fast kernels. */
import { expect } from 'vitest';
import { tf } from '../../src/backend/tf.js';
import { installFastKernels, uninstallFastKernels } from '../../src/backend/kernels/index.js';
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
  uninstallFastKernels();
  const reference = f();
  installFastKernels();
  const fast = f();
  return { reference, fast };
}

/** Runs f on the original kernels (plain-op formulas), then switches the fast ones back on. */
export function onReferenceKernels<T>(f: () => T): T {
  uninstallFastKernels();
  try {
    return f();
  } finally {
    installFastKernels();
  }
}
