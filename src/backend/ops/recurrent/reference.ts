/**
 * Reference recurrent ops from plain tf ops, one timestep at a time. This is what runs on native
 * TensorFlow and with `--kernels reference`, what the fused ops are tested against, and what runs
 * with a recurrent dropout mask (opts.recurrentMask).
 */
import { tf } from '../../tf.js';
import type { RnnOpts, RnnResult } from './types.js';

type StepFn = (xt: tf.Tensor2D, states: tf.Tensor2D[]) => tf.Tensor2D[]; // returns new states, h first

/** h_{t-1} as the recurrent product sees it: times the recurrent dropout mask when there is one. */
const recurrentInput = (h: tf.Tensor2D, opts: RnnOpts): tf.Tensor2D => (opts.recurrentMask ? (tf.mul(h, opts.recurrentMask) as tf.Tensor2D) : h);

/** Drives `step` over time with Keras masking; outputs in original time order. */
function scan(x: tf.Tensor3D, U: number, nStates: number, opts: RnnOpts, step: StepFn): RnnResult {
  return tf.tidy(() => {
    const [B, T] = x.shape;
    const init = opts.initialState ?? [];
    let states: tf.Tensor2D[] = [];
    for (let i = 0; i < nStates; i++) states.push(init[i] ?? tf.zeros([B, U]));
    let prevOut: tf.Tensor2D = tf.zeros([B, U]);
    const xs = tf.unstack(x, 1) as tf.Tensor2D[]; // T x [B, D]
    const ms = opts.mask ? (tf.unstack(tf.cast(opts.mask, 'float32'), 1).map((m) => m.reshape([B, 1])) as tf.Tensor2D[]) : null;
    const outs: tf.Tensor2D[] = new Array(T);
    for (let s = 0; s < T; s++) {
      const t = opts.goBackwards ? T - 1 - s : s;
      let next = step(xs[t], states);
      let out = next[0];
      if (ms) {
        const m = ms[t];
        const keep = tf.sub(1, m);
        next = next.map((n, i) => tf.add(tf.mul(n, m), tf.mul(states[i], keep)) as tf.Tensor2D);
        out = tf.add(tf.mul(out, m), tf.mul(prevOut, keep)) as tf.Tensor2D;
      }
      states = next;
      outs[t] = out;
      prevOut = out;
    }
    return { outputs: tf.stack(outs, 1) as tf.Tensor3D, states };
  });
}

export function lstmReference(
  x: tf.Tensor3D, kernel: tf.Tensor2D, recurrentKernel: tf.Tensor2D, bias: tf.Tensor1D, opts: RnnOpts,
): RnnResult {
  const U = recurrentKernel.shape[0];
  return scan(x, U, 2, opts, (xt, [h, c]) => {
    const z = tf.add(tf.add(tf.matMul(xt, kernel), tf.matMul(recurrentInput(h, opts), recurrentKernel)), bias);
    const [zi, zf, zc, zo] = tf.split(z, 4, 1);
    const cNew = tf.add(tf.mul(tf.sigmoid(zf), c), tf.mul(tf.sigmoid(zi), tf.tanh(zc))) as tf.Tensor2D;
    const hNew = tf.mul(tf.sigmoid(zo), tf.tanh(cNew)) as tf.Tensor2D;
    return [hNew, cNew];
  });
}

export function gruReference(
  x: tf.Tensor3D, kernel: tf.Tensor2D, recurrentKernel: tf.Tensor2D, bias: tf.Tensor1D,
  recurrentBias: tf.Tensor1D, opts: RnnOpts,
): RnnResult {
  const U = recurrentKernel.shape[0];
  return scan(x, U, 1, opts, (xt, [h]) => {
    const xp = tf.add(tf.matMul(xt, kernel), bias);
    const rec = tf.add(tf.matMul(recurrentInput(h, opts), recurrentKernel), recurrentBias);
    const [xz, xr, xh] = tf.split(xp, 3, 1);
    const [rz, rr, rh] = tf.split(rec, 3, 1);
    const z = tf.sigmoid(tf.add(xz, rz));
    const r = tf.sigmoid(tf.add(xr, rr));
    const hh = tf.tanh(tf.add(xh, tf.mul(r, rh)));
    return [tf.add(tf.mul(z, h), tf.mul(tf.sub(1, z), hh)) as tf.Tensor2D];
  });
}

export function simpleRnnReference(
  x: tf.Tensor3D, kernel: tf.Tensor2D, recurrentKernel: tf.Tensor2D, bias: tf.Tensor1D, opts: RnnOpts,
): RnnResult {
  const U = recurrentKernel.shape[0];
  return scan(x, U, 1, opts, (xt, [h]) => [
    tf.tanh(tf.add(tf.add(tf.matMul(xt, kernel), tf.matMul(recurrentInput(h, opts), recurrentKernel)), bias)) as tf.Tensor2D,
  ]);
}
