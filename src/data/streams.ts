/**
 * Language-model training text as B contiguous streams (char-rnn, AWD-LSTM), for truncated
 * backpropagation through time that carries the recurrent state (train.tbptt: K).
 *
 * Running text: the N-1 (input, target) pairs are cut into B equal contiguous parts of
 * L = floor((N-1)/B) pairs; chunk c of stream b is pairs b·L + c·K … b·L + c·K + K-1, for
 * c < floor(L/K). Batch c stacks chunk c of every stream, so the state a stream ends chunk c with
 * is the state it starts chunk c+1 with.
 *
 * Documents (data.documents set; ids = <bos> d1 <eos> <bos> d2 <eos> …): every document starts on
 * a chunk boundary of its stream, its last chunk padded with id 0 at weight 0, so the state can
 * reset exactly where a document begins. Documents go to streams in order, B contiguous groups of
 * about equal length; shorter streams end in all-padding chunks.
 */
import { tf } from '../backend/index.js';
import { DataError } from '../util/errors.js';
import type { Batch, Split } from './batch.js';
import type { TokenIds } from './corpus.js';
import { BOS } from './tokenizers/types.js';

export class StreamSplit implements Split {
  /** streams × chunks: example index e is chunk floor(e / streams) of stream e % streams */
  readonly size: number;
  readonly targetsPerExample: number;
  readonly chunks: number;
  /** [streams][chunks·K] inputs, targets and weights (1 real, 0 padding) */
  private readonly x: TokenIds[];
  private readonly y: TokenIds[];
  private readonly w: Float32Array[] | null;
  /** [streams·chunks]: 1 where a stream's state carries into the chunk, 0 where it starts afresh */
  private readonly carryIn: Uint8Array;

  constructor(
    /** the whole token stream (the unigram baseline counts it) */
    readonly ids: TokenIds,
    readonly streams: number,
    readonly chunk: number,
    documents: boolean,
  ) {
    const K = chunk;
    const parts = documents ? packDocuments(ids, streams, K) : cutText(ids, streams, K);
    // running text: all streams are equal; documents: the shorter streams end in padding
    this.chunks = Math.max(...parts.map((p) => p.x.length / K));
    const n = this.chunks * K;
    this.x = parts.map((p) => padTo(p.x, n, Int32Array));
    this.y = parts.map((p) => padTo(p.y, n, Int32Array));
    this.w = documents ? parts.map((p) => padTo(p.w!, n, Float32Array)) : null;
    this.size = this.chunks * streams;
    this.targetsPerExample = K;
    this.carryIn = new Uint8Array(this.size);
    for (let c = 1; c < this.chunks; c++) {
      for (let b = 0; b < streams; b++) this.carryIn[c * streams + b] = documents && this.x[b][c * K] === BOS ? 0 : 1;
    }
  }

  /** Example indices of batch c, in stream order (batchIndices without shuffling gives these). */
  chunkOf(indices: readonly number[]): number {
    const c = Math.floor(indices[0] / this.streams);
    if (indices.length !== this.streams || indices.some((e, b) => e !== c * this.streams + b)) {
      throw new Error(`StreamSplit: a batch must be chunk c of all ${this.streams} streams in order`);
    }
    return c;
  }

  /** [B] 1 where the state carries into batch `indices`, 0 where it resets (first chunk, a new document) */
  carryMask(indices: readonly number[]): Float32Array {
    const c = this.chunkOf(indices);
    return Float32Array.from(this.carryIn.subarray(c * this.streams, (c + 1) * this.streams));
  }

  /** xs: [[B, K] int32], ys: [B, K] int32, weights: [B, K] float32 (documents only) */
  batch(indices: readonly number[]): Batch {
    const c = this.chunkOf(indices);
    const K = this.chunk;
    const B = this.streams;
    const x = new Int32Array(B * K);
    const y = new Int32Array(B * K);
    const w = this.w ? new Float32Array(B * K) : null;
    for (let b = 0; b < B; b++) {
      x.set(this.x[b].subarray(c * K, c * K + K), b * K);
      y.set(this.y[b].subarray(c * K, c * K + K), b * K);
      w?.set(this.w![b].subarray(c * K, c * K + K), b * K);
    }
    return {
      xs: [tf.tensor2d(x, [B, K], 'int32')],
      ys: tf.tensor2d(y, [B, K], 'int32'),
      ...(w ? { weights: tf.tensor2d(w, [B, K]) } : {}),
    };
  }
}

/** `a` zero-padded to length n (itself when it has that length already). */
function padTo<A extends TokenIds | Float32Array>(a: A, n: number, make: new (n: number) => TokenIds | Float32Array): A {
  if (a.length === n) return a;
  const out = new make(n) as A;
  out.set(a);
  return out;
}

interface Stream {
  x: TokenIds;
  y: TokenIds;
  w?: Float32Array;
}

function cutText(ids: TokenIds, B: number, K: number): Stream[] {
  const L = Math.floor((ids.length - 1) / B);
  const n = Math.floor(L / K) * K;
  return Array.from({ length: B }, (_, b) => ({ x: ids.subarray(b * L, b * L + n), y: ids.subarray(b * L + 1, b * L + n + 1) }));
}

function packDocuments(ids: TokenIds, B: number, K: number): Stream[] {
  const starts: number[] = [];
  ids.forEach((t, i) => t === BOS && starts.push(i));
  if (starts[0] !== 0) starts.unshift(0);
  const docs = starts.map((s, i) => ids.subarray(s, i + 1 < starts.length ? starts[i + 1] : ids.length)).filter((d) => d.length > 1);
  const padded = docs.map((d) => Math.ceil((d.length - 1) / K) * K);
  // contiguous groups: a stream takes documents until it holds its share of what is left
  const out: Stream[] = [];
  let i = 0;
  for (let b = 0; b < B; b++) {
    const left = padded.slice(i).reduce((a, n) => a + n, 0);
    const share = b === B - 1 ? Infinity : left / (B - b);
    const group: number[] = [];
    let len = 0;
    while (i < docs.length && (group.length === 0 || len + padded[i] / 2 <= share)) {
      group.push(i);
      len += padded[i++];
    }
    const s: Stream = { x: new Int32Array(len), y: new Int32Array(len), w: new Float32Array(len) };
    let o = 0;
    for (const g of group) {
      const d = docs[g];
      s.x.set(d.subarray(0, d.length - 1), o);
      s.y.set(d.subarray(1), o);
      s.w!.fill(1, o, o + d.length - 1);
      o += padded[g];
    }
    out.push(s);
  }
  return out;
}

/** The training streams, or a DataError naming `what` when they hold no whole chunk. */
export function streams(ids: TokenIds, batchSize: number, chunk: number, documents: boolean, what: string): StreamSplit {
  const s = new StreamSplit(ids, batchSize, chunk, documents);
  if (s.chunks === 0) {
    throw new DataError(
      `${what} has ${ids.length} tokens: too few for ${batchSize} streams (train.batch_size) of at least one ` +
        `${chunk}-token chunk (train.tbptt)${documents ? ', or fewer documents than streams' : ''}. ` +
        'Add text, or lower train.batch_size or train.tbptt.',
    );
  }
  return s;
}
