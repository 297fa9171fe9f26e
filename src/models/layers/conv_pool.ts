/**
 * SeqnetConvPool: one TextCNN branch, conv1d → bias → relu → global pool over time (padding
 * excluded), from the embedded tokens [B, T, C] and the token ids [B, T] to [B, filters].
 * Weights as tf.layers.conv1d names and shapes them: kernel [k, C, filters] (He uniform), bias
 * [filters] (zeros). Computed by the conv-pool op (backend/ops/conv_pool.ts), which picks its fused
 * path (stride 1, max pooling) or the plain ops with the mask SeqnetPool reads from the ids.
 */
import { tf } from '../../backend/index.js';
import { convPool } from '../../backend/ops/conv_pool.js';

export interface ConvPoolArgs {
  filters: number;
  kernelSize: number;
  /** step along the sequence, default 1 */
  stride?: number;
  /** 'same' keeps ⌈T / stride⌉ outputs, 'valid' only windows inside the sequence; default 'valid' */
  padding?: 'valid' | 'same';
  /** global pooling over the real positions, default 'max' */
  pool?: 'max' | 'mean';
  /** seed of the kernel's initializer */
  seed?: number;
  name?: string;
}

export class SeqnetConvPool extends tf.layers.Layer {
  static className = 'SeqnetConvPool';
  readonly filters: number;
  readonly kernelSize: number;
  readonly stride: number;
  readonly padding: 'valid' | 'same';
  readonly poolMode: 'max' | 'mean';
  private readonly seed: number | undefined;
  private kernel!: tf.LayerVariable;
  private bias!: tf.LayerVariable;

  constructor(args: ConvPoolArgs) {
    super({ name: args.name });
    this.filters = args.filters;
    this.kernelSize = args.kernelSize;
    this.stride = args.stride ?? 1;
    this.padding = args.padding ?? 'valid';
    this.poolMode = args.pool ?? 'max';
    this.seed = args.seed;
    this.supportsMasking = true; // a Keras mask is ignored: padding comes from the ids
  }

  override build(inputShape: tf.Shape | tf.Shape[]): void {
    const s = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as tf.Shape;
    const C = s[2] as number;
    const init = tf.initializers.heUniform({ seed: this.seed });
    this.kernel = this.addWeight('kernel', [this.kernelSize, C, this.filters], 'float32', init);
    this.bias = this.addWeight('bias', [this.filters], 'float32', tf.initializers.zeros());
    this.built = true;
  }

  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape {
    const s = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as tf.Shape;
    return [s[0], this.filters];
  }

  override computeMask(): tf.Tensor | tf.Tensor[] {
    return null as unknown as tf.Tensor; // one vector per sequence: nothing left to mask
  }

  /** inputs: [features [B, T, C], token ids [B, T]] → [B, filters] */
  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    const [x, ids] = inputs as [tf.Tensor3D, tf.Tensor2D];
    const cfg = { stride: this.stride, padding: this.padding, pool: this.poolMode };
    return convPool(x, this.kernel.read() as tf.Tensor3D, this.bias.read() as tf.Tensor1D, ids, cfg);
  }

  override getConfig(): tf.serialization.ConfigDict {
    return {
      ...super.getConfig(),
      filters: this.filters, kernelSize: this.kernelSize, stride: this.stride, padding: this.padding, pool: this.poolMode,
      ...(this.seed === undefined ? {} : { seed: this.seed }),
    };
  }
}
tf.serialization.registerClass(SeqnetConvPool);
