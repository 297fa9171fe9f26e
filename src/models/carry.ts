/**
 * A recurrent chain model run with its state carried in from outside: the forward pass of stateful
 * training (train.tbptt) and of stateful scoring (`seqnet eval --stateful`). Token-by-token
 * generation (stepper.ts) carries state the same way.
 */
import { tf } from '../backend/index.js';
import { SeqnetError } from '../util/errors.js';
import { dropoutMask } from './layers/dropout.js';
import { SeqnetRecurrent } from './layers/recurrent.js';
import { chain } from './stepper.js';

/** Each recurrent layer's state ([h] or [h, c], each [B, U]), by the layer's position in the chain. */
export type CarriedState = tf.Tensor2D[][];

export interface CarriedModel {
  layers: tf.layers.Layer[];
  recurrent: SeqnetRecurrent[];
}

/** The layers of a recurrent chain model, or a ConfigError saying why the state cannot be carried. */
export function carriedModel(model: tf.LayersModel, what: string): CarriedModel {
  const layers = chain(model);
  const recurrent = (layers ?? []).filter((l): l is SeqnetRecurrent => l instanceof SeqnetRecurrent);
  if (!layers || recurrent.length === 0) {
    throw new SeqnetError(`${what} carries the recurrent state from one window to the next, so it needs a unidirectional rnn, lstm or gru language model`, 2);
  }
  return { layers, recurrent };
}

/**
 * ids [B, T] int32 → logits [B, T, V] and the final states, starting from `init` (zeros where absent).
 * `carry` [B, 1] (1 keep, 0 reset) multiplies the incoming state per stream. Training applies
 * dropout and recurrent dropout as the layers' own call() does.
 */
export function forwardCarried(
  m: CarriedModel, ids: tf.Tensor2D, init: CarriedState | undefined, training: boolean, carry?: tf.Tensor2D,
): { logits: tf.Tensor3D; states: CarriedState } {
  const states: CarriedState = [];
  let h: tf.Tensor = ids;
  for (const l of m.layers) {
    if (l instanceof SeqnetRecurrent) {
      const prev = init?.[states.length];
      const start = prev && carry ? prev.map((s) => s.mul(carry) as tf.Tensor2D) : prev;
      const rd = training && l.recurrentDropout > 0 ? (dropoutMask([ids.shape[0], l.units], l.recurrentDropout) as tf.Tensor2D) : undefined;
      const r = l.run(h as tf.Tensor3D, start, undefined, rd);
      states.push(r.states);
      h = r.outputs;
    } else {
      h = l.apply(h, { training }) as tf.Tensor;
    }
  }
  return { logits: h as tf.Tensor3D, states };
}

/** The same values with no gradient path back (PyTorch's detach): the chunk boundary of tbptt. */
export function detach(states: CarriedState): CarriedState {
  return states.map((s) => s.map((t) => tf.tensor2d(t.dataSync() as Float32Array, t.shape)));
}
