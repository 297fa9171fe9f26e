// The timestep loops of the fused recurrent ops (src/backend/kernels/rnn_fused.ts) for the batch
// rows [b0, b1): batch rows never interact inside a recurrent layer, so each thread can run the
// whole sequence for its own rows with no hand-off per step. Layouts are rnn_fused.ts' (rows in
// step order: row s·B + b); every pointer is a byte offset; ws is this thread's sgemm workspace.
// The other arguments sit in a block of i32 at `p` (SeqParams below), written by the caller.

import { sgemmPacked } from './sgemm';
import { gruBackward, gruForward, lstmBackward, lstmForward, rnnBackward, rnnForward } from './gates';
import { addOutputGrad } from './seq';
import { arg, ptr } from './params';

// SeqParams, i32 slots: cell kind (0 LSTM, 1 GRU, 2 RNN), B, T, U, G, S, goBackwards, then pointers
const KIND = 0, B_ = 1, T_ = 2, U_ = 3, G_ = 4, S_ = 5, BACK = 6;
// forward: XP [T·B, GU], packed U (sgemmPacked layout), rb [GU] or 0, H [T+1, B, U], C likewise
// or 0, SV [T·B, S·U], mask [T·B] or 0, REC scratch [B, GU]
const F_XP = 7, F_UP = 8, F_RB = 9, F_H = 10, F_C = 11, F_SV = 12, F_M = 13, F_REC = 14;
// backward: GX, GR [T·B, GU] (GR = GX but for the GRU), packed Uᵀ, dout [B, T, U], dh, dhd, dc,
// carry [B, U] (dc and carry 0 when unused), H, C, SV, mask as in the forward pass
const D_GX = 7, D_GR = 8, D_UT = 9, D_OUT = 10, D_DH = 11, D_DHD = 12, D_DC = 13, D_CARRY = 14, D_H = 15, D_C = 16, D_SV = 17, D_M = 18;

/** Forward over all steps for batch rows [b0, b1). */
export function seqForwardRows(b0: i32, b1: i32, p: usize, ws: usize): void {
  const kind = arg(p, KIND), B = arg(p, B_), T = arg(p, T_), U = arg(p, U_), GU = arg(p, G_) * U, SU = arg(p, S_) * U;
  const nb = b1 - b0;
  const xp = ptr(p, F_XP), up = ptr(p, F_UP), rb = ptr(p, F_RB), H = ptr(p, F_H), C = ptr(p, F_C);
  const sv = ptr(p, F_SV), m = ptr(p, F_M);
  const rec = ptr(p, F_REC) + <usize>(b0 * GU * 4);
  const BU = <usize>(B * U * 4), row = <usize>(b0 * U * 4);
  for (let s = 0; s < T; s++) {
    const hs = H + <usize>s * BU + row, cs = C != 0 ? C + <usize>s * BU + row : 0;
    sgemmPacked(nb, GU, U, 1, hs, U, false, up, GU, 0, 0, rec, GU, ws);
    const r = s * B + b0;
    const x = xp + <usize>(r * GU * 4), svs = sv + <usize>(r * SU * 4), ms = m != 0 ? m + <usize>(r * 4) : 0;
    if (kind == 0) lstmForward(nb, U, x, rec, hs, hs + BU, cs, cs + BU, svs, ms);
    else if (kind == 1) gruForward(nb, U, x, rec, rb, hs, hs + BU, svs, ms);
    else rnnForward(nb, U, x, rec, hs, hs + BU, svs, ms);
  }
}

/**
 * Backpropagation through time for batch rows [b0, b1): per step (last first) the output
 * gradient joins dh, the gate gradients go to GX (GR), and dh_{t-1} = dGr·Uᵀ + the direct part.
 * dh and dhd swap roles every step: after T steps dh holds dL/dh_0 when T is even, else dhd.
 */
export function seqBackwardRows(b0: i32, b1: i32, p: usize, ws: usize): void {
  const kind = arg(p, KIND), B = arg(p, B_), T = arg(p, T_), U = arg(p, U_), GU = arg(p, G_) * U, SU = arg(p, S_) * U;
  const back = arg(p, BACK) != 0;
  const nb = b1 - b0;
  const row = <usize>(b0 * U * 4), BU = <usize>(B * U * 4);
  const gxAll = ptr(p, D_GX), grAll = ptr(p, D_GR), ut = ptr(p, D_UT), H = ptr(p, D_H), C = ptr(p, D_C);
  const sv = ptr(p, D_SV), m = ptr(p, D_M);
  const dout = ptr(p, D_OUT) + <usize>(b0 * T * U * 4);
  let dh = ptr(p, D_DH) + row, dhd = ptr(p, D_DHD) + row;
  const dc = ptr(p, D_DC) != 0 ? ptr(p, D_DC) + row : 0;
  const carry = ptr(p, D_CARRY) != 0 ? ptr(p, D_CARRY) + row : 0;
  for (let s = T - 1; s >= 0; s--) {
    const r = s * B + b0;
    const ms = m != 0 ? m + <usize>(r * 4) : 0;
    addOutputGrad(nb, T, U, 0, back ? T - 1 - s : s, dout, dh, carry, ms);
    const gx = gxAll + <usize>(r * GU * 4), gr = grAll + <usize>(r * GU * 4), svs = sv + <usize>(r * SU * 4);
    const hp = H + <usize>s * BU + row;
    if (kind == 0) lstmBackward(nb, U, gx, dh, dc, dhd, svs, C + <usize>s * BU + row, ms);
    else if (kind == 1) gruBackward(nb, U, gx, gr, dh, dhd, svs, hp, ms);
    else rnnBackward(nb, U, gx, dh, dhd, svs, ms);
    sgemmPacked(nb, U, GU, 1, gr, GU, false, ut, U, 0, 1, dhd, U, ws); // dh_{t-1} += dGr·Uᵀ
    const t = dh;
    dh = dhd;
    dhd = t;
  }
}
