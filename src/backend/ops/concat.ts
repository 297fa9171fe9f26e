/** The concatenation op the seq2seq layers use (models/seq2seq/sublayers.ts). */
import { tf } from '../tf.js';

/**
 * Concatenation along the last axis. On the pure-JS cpu backend (either kernel mode) its gradient
 * is split by one pass over the data: tfjs-backend-cpu splits a non-leading axis element by
 * element, which dominated training. Elsewhere (native TensorFlow, a GPU) tf.concat and its own
 * gradient, which keep the data on the device.
 * parts: [..., D_i] with equal leading shapes → [..., ΣD_i]
 */
export function concatLast<T extends tf.Tensor>(parts: T[]): T {
  if (parts.length === 1) return parts[0];
  if (tf.getBackend() !== 'cpu') return tf.concat(parts, -1) as T;
  const widths = parts.map((p) => p.shape[p.rank - 1]!);
  const total = widths.reduce((a, b) => a + b, 0);
  const op = tf.customGrad((...args: unknown[]) => {
    const xs = args.slice(0, parts.length) as tf.Tensor[];
    return {
      value: tf.concat(xs, -1),
      gradFunc: (dy: tf.Tensor) => {
        const g = dy.dataSync() as Float32Array;
        const rows = g.length / total;
        const outs = widths.map((w) => new Float32Array(rows * w));
        for (let r = 0; r < rows; r++) {
          let o = r * total;
          widths.forEach((w, i) => {
            outs[i].set(g.subarray(o, o + w), r * w);
            o += w;
          });
        }
        return outs.map((a, i) => tf.tensor(a, xs[i].shape, 'float32'));
      },
    };
  });
  return op(...parts) as T;
}
