/**
 * SeqnetDense: x [..., I] → act(x·W + b) [..., O] with W [I, O] (glorot uniform), b [O] (zeros),
 * computed by the dense op (backend/ops/dense.ts).
 */
import { tf } from '../../backend/index.js';
import { dense, type DenseAct } from '../../backend/ops/dense.js';

export { dense, gelu } from '../../backend/ops/dense.js';
export type DenseActivation = DenseAct;

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
