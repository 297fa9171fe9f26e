/**
 * Training-time run of a recurrent layer with variational recurrent dropout (Gal & Ghahramani,
 * Keras `recurrent_dropout`): one dropout mask per sequence on h_{t-1} where it enters the
 * recurrent product, the carried state itself untouched. The fused sequence kernels take no such
 * mask, so this is a per-timestep loop of plain tf ops with the same gate maths and Keras masking
 * as backend/kernels/rnn_reference.ts; it only runs while training with a rate > 0.
 */
import { tf } from '../../backend/index.js';
import { dropoutMask } from './dropout.js';
import type { Cell } from './recurrent.js';

export interface RecurrentWeights {
  /** [D, gU] */
  kernel: tf.Tensor2D;
  /** [U, gU] */
  recurrentKernel: tf.Tensor2D;
  /** [gU] */
  bias: tf.Tensor1D;
  /** [gU], GRU only */
  recurrentBias?: tf.Tensor1D;
}

type Step = (xt: tf.Tensor2D, hDropped: tf.Tensor2D, states: tf.Tensor2D[]) => tf.Tensor2D[];

function stepFor(cell: Cell, w: RecurrentWeights): Step {
  switch (cell) {
    case 'lstm':
      return (xt, hd, [, c]) => {
        const z = tf.add(tf.add(tf.matMul(xt, w.kernel), tf.matMul(hd, w.recurrentKernel)), w.bias);
        const [zi, zf, zc, zo] = tf.split(z, 4, 1);
        const cNew = tf.add(tf.mul(tf.sigmoid(zf), c), tf.mul(tf.sigmoid(zi), tf.tanh(zc))) as tf.Tensor2D;
        return [tf.mul(tf.sigmoid(zo), tf.tanh(cNew)) as tf.Tensor2D, cNew];
      };
    case 'gru':
      return (xt, hd, [h]) => {
        const [xz, xr, xh] = tf.split(tf.add(tf.matMul(xt, w.kernel), w.bias), 3, 1);
        const [rz, rr, rh] = tf.split(tf.add(tf.matMul(hd, w.recurrentKernel), w.recurrentBias!), 3, 1);
        const z = tf.sigmoid(tf.add(xz, rz));
        const r = tf.sigmoid(tf.add(xr, rr));
        const hh = tf.tanh(tf.add(xh, tf.mul(r, rh)));
        return [tf.add(tf.mul(z, h), tf.mul(tf.sub(1, z), hh)) as tf.Tensor2D];
      };
    case 'rnn':
      return (xt, hd) => [tf.tanh(tf.add(tf.add(tf.matMul(xt, w.kernel), tf.matMul(hd, w.recurrentKernel)), w.bias)) as tf.Tensor2D];
  }
}

/**
 * x [B, T, D], mask [B, T] (1 real, 0 padding) → outputs [B, T, U] in original time order and the
 * final states ([h] or [h, c], each [B, U]).
 */
export function runWithRecurrentDropout(
  cell: Cell,
  x: tf.Tensor3D,
  w: RecurrentWeights,
  rate: number,
  opts: { goBackwards: boolean; mask?: tf.Tensor2D },
): { outputs: tf.Tensor3D; states: tf.Tensor2D[] } {
  return tf.tidy(() => {
    const [B, T] = x.shape;
    const U = w.recurrentKernel.shape[0];
    const step = stepFor(cell, w);
    const keep = dropoutMask([B, U], rate) as tf.Tensor2D; // 0 or 1/(1-rate), fixed over time
    let states: tf.Tensor2D[] = Array.from({ length: cell === 'lstm' ? 2 : 1 }, () => tf.zeros([B, U]));
    let prev: tf.Tensor2D = tf.zeros([B, U]);
    const xs = tf.unstack(x, 1) as tf.Tensor2D[];
    const ms = opts.mask ? (tf.unstack(opts.mask, 1).map((m) => m.reshape([B, 1])) as tf.Tensor2D[]) : null;
    const outs: tf.Tensor2D[] = new Array(T);
    for (let s = 0; s < T; s++) {
      const t = opts.goBackwards ? T - 1 - s : s;
      let next = step(xs[t], tf.mul(states[0], keep) as tf.Tensor2D, states);
      let out = next[0];
      if (ms) {
        // Keras masking: padded steps carry the state and repeat the previous output
        const m = ms[t];
        const hold = tf.sub(1, m);
        next = next.map((n, i) => tf.add(tf.mul(n, m), tf.mul(states[i], hold)) as tf.Tensor2D);
        out = tf.add(tf.mul(out, m), tf.mul(prev, hold)) as tf.Tensor2D;
      }
      states = next;
      outs[t] = out;
      prev = out;
    }
    return { outputs: tf.stack(outs, 1) as tf.Tensor3D, states };
  });
}
