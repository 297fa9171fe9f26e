/** The model-family contract: a config slice and the data facts in, a tf.LayersModel out. */
import type { tf } from '../backend/index.js';
import type { ModelConfig, Task } from '../config/schema/index.js';
import type { Split } from '../data/batch.js';
import type { DataInfo } from '../data/info.js';

/**
 * What scoring, generation and prediction need of a trained model (models/predictor.ts loads one):
 * a tf.LayersModel satisfies it as it is, and so does every fitted baseline.
 */
export interface Predictor {
  /** inputs [B, T] int32 or [B, T, F] float32 (as a list of one) → outputs (logits, log-probabilities or values) */
  apply(inputs: tf.Tensor | tf.Tensor[], kwargs?: { training?: boolean }): tf.Tensor | tf.Tensor[] | tf.SymbolicTensor | tf.SymbolicTensor[];
  /** learnt numbers: weights, n-gram table entries, regression coefficients */
  countParams(): number;
  dispose(): unknown;
  /**
   * tokens of history the outputs depend on (an n-gram model: order - 1); token-by-token
   * generation keeps no more than this. Unset = the whole window.
   */
  readonly contextLength?: number;
}

export interface BuildContext {
  task: Task;
  info: DataInfo;
  /** seed for every initializer of this model */
  seed: number;
  /** the prepared data's artifacts (the tokenizer's vocabulary places pretrained word vectors) */
  artifacts?: Record<string, unknown>;
  /** notes for the user while building (e.g. pretrained-vector coverage) */
  warn?: (message: string) => void;
  /** the training split, for families whose structure depends on the data (bow: its n-gram vocabulary) */
  train?: Split;
}

/**
 * Inputs and outputs by task (B batch, T time, V vocab, C classes, F features, H horizon, K targets):
 *   language_model: [B, T] int32            → logits [B, T, V]
 *   tagging:        [B, T] int32 (0 = pad)  → logits [B, T, C]
 *   classification: [B, T] int32 (0 = pad)  → logits [B, C]
 *   forecasting:    [B, T, F] float32       → values [B, H, K]
 */
export interface ModelFamily<C extends ModelConfig = ModelConfig> {
  build(cfg: C, ctx: BuildContext): tf.LayersModel;
}
