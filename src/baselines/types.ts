/**
 * The baseline contract. Fitted baselines (ngram, naive, seasonal_naive, ar) are computed in one
 * pass over the training split, with no optimizer steps, and saved as `baseline.json` in the run's
 * checkpoint folders; `bow` is a small tf.LayersModel trained by the ordinary loop (a ModelFamily).
 * Either way the result is a Predictor (models/predictor.ts) with the outputs of models/types.ts.
 */
import type { tf } from '../backend/index.js';
import type { ModelConfig, Task } from '../config/schema/index.js';
import type { Split } from '../data/batch.js';
import type { DataInfo } from '../data/info.js';
import type { Predictor } from '../models/types.js';

/** The file a fitted baseline's checkpoint folder holds instead of model.json / weights.bin. */
export const BASELINE_FILE = 'baseline.json';

export interface Baseline extends Predictor {
  apply(inputs: tf.Tensor | tf.Tensor[], kwargs?: { training?: boolean }): tf.Tensor;
  countParams(): number;
  dispose(): void;
  /** what `baseline.json` holds; the family's `load` reverses it */
  toJSON(): BaselineJSON;
}

export interface BaselineJSON {
  type: string;
  [fitted: string]: unknown;
}

export interface FitContext {
  task: Task;
  info: DataInfo;
  /** the split the baseline is fitted on */
  train: Split;
}

export interface FittedFamily<C extends ModelConfig = ModelConfig> {
  fit(cfg: C, ctx: FitContext): Baseline;
  /** `json` as read from `source` (a baseline.json); a RunError when it does not fit `cfg` */
  load(json: unknown, cfg: C, source: string): Baseline;
}

/** The single input tensor of a baseline's `apply`. */
export function single(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
  return Array.isArray(inputs) ? inputs[0] : inputs;
}
