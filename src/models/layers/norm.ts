/**
 * SeqnetLayerNorm: layer normalisation over the last axis, y = (x − μ) / √(σ² + ε) · γ + β
 * (Ba et al. 2016), from broadcasting ops. tfjs' LayerNormalization tiles its statistics, and the
 * gradient of Tile is one Slice per repetition — thousands of tiny ops per step on [B, T, D].
 * Weights: gamma [D] (ones), beta [D] (zeros).
 */
import { tf } from '../../backend/index.js';
import { fastKernelsActive, layerNormFused } from '../../backend/kernels/index.js';
import { scaleShift } from './affine.js';

export class SeqnetLayerNorm extends tf.layers.Layer {
  static className = 'SeqnetLayerNorm';
  readonly epsilon: number;
  private gamma!: tf.LayerVariable;
  private beta!: tf.LayerVariable;

  constructor(args: { epsilon?: number; name?: string }) {
    super({ name: args.name });
    this.epsilon = args.epsilon ?? 1e-5;
    this.supportsMasking = true;
  }

  override build(inputShape: tf.Shape | tf.Shape[]): void {
    const s = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as tf.Shape;
    const D = s[s.length - 1] as number;
    this.gamma = this.addWeight('gamma', [D], 'float32', tf.initializers.ones());
    this.beta = this.addWeight('beta', [D], 'float32', tf.initializers.zeros());
    this.built = true;
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => {
      const x = Array.isArray(inputs) ? inputs[0] : inputs;
      // pure-JS path: the same maths as one fused op (backend/kernels/fused_ops.ts)
      if (fastKernelsActive()) return layerNormFused(x, this.gamma.read(), this.beta.read(), this.epsilon);
      const centred = x.sub(x.mean(-1, true));
      const inv = tf.rsqrt(centred.square().mean(-1, true).add(this.epsilon));
      return scaleShift(centred.mul(inv), this.gamma.read(), this.beta.read());
    });
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), epsilon: this.epsilon };
  }
}
tf.serialization.registerClass(SeqnetLayerNorm);
