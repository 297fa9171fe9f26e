/**
 * SeqnetBowFeatures: token ids [B, T] int32 (0 = pad) → bag-of-n-grams features [B, F] float32
 * (bow_features.ts). The feature vocabulary and idf are part of the layer's config, so the saved
 * model.json carries them; the layer has no weights and passes no gradient (its input is ids).
 * The config holds numbers only: tfjs rewrites the case of string values when it saves a model.
 */
import { tf } from '../backend/index.js';
import { SeqnetBowFeatures } from '../web/layers/bow.js';
import type { BowVocab } from './bow_features.js';

// one class for seqnet and the browser runtime (src/web/layers/bow.ts: standard tf only)
export { SeqnetBowFeatures };

/** The features layer of a fitted vocabulary. */
export function bowFeaturesLayer(v: BowVocab, name: string): SeqnetBowFeatures {
  return new SeqnetBowFeatures({ ngramRange: v.ngram_range, weighting: v.weighting, ngrams: v.features.map((g) => g.split(' ').map(Number)), idf: v.idf, name });
}

tf.serialization.registerClass(SeqnetBowFeatures);
