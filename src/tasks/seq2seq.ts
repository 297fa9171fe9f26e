/**
 * Seq2seq: source text → target text, from a table of pairs. Both sides use `data.tokenizer`
 * with their own vocabularies (saved as tokenizer.json and target_tokenizer.json, the latter
 * also recording max_length). Loss is the masked cross-entropy over target tokens; eval decodes.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Config, DataConfig } from '../config/schema/index.js';
import type { Seq2seqConfig } from '../config/schema/seq2seq.js';
import type { Split } from '../data/batch.js';
import { fileRecord, trainFiles } from '../data/files.js';
import { formatOf } from '../data/format.js';
import { readText } from '../data/read.js';
import { truncated } from '../data/sequence.js';
import { carveExamples } from '../data/split.js';
import { column, readTable, type TableFormat } from '../data/table.js';
import { fitTokenizer, loadTokenizer, type TokenizerJSON } from '../data/tokenizers/index.js';
import { EOS } from '../data/tokenizers/types.js';
import { layersOf } from '../models/predictor.js';
import { decodeAll, type DecodeOptions } from '../models/seq2seq/decode.js';
import { ConfigError, DataError, RunError, SeqnetError } from '../util/errors.js';
import { makeDirs, writeFileAtomic } from '../util/fs.js';
import { attentionSvg } from './attention_svg.js';
import { sparseCrossEntropy } from './losses.js';
import { Seq2seqMetrics, matchScores, stripEos } from './seq2seq_metrics.js';
import { readPairs, toSplit, type Encoders, type Pair, type Seq2seqSplit } from './seq2seq_pairs.js';
import type { Artifacts, Prepared, TaskSpec } from './types.js';

function modelOf(cfg: Config): Seq2seqConfig {
  if (cfg.model.type !== 'seq2seq') throw new ConfigError('config', [`model.type: task seq2seq needs model.type: seq2seq, not ${cfg.model.type}`]);
  return cfg.model;
}

export function decodeOptions(m: Seq2seqConfig, maxLength: number): DecodeOptions {
  return { strategy: m.decoding, beamSize: m.beam_size, lengthPenalty: m.length_penalty, maxLength };
}

interface TargetTokenizerJSON extends TokenizerJSON {
  max_length: number;
}

/** The run's tokenizers (and decode limit) from its artifacts. */
function encodersFrom(a: Artifacts): Encoders {
  const t = a.target_tokenizer as TargetTokenizerJSON | undefined;
  if (!a.tokenizer || !t || typeof t.max_length !== 'number') {
    throw new RunError('the run lacks tokenizer.json or target_tokenizer.json (with max_length); retrain it.');
  }
  return { source: loadTokenizer(a.tokenizer as TokenizerJSON, 'tokenizer.json'), target: loadTokenizer(t, 'target_tokenizer.json'), maxLength: t.max_length };
}

function fitEncoders(train: readonly Pair[], cfg: Config): Encoders {
  const source = fitTokenizer(train.map((p) => p.source), cfg.data.tokenizer);
  const target = fitTokenizer(train.map((p) => p.target), cfg.data.tokenizer);
  const longest = Math.max(...train.map((p) => target.encode(p.target).length));
  return { source, target, maxLength: modelOf(cfg).max_length ?? longest + 1 };
}

export const seq2seq: TaskSpec = {
  task: 'seq2seq',

  prepare(cfg: Config, artifacts?: Artifacts): Prepared {
    const d = cfg.data;
    const files = trainFiles(d.train);
    const what = files.length === 1 ? files[0] : `${files.length} training files`;
    const carved = carveExamples(files.flatMap((f) => readPairs(f, d, 'training file')), d, cfg.seed, what);
    const fromFile = (k: 'valid' | 'test') => (typeof d[k] === 'string' ? readPairs(d[k] as string, d, `${k} file`) : carved[k]);
    const enc = artifacts?.target_tokenizer ? encodersFrom(artifacts) : fitEncoders(carved.train, cfg);
    const decoding = decodeOptions(modelOf(cfg), enc.maxLength);
    const warnings: string[] = [];
    const split = (p: Pair[] | undefined, name: string) => (p ? toSplit(p, enc, d, decoding, cfg.train.eval_batch_size, name, warnings) : undefined);
    const name = (k: 'valid' | 'test') => (typeof d[k] === 'string' ? (d[k] as string) : `${k} split of ${what}`);
    return {
      info: { seqLen: d.seq_len, vocabSize: enc.source.vocabSize, targetVocabSize: enc.target.vocabSize, targetSeqLen: enc.maxLength },
      train: split(carved.train, `train split of ${what}`)!,
      valid: split(fromFile('valid'), name('valid')),
      test: split(fromFile('test'), name('test')),
      artifacts: { tokenizer: enc.source.toJSON(), target_tokenizer: { ...enc.target.toJSON(), max_length: enc.maxLength } },
      files: [...files, ...[d.valid, d.test].filter((x): x is string => typeof x === 'string')].map(fileRecord),
      warnings,
    };
  },

  fileSplit(cfg, artifacts, file) {
    const enc = encodersFrom(artifacts);
    const warnings: string[] = [];
    const decoding = decodeOptions(modelOf(cfg), enc.maxLength);
    return { split: toSplit(readPairs(file, cfg.data), enc, cfg.data, decoding, cfg.train.eval_batch_size, file, warnings), warnings };
  },

  loss: (outputs, ys, weights) => sparseCrossEntropy(outputs, ys, weights),
  metrics: (split, model) => new Seq2seqMetrics(split as Seq2seqSplit, model && layersOf(model, 'seq2seq decoding')),

  /** copy the source unchanged (right whenever source and target are the same text) */
  baseline(_train: Split, split: Split) {
    const s = split as Seq2seqSplit;
    const m = matchScores(s.copies, s.references);
    return { copy_exact_match: m.exact_match, copy_token_accuracy: m.token_accuracy, copy_bleu: m.bleu };
  },

  predict(model, cfg, artifacts, input) {
    const enc = encodersFrom(artifacts);
    const d = cfg.data;
    const texts = input.text !== undefined ? [input.text] : predictSources(input.file!, d);
    const empty = texts.findIndex((t) => t.trim() === '');
    if (empty >= 0) throw new SeqnetError(`${input.file ? `${input.file}: source ${empty + 1}` : '--input'} is empty; give a text to translate.`, 2);
    const ids = texts.map((t) => [...truncated(enc.source.encode(t), d.seq_len, d.truncate)]);
    const options = { ...decodeOptions(modelOf(cfg), enc.maxLength), attention: input.attention !== undefined };
    const decoded = decodeAll(layersOf(model, 'seq2seq predict'), ids, options, cfg.train.eval_batch_size);
    const results = texts.map((source, i) => ({
      source,
      translation: enc.target.decode(stripEos(decoded[i].ids)),
      log_prob: decoded[i].logProb,
      ...(input.attention !== undefined && i === 0 ? { attention_svg: input.attention } : {}),
    }));
    const lines = results.length === 1 ? [results[0].translation] : results.map((r) => `${r.source}\t${r.translation}`);
    if (input.attention !== undefined) {
      const first = decoded[0];
      if (!first.attention) throw new SeqnetError(`${input.attention}: this run's model has no attention (model.attention: none); there is no matrix to draw.`, 2);
      const tokens = (tok: typeof enc.source, xs: readonly number[]) => xs.map((id) => tok.vocab[id] ?? '?');
      const svg = attentionSvg(
        tokens(enc.source, ids[0]),
        [...tokens(enc.target, stripEos(first.ids)), ...(first.ids.includes(EOS) ? ['<eos>'] : [])],
        first.attention.map((row) => Array.from(row)),
        `${JSON.stringify(texts[0])} → ${JSON.stringify(results[0].translation)}  (${modelOf(cfg).attention} attention)`,
      );
      makeDirs(path.dirname(path.resolve(input.attention)));
      writeFileAtomic(input.attention, svg);
      lines.push(`(attention heatmap of the first input written to ${input.attention})`);
    }
    const unknown = [...new Set(texts.flatMap((t) => enc.source.unknownPieces(t)))];
    const warnings = unknown.length ? [`not in the source vocabulary, read as <unk>: ${unknown.slice(0, 10).map((u) => JSON.stringify(u)).join(' ')}${unknown.length > 10 ? ' …' : ''}`] : [];
    return { results, render: lines.join('\n'), warnings };
  },
};

/** Sources to translate from a file: the source column of a table, or every non-empty line of a text file. */
function predictSources(file: string, d: DataConfig): string[] {
  const f = formatOf(file, null, ['csv', 'tsv', 'jsonl', 'text'], 'seq2seq predict');
  if (f === 'text') return readText(file).split(/\r?\n/).filter((l) => l.trim() !== '');
  const t = readTable(file, f as TableFormat);
  if (!d.source_column) throw new DataError(`${file}: the run has no data.source_column to read`);
  return column(t, d.source_column, file, 'data.source_column');
}
