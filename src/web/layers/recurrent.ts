/**
 * Browser SeqnetRecurrent: the saved class of seqnet's recurrent layers, from standard tf ops only.
 * Needed in exports for the GRU, whose reset gate acts after the recurrent product (Keras
 * reset_after=true), which TensorFlow.js' own GRU does not offer.
 * Weights (Keras layout): kernel [D, gU], recurrent_kernel [U, gU], bias [gU], + recurrent_bias [gU]
 * for the GRU; g = 4 (lstm: i, f, c, o) | 3 (gru: z, r, h) | 1 (rnn).
 * Masked steps keep the previous state and output, as Keras does; a backward layer returns its
 * outputs in the original time order. With `stateful` (token-by-token generation) each call starts
 * from the states the last call ended with, until resetStates().
 */
import * as tf from '@tensorflow/tfjs';

type Cell = 'rnn' | 'lstm' | 'gru';
const WIDTH: Record<Cell, number> = { rnn: 1, lstm: 4, gru: 3 };

interface Args {
  cell: Cell;
  units: number;
  returnSequences?: boolean;
  goBackwards?: boolean;
  stateful?: boolean;
  name?: string;
  trainable?: boolean;
}

/** one step: x [B, D] and states (h first) → new states (h first) */
type Step = (x: tf.Tensor2D, s: tf.Tensor2D[]) => tf.Tensor2D[];

export class SeqnetRecurrent extends tf.layers.Layer {
  static className = 'SeqnetRecurrent';
  readonly cell: Cell;
  readonly units: number;
  readonly returnSequences: boolean;
  readonly goBackwards: boolean;
  private w: tf.LayerVariable[] = [];
  private carried?: tf.Tensor2D[];

  constructor(args: Args) {
    super({ name: args.name, trainable: args.trainable });
    this.cell = args.cell;
    this.units = args.units;
    this.returnSequences = args.returnSequences ?? true;
    this.goBackwards = args.goBackwards ?? false;
    this._stateful = args.stateful ?? false;
    this.supportsMasking = true;
  }

  override build(inputShape: tf.Shape | tf.Shape[]): void {
    const s = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as tf.Shape;
    const gu = WIDTH[this.cell] * this.units;
    const zeros = tf.initializers.zeros();
    this.w = [
      this.addWeight('kernel', [s[s.length - 1] as number, gu], 'float32', zeros),
      this.addWeight('recurrent_kernel', [this.units, gu], 'float32', zeros),
      this.addWeight('bias', [gu], 'float32', zeros),
      ...(this.cell === 'gru' ? [this.addWeight('recurrent_bias', [gu], 'float32', zeros)] : []),
    ];
    this.built = true;
  }

  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape {
    const s = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as tf.Shape;
    return this.returnSequences ? [s[0], s[1], this.units] : [s[0], this.units];
  }

  override computeMask(_inputs: tf.Tensor | tf.Tensor[], mask?: tf.Tensor | tf.Tensor[]): tf.Tensor | tf.Tensor[] {
    return (this.returnSequences ? mask ?? null : null) as unknown as tf.Tensor;
  }

  private step(): Step {
    const [W, R, b, rb] = this.w.map((v) => v.read() as tf.Tensor2D);
    switch (this.cell) {
      case 'lstm':
        return (x, [h, c]) => {
          const [i, f, g, o] = tf.split(x.matMul(W).add(h.matMul(R)).add(b), 4, 1);
          const c2 = tf.sigmoid(f).mul(c).add(tf.sigmoid(i).mul(tf.tanh(g))) as tf.Tensor2D;
          return [tf.sigmoid(o).mul(tf.tanh(c2)) as tf.Tensor2D, c2];
        };
      case 'gru':
        return (x, [h]) => {
          const [xz, xr, xh] = tf.split(x.matMul(W).add(b), 3, 1);
          const [hz, hr, hh] = tf.split(h.matMul(R).add(rb), 3, 1);
          const z = tf.sigmoid(xz.add(hz));
          const cand = tf.tanh(xh.add(tf.sigmoid(xr.add(hr)).mul(hh)));
          return [z.mul(h).add(tf.sub(1, z).mul(cand)) as tf.Tensor2D];
        };
      case 'rnn':
        return (x, [h]) => [tf.tanh(x.matMul(W).add(h.matMul(R)).add(b)) as tf.Tensor2D];
    }
  }

  /** x [B, T, D], mask [B, T] (1 real) → outputs [B, T, U] in time order, final states */
  run(x: tf.Tensor3D, mask?: tf.Tensor2D, initial?: tf.Tensor2D[]): { outputs: tf.Tensor3D; states: tf.Tensor2D[] } {
    const [B, T] = x.shape;
    const step = this.step();
    const zero = tf.zeros([B, this.units]) as tf.Tensor2D;
    let states = initial ?? (this.cell === 'lstm' ? [zero, zero] : [zero]);
    let last = zero;
    const xs = tf.unstack(x, 1) as tf.Tensor2D[];
    const ms = mask ? (tf.unstack(mask.cast('float32'), 1).map((m) => m.reshape([B, 1])) as tf.Tensor2D[]) : undefined;
    const outs: tf.Tensor2D[] = [];
    for (let k = 0; k < T; k++) {
      const t = this.goBackwards ? T - 1 - k : k;
      let next = step(xs[t], states);
      let out = next[0];
      if (ms) {
        const m = ms[t];
        const keep = (a: tf.Tensor2D, old: tf.Tensor2D) => tf.where(m.cast('bool').tile([1, this.units]), a, old) as tf.Tensor2D;
        next = next.map((n, i) => keep(n, states[i]));
        out = keep(out, last);
      }
      states = next;
      outs[t] = out;
      last = out;
    }
    return { outputs: tf.stack(outs, 1) as tf.Tensor3D, states };
  }

  override call(inputs: tf.Tensor | tf.Tensor[], kwargs: { mask?: tf.Tensor }): tf.Tensor {
    return tf.tidy(() => {
      const x = (Array.isArray(inputs) ? inputs[0] : inputs) as tf.Tensor3D;
      const { outputs, states } = this.run(x, kwargs.mask as tf.Tensor2D | undefined, this.stateful ? this.carried : undefined);
      if (this.stateful) {
        this.resetStates();
        this.carried = states.map((t) => tf.keep(t));
      }
      return this.returnSequences ? outputs : states[0];
    });
  }

  override resetStates(): void {
    tf.dispose(this.carried);
    this.carried = undefined;
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), cell: this.cell, units: this.units, returnSequences: this.returnSequences, goBackwards: this.goBackwards, stateful: this.stateful };
  }
}
