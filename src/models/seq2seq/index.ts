/**
 * `model.type: seq2seq`: a functional model with two inputs,
 *   source ids [B, S] int32 (0 = pad), decoder input ids [B, T] int32 (<bos> + target, shifted)
 *   → logits [B, T, V_target]
 * made of two layers, `encoder` (SeqnetSeq2seqEncoder) and `decoder` (SeqnetSeq2seqDecoder).
 * Decoding (decode.ts) calls the two layers directly, carrying the decoder state step to step.
 */
import { tf } from '../../backend/index.js';
import type { Seq2seqConfig } from '../../config/schema/seq2seq.js';
import { RunError } from '../../util/errors.js';
import { Rng } from '../../util/rng.js';
import type { ModelFamily } from '../types.js';
import { SeqnetSeq2seqDecoder } from './decoder.js';
import { SeqnetSeq2seqEncoder } from './encoder.js';

export { SeqnetSeq2seqAttention } from './attention.js';
export { SeqnetSeq2seqDecoder } from './decoder.js';
export { SeqnetSeq2seqEncoder, type Memory } from './encoder.js';

export const seq2seqFamily: ModelFamily<Seq2seqConfig> = {
  build(cfg, ctx) {
    const { info } = ctx;
    if (!info.vocabSize || !info.targetVocabSize) throw new Error('seq2seq needs the source and target vocabulary sizes in DataInfo');
    const rng = new Rng(ctx.seed);
    const source = tf.input({ shape: [null], dtype: 'int32', name: 'source' });
    const decoderInput = tf.input({ shape: [null], dtype: 'int32', name: 'decoder_input' });
    const encoder = new SeqnetSeq2seqEncoder({
      cell: cfg.encoder,
      units: cfg.units,
      layers: cfg.layers,
      bidirectional: cfg.bidirectional,
      vocabSize: info.vocabSize,
      embeddingDim: cfg.embedding_dim,
      dropout: cfg.dropout,
      seed: rng.fork(),
      name: 'encoder',
    });
    const [outputs, ...states] = encoder.apply(source) as tf.SymbolicTensor[]; // [B,S,H], [B,H]…
    const decoder = new SeqnetSeq2seqDecoder({
      cell: cfg.encoder,
      units: encoder.width,
      layers: cfg.layers,
      vocabSize: info.targetVocabSize,
      embeddingDim: cfg.embedding_dim,
      attention: cfg.attention,
      sourceLength: info.seqLen,
      dropout: cfg.dropout,
      teacherForcing: cfg.teacher_forcing,
      seed: rng.fork(),
      name: 'decoder',
    });
    const logits = decoder.apply([decoderInput, source, outputs, ...states]) as tf.SymbolicTensor; // [B,T,V]
    return tf.model({ inputs: [source, decoderInput], outputs: logits, name: 'seq2seq' });
  },
};

/** The encoder and decoder layers of a seq2seq model (a RunError for any other model). */
export function seq2seqParts(model: tf.LayersModel): { encoder: SeqnetSeq2seqEncoder; decoder: SeqnetSeq2seqDecoder } {
  const find = (name: string) => model.layers.find((l) => l.name === name);
  const encoder = find('encoder');
  const decoder = find('decoder');
  if (!(encoder instanceof SeqnetSeq2seqEncoder) || !(decoder instanceof SeqnetSeq2seqDecoder)) {
    throw new RunError(`model \`${model.name}\` is not a seq2seq model (it has no encoder/decoder layers)`);
  }
  return { encoder, decoder };
}
