/** Browser SeqnetDense: act(x·W + b) over the last axis, for the exact (erf) GELU that tfjs' Dense lacks. */
import * as tf from '@tensorflow/tfjs';

/** GELU, x·Φ(x) = ½x(1 + erf(x/√2)); tfjs' 'gelu' activation is the tanh approximation */
export function geluExact(x: tf.Tensor): tf.Tensor {
  return tf.tidy(() => x.mul(tf.erf(x.mul(Math.SQRT1_2)).add(1)).mul(0.5));
}

export class SeqnetDense extends tf.layers.Layer {
  static className = 'SeqnetDense';
  readonly units: number;
  readonly activation: 'linear' | 'relu' | 'gelu';
  private kernel!: tf.LayerVariable;
  private bias!: tf.LayerVariable;
  constructor(args: { units: number; activation?: 'linear' | 'relu' | 'gelu'; name?: string; trainable?: boolean }) {
    super({ name: args.name, trainable: args.trainable });
    this.units = args.units;
    this.activation = args.activation ?? 'linear';
    this.supportsMasking = true;
  }

  override build(inputShape: tf.Shape | tf.Shape[]): void {
    const s = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as tf.Shape;
    this.kernel = this.addWeight('kernel', [s[s.length - 1] as number, this.units], 'float32', tf.initializers.zeros());
    this.bias = this.addWeight('bias', [this.units], 'float32', tf.initializers.zeros());
    this.built = true;
  }

  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape {
    const s = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as tf.Shape;
    return [...s.slice(0, -1), this.units];
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => {
      const x = Array.isArray(inputs) ? inputs[0] : inputs;
      const I = x.shape[x.shape.length - 1];
      const y = x.reshape([-1, I]).matMul(this.kernel.read() as tf.Tensor2D).add(this.bias.read()).reshape([...x.shape.slice(0, -1), this.units]);
      return this.activation === 'relu' ? tf.relu(y) : this.activation === 'gelu' ? geluExact(y) : y;
    });
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), units: this.units, activation: this.activation };
  }
}
