/** Language modelling: next-token prediction over windows of a corpus. */
import { tf } from '../backend/index.js';
import type { Config } from '../config/schema/index.js';
import type { Split } from '../data/batch.js';
import { fileRecord, trainFiles } from '../data/files.js';
import { windows, type WindowSplit } from '../data/lm.js';
import { streams } from '../data/streams.js';
import { documentStream, splitDocuments } from '../data/documents.js';
import { readText } from '../data/read.js';
import { carve } from '../data/split.js';
import { readCorpus, type CorpusProgress, type TokenIds } from '../data/corpus.js';
import { fitTokenizer, loadTokenizer, type Tokenizer, type TokenizerJSON } from '../data/tokenizers/index.js';
import { DataError } from '../util/errors.js';
import { sparseCrossEntropy } from './losses.js';
import type { Artifacts, MetricAccumulator, Prepared, TaskSpec } from './types.js';

function tokenizerFrom(artifacts: Artifacts | undefined): Tokenizer | undefined {
  const j = artifacts?.tokenizer as TokenizerJSON | undefined;
  return j ? loadTokenizer(j, 'tokenizer.json') : undefined;
}

/** Notes the pieces of `text` the vocabulary lacks (they become <unk>). */
function warnUnknown(tok: Tokenizer, text: string, what: string, warnings: string[]): void {
  noteUnknown(tok.unknownPieces(text), what, warnings);
}

function noteUnknown(unknown: string[], what: string, warnings: string[]): void {
  if (unknown.length) {
    const shown = unknown.slice(0, 10).map((c) => JSON.stringify(c)).join(' ');
    warnings.push(`${what}: ${unknown.length} piece(s) not in the vocabulary, mapped to <unk>: ${shown}${unknown.length > 10 ? ' …' : ''}`);
  }
}

/** A text as the units the corpus is made of: itself, or its documents. */
function documents(text: string, mode: Config['data']['documents']): string[] {
  return mode === 'none' ? [text] : splitDocuments(text, mode);
}

/** Token ids of a split: the running text, or <bos> doc <eos> per document. */
function encodeParts(tok: Tokenizer, parts: string[], mode: Config['data']['documents'], what: string, warnings: string[]): Int32Array {
  warnUnknown(tok, parts.join('\n'), what, warnings);
  return mode === 'none' ? Int32Array.from(tok.encode(parts.join(''))) : documentStream(parts.map((p) => tok.encode(p)));
}

/** A language model reads plain text; a format set to anything else is a mistake. */
function checkFormat(cfg: Config, files: string[]): void {
  if (cfg.data.format !== null && cfg.data.format !== 'text') {
    throw new DataError(`${files[0]}: language_model reads plain text (data.format: text), not ${cfg.data.format}.`);
  }
}

/** Loss, perplexity and bits per token from summed negative log-likelihood (nats). */
class LmMetrics implements MetricAccumulator {
  private nll = 0;
  private n = 0;
  add(outputs: tf.Tensor, ys: tf.Tensor, weights?: tf.Tensor): void {
    const count = weights ? weights.sum().dataSync()[0] : ys.size;
    const mean = tf.tidy(() => sparseCrossEntropy(outputs, ys, weights));
    this.nll += mean.dataSync()[0] * count;
    this.n += count;
    mean.dispose();
  }
  result(): Record<string, number> {
    const loss = this.nll / Math.max(1, this.n);
    return { loss, perplexity: Math.exp(loss), bits_per_token: loss / Math.LN2, tokens: this.n };
  }
}

export const languageModel: TaskSpec = {
  task: 'language_model',

  prepare(cfg: Config, artifacts?: Artifacts, onProgress?: (p: CorpusProgress) => void): Prepared {
    const d = cfg.data;
    const files = trainFiles(d.train);
    checkFormat(cfg, files);
    const what = files.length === 1 ? files[0] : `${files.length} training files`;
    // one running text: read in chunks into typed ids (src/data/corpus.ts), never held whole
    const corpus = d.documents === 'none' ? readCorpus(files, d, what, tokenizerFrom(artifacts), onProgress) : undefined;
    // files are joined so that no document spans two files
    const text = corpus ? '' : files.map((f) => readText(f, 'training file')).join(d.documents === 'blank_lines' ? '\n\n' : '\n');
    // carve in order: by characters for one running text, by documents otherwise
    const docs = d.documents === 'none' ? undefined : splitDocuments(text, d.documents);
    const n = docs ? docs.length : corpus!.units;
    const vFrac = typeof d.valid === 'number' ? d.valid : 0;
    const tFrac = typeof d.test === 'number' ? d.test : 0;
    const r = carve(n, vFrac, tFrac, what);
    const slice = ([a, b]: [number, number]) => docs!.slice(a, b);
    const part = (k: 'valid' | 'test', frac: number | string, range: [number, number]): string[] | TokenIds | undefined => {
      if (typeof frac === 'string') return documents(readText(frac, `${k} file`), d.documents);
      if (frac === 0) return undefined;
      if (range[1] === range[0]) throw new DataError(`${what}: data.${k}: ${frac} of ${n} ${docs ? 'documents' : 'characters'} is an empty split; add data or set data.${k}: 0.`);
      return corpus ? corpus[k] : slice(range);
    };
    const trainParts = corpus ? undefined : slice(r.train);
    const tok = corpus?.tok ?? tokenizerFrom(artifacts) ?? fitTokenizer(trainParts!, d.tokenizer);
    const warnings: string[] = [];
    const split = (key: 'train' | 'valid' | 'test', t: string[] | TokenIds | undefined, name: string): WindowSplit | undefined => {
      if (t === undefined) return undefined;
      if (Array.isArray(t)) return windows(encodeParts(tok, t, d.documents, name, warnings), d, name);
      noteUnknown([...corpus!.unknown[key]], name, warnings);
      return windows(t, d, name);
    };
    // train.tbptt: batch_size contiguous streams read chunk by chunk, the state carried (train/tbptt.ts)
    const trainName = `train split of ${what}`;
    const tbptt = cfg.train.tbptt;
    const trainIds = () => (corpus ? (noteUnknown([...corpus.unknown.train], trainName, warnings), corpus.train) : encodeParts(tok, trainParts!, d.documents, trainName, warnings));
    const train: Split = tbptt === null ? split('train', corpus ? corpus.train : trainParts, trainName)! : streams(trainIds(), cfg.train.batch_size, tbptt, d.documents !== 'none', trainName);
    const recs = [...files, ...[d.valid, d.test].filter((x): x is string => typeof x === 'string')].map(fileRecord);
    return {
      info: { seqLen: d.seq_len, vocabSize: tok.vocabSize },
      train,
      valid: split('valid', part('valid', d.valid, r.valid), typeof d.valid === 'string' ? d.valid : `valid split of ${what}`),
      test: split('test', part('test', d.test, r.test), typeof d.test === 'string' ? d.test : `test split of ${what}`),
      artifacts: { tokenizer: tok.toJSON() },
      files: recs,
      warnings,
    };
  },

  fileSplit(cfg, artifacts, file) {
    const tok = tokenizerFrom(artifacts)!;
    const warnings: string[] = [];
    const parts = documents(readText(file), cfg.data.documents);
    const split = windows(encodeParts(tok, parts, cfg.data.documents, file, warnings), cfg.data, file);
    return { split, warnings };
  },

  loss: (outputs, ys, weights) => sparseCrossEntropy(outputs, ys, weights),
  metrics: () => new LmMetrics(),

  /** unigram model with add-one smoothing, fitted on the training windows' targets */
  baseline(train: Split, split: Split, info) {
    const V = info.vocabSize!;
    const counts = new Float64Array(V).fill(1);
    const ids = (s: Split) => (s as WindowSplit).ids;
    for (const id of ids(train)) counts[id]++;
    const total = counts.reduce((a, b) => a + b, 0);
    let nll = 0;
    const w = split as WindowSplit;
    let n = 0;
    for (let k = 0; k < w.size; k++) {
      const s = w.start(k);
      for (let t = s + 1; t <= s + w.seqLen; t++, n++) nll -= Math.log(counts[w.ids[t]] / total);
    }
    const loss = nll / Math.max(1, n);
    return { unigram_loss: loss, unigram_perplexity: Math.exp(loss), unigram_bits_per_token: loss / Math.LN2 };
  },
};
