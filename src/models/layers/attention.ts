/**
 * SeqnetSelfAttention: scaled dot-product multi-head self-attention (Vaswani et al. 2017),
 *   Q, K, V = x·Wq + bq, x·Wk + bk, x·Wv + bv          (Wq|Wk|Wv stored as one [D, 3D] kernel)
 *   head_h  = softmax(Q_h K_hᵀ / √dh + bias) V_h        (all heads in one batched matMul, see attend)
 *   out     = concat_h(head_h)·Wo + bo
 * `bias` is −1e9 where a query may not look: padded keys (the Keras mask) and, when causal,
 * keys after the query. Weights: qkv_kernel [D, 3D], qkv_bias [3D], out_kernel [D, D], out_bias [D].
 */
import { tf } from '../../backend/index.js';
import { attentionFused, fastKernelsActive } from '../../backend/kernels/index.js';
import { linear } from './affine.js';
import { dropout, dropoutMask } from './dropout.js';

export interface AttentionArgs {
  heads: number;
  /** each position sees only itself and earlier positions (language models) */
  causal: boolean;
  /** dropout on the attention weights while training */
  dropout?: number;
  seed?: number;
  name?: string;
}

const NEG = -1e9;

/** M [H, D]: M[h, d] = 1 when dimension d belongs to head h (d / dh rounded down) */
function headMasks(H: number, D: number): Float32Array {
  const m = new Float32Array(H * D);
  const dh = D / H;
  for (let d = 0; d < D; d++) m[Math.floor(d / dh) * D + d] = 1;
  return m;
}

/**
 * Additive score bias broadcastable to the scores [B, Tq, H, Tk]: −1e9 at future keys (causal)
 * and padded keys (keyMask [B, T], 1 real / 0 padding); null when nothing is hidden.
 */
export function attentionBias(T: number, causal: boolean, keyMask: tf.Tensor2D | null): tf.Tensor | null {
  if (!causal && !keyMask) return null;
  return tf.tidy(() => {
    let bias: tf.Tensor | null = null;
    if (causal) bias = tf.sub(1, tf.linalg.bandPart(tf.ones([T, T]), -1, 0)).mul(NEG).reshape([1, T, 1, T]);
    if (keyMask) {
      const k = tf.sub(1, keyMask.cast('float32')).mul(NEG).reshape([keyMask.shape[0], 1, 1, T]);
      bias = bias ? bias.add(k) : k;
    }
    return bias!;
  });
}

/**
 * t [B, T, D] → [t ⊙ M_1; …; t ⊙ M_H] [B, H·T, D] for masks M [1, H, 1, D]. The gradient sums the
 * H blocks back with a batched product by ones (a sum over axis 1 would transpose on the pure-JS backend).
 */
const spreadHeads = (t: tf.Tensor3D, masks: tf.Tensor4D): tf.Tensor3D => spreadOp(t, masks) as tf.Tensor3D;
const spreadOp = tf.customGrad((...args: unknown[]) => {
  const [t, m] = args as [tf.Tensor3D, tf.Tensor4D];
  const [B, T, D] = t.shape;
  const H = m.shape[1];
  (args[2] as tf.GradSaveFunc)([m]); // saved: the forward scope disposes it before the backward pass
  return {
    value: t.reshape([B, 1, T, D]).mul(m).reshape([B, H * T, D]),
    gradFunc: (dy: tf.Tensor, [ms]: tf.Tensor[]) => [
      tf.matMul(tf.ones([1, 1, H]), dy.reshape([B, H, T, D]).mul(ms).reshape([B, H, T * D])).reshape([B, T, D]),
      tf.zerosLike(ms), // the masks are constants
    ],
  };
});

/** qkv_kernel [D, 3D], qkv_bias [3D], out_kernel [D, D], out_bias [D] */
export interface AttentionWeights {
  qkvKernel: tf.Tensor2D;
  qkvBias: tf.Tensor1D;
  outKernel: tf.Tensor2D;
  outBias: tf.Tensor1D;
}

/**
 * x [B, T, D], keyMask [B, T] (1 real, 0 padding) or null → output [B, T, D], and with
 * `withWeights` the attention weights [B, H, T, T] (each row sums to one).
 *
 * No head transposes: with M_h the 0/1 mask of head h's dh dimensions, q_h·k_h = q·(k ⊙ M_h),
 * so one product q [B, T, D] · K'ᵀ, K' = [k ⊙ M_1; …; k ⊙ M_H] [B, H·T, D], gives every head's
 * scores as [B, T, H·T]; after a per-head softmax, P [B, T, H·T] · V' (V' built like K') sums
 * each head's context straight into its own dimensions of [B, T, D].
 */
export function selfAttention(
  x: tf.Tensor3D, w: AttentionWeights, o: { heads: number; causal: boolean; rate: number },
  keyMask: tf.Tensor2D | null, training = false, withWeights = false,
): { output: tf.Tensor3D; weights?: tf.Tensor4D } {
  return tf.tidy(() => {
    const [B, T, D] = x.shape;
    const H = o.heads;
    const dh = D / H;
    const { qkvKernel: W, qkvBias: b } = w;
    if (fastKernelsActive() && !withWeights) {
      // pure-JS path: q | k | v from one product, then every head's products and softmax in one
      // fused op (backend/kernels/attention.ts); the dropout multiplier is drawn exactly as
      // dropout(p) below would draw it
      const keep = training && o.rate > 0 ? dropoutMask([B, T, H, T], o.rate) : null;
      const qkv = linear(x, W, b) as tf.Tensor3D; // [B, T, 3D]
      const ctx = attentionFused(qkv, H, attentionBias(T, o.causal, keyMask), keep, o.causal);
      return { output: linear(ctx, w.outKernel, w.outBias) as tf.Tensor3D };
    }
    // q, k, v [B, T, D]: slices of the (small) weights, not of the activations
    const proj = (i: number) => linear(x, W.slice([0, i * D], [D, D]), b.slice([i * D], [D])) as tf.Tensor3D;
    const [q, k, v] = [0, 1, 2].map(proj);
    const heads = tf.tensor4d(headMasks(H, D), [1, H, 1, D]) as tf.Tensor4D; // M_h
    const spread = (t: tf.Tensor3D) => spreadHeads(t, heads);
    let scores = tf.matMul(q, spread(k), false, true).mul(1 / Math.sqrt(dh)).reshape([B, T, H, T]); // [B, Tq, H, Tk]
    const bias = attentionBias(T, o.causal, keyMask); // [B|1, Tq|1, 1, Tk]
    if (bias) scores = scores.add(bias);
    // softmax over keys from broadcasting ops: their fast kernels beat the fused Softmax on the pure-JS backend
    const e = scores.sub(scores.max(-1, true)).exp();
    const p = e.div(e.sum(-1, true)) as tf.Tensor4D; // [B, Tq, H, Tk]
    const ctx = tf.matMul(dropout(p, o.rate, training).reshape([B, T, H * T]) as tf.Tensor3D, spread(v)); // [B, T, D]
    const output = linear(ctx, w.outKernel, w.outBias) as tf.Tensor3D;
    return withWeights ? { output, weights: p.transpose([0, 2, 1, 3]) as tf.Tensor4D } : { output };
  });
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
