/**
 * The recurrent cells, defined once: the layer's `cell` option (models/layers/recurrent.ts), its
 * weight sizes, and what the fused ops need of it. G gate blocks in kernel [D, G·U],
 * recurrent_kernel [U, G·U] and bias [G·U], in Keras gate orders (lstm i, f, c, o; gru z, r, h,
 * reset_after; rnn: one tanh block).
 *
 * The fused ops' timestep loops (wasm/seq_loop.ts) call the per-timestep gate kernels of
 * wasm/gates.ts chosen by `kind`. For one step and a slice of batch rows, the kernels see byte
 * pointers into wasm memory:
 *   forward   xp [B, G*U] = x_t·W + b,  rec [B, G*U] = h_{t-1}·U (the GRU adds its recurrent bias rb
 *             itself); reads h (c) at hIn (cIn)
 *             and writes the new state at hOut (cOut), copying it over for rows whose mask is 0;
 *             writes what backward needs to sv ([B, S*U] per step).
 *   backward  from dh = dL/dh_t (and dc = dL/dc_t, turned into dL/dc_{t-1} in place) writes the
 *             pre-activation gradients gx (for W, b, x) and gr (for U, rb; the same buffer except
 *             in the GRU) and dhd, the part of dL/dh_{t-1} that does not flow through U (the GRU's
 *             z·dh; all of dh on masked rows, whose gate gradients are zero).
 */
export type CellType = 'rnn' | 'lstm' | 'gru';

export interface CellSpec {
  type: CellType;
  /** which gate kernels the wasm timestep loops (wasm/seq_loop.ts) call: 0 LSTM, 1 GRU, 2 RNN */
  kind: 0 | 1 | 2;
  /** gate blocks in kernel/recurrentKernel/bias */
  G: number;
  /** floats saved per unit per row per step */
  S: number;
  /** carries a cell state c beside h */
  hasC: boolean;
  /** has a separate recurrent bias (the GRU's reset_after) */
  hasRecurrentBias: boolean;
}

export const CELLS: Record<CellType, CellSpec> = {
  /** Keras LSTM, gates i, f, c, o. Saves i, f, g, o, tanh(c_t). */
  lstm: { type: 'lstm', kind: 0, G: 4, S: 5, hasC: true, hasRecurrentBias: false },
  /** GRU with reset_after, gates z, r, h. Saves z, r, hh, rec_h + rb_h. */
  gru: { type: 'gru', kind: 1, G: 3, S: 4, hasC: false, hasRecurrentBias: true },
  /** Elman RNN, tanh. Saves h_t. */
  rnn: { type: 'rnn', kind: 2, G: 1, S: 1, hasC: false, hasRecurrentBias: false },
};

/** Gate blocks per cell type. */
export const GATES: Record<CellType, number> = { rnn: CELLS.rnn.G, lstm: CELLS.lstm.G, gru: CELLS.gru.G };

/** Number of state slots: [h] or [h, c]. */
export const nStates = (cell: CellSpec): number => (cell.hasC ? 2 : 1);
