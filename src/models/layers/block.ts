/**
 * SeqnetTransformerBlock: one pre-norm transformer block (Vaswani et al. 2017; GPT-2's order)
 *     h = x + Dropout(SelfAttention(LayerNorm_1(x)))
 *     y = h + Dropout(Dense_D(GELU(Dense_F(LayerNorm_2(h)))))
 * as one layer, computed by the transformer block op (backend/ops/transformer_block.ts), which
 * picks its fused or composed path; a model file is the same everywhere. Weights (WEIGHTS):
 * norm_1_gamma/beta [D], qkv_kernel [D, 3D], qkv_bias [3D], out_kernel [D, D], out_bias [D],
 * norm_2_gamma/beta [D], ff_1_kernel [D, F], ff_1_bias [F], ff_2_kernel [F, D], ff_2_bias [D].
 */
import { tf } from '../../backend/index.js';
import { transformerBlock, type BlockWeights } from '../../backend/ops/transformer_block.js';

/** The saved weights' names, in the order the layer creates (and a model file lists) them. */
const WEIGHTS = [
  'norm_1_gamma', 'norm_1_beta', 'qkv_kernel', 'qkv_bias', 'out_kernel', 'out_bias',
  'norm_2_gamma', 'norm_2_beta', 'ff_1_kernel', 'ff_1_bias', 'ff_2_kernel', 'ff_2_bias',
] as const;
type WeightName = (typeof WEIGHTS)[number];

/** Which op weight each saved weight is. */
const OP_WEIGHT: Record<WeightName, keyof BlockWeights> = {
  norm_1_gamma: 'norm1Gamma', norm_1_beta: 'norm1Beta', qkv_kernel: 'qkvKernel', qkv_bias: 'qkvBias',
  out_kernel: 'outKernel', out_bias: 'outBias', norm_2_gamma: 'norm2Gamma', norm_2_beta: 'norm2Beta',
  ff_1_kernel: 'ff1Kernel', ff_1_bias: 'ff1Bias', ff_2_kernel: 'ff2Kernel', ff_2_bias: 'ff2Bias',
};

export interface BlockArgs {
  heads: number;
  ffDim: number;
  /** each position sees only itself and earlier positions (language models) */
  causal: boolean;
  /** on the attention weights and both residual branches, while training */
  dropout: number;
  epsilon?: number;
  /** initializer seeds of the attention, ff_1 and ff_2 kernels */
  seeds: [number, number, number];
  name?: string;
}

export class SeqnetTransformerBlock extends tf.layers.Layer {
  static className = 'SeqnetTransformerBlock';
  readonly heads: number;
  readonly ffDim: number;
  readonly causal: boolean;
  readonly rate: number;
  readonly epsilon: number;
  readonly seeds: [number, number, number];
  private vars: tf.LayerVariable[] = [];

  constructor(args: BlockArgs) {
    super({ name: args.name });
    this.heads = args.heads;
    this.ffDim = args.ffDim;
    this.causal = args.causal;
    this.rate = args.dropout;
    this.epsilon = args.epsilon ?? 1e-5;
    this.seeds = args.seeds;
    this.supportsMasking = true; // the padding mask flows on unchanged
  }

  override build(inputShape: tf.Shape | tf.Shape[]): void {
    const s = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as tf.Shape;
    const D = s[s.length - 1] as number;
    const F = this.ffDim;
    if (D % this.heads !== 0) throw new Error(`${this.name}: heads (${this.heads}) must divide the width ${D}`);
    const [sa, s1, s2] = this.seeds;
    const glorot = (seed: number) => tf.initializers.glorotUniform({ seed });
    const ones = tf.initializers.ones(), zeros = tf.initializers.zeros();
    // the same initial values as the separate layers: attention kernels from seed and seed + 1
    const spec: Record<WeightName, [number[], ReturnType<typeof tf.initializers.zeros>]> = {
      norm_1_gamma: [[D], ones], norm_1_beta: [[D], zeros],
      qkv_kernel: [[D, 3 * D], glorot(sa)], qkv_bias: [[3 * D], zeros], out_kernel: [[D, D], glorot(sa + 1)], out_bias: [[D], zeros],
      norm_2_gamma: [[D], ones], norm_2_beta: [[D], zeros],
      ff_1_kernel: [[D, F], glorot(s1)], ff_1_bias: [[F], zeros], ff_2_kernel: [[F, D], glorot(s2)], ff_2_bias: [[D], zeros],
    };
    this.vars = WEIGHTS.map((name) => this.addWeight(name, spec[name][0], 'float32', spec[name][1]));
    this.built = true;
  }

  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape {
    return (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as tf.Shape;
  }

  /** x [B, T, D] (with the padding mask [B, T], if any) → [B, T, D] */
  override call(inputs: tf.Tensor | tf.Tensor[], kwargs: { mask?: tf.Tensor | tf.Tensor[]; training?: boolean }): tf.Tensor {
    return tf.tidy(() => {
      const x = (Array.isArray(inputs) ? inputs[0] : inputs) as tf.Tensor3D;
      const m = Array.isArray(kwargs.mask) ? kwargs.mask[0] : kwargs.mask;
      const keyMask = m ? (m.cast('float32') as tf.Tensor2D) : null;
      const w = Object.fromEntries(WEIGHTS.map((name, i) => [OP_WEIGHT[name], this.vars[i].read()])) as unknown as BlockWeights;
      const cfg = { heads: this.heads, causal: this.causal, epsilon: this.epsilon, rate: this.rate };
      return transformerBlock(x, w, cfg, keyMask, kwargs.training === true);
    });
  }

  override getConfig(): tf.serialization.ConfigDict {
    return {
      ...super.getConfig(),
      heads: this.heads, ffDim: this.ffDim, causal: this.causal, dropout: this.rate, epsilon: this.epsilon, seeds: this.seeds,
    };
  }
}
tf.serialization.registerClass(SeqnetTransformerBlock);
