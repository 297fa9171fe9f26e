/**
 * SeqnetSeq2seqDecoder (Luong et al. 2015 global attention): target ids → embedding → stacked
 * SeqnetRecurrent layers started from the encoder's final states → attention of the top states
 * over the encoder outputs → attentional state h̃ = tanh(W_c [context; h] + b_c) → logits
 * (W_c is kept as its two halves, context_kernel and state_kernel, so no concatenation is needed).
 * The recurrence does not read the attention, so teacher-forced training runs each layer as ONE
 * fused sequence op, and decoding carries the states one step at a time (`run` with T = 1).
 * Weights: embedding [V, E], the RNNs, the attention's, context_kernel and state_kernel [H, H],
 * combine_bias [H], output_kernel [H, V], output_bias [V].
 */
import { tf } from '../../backend/index.js';
import type { AttentionScore } from '../../config/schema/seq2seq.js';
import { Rng } from '../../util/rng.js';
import { dropout } from '../layers/dropout.js';
import { SeqnetRecurrent } from '../layers/recurrent.js';
import { savedScore, SeqnetSeq2seqAttention } from './attention.js';
import { statesPerLayer, type Memory, type Seq2seqCell } from './encoder.js';
import { buildSublayer, dense3d, embeddingInit, glorot, withSublayers, type Init } from './sublayers.js';

export interface DecoderArgs {
  cell: Seq2seqCell;
  /** decoder width H = the encoder's output width */
  units: number;
  layers: number;
  vocabSize: number;
  embeddingDim: number;
  attention: AttentionScore;
  /** longest source (data.seq_len), for the location score */
  sourceLength: number;
  dropout: number;
  /** fraction of true previous tokens fed while training; the rest are the model's predictions */
  teacherForcing: number;
  seed: number;
  name?: string;
}

export interface DecoderStep {
  /** [B, T, V] */
  logits: tf.Tensor3D;
  /** the states after the last step, each [B, H] */
  states: tf.Tensor2D[];
  /** attention weights [B, T, S], when the decoder attends */
  weights?: tf.Tensor3D;
}

export class SeqnetSeq2seqDecoder extends tf.layers.Layer {
  static className = 'SeqnetSeq2seqDecoder';
  readonly args: DecoderArgs;
  private readonly rnns: SeqnetRecurrent[];
  readonly attention?: SeqnetSeq2seqAttention;
  private readonly sampling: Rng;
  private w: Record<string, tf.LayerVariable> = {};

  constructor(args: DecoderArgs) {
    super({ name: args.name });
    const { cell, units, layers, vocabSize, embeddingDim, sourceLength, dropout: rate, teacherForcing, seed } = args;
    const attention = savedScore(args.attention); // a loaded config holds it camel-cased (scaledDot)
    this.args = { cell, units, layers, vocabSize, embeddingDim, attention, sourceLength, dropout: rate, teacherForcing, seed };
    const rng = new Rng(seed);
    this.rnns = Array.from({ length: layers }, (_, i) => new SeqnetRecurrent({ cell, units, seed: rng.fork(), name: `${cell}_${i + 1}` }));
    if (attention !== 'none') {
      this.attention = new SeqnetSeq2seqAttention({ score: attention, units, sourceLength, seed: rng.fork(), name: `attention_${attention}` });
    }
    this.sampling = new Rng(rng.fork());
  }

  get numStates(): number {
    return this.args.layers * statesPerLayer(this.args.cell);
  }

  private get subs(): tf.layers.Layer[] {
    return [...this.rnns, ...(this.attention ? [this.attention] : [])];
  }

  override build(): void {
    const { vocabSize: V, embeddingDim: E, units: H, seed } = this.args;
    const rng = new Rng(seed + 1);
    const zeros = tf.initializers.zeros();
    const add = (name: string, shape: number[], init: Init) =>
      (this.w[name] = this.addWeight(name, shape, 'float32', init));
    add('embedding', [V, E], embeddingInit(rng));
    if (this.attention) {
      add('context_kernel', [H, H], glorot(rng));
      add('state_kernel', [H, H], glorot(rng));
      add('combine_bias', [H], zeros);
    }
    add('output_kernel', [H, V], glorot(rng));
    add('output_bias', [V], zeros);
    this.rnns.forEach((r, i) => buildSublayer(r, () => tf.zeros([1, 1, i === 0 ? E : H])));
    if (this.attention) buildSublayer(this.attention, () => [tf.zeros([1, 1, H]), tf.zeros([1, 1, H]), tf.ones([1, 1])]);
    this.built = true;
  }

  override get trainableWeights(): tf.LayerVariable[] {
    return withSublayers(super.trainableWeights, this.subs, 'trainable');
  }

  override get nonTrainableWeights(): tf.LayerVariable[] {
    return withSublayers(super.nonTrainableWeights, this.subs, 'nonTrainable');
  }

  /**
   * Runs the decoder over ids [B, T] int32 from `states` (the encoder's final states, or those a
   * previous call returned), attending over `memory`. T = 1 is one decoding step.
   */
  run(ids: tf.Tensor2D, memory: Memory, states: tf.Tensor2D[], training = false): DecoderStep {
    return tf.tidy(() => {
      const rate = this.args.dropout;
      const n = statesPerLayer(this.args.cell);
      let x = dropout(tf.gather(this.w.embedding.read(), ids.cast('int32')), rate, training) as tf.Tensor3D;
      const next: tf.Tensor2D[] = [];
      this.rnns.forEach((r, i) => {
        const out = r.run(x, states.slice(i * n, (i + 1) * n));
        next.push(...out.states);
        x = i < this.rnns.length - 1 ? (dropout(out.outputs, rate, training) as tf.Tensor3D) : out.outputs;
      });
      let h: tf.Tensor3D = x; // [B, T, H]
      let weights: tf.Tensor3D | undefined;
      if (this.attention) {
        const a = this.attention.attend(h, memory.outputs, memory.mask);
        weights = a.weights;
        const mixed = dense3d(a.context, this.w.context_kernel.read()).add(dense3d(h, this.w.state_kernel.read(), this.w.combine_bias.read()));
        h = tf.tanh(mixed) as tf.Tensor3D;
      }
      h = dropout(h, rate, training) as tf.Tensor3D;
      const logits = dense3d(h, this.w.output_kernel.read(), this.w.output_bias.read());
      return weights ? { logits, states: next, weights } : { logits, states: next };
    });
  }

  /**
   * Parallel scheduled sampling (Duckworth et al. 2019): decoder inputs after the first are, with
   * probability 1 − teacher_forcing, the token a teacher-forced first pass predicted for that step.
   * The first pass is read back as data, so no gradient flows through it.
   */
  private scheduledInputs(ids: tf.Tensor2D, memory: Memory, states: tf.Tensor2D[]): tf.Tensor2D {
    const [B, T] = ids.shape;
    const pred = tf.tidy(() => this.run(ids, memory, states, false).logits.argMax(-1));
    const predicted = tf.tensor2d(pred.dataSync() as Int32Array, [B, T], 'int32');
    pred.dispose();
    return tf.tidy(() => {
      const shifted = tf.concat([ids.slice([0, 0], [B, 1]), predicted.slice([0, 0], [B, T - 1])], 1);
      const keep = tf
        .randomUniform([B, T], 0, 1, 'float32', this.sampling.fork())
        .less(this.args.teacherForcing)
        .logicalOr(tf.oneHot(tf.zeros([B], 'int32'), T).cast('bool')); // <bos> always stays
      predicted.dispose();
      return tf.where(keep, ids.cast('int32'), shifted) as tf.Tensor2D;
    });
  }

  /** [decoder ids [B,T], source ids [B,S], encoder outputs [B,S,H], ...states [B,H]] → logits [B,T,V] */
  override call(inputs: tf.Tensor | tf.Tensor[], kwargs: { training?: boolean }): tf.Tensor {
    const [ids, source, outputs, ...states] = inputs as [tf.Tensor2D, tf.Tensor2D, tf.Tensor3D, ...tf.Tensor2D[]];
    const training = kwargs.training === true;
    return tf.tidy(() => {
      const memory: Memory = { outputs, mask: source.notEqual(0).cast('float32') as tf.Tensor2D };
      const useIds = training && this.args.teacherForcing < 1 && ids.shape[1] > 1 ? this.scheduledInputs(ids, memory, states) : ids;
      return this.run(useIds, memory, states, training).logits;
    });
  }

  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape {
    const ids = (inputShape as tf.Shape[])[0];
    return [ids[0], ids[1], this.args.vocabSize];
  }

  override computeMask(): tf.Tensor {
    return null as unknown as tf.Tensor; // no mask on the logits: the loss weights exclude padding
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), ...this.args };
  }
}
tf.serialization.registerClass(SeqnetSeq2seqDecoder);
