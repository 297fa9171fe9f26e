/**
 * Browser SeqnetBowFeatures: token ids [B, T] int32 (0 = pad) → bag-of-n-grams features [B, F]
 * with seqnet's own featurize() (pure JS), from the n-grams and idf saved in the layer's config.
 */
import * as tf from '@tensorflow/tfjs';
import { featurize, type BowVocab } from '../../baselines/bow_features.js';

interface Args {
  ngramRange: [number, number];
  weighting: BowVocab['weighting'];
  ngrams: number[][];
  idf: number[] | null;
  name?: string;
  trainable?: boolean;
}

export class SeqnetBowFeatures extends tf.layers.Layer {
  static className = 'SeqnetBowFeatures';
  private readonly args: Args;
  private readonly vocab: BowVocab;
  constructor(args: Args) {
    super({ name: args.name, trainable: args.trainable });
    this.args = args;
    this.vocab = { ngram_range: args.ngramRange, weighting: args.weighting, features: args.ngrams.map((g) => g.join(' ')), idf: args.idf };
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
    const { ngramRange, weighting, ngrams, idf } = this.args;
    return { ...super.getConfig(), ngramRange, weighting, ngrams, idf };
  }
}
