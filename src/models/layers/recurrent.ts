/**
 * SeqnetRecurrent: a whole recurrent layer (rnn | lstm | gru) in Keras weight layout, computed by
 * the recurrent sequence op (backend/ops/recurrent.ts), which picks its fused or reference path.
 * Weights: kernel [D, gU], recurrent_kernel [U, gU], bias [gU] (+ recurrent_bias [3U] for GRU),
 * with g = 1 | 4 | 3 and Keras gate orders (lstm i,f,c,o; gru z,r,h, reset_after).
 */
import { tf } from '../../backend/index.js';
import { orthogonal } from '../../backend/kernels/init.js';
import { dropoutMask } from '../../backend/ops/dropout.js';
import { GATES, recurrentSequence, recurrentStates, type CellType, type RecurrentWeights, type StepWeights } from '../../backend/ops/recurrent.js';
import { Rng } from '../../util/rng.js';

/** The cell types, defined once with the op (backend/ops/recurrent/cells.ts). */
export type Cell = CellType;
export { GATES };

export interface RecurrentArgs {
  cell: Cell;
  units: number;
  returnSequences?: boolean;
  goBackwards?: boolean;
  /** dropout rate on h_{t-1} in the recurrent product while training (RnnOpts.recurrentMask) */
  recurrentDropout?: number;
  seed?: number;
  name?: string;
}

export class SeqnetRecurrent extends tf.layers.Layer {
  static className = 'SeqnetRecurrent';
  readonly cell: Cell;
  readonly units: number;
  readonly returnSequences: boolean;
  readonly goBackwards: boolean;
  readonly recurrentDropout: number;
  private readonly seed: number;
  private kernel!: tf.LayerVariable;
  private recurrentKernel!: tf.LayerVariable;
  private bias!: tf.LayerVariable;
  private recurrentBias?: tf.LayerVariable;

  constructor(args: RecurrentArgs) {
    super({ name: args.name });
    this.cell = args.cell;
    this.units = args.units;
    this.returnSequences = args.returnSequences ?? true;
    this.goBackwards = args.goBackwards ?? false;
    this.recurrentDropout = args.recurrentDropout ?? 0;
    this.seed = args.seed ?? 1;
    this.supportsMasking = true;
  }

  override build(inputShape: tf.Shape | tf.Shape[]): void {
    const shape = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as tf.Shape;
    const d = shape[shape.length - 1] as number;
    const u = this.units;
    const g = GATES[this.cell];
    const rng = new Rng(this.seed);
    const limit = Math.sqrt(6 / (d + g * u));
    const glorot = Float32Array.from({ length: d * g * u }, () => (rng.next() * 2 - 1) * limit);
    // Keras: orthogonal recurrent kernel per [U, gU] matrix; unit forget bias for the LSTM.
    const rec = orthogonal([u, g * u], 1, () => rng.next());
    const bias = new Float32Array(g * u);
    if (this.cell === 'lstm') bias.fill(1, u, 2 * u);
    this.kernel = this.addWeight('kernel', [d, g * u], 'float32', tf.initializers.zeros());
    this.recurrentKernel = this.addWeight('recurrent_kernel', [u, g * u], 'float32', tf.initializers.zeros());
    this.bias = this.addWeight('bias', [g * u], 'float32', tf.initializers.zeros());
    tf.tidy(() => {
      this.kernel.write(tf.tensor2d(glorot, [d, g * u]));
      this.recurrentKernel.write(tf.tensor2d(rec, [u, g * u]));
      this.bias.write(tf.tensor1d(bias));
    });
    if (this.cell === 'gru') {
      this.recurrentBias = this.addWeight('recurrent_bias', [g * u], 'float32', tf.initializers.zeros());
    }
    this.built = true;
  }

  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape {
    const s = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as tf.Shape;
    return this.returnSequences ? [s[0], s[1], this.units] : [s[0], this.units];
  }

  /** the padding mask flows on through sequence outputs and stops at a last-state output */
  override computeMask(_inputs: tf.Tensor | tf.Tensor[], mask?: tf.Tensor | tf.Tensor[]): tf.Tensor | tf.Tensor[] {
    return (this.returnSequences ? mask ?? null : null) as unknown as tf.Tensor;
  }

  /**
   * Runs the layer over x [B, T, D] from `initialState` (zeros if absent).
   * Returns outputs [B, T, U] and the final states ([h] or [h, c], each [B, U]).
   */
  run(
    x: tf.Tensor3D, initialState?: tf.Tensor2D[], mask?: tf.Tensor2D, recurrentMask?: tf.Tensor2D,
  ): { outputs: tf.Tensor3D; states: tf.Tensor2D[] } {
    return recurrentSequence(this.cell, x, this.weightTensors(), { goBackwards: this.goBackwards, initialState, mask, recurrentMask });
  }

  private weightTensors(): RecurrentWeights {
    return {
      kernel: this.kernel.read() as tf.Tensor2D,
      recurrentKernel: this.recurrentKernel.read() as tf.Tensor2D,
      bias: this.bias.read() as tf.Tensor1D,
      recurrentBias: this.recurrentBias?.read() as tf.Tensor1D | undefined,
    };
  }

  /** The weights as arrays, for one step at a time (recurrentStep). */
  stepWeights(): StepWeights {
    const values = (v: tf.LayerVariable): Float32Array => v.read().dataSync() as Float32Array;
    return {
      kernel: values(this.kernel), recurrentKernel: values(this.recurrentKernel), bias: values(this.bias),
      recurrentBias: this.recurrentBias ? values(this.recurrentBias) : null,
    };
  }

  /** x: [B, T, D] → [B, T, U] (returnSequences) or [B, U] (last state) */
  override call(inputs: tf.Tensor | tf.Tensor[], kwargs: { mask?: tf.Tensor; training?: boolean }): tf.Tensor {
    return tf.tidy(() => {
      const x = (Array.isArray(inputs) ? inputs[0] : inputs) as tf.Tensor3D;
      const mask = kwargs.mask ? (kwargs.mask.cast('float32') as tf.Tensor2D) : undefined;
      // recurrent dropout: one mask per sequence on h_{t-1} in the recurrent product, training only
      const dropped = kwargs.training === true && this.recurrentDropout > 0;
      const recurrentMask = dropped ? (dropoutMask([x.shape[0], this.units], this.recurrentDropout) as tf.Tensor2D) : undefined;
      if (!this.returnSequences) return recurrentStates(this.cell, x, this.weightTensors(), { goBackwards: this.goBackwards, mask, recurrentMask })[0];
      return this.run(x, undefined, mask, recurrentMask).outputs;
    });
  }

  override getConfig(): tf.serialization.ConfigDict {
    return {
      ...super.getConfig(),
      cell: this.cell,
      units: this.units,
      returnSequences: this.returnSequences,
      goBackwards: this.goBackwards,
      recurrentDropout: this.recurrentDropout,
      seed: this.seed,
    };
  }
}
tf.serialization.registerClass(SeqnetRecurrent);
