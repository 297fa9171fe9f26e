// One pre-norm transformer block over the whole sequences [b0, b1) of a batch, in one call:
// inference (no dropout, nothing saved for a backward pass; src/backend/ops/transformer_block.ts),
// x [B, T, D] updated in place on its rows:
//   qkv = LN₁(x)·Wqkv + b;  x += Attention(qkv)·Wo + bo;  x += GELU(LN₂(x)·W₁ + b₁)·W₂ + b₂
// A job covers whole sequences, so that attention needs no other job's rows: the block is one
// hand-off to the worker threads, not one per product, with each product's bias and GELU applied
// to its rows while they are in cache. The weight matrices are packed by packB (sgemmPacked's
// layout). Every argument sits in a block of i32 at `prm` (BlockParams below; eps as the bits of
// an f32), written by the caller; the scratch blocks are full-batch ([B·T, …]) and each job uses
// its own rows. ws is the running thread's workspace.

import { layerNormRows } from './norm';
import { addBias, sgemmPacked } from './sgemm';
import { attnForward } from './attn_loop';
import { arg, ptr } from './params';
import { feedForwardRows } from './residual';

// BlockParams, i32 slots: sizes, scratch pointers, attention bias, then the block's weights
const T_ = 0, D_ = 1, F_ = 2, HC = 3, EPS = 4;
const X = 5, NRM = 6, MEAN = 7, RSTD = 8, QKV = 9, PR = 10, CTX = 11, FF = 12;
const BIAS = 13, BIASB = 14, BIASQ = 15;
const G1 = 16, BE1 = 17, WQKV = 18, BQKV = 19, WO = 20, BO = 21, G2 = 22, BE2 = 23, W1 = 24, BI1 = 25, W2 = 26, BI2 = 27;

export function blockRows(b0: i32, b1: i32, prm: usize, ws: usize): void {
  const T = arg(prm, T_), D = arg(prm, D_), F = arg(prm, F_), hc = arg(prm, HC);
  const eps = load<f32>(prm + (<usize>EPS << 2));
  const r0 = b0 * T, R = (b1 - b0) * T, D3 = 3 * D;
  const x = ptr(prm, X) + <usize>(r0 * D * 4), n = ptr(prm, NRM) + <usize>(r0 * D * 4);
  const mean = ptr(prm, MEAN) + <usize>(r0 * 4), rstd = ptr(prm, RSTD) + <usize>(r0 * 4);
  const qkv = ptr(prm, QKV), q = qkv + <usize>(r0 * D3 * 4);
  const ctx = ptr(prm, CTX), c = ctx + <usize>(r0 * D * 4), ff = ptr(prm, FF) + <usize>(r0 * F * 4);
  layerNormRows(R, D, x, ptr(prm, G1), ptr(prm, BE1), eps, n, mean, rstd);
  sgemmPacked(R, D3, D, 1, n, D, false, ptr(prm, WQKV), D3, 0, 0, q, D3, ws);
  addBias(R, D3, q, D3, ptr(prm, BQKV));
  attnForward(b0, b1, T, D, hc, qkv, ptr(prm, BIAS), arg(prm, BIASB), arg(prm, BIASQ), 0, ptr(prm, PR), 0, ctx, ws);
  sgemmPacked(R, D, D, 1, c, D, false, ptr(prm, WO), D, 0, 1, x, D, ws);
  addBias(R, D, x, D, ptr(prm, BO));
  feedForwardRows(R, D, F, eps, x, n, mean, rstd, ff, ptr(prm, G2), ptr(prm, BE2), ptr(prm, W1), ptr(prm, BI1), ptr(prm, W2), ptr(prm, BI2), ws);
}
