/**
 * Masked-token pre-training (BERT, Devlin et al. 2019) on plain text, for a transformer encoder
 * that `train.init_from` later fine-tunes for classification or tagging. The text is read, split
 * and tokenized exactly as for language_model; each seq_len window is one example in which 15% of
 * the positions (at least one) are chosen, and of those 80% become [MASK], 10% a random token and
 * 10% stay; the model predicts the original token at the chosen positions only.
 * [MASK] is one id past the tokenizer's vocabulary, so the model's input vocabulary is V + 1.
 * Training masks are drawn afresh for every batch (dynamic masking, RoBERTa) from a seeded stream;
 * validation, test and eval masks are fixed per window, so scores are comparable between runs.
 */
import { tf } from '../backend/index.js';
import type { Config } from '../config/schema/index.js';
import type { Split } from '../data/batch.js';
import type { WindowSplit } from '../data/lm.js';
import { SPECIAL_TOKENS } from '../data/tokenizers/index.js';
import { Rng } from '../util/rng.js';
import { languageModel } from './language_model.js';
import { sparseCrossEntropy } from './losses.js';
import type { MetricAccumulator, TaskSpec } from './types.js';

export const MASK_RATE = 0.15;

export class MaskedSplit implements Split {
  readonly size: number;
  readonly targetsPerExample: number;
  private readonly stream: Rng | undefined;
  /**
   * @param maskId the [MASK] id (the tokenizer's vocabulary size)
   * @param dynamic fresh masks on every call (training) or fixed per window (evaluation)
   */
  constructor(
    readonly windows: WindowSplit,
    readonly maskId: number,
    private readonly seed: number,
    dynamic: boolean,
  ) {
    this.size = windows.size;
    this.targetsPerExample = Math.max(1, Math.round(windows.seqLen * MASK_RATE));
    this.stream = dynamic ? new Rng(seed) : undefined;
  }

  /** xs: [[B, T] int32] with masks applied, ys: [B, T] int32 original ids, weights: [B, T] 1 at chosen positions */
  batch(indices: readonly number[]) {
    const T = this.windows.seqLen;
    const B = indices.length;
    const x = new Int32Array(B * T);
    const y = new Int32Array(B * T);
    const w = new Float32Array(B * T);
    indices.forEach((k, b) => {
      const rng = this.stream ?? new Rng(this.seed * 7919 + k);
      const s = this.windows.start(k);
      const o = b * T;
      y.set(this.windows.ids.subarray(s, s + T), o);
      x.set(y.subarray(o, o + T), o);
      let chosen = 0;
      for (let t = 0; t < T; t++) if (rng.next() < MASK_RATE) (w[o + t] = 1), chosen++;
      if (chosen === 0) w[o + rng.int(T)] = 1;
      for (let t = 0; t < T; t++) {
        if (w[o + t] === 0) continue;
        const r = rng.next();
        if (r < 0.8) x[o + t] = this.maskId;
        else if (r < 0.9) x[o + t] = SPECIAL_TOKENS.length + rng.int(this.maskId - SPECIAL_TOKENS.length);
      }
    });
    return {
      xs: [tf.tensor2d(x, [B, T], 'int32')],
      ys: tf.tensor2d(y, [B, T], 'int32'),
      weights: tf.tensor2d(w, [B, T], 'float32'),
    };
  }
}

/** Loss, perplexity and accuracy over the chosen (masked) positions. */
class MaskedMetrics implements MetricAccumulator {
  private nll = 0;
  private hits = 0;
  private n = 0;
  add(outputs: tf.Tensor, ys: tf.Tensor, weights?: tf.Tensor): void {
    const [count, mean, hits] = tf.tidy(() => {
      const w = weights!.cast('float32');
      const right = outputs.argMax(-1).equal(ys.cast('int32')).cast('float32').mul(w).sum();
      return [w.sum(), sparseCrossEntropy(outputs, ys, w), right];
    });
    const c = count.dataSync()[0];
    this.nll += mean.dataSync()[0] * c;
    this.hits += hits.dataSync()[0];
    this.n += c;
    tf.dispose([count, mean, hits]);
  }
  result(): Record<string, number> {
    const loss = this.nll / Math.max(1, this.n);
    return { loss, perplexity: Math.exp(loss), masked_accuracy: this.hits / Math.max(1, this.n), masked_tokens: this.n };
  }
}

/** The language-model reading of the data, without tbptt chunks (a masked model sees whole windows). */
const asText = (cfg: Config): Config => ({ ...cfg, train: { ...cfg.train, tbptt: null } });

export const maskedLm: TaskSpec = {
  task: 'masked_lm',

  prepare(cfg, artifacts) {
    const lm = languageModel.prepare(asText(cfg), artifacts);
    const V = lm.info.vocabSize!;
    const wrap = (s: Split | undefined, seed: number, dynamic: boolean) => (s ? new MaskedSplit(s as WindowSplit, V, seed, dynamic) : undefined);
    return {
      ...lm,
      info: { ...lm.info, vocabSize: V + 1 },
      train: wrap(lm.train, cfg.seed, true)!,
      valid: wrap(lm.valid, cfg.seed + 1, false),
      test: wrap(lm.test, cfg.seed + 2, false),
    };
  },

  fileSplit(cfg, artifacts, file) {
    const { split, warnings } = languageModel.fileSplit(asText(cfg), artifacts, file);
    const V = (artifacts.tokenizer as { vocab: string[] }).vocab.length;
    return { split: new MaskedSplit(split as WindowSplit, V, cfg.seed + 3, false), warnings };
  },

  loss: (outputs, ys, weights) => sparseCrossEntropy(outputs, ys, weights),
  metrics: () => new MaskedMetrics(),

  /** the most frequent training token guessed at every masked position (unigram with add-one smoothing) */
  baseline(train: Split, split: Split, info) {
    const V = info.vocabSize!;
    const counts = new Float64Array(V).fill(1);
    for (const id of (train as MaskedSplit).windows.ids) counts[id]++;
    const total = counts.reduce((a, b) => a + b, 0);
    const top = counts.indexOf(Math.max(...counts));
    const m = split as MaskedSplit;
    let nll = 0;
    let hits = 0;
    let n = 0;
    for (let start = 0; start < m.size; start += 256) {
      const idx = Array.from({ length: Math.min(256, m.size - start) }, (_, i) => start + i);
      const b = m.batch(idx);
      const y = b.ys.dataSync();
      const w = b.weights.dataSync();
      for (let i = 0; i < y.length; i++) {
        if (w[i] === 0) continue;
        nll -= Math.log(counts[y[i]] / total);
        hits += y[i] === top ? 1 : 0;
        n++;
      }
      tf.dispose([...b.xs, b.ys, b.weights]);
    }
    const loss = nll / Math.max(1, n);
    return { unigram_loss: loss, unigram_perplexity: Math.exp(loss), most_frequent_accuracy: hits / Math.max(1, n) };
  },
};
