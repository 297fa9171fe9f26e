/** The recurrent ops' options and result, shared by the op (../recurrent.ts) and both of its paths. */
import type { tf } from '../../tf.js';

export interface RnnOpts {
  goBackwards?: boolean;
  /** [B, T] float 0/1 */
  mask?: tf.Tensor2D;
  /** [B, U] each: [h] or, for the LSTM, [h, c] */
  initialState?: tf.Tensor2D[];
  /**
   * [B, U] multiplier on h_{t-1} where it enters the recurrent product, the carried state itself
   * untouched: variational recurrent dropout (Gal & Ghahramani, Keras `recurrent_dropout`). The
   * fused ops take none, so with it the reference ops run (per timestep, slower).
   */
  recurrentMask?: tf.Tensor2D;
}

export interface RnnResult {
  /** [B, T, U] */
  outputs: tf.Tensor3D;
  /** [B, U] each: [h, c] for the LSTM, [h] otherwise */
  states: tf.Tensor2D[];
}
