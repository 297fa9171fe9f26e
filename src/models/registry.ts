/** Every `model.type` mapped to its family; a type without a factory does not compile. */
import { BASELINE_REGISTRY, isBaselineType } from '../baselines/registry.js';
import type { FittedFamily } from '../baselines/types.js';
import type { BaselineType, ModelConfig, ModelType } from '../config/schema/index.js';
import { SeqnetError } from '../util/errors.js';
import { recurrentFamily } from './recurrent.js';
import { seq2seqFamily } from './seq2seq/index.js';
import { textCnnFamily } from './textcnn.js';
import { transformerFamily } from './transformer.js';
import type { BuildContext, ModelFamily } from './types.js';
import type { tf } from '../backend/index.js';

// the baselines (ngram, bow, naive, seasonal_naive, ar) have their own table in src/baselines/registry.ts
type Registry = { [K in Exclude<ModelType, BaselineType>]: ModelFamily<Extract<ModelConfig, { type: K }>> };

export const MODEL_REGISTRY: Registry = {
  rnn: recurrentFamily,
  lstm: recurrentFamily,
  gru: recurrentFamily,
  textcnn: textCnnFamily,
  transformer: transformerFamily,
  seq2seq: seq2seqFamily,
};

/** The family of any `model.type`: a network built then trained (ModelFamily) or a baseline fitted in one pass (FittedFamily). */
export function familyOf(type: ModelType): ModelFamily | FittedFamily {
  return (isBaselineType(type) ? BASELINE_REGISTRY[type] : MODEL_REGISTRY[type]) as ModelFamily | FittedFamily;
}

export function buildModel(cfg: ModelConfig, ctx: BuildContext): tf.LayersModel {
  const family = familyOf(cfg.type);
  if ('fit' in family) throw new SeqnetError(`model type \`${cfg.type}\` is a baseline fitted by \`seqnet train\` in one pass; it has no layers to build.`, 2);
  return family.build(cfg, ctx);
}
