// One pre-norm transformer block over the whole sequences [b0, b1) of a batch, in one call
// (src/backend/ops/transformer_block.ts), for training and inference alike:
//   h = x + (Attention(LN₁(x))·Wo + bo) ⊙ mA;  y = h + (GELU(LN₂(h)·W₁ + b₁)·W₂ + b₂) ⊙ mF
// (mA, mF: dropout multipliers, or none). It keeps what the backward pass reads: the LN
// statistics, qkv, the attention weights P, ctx, h, the pre-GELU and GELU outputs. A job covers
// whole sequences, so that attention needs no other job's rows: the block is one hand-off to the
// worker threads, not one per product, with each product's bias and GELU applied to its rows
// while they are in cache. The weight matrices are packed by packB (sgemmPacked's layout). Every
// argument sits in a block of i32 at `prm` (BlockParams below; eps as the bits of an f32),
// written by the caller; the activation blocks are full-batch ([B·T, …]) and each job uses its
// own rows. ws is the running thread's workspace.

import { addArrays, geluN } from './elementwise';
import { mulRows } from './attention';
import { layerNormRows } from './norm';
import { addBias, sgemmPacked } from './sgemm';
import { attnForward } from './attn_loop';
import { arg, ptr } from './params';

// BlockParams, i32 slots: sizes; the activations the backward pass reads (x is the input; Pd
// scratch of P's size where there is an attention mask); y, the output; the attention bias and
// the dropout multipliers (0 = none); the block's weights
const T_ = 0, D_ = 1, F_ = 2, HC = 3, EPS = 4;
const X = 5, LN1 = 6, M1 = 7, R1 = 8, QKV = 9, P = 10, PD = 11, CTX = 12, H = 13, LN2 = 14, M2 = 15, R2 = 16, PRE = 17, G = 18, Y = 19;
const BIAS = 20, BIASB = 21, BIASQ = 22, AMASK = 23, DROPA = 24, DROPF = 25;
const G1 = 26, BE1 = 27, WQKV = 28, BQKV = 29, WO = 30, BO = 31, G2 = 32, BE2 = 33, W1 = 34, BI1 = 35, W2 = 36, BI2 = 37;

// row r0 of the [·, width] block in slot
// @ts-ignore: decorator
@inline
function rowsAt(prm: usize, r0: i32, slot: i32, width: i32): usize {
  return ptr(prm, slot) + <usize>(r0 * width * 4);
}

// a ⊙ m over n floats, in place
// @ts-ignore: decorator
@inline
function mulInPlace(n: i32, a: usize, m: usize): void {
  mulRows(1, n, n, a, m, 0, a);
}

export function blockRows(b0: i32, b1: i32, prm: usize, ws: usize): void {
  const T = arg(prm, T_), D = arg(prm, D_), F = arg(prm, F_), hc = arg(prm, HC);
  const eps = load<f32>(prm + (<usize>EPS << 2));
  const r0 = b0 * T, R = (b1 - b0) * T, D3 = 3 * D, RD = R * D;
  const x = rowsAt(prm, r0, X, D), ln1 = rowsAt(prm, r0, LN1, D), h = rowsAt(prm, r0, H, D), ln2 = rowsAt(prm, r0, LN2, D), y = rowsAt(prm, r0, Y, D);
  const q = rowsAt(prm, r0, QKV, D3), c = rowsAt(prm, r0, CTX, D), pre = rowsAt(prm, r0, PRE, F), g = rowsAt(prm, r0, G, F);
  const dropA = ptr(prm, DROPA), dropF = ptr(prm, DROPF);
  layerNormRows(R, D, x, ptr(prm, G1), ptr(prm, BE1), eps, ln1, rowsAt(prm, r0, M1, 1), rowsAt(prm, r0, R1, 1));
  sgemmPacked(R, D3, D, 1, ln1, D, false, ptr(prm, WQKV), D3, 0, 0, q, D3, ws);
  addBias(R, D3, q, D3, ptr(prm, BQKV));
  attnForward(b0, b1, T, D, hc, ptr(prm, QKV), ptr(prm, BIAS), arg(prm, BIASB), arg(prm, BIASQ), ptr(prm, AMASK),
    ptr(prm, P), ptr(prm, PD), ptr(prm, CTX), ws);
  if (dropA) {
    // the branch in y's rows (free until the end), masked, then added to x
    sgemmPacked(R, D, D, 1, c, D, false, ptr(prm, WO), D, 0, 0, y, D, ws);
    addBias(R, D, y, D, ptr(prm, BO));
    mulInPlace(RD, y, dropA + <usize>(r0 * D * 4));
    addArrays(RD, x, y, h);
  } else {
    memory.copy(h, x, <usize>RD << 2);
    sgemmPacked(R, D, D, 1, c, D, false, ptr(prm, WO), D, 0, 1, h, D, ws);
    addBias(R, D, h, D, ptr(prm, BO));
  }
  layerNormRows(R, D, h, ptr(prm, G2), ptr(prm, BE2), eps, ln2, rowsAt(prm, r0, M2, 1), rowsAt(prm, r0, R2, 1));
  sgemmPacked(R, F, D, 1, ln2, D, false, ptr(prm, W1), F, 0, 0, pre, F, ws);
  addBias(R, F, pre, F, ptr(prm, BI1));
  geluN(R * F, pre, g);
  if (!dropF) memory.copy(y, h, <usize>RD << 2);
  sgemmPacked(R, D, F, 1, g, F, false, ptr(prm, W2), D, 0, dropF ? 0 : 1, y, D, ws);
  addBias(R, D, y, D, ptr(prm, BI2));
  if (dropF) {
    mulInPlace(RD, y, dropF + <usize>(r0 * D * 4));
    addArrays(RD, h, y, y);
  }
}
