/**
 * transformer: token embedding (or a dense projection of the F forecasting features) + positions,
 * `layers` pre-norm blocks (one SeqnetTransformerBlock layer each, layers/block.ts)
 *     h = h + Dropout(SelfAttention(LayerNorm(h)))
 *     h = h + Dropout(Dense_D(GELU(Dense_F(LayerNorm(h)))))
 * and a final LayerNorm, then per-token logits (language_model with a causal mask, tagging) or a
 * pooled summary ([CLS] position or mean over real tokens) for classification and forecasting.
 */
import { tf } from '../backend/index.js';
import type { TransformerConfig } from '../config/schema/index.js';
import { Rng } from '../util/rng.js';
import { embedTokens, sequenceInput } from './embedding.js';
import { head, perToken } from './head.js';
import { resolveInit } from './init.js';
import { SeqnetTransformerBlock } from './layers/block.js';
import { SeqnetDense } from './layers/dense.js';
import { SeqnetDropout } from './layers/dropout.js';
import { SeqnetLayerNorm } from './layers/norm.js';
import { SeqnetPool } from './layers/pooling.js';
import { SeqnetClsToken, SeqnetPositional } from './layers/positional.js';
import type { ModelFamily } from './types.js';

const layerNorm = (name: string) => new SeqnetLayerNorm({ epsilon: 1e-5, name });

export const transformerFamily: ModelFamily<TransformerConfig> = {
  build(cfg, ctx) {
    const { task, info } = ctx;
    const rng = new Rng(ctx.seed);
    const D = cfg.d_model;
    const F = cfg.ff_dim ?? 4 * D;
    const forecasting = task === 'forecasting';
    const cls = !perToken(task) && cfg.pooling === 'cls';
    const apply = (layer: tf.layers.Layer, x: tf.SymbolicTensor | tf.SymbolicTensor[]) => layer.apply(x) as tf.SymbolicTensor;
    const drop = (x: tf.SymbolicTensor, name: string) => (cfg.dropout > 0 ? apply(new SeqnetDropout({ rate: cfg.dropout, name }), x) : x);

    const input = sequenceInput(ctx);
    // [B, T, D]; the padding mask (id 0) flows with it except for language models
    let h = forecasting
      ? apply(new SeqnetDense({ units: D, seed: rng.fork(), name: 'input_projection' }), input)
      : embedTokens(input, ctx, {
          dim: D,
          embeddings: null,
          maskZero: task !== 'language_model',
          rng,
          init: resolveInit('transformer', task, cfg.embedding_init).embedding,
        });
    if (cls) h = apply(new SeqnetClsToken({ seed: rng.fork(), name: 'cls_token' }), h); // [B, T+1, D]
    h = apply(new SeqnetPositional({ mode: cfg.positional, maxLen: info.seqLen + (cls ? 1 : 0), seed: rng.fork(), name: 'positions' }), h);
    h = drop(h, 'embedding_dropout');

    for (let i = 1; i <= cfg.layers; i++) {
      const seeds: [number, number, number] = [rng.fork(), rng.fork(), rng.fork()]; // attention, ff_1, ff_2
      h = apply(new SeqnetTransformerBlock({ heads: cfg.heads, ffDim: F, causal: task === 'language_model', dropout: cfg.dropout, seeds, name: `block_${i}` }), h);
    }
    h = apply(layerNorm('final_norm'), h);
    if (!perToken(task)) h = apply(new SeqnetPool({ mode: cls ? 'first' : 'mean', name: `${cls ? 'cls' : 'mean'}_pool` }), h); // [B, D]
    return tf.model({ inputs: input, outputs: head(h, ctx, rng), name: `transformer_${task}` });
  },
};
