/**
 * textcnn (Kim 2014): parallel 1-D convolutions of several widths over the embedded sequence,
 * each globally pooled over time (padding excluded), concatenated → dropout → dense → head.
 * From token ids each width is one SeqnetConvPool layer (conv → relu → pool, fused on the pure-JS
 * path); forecasting (features, no ids) and tagging keep tf.layers.conv1d, and for tagging (padding
 * same, stride 1) the feature maps stay per token and feed a per-token head.
 */
import { tf } from '../backend/index.js';
import type { TextCnnConfig } from '../config/schema/index.js';
import { Rng } from '../util/rng.js';
import { embedTokens, sequenceInput } from './embedding.js';
import { denseLayer, head, perToken } from './head.js';
import { pytorchInit, resolveInit } from './init.js';
import { SeqnetConvPool } from './layers/conv_pool.js';
import { SeqnetDropout } from './layers/dropout.js';
import { SeqnetMerge } from './layers/merge.js';
import { SeqnetPool } from './layers/pooling.js';
import type { ModelFamily } from './types.js';

const concat = (xs: tf.SymbolicTensor[], name: string): tf.SymbolicTensor =>
  xs.length === 1 ? xs[0] : (new SeqnetMerge({ mode: 'concat', name }).apply(xs) as tf.SymbolicTensor);

export const textCnnFamily: ModelFamily<TextCnnConfig> = {
  build(cfg, ctx) {
    const { task, info } = ctx;
    const rng = new Rng(ctx.seed);
    const forecasting = task === 'forecasting';
    const init = resolveInit('textcnn', task, cfg.embedding_init, cfg.init);
    const input = sequenceInput(ctx);
    // [B, T, E]; no Keras mask: convolutions drop it, the pooling reads padding from the ids instead
    const x = forecasting ? input : embedTokens(input, ctx, { dim: cfg.embedding_dim, embeddings: cfg.embeddings, maskZero: false, rng, init: init.embedding });

    const name = (k: number, i: number) => `conv_${i + 1}_k${k}`;
    const mode = cfg.pool === 'max' ? 'max' : 'mean';
    let h: tf.SymbolicTensor;
    if (forecasting || perToken(task)) {
      // one [B, T', filters] map per kernel width, T' = T (same, stride 1) or fewer
      const maps = cfg.kernel_sizes.map(
        (k, i) =>
          tf.layers
            .conv1d({
              filters: cfg.filters,
              kernelSize: k,
              strides: cfg.stride,
              padding: cfg.padding,
              activation: 'relu',
              kernelInitializer: tf.initializers.heUniform({ seed: rng.fork() }),
              name: name(k, i),
            })
            .apply(x) as tf.SymbolicTensor,
      );
      h = perToken(task)
        ? concat(maps, 'feature_maps') // [B, T, n·filters]
        : concat(maps.map((m, i) => new SeqnetPool({ mode, stride: cfg.stride, name: `${cfg.pool}_pool_${i + 1}` }).apply(m) as tf.SymbolicTensor), 'pooled');
    } else {
      // token ids: conv → relu → pool over the real positions, one layer per width (one fused op on the pure-JS path)
      const pooled = cfg.kernel_sizes.map(
        (k, i) =>
          new SeqnetConvPool({ filters: cfg.filters, kernelSize: k, stride: cfg.stride, padding: cfg.padding, pool: mode, seed: rng.fork(), name: name(k, i) })
            .apply([x, input]) as tf.SymbolicTensor,
      );
      h = concat(pooled, 'pooled'); // [B, n·filters]
    }
    if (cfg.dropout > 0) h = new SeqnetDropout({ rate: cfg.dropout, name: 'dropout' }).apply(h) as tf.SymbolicTensor;
    cfg.hidden.forEach((units, i) => {
      h = denseLayer(units, `hidden_${i + 1}`, rng, 'relu').apply(h) as tf.SymbolicTensor;
      if (cfg.dropout > 0) h = new SeqnetDropout({ rate: cfg.dropout, name: `hidden_dropout_${i + 1}` }).apply(h) as tf.SymbolicTensor;
    });
    const model = tf.model({ inputs: input, outputs: head(h, ctx, rng), name: `textcnn_${task}` });
    if (init.weights === 'pytorch') pytorchInit(model, rng.fork());
    return model;
  },
};
