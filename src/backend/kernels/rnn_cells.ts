/**
 * The recurrent cells of the fused ops: their sizes, and which per-timestep gate kernels of
 * wasm/gates.ts the timestep loops (wasm/seq_loop.ts) call. For one step and a slice of batch
 * rows, the kernels see byte pointers into wasm memory:
 *   forward   xp [B, G*U] = x_t·W + b,  rec [B, G*U] = h_{t-1}·U (the GRU adds its recurrent bias rb
 *             itself); reads h (c) at hIn (cIn)
 *             and writes the new state at hOut (cOut), copying it over for rows whose mask is 0;
 *             writes what backward needs to sv ([B, S*U] per step).
 *   backward  from dh = dL/dh_t (and dc = dL/dc_t, turned into dL/dc_{t-1} in place) writes the
 *             pre-activation gradients gx (for W, b, x) and gr (for U, rb; the same buffer except
 *             in the GRU) and dhd, the part of dL/dh_{t-1} that does not flow through U (the GRU's
 *             z·dh; all of dh on masked rows, whose gate gradients are zero).
 */
export interface Cell {
  /** which gate kernels the wasm timestep loops (wasm/seq_loop.ts) call: 0 LSTM, 1 GRU, 2 RNN */
  kind: 0 | 1 | 2;
  /** gate blocks in kernel/recurrentKernel/bias */
  G: number;
  /** floats saved per unit per row per step */
  S: number;
  hasC: boolean;
}

/** Keras LSTM, gates i, f, c, o. Saves i, f, g, o, tanh(c_t). */
export const lstmCell: Cell = {
  kind: 0, G: 4, S: 5, hasC: true,
};

/** GRU with reset_after, gates z, r, h. Saves z, r, hh, rec_h + rb_h. */
export const gruCell: Cell = {
  kind: 1, G: 3, S: 4, hasC: false,
};

/** Elman RNN, tanh. Saves h_t. */
export const simpleCell: Cell = {
  kind: 2, G: 1, S: 1, hasC: false,
};
