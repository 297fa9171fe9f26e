/**
 * Token-sequence examples padded to a fixed length: one label per sequence (classification) or
 * one tag per token (tagging). Padding is <pad> = 0 at the end; `truncate` picks the kept part.
 */
import { tf } from '../backend/index.js';
import type { Batch, Split } from './batch.js';
import { padInto, type Truncate } from './sequence.js';

/** What a class-scoring split tells its metrics: the label names (known classes first). */
export interface LabelledSplit extends Split {
  /** names of all label ids: the C known classes, then labels training never saw */
  readonly names: readonly string[];
  readonly numClasses: number;
}

/** xs: [[B, T] int32]; ys: [B] int32 (ids ≥ C are labels training never saw) */
export class ClassifySplit implements LabelledSplit {
  readonly size: number;
  readonly targetsPerExample = 1;
  constructor(
    readonly ids: readonly (readonly number[])[],
    readonly labels: Int32Array,
    readonly seqLen: number,
    readonly truncate: Truncate,
    readonly names: readonly string[],
    readonly numClasses: number,
  ) {
    this.size = ids.length;
  }

  batch(indices: readonly number[]): Batch {
    const T = this.seqLen;
    const x = new Int32Array(indices.length * T);
    const y = new Int32Array(indices.length);
    indices.forEach((k, b) => {
      padInto(x, b * T, this.ids[k], T, this.truncate);
      y[b] = this.labels[k];
    });
    return { xs: [tf.tensor2d(x, [indices.length, T], 'int32')], ys: tf.tensor1d(y, 'int32') };
  }
}

/** xs: [[B, T] int32]; ys: [B, T] int32 tag ids (0 at padding); weights: [B, T] 1 = real token, 0 = padding */
export class TagSplit implements LabelledSplit {
  readonly size: number;
  readonly targetsPerExample: number;
  constructor(
    readonly ids: readonly (readonly number[])[],
    readonly tags: readonly (readonly number[])[],
    readonly seqLen: number,
    readonly truncate: Truncate,
    readonly names: readonly string[],
    readonly numClasses: number,
  ) {
    this.size = ids.length;
    this.targetsPerExample = seqLen;
  }

  batch(indices: readonly number[]): Batch {
    const T = this.seqLen;
    const x = new Int32Array(indices.length * T);
    const y = new Int32Array(indices.length * T);
    const w = new Float32Array(indices.length * T);
    indices.forEach((k, b) => {
      const n = padInto(x, b * T, this.ids[k], T, this.truncate);
      padInto(y, b * T, this.tags[k], T, this.truncate);
      w.fill(1, b * T, b * T + n);
    });
    const shape: [number, number] = [indices.length, T];
    return { xs: [tf.tensor2d(x, shape, 'int32')], ys: tf.tensor2d(y, shape, 'int32'), weights: tf.tensor2d(w, shape, 'float32') };
  }
}
