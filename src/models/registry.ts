/** Every `model.type` mapped to its family; a type without a factory does not compile. */
import type { ModelConfig, ModelType } from '../config/schema/index.js';
import { recurrentFamily } from './recurrent.js';
import type { BuildContext, ModelFamily } from './types.js';
import type { tf } from '../backend/index.js';

type Registry = { [K in ModelType]: ModelFamily<Extract<ModelConfig, { type: K }>> };

export const MODEL_REGISTRY: Registry = {
  rnn: recurrentFamily,
  lstm: recurrentFamily,
  gru: recurrentFamily,
};

export function buildModel(cfg: ModelConfig, ctx: BuildContext): tf.LayersModel {
  return (MODEL_REGISTRY[cfg.type] as ModelFamily).build(cfg, ctx);
}
