// One transformer block for one new position of each of B batch rows (cached generation;
// src/backend/ops/decode_block.ts), in one call: pre-norm attention over each row's key/value
// cache, then the GELU feed-forward, each with its residual, x updated in place:
//   qkv = LN₁(x)·Wqkv + b; k, v → the caches at position p; x += attn·Wo + bo;
//   x += GELU(LN₂(x)·W₁ + b₁)·W₂ + b₂
// The weight matrices are packed by packB (sgemmPacked's layout). Every argument sits in a block
// of i32 at `p` (DecodeParams below; eps as the bits of an f32), written by the caller; ws is the
// sgemm workspace.

import { addArrays, geluN } from './elementwise';
import { layerNormRows } from './norm';
import { addBias, sgemmPacked } from './sgemm';
import { attnDecodeRow } from './attn_decode';
import { arg, ptr } from './params';

// DecodeParams, i32 slots: sizes, then scratch pointers, then the block's weights, then per row
// the cache pointers k, v ([maxLen, D] each)
const B_ = 0, D_ = 1, F_ = 2, H_ = 3, P_ = 4, EPS = 5;
const X = 6, NRM = 7, MEAN = 8, RSTD = 9, QKV = 10, CTX = 11, ATT = 12, FF = 13, SC = 14;
const G1 = 15, BE1 = 16, WQKV = 17, BQKV = 18, WO = 19, BO = 20, G2 = 21, BE2 = 22, W1 = 23, BI1 = 24, W2 = 25, BI2 = 26;
const ROWS = 27;

export function decodeBlockRows(prm: usize, ws: usize): void {
  const B = arg(prm, B_), D = arg(prm, D_), F = arg(prm, F_), H = arg(prm, H_), p = arg(prm, P_);
  const eps = load<f32>(prm + (<usize>EPS << 2));
  const x = ptr(prm, X), n = ptr(prm, NRM), mean = ptr(prm, MEAN), rstd = ptr(prm, RSTD);
  const q = ptr(prm, QKV), c = ptr(prm, CTX), a = ptr(prm, ATT), ff = ptr(prm, FF), sc = ptr(prm, SC);
  const D3 = 3 * D, rowBytes = <usize>(D * 4);
  layerNormRows(B, D, x, ptr(prm, G1), ptr(prm, BE1), eps, n, mean, rstd);
  sgemmPacked(B, D3, D, 1, n, D, false, ptr(prm, WQKV), D3, 0, 0, q, D3, ws);
  addBias(B, D3, q, D3, ptr(prm, BQKV));
  for (let b = 0; b < B; b++) {
    const qb = q + <usize>(b * D3 * 4);
    const pk = ptr(prm, ROWS + 2 * b), pv = ptr(prm, ROWS + 2 * b + 1);
    memory.copy(pk + <usize>p * rowBytes, qb + rowBytes, rowBytes);
    memory.copy(pv + <usize>p * rowBytes, qb + 2 * rowBytes, rowBytes);
    attnDecodeRow(H, D, p, qb, pk, pv, sc, c + <usize>b * rowBytes);
  }
  sgemmPacked(B, D, D, 1, c, D, false, ptr(prm, WO), D, 0, 0, a, D, ws);
  addBias(B, D, a, D, ptr(prm, BO));
  addArrays(B * D, x, a, x);
  layerNormRows(B, D, x, ptr(prm, G2), ptr(prm, BE2), eps, n, mean, rstd);
  sgemmPacked(B, F, D, 1, n, D, false, ptr(prm, W1), F, 0, 0, ff, F, ws);
  addBias(B, F, ff, F, ptr(prm, BI1));
  geluN(B * F, ff, ff);
  sgemmPacked(B, D, F, 1, ff, F, false, ptr(prm, W2), D, 0, 0, a, D, ws);
  addBias(B, D, a, D, ptr(prm, BI2));
  addArrays(B * D, x, a, x);
}
