/**
 * Language-model data: a token stream cut into next-token windows.
 * Window k covers ids[s .. s+T] with s = k·stride: inputs ids[s .. s+T-1], targets ids[s+1 .. s+T].
 * With `chunk` K < T (train.tbptt) every window is trained as n = ceil(T/K) examples of K tokens
 * starting at s + min(j·K, T-K), j < n: the same targets, with gradients reaching back K steps.
 */
import type { DataConfig } from '../config/schema/index.js';
import { tf } from '../backend/index.js';
import { DataError } from '../util/errors.js';
import type { Split } from './batch.js';
import type { TokenIds } from './corpus.js';

export class WindowSplit implements Split {
  readonly size: number;
  readonly targetsPerExample: number;
  /** tokens per example: the window length, or the chunk length under tbptt */
  readonly seqLen: number;
  /** examples per window */
  private readonly perWindow: number;
  constructor(
    /** the split's token ids (a view of the corpus' id array; Uint8/Uint16/Int32 by vocabulary size) */
    readonly ids: TokenIds,
    readonly windowLen: number,
    readonly stride: number,
    chunk: number | null = null,
  ) {
    const windows = ids.length >= windowLen + 1 ? Math.floor((ids.length - windowLen - 1) / stride) + 1 : 0;
    this.seqLen = chunk !== null && chunk < windowLen ? chunk : windowLen;
    this.perWindow = Math.ceil(windowLen / this.seqLen);
    this.size = windows * this.perWindow;
    this.targetsPerExample = this.seqLen;
  }

  /** start of example k in `ids` */
  start(k: number): number {
    const j = k % this.perWindow;
    return Math.floor(k / this.perWindow) * this.stride + Math.min(j * this.seqLen, this.windowLen - this.seqLen);
  }

  /** xs: [[B, T] int32], ys: [B, T] int32 (T = seqLen) */
  batch(indices: readonly number[]) {
    const T = this.seqLen;
    const x = new Int32Array(indices.length * T);
    const y = new Int32Array(indices.length * T);
    indices.forEach((k, b) => {
      const s = this.start(k);
      x.set(this.ids.subarray(s, s + T), b * T);
      y.set(this.ids.subarray(s + 1, s + T + 1), b * T);
    });
    return { xs: [tf.tensor2d(x, [indices.length, T], 'int32')], ys: tf.tensor2d(y, [indices.length, T], 'int32') };
  }
}

/** Windows over `ids`, or a DataError naming `what` when there is not even one window. */
export function windows(ids: TokenIds, cfg: Pick<DataConfig, 'seq_len' | 'stride'>, what: string, chunk: number | null = null): WindowSplit {
  const split = new WindowSplit(ids, cfg.seq_len, cfg.stride ?? cfg.seq_len, chunk);
  if (split.size === 0) {
    throw new DataError(
      `${what} has ${ids.length} tokens, fewer than one window (data.seq_len + 1 = ${cfg.seq_len + 1}).\n` +
        'Add text or lower data.seq_len.',
    );
  }
  return split;
}
