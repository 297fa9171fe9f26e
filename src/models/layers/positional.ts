/**
 * Position information for the transformer:
 *   SeqnetPositional — adds a learned [maxLen, D] table or fixed sinusoids to x [B, T, D] (T ≤ maxLen)
 *   SeqnetClsToken   — prepends one learned [CLS] vector: [B, T, D] → [B, T+1, D], mask extended
 */
import { tf } from '../../backend/index.js';

/** PE[p, 2i] = sin(p / 10000^(2i/D)), PE[p, 2i+1] = cos(p / 10000^(2i/D)); [maxLen, D] */
export function sinusoids(maxLen: number, D: number): Float32Array {
  const out = new Float32Array(maxLen * D);
  for (let p = 0; p < maxLen; p++) {
    for (let i = 0; i < D; i += 2) {
      const angle = p / Math.pow(10000, i / D);
      out[p * D + i] = Math.sin(angle);
      if (i + 1 < D) out[p * D + i + 1] = Math.cos(angle);
    }
  }
  return out;
}

export interface PositionalArgs {
  mode: 'learned' | 'sinusoidal';
  maxLen: number;
  seed?: number;
  name?: string;
}

export class SeqnetPositional extends tf.layers.Layer {
  static className = 'SeqnetPositional';
  readonly mode: PositionalArgs['mode'];
  readonly maxLen: number;
  private readonly seed: number;
  private table?: tf.LayerVariable;
  private fixed?: tf.Tensor2D;

  constructor(args: PositionalArgs) {
    super({ name: args.name });
    this.mode = args.mode;
    this.maxLen = args.maxLen;
    this.seed = args.seed ?? 1;
    this.supportsMasking = true;
  }

  override build(inputShape: tf.Shape | tf.Shape[]): void {
    const s = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as tf.Shape;
    const D = s[s.length - 1] as number;
    if (this.mode === 'learned') {
      const init = tf.initializers.randomNormal({ mean: 0, stddev: 0.02, seed: this.seed });
      this.table = this.addWeight('position_embeddings', [this.maxLen, D], 'float32', init);
    } else {
      this.fixed = tf.keep(tf.tensor2d(sinusoids(this.maxLen, D), [this.maxLen, D]));
    }
    this.built = true;
  }

  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape {
    return (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as tf.Shape;
  }

  /** x [B, T, D] → x + P[0:T] */
  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => {
      const x = (Array.isArray(inputs) ? inputs[0] : inputs) as tf.Tensor3D;
      const [, T, D] = x.shape;
      tf.util.assert(T <= this.maxLen, () => `${this.name}: sequence of ${T} positions is longer than the ${this.maxLen} the model was built for`);
      const table = this.table ? (this.table.read() as tf.Tensor2D) : this.fixed!;
      return x.add(table.slice([0, 0], [T, D]));
    });
  }

  override dispose(): ReturnType<tf.layers.Layer['dispose']> {
    const r = super.dispose();
    if (r.refCountAfterDispose === 0) this.fixed?.dispose();
    return r;
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), mode: this.mode, maxLen: this.maxLen, seed: this.seed };
  }
}
tf.serialization.registerClass(SeqnetPositional);

export class SeqnetClsToken extends tf.layers.Layer {
  static className = 'SeqnetClsToken';
  private readonly seed: number;
  private cls!: tf.LayerVariable;

  constructor(args: { seed?: number; name?: string }) {
    super({ name: args.name });
    this.seed = args.seed ?? 1;
    this.supportsMasking = true;
  }

  override build(inputShape: tf.Shape | tf.Shape[]): void {
    const s = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as tf.Shape;
    const init = tf.initializers.randomNormal({ mean: 0, stddev: 0.02, seed: this.seed });
    this.cls = this.addWeight('cls', [s[s.length - 1] as number], 'float32', init);
    this.built = true;
  }

  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape {
    const s = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as tf.Shape;
    return [s[0], s[1] === null ? null : (s[1] as number) + 1, s[2]];
  }

  /** the [CLS] position is always real */
  override computeMask(_inputs: tf.Tensor | tf.Tensor[], mask?: tf.Tensor | tf.Tensor[]): tf.Tensor | tf.Tensor[] {
    const m = Array.isArray(mask) ? mask[0] : mask;
    if (!m) return null as unknown as tf.Tensor;
    return tf.tidy(() => tf.concat([tf.ones([m.shape[0], 1], 'bool'), m.cast('bool')], 1));
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => {
      const x = (Array.isArray(inputs) ? inputs[0] : inputs) as tf.Tensor3D;
      const [B, , D] = x.shape;
      const cls = (this.cls.read() as tf.Tensor1D).reshape([1, 1, D]).tile([B, 1, 1]);
      return tf.concat([cls, x], 1);
    });
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), seed: this.seed };
  }
}
tf.serialization.registerClass(SeqnetClsToken);
