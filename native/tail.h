/*
 * Row tails as one masked vector: the first n floats (n < SK_VL, or all when n ≥ SK_VL), the rest
 * of the lanes zero on load and left alone on store. With AVX-512 a masked load/store (one
 * instruction, never touching memory past the row); elsewhere simdmath.h's vload_n/vstore_n.
 * simdmath.h's versions copy lane by lane, which costs a row of 61 floats in a softmax ~2.5x.
 */
#ifndef SEQNET_TAIL_H
#define SEQNET_TAIL_H
#include "simdmath.h"

#if SK_VL == 16 && defined(__AVX512F__)
#include <immintrin.h>
static inline __mmask16 tailMask(int n) { return n >= 16 ? (__mmask16)0xffff : (__mmask16)((1u << n) - 1); }
static inline vf vload_t(const float *p, int n) { return (vf)_mm512_maskz_loadu_ps(tailMask(n), p); }
static inline void vstore_t(float *p, vf v, int n) { _mm512_mask_storeu_ps(p, tailMask(n), (__m512)v); }
#else
static inline vf vload_t(const float *p, int n) { return vload_n(p, n); }
static inline void vstore_t(float *p, vf v, int n) { vstore_n(p, v, n); }
#endif

#endif
