/**
 * Browser versions of the seq2seq classes (Luong-style encoder–decoder with global attention),
 * from standard tf ops. Sub-layers are built inside the outer layer's build, so their weights are
 * named `encoder/lstm_1_forward/kernel`, `decoder/attention_general/kernel`, … as seqnet saves them.
 *   encoder: ids [B, S] → embedding → stacked SeqnetRecurrent (bidirectional: both concatenated)
 *            → outputs [B, S, H] and every layer's final states [B, H]
 *   decoder: ids [B, T] from states → SeqnetRecurrent layers → attention over the encoder outputs
 *            → h̃ = tanh(context·W_c + h·W_s + b) → logits [B, T, V]
 */
import * as tf from '@tensorflow/tfjs';
import { SeqnetRecurrent } from './recurrent.js';

type Cell = 'lstm' | 'gru';
type Score = 'dot' | 'general' | 'additive' | 'scaled_dot' | 'cosine' | 'location';

/** What the decoder attends over: encoder outputs [B, S, H] and the source mask [B, S] (1 real). */
export interface Memory {
  outputs: tf.Tensor3D;
  mask: tf.Tensor2D;
}

const zeros = () => tf.initializers.zeros();
/** x [B, T, D] · W [D, N] (+ b) → [B, T, N] */
const dense3d = (x: tf.Tensor, W: tf.Tensor, b?: tf.Tensor): tf.Tensor3D => {
  const [B, T, D] = x.shape;
  const y = x.reshape([B * T, D]).matMul(W as tf.Tensor2D);
  return (b ? y.add(b) : y).reshape([B, T, W.shape[1]!]) as tf.Tensor3D;
};
const statesPerLayer = (cell: Cell) => (cell === 'lstm' ? 2 : 1);
/** applies `inner` once inside the outer build, so its weights live under the outer name */
const buildSub = (inner: tf.layers.Layer, probe: () => tf.Tensor | tf.Tensor[]) => tf.tidy(() => void inner.apply(probe()));

export class SeqnetSeq2seqAttention extends tf.layers.Layer {
  static className = 'SeqnetSeq2seqAttention';
  readonly score: Score;
  readonly units: number;
  readonly sourceLength: number;
  private w: Record<string, tf.LayerVariable> = {};
  constructor(args: { score: Score; units: number; sourceLength: number; name?: string }) {
    super({ name: args.name });
    this.score = args.score;
    this.units = args.units;
    this.sourceLength = args.sourceLength;
  }

  override build(): void {
    const H = this.units;
    const add = (n: string, shape: number[]) => (this.w[n] = this.addWeight(n, shape, 'float32', zeros()));
    const spec: Record<Score, [string, number[]][]> = {
      dot: [], scaled_dot: [], general: [['kernel', [H, H]]],
      additive: [['query_kernel', [H, H]], ['key_kernel', [H, H]], ['bias', [H]], ['v', [H, 1]]],
      cosine: [['kernel', [H, H]], ['beta_kernel', [H, 1]], ['beta_bias', [1]]],
      location: [['kernel', [H, this.sourceLength]], ['bias', [this.sourceLength]]],
    };
    for (const [n, s] of spec[this.score]) add(n, s);
    this.built = true;
  }

  private v(n: string): tf.Tensor {
    return this.w[n].read();
  }

  /** query [B, T, H], keys [B, S, H] → raw scores [B, T, S] */
  private scores(q: tf.Tensor3D, k: tf.Tensor3D): tf.Tensor {
    const [B, T, H] = q.shape;
    const S = k.shape[1];
    switch (this.score) {
      case 'dot':
        return tf.matMul(q, k, false, true);
      case 'scaled_dot':
        return tf.matMul(q, k, false, true).div(Math.sqrt(H));
      case 'general':
        return tf.matMul(dense3d(q, this.v('kernel')), k, false, true);
      case 'additive': {
        const qa = dense3d(q, this.v('query_kernel')).reshape([B, T, 1, H]);
        const ka = dense3d(k, this.v('key_kernel'), this.v('bias')).reshape([B, 1, S, H]);
        return tf.tanh(qa.add(ka)).reshape([B * T * S, H]).matMul(this.v('v') as tf.Tensor2D).reshape([B, T, S]);
      }
      case 'cosine': {
        const unit = (x: tf.Tensor) => x.div(x.square().sum(-1, true).add(1e-8).sqrt());
        const beta = tf.softplus(dense3d(q, this.v('beta_kernel'), this.v('beta_bias'))).add(1);
        return tf.matMul(unit(dense3d(q, this.v('kernel'))), unit(k), false, true).mul(beta);
      }
      case 'location':
        if (S > this.sourceLength) throw new Error(`${this.name}: a source of ${S} tokens is longer than the ${this.sourceLength} positions it covers`);
        return dense3d(q, this.v('kernel'), this.v('bias')).slice([0, 0, 0], [B, T, S]);
    }
  }

  /** → context [B, T, H] and weights [B, T, S] (each row sums to one over the real positions) */
  attend(q: tf.Tensor3D, k: tf.Tensor3D, mask: tf.Tensor2D): { context: tf.Tensor3D; weights: tf.Tensor3D } {
    const [B, S] = k.shape;
    const weights = tf.softmax(this.scores(q, k).add(tf.sub(1, mask).mul(-1e9).reshape([B, 1, S]))) as tf.Tensor3D;
    return { context: tf.matMul(weights, k), weights };
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor[] {
    const [q, k, m] = inputs as [tf.Tensor3D, tf.Tensor3D, tf.Tensor2D];
    const { context, weights } = this.attend(q, k, m);
    return [context, weights];
  }

  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape[] {
    const [q, k] = inputShape as tf.Shape[];
    return [[q[0], q[1], this.units], [q[0], q[1], k[1]]];
  }
}

interface EncoderArgs {
  cell: Cell; units: number; layers: number; bidirectional: boolean; vocabSize: number; embeddingDim: number; name?: string;
}

export class SeqnetSeq2seqEncoder extends tf.layers.Layer {
  static className = 'SeqnetSeq2seqEncoder';
  readonly args: EncoderArgs;
  private readonly rnns: SeqnetRecurrent[][];
  private embedding!: tf.LayerVariable;
  constructor(args: EncoderArgs) {
    super({ name: args.name });
    this.args = args;
    const dirs = args.bidirectional ? ['forward', 'backward'] : ['forward'];
    this.rnns = Array.from({ length: args.layers }, (_, i) =>
      dirs.map((d) => new SeqnetRecurrent({ cell: args.cell, units: args.units, goBackwards: d === 'backward', name: `${args.cell}_${i + 1}_${d}` })),
    );
  }

  get width(): number {
    return this.args.units * (this.args.bidirectional ? 2 : 1);
  }

  override build(): void {
    this.embedding = this.addWeight('embedding', [this.args.vocabSize, this.args.embeddingDim], 'float32', zeros());
    let d = this.args.embeddingDim;
    for (const layer of this.rnns) {
      for (const r of layer) buildSub(r, () => tf.zeros([1, 1, d]));
      d = this.width;
    }
    this.built = true;
  }

  override get trainableWeights(): tf.LayerVariable[] {
    return [...super.trainableWeights, ...this.rnns.flat().flatMap((r) => r.trainableWeights)];
  }

  /** source ids [B, S] → memory and the final states (per layer: h [, c], directions concatenated) */
  encode(source: tf.Tensor2D): { memory: Memory; states: tf.Tensor2D[] } {
    return tf.tidy(() => {
      const mask = source.notEqual(0).cast('float32') as tf.Tensor2D;
      let x = tf.gather(this.embedding.read(), source.cast('int32')) as tf.Tensor3D;
      const states: tf.Tensor2D[] = [];
      for (const dirs of this.rnns) {
        const runs = dirs.map((r) => r.run(x, mask));
        states.push(...runs[0].states.map((_, j) => tf.concat(runs.map((r) => r.states[j]), -1) as tf.Tensor2D));
        x = tf.concat(runs.map((r) => r.outputs), -1) as tf.Tensor3D;
      }
      return { memory: { outputs: x, mask }, states };
    });
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor[] {
    const { memory, states } = this.encode((Array.isArray(inputs) ? inputs[0] : inputs) as tf.Tensor2D);
    memory.mask.dispose();
    return [memory.outputs, ...states];
  }

  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape[] {
    const s = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as tf.Shape;
    const n = this.args.layers * statesPerLayer(this.args.cell);
    return [[s[0], s[1], this.width], ...Array.from({ length: n }, () => [s[0], this.width])];
  }

  override computeMask(): tf.Tensor[] {
    return new Array(1 + this.args.layers * statesPerLayer(this.args.cell)).fill(null);
  }
}

interface DecoderArgs {
  cell: Cell; units: number; layers: number; vocabSize: number; embeddingDim: number; attention: Score | 'none'; sourceLength: number; name?: string;
}

export class SeqnetSeq2seqDecoder extends tf.layers.Layer {
  static className = 'SeqnetSeq2seqDecoder';
  readonly args: DecoderArgs;
  private readonly rnns: SeqnetRecurrent[];
  readonly attention?: SeqnetSeq2seqAttention;
  private w: Record<string, tf.LayerVariable> = {};
  constructor(args: DecoderArgs) {
    super({ name: args.name });
    // tfjs turns snake_case string values of a loaded config into camelCase (scaled_dot → scaledDot)
    this.args = { ...args, attention: args.attention.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`) as DecoderArgs['attention'] };
    this.rnns = Array.from({ length: args.layers }, (_, i) => new SeqnetRecurrent({ cell: args.cell, units: args.units, name: `${args.cell}_${i + 1}` }));
    if (this.args.attention !== 'none') {
      const score = this.args.attention;
      this.attention = new SeqnetSeq2seqAttention({ score, units: args.units, sourceLength: args.sourceLength, name: `attention_${score}` });
    }
  }

  override build(): void {
    const { vocabSize: V, embeddingDim: E, units: H } = this.args;
    const add = (n: string, shape: number[]) => (this.w[n] = this.addWeight(n, shape, 'float32', zeros()));
    add('embedding', [V, E]);
    if (this.attention) [['context_kernel', [H, H]], ['state_kernel', [H, H]], ['combine_bias', [H]]].forEach(([n, s]) => add(n as string, s as number[]));
    add('output_kernel', [H, V]);
    add('output_bias', [V]);
    this.rnns.forEach((r, i) => buildSub(r, () => tf.zeros([1, 1, i === 0 ? E : H])));
    if (this.attention) buildSub(this.attention, () => [tf.zeros([1, 1, H]), tf.zeros([1, 1, H]), tf.ones([1, 1])]);
    this.built = true;
  }

  override get trainableWeights(): tf.LayerVariable[] {
    return [...super.trainableWeights, ...[...this.rnns, ...(this.attention ? [this.attention] : [])].flatMap((l) => l.trainableWeights)];
  }

  /** ids [B, T] from `states` over `memory` → logits [B, T, V], the new states, attention weights [B, T, S] */
  run(ids: tf.Tensor2D, memory: Memory, states: tf.Tensor2D[]): { logits: tf.Tensor3D; states: tf.Tensor2D[]; weights?: tf.Tensor3D } {
    return tf.tidy(() => {
      const n = statesPerLayer(this.args.cell);
      let x = tf.gather(this.w.embedding.read(), ids.cast('int32')) as tf.Tensor3D;
      const next: tf.Tensor2D[] = [];
      this.rnns.forEach((r, i) => {
        const out = r.run(x, undefined, states.slice(i * n, (i + 1) * n));
        next.push(...out.states);
        x = out.outputs;
      });
      let h = x;
      let weights: tf.Tensor3D | undefined;
      if (this.attention) {
        const a = this.attention.attend(h, memory.outputs, memory.mask);
        weights = a.weights;
        h = tf.tanh(dense3d(a.context, this.w.context_kernel.read()).add(dense3d(h, this.w.state_kernel.read(), this.w.combine_bias.read()))) as tf.Tensor3D;
      }
      const logits = dense3d(h, this.w.output_kernel.read(), this.w.output_bias.read());
      return weights ? { logits, states: next, weights } : { logits, states: next };
    });
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    const [ids, source, outputs, ...states] = inputs as [tf.Tensor2D, tf.Tensor2D, tf.Tensor3D, ...tf.Tensor2D[]];
    return tf.tidy(() => this.run(ids, { outputs, mask: source.notEqual(0).cast('float32') as tf.Tensor2D }, states).logits);
  }

  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape {
    const ids = (inputShape as tf.Shape[])[0];
    return [ids[0], ids[1], this.args.vocabSize];
  }

  override computeMask(): tf.Tensor {
    return null as unknown as tf.Tensor;
  }
}
