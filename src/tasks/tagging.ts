/**
 * Tagging: one tag per token, from CoNLL files (`token<TAB>tag`, blank line between sentences).
 * Tokens keep their CoNLL segmentation (the word tokenizer maps each to one id), so tags stay
 * aligned; padding carries weight 0 and never counts in loss or metrics.
 */
import { tf } from '../backend/index.js';
import type { Config, DataConfig } from '../config/schema/index.js';
import type { Split } from '../data/batch.js';
import { readConll, type Sentence } from '../data/conll.js';
import { TagSplit } from '../data/examples.js';
import { fileRecord, trainFiles } from '../data/files.js';
import { formatOf } from '../data/format.js';
import { LabelIndex, fitLabels, labelsFrom } from '../data/labels.js';
import { readText } from '../data/read.js';
import { padInto } from '../data/sequence.js';
import { carveExamples } from '../data/split.js';
import { UNK, WordTokenizer, splitWords, type TokenizerJSON } from '../data/tokenizers/index.js';
import { DataError } from '../util/errors.js';
import { ClassMetrics, Confusion, classResult, knownLabelCrossEntropy } from './confusion.js';
import { predict as apply } from './score.js';
import type { Artifacts, Prepared, TaskSpec } from './types.js';

function readSentences(file: string, d: DataConfig, what = 'data file'): Sentence[] {
  formatOf(file, d.format, ['conll'], 'tagging');
  return readConll(file, { what });
}

function wordTokenizer(d: DataConfig, fitOn: Sentence[] | undefined, artifacts: Artifacts | undefined): WordTokenizer {
  if (artifacts?.tokenizer) return WordTokenizer.fromJSON(artifacts.tokenizer as TokenizerJSON);
  if (d.tokenizer.type !== 'word') {
    throw new DataError(`tagging needs data.tokenizer.type: word (one id per CoNLL token, so tags stay aligned), not ${d.tokenizer.type}.`);
  }
  return WordTokenizer.fitTokens(fitOn!.map((s) => s.tokens), d.tokenizer);
}

function toSplit(sents: Sentence[], tok: WordTokenizer, tags: string[], d: DataConfig, name: string, warnings: string[]): TagSplit {
  const index = new LabelIndex(tags);
  const ids = sents.map((s) => tok.encodeTokens(s.tokens));
  const y = sents.map((s) => s.tags.map((t) => index.id(t)));
  if (index.unseen.length) {
    const n = y.reduce((a, s) => a + s.filter((v) => v >= tags.length).length, 0);
    warnings.push(`${name}: ${n} token(s) have tag(s) training never saw (${index.unseen.slice(0, 10).join(', ')}); they are counted as wrong.`);
  }
  const long = sents.filter((s) => s.tokens.length > d.seq_len);
  if (long.length) {
    warnings.push(
      `${name}: ${long.length} sentence(s) are longer than data.seq_len = ${d.seq_len} (first at line ${long[0].line}); ` +
        `their ${d.truncate === 'post' ? 'last' : 'first'} tokens are cut and not scored. Raise data.seq_len to keep them.`,
    );
  }
  return new TagSplit(ids, y, d.seq_len, d.truncate, index.names, tags.length);
}

const labelsOf = (a: Artifacts) => labelsFrom(a.labels, 'labels.json');

export const tagging: TaskSpec = {
  task: 'tagging',

  prepare(cfg: Config, artifacts?: Artifacts): Prepared {
    const d = cfg.data;
    const files = trainFiles(d.train);
    const what = files.length === 1 ? files[0] : `${files.length} training files`;
    const carved = carveExamples(files.flatMap((f) => readSentences(f, d, 'training file')), d, cfg.seed, what);
    const fromFile = (k: 'valid' | 'test') => (typeof d[k] === 'string' ? readSentences(d[k] as string, d, `${k} file`) : carved[k]);
    const tags = artifacts?.labels ? labelsOf(artifacts) : fitLabels(carved.train.flatMap((s) => s.tags));
    const tok = wordTokenizer(d, carved.train, artifacts);
    const warnings: string[] = [];
    const split = (s: Sentence[] | undefined, name: string) => (s ? toSplit(s, tok, tags, d, name, warnings) : undefined);
    const name = (k: 'valid' | 'test') => (typeof d[k] === 'string' ? (d[k] as string) : `${k} split of ${what}`);
    return {
      info: { seqLen: d.seq_len, vocabSize: tok.vocabSize, numClasses: tags.length },
      train: split(carved.train, `train split of ${what}`)!,
      valid: split(fromFile('valid'), name('valid')),
      test: split(fromFile('test'), name('test')),
      artifacts: { tokenizer: tok.toJSON(), labels: { labels: tags } },
      files: [...files, ...[d.valid, d.test].filter((x): x is string => typeof x === 'string')].map(fileRecord),
      warnings,
    };
  },

  fileSplit(cfg, artifacts, file) {
    const warnings: string[] = [];
    const tok = wordTokenizer(cfg.data, undefined, artifacts);
    return { split: toSplit(readSentences(file, cfg.data), tok, labelsOf(artifacts), cfg.data, file, warnings), warnings };
  },

  loss: (outputs, ys, weights) => knownLabelCrossEntropy(outputs, ys, weights),
  metrics: (split) => new ClassMetrics(split, { unit: 'tokens', perClass: false }),

  /** each token's most frequent training tag; tokens unseen in training get the most frequent tag overall */
  baseline(train: Split, split: Split) {
    const tr = train as TagSplit;
    const C = tr.numClasses;
    const byToken = new Map<number, Float64Array>();
    const overall = new Float64Array(C);
    const T = tr.seqLen;
    const kept = (s: TagSplit, k: number) => {
      const n = Math.min(s.ids[k].length, T);
      return s.truncate === 'pre' ? [s.ids[k].slice(-n), s.tags[k].slice(-n)] : [s.ids[k].slice(0, n), s.tags[k].slice(0, n)];
    };
    for (let k = 0; k < tr.size; k++) {
      const [ids, tags] = kept(tr, k);
      ids.forEach((id, i) => {
        let row = byToken.get(id);
        if (!row) byToken.set(id, (row = new Float64Array(C)));
        row[tags[i]]++;
        overall[tags[i]]++;
      });
    }
    const argmax = (a: Float64Array) => a.indexOf(Math.max(...a));
    const fallback = argmax(overall);
    const s = split as TagSplit;
    const cm = new Confusion(C);
    for (let k = 0; k < s.size; k++) {
      const [ids, tags] = kept(s, k);
      ids.forEach((id, i) => cm.add(tags[i], id !== UNK && byToken.has(id) ? argmax(byToken.get(id)!) : fallback));
    }
    const r = classResult(cm, s.names, { unit: 'tokens', perClass: false });
    return { most_frequent_tag_accuracy: r.accuracy, most_frequent_tag_macro_f1: r.macro_f1 };
  },

  predict(model, cfg, artifacts, input) {
    const tok = wordTokenizer(cfg.data, undefined, artifacts);
    const tags = labelsOf(artifacts);
    const sentences = input.text !== undefined ? [splitWords(input.text)] : predictSentences(input.file!);
    const T = cfg.data.seq_len;
    // long sentences are tagged seq_len tokens at a time, so every token gets a tag
    const pieces = sentences.flatMap((s, i) => Array.from({ length: Math.max(1, Math.ceil(s.length / T)) }, (_, j) => ({ i, tokens: s.slice(j * T, (j + 1) * T) })));
    const out = sentences.map(() => [] as string[]);
    const B = cfg.train.eval_batch_size;
    for (let b0 = 0; b0 < pieces.length; b0 += B) {
      const batch = pieces.slice(b0, b0 + B);
      const x = new Int32Array(batch.length * T);
      batch.forEach((p, b) => padInto(x, b * T, tok.encodeTokens(p.tokens), T, 'post'));
      const pred = tf.tidy(() => apply(model, [tf.tensor2d(x, [batch.length, T], 'int32')]).argMax(-1));
      const ids = pred.arraySync() as number[][];
      pred.dispose();
      batch.forEach((p, b) => out[p.i].push(...p.tokens.map((_, t) => tags[ids[b][t]])));
    }
    const results = sentences.map((tokens, i) => ({ tokens, tags: out[i] }));
    const render = results.map((r) => r.tokens.map((t, i) => `${t}/${r.tags[i]}`).join(' ')).join('\n');
    const unknown = [...new Set(sentences.flat().filter((w) => tok.encodeTokens([w])[0] === UNK))];
    const warnings = unknown.length ? [`not in the vocabulary, read as <unk>: ${unknown.slice(0, 10).join(' ')}${unknown.length > 10 ? ' …' : ''}`] : [];
    return { results, render, warnings };
  },
};

/** Sentences to tag from a file: the first column of a CoNLL file, or the words of each non-empty line. */
function predictSentences(file: string): string[][] {
  if (formatOf(file, null, ['conll', 'text'], 'tagging predict') === 'conll') return readConll(file, { tags: false }).map((s) => s.tokens);
  return readText(file)
    .split(/\r?\n/)
    .filter((l) => l.trim() !== '')
    .map(splitWords);
}
