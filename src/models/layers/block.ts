/**
 * SeqnetTransformerBlock: one pre-norm transformer block (Vaswani et al. 2017; GPT-2's order)
 *     h = x + Dropout(SelfAttention(LayerNorm_1(x)))
 *     y = h + Dropout(Dense_D(GELU(Dense_F(LayerNorm_2(h)))))
 * as one layer. On the pure-JS path the whole block is one fused op (backend/kernels/block.ts)
 * while its pinned activations fit a budget; otherwise, and on every other backend, it composes
 * the functions the separate layers use (layerNorm, selfAttention, dense, dropout), so a model
 * file is the same everywhere. Weights (BLOCK_WEIGHTS):
 * norm_1_gamma/beta [D], qkv_kernel [D, 3D], qkv_bias [3D], out_kernel [D, D], out_bias [D],
 * norm_2_gamma/beta [D], ff_1_kernel [D, F], ff_1_bias [F], ff_2_kernel [F, D], ff_2_bias [D].
 */
import { tf } from '../../backend/index.js';
import { BLOCK_WEIGHTS, blockFits, fastKernelsActive, transformerBlockFused } from '../../backend/kernels/index.js';
import { attentionBias, selfAttention } from './attention.js';
import { dense } from './dense.js';
import { dropout, dropoutMask } from './dropout.js';
import { layerNorm } from './norm.js';

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
    const spec: Record<(typeof BLOCK_WEIGHTS)[number], [number[], ReturnType<typeof tf.initializers.zeros>]> = {
      norm_1_gamma: [[D], ones], norm_1_beta: [[D], zeros],
      qkv_kernel: [[D, 3 * D], glorot(sa)], qkv_bias: [[3 * D], zeros], out_kernel: [[D, D], glorot(sa + 1)], out_bias: [[D], zeros],
      norm_2_gamma: [[D], ones], norm_2_beta: [[D], zeros],
      ff_1_kernel: [[D, F], glorot(s1)], ff_1_bias: [[F], zeros], ff_2_kernel: [[F, D], glorot(s2)], ff_2_bias: [[D], zeros],
    };
    this.vars = BLOCK_WEIGHTS.map((name) => this.addWeight(name, spec[name][0], 'float32', spec[name][1]));
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
      const training = kwargs.training === true && this.rate > 0;
      const w = this.vars.map((v) => v.read());
      const [B, T, D] = x.shape;
      // the fused block pins its activations in wasm memory until the backward pass; past a budget
      // (large batch × sequence) the composed path below keeps them in JS memory instead
      if (fastKernelsActive() && blockFits(B, T, D, this.heads, this.ffDim)) {
        // masks drawn in the order the composed path draws them: attention weights, then each branch
        const attnMask = training ? dropoutMask([B, T, this.heads, T], this.rate) : null;
        const dropA = training ? dropoutMask([B, T, D], this.rate) : null;
        const dropF = training ? dropoutMask([B, T, D], this.rate) : null;
        const bias = attentionBias(T, this.causal, keyMask);
        return transformerBlockFused(x, w, { heads: this.heads, causal: this.causal, epsilon: this.epsilon, bias, attnMask, dropA, dropF });
      }
      const [g1, b1, qkvKernel, qkvBias, outKernel, outBias, g2, b2, W1, bf1, W2, bf2] = w;
      const attn = { qkvKernel, qkvBias, outKernel, outBias } as Parameters<typeof selfAttention>[1];
      const a = selfAttention(layerNorm(x, g1, b1, this.epsilon) as tf.Tensor3D, attn, { heads: this.heads, causal: this.causal, rate: this.rate }, keyMask, training).output;
      const h = x.add(dropout(a, this.rate, training));
      const f = dense(dense(layerNorm(h, g2, b2, this.epsilon), W1 as tf.Tensor2D, bf1 as tf.Tensor1D, 'gelu'), W2 as tf.Tensor2D, bf2 as tf.Tensor1D, 'linear');
      return h.add(dropout(f, this.rate, training));
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
