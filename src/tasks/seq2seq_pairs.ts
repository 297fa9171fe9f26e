/**
 * Seq2seq data: (source, target) text pairs from a table (csv / tsv / jsonl, `data.source_column`
 * and `data.target_column`), encoded with two tokenizers of the same `data.tokenizer` kind but
 * separate vocabularies, and batched for teacher forcing:
 *   source           [B, S] int32  ids, 0-padded to the batch's longest (at most data.seq_len)
 *   decoder input    [B, T] int32  <bos> y₁ … y_{n}        (the target shifted right by one)
 *   target           [B, T] int32  y₁ … y_{n} <eos>        (0 after it), T = the batch's longest
 *   weights          [B, T]        1 at real target tokens and <eos>, 0 at padding
 */
import { tf } from '../backend/index.js';
import type { DataConfig } from '../config/schema/index.js';
import type { Batch, Split } from '../data/batch.js';
import { formatOf } from '../data/format.js';
import { truncated } from '../data/sequence.js';
import { column, readTable, type TableFormat } from '../data/table.js';
import { BOS, EOS, UNK, type Tokenizer } from '../data/tokenizers/index.js';
import type { DecodeOptions } from '../models/seq2seq/decode.js';
import { DataError } from '../util/errors.js';

export interface Pair {
  source: string;
  target: string;
}

function required(d: DataConfig, key: 'source_column' | 'target_column', file: string): string {
  const v = d[key];
  if (!v) throw new DataError(`${file}: seq2seq needs data.${key} (the column holding the ${key === 'source_column' ? 'source' : 'target'} text).`);
  return v;
}

/** The pairs of a table; rows with an empty source are a DataError listing their lines. */
export function readPairs(file: string, d: DataConfig, what = 'data file'): Pair[] {
  const t = readTable(file, formatOf(file, d.format, ['csv', 'tsv', 'jsonl'], 'seq2seq') as TableFormat, what);
  const sources = column(t, required(d, 'source_column', file), file, 'data.source_column');
  const targets = column(t, required(d, 'target_column', file), file, 'data.target_column');
  const empty = sources.flatMap((s, i) => (s.trim() === '' ? [t.line(i)] : []));
  if (empty.length) {
    throw new DataError(
      `${file}: ${empty.length} row(s) have an empty ${d.source_column} (line ${empty.slice(0, 5).join(', ')}${empty.length > 5 ? ', …' : ''}).\n` +
        'Every pair needs a source text; remove those rows.',
    );
  }
  return sources.map((source, i) => ({ source, target: targets[i] }));
}

/** What a seq2seq split holds beyond its tensors: references and decoding settings for the metrics. */
export class Seq2seqSplit implements Split {
  readonly size: number;
  readonly targetsPerExample: number;
  constructor(
    /** source ids, cut to data.seq_len */
    readonly sources: readonly (readonly number[])[],
    /** training targets: ids cut to max_length − 1, then <eos> */
    readonly targets: readonly (readonly number[])[],
    /** full target ids (no <eos>): the references decoding is scored against */
    readonly references: readonly (readonly number[])[],
    /** the source texts in target-tokenizer ids: the copy-the-source baseline */
    readonly copies: readonly (readonly number[])[],
    readonly decoding: DecodeOptions,
    readonly batchSize: number,
  ) {
    this.size = sources.length;
    this.targetsPerExample = targets.reduce((a, t) => a + t.length, 0) / Math.max(1, targets.length);
  }

  batch(indices: readonly number[]): Batch {
    const B = indices.length;
    const S = Math.max(1, ...indices.map((k) => this.sources[k].length));
    const T = Math.max(...indices.map((k) => this.targets[k].length));
    const src = new Int32Array(B * S);
    const dec = new Int32Array(B * T);
    const y = new Int32Array(B * T);
    const w = new Float32Array(B * T);
    indices.forEach((k, b) => {
      const t = this.targets[k];
      src.set(this.sources[k], b * S);
      y.set(t, b * T);
      dec[b * T] = BOS;
      dec.set(t.slice(0, t.length - 1), b * T + 1);
      w.fill(1, b * T, b * T + t.length);
    });
    return {
      xs: [tf.tensor2d(src, [B, S], 'int32'), tf.tensor2d(dec, [B, T], 'int32')],
      ys: tf.tensor2d(y, [B, T], 'int32'),
      weights: tf.tensor2d(w, [B, T], 'float32'),
    };
  }
}

export interface Encoders {
  source: Tokenizer;
  target: Tokenizer;
  /** target tokens decoded at most, <eos> included */
  maxLength: number;
}

/** Pairs → split; truncation and a high <unk> rate become warnings naming the split. */
export function toSplit(
  pairs: readonly Pair[],
  enc: Encoders,
  d: DataConfig,
  decoding: DecodeOptions,
  batchSize: number,
  name: string,
  warnings: string[],
): Seq2seqSplit {
  const fullSources = pairs.map((p) => enc.source.encode(p.source));
  const references = pairs.map((p) => enc.target.encode(p.target));
  const sources = fullSources.map((s) => truncated(s, d.seq_len, d.truncate));
  const targets = references.map((r) => [...r.slice(0, enc.maxLength - 1), EOS]);
  const cutS = fullSources.filter((s) => s.length > d.seq_len).length;
  if (cutS) warnings.push(`${name}: ${cutS} source(s) are longer than data.seq_len = ${d.seq_len} tokens and were cut (${d.truncate}); raise data.seq_len to keep them.`);
  const cutT = references.filter((r) => r.length >= enc.maxLength).length;
  if (cutT) warnings.push(`${name}: ${cutT} target(s) need more than model.max_length = ${enc.maxLength} tokens (with <eos>); they are trained cut and decoded cut.`);
  for (const [what, seqs] of [['source', fullSources], ['target', references]] as const) {
    let unk = 0;
    let all = 0;
    for (const s of seqs) for (const id of s) (all++, id === UNK && unk++);
    if (all && unk / all > 0.01) warnings.push(`${name}: ${((100 * unk) / all).toFixed(1)}% of the ${what} tokens are <unk> (not in the training vocabulary).`);
  }
  const copies = pairs.map((p) => enc.target.encode(p.source));
  return new Seq2seqSplit(sources, targets, references, copies, decoding, batchSize);
}
