/**
 * Seq2seq scores. Loss and perplexity come from the teacher-forced outputs (padding excluded);
 * exact match, token accuracy and corpus BLEU come from decoding every source of the split with
 * the model (greedy or beam, as configured), compared with the full references.
 */
import { tf } from '../backend/index.js';
import { EOS } from '../data/tokenizers/types.js';
import { decodeAll } from '../models/seq2seq/decode.js';
import { corpusBleu } from './bleu.js';
import { sparseCrossEntropy } from './losses.js';
import type { Seq2seqSplit } from './seq2seq_pairs.js';
import type { MetricAccumulator } from './types.js';

/** ids up to (not including) the first <eos> */
export const stripEos = (ids: readonly number[]): number[] => {
  const i = ids.indexOf(EOS);
  return (i < 0 ? ids : ids.slice(0, i)) as number[];
};

/**
 * Exact match (whole target right), token accuracy (share of reference positions, <eos> included,
 * where the output has the same token) and corpus BLEU-4 of `outputs` against `references`.
 */
export function matchScores(outputs: readonly (readonly number[])[], references: readonly (readonly number[])[]): Record<string, number> {
  let exact = 0;
  let right = 0;
  let total = 0;
  outputs.forEach((o, i) => {
    const ref = [...references[i], EOS];
    const out = [...o, EOS];
    if (o.length === references[i].length && o.every((id, t) => id === references[i][t])) exact++;
    ref.forEach((id, t) => (right += out[t] === id ? 1 : 0));
    total += ref.length;
  });
  const n = Math.max(1, outputs.length);
  return { exact_match: exact / n, token_accuracy: right / Math.max(1, total), bleu: corpusBleu(outputs, references).bleu };
}

export class Seq2seqMetrics implements MetricAccumulator {
  private nll = 0;
  private n = 0;
  constructor(
    private readonly split: Seq2seqSplit,
    private readonly model?: tf.LayersModel,
  ) {}

  add(outputs: tf.Tensor, ys: tf.Tensor, weights?: tf.Tensor): void {
    const count = weights ? tf.tidy(() => weights.sum().dataSync()[0]) : ys.size;
    const mean = sparseCrossEntropy(outputs, ys, weights);
    this.nll += mean.dataSync()[0] * count;
    this.n += count;
    mean.dispose();
  }

  result(): Record<string, number> {
    const loss = this.nll / Math.max(1, this.n);
    const out: Record<string, number> = { loss, perplexity: Math.exp(loss) };
    if (!this.model) return out;
    const decoded = decodeAll(this.model, this.split.sources, this.split.decoding, this.split.batchSize);
    return { ...out, ...matchScores(decoded.map((d) => stripEos(d.ids)), this.split.references), examples: this.split.size };
  }
}
