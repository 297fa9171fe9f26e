/**
 * Classification: a text column → one label per row (CSV / TSV / JSONL). Texts are tokenized,
 * padded or truncated to seq_len; labels are the training split's distinct values.
 */
import { tf } from '../backend/index.js';
import type { Config, DataConfig } from '../config/schema/index.js';
import type { Split } from '../data/batch.js';
import { ClassifySplit } from '../data/examples.js';
import { fileRecord, trainFiles } from '../data/files.js';
import { formatOf } from '../data/format.js';
import { LabelIndex, fitLabels, labelsFrom } from '../data/labels.js';
import { readText } from '../data/read.js';
import { padInto } from '../data/sequence.js';
import { carveExamples } from '../data/split.js';
import { column, readTable, type TableFormat } from '../data/table.js';
import { UNK, fitTokenizer, loadTokenizer, type Tokenizer, type TokenizerJSON } from '../data/tokenizers/index.js';
import { DataError, SeqnetError } from '../util/errors.js';
import { ClassMetrics, Confusion, classResult, knownLabelCrossEntropy } from './confusion.js';
import { predict as apply } from './score.js';
import type { Artifacts, Prepared, TaskSpec } from './types.js';

interface Example {
  text: string;
  label: string;
}

function required(d: DataConfig, key: 'text_column' | 'label_column', file: string): string {
  const v = d[key];
  if (!v) throw new DataError(`${file}: classification needs data.${key} (the column holding the ${key === 'text_column' ? 'text' : 'label'}).`);
  return v;
}

/** Rows of a table as examples; empty labels are a DataError listing their lines. */
export function readExamples(file: string, d: DataConfig, what = 'data file'): Example[] {
  const t = readTable(file, formatOf(file, d.format, ['csv', 'tsv', 'jsonl'], 'classification') as TableFormat, what);
  const texts = column(t, required(d, 'text_column', file), file, 'data.text_column');
  const labels = column(t, required(d, 'label_column', file), file, 'data.label_column').map((l) => l.trim());
  const empty = labels.flatMap((l, i) => (l === '' ? [t.line(i)] : []));
  if (empty.length) {
    throw new DataError(
      `${file}: ${empty.length} row(s) have an empty ${d.label_column} (line ${empty.slice(0, 5).join(', ')}${empty.length > 5 ? ', …' : ''}).\nGive every row a label or remove those rows.`,
    );
  }
  return texts.map((text, i) => ({ text, label: labels[i] }));
}

/** Encodes examples into a split; unseen labels and a high <unk> rate become warnings. */
function toSplit(ex: Example[], tok: Tokenizer, labels: string[], d: DataConfig, name: string, warnings: string[]): ClassifySplit {
  const index = new LabelIndex(labels);
  const ids = ex.map((e) => tok.encode(e.text));
  const y = Int32Array.from(ex, (e) => index.id(e.label));
  if (index.unseen.length) {
    const n = y.filter((v) => v >= labels.length).length;
    warnings.push(`${name}: ${n} example(s) have label(s) training never saw (${index.unseen.slice(0, 10).join(', ')}); they are counted as wrong.`);
  }
  let unk = 0;
  let all = 0;
  for (const s of ids) {
    all += s.length;
    unk += s.filter((id) => id === UNK).length;
  }
  if (all && unk / all > 0.1) warnings.push(`${name}: ${((100 * unk) / all).toFixed(1)}% of the tokens are <unk> (not in the training vocabulary).`);
  return new ClassifySplit(ids, y, d.seq_len, d.truncate, index.names, labels.length);
}

const tokenizerOf = (a: Artifacts) => loadTokenizer(a.tokenizer as TokenizerJSON, 'tokenizer.json');

export const classification: TaskSpec = {
  task: 'classification',

  prepare(cfg: Config, artifacts?: Artifacts): Prepared {
    const d = cfg.data;
    const files = trainFiles(d.train);
    const what = files.length === 1 ? files[0] : `${files.length} training files`;
    const carved = carveExamples(files.flatMap((f) => readExamples(f, d, 'training file')), d, cfg.seed, what);
    const fromFile = (k: 'valid' | 'test') => (typeof d[k] === 'string' ? readExamples(d[k] as string, d, `${k} file`) : carved[k]);
    const labels = artifacts?.labels ? labelsFrom(artifacts.labels, 'labels.json') : fitLabels(carved.train.map((e) => e.label));
    if (labels.length < 2) throw new DataError(`${what}: the training split has only one label (${labels[0]}); classification needs at least two.`);
    const tok = artifacts?.tokenizer ? tokenizerOf(artifacts) : fitTokenizer(carved.train.map((e) => e.text), d.tokenizer);
    const warnings: string[] = [];
    const split = (ex: Example[] | undefined, name: string) => (ex ? toSplit(ex, tok, labels, d, name, warnings) : undefined);
    const name = (k: 'valid' | 'test') => (typeof d[k] === 'string' ? (d[k] as string) : `${k} split of ${what}`);
    return {
      info: { seqLen: d.seq_len, vocabSize: tok.vocabSize, numClasses: labels.length },
      train: split(carved.train, `train split of ${what}`)!,
      valid: split(fromFile('valid'), name('valid')),
      test: split(fromFile('test'), name('test')),
      artifacts: { tokenizer: tok.toJSON(), labels: { labels } },
      files: [...files, ...[d.valid, d.test].filter((x): x is string => typeof x === 'string')].map(fileRecord),
      warnings,
    };
  },

  fileSplit(cfg, artifacts, file) {
    const warnings: string[] = [];
    const labels = labelsFrom(artifacts.labels, 'labels.json');
    return { split: toSplit(readExamples(file, cfg.data), tokenizerOf(artifacts), labels, cfg.data, file, warnings), warnings };
  },

  loss: (outputs, ys, weights) => knownLabelCrossEntropy(outputs, ys, weights),
  metrics: (split) => new ClassMetrics(split, { unit: 'examples', perClass: true }),

  /** the training split's most frequent label (ties: the first in label order), for every example */
  baseline(train: Split, split: Split) {
    const tr = train as ClassifySplit;
    const counts = new Float64Array(tr.numClasses);
    for (const y of tr.labels) counts[y]++;
    const majority = counts.indexOf(Math.max(...counts));
    const s = split as ClassifySplit;
    const cm = new Confusion(s.numClasses);
    for (const y of s.labels) cm.add(y, majority);
    const r = classResult(cm, s.names, { unit: 'examples', perClass: false });
    return { majority_accuracy: r.accuracy, majority_macro_f1: r.macro_f1 };
  },

  predict(model, cfg, artifacts, input) {
    const tok = tokenizerOf(artifacts);
    const labels = labelsFrom(artifacts.labels, 'labels.json');
    const texts = input.text !== undefined ? [input.text] : predictTexts(input.file!, cfg.data);
    const T = cfg.data.seq_len;
    const probs: number[][] = [];
    for (let i = 0; i < texts.length; i += cfg.train.eval_batch_size) {
      const chunk = texts.slice(i, i + cfg.train.eval_batch_size);
      const x = new Int32Array(chunk.length * T);
      chunk.forEach((t, b) => padInto(x, b * T, tok.encode(t), T, cfg.data.truncate));
      const p = tf.tidy(() => tf.softmax(apply(model, [tf.tensor2d(x, [chunk.length, T], 'int32')])));
      probs.push(...(p.arraySync() as number[][]));
      p.dispose();
    }
    const results = texts.map((text, i) => {
      const order = probs[i].map((p, c) => [p, c] as const).sort((a, b) => b[0] - a[0]);
      return { text, label: labels[order[0][1]], probabilities: Object.fromEntries(order.map(([p, c]) => [labels[c], p])) };
    });
    const render = results
      .map((r) => `${r.label}\t${r.probabilities[r.label].toFixed(3)}\t${r.text.length > 70 ? r.text.slice(0, 69) + '…' : r.text}`)
      .join('\n');
    const unknown = [...new Set(texts.flatMap((t) => tok.unknownPieces(t)))];
    const warnings = unknown.length ? [`not in the vocabulary, read as <unk>: ${unknown.slice(0, 10).join(' ')}${unknown.length > 10 ? ' …' : ''}`] : [];
    return { results, render, warnings };
  },
};

/** Texts to label from a file: the text column of a table, or every non-empty line of a text file. */
function predictTexts(file: string, d: DataConfig): string[] {
  const f = formatOf(file, null, ['csv', 'tsv', 'jsonl', 'text'], 'classification predict');
  if (f === 'text') return readText(file).split(/\r?\n/).filter((l) => l.trim() !== '');
  const t = readTable(file, f as TableFormat);
  if (!d.text_column) throw new SeqnetError('the run has no data.text_column', 2);
  return column(t, d.text_column, file, 'data.text_column');
}
