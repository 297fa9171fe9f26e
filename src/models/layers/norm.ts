/**
 * SeqnetLayerNorm: layer normalisation over the last axis, y = (x − μ) / √(σ² + ε) · γ + β
 * (Ba et al. 2016), by the layer norm op (backend/ops/layer_norm.ts). Weights: gamma [D] (ones), beta [D] (zeros).
 */
import { tf } from '../../backend/index.js';
import { layerNorm } from '../../backend/ops/layer_norm.js';

export { layerNorm };

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
    const x = Array.isArray(inputs) ? inputs[0] : inputs;
    return layerNorm(x, this.gamma.read(), this.beta.read(), this.epsilon);
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), epsilon: this.epsilon };
  }
}
tf.serialization.registerClass(SeqnetLayerNorm);
