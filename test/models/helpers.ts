/** Tiny configs and data facts for model tests, derived from the schema so new families are covered. */
import { tf } from '../../src/backend/index.js';
import { ModelSchema, type ModelConfig, type ModelType, type Task } from '../../src/config/schema/index.js';
import type { DataInfo } from '../../src/data/info.js';

export const INFO: DataInfo = { seqLen: 6, vocabSize: 13, numClasses: 3, numFeatures: 2, horizon: 2, numTargets: 2 };

/** tiny sizes for whichever of these keys a family has */
const TINY: Record<string, unknown> = {
  embedding_dim: 4,
  units: 5,
  layers: 2,
  filters: 3,
  kernel_sizes: [2, 3],
  hidden: [4],
  d_model: 8,
  heads: 2,
  ff_dim: 12,
};

export function tinyModel(type: ModelType, extra: Record<string, unknown> = {}): ModelConfig {
  const shape = ModelSchema.optionsMap.get(type)!.shape as Record<string, unknown>;
  const picked = Object.fromEntries(Object.entries(TINY).filter(([k]) => k in shape));
  return ModelSchema.parse({ type, ...picked, ...extra });
}

/** inputs for a task: ids [B, T] with end padding in row 1, or features [B, T, F] */
export function tinyInput(task: Task, B = 2, T = INFO.seqLen): tf.Tensor {
  if (task === 'forecasting') return tf.randomNormal([B, T, INFO.numFeatures!], 0, 1, 'float32', 7);
  const rows = Array.from({ length: B }, (_, b) =>
    Array.from({ length: T }, (_, t) => (task !== 'language_model' && b === 1 && t >= T - 2 ? 0 : 4 + ((b * 5 + t * 3) % (INFO.vocabSize! - 4)))),
  );
  return tf.tensor2d(rows, [B, T], 'int32');
}

/** expected output shape by task (see src/models/types.ts) */
export function outShape(task: Task, B = 2, T = INFO.seqLen): number[] {
  switch (task) {
    case 'language_model':
    case 'masked_lm':
      return [B, T, INFO.vocabSize!];
    case 'tagging':
      return [B, T, INFO.numClasses!];
    case 'classification':
      return [B, INFO.numClasses!];
    case 'forecasting':
      return [B, INFO.horizon!, INFO.numTargets!];
    case 'seq2seq':
      throw new Error('seq2seq has its own input contract');
  }
}
