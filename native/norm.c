/*
 * Layer normalisation rows for src/backend/kernels/fused_ops.ts, the native twins of wasm/norm.ts:
 * rows of D floats, statistics per row (SK_VL-lane f32 sums combined in f64, the tail summed in
 * f64 as in wasm). Every pointer is a byte offset.
 */
#include <math.h>
#include "simdmath.h"

static inline double hsum(vf v) {
  double s = 0;
  for (int l = 0; l < SK_VL; l++) s += (double)v[l];
  return s;
}

/* y = (x − μ)·rstd·g + b per row; writes μ and rstd = 1/√(σ² + eps) per row */
void sk_layerNormRows(int32_t N, int32_t D, ptr_t x, ptr_t g, ptr_t b, float eps, ptr_t y, ptr_t mean, ptr_t rstd) {
  const int dv = D - D % SK_VL;
  const float *G = F32(g), *Bs = F32(b);
  for (int r = 0; r < N; r++) {
    const float *xr = F32(x) + (size_t)r * D;
    float *yr = F32(y) + (size_t)r * D;
    vf acc = vsplat(0);
    int j = 0;
    for (; j < dv; j += SK_VL) acc += vload(xr + j);
    double s = hsum(acc);
    for (; j < D; j++) s += (double)xr[j];
    const float mu = (float)(s / D);
    const vf m = vsplat(mu);
    acc = vsplat(0);
    for (j = 0; j < dv; j += SK_VL) {
      const vf c = vload(xr + j) - m;
      acc += c * c;
    }
    double v = hsum(acc);
    for (; j < D; j++) {
      const double c = (double)(xr[j] - mu);
      v += c * c;
    }
    const float rs = (float)(1 / sqrt(v / D + (double)eps));
    const vf k = vsplat(rs);
    for (j = 0; j < D; j += SK_VL) {
      const int n = D - j;
      const vf xh = (vload_n(xr + j, n) - m) * k;
      vstore_n(yr + j, xh * vload_n(G + j, n) + vload_n(Bs + j, n), n);
    }
    F32(mean)[r] = mu;
    F32(rstd)[r] = rs;
  }
}

/*
 * dx = rstd·(dy·g − mean(dy·g) − x̂·mean(dy·g·x̂)) per row, x̂ = (x − μ)·rstd; adds Σ dy·x̂ to dg
 * and Σ dy to db (D floats each, zeroed by the caller).
 */
void sk_layerNormGradRows(int32_t N, int32_t D, ptr_t x, ptr_t dy, ptr_t g, ptr_t mean, ptr_t rstd, ptr_t dx, ptr_t dg,
                          ptr_t db) {
  const int dv = D - D % SK_VL;
  const float *G = F32(g);
  float *dG = F32(dg), *dB = F32(db);
  for (int r = 0; r < N; r++) {
    const float *xr = F32(x) + (size_t)r * D, *dr = F32(dy) + (size_t)r * D;
    float *out = F32(dx) + (size_t)r * D;
    const float mu = F32(mean)[r], rs = F32(rstd)[r];
    const vf m = vsplat(mu), k = vsplat(rs);
    vf a1 = vsplat(0), a2 = vsplat(0);
    int j = 0;
    for (; j < dv; j += SK_VL) {
      const vf xh = (vload(xr + j) - m) * k;
      const vf d = vload(dr + j);
      const vf gj = d * vload(G + j);
      a1 += gj;
      a2 += gj * xh;
      vstore(dG + j, vload(dG + j) + d * xh);
      vstore(dB + j, vload(dB + j) + d);
    }
    double sg = hsum(a1), sgx = hsum(a2);
    for (; j < D; j++) {
      const float xh = (xr[j] - mu) * rs, d = dr[j], gj = d * G[j];
      sg += (double)gj;
      sgx += (double)(gj * xh);
      dG[j] += d * xh;
      dB[j] += d;
    }
    const vf mg = vsplat((float)(sg / D)), mgx = vsplat((float)(sgx / D));
    for (j = 0; j < D; j += SK_VL) {
      const int n = D - j;
      const vf xh = (vload_n(xr + j, n) - m) * k;
      const vf gj = vload_n(dr + j, n) * vload_n(G + j, n);
      vstore_n(out + j, k * ((gj - mg) - xh * mgx), n);
    }
  }
}
