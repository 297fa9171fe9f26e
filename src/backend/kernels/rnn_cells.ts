/**
 * Per-timestep gate math of the fused recurrent ops, for all batch rows at once, in wasm SIMD
 * (wasm/gates.ts). The engine (rnn_fused.ts) does the matrix products; a cell only sees, for one
 * step, byte pointers into wasm memory:
 *   forward   xp [B, G*U] = x_t·W + b,  rec [B, G*U] = h_{t-1}·U (the GRU adds its recurrent bias rb
 *             itself); reads h (c) at hIn (cIn)
 *             and writes the new state at hOut (cOut), copying it over for rows whose mask is 0;
 *             writes what backward needs to sv ([B, S*U] per step).
 *   backward  from dh = dL/dh_t (and dc = dL/dc_t, turned into dL/dc_{t-1} in place) writes the
 *             pre-activation gradients gx (for W, b, x) and gr (for U, rb; the same buffer except
 *             in the GRU) and dhd, the part of dL/dh_{t-1} that does not flow through U (the GRU's
 *             z·dh; all of dh on masked rows, whose gate gradients are zero).
 */
import * as wasm from './wasm.js';

export interface FwdStep {
  xp: number;
  rec: number;
  /** recurrent bias [G*U] (GRU only: the others fold theirs into xp) */
  rb: number;
  hIn: number;
  hOut: number;
  /** LSTM only (0 otherwise) */
  cIn: number;
  cOut: number;
  sv: number;
  /** this step's mask row [B] (0 skips the row), or 0 for no mask */
  mask: number;
  B: number;
  U: number;
}

export interface BwdStep {
  gx: number;
  gr: number;
  dh: number;
  /** LSTM only */
  dc: number;
  dhd: number;
  sv: number;
  /** h_{t-1} and (LSTM) c_{t-1} [B, U] */
  hp: number;
  cp: number;
  mask: number;
  B: number;
  U: number;
}

export interface Cell {
  /** gate blocks in kernel/recurrentKernel/bias */
  G: number;
  /** floats saved per unit per row per step */
  S: number;
  hasC: boolean;
  forward(a: FwdStep): void;
  backward(a: BwdStep): void;
}

/** Keras LSTM, gates i, f, c, o. Saves i, f, g, o, tanh(c_t). */
export const lstmCell: Cell = {
  G: 4, S: 5, hasC: true,
  forward: (a) => wasm.gates().lstmForward(a.B, a.U, a.xp, a.rec, a.hIn, a.hOut, a.cIn, a.cOut, a.sv, a.mask),
  backward: (a) => wasm.gates().lstmBackward(a.B, a.U, a.gx, a.dh, a.dc, a.dhd, a.sv, a.cp, a.mask),
};

/** GRU with reset_after, gates z, r, h. Saves z, r, hh, rec_h + rb_h. */
export const gruCell: Cell = {
  G: 3, S: 4, hasC: false,
  forward: (a) => wasm.gates().gruForward(a.B, a.U, a.xp, a.rec, a.rb, a.hIn, a.hOut, a.sv, a.mask),
  backward: (a) => wasm.gates().gruBackward(a.B, a.U, a.gx, a.gr, a.dh, a.dhd, a.sv, a.hp, a.mask),
};

/** Elman RNN, tanh. Saves h_t. */
export const simpleCell: Cell = {
  G: 1, S: 1, hasC: false,
  forward: (a) => wasm.gates().rnnForward(a.B, a.U, a.xp, a.rec, a.hIn, a.hOut, a.sv, a.mask),
  backward: (a) => wasm.gates().rnnBackward(a.B, a.U, a.gx, a.dh, a.dhd, a.sv, a.mask),
};
