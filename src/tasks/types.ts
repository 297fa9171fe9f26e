/**
 * A task knows how to turn a config's data section into splits, how to score a model's outputs
 * (loss and metrics), and which simple baseline to report beside it.
 */
import type { CorpusProgress } from '../data/corpus.js';
import type { tf } from '../backend/index.js';
import type { Config, Task } from '../config/schema/index.js';
import type { Split } from '../data/batch.js';
import type { DataInfo, FileRecord } from '../data/info.js';
import type { Predictor } from '../models/predictor.js';

/** JSON blobs saved in the run directory as `<key>.json` (tokenizer, labels, scaler…). */
export type Artifacts = Record<string, unknown>;

export interface Prepared {
  info: DataInfo;
  train: Split;
  valid?: Split;
  test?: Split;
  artifacts: Artifacts;
  files: FileRecord[];
  /** notes for the user (e.g. unknown characters) */
  warnings: string[];
}

/** Streaming metric sums over eval batches. */
export interface MetricAccumulator {
  /** adds one batch; `outputs` is the model output for batch.xs */
  add(outputs: tf.Tensor, ys: tf.Tensor, weights?: tf.Tensor): void;
  /** final named metrics */
  result(): Record<string, number>;
}

export interface TaskSpec {
  readonly task: Task;
  /** Builds splits from the config; reuses saved `artifacts` (e.g. the tokenizer) when given. */
  /** `onProgress` hears how reading a big corpus goes (language_model; others read at once) */
  prepare(cfg: Config, artifacts?: Artifacts, onProgress?: (p: CorpusProgress) => void): Prepared;
  /** A split from a new file, encoded with the run's artifacts (for `eval --data`). */
  fileSplit(cfg: Config, artifacts: Artifacts, file: string): { split: Split; warnings: string[] };
  /** Mean training loss of one batch. */
  loss(outputs: tf.Tensor, ys: tf.Tensor, weights?: tf.Tensor): tf.Scalar;
  /**
   * Metrics for eval, including `loss`. `split` is the split being scored, for the facts its
   * metrics need (label names, the scaler to report original units…); one accumulator per split.
   * `model` is the model being scored, for metrics that decode with it (seq2seq).
   */
  metrics(split: Split, model?: Predictor): MetricAccumulator;
  /** the simple method to compare with, computed on the same split (train split given for fitting) */
  baseline?(train: Split, split: Split, info: DataInfo): Record<string, number>;
  /**
   * Applies a trained model to new input for `seqnet predict`: `input.text` is one example typed
   * on the command line, `input.file` a file of examples (in the task's own data format). Throws a
   * SeqnetError when the task cannot use the kind of input given.
   */
  predict?(model: Predictor, cfg: Config, artifacts: Artifacts, input: PredictInput): Prediction;
}

/** What `seqnet predict` was given: exactly one of the two. */
export interface PredictInput {
  text?: string;
  file?: string;
  /** seq2seq: write the attention matrix of the (first) input as an SVG heatmap to this path */
  attention?: string;
}

/**
 * A prediction: `results` is JSON-able and task-shaped (printed by `predict --json`), `render` is
 * the same for a person to read (printed otherwise). For example, classification gives
 * `[{ text, label, probabilities: { label: p } }]`, tagging `[{ tokens, tags }]`, forecasting
 * `{ targets, steps: [{ step, date?, values: { target: v } }] }`.
 */
export interface Prediction {
  results: unknown;
  render: string;
  /** notes for the user (unknown tokens, rows dropped…) */
  warnings: string[];
}
