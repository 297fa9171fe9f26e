/**
 * rnn | lstm | gru: embedding (or features) → stacked recurrent layers (optionally bidirectional,
 * with normalisation between them) → a task head.
 */
import { tf } from '../backend/index.js';
import type { RecurrentConfig } from '../config/schema/index.js';
import { Rng } from '../util/rng.js';
import { embedTokens, sequenceInput } from './embedding.js';
import { head, perToken } from './head.js';
import { pytorchInit, resolveInit } from './init.js';
import { SeqnetDropout } from './layers/dropout.js';
import { SeqnetMerge } from './layers/merge.js';
import { SeqnetLayerNorm } from './layers/norm.js';
import { SeqnetRecurrent } from './layers/recurrent.js';
import type { ModelFamily } from './types.js';

export { head } from './head.js';

function normLayer(kind: RecurrentConfig['norm'], name: string): tf.layers.Layer | undefined {
  switch (kind) {
    case 'none':
      return undefined;
    case 'layer':
      return new SeqnetLayerNorm({ epsilon: 1e-3, name });
    case 'batch':
      return tf.layers.batchNormalization({ axis: -1, name });
  }
}

export const recurrentFamily: ModelFamily<RecurrentConfig> = {
  build(cfg, ctx) {
    const { task, info } = ctx;
    const rng = new Rng(ctx.seed);
    const forecasting = task === 'forecasting';

    const init = resolveInit('recurrent', task, cfg.embedding_init, cfg.init);
    const input = sequenceInput(ctx);
    // [B, T, E] (tokens) or [B, T, F] (features); padding (id 0) is masked except for language models
    let h = forecasting
      ? input
      : embedTokens(input, ctx, { dim: cfg.embedding_dim, embeddings: cfg.embeddings, maskZero: task !== 'language_model', rng, init: init.embedding });

    for (let i = 0; i < cfg.layers; i++) {
      const n = i + 1;
      const seq = perToken(task) || i < cfg.layers - 1;
      const layer = (goBackwards: boolean, name: string) =>
        new SeqnetRecurrent({
          cell: cfg.type,
          units: cfg.units,
          returnSequences: seq,
          goBackwards,
          recurrentDropout: cfg.recurrent_dropout,
          seed: rng.fork(),
          name,
        }).apply(h) as tf.SymbolicTensor;
      if (cfg.bidirectional) {
        // the backward layer's outputs are already in original time order, so they line up with the forward ones
        const fwd = layer(false, `${cfg.type}_${n}_forward`);
        const bwd = layer(true, `${cfg.type}_${n}_backward`);
        h = new SeqnetMerge({ mode: cfg.merge, name: `${cfg.type}_${n}_${cfg.merge}` }).apply([fwd, bwd]) as tf.SymbolicTensor;
      } else {
        h = layer(false, `${cfg.type}_${n}`);
      }
      const norm = normLayer(cfg.norm, `${cfg.norm}_norm_${n}`);
      if (norm) h = norm.apply(h) as tf.SymbolicTensor;
      if (cfg.dropout > 0) h = new SeqnetDropout({ rate: cfg.dropout, name: `dropout_${n}` }).apply(h) as tf.SymbolicTensor;
    }
    const model = tf.model({ inputs: input, outputs: head(h, ctx, rng), name: `${cfg.type}_${task}` });
    if (init.weights === 'pytorch') pytorchInit(model, rng.fork());
    return model;
  },
};
