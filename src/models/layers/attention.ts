/**
 * SeqnetSelfAttention: scaled dot-product multi-head self-attention (Vaswani et al. 2017),
 *   Q, K, V = x·Wq + bq, x·Wk + bk, x·Wv + bv          (Wq|Wk|Wv stored as one [D, 3D] kernel)
 *   head_h  = softmax(Q_h K_hᵀ / √dh + bias) V_h        (all heads in one batched matMul, see attend)
 *   out     = concat_h(head_h)·Wo + bo
 * `bias` is −1e9 where a query may not look: padded keys (the Keras mask) and, when causal,
 * keys after the query. Weights: qkv_kernel [D, 3D], qkv_bias [3D], out_kernel [D, D], out_bias [D].
 * Computed by the attention op (backend/ops/attention.ts), which picks its fused or reference path.
 */
import { tf } from '../../backend/index.js';
import { selfAttention } from '../../backend/ops/attention.js';

export { attentionBias, selfAttention, type AttentionWeights } from '../../backend/ops/attention.js';

export interface AttentionArgs {
  heads: number;
  /** each position sees only itself and earlier positions (language models) */
  causal: boolean;
  /** dropout on the attention weights while training */
  dropout?: number;
  seed?: number;
  name?: string;
}

export class SeqnetSelfAttention extends tf.layers.Layer {
  static className = 'SeqnetSelfAttention';
  readonly heads: number;
  readonly causal: boolean;
  readonly rate: number;
  private readonly seed: number;
  private qkvKernel!: tf.LayerVariable;
  private qkvBias!: tf.LayerVariable;
  private outKernel!: tf.LayerVariable;
  private outBias!: tf.LayerVariable;

  constructor(args: AttentionArgs) {
    super({ name: args.name });
    this.heads = args.heads;
    this.causal = args.causal;
    this.rate = args.dropout ?? 0;
    this.seed = args.seed ?? 1;
    this.supportsMasking = true;
  }

  override build(inputShape: tf.Shape | tf.Shape[]): void {
    const s = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as tf.Shape;
    const D = s[s.length - 1] as number;
    if (D % this.heads !== 0) throw new Error(`${this.name}: heads (${this.heads}) must divide the width ${D}`);
    const glorot = (seed: number) => tf.initializers.glorotUniform({ seed });
    this.qkvKernel = this.addWeight('qkv_kernel', [D, 3 * D], 'float32', glorot(this.seed));
    this.qkvBias = this.addWeight('qkv_bias', [3 * D], 'float32', tf.initializers.zeros());
    this.outKernel = this.addWeight('out_kernel', [D, D], 'float32', glorot(this.seed + 1));
    this.outBias = this.addWeight('out_bias', [D], 'float32', tf.initializers.zeros());
    this.built = true;
  }

  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape {
    return (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as tf.Shape;
  }

  /** x [B, T, D], keyMask [B, T] or null → output [B, T, D] (and the weights): selfAttention() with this layer's weights */
  attend(x: tf.Tensor3D, keyMask: tf.Tensor2D | null, training = false, withWeights = false): { output: tf.Tensor3D; weights?: tf.Tensor4D } {
    const w = {
      qkvKernel: this.qkvKernel.read() as tf.Tensor2D, qkvBias: this.qkvBias.read() as tf.Tensor1D,
      outKernel: this.outKernel.read() as tf.Tensor2D, outBias: this.outBias.read() as tf.Tensor1D,
    };
    return selfAttention(x, w, { heads: this.heads, causal: this.causal, rate: this.rate }, keyMask, training, withWeights);
  }

  override call(inputs: tf.Tensor | tf.Tensor[], kwargs: { mask?: tf.Tensor | tf.Tensor[]; training?: boolean }): tf.Tensor {
    return tf.tidy(() => {
      const x = (Array.isArray(inputs) ? inputs[0] : inputs) as tf.Tensor3D;
      const m = Array.isArray(kwargs.mask) ? kwargs.mask[0] : kwargs.mask;
      const { output } = this.attend(x, m ? (m.cast('float32') as tf.Tensor2D) : null, kwargs.training === true);
      return output;
    });
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), heads: this.heads, causal: this.causal, dropout: this.rate, seed: this.seed };
  }
}
tf.serialization.registerClass(SeqnetSelfAttention);
