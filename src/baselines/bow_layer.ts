/**
 * SeqnetBowFeatures: token ids [B, T] int32 (0 = pad) → bag-of-n-grams features [B, F] float32
 * (bow_features.ts). The feature vocabulary and idf are part of the layer's config, so the saved
 * model.json carries them; the layer has no weights and passes no gradient (its input is ids).
 * The config holds numbers only: tfjs rewrites the case of string values when it saves a model.
 */
import { tf } from '../backend/index.js';
import { featurize, type BowVocab } from './bow_features.js';

export interface BowLayerArgs {
  ngramRange: [number, number];
  weighting: BowVocab['weighting'];
  /** the feature n-grams as token ids */
  ngrams: number[][];
  idf: number[] | null;
  name?: string;
}

export class SeqnetBowFeatures extends tf.layers.Layer {
  static className = 'SeqnetBowFeatures';
  readonly vocab: BowVocab;
  constructor(args: BowLayerArgs) {
    super({ name: args.name });
    this.vocab = { ngram_range: args.ngramRange, weighting: args.weighting, features: args.ngrams.map((g) => g.join(' ')), idf: args.idf };
  }

  static of(v: BowVocab, name: string): SeqnetBowFeatures {
    return new SeqnetBowFeatures({ ngramRange: v.ngram_range, weighting: v.weighting, ngrams: v.features.map((g) => g.split(' ').map(Number)), idf: v.idf, name });
  }

  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape {
    const s = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as tf.Shape;
    return [s[0], this.vocab.features.length];
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    const x = (Array.isArray(inputs) ? inputs[0] : inputs) as tf.Tensor2D;
    const [B, T] = x.shape;
    const ids = x.dataSync();
    const rows = Array.from({ length: B }, (_, b) => ids.subarray(b * T, (b + 1) * T));
    return tf.tensor2d(featurize(rows, this.vocab), [B, this.vocab.features.length], 'float32');
  }

  override getConfig(): tf.serialization.ConfigDict {
    const v = this.vocab;
    const own = { ngramRange: v.ngram_range, weighting: v.weighting, ngrams: v.features.map((g) => g.split(' ').map(Number)), idf: v.idf };
    return { ...super.getConfig(), ...own };
  }
}
tf.serialization.registerClass(SeqnetBowFeatures);
