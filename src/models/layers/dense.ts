/**
 * SeqnetDense: x [..., I] → act(x·W + b) [..., O] with W [I, O] (glorot uniform), b [O] (zeros),
 * computed as one 2-D product with an sgemm-friendly bias gradient (affine.ts).
 */
import { tf } from '../../backend/index.js';
import { denseFused, fastKernelsActive } from '../../backend/kernels/index.js';
import { linear } from './affine.js';

export type DenseActivation = 'linear' | 'relu' | 'gelu';

/** GELU, x·Φ(x) = ½x(1 + erf(x/√2)) (Hendrycks & Gimpel); the pure-JS path fuses it into dense() */
export function gelu(x: tf.Tensor): tf.Tensor {
  return tf.tidy(() => x.mul(tf.erf(x.mul(Math.SQRT1_2)).add(1)).mul(0.5));
}

/** act(x·W + b): x [..., I], W [I, O], b [O] → [..., O] (one fused op on the pure-JS path). */
export function dense(x: tf.Tensor, w: tf.Tensor2D, b: tf.Tensor1D, activation: DenseActivation): tf.Tensor {
  return tf.tidy(() => {
    if (fastKernelsActive()) return denseFused(x, w, b, activation);
    const y = linear(x, w, b);
    return activation === 'relu' ? tf.relu(y) : activation === 'gelu' ? gelu(y) : y;
  });
}

export class SeqnetDense extends tf.layers.Layer {
  static className = 'SeqnetDense';
  readonly units: number;
  readonly activation: DenseActivation;
  private readonly seed: number;
  private kernel!: tf.LayerVariable;
  private bias!: tf.LayerVariable;

  constructor(args: { units: number; activation?: DenseActivation; seed?: number; name?: string }) {
    super({ name: args.name });
    this.units = args.units;
    this.activation = args.activation ?? 'linear';
    this.seed = args.seed ?? 1;
    this.supportsMasking = true;
  }

  override build(inputShape: tf.Shape | tf.Shape[]): void {
    const s = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as tf.Shape;
    const I = s[s.length - 1] as number;
    this.kernel = this.addWeight('kernel', [I, this.units], 'float32', tf.initializers.glorotUniform({ seed: this.seed }));
    this.bias = this.addWeight('bias', [this.units], 'float32', tf.initializers.zeros());
    this.built = true;
  }

  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape {
    const s = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as tf.Shape;
    return [...s.slice(0, -1), this.units];
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    const x = Array.isArray(inputs) ? inputs[0] : inputs;
    return dense(x, this.kernel.read() as tf.Tensor2D, this.bias.read() as tf.Tensor1D, this.activation);
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), units: this.units, activation: this.activation, seed: this.seed };
  }
}
tf.serialization.registerClass(SeqnetDense);
