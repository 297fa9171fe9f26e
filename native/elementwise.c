/*
 * Element-wise transcendentals over n floats (src and dst byte offsets; may be equal), the native
 * twins of wasm/elementwise.ts for the unary kernels of src/backend/kernels/unary.ts: the same
 * polynomials (simdmath.h) and the same overflow, small-argument and sign rules, SK_VL lanes at a
 * time; the tail is one masked vector (simdmath.h vload_n/vstore_n).
 */
#include <math.h>
#include "simdmath.h"

#define SIGN ((int32_t)0x80000000)

static inline vf vabs(vf x) { return (vf)((vi)x & ~SIGN); }

/* expv clamps its argument; past ln(FLT_MAX) the float32 result is +Infinity, and below the
   normal range it is flushed to 0 (NaN fails both tests and stays NaN) */
static inline vf expOverflow(vf x) {
  const vf e = vsel(x > vsplat(88.72283f), vsplat(INFINITY), expv(x));
  return vsel(x < vsplat(-87.33654f), vsplat(0), e);
}

/* tanh with a Taylor series below |x| = 1/8, where 1 - 2/(e^2x + 1) would cancel */
static inline vf tanhSmall(vf x) {
  const vf x2 = x * x;
  vf p = vsplat(-17.0f / 315.0f);
  p = p * x2 + vsplat(2.0f / 15.0f);
  p = p * x2 + vsplat(-1.0f / 3.0f);
  const vf series = (p * x2) * x + x;
  return vsel(vabs(x) < vsplat(0.125f), series, tanhv(x));
}

/* Abramowitz & Stegun 7.1.26, with tfjs' constants (backend_util.ERF_*), given e = exp(−x²) */
static inline vf erfWith(vf x, vf e) {
  const vf v = vabs(x);
  const vf t = vsplat(1) / (vsplat(0.3275911f) * v + vsplat(1));
  vf p = vsplat(1.061405429f);
  p = p * t + vsplat(-1.453152027f);
  p = p * t + vsplat(1.421413741f);
  p = p * t + vsplat(-0.284496736f);
  p = p * t + vsplat(0.254829592f);
  const vf y = vsplat(1) - (p * t) * e;
  /* sign(x)·y: the sign bit of x, and 0 at x = 0 (and NaN for NaN, through v) */
  const vf s = (vf)(((vi)y & ~SIGN) | ((vi)x & SIGN));
  return vsel(x == vsplat(0), vsplat(0), s);
}

static inline vf erfv(vf x) { return erfWith(x, expv(-(x * x))); }

/* ½x(1 + erf(x/√2)) */
static inline vf gelu(vf x) { return (vsplat(0.5f) * x) * (vsplat(1) + erfv(x * vsplat(0.70710678118654752f))); }

/* dL/dx of GELU: dy·(Φ(x) + x·φ(x)); erf(v) and φ(x) share exp(−v²) = exp(−x²/2), v = x/√2 */
static inline vf geluGrad(vf x, vf dy) {
  const vf v = x * vsplat(0.70710678118654752f), e = expv(-(v * v));
  const vf phi = vsplat(0.5f) * (vsplat(1) + erfWith(v, e));
  const vf pdf = vsplat(0.3989422804014327f) * e;
  return dy * (x * pdf + phi);
}

/* dst[i] = OP(src[i]): two vectors a pass (their long dependency chains interleave), then the tail */
#define MAP(OP)                                                                    \
  const float *s = F32(src);                                                       \
  float *d = F32(dst);                                                             \
  int i = 0;                                                                       \
  for (; i + 2 * SK_VL <= n; i += 2 * SK_VL) {                                     \
    const vf a = OP(vload(s + i)), b = OP(vload(s + i + SK_VL));                   \
    vstore(d + i, a);                                                              \
    vstore(d + i + SK_VL, b);                                                      \
  }                                                                                \
  for (; i < n; i += SK_VL) vstore_n(d + i, OP(vload_n(s + i, n - i)), n - i);

void sk_expN(int32_t n, ptr_t src, ptr_t dst) { MAP(expOverflow) }
void sk_sigmoidN(int32_t n, ptr_t src, ptr_t dst) { MAP(sigv) }
void sk_tanhN(int32_t n, ptr_t src, ptr_t dst) { MAP(tanhSmall) }
void sk_erfN(int32_t n, ptr_t src, ptr_t dst) { MAP(erfv) }
void sk_geluN(int32_t n, ptr_t src, ptr_t dst) { MAP(gelu) }

/* dL/dx of GELU from x and dL/dy (dst may be either input) */
void sk_geluGradN(int32_t n, ptr_t xs, ptr_t dys, ptr_t dst) {
  const float *x = F32(xs), *dy = F32(dys);
  float *d = F32(dst);
  int i = 0;
  for (; i + 2 * SK_VL <= n; i += 2 * SK_VL) {
    const vf a = geluGrad(vload(x + i), vload(dy + i));
    const vf b = geluGrad(vload(x + i + SK_VL), vload(dy + i + SK_VL));
    vstore(d + i, a);
    vstore(d + i + SK_VL, b);
  }
  for (; i < n; i += SK_VL) vstore_n(d + i, geluGrad(vload_n(x + i, n - i), vload_n(dy + i, n - i)), n - i);
}

/* dst = a + b over n floats (dst may be a or b) */
void sk_addArrays(int32_t n, ptr_t a, ptr_t b, ptr_t dst) {
  const float *x = F32(a), *y = F32(b);
  float *d = F32(dst);
  for (int i = 0; i < n; i += SK_VL) vstore_n(d + i, vload_n(x + i, n - i) + vload_n(y + i, n - i), n - i);
}
