/**
 * Initialisers chosen per family and task (`model.embedding_init`, `model.init`; `auto` resolves
 * here, from what bench/parity.mjs measured against PyTorch). They run once, when a new model is
 * built for training: a checkpoint loads its saved weights and never comes through here.
 */
import { tf } from '../backend/index.js';
import type { Task } from '../config/schema/index.js';
import { Rng } from '../util/rng.js';

export type EmbeddingInit = 'uniform' | 'normal' | 'small_normal';
export type WeightInit = 'keras' | 'pytorch';
export type InitFamily = 'recurrent' | 'textcnn' | 'transformer';

/**
 * What `auto` means, by family and task. Recurrent language models learn far faster from
 * PyTorch's N(0, 1) embedding than from Keras' U(±0.05) (bench/parity.json); classifiers keep small
 * embeddings; the transformer keeps GPT-2's N(0, 0.02).
 */
export function resolveInit(family: InitFamily, task: Task, embedding: EmbeddingInit | 'auto', weights: WeightInit | 'auto' = 'auto'): { embedding: EmbeddingInit; weights: WeightInit } {
  const lm = task === 'language_model';
  const autoEmbedding: EmbeddingInit = family === 'transformer' ? 'small_normal' : lm ? 'normal' : 'uniform';
  const autoWeights: WeightInit = 'keras';
  return { embedding: embedding === 'auto' ? autoEmbedding : embedding, weights: weights === 'auto' ? autoWeights : weights };
}

/** The token-embedding initialiser of `kind`. */
export function embeddingInitializer(kind: EmbeddingInit, seed: number): ReturnType<typeof tf.initializers.zeros> {
  switch (kind) {
    case 'uniform':
      return tf.initializers.randomUniform({ minval: -0.05, maxval: 0.05, seed });
    case 'normal':
      return tf.initializers.randomNormal({ mean: 0, stddev: 1, seed });
    case 'small_normal':
      return tf.initializers.randomNormal({ mean: 0, stddev: 0.02, seed });
  }
}

/** U(−k, k) values for a weight of `shape` */
function uniform(shape: number[], k: number, rng: Rng): Float32Array {
  const n = shape.reduce((a, b) => a * b, 1);
  return Float32Array.from({ length: n }, () => (rng.next() * 2 - 1) * k);
}

/**
 * PyTorch's defaults over the built model's recurrent, dense and convolution layers (embeddings and
 * norms untouched): every weight and bias U(±1/√fan_in), fan_in = units for a recurrent layer (its
 * one LSTM/Elman bias is the sum of PyTorch's two, b_ih + b_hh), the input width (× kernel size) for
 * dense and convolution layers.
 */
export function pytorchInit(model: tf.LayersModel, seed: number): void {
  const rng = new Rng(seed);
  for (const layer of model.layers) {
    const ws = layer.weights;
    const kernel = ws.find((w) => /(^|\/)kernel$/.test(w.originalName));
    if (!kernel) continue;
    const recurrent = ws.some((w) => /recurrent_kernel$/.test(w.originalName));
    const units = recurrent ? (ws.find((w) => /recurrent_kernel$/.test(w.originalName))!.shape[0] as number) : 0;
    const fanIn = recurrent ? units : (kernel.shape.slice(0, -1) as number[]).reduce((a, b) => a * b, 1);
    const k = 1 / Math.sqrt(fanIn);
    const twoBiases = recurrent && !ws.some((w) => /recurrent_bias$/.test(w.originalName));
    tf.tidy(() => {
      for (const w of ws) {
        if (!/(kernel|bias)$/.test(w.originalName)) continue;
        const shape = w.shape as number[];
        const v = uniform(shape, k, rng);
        if (twoBiases && /(^|\/)bias$/.test(w.originalName)) uniform(shape, k, rng).forEach((x, i) => (v[i] += x));
        w.write(tf.tensor(v, shape));
      }
    });
  }
}
