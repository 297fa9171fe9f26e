/**
 * SeqnetSeq2seqEncoder: source ids → embedding → stacked SeqnetRecurrent layers (each optionally
 * bidirectional, the two directions concatenated). Padding (id 0) is masked, so a forward layer's
 * final state is its state at the last real token and the backward one starts at it.
 * Outputs: the top layer's outputs [B, S, H] and every layer's final states (each [B, H]),
 * H = units · (2 if bidirectional else 1); the decoder starts from those states.
 */
import { tf } from '../../backend/index.js';
import { Rng } from '../../util/rng.js';
import { dropout } from '../layers/dropout.js';
import { SeqnetRecurrent } from '../layers/recurrent.js';
import { concatLast } from '../../backend/ops/concat.js';
import { buildSublayer, embeddingInit, withSublayers } from './sublayers.js';

export type Seq2seqCell = 'lstm' | 'gru';

export interface EncoderArgs {
  cell: Seq2seqCell;
  units: number;
  layers: number;
  bidirectional: boolean;
  vocabSize: number;
  embeddingDim: number;
  dropout: number;
  seed: number;
  name?: string;
}

/** What the decoder attends over: encoder outputs [B, S, H] and the source mask [B, S] (1 real, 0 pad). */
export interface Memory {
  outputs: tf.Tensor3D;
  mask: tf.Tensor2D;
}

/** recurrent states per layer: [h, c] for the LSTM, [h] for the GRU */
export const statesPerLayer = (cell: Seq2seqCell): number => (cell === 'lstm' ? 2 : 1);

export class SeqnetSeq2seqEncoder extends tf.layers.Layer {
  static className = 'SeqnetSeq2seqEncoder';
  readonly args: EncoderArgs;
  /** [layer][direction] */
  private readonly rnns: SeqnetRecurrent[][];
  private embedding!: tf.LayerVariable;

  constructor(args: EncoderArgs) {
    super({ name: args.name });
    const { cell, units, layers, bidirectional, vocabSize, embeddingDim, dropout: rate, seed } = args;
    this.args = { cell, units, layers, bidirectional, vocabSize, embeddingDim, dropout: rate, seed };
    const rng = new Rng(args.seed);
    const dirs = args.bidirectional ? (['forward', 'backward'] as const) : (['forward'] as const);
    this.rnns = Array.from({ length: args.layers }, (_, i) =>
      dirs.map(
        (d) =>
          new SeqnetRecurrent({ cell: args.cell, units: args.units, goBackwards: d === 'backward', seed: rng.fork(), name: `${args.cell}_${i + 1}_${d}` }),
      ),
    );
  }

  /** width of the outputs and of every state */
  get width(): number {
    return this.args.units * (this.args.bidirectional ? 2 : 1);
  }

  get numStates(): number {
    return this.args.layers * statesPerLayer(this.args.cell);
  }

  override build(): void {
    const a = this.args;
    this.embedding = this.addWeight('embedding', [a.vocabSize, a.embeddingDim], 'float32', embeddingInit(new Rng(a.seed + 1)));
    let d = a.embeddingDim;
    for (const layer of this.rnns) {
      for (const r of layer) buildSublayer(r, () => tf.zeros([1, 1, d]));
      d = this.width;
    }
    this.built = true;
  }

  override get trainableWeights(): tf.LayerVariable[] {
    return withSublayers(super.trainableWeights, this.rnns.flat(), 'trainable');
  }

  override get nonTrainableWeights(): tf.LayerVariable[] {
    return withSublayers(super.nonTrainableWeights, this.rnns.flat(), 'nonTrainable');
  }

  /** source ids [B, S] int32 → memory (outputs [B, S, H], mask [B, S]) and final states [B, H] each */
  encode(source: tf.Tensor2D, training = false): { memory: Memory; states: tf.Tensor2D[] } {
    return tf.tidy(() => {
      const mask = source.notEqual(0).cast('float32') as tf.Tensor2D;
      let x = dropout(tf.gather(this.embedding.read(), source.cast('int32')), this.args.dropout, training) as tf.Tensor3D;
      const states: tf.Tensor2D[] = [];
      this.rnns.forEach((dirs, i) => {
        const runs = dirs.map((r) => r.run(x, undefined, mask));
        states.push(...runs[0].states.map((_, j) => concatLast(runs.map((r) => r.states[j]))));
        x = concatLast(runs.map((r) => r.outputs));
        if (i < this.rnns.length - 1) x = dropout(x, this.args.dropout, training) as tf.Tensor3D;
      });
      return { memory: { outputs: x, mask }, states };
    });
  }

  /** source [B, S] → [outputs [B, S, H], ...final states [B, H]] */
  override call(inputs: tf.Tensor | tf.Tensor[], kwargs: { training?: boolean }): tf.Tensor[] {
    const source = (Array.isArray(inputs) ? inputs[0] : inputs) as tf.Tensor2D;
    const { memory, states } = this.encode(source, kwargs.training === true);
    memory.mask.dispose();
    return [memory.outputs, ...states];
  }

  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape[] {
    const s = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as tf.Shape;
    return [[s[0], s[1], this.width], ...Array.from({ length: this.numStates }, () => [s[0], this.width])];
  }

  override computeMask(): tf.Tensor[] {
    return new Array(1 + this.numStates).fill(null);
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), ...this.args };
  }
}
tf.serialization.registerClass(SeqnetSeq2seqEncoder);
