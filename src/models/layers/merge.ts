/**
 * SeqnetMerge: combines same-shaped inputs elementwise (sum | mul | ave) or along the last axis
 * (concat), keeping the [B, T] padding mask. tfjs' own Add/Multiply/Average reshape the mask to
 * [1, B, T], which breaks every masked layer after them (bidirectional merges, residual adds).
 */
import { tf } from '../../backend/index.js';

export type MergeMode = 'concat' | 'sum' | 'mul' | 'ave';

export class SeqnetMerge extends tf.layers.Layer {
  static className = 'SeqnetMerge';
  readonly mode: MergeMode;
  constructor(args: { mode: MergeMode; name?: string }) {
    super({ name: args.name });
    this.mode = args.mode;
    this.supportsMasking = true;
  }

  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape {
    const shapes = inputShape as tf.Shape[];
    if (this.mode !== 'concat') return shapes[0];
    const last = shapes.map((s) => s[s.length - 1]);
    const width = last.some((d) => d === null) ? null : (last as number[]).reduce((a, b) => a + b, 0);
    return [...shapes[0].slice(0, -1), width];
  }

  /** the positions real in every input (all inputs share the padding here) */
  override computeMask(_inputs: tf.Tensor | tf.Tensor[], mask?: tf.Tensor | tf.Tensor[]): tf.Tensor | tf.Tensor[] {
    const masks = (Array.isArray(mask) ? mask : [mask]).filter((m): m is tf.Tensor => m != null);
    if (masks.length === 0) return null as unknown as tf.Tensor;
    return tf.tidy(() => masks.slice(1).reduce((a, m) => tf.logicalAnd(a, m.cast('bool')), masks[0].cast('bool')));
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    const xs = Array.isArray(inputs) ? inputs : [inputs];
    return tf.tidy(() => {
      switch (this.mode) {
        case 'concat':
          return tf.concat(xs, -1);
        case 'sum':
          return tf.addN(xs);
        case 'mul':
          return xs.slice(1).reduce((a, x) => a.mul(x), xs[0]);
        case 'ave':
          return tf.addN(xs).div(xs.length);
      }
    });
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), mode: this.mode };
  }
}
tf.serialization.registerClass(SeqnetMerge);
