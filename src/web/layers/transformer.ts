/**
 * Browser versions of the transformer's seqnet classes, from standard tf ops:
 *   SeqnetPositional       x [B, T, D] + a learned [maxLen, D] table (position_embeddings) or fixed sinusoids
 *   SeqnetClsToken         prepends one learned [CLS] vector (cls [D]): [B, T, D] → [B, T+1, D], mask extended
 *   SeqnetTransformerBlock pre-norm block, h = x + MHA(LN₁(x)); y = h + W₂·gelu(W₁·LN₂(h) + b₁) + b₂
 * Block weights, in saved order: norm_1_gamma/beta [D], qkv_kernel [D, 3D] (q | k | v), qkv_bias [3D],
 * out_kernel [D, D], out_bias [D], norm_2_gamma/beta [D], ff_1_kernel [D, F], ff_1_bias [F],
 * ff_2_kernel [F, D], ff_2_bias [D]. Padded keys (the Keras mask) and, when causal, future keys get
 * −1e9 added to their scores; dropout is off (inference).
 */
import * as tf from '@tensorflow/tfjs';
import { geluExact } from './dense.js';

type Args = { name?: string; trainable?: boolean };
const shapeOf = (s: tf.Shape | tf.Shape[]) => (Array.isArray(s[0]) ? s[0] : s) as tf.Shape;
const zeros = () => tf.initializers.zeros();

export class SeqnetPositional extends tf.layers.Layer {
  static className = 'SeqnetPositional';
  readonly mode: 'learned' | 'sinusoidal';
  readonly maxLen: number;
  private table?: tf.LayerVariable;
  private fixed?: tf.Tensor2D;
  constructor(args: Args & { mode: 'learned' | 'sinusoidal'; maxLen: number }) {
    super(args);
    this.mode = args.mode;
    this.maxLen = args.maxLen;
    this.supportsMasking = true;
  }

  override build(inputShape: tf.Shape | tf.Shape[]): void {
    const D = shapeOf(inputShape)[2] as number;
    if (this.mode === 'learned') this.table = this.addWeight('position_embeddings', [this.maxLen, D], 'float32', zeros());
    else {
      // PE[p, 2i] = sin(p / 10000^(2i/D)), PE[p, 2i+1] = cos(·)
      const pe = new Float32Array(this.maxLen * D);
      for (let p = 0; p < this.maxLen; p++) for (let i = 0; i < D; i++) pe[p * D + i] = (i % 2 ? Math.cos : Math.sin)(p / Math.pow(10000, (i - (i % 2)) / D));
      this.fixed = tf.keep(tf.tensor2d(pe, [this.maxLen, D]));
    }
    this.built = true;
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => {
      const x = (Array.isArray(inputs) ? inputs[0] : inputs) as tf.Tensor3D;
      const [, T, D] = x.shape;
      if (T > this.maxLen) throw new Error(`${this.name}: ${T} positions, more than the ${this.maxLen} the model was trained for`);
      return x.add((this.table ? (this.table.read() as tf.Tensor2D) : this.fixed!).slice([0, 0], [T, D]));
    });
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), mode: this.mode, maxLen: this.maxLen };
  }
}

export class SeqnetClsToken extends tf.layers.Layer {
  static className = 'SeqnetClsToken';
  private cls!: tf.LayerVariable;
  constructor(args: Args) {
    super(args);
    this.supportsMasking = true;
  }

  override build(inputShape: tf.Shape | tf.Shape[]): void {
    this.cls = this.addWeight('cls', [shapeOf(inputShape)[2] as number], 'float32', zeros());
    this.built = true;
  }

  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape {
    const s = shapeOf(inputShape);
    return [s[0], s[1] === null ? null : (s[1] as number) + 1, s[2]];
  }

  override computeMask(_inputs: tf.Tensor | tf.Tensor[], mask?: tf.Tensor | tf.Tensor[]): tf.Tensor | tf.Tensor[] {
    const m = Array.isArray(mask) ? mask[0] : mask;
    if (!m) return null as unknown as tf.Tensor;
    return tf.tidy(() => tf.concat([tf.ones([m.shape[0], 1], 'bool'), m.cast('bool')], 1));
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => {
      const x = (Array.isArray(inputs) ? inputs[0] : inputs) as tf.Tensor3D;
      const [B, , D] = x.shape;
      return tf.concat([this.cls.read().reshape([1, 1, D]).tile([B, 1, 1]), x], 1);
    });
  }
}

const BLOCK = ['norm_1_gamma', 'norm_1_beta', 'qkv_kernel', 'qkv_bias', 'out_kernel', 'out_bias', 'norm_2_gamma', 'norm_2_beta', 'ff_1_kernel', 'ff_1_bias', 'ff_2_kernel', 'ff_2_bias'];

export class SeqnetTransformerBlock extends tf.layers.Layer {
  static className = 'SeqnetTransformerBlock';
  readonly heads: number;
  readonly ffDim: number;
  readonly causal: boolean;
  readonly epsilon: number;
  private vars: tf.LayerVariable[] = [];
  constructor(args: Args & { heads: number; ffDim: number; causal: boolean; epsilon?: number }) {
    super(args);
    this.heads = args.heads;
    this.ffDim = args.ffDim;
    this.causal = args.causal;
    this.epsilon = args.epsilon ?? 1e-5;
    this.supportsMasking = true;
  }

  override build(inputShape: tf.Shape | tf.Shape[]): void {
    const D = shapeOf(inputShape)[2] as number;
    const F = this.ffDim;
    const shapes = [[D], [D], [D, 3 * D], [3 * D], [D, D], [D], [D], [D], [D, F], [F], [F, D], [D]];
    this.vars = BLOCK.map((n, i) => this.addWeight(n, shapes[i], 'float32', zeros()));
    this.built = true;
  }

  private norm(x: tf.Tensor, g: tf.Tensor, b: tf.Tensor): tf.Tensor {
    const { mean, variance } = tf.moments(x, -1, true);
    return x.sub(mean).mul(tf.rsqrt(variance.add(this.epsilon))).mul(g).add(b);
  }

  /** x [B, T, D], keyMask [B, T] float or null → attention output [B, T, D] */
  private attend(x: tf.Tensor3D, W: tf.Tensor, b: tf.Tensor, Wo: tf.Tensor, bo: tf.Tensor, keyMask: tf.Tensor2D | null): tf.Tensor3D {
    const [B, T, D] = x.shape;
    const H = this.heads;
    const dh = D / H;
    const qkv = x.reshape([B * T, D]).matMul(W as tf.Tensor2D).add(b); // [B·T, 3D]
    const head = (i: number) => qkv.slice([0, i * D], [B * T, D]).reshape([B, T, H, dh]).transpose([0, 2, 1, 3]); // [B, H, T, dh]
    const [q, k, v] = [0, 1, 2].map(head);
    let scores = tf.matMul(q, k, false, true).mul(1 / Math.sqrt(dh)); // [B, H, Tq, Tk]
    if (this.causal) scores = scores.add(tf.sub(1, tf.linalg.bandPart(tf.ones([T, T]), -1, 0)).mul(-1e9).reshape([1, 1, T, T]));
    if (keyMask) scores = scores.add(tf.sub(1, keyMask).mul(-1e9).reshape([B, 1, 1, T]));
    const ctx = tf.matMul(tf.softmax(scores), v).transpose([0, 2, 1, 3]).reshape([B * T, D]); // [B·T, D]
    return ctx.matMul(Wo as tf.Tensor2D).add(bo).reshape([B, T, D]);
  }

  override call(inputs: tf.Tensor | tf.Tensor[], kwargs: { mask?: tf.Tensor | tf.Tensor[] }): tf.Tensor {
    return tf.tidy(() => {
      const x = (Array.isArray(inputs) ? inputs[0] : inputs) as tf.Tensor3D;
      const m = Array.isArray(kwargs.mask) ? kwargs.mask[0] : kwargs.mask;
      const [g1, b1, W, b, Wo, bo, g2, b2, W1, bf1, W2, bf2] = this.vars.map((v) => v.read());
      const [B, T, D] = x.shape;
      const h = x.add(this.attend(this.norm(x, g1, b1) as tf.Tensor3D, W, b, Wo, bo, m ? (m.cast('float32') as tf.Tensor2D) : null));
      const f = geluExact(this.norm(h, g2, b2).reshape([B * T, D]).matMul(W1 as tf.Tensor2D).add(bf1)).matMul(W2 as tf.Tensor2D).add(bf2);
      return h.add(f.reshape([B, T, D]));
    });
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), heads: this.heads, ffDim: this.ffDim, causal: this.causal, epsilon: this.epsilon };
  }
}
