/*
 * The timestep loops of the fused recurrent ops, the native twin of wasm/seq_loop.ts (see
 * src/backend/ops/recurrent/fused.ts), for the batch rows [b0, b1): batch rows never interact inside
 * a recurrent layer, so each thread runs the whole sequence for its own rows with no hand-off per
 * step. Layouts are fused.ts' (rows in step order: row s·B + b); every pointer is a byte offset; ws
 * is this thread's sgemm workspace. The recurrent weights arrive packed by packB, which on this
 * path is the native one (sgemm.c), so sk_sgemmPacked reads them in its own layout. The other
 * arguments sit in a block of i32 at `p` (SeqParams below), written by the caller.
 */
#include "gates.h"

/* SeqParams, i32 slots: cell kind (0 LSTM, 1 GRU, 2 RNN), B, T, U, G, S, goBackwards, then pointers */
enum { KIND, B_, T_, U_, G_, S_, BACK };
/* forward: XP [T·B, GU], packed U, rb [GU] or 0, H [T+1, B, U], C likewise or 0, SV [T·B, S·U],
   mask [T·B] or 0, REC scratch [B, GU] */
enum { F_XP = 7, F_UP, F_RB, F_H, F_C, F_SV, F_M, F_REC };
/* backward: GX, GR [T·B, GU] (GR = GX but for the GRU), packed Uᵀ, dout [B, T, U], dh, dhd, dc,
   carry [B, U] (dc and carry 0 when unused), H, C, SV, mask as in the forward pass */
enum { D_GX = 7, D_GR, D_UT, D_OUT, D_DH, D_DHD, D_DC, D_CARRY, D_H, D_C, D_SV, D_M };

/* Forward over all steps for batch rows [b0, b1). */
void sk_seqForwardRows(int32_t b0, int32_t b1, ptr_t p, ptr_t ws) {
  const int32_t *a = I32(p);
  const int kind = a[KIND], B = a[B_], T = a[T_], U = a[U_], GU = a[G_] * U, SU = a[S_] * U;
  const int nb = b1 - b0;
  const ptr_t xp = a[F_XP], up = a[F_UP], rb = a[F_RB], H = a[F_H], C = a[F_C], sv = a[F_SV], m = a[F_M];
  const ptr_t rec = a[F_REC] + b0 * GU * 4;
  const int32_t BU = B * U * 4, row = b0 * U * 4;
  for (int s = 0; s < T; s++) {
    const ptr_t hs = H + s * BU + row, cs = C ? C + s * BU + row : 0;
    sk_sgemmPacked(nb, GU, U, 1, hs, U, 0, up, GU, 0, 0, rec, GU, ws);
    const int r = s * B + b0;
    const ptr_t x = xp + r * GU * 4, svs = sv + r * SU * 4, ms = m ? m + r * 4 : 0;
    if (kind == 0) sk_lstmForward(nb, U, x, rec, hs, hs + BU, cs, cs + BU, svs, ms);
    else if (kind == 1) sk_gruForward(nb, U, x, rec, rb, hs, hs + BU, svs, ms);
    else sk_rnnForward(nb, U, x, rec, hs, hs + BU, svs, ms);
  }
}

/*
 * Backpropagation through time for batch rows [b0, b1): per step (last first) the output gradient
 * joins dh, the gate gradients go to GX (GR), and dh_{t-1} = dGr·Uᵀ + the direct part. dh and dhd
 * swap roles every step: after T steps dh holds dL/dh_0 when T is even, else dhd.
 */
void sk_seqBackwardRows(int32_t b0, int32_t b1, ptr_t p, ptr_t ws) {
  const int32_t *a = I32(p);
  const int kind = a[KIND], B = a[B_], T = a[T_], U = a[U_], GU = a[G_] * U, SU = a[S_] * U;
  const int back = a[BACK] != 0;
  const int nb = b1 - b0;
  const int32_t row = b0 * U * 4, BU = B * U * 4;
  const ptr_t gxAll = a[D_GX], grAll = a[D_GR], ut = a[D_UT], H = a[D_H], C = a[D_C], sv = a[D_SV], m = a[D_M];
  const ptr_t dout = a[D_OUT] + b0 * T * U * 4;
  ptr_t dh = a[D_DH] + row, dhd = a[D_DHD] + row;
  const ptr_t dc = a[D_DC] ? a[D_DC] + row : 0;
  const ptr_t carry = a[D_CARRY] ? a[D_CARRY] + row : 0;
  for (int s = T - 1; s >= 0; s--) {
    const int r = s * B + b0;
    const ptr_t ms = m ? m + r * 4 : 0;
    sk_addOutputGrad(nb, T, U, 0, back ? T - 1 - s : s, dout, dh, carry, ms);
    const ptr_t gx = gxAll + r * GU * 4, gr = grAll + r * GU * 4, svs = sv + r * SU * 4;
    const ptr_t hp = H + s * BU + row;
    if (kind == 0) sk_lstmBackward(nb, U, gx, dh, dc, dhd, svs, C + s * BU + row, ms);
    else if (kind == 1) sk_gruBackward(nb, U, gx, gr, dh, dhd, svs, hp, ms);
    else sk_rnnBackward(nb, U, gx, dh, dhd, svs, ms);
    sk_sgemmPacked(nb, U, GU, 1, gr, GU, 0, ut, U, 0, 1, dhd, U, ws); /* dh_{t-1} += dGr·Uᵀ */
    const ptr_t t = dh;
    dh = dhd;
    dhd = t;
  }
}
