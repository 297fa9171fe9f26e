/**
 * SeqnetSeq2seqAttention: how a decoder state h_t [H] attends over the encoder outputs e_s [H]
 * (decoder and encoder widths are equal by construction). Scores, per (t, s):
 *   dot         hᵀe                                  (Luong et al. 2015)
 *   general     hᵀ W e                               (Luong)
 *   additive    vᵀ tanh(W_q h + W_k e + b)           (Bahdanau et al. 2015)
 *   scaled_dot  hᵀe / √H                             (Vaswani et al. 2017)
 *   cosine      β_t · cos(W h, e), β_t = 1 + softplus(wᵀh + b)   (Graves et al. 2014, NTM content addressing)
 *   location    (W h + b)_s over source positions    (Luong's location-based score: no content)
 * weights = softmax over s of the scores, with padded source positions set to −1e9 first, so the
 * weights of every query sum to one over the real source tokens. context_t = Σ_s weights_ts e_s.
 */
import { tf } from '../../backend/index.js';
import type { AttentionScore } from '../../config/schema/seq2seq.js';
import { Rng } from '../../util/rng.js';
import { additiveScores } from '../../backend/ops/additive_score.js';
import { dense3d, glorot, type Init } from './sublayers.js';

export type ContentScore = Exclude<AttentionScore, 'none'>;

export interface AttentionArgs {
  score: ContentScore;
  /** width H of queries and keys */
  units: number;
  /** longest source the location score can address (its output width) */
  sourceLength: number;
  seed: number;
  name?: string;
}

const NEG = -1e9;
/** every score, exhaustively (a new schema value is a compile error here) */
const SCORES: Record<AttentionScore, true> = { none: true, dot: true, general: true, additive: true, scaled_dot: true, cosine: true, location: true };

/**
 * The score a layer config names, as saved or as tfjs hands it back on load: deserialization
 * camel-cases every string value of a saved config (scaled_dot → scaledDot), so both spellings map
 * to the schema's value. Anything else is a checkpoint no seqnet version wrote.
 */
export function savedScore(value: unknown): AttentionScore {
  const key = (s: string) => s.replace(/_/g, '').toLowerCase();
  const scores = Object.keys(SCORES) as AttentionScore[];
  const found = typeof value === 'string' ? scores.find((s) => key(s) === key(value)) : undefined;
  if (!found) throw new Error(`unknown attention score ${JSON.stringify(value)} in a saved seq2seq layer (expected one of ${scores.join(', ')})`);
  return found;
}

export class SeqnetSeq2seqAttention extends tf.layers.Layer {
  static className = 'SeqnetSeq2seqAttention';
  readonly score: ContentScore;
  readonly units: number;
  readonly sourceLength: number;
  private readonly seed: number;
  private w: Record<string, tf.LayerVariable> = {};

  constructor(args: AttentionArgs) {
    super({ name: args.name });
    this.score = savedScore(args.score) as ContentScore;
    this.units = args.units;
    this.sourceLength = args.sourceLength;
    this.seed = args.seed;
  }

  override build(): void {
    const H = this.units;
    const rng = new Rng(this.seed);
    const zeros = tf.initializers.zeros();
    const add = (name: string, shape: number[], init: Init) =>
      (this.w[name] = this.addWeight(name, shape, 'float32', init));
    switch (this.score) {
      case 'dot':
      case 'scaled_dot':
        break;
      case 'general':
        add('kernel', [H, H], glorot(rng));
        break;
      case 'additive':
        add('query_kernel', [H, H], glorot(rng));
        add('key_kernel', [H, H], glorot(rng));
        add('bias', [H], zeros);
        add('v', [H, 1], glorot(rng));
        break;
      case 'cosine':
        add('kernel', [H, H], glorot(rng));
        add('beta_kernel', [H, 1], glorot(rng));
        add('beta_bias', [1], zeros);
        break;
      case 'location':
        add('kernel', [H, this.sourceLength], glorot(rng));
        add('bias', [this.sourceLength], zeros);
        break;
    }
    this.built = true;
  }

  private v(name: string): tf.Tensor {
    return this.w[name].read();
  }

  /** Raw scores: query [B, T, H], keys [B, S, H] → [B, T, S]. */
  scores(query: tf.Tensor3D, keys: tf.Tensor3D): tf.Tensor3D {
    return tf.tidy(() => {
      const [B, T, H] = query.shape;
      const S = keys.shape[1];
      switch (this.score) {
        case 'dot':
          return tf.matMul(query, keys, false, true);
        case 'scaled_dot':
          return tf.matMul(query, keys, false, true).div(Math.sqrt(H));
        case 'general':
          return tf.matMul(dense3d(query, this.v('kernel')), keys, false, true);
        case 'additive':
          return additiveScores(dense3d(query, this.v('query_kernel')), dense3d(keys, this.v('key_kernel'), this.v('bias')), this.v('v') as tf.Tensor2D);
        case 'cosine': {
          const unit = (x: tf.Tensor) => x.div(x.square().sum(-1, true).add(1e-8).sqrt());
          const cos = tf.matMul(unit(dense3d(query, this.v('kernel'))), unit(keys), false, true); // [B, T, S]
          const beta = tf.softplus(dense3d(query, this.v('beta_kernel'), this.v('beta_bias'))).add(1); // [B, T, 1]
          return cos.mul(beta);
        }
        case 'location': {
          if (S > this.sourceLength) {
            throw new Error(`${this.name}: a source of ${S} tokens is longer than the ${this.sourceLength} positions the location score covers`);
          }
          return dense3d(query, this.v('kernel'), this.v('bias')).slice([0, 0, 0], [B, T, S]);
        }
      }
    });
  }

  /**
   * query [B, T, H], keys (= values) [B, S, H], mask [B, S] (1 real, 0 padding) →
   * context [B, T, H] and weights [B, T, S] (each row sums to one over the real positions).
   */
  attend(query: tf.Tensor3D, keys: tf.Tensor3D, mask: tf.Tensor2D): { context: tf.Tensor3D; weights: tf.Tensor3D } {
    return tf.tidy(() => {
      const [B, S] = [keys.shape[0], keys.shape[1]];
      const bias = tf.sub(1, mask.cast('float32')).mul(NEG).reshape([B, 1, S]);
      const weights = tf.softmax(this.scores(query, keys).add(bias)) as tf.Tensor3D;
      return { context: tf.matMul(weights, keys), weights };
    });
  }

  /** [query [B,T,H], keys [B,S,H], mask [B,S]] → [context [B,T,H], weights [B,T,S]] */
  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor[] {
    const [q, k, m] = inputs as [tf.Tensor3D, tf.Tensor3D, tf.Tensor2D];
    const { context, weights } = this.attend(q, k, m);
    return [context, weights];
  }

  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape[] {
    const [q, k] = inputShape as tf.Shape[];
    return [
      [q[0], q[1], this.units],
      [q[0], q[1], k[1]],
    ];
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), score: this.score, units: this.units, sourceLength: this.sourceLength, seed: this.seed };
  }
}
tf.serialization.registerClass(SeqnetSeq2seqAttention);
