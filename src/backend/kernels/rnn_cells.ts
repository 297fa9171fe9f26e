/**
 * Per-timestep gate math of the fused recurrent ops, for all batch rows at once.
 * The engine (rnn_fused.ts) does the matrix products; a cell only sees, for one step t:
 *   xp  [B, G*U]  x_t·W + b
 *   rec [B, G*U]  h_{t-1}·U (+ rb)
 * Forward (wasm/gates.ts, SIMD) updates h (and c) in place, skipping rows whose mask is 0 so
 * their state carries over, and writes what backward needs to `sv` ([B, S*U] per step).
 * Backward (JS loops on Float32Arrays; no transcendentals) writes the pre-activation gradients
 * dGx (for W, b, x) and dGr (for U, rb; the same buffer except in the GRU) and the direct part
 * of dh_{t-1}.
 */
import * as wasm from './wasm.js';

/** Byte pointers into wasm memory. */
export interface FwdStep {
  xp: number;
  rec: number;
  /** h [B, U] and (LSTM) c [B, U], updated in place */
  h: number;
  c: number;
  /** this step's [B, S*U] block of saved activations */
  sv: number;
  /** this step's mask row [B] (0 skips the row), or 0 for no mask */
  mask: number;
  B: number;
  U: number;
}

export interface BwdStep {
  heap: Float32Array;
  gxOff: number;
  grOff: number;
  /** dL/dh_t [B, U] for this step's new state */
  dh: Float32Array;
  /** in: dL/dc_t, out: dL/dc_{t-1} (LSTM only) */
  dc: Float32Array | null;
  /** out: dL/dh_{t-1} that does not flow through U (GRU's z·dh), zero for others */
  dhd: Float32Array;
  sv: Float32Array;
  svOff: number;
  /** h_{t-1} and c_{t-1} (LSTM) [B, U] */
  hp: Float32Array;
  cp: Float32Array | null;
  m: Float32Array | null;
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
  forward: (a) => wasm.gates().lstmForward(a.B, a.U, a.xp, a.rec, a.h, a.c, a.sv, a.mask),
  backward({ heap, gxOff, dh, dc, sv, svOff, cp, m, B, U }) {
    const dcs = dc as Float32Array, cps = cp as Float32Array;
    for (let b = 0; b < B; b++) {
      if (m && m[b] === 0) continue;
      const g0 = gxOff + b * 4 * U, s0 = svOff + b * 5 * U;
      for (let j = 0; j < U; j++) {
        const i = sv[s0 + j], f = sv[s0 + U + j], g = sv[s0 + 2 * U + j], o = sv[s0 + 3 * U + j];
        const tc = sv[s0 + 4 * U + j];
        const k = b * U + j;
        const dhk = dh[k];
        const dct = dcs[k] + dhk * o * (1 - tc * tc);
        heap[g0 + j] = dct * g * i * (1 - i);
        heap[g0 + U + j] = dct * cps[k] * f * (1 - f);
        heap[g0 + 2 * U + j] = dct * i * (1 - g * g);
        heap[g0 + 3 * U + j] = dhk * tc * o * (1 - o);
        dcs[k] = dct * f;
      }
    }
  },
};

/** GRU with reset_after, gates z, r, h. rec already includes the recurrent bias. Saves z, r, hh, rec_h. */
export const gruCell: Cell = {
  G: 3, S: 4, hasC: false,
  forward: (a) => wasm.gates().gruForward(a.B, a.U, a.xp, a.rec, a.h, a.sv, a.mask),
  backward({ heap, gxOff, grOff, dh, dhd, sv, svOff, hp, m, B, U }) {
    for (let b = 0; b < B; b++) {
      if (m && m[b] === 0) continue;
      const gx = gxOff + b * 3 * U, gr = grOff + b * 3 * U, s0 = svOff + b * 4 * U;
      for (let j = 0; j < U; j++) {
        const z = sv[s0 + j], r = sv[s0 + U + j], hh = sv[s0 + 2 * U + j], rh = sv[s0 + 3 * U + j];
        const k = b * U + j;
        const d = dh[k];
        const dah = d * (1 - z) * (1 - hh * hh);
        const daz = d * (hp[k] - hh) * z * (1 - z);
        const dar = dah * rh * r * (1 - r);
        heap[gx + j] = daz; heap[gx + U + j] = dar; heap[gx + 2 * U + j] = dah;
        heap[gr + j] = daz; heap[gr + U + j] = dar; heap[gr + 2 * U + j] = dah * r;
        dhd[k] = d * z;
      }
    }
  },
};

/** Elman RNN, tanh. Saves h_t. */
export const simpleCell: Cell = {
  G: 1, S: 1, hasC: false,
  forward: (a) => wasm.gates().rnnForward(a.B, a.U, a.xp, a.rec, a.h, a.sv, a.mask),
  backward({ heap, gxOff, dh, sv, svOff, m, B, U }) {
    for (let b = 0; b < B; b++) {
      if (m && m[b] === 0) continue;
      for (let j = 0; j < U; j++) {
        const h = sv[svOff + b * U + j];
        heap[gxOff + b * U + j] = dh[b * U + j] * (1 - h * h);
      }
    }
  },
};
