/**
 * The seqnet layer classes an export may keep, because no standard TensorFlow.js layer computes
 * the same function. `seqnet/layers` (src/web/layers) registers a browser implementation of each.
 */
import type { SavedLayer } from './saved.js';

export const CUSTOM_CLASSES: readonly string[] = [
  'SeqnetRecurrent', 'SeqnetMerge', 'SeqnetPool', 'SeqnetBowFeatures', 'SeqnetDense', 'SeqnetPositional', 'SeqnetClsToken', 'SeqnetTransformerBlock',
  'SeqnetSeq2seqEncoder', 'SeqnetSeq2seqDecoder', 'SeqnetSeq2seqAttention',
];

/** Why a kept layer is not standard, for messages and the README table. */
export function customReason(l: SavedLayer): string {
  switch (l.class_name) {
    case 'SeqnetRecurrent':
      return `SeqnetRecurrent, cell ${String(l.config.cell)}: seqnet's GRU applies the reset gate after the recurrent product (Keras reset_after=true), TensorFlow.js' GRU only before it; train lstm or rnn for a pure export`;
    case 'SeqnetMerge':
      return 'SeqnetMerge: the tfjs Add/Concatenate layers break the padding mask, and this merge joins two seqnet recurrent layers';
    case 'SeqnetPool':
      return 'SeqnetPool: global pooling over the real tokens only (padding excluded), which standard pooling layers cannot do';
    case 'SeqnetDense':
      return 'SeqnetDense with exact (erf) GELU: the tfjs gelu activation is the tanh approximation';
    case 'SeqnetPositional':
      return 'SeqnetPositional: a position table added to the embeddings, which no standard layer does';
    case 'SeqnetClsToken':
      return 'SeqnetClsToken: a learned [CLS] vector prepended to the sequence';
    case 'SeqnetTransformerBlock':
      return 'SeqnetTransformerBlock: TensorFlow.js has no multi-head attention layer';
    case 'SeqnetSeq2seqEncoder':
    case 'SeqnetSeq2seqDecoder':
    case 'SeqnetSeq2seqAttention':
      return `${l.class_name}: the seq2seq encoder/decoder step their states with attention, which no standard layer does`;
    case 'SeqnetBowFeatures':
      return 'SeqnetBowFeatures: n-gram counting of token ids, which is not a tensor layer';
    default:
      return l.class_name;
  }
}
