/*
 * One pre-norm transformer block over the whole sequences [b0, b1) of a batch, in one call, for
 * training and inference alike: the native twin of wasm/block_loop.ts (see there for the maths
 * and the BlockParams block at prm; eps as the bits of an f32). The weight matrices are packed by
 * the native packB.
 */
#include "seqnet.h"

void sk_layerNormRows(int32_t N, int32_t D, ptr_t x, ptr_t g, ptr_t b, float eps, ptr_t y, ptr_t mean, ptr_t rstd);
void sk_attnForward(int32_t b0, int32_t b1, int32_t T, int32_t D, int32_t hc, ptr_t qkv, ptr_t bias, int32_t biasB,
                    int32_t biasQ, ptr_t mask, ptr_t P, ptr_t Pd, ptr_t ctx, ptr_t ws);
void sk_geluN(int32_t n, ptr_t src, ptr_t dst);
void sk_addBias(int32_t M, int32_t N, ptr_t c, int32_t ldc, ptr_t bias);

void sk_mulRows(int32_t rows, int32_t cols, int32_t ld, ptr_t a, ptr_t b, int32_t bStride, ptr_t dst);
void sk_addArrays(int32_t n, ptr_t a, ptr_t b, ptr_t dst);

enum { T_, D_, F_, HC, EPS, X, LN1, M1, R1, QKV, P, PD, CTX, H, LN2, M2, R2, PRE, G, Y,
       BIAS, BIASB, BIASQ, AMASK, DROPA, DROPF,
       G1, BE1, WQKV, BQKV, WO, BO, G2, BE2, W1, BI1, W2, BI2 };

void sk_blockRows(int32_t b0, int32_t b1, ptr_t prm, ptr_t ws) {
  const int32_t *a = I32(prm);
  const int T = a[T_], D = a[D_], F = a[F_], hc = a[HC];
  float eps;
  memcpy(&eps, &a[EPS], 4);
  const int r0 = b0 * T, R = (b1 - b0) * T, D3 = 3 * D, RD = R * D;
#define ROWS(slot, width) (a[slot] + r0 * (width) * 4)
  const ptr_t x = ROWS(X, D), ln1 = ROWS(LN1, D), h = ROWS(H, D), ln2 = ROWS(LN2, D), y = ROWS(Y, D);
  const ptr_t q = ROWS(QKV, D3), c = ROWS(CTX, D), pre = ROWS(PRE, F), g = ROWS(G, F);
  const ptr_t dropA = a[DROPA], dropF = a[DROPF];
  sk_layerNormRows(R, D, x, a[G1], a[BE1], eps, ln1, ROWS(M1, 1), ROWS(R1, 1));
  sk_sgemmPacked(R, D3, D, 1, ln1, D, 0, a[WQKV], D3, 0, 0, q, D3, ws);
  sk_addBias(R, D3, q, D3, a[BQKV]);
  sk_attnForward(b0, b1, T, D, hc, a[QKV], a[BIAS], a[BIASB], a[BIASQ], a[AMASK], a[P], a[PD], a[CTX], ws);
  if (dropA) {
    sk_sgemmPacked(R, D, D, 1, c, D, 0, a[WO], D, 0, 0, y, D, ws);
    sk_addBias(R, D, y, D, a[BO]);
    sk_mulRows(1, RD, RD, y, dropA + r0 * D * 4, 0, y);
    sk_addArrays(RD, x, y, h);
  } else {
    if (h != x) memcpy(F32(h), F32(x), (size_t)RD * 4);
    sk_sgemmPacked(R, D, D, 1, c, D, 0, a[WO], D, 0, 1, h, D, ws);
    sk_addBias(R, D, h, D, a[BO]);
  }
  sk_layerNormRows(R, D, h, a[G2], a[BE2], eps, ln2, ROWS(M2, 1), ROWS(R2, 1));
  sk_sgemmPacked(R, F, D, 1, ln2, D, 0, a[W1], F, 0, 0, pre, F, ws);
  sk_addBias(R, F, pre, F, a[BI1]);
  sk_geluN(R * F, pre, g);
  if (!dropF && y != h) memcpy(F32(y), F32(h), (size_t)RD * 4);
  sk_sgemmPacked(R, D, F, 1, g, F, 0, a[W2], D, 0, dropF ? 0 : 1, y, D, ws);
  sk_addBias(R, D, y, D, a[BI2]);
  if (dropF) {
    sk_mulRows(1, RD, RD, y, dropF + r0 * D * 4, 0, y);
    sk_addArrays(RD, h, y, y);
  }
#undef ROWS
}

void sk_attnBackward(int32_t b0, int32_t b1, int32_t T, int32_t D, int32_t hc, ptr_t qkv, ptr_t mask, ptr_t P, ptr_t Pd,
                     ptr_t dP, ptr_t dctx, ptr_t dqkv, ptr_t ws);
void sk_geluGradN(int32_t n, ptr_t xs, ptr_t dys, ptr_t dst);
void sk_layerNormGradRows(int32_t N, int32_t D, ptr_t x, ptr_t dy, ptr_t g, ptr_t mean, ptr_t rstd, ptr_t dx, ptr_t dg,
                          ptr_t db);
void sk_colSums(int32_t rows, int32_t cols, ptr_t m, ptr_t out, ptr_t acc);

enum { GT_, GD_, GF_, GHC, GX, GM1, GR1, GQKV, GP, GH, GM2, GR2, GPRE, GDY,
       GDF, GDG, GDLN, GDH, GDA, GDCTX, GDQKV, GPD, GDP, GDX,
       GAMASK, GDROPA, GDROPF, GG1, GG2, GW2T, GW1T, GWOT, GWQKVT,
       GDG1, GDB1, GDG2, GDB2, GDBF2, GDBF1, GDBO, GDBQKV, GLN1, GCTX, GLN2, GGELU, GWPART, GSTEP };

/* the backward pass of blockRows over whole sequences [b0, b1), the weight gradients as this job's partial sums: the twin of wasm/block_loop.ts blockGradRows */
void sk_blockGradRows(int32_t b0, int32_t b1, ptr_t prm, ptr_t ws) {
  const int32_t *a = I32(prm);
  const int T = a[GT_], D = a[GD_], F = a[GF_], hc = a[GHC];
  const int r0 = b0 * T, R = (b1 - b0) * T, D3 = 3 * D, RD = R * D;
#define ROWS(slot, width) (a[slot] + r0 * (width) * 4)
#define PART(slot, width) (a[slot] + b0 * (width) * 4)
  const ptr_t dy = ROWS(GDY, D), df = ROWS(GDF, D), dg = ROWS(GDG, F), dln = ROWS(GDLN, D);
  const ptr_t dh = ROWS(GDH, D), da = ROWS(GDA, D), dqkv = ROWS(GDQKV, D3), dx = ROWS(GDX, D);
  const ptr_t dropA = a[GDROPA], dropF = a[GDROPF];
  /* this job's slot of the weight gradients' partial sums: dWqkv [D, 3D], dWo [D, D], dW1 [D, F], dW2 [F, D] */
  const ptr_t wp = a[GWPART] + (b0 / a[GSTEP]) * (4 * D * D + 2 * D * F) * 4;
  const ptr_t pWqkv = wp, pWo = wp + 3 * D * D * 4, pW1 = pWo + D * D * 4, pW2 = pW1 + D * F * 4;
  if (dropF) {
    memcpy(F32(df), F32(dy), (size_t)RD * 4);
    sk_mulRows(1, RD, RD, df, dropF + r0 * D * 4, 0, df);
  }
  sk_colSums(R, D, df, PART(GDBF2, D), ws);
  sk_sgemm(F, D, R, 1, ROWS(GGELU, F), F, 1, df, D, 0, 0, pW2, D, ws);
  sk_sgemmPacked(R, F, D, 1, df, D, 0, a[GW2T], F, 0, 0, dg, F, ws);
  sk_geluGradN(R * F, ROWS(GPRE, F), dg, dg);
  sk_colSums(R, F, dg, PART(GDBF1, F), ws);
  sk_sgemm(D, F, R, 1, ROWS(GLN2, D), D, 1, dg, F, 0, 0, pW1, F, ws);
  sk_sgemmPacked(R, D, F, 1, dg, F, 0, a[GW1T], D, 0, 0, dln, D, ws);
  sk_layerNormGradRows(R, D, ROWS(GH, D), dln, a[GG2], ROWS(GM2, 1), ROWS(GR2, 1), dh, PART(GDG2, D), PART(GDB2, D));
  sk_addArrays(RD, dh, dy, dh);
  if (dropA) {
    memcpy(F32(da), F32(dh), (size_t)RD * 4);
    sk_mulRows(1, RD, RD, da, dropA + r0 * D * 4, 0, da);
  }
  sk_colSums(R, D, da, PART(GDBO, D), ws);
  sk_sgemm(D, D, R, 1, ROWS(GCTX, D), D, 1, da, D, 0, 0, pWo, D, ws);
  sk_sgemmPacked(R, D, D, 1, da, D, 0, a[GWOT], D, 0, 0, ROWS(GDCTX, D), D, ws);
  sk_attnBackward(b0, b1, T, D, hc, a[GQKV], a[GAMASK], a[GP], a[GPD], a[GDP], a[GDCTX], a[GDQKV], ws);
  sk_colSums(R, D3, dqkv, PART(GDBQKV, D3), ws);
  sk_sgemm(D, D3, R, 1, ROWS(GLN1, D), D, 1, dqkv, D3, 0, 0, pWqkv, D3, ws);
  sk_sgemmPacked(R, D, D3, 1, dqkv, D3, 0, a[GWQKVT], D, 0, 0, dln, D, ws);
  sk_layerNormGradRows(R, D, ROWS(GX, D), dln, a[GG1], ROWS(GM1, 1), ROWS(GR1, 1), dx, PART(GDG1, D), PART(GDB1, D));
  sk_addArrays(RD, dx, dh, dx);
#undef ROWS
#undef PART
}
