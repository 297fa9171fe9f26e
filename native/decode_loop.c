/*
 * One transformer block for one new position of each of B batch rows (cached generation), in one
 * call: the native twin of wasm/decode_loop.ts (see there for the maths and the DecodeParams
 * block at prm; eps as the bits of an f32). The weight matrices are packed by the native packB.
 */
#include "seqnet.h"

void sk_layerNormRows(int32_t N, int32_t D, ptr_t x, ptr_t g, ptr_t b, float eps, ptr_t y, ptr_t mean, ptr_t rstd);
void sk_attnDecodeRow(int32_t H, int32_t D, int32_t p, ptr_t q, ptr_t k, ptr_t v, ptr_t scores, ptr_t ctx);
void sk_geluN(int32_t n, ptr_t src, ptr_t dst);
void sk_addArrays(int32_t n, ptr_t a, ptr_t b, ptr_t dst);
void sk_addBias(int32_t M, int32_t N, ptr_t c, int32_t ldc, ptr_t bias);

enum { B_, D_, F_, H_, P_, EPS, X, NRM, MEAN, RSTD, QKV, CTX, ATT, FF, SC,
       G1, BE1, WQKV, BQKV, WO, BO, G2, BE2, W1, BI1, W2, BI2, ROWS };

void sk_decodeBlockRows(ptr_t prm, ptr_t ws) {
  const int32_t *a = I32(prm);
  const int B = a[B_], D = a[D_], F = a[F_], H = a[H_], p = a[P_];
  float eps;
  memcpy(&eps, &a[EPS], 4);
  const ptr_t x = a[X], n = a[NRM], q = a[QKV], c = a[CTX], at = a[ATT], ff = a[FF];
  const int D3 = 3 * D;
  const size_t rowBytes = (size_t)D * 4;
  sk_layerNormRows(B, D, x, a[G1], a[BE1], eps, n, a[MEAN], a[RSTD]);
  sk_sgemmPacked(B, D3, D, 1, n, D, 0, a[WQKV], D3, 0, 0, q, D3, ws);
  sk_addBias(B, D3, q, D3, a[BQKV]);
  for (int b = 0; b < B; b++) {
    const ptr_t qb = q + b * D3 * 4, pk = a[ROWS + 2 * b], pv = a[ROWS + 2 * b + 1];
    memmove(seqnet_base + (uint32_t)pk + p * rowBytes, seqnet_base + (uint32_t)qb + rowBytes, rowBytes);
    memmove(seqnet_base + (uint32_t)pv + p * rowBytes, seqnet_base + (uint32_t)qb + 2 * rowBytes, rowBytes);
    sk_attnDecodeRow(H, D, p, qb, pk, pv, a[SC], c + b * (ptr_t)rowBytes);
  }
  sk_sgemmPacked(B, D, D, 1, c, D, 0, a[WO], D, 0, 0, at, D, ws);
  sk_addBias(B, D, at, D, a[BO]);
  sk_addArrays(B * D, x, at, x);
  sk_layerNormRows(B, D, x, a[G2], a[BE2], eps, n, a[MEAN], a[RSTD]);
  sk_sgemmPacked(B, F, D, 1, n, D, 0, a[W1], F, 0, 0, ff, F, ws);
  sk_addBias(B, F, ff, F, a[BI1]);
  sk_geluN(B * F, ff, ff);
  sk_sgemmPacked(B, D, F, 1, ff, F, 0, a[W2], D, 0, 0, at, D, ws);
  sk_addBias(B, D, at, D, a[BI2]);
  sk_addArrays(B * D, x, at, x);
}
