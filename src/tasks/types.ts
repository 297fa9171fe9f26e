/**
 * A task knows how to turn a config's data section into splits, how to score a model's outputs
 * (loss and metrics), and which simple baseline to report beside it.
 */
import type { tf } from '../backend/index.js';
import type { Config, Task } from '../config/schema/index.js';
import type { Split } from '../data/batch.js';
import type { DataInfo, FileRecord } from '../data/info.js';

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
  prepare(cfg: Config, artifacts?: Artifacts): Prepared;
  /** A split from a new file, encoded with the run's artifacts (for `eval --data`). */
  fileSplit(cfg: Config, artifacts: Artifacts, file: string): { split: Split; warnings: string[] };
  /** Mean training loss of one batch. */
  loss(outputs: tf.Tensor, ys: tf.Tensor, weights?: tf.Tensor): tf.Scalar;
  /** metrics for eval, including `loss` */
  metrics(): MetricAccumulator;
  /** the simple method to compare with, computed on the same split (train split given for fitting) */
  baseline?(train: Split, split: Split, info: DataInfo): Record<string, number>;
}
