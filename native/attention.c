/*
 * Row kernels of the fused attention op (src/backend/kernels/attention.ts), the native twins of
 * wasm/attention.ts: a softmax over each row of scores (plus an additive bias row), its gradient,
 * and a row-strided product (dropout). Every pointer is a byte offset; rows are `cols` floats
 * apart unless a stride says otherwise. Row tails are one masked vector (simdmath.h vload_n/vstore_n), its dead lanes
 * left out of the sums and the max.
 */
#include <math.h>
#include <stddef.h>
#include "simdmath.h"

/* e^x, and 0 once e^x is below float32's normal range (expv clamps its argument there) */
static inline vf expUnder(vf x) { return vsel(x < vsplat(-87.33654f), vsplat(0), expv(x)); }

/* max that keeps a NaN of either argument, as wasm's f32x4.max and f32.max do (a NaN score makes its
   row NaN through the exponentials anyway; this keeps the max itself the same too) */
static inline vf vmaxNaN(vf m, vf v) { return vsel((v > m) | (v != v), v, m); }

/* lanes [0, n) of a vector, as a comparison mask */
static inline vi lanesBelow(int n) {
  vi idx;
  for (int l = 0; l < SK_VL; l++) idx[l] = l;
  return idx < n;
}

/* the largest lane (NaN if any lane is), and the sum of the lanes: a row of a causal head is a few
   vectors long, so these reductions cost as much as its exponentials (one instruction tree each
   with AVX-512) */
#if SK_VL == 16 && defined(__AVX512F__)
static inline float hmaxNaN(vf v) {
  const __m512 x = (__m512)v;
  return _mm512_cmp_ps_mask(x, x, _CMP_UNORD_Q) ? x[0] + NAN : _mm512_reduce_max_ps(x);
}
static inline float hsum(vf v) { return _mm512_reduce_add_ps((__m512)v); }
#else
static inline float hmaxNaN(vf v) {
  float mx = v[0];
  for (int l = 1; l < SK_VL; l++) mx = v[l] > mx || v[l] != v[l] ? v[l] : mx;
  return mx;
}
static inline float hsum(vf v) {
  float sum = 0;
  for (int l = 0; l < SK_VL; l++) sum += v[l];
  return sum;
}
#endif

/* rows handled together: each step runs over all of them, so that their reductions (a chain of
   dependent instructions per row) overlap instead of following one another */
#define ROWS 8

/*
 * In place: row r (r < rows, rows ld floats apart) becomes softmax(row[:cols] + bias[r·biasStride,
 * :cols]) with cols = cols0 + r·grow (grow 1: the rows of a causal tile, each one key longer).
 */
void seqnet_softmaxRowsGrow(int rows, int cols0, int grow, int ld, ptr_t s, ptr_t bias, int biasStride) {
  for (int r0 = 0; r0 < rows; r0 += ROWS) {
    const int nr = rows - r0 < ROWS ? rows - r0 : ROWS;
    float mx[ROWS], inv[ROWS];
    for (int i = 0; i < nr; i++) {
      const int r = r0 + i, cols = cols0 + r * grow;
      float *row = F32(s) + (size_t)r * ld;
      const float *br = bias ? F32(bias) + (ptrdiff_t)r * biasStride : NULL;
      vf mv = vsplat(-INFINITY);
      for (int j = 0; j < cols; j += SK_VL) {
        const int n = cols - j;
        vf v = vload_n(row + j, n);
        if (br) v += vload_n(br + j, n);
        vstore_n(row + j, v, n);
        mv = vmaxNaN(mv, n >= SK_VL ? v : vsel(lanesBelow(n), v, vsplat(-INFINITY)));
      }
      mx[i] = hmaxNaN(mv);
    }
    for (int i = 0; i < nr; i++) {
      const int r = r0 + i, cols = cols0 + r * grow;
      float *row = F32(s) + (size_t)r * ld;
      const vf m = vsplat(mx[i]);
      vf acc = vsplat(0);
      for (int j = 0; j < cols; j += SK_VL) {
        const int n = cols - j;
        const vf e = expUnder(vload_n(row + j, n) - m);
        vstore_n(row + j, e, n);
        acc += n >= SK_VL ? e : vsel(lanesBelow(n), e, vsplat(0));
      }
      inv[i] = 1 / hsum(acc);
    }
    for (int i = 0; i < nr; i++) {
      const int r = r0 + i, cols = cols0 + r * grow;
      float *row = F32(s) + (size_t)r * ld;
      const vf v = vsplat(inv[i]);
      for (int j = 0; j < cols; j += SK_VL) vstore_n(row + j, vload_n(row + j, cols - j) * v, cols - j);
    }
  }
}

/*
 * In place: s[r, :cols] = softmax(s[r, :cols] + bias[r·biasStride, :cols]) for r < rows, rows ld
 * floats apart (bias 0 = none; biasStride 0 repeats one bias row).
 */
void sk_softmaxRows(int32_t rows, int32_t cols, int32_t ld, ptr_t s, ptr_t bias, int32_t biasStride) {
  seqnet_softmaxRowsGrow(rows, cols, 0, ld, s, bias, biasStride);
}

/* 8 doubles (or SK_VL/2): the softmax gradient's row dot products are summed in f64, as in wasm */
typedef double vd __attribute__((vector_size(SK_VL * 4)));
typedef float vh __attribute__((vector_size(SK_VL * 2), aligned(4)));
static inline vd widen(const float *p) { return __builtin_convertvector(*(const vh *)p, vd); }

/* ds[r, :cols] = p ⊙ (dp − Σ_j dp⊙p) per row, rows ld floats apart: the softmax gradient (ds may be dp) */
void sk_softmaxGradRows(int32_t rows, int32_t cols, int32_t ld, ptr_t p, ptr_t dp, ptr_t ds) {
  const int H = SK_VL / 2;
  for (int r = 0; r < rows; r++) {
    const float *pr = F32(p) + (size_t)r * ld, *dr = F32(dp) + (size_t)r * ld;
    float *out = F32(ds) + (size_t)r * ld;
    vd a0 = {0}, a1 = {0};
    int j = 0;
    for (; j + 2 * H <= cols; j += 2 * H) {
      a0 += widen(pr + j) * widen(dr + j);
      a1 += widen(pr + j + H) * widen(dr + j + H);
    }
    a0 += a1;
#if SK_VL == 16 && defined(__AVX512F__)
    double dot = _mm512_reduce_add_pd((__m512d)a0);
#else
    double dot = 0;
    for (int l = 0; l < H; l++) dot += a0[l];
#endif
    for (; j < cols; j++) dot += (double)pr[j] * (double)dr[j];
    const vf d = vsplat((float)dot);
    for (j = 0; j < cols; j += SK_VL) {
      const int n = cols - j;
      vstore_n(out + j, vload_n(pr + j, n) * (vload_n(dr + j, n) - d), n);
    }
  }
}

/* dst[r, :cols] = a[r, :cols] ⊙ b[r·bStride, :cols] (a and dst rows ld floats apart; dst may be a) */
void sk_mulRows(int32_t rows, int32_t cols, int32_t ld, ptr_t a, ptr_t b, int32_t bStride, ptr_t dst) {
  for (int r = 0; r < rows; r++) {
    const float *ar = F32(a) + (size_t)r * ld, *bv = F32(b) + (ptrdiff_t)r * bStride;
    float *out = F32(dst) + (size_t)r * ld;
    for (int j = 0; j < cols; j += SK_VL) vstore_n(out + j, vload_n(ar + j, cols - j) * vload_n(bv + j, cols - j), cols - j);
  }
}
