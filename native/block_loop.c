/*
 * One pre-norm transformer block over the whole sequences [b0, b1) of a batch, in one call
 * (inference): the native twin of wasm/block_loop.ts (see there for the maths and the
 * BlockParams block at prm; eps as the bits of an f32). The weight matrices are packed by the
 * native packB.
 */
#include "seqnet.h"

void sk_layerNormRows(int32_t N, int32_t D, ptr_t x, ptr_t g, ptr_t b, float eps, ptr_t y, ptr_t mean, ptr_t rstd);
void sk_attnForward(int32_t b0, int32_t b1, int32_t T, int32_t D, int32_t hc, ptr_t qkv, ptr_t bias, int32_t biasB,
                    int32_t biasQ, ptr_t mask, ptr_t P, ptr_t Pd, ptr_t ctx, ptr_t ws);
void sk_geluN(int32_t n, ptr_t src, ptr_t dst);
void sk_addBias(int32_t M, int32_t N, ptr_t c, int32_t ldc, ptr_t bias);

/*
 * The feed-forward half of a pre-norm block on R rows of x [R, D], in place (wasm/residual.ts;
 * the decoding block shares it): x += GELU(LN₂(x)·W₁ + b₁)·W₂ + b₂
 */
void seqnet_feedForwardRows(int32_t R, int32_t D, int32_t F, float eps, ptr_t x, ptr_t n, ptr_t mean, ptr_t rstd,
                            ptr_t ff, ptr_t g, ptr_t be, ptr_t W1, ptr_t b1, ptr_t W2, ptr_t b2, ptr_t ws) {
  sk_layerNormRows(R, D, x, g, be, eps, n, mean, rstd);
  sk_sgemmPacked(R, F, D, 1, n, D, 0, W1, F, 0, 0, ff, F, ws);
  sk_addBias(R, F, ff, F, b1);
  sk_geluN(R * F, ff, ff);
  sk_sgemmPacked(R, D, F, 1, ff, F, 0, W2, D, 0, 1, x, D, ws);
  sk_addBias(R, D, x, D, b2);
}

enum { T_, D_, F_, HC, EPS, X, NRM, MEAN, RSTD, QKV, PR, CTX, FF, BIAS, BIASB, BIASQ,
       G1, BE1, WQKV, BQKV, WO, BO, G2, BE2, W1, BI1, W2, BI2 };

void sk_blockRows(int32_t b0, int32_t b1, ptr_t prm, ptr_t ws) {
  const int32_t *a = I32(prm);
  const int T = a[T_], D = a[D_], F = a[F_], hc = a[HC];
  float eps;
  memcpy(&eps, &a[EPS], 4);
  const int r0 = b0 * T, R = (b1 - b0) * T, D3 = 3 * D;
  const ptr_t x = a[X] + r0 * D * 4, n = a[NRM] + r0 * D * 4, mean = a[MEAN] + r0 * 4, rstd = a[RSTD] + r0 * 4;
  const ptr_t q = a[QKV] + r0 * D3 * 4, c = a[CTX] + r0 * D * 4, ff = a[FF] + r0 * F * 4;
  sk_layerNormRows(R, D, x, a[G1], a[BE1], eps, n, mean, rstd);
  sk_sgemmPacked(R, D3, D, 1, n, D, 0, a[WQKV], D3, 0, 0, q, D3, ws);
  sk_addBias(R, D3, q, D3, a[BQKV]);
  sk_attnForward(b0, b1, T, D, hc, a[QKV], a[BIAS], a[BIASB], a[BIASQ], 0, a[PR], 0, a[CTX], ws);
  sk_sgemmPacked(R, D, D, 1, c, D, 0, a[WO], D, 0, 1, x, D, ws);
  sk_addBias(R, D, x, D, a[BO]);
  seqnet_feedForwardRows(R, D, F, eps, x, n, mean, rstd, ff, a[G2], a[BE2], a[W1], a[BI1], a[W2], a[BI2], ws);
}
