/**
 * The plain-op twins of the ops that work on arrays (generation) get their results through here;
 * and sums over plain arrays.
 */
import { runtime } from '../runtime.js';
import { tf } from '../tf.js';

/** The values of the tensors `fn` makes, every tensor it made disposed. */
export function tidyValues(fn: () => tf.Tensor[]): Float32Array[] {
  let out: Float32Array[] = [];
  tf.tidy(() => {
    out = fn().map((t) => t.dataSync() as Float32Array);
  }); // returns nothing: tidy would walk returned typed arrays element by element
  return out;
}

/**
 * Σ v² over the arrays, in double precision: the native kernels' eight-lane sum in 'fast' mode
 * where they are built (native/sum_squares.c), else this loop (they may differ in the last bits).
 */
export function sumOfSquares(arrays: ArrayLike<number>[]): number {
  const rt = runtime();
  const native = rt.fast ? rt.library.native : null;
  let s = 0;
  for (const v of arrays) {
    const n = native && v instanceof Float32Array ? native.sumSquares(v) : -1;
    if (n >= 0) {
      s += n;
      continue;
    }
    for (let i = 0; i < v.length; i++) s += v[i] * v[i];
  }
  return s;
}
