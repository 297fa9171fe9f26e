/**
 * `seqnet/layers`: browser-safe implementations of the seqnet layer classes that an export keeps
 * (see src/export/custom.ts), from standard tf ops only: no wasm, no workers, no Node built-ins.
 * Importing this module registers them with tf.serialization, so `tf.loadLayersModel(url)` loads
 * any seqnet export.
 */
import * as tf from '@tensorflow/tfjs';
import { SeqnetBowFeatures } from './bow.js';
import { SeqnetDense } from './dense.js';
import { SeqnetMerge } from './merge.js';
import { SeqnetPool } from './pool.js';
import { SeqnetRecurrent } from './recurrent.js';
import { SeqnetSeq2seqAttention, SeqnetSeq2seqDecoder, SeqnetSeq2seqEncoder } from './seq2seq.js';
import { SeqnetClsToken, SeqnetPositional, SeqnetTransformerBlock } from './transformer.js';

export {
  SeqnetBowFeatures, SeqnetClsToken, SeqnetDense, SeqnetMerge, SeqnetPool, SeqnetPositional, SeqnetRecurrent, SeqnetTransformerBlock,
  SeqnetSeq2seqAttention, SeqnetSeq2seqDecoder, SeqnetSeq2seqEncoder,
};

/** Every class seqnet/layers provides, by saved class name. */
export const LAYER_CLASSES = [
  SeqnetRecurrent, SeqnetMerge, SeqnetPool, SeqnetBowFeatures, SeqnetDense, SeqnetPositional, SeqnetClsToken, SeqnetTransformerBlock,
  SeqnetSeq2seqEncoder, SeqnetSeq2seqDecoder, SeqnetSeq2seqAttention,
] as const;

/** Registers the classes (again) with tf.serialization; importing the module already did once. */
export function registerLayers(): void {
  for (const c of LAYER_CLASSES) tf.serialization.registerClass(c);
}

registerLayers();
