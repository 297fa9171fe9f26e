/*
 * Vector transcendentals of the gate and element-wise kernels, the twins of wasm/simdmath.ts:
 * exp is Cephes' expf (range reduction by ln 2, degree-5 polynomial; relative error ~1e-7),
 * sigmoid = 1/(1+e^-x), tanh = 1 - 2/(e^2x + 1). On vf (seqnet.h): SK_VL floats at a time.
 */
#ifndef SEQNET_SIMDMATH_H
#define SEQNET_SIMDMATH_H
#include "seqnet.h"

/* m ? a : b lane by lane, m a comparison's result (all ones or zero per lane) */
static inline vf vsel(vi m, vf a, vf b) { return (vf)(((vi)a & m) | ((vi)b & ~m)); }

static inline vf expv(vf x0) {
  /* clamp, keeping NaN: the comparisons are false for NaN, so x0 passes through */
  vf x1 = vsel(x0 < vsplat(-87.3f), vsplat(-87.3f), x0);
  x1 = vsel(x1 > vsplat(88.3f), vsplat(88.3f), x1);
  /* n = round(x·log2 e), by adding 1.5·2²³ (the low mantissa bits are then n + 2²²·3) */
  const vf magic = vsplat(12582912.0f);
  const vf t = x1 * vsplat(1.44269504089f) + magic;
  const vf n = t - magic;
  vf x = n * vsplat(-0.693359375f) + x1;
  x = n * vsplat(2.12194440e-4f) + x;
  vf p = vsplat(1.9875691500e-4f);
  p = p * x + vsplat(1.3981999507e-3f);
  p = p * x + vsplat(8.3334519073e-3f);
  p = p * x + vsplat(4.1665795894e-2f);
  p = p * x + vsplat(1.6666665459e-1f);
  p = p * x + vsplat(5.0000001201e-1f);
  p = p * (x * x) + x + vsplat(1.0f);
  const vi pow2n = (((vi)t - (vi)magic) + 127) << 23;
  return p * (vf)pow2n;
}

static inline vf sigv(vf x) { return vsplat(1.0f) / (vsplat(1.0f) + expv(-x)); }

static inline vf tanhv(vf x) { return vsplat(1.0f) - vsplat(2.0f) / (expv(x + x) + vsplat(1.0f)); }

/*
 * Row tails: the first n floats (n < SK_VL, or all of a vector when n >= SK_VL), the other lanes
 * zero on load and left alone on store. With AVX-512 one masked instruction that never touches
 * memory past the row (a lane-by-lane copy costs a softmax over rows of 61 floats ~2.5x);
 * elsewhere a lane loop.
 */
#if SK_VL == 16 && defined(__AVX512F__)
#include <immintrin.h>
static inline __mmask16 tailMask(int n) { return n >= 16 ? (__mmask16)0xffff : (__mmask16)((1u << n) - 1); }
static inline vf vload_n(const float *p, int n) { return (vf)_mm512_maskz_loadu_ps(tailMask(n), p); }
static inline void vstore_n(float *p, vf v, int n) { _mm512_mask_storeu_ps(p, tailMask(n), (__m512)v); }
#else
static inline vf vload_n(const float *p, int n) {
  if (n >= SK_VL) return vload(p);
  vf v = vsplat(0);
  for (int i = 0; i < n; i++) v[i] = p[i];
  return v;
}
static inline void vstore_n(float *p, vf v, int n) {
  if (n >= SK_VL) {
    vstore(p, v);
    return;
  }
  for (int i = 0; i < n; i++) p[i] = v[i];
}
#endif

#endif
