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
// own rows. ws is the running thread's workspace. Inference, which keeps nothing, may pass one
// block for x, h and y (without dropout), one for ln₁ and ln₂, one for the pre-GELU and GELU
// outputs, one for each pair of LN statistics.

import { addArrays, geluGradN, geluN } from './elementwise';
import { mulRows } from './attention';
import { colSums } from './gates';
import { layerNormGradRows, layerNormRows } from './norm';
import { addBias, sgemm, sgemmPacked } from './sgemm';
import { attnBackward, attnForward } from './attn_loop';
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
    if (h != x) memory.copy(h, x, <usize>RD << 2);
    sgemmPacked(R, D, D, 1, c, D, false, ptr(prm, WO), D, 0, 1, h, D, ws);
    addBias(R, D, h, D, ptr(prm, BO));
  }
  layerNormRows(R, D, h, ptr(prm, G2), ptr(prm, BE2), eps, ln2, rowsAt(prm, r0, M2, 1), rowsAt(prm, r0, R2, 1));
  sgemmPacked(R, F, D, 1, ln2, D, false, ptr(prm, W1), F, 0, 0, pre, F, ws);
  addBias(R, F, pre, F, ptr(prm, BI1));
  geluN(R * F, pre, g);
  if (!dropF && y != h) memory.copy(y, h, <usize>RD << 2);
  sgemmPacked(R, D, F, 1, g, F, false, ptr(prm, W2), D, 0, dropF ? 0 : 1, y, D, ws);
  addBias(R, D, y, D, ptr(prm, BI2));
  if (dropF) {
    mulInPlace(RD, y, dropF + <usize>(r0 * D * 4));
    addArrays(RD, h, y, y);
  }
}

// BlockGradParams, i32 slots: sizes; what the forward pass kept; dL/dy; the backward pass's blocks
// (full-batch, each job its own rows; dF = dy when there is no dropout on the feed-forward branch,
// dA = dH when there is none on the attention branch; Pd scratch of P's size where there is an
// attention mask, dP always); the dropout multipliers (0 = none); the layer norms' gammas; the
// products' kernels packed transposed (packB of Wᵀ); the per-sequence partial sums ([B, ·]
// each, zeroed by the caller: a job writes row b0) of the layer norms' and the biases' gradients;
// the products' inputs the forward pass kept (ln₁, ctx, ln₂, GELU output); the weight gradients'
// partial sums, one row of [dWqkv dWo dW1 dW2] per job (row b0 / step), and step, the sequences per job
const GT_ = 0, GD_ = 1, GF_ = 2, GHC = 3;
const GX = 4, GM1 = 5, GR1 = 6, GQKV = 7, GP = 8, GH = 9, GM2 = 10, GR2 = 11, GPRE = 12, GDY = 13;
const GDF = 14, GDG = 15, GDLN = 16, GDH = 17, GDA = 18, GDCTX = 19, GDQKV = 20, GPD = 21, GDP = 22, GDX = 23;
const GAMASK = 24, GDROPA = 25, GDROPF = 26, GG1 = 27, GG2 = 28, GW2T = 29, GW1T = 30, GWOT = 31, GWQKVT = 32;
const GDG1 = 33, GDB1 = 34, GDG2 = 35, GDB2 = 36, GDBF2 = 37, GDBF1 = 38, GDBO = 39, GDBQKV = 40;
const GLN1 = 41, GCTX = 42, GLN2 = 43, GGELU = 44, GWPART = 45, GSTEP = 46;

// Σ over the R rows at m of each of `cols` columns into partial row b0 of the [B, cols] block in slot (f64 sums in ws)
// @ts-ignore: decorator
@inline
function partialSums(prm: usize, slot: i32, b0: i32, R: i32, cols: i32, m: usize, ws: usize): void {
  colSums(R, cols, m, rowsAt(prm, b0, slot, cols), ws);
}

// The backward pass of blockRows over whole sequences [b0, b1): from dL/dy through the
// feed-forward branch, LN₂, the residual, the attention branch and LN₁ to dL/dx, and each weight
// gradient over this job's tokens (its row of the partial sums), as soon as the product's input
// gradient (dF, dG, dA, dqkv) is ready, while it is in cache.
export function blockGradRows(b0: i32, b1: i32, prm: usize, ws: usize): void {
  const T = arg(prm, GT_), D = arg(prm, GD_), F = arg(prm, GF_), hc = arg(prm, GHC);
  const r0 = b0 * T, R = (b1 - b0) * T, D3 = 3 * D, RD = R * D;
  const dy = rowsAt(prm, r0, GDY, D), df = rowsAt(prm, r0, GDF, D), dg = rowsAt(prm, r0, GDG, F), dln = rowsAt(prm, r0, GDLN, D);
  const dh = rowsAt(prm, r0, GDH, D), da = rowsAt(prm, r0, GDA, D), dqkv = rowsAt(prm, r0, GDQKV, D3), dx = rowsAt(prm, r0, GDX, D);
  const dropA = ptr(prm, GDROPA), dropF = ptr(prm, GDROPF);
  const pWqkv = rowsAt(prm, b0 / arg(prm, GSTEP), GWPART, 4 * D * D + 2 * D * F);
  const pWo = pWqkv + <usize>(3 * D * D * 4), pW1 = pWo + <usize>(D * D * 4), pW2 = pW1 + <usize>(D * F * 4);
  // y = h + f ⊙ mF
  if (dropF) {
    memory.copy(df, dy, <usize>RD << 2);
    mulInPlace(RD, df, dropF + <usize>(r0 * D * 4));
  }
  partialSums(prm, GDBF2, b0, R, D, df, ws);
  sgemm(F, D, R, 1, rowsAt(prm, r0, GGELU, F), F, true, df, D, false, 0, pW2, D, ws); // dW₂ = GELUᵀ·dF
  sgemmPacked(R, F, D, 1, df, D, false, ptr(prm, GW2T), F, 0, 0, dg, F, ws);
  geluGradN(R * F, rowsAt(prm, r0, GPRE, F), dg, dg);
  partialSums(prm, GDBF1, b0, R, F, dg, ws);
  sgemm(D, F, R, 1, rowsAt(prm, r0, GLN2, D), D, true, dg, F, false, 0, pW1, F, ws); // dW₁ = LN₂ᵀ·dG
  sgemmPacked(R, D, F, 1, dg, F, false, ptr(prm, GW1T), D, 0, 0, dln, D, ws);
  layerNormGradRows(R, D, rowsAt(prm, r0, GH, D), dln, ptr(prm, GG2), rowsAt(prm, r0, GM2, 1), rowsAt(prm, r0, GR2, 1), dh,
    rowsAt(prm, b0, GDG2, D), rowsAt(prm, b0, GDB2, D));
  addArrays(RD, dh, dy, dh); // through LN₂ and the residual
  // h = x + a ⊙ mA
  if (dropA) {
    memory.copy(da, dh, <usize>RD << 2);
    mulInPlace(RD, da, dropA + <usize>(r0 * D * 4));
  }
  partialSums(prm, GDBO, b0, R, D, da, ws);
  sgemm(D, D, R, 1, rowsAt(prm, r0, GCTX, D), D, true, da, D, false, 0, pWo, D, ws); // dWo = ctxᵀ·dA
  sgemmPacked(R, D, D, 1, da, D, false, ptr(prm, GWOT), D, 0, 0, rowsAt(prm, r0, GDCTX, D), D, ws);
  attnBackward(b0, b1, T, D, hc, ptr(prm, GQKV), ptr(prm, GAMASK), ptr(prm, GP), ptr(prm, GPD), ptr(prm, GDP),
    ptr(prm, GDCTX), ptr(prm, GDQKV), ws);
  partialSums(prm, GDBQKV, b0, R, D3, dqkv, ws);
  sgemm(D, D3, R, 1, rowsAt(prm, r0, GLN1, D), D, true, dqkv, D3, false, 0, pWqkv, D3, ws); // dWqkv = LN₁ᵀ·dqkv
  sgemmPacked(R, D, D3, 1, dqkv, D3, false, ptr(prm, GWQKVT), D, 0, 0, dln, D, ws);
  layerNormGradRows(R, D, rowsAt(prm, r0, GX, D), dln, ptr(prm, GG1), rowsAt(prm, r0, GM1, 1), rowsAt(prm, r0, GR1, 1), dx,
    rowsAt(prm, b0, GDG1, D), rowsAt(prm, b0, GDB1, D));
  addArrays(RD, dx, dh, dx);
}
