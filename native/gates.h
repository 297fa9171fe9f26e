/*
 * Shared by the recurrent kernels (gates.c, seq.c, seq_loop.c): their prototypes, so the timestep
 * loops call the gate math directly, and the row helpers they all use.
 */
#ifndef SEQNET_GATES_H
#define SEQNET_GATES_H
#include "simdmath.h"
#if defined(__AVX512F__)
#include <immintrin.h>
#endif

/* gates.c */
void sk_lstmForward(int32_t B, int32_t U, ptr_t xp, ptr_t rec, ptr_t hIn, ptr_t hOut, ptr_t cIn, ptr_t cOut, ptr_t sv,
                    ptr_t mask);
void sk_lstmBackward(int32_t B, int32_t U, ptr_t gx, ptr_t dh, ptr_t dc, ptr_t dhd, ptr_t sv, ptr_t cp, ptr_t mask);
void sk_gruForward(int32_t B, int32_t U, ptr_t xp, ptr_t rec, ptr_t rb, ptr_t hIn, ptr_t hOut, ptr_t sv, ptr_t mask);
void sk_gruBackward(int32_t B, int32_t U, ptr_t gx, ptr_t gr, ptr_t dh, ptr_t dhd, ptr_t sv, ptr_t hp, ptr_t mask);
void sk_rnnForward(int32_t B, int32_t U, ptr_t xp, ptr_t rec, ptr_t hIn, ptr_t hOut, ptr_t sv, ptr_t mask);
void sk_rnnBackward(int32_t B, int32_t U, ptr_t gx, ptr_t dh, ptr_t dhd, ptr_t sv, ptr_t mask);
/* seq.c */
void sk_addOutputGrad(int32_t B, int32_t T, int32_t U, int32_t s, int32_t t, ptr_t dout, ptr_t dh, ptr_t carry,
                      ptr_t mask);

/*
 * The first n (< SK_VL at a row's end) floats at p, zero-padded, and the store of the first n lanes:
 * one masked instruction on AVX-512 (no read past the row), simdmath.h's lane loop elsewhere.
 */
static inline vf ld_n(const float *p, int n) {
#if SK_VL == 16
  if (n >= 16) return vload(p);
  return (vf)_mm512_maskz_loadu_ps((__mmask16)((1u << n) - 1), p);
#else
  return vload_n(p, n);
#endif
}
static inline void st_n(float *p, vf v, int n) {
#if SK_VL == 16
  if (n >= 16) vstore(p, v);
  else _mm512_mask_storeu_ps(p, (__mmask16)((1u << n) - 1), (__m512)v);
#else
  vstore_n(p, v, n);
#endif
}

/* whether batch row b is masked out (mask: B floats, 0 = no mask) */
static inline int skipRow(const float *mask, int b) { return mask && mask[b] == 0; }

#endif
