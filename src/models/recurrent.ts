/** rnn | lstm | gru: embedding (or features) → stacked recurrent layers → a task head. */
import { tf } from '../backend/index.js';
import type { RecurrentConfig } from '../config/schema/index.js';
import { Rng } from '../util/rng.js';
import { SeqnetDropout } from './layers/dropout.js';
import { SeqnetRecurrent } from './layers/recurrent.js';
import type { BuildContext, ModelFamily } from './types.js';

export const recurrentFamily: ModelFamily<RecurrentConfig> = {
  build(cfg, ctx) {
    const { task, info } = ctx;
    const rng = new Rng(ctx.seed);
    const perToken = task === 'language_model' || task === 'tagging';
    const forecasting = task === 'forecasting';

    const input = forecasting
      ? tf.input({ shape: [null, info.numFeatures!], dtype: 'float32', name: 'features' })
      : tf.input({ shape: [null], dtype: 'int32', name: 'tokens' });
    let h = forecasting
      ? input
      : (tf.layers
          .embedding({
            inputDim: info.vocabSize!,
            outputDim: cfg.embedding_dim,
            maskZero: task !== 'language_model',
            embeddingsInitializer: tf.initializers.randomUniform({ minval: -0.05, maxval: 0.05, seed: rng.fork() }),
            name: 'embedding',
          })
          .apply(input) as tf.SymbolicTensor);

    for (let i = 0; i < cfg.layers; i++) {
      const last = i === cfg.layers - 1;
      h = new SeqnetRecurrent({
        cell: cfg.type,
        units: cfg.units,
        returnSequences: perToken || !last,
        seed: rng.fork(),
        name: `${cfg.type}_${i + 1}`,
      }).apply(h) as tf.SymbolicTensor;
      if (cfg.dropout > 0) h = new SeqnetDropout({ rate: cfg.dropout, name: `dropout_${i + 1}` }).apply(h) as tf.SymbolicTensor;
    }
    return tf.model({ inputs: input, outputs: head(h, ctx, rng), name: `${cfg.type}_${task}` });
  },
};

/** The output layer for a task, on top of features h ([B, T, U] per token, [B, U] otherwise). */
export function head(h: tf.SymbolicTensor, ctx: BuildContext, rng: Rng): tf.SymbolicTensor {
  const dense = (units: number, name: string) =>
    tf.layers.dense({ units, name, kernelInitializer: tf.initializers.glorotUniform({ seed: rng.fork() }) });
  const { task, info } = ctx;
  switch (task) {
    case 'language_model':
      return dense(info.vocabSize!, 'logits').apply(h) as tf.SymbolicTensor;
    case 'tagging':
    case 'classification':
      return dense(info.numClasses!, 'logits').apply(h) as tf.SymbolicTensor;
    case 'forecasting': {
      const out = dense(info.horizon! * info.numTargets!, 'forecast').apply(h) as tf.SymbolicTensor;
      return tf.layers.reshape({ targetShape: [info.horizon!, info.numTargets!], name: 'forecast_steps' }).apply(out) as tf.SymbolicTensor;
    }
    case 'seq2seq':
      throw new Error('seq2seq models have their own decoder head');
  }
}
