/** The model-family contract: a config slice and the data facts in, a tf.LayersModel out. */
import type { tf } from '../backend/index.js';
import type { ModelConfig, Task } from '../config/schema/index.js';
import type { DataInfo } from '../data/info.js';

export interface BuildContext {
  task: Task;
  info: DataInfo;
  /** seed for every initializer of this model */
  seed: number;
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
