/**
 * Browser SeqnetMerge: same-shaped inputs combined elementwise (sum | mul | ave) or along the last
 * axis (concat), keeping the [B, T] padding mask (tfjs' Add/Concatenate reshape it).
 */
import * as tf from '@tensorflow/tfjs';

type Mode = 'concat' | 'sum' | 'mul' | 'ave';

export class SeqnetMerge extends tf.layers.Layer {
  static className = 'SeqnetMerge';
  readonly mode: Mode;
  constructor(args: { mode: Mode; name?: string; trainable?: boolean }) {
    super({ name: args.name, trainable: args.trainable });
    this.mode = args.mode;
    this.supportsMasking = true;
  }

  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape {
    const shapes = inputShape as tf.Shape[];
    if (this.mode !== 'concat') return shapes[0];
    const widths = shapes.map((s) => s[s.length - 1]);
    return [...shapes[0].slice(0, -1), widths.includes(null) ? null : (widths as number[]).reduce((a, b) => a + b, 0)];
  }

  override computeMask(_inputs: tf.Tensor | tf.Tensor[], mask?: tf.Tensor | tf.Tensor[]): tf.Tensor | tf.Tensor[] {
    const ms = (Array.isArray(mask) ? mask : [mask]).filter((m): m is tf.Tensor => m != null);
    if (!ms.length) return null as unknown as tf.Tensor;
    return tf.tidy(() => ms.map((m) => m.cast('bool')).reduce((a, m) => tf.logicalAnd(a, m)));
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    const xs = Array.isArray(inputs) ? inputs : [inputs];
    return tf.tidy(() => {
      if (this.mode === 'concat') return tf.concat(xs, -1);
      if (this.mode === 'mul') return xs.reduce((a, x) => a.mul(x));
      const sum = tf.addN(xs);
      return this.mode === 'ave' ? sum.div(xs.length) : sum;
    });
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), mode: this.mode };
  }
}
