/** A split is a set of examples that can be turned into tensors a batch at a time. */
import type { tf } from '../backend/index.js';
import { Rng, range } from '../util/rng.js';

/** Tensors for one batch; the caller owns (and disposes) them. */
export interface Batch {
  /** model inputs, in the order of the model's inputs */
  xs: tf.Tensor[];
  /** targets */
  ys: tf.Tensor;
  /** optional per-target weight (1 real, 0 padding), same leading shape as the targets */
  weights?: tf.Tensor;
}

export interface Split {
  /** number of examples */
  readonly size: number;
  /** number of target tokens/values an epoch covers (for throughput); defaults to size */
  readonly targetsPerExample: number;
  batch(indices: readonly number[]): Batch;
}

/** Index batches for one epoch: shuffled with `rng` when given, in order otherwise. */
export function batchIndices(n: number, batchSize: number, rng?: Rng): number[][] {
  const idx = range(n);
  if (rng) rng.shuffle(idx);
  const out: number[][] = [];
  for (let i = 0; i < n; i += batchSize) out.push(idx.slice(i, i + batchSize));
  return out;
}
