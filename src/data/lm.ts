/**
 * Language-model data: a token stream cut into next-token windows.
 * Window k covers ids[s .. s+T] with s = k·stride: inputs ids[s .. s+T-1], targets ids[s+1 .. s+T].
 */
import type { DataConfig } from '../config/schema/index.js';
import { tf } from '../backend/index.js';
import { DataError } from '../util/errors.js';
import type { Split } from './batch.js';

export class WindowSplit implements Split {
  readonly size: number;
  readonly targetsPerExample: number;
  constructor(
    readonly ids: Int32Array,
    readonly seqLen: number,
    readonly stride: number,
  ) {
    this.size = ids.length >= seqLen + 1 ? Math.floor((ids.length - seqLen - 1) / stride) + 1 : 0;
    this.targetsPerExample = seqLen;
  }

  /** window starts, for tests */
  start(k: number): number {
    return k * this.stride;
  }

  /** xs: [[B, T] int32], ys: [B, T] int32 */
  batch(indices: readonly number[]) {
    const T = this.seqLen;
    const x = new Int32Array(indices.length * T);
    const y = new Int32Array(indices.length * T);
    indices.forEach((k, b) => {
      const s = k * this.stride;
      x.set(this.ids.subarray(s, s + T), b * T);
      y.set(this.ids.subarray(s + 1, s + T + 1), b * T);
    });
    return { xs: [tf.tensor2d(x, [indices.length, T], 'int32')], ys: tf.tensor2d(y, [indices.length, T], 'int32') };
  }
}

/** Windows over `ids`, or a DataError naming `what` when there is not even one window. */
export function windows(ids: Int32Array, cfg: Pick<DataConfig, 'seq_len' | 'stride'>, what: string): WindowSplit {
  const split = new WindowSplit(ids, cfg.seq_len, cfg.stride ?? cfg.seq_len);
  if (split.size === 0) {
    throw new DataError(
      `${what} has ${ids.length} tokens, fewer than one window (data.seq_len + 1 = ${cfg.seq_len + 1}).\n` +
        'Add text or lower data.seq_len.',
    );
  }
  return split;
}
