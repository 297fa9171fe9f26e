/** The output layer of each task, shared by the families (see types.ts for the shapes). */
import { tf } from '../backend/index.js';
import { Rng } from '../util/rng.js';
import type { BuildContext } from './types.js';

export function denseLayer(units: number, name: string, rng: Rng, activation?: 'relu' | 'gelu'): tf.layers.Layer {
  return tf.layers.dense({ units, name, activation, kernelInitializer: tf.initializers.glorotUniform({ seed: rng.fork() }) });
}

/**
 * The output layer for a task on top of features h: [B, T, U] for the per-token tasks
 * (language_model, tagging), [B, U] for a whole-sequence summary (classification, forecasting).
 */
export function head(h: tf.SymbolicTensor, ctx: BuildContext, rng: Rng): tf.SymbolicTensor {
  const { task, info } = ctx;
  switch (task) {
    case 'language_model':
      return denseLayer(info.vocabSize!, 'logits', rng).apply(h) as tf.SymbolicTensor;
    case 'masked_lm':
      // its own name, so a fine-tuned model (init_from) takes the encoder and starts a fresh head
      return denseLayer(info.vocabSize!, 'mlm_logits', rng).apply(h) as tf.SymbolicTensor;
    case 'tagging':
    case 'classification':
      return denseLayer(info.numClasses!, 'logits', rng).apply(h) as tf.SymbolicTensor;
    case 'forecasting': {
      const out = denseLayer(info.horizon! * info.numTargets!, 'forecast', rng).apply(h) as tf.SymbolicTensor;
      return tf.layers.reshape({ targetShape: [info.horizon!, info.numTargets!], name: 'forecast_steps' }).apply(out) as tf.SymbolicTensor;
    }
    case 'seq2seq':
      throw new Error('seq2seq models have their own decoder head');
  }
}

/** True for the tasks whose output has one row per input position. */
export const perToken = (task: BuildContext['task']): boolean => task === 'language_model' || task === 'tagging' || task === 'masked_lm';
