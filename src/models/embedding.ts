/** The token embedding shared by the families, optionally initialised from pretrained vectors. */
import { tf } from '../backend/index.js';
import type { EmbeddingsConfig } from '../config/schema/index.js';
import { Rng } from '../util/rng.js';
import { embeddingInitializer, type EmbeddingInit } from './init.js';
import type { BuildContext } from './types.js';
import { readVectors } from './vectors.js';

export interface EmbeddingOptions {
  dim: number;
  embeddings: EmbeddingsConfig | null;
  /** emit a padding mask (id 0) for the layers above */
  maskZero: boolean;
  rng: Rng;
  name?: string;
  /** the resolved model.embedding_init */
  init: EmbeddingInit;
}

/** tokens [B, T] int32 → [B, T, dim]; pretrained rows are written in after the layer is built. */
/** The model input: token ids [B, T] int32, or features [B, T, F] float32 for forecasting. */
export function sequenceInput(ctx: BuildContext): tf.SymbolicTensor {
  return ctx.task === 'forecasting'
    ? tf.input({ shape: [null, ctx.info.numFeatures!], dtype: 'float32', name: 'features' })
    : tf.input({ shape: [null], dtype: 'int32', name: 'tokens' });
}

export function embedTokens(tokens: tf.SymbolicTensor, ctx: BuildContext, o: EmbeddingOptions): tf.SymbolicTensor {
  const layer = tf.layers.embedding({
    inputDim: ctx.info.vocabSize!,
    outputDim: o.dim,
    maskZero: o.maskZero,
    embeddingsInitializer: embeddingInitializer(o.init, o.rng.fork()),
    trainable: o.embeddings ? o.embeddings.trainable : true,
    name: o.name ?? 'embedding',
  });
  const out = layer.apply(tokens) as tf.SymbolicTensor;
  if (o.embeddings) loadPretrained(layer, o.embeddings.path, ctx, o.dim);
  return out;
}

function loadPretrained(layer: tf.layers.Layer, file: string, ctx: BuildContext, dim: number): void {
  const vocab = (ctx.artifacts?.tokenizer as { vocab?: string[] } | undefined)?.vocab;
  if (!vocab) throw new Error('pretrained embeddings need the tokenizer vocabulary in BuildContext.artifacts');
  const v = readVectors(file, vocab, dim);
  const [w] = layer.getWeights();
  const table = w.arraySync() as number[][];
  for (const [id, row] of v.rows) table[id] = Array.from(row);
  const t = tf.tensor2d(table, [table.length, dim]);
  layer.setWeights([t]);
  t.dispose();
  const pct = v.total ? ((100 * v.covered) / v.total).toFixed(1) : '0.0';
  const rest = v.total - v.covered;
  ctx.warn?.(
    `model.embeddings: ${v.covered} of ${v.total} vocabulary tokens (${pct}%) have a vector in ${file}` +
      (rest ? `; the other ${rest} start random (e.g. ${v.missing.map((m) => JSON.stringify(m)).join(', ')})` : ''),
  );
}
