/*
 * The kernels of the fused conv1d → relu → global max pool (src/backend/ops/conv_pool.ts), the
 * native twins of wasm/convpool.ts: its sparse backward, its forward (convMaxRows: conv tiles
 * folded into the masked max without writing the conv output) and, sharing that register tile,
 * gemmRows, a narrow product with A read in place (the recurrent backward's dX). After a global
 * max only each (batch b, filter f)'s argmax position t* receives a gradient, so the two dense
 * products of a convolution's backward shrink to B·F·k·C multiply-adds. Every pointer is a byte
 * offset.
 */
#include "simdmath.h"

/*
 * For each (b, f) with t = arg[b·F + f] ≥ 0 and g = dy[b·F + f] ≠ 0: db[f] += g, and over the
 * taps j0 … j1 − 1 of its window that fall inside x (rows r = t + j − left, contiguous in both
 * x and wt, so one run of n = (j1 − j0)·C floats):
 *   dwt[f, j, :] += g · x[b, r, :]      dx[b, r, :] += g · wt[f, j, :]
 * x, dx [B, T, C]; wt, dwt [F, k, C] (the kernel transposed); arg i32, dy [B, F]; db [F].
 * dwt, dx and db are zeroed by the caller.
 */
void sk_convPoolGrad(int32_t B, int32_t T, int32_t C, int32_t k, int32_t F, int32_t left, ptr_t x, ptr_t wt, ptr_t arg,
                     ptr_t dy, ptr_t dwt, ptr_t dx, ptr_t db) {
  const int32_t *A = I32(arg);
  const float *X = F32(x), *W = F32(wt), *dY = F32(dy);
  float *dW = F32(dwt), *dX = F32(dx), *dB = F32(db);
  for (int b = 0; b < B; b++) {
    for (int f = 0; f < F; f++) {
      const int t = A[b * F + f];
      const float g = dY[b * F + f];
      if (t < 0 || g == 0) continue;
      dB[f] += g;
      const int j0 = left - t > 0 ? left - t : 0, j1 = T + left - t < k ? T + left - t : k;
      const int n = (j1 - j0) * C;
      const float *xs = X + (size_t)(b * T + t + j0 - left) * C, *ws = W + (size_t)(f * k + j0) * C;
      float *dxs = dX + (size_t)(b * T + t + j0 - left) * C, *dws = dW + (size_t)(f * k + j0) * C;
      const vf gv = vsplat(g);
      for (int c = 0; c < n; c += SK_VL) {
        const int m = n - c; /* a masked vector at the end of the run (simdmath.h vload_n/vstore_n) */
        vstore_n(dws + c, gv * vload_n(xs + c, m) + vload_n(dws + c, m), m);
        vstore_n(dxs + c, gv * vload_n(ws + c, m) + vload_n(dxs + c, m), m);
      }
    }
  }
}

/*
 * Forward of the same op without the conv output ever reaching memory: for the batch rows
 * [b0, b1), best[b, f] = max over real output positions t (ids[b, t] ≠ 0) of
 *   y[b, t, f] = Σ_{j < k, c < C} xs[b·ld + t + j, c] · wp[j·C + c, f]
 * and arg[b, f] = the first t reaching it (−1, best −∞, when no position is real).
 * xs: the padded sequences end to end, ld rows apart, C floats a row, with at least
 * CONV_TAIL_ROWS zero rows after the last window (a tile of rows may run past the last
 * sequence's end: those rows are computed and dropped); output positions t < oW, sequence b's
 * window t starting at row b·ld + t. wp [k·C, Fp]: the kernel [k, C, F] with its rows padded
 * to Fp = F rounded up to 16 floats (zeros). ids i32 [B, T] (T ≥ oW). ws: Fp floats and Fp i32
 * of scratch (the wasm twin also keeps a 4 × 8 tile there). A tile is R output positions × NV
 * vectors of filters, its R·NV accumulators in registers for the whole k·C sum; each finished
 * tile updates the running max and argmax.
 */
#define CONV_TAIL_ROWS 8
#if SK_VL == 16
#define NV_MAX 4 /* 32 zmm registers: 24 accumulators, the B vectors and a broadcast (28 accumulators measured 4% slower) */
#define ACC_MAX 24
#else
#define NV_MAX 3 /* 16 registers: up to 12 accumulators */
#define ACC_MAX 12
#endif
#define ROWS(NV) ((ACC_MAX / (NV)) < 8 ? (ACC_MAX / (NV)) : 8)
typedef int32_t vi_u __attribute__((vector_size(SK_VL * 4), aligned(4)));

/* acc[r][v] = Σ_kk a[r·lda + kk] · wp[kk·Fp + v·SK_VL …] for R rows and NV vectors: A read in place */
#define TILE_ACC(R, NV, K, a, lda, wp, Fp, acc)                            \
  do {                                                                     \
    _Pragma("GCC unroll 8") for (int r = 0; r < R; r++)                    \
      _Pragma("GCC unroll 8") for (int v = 0; v < NV; v++) acc[r][v] = vsplat(0); \
    for (int kk = 0; kk < K; kk++) {                                       \
      const float *w_ = (wp) + (size_t)kk * (Fp);                          \
      vf bv[NV_MAX];                                                       \
      _Pragma("GCC unroll 8") for (int v = 0; v < NV; v++) bv[v] = vload(w_ + v * SK_VL); \
      _Pragma("GCC unroll 8") for (int r = 0; r < R; r++) {                \
        const vf a_ = vsplat((a)[(size_t)r * (lda) + kk]);                 \
        _Pragma("GCC unroll 8") for (int v = 0; v < NV; v++) acc[r][v] += a_ * bv[v]; \
      }                                                                    \
    }                                                                      \
  } while (0)

static inline __attribute__((always_inline)) void convTile(const int R, const int NV, int K, int C, const float *xr,
                                                           const float *wp, int Fp, float *best, int32_t *arg, int t0,
                                                           int oW, const int32_t *ids) {
  vf acc[8][NV_MAX];
  TILE_ACC(R, NV, K, xr, C, wp, Fp, acc); /* the windows overlap: row r starts C floats after row r − 1 */
#pragma GCC unroll 8
  for (int r = 0; r < R; r++) {
    const int t = t0 + r;
    if (t >= oW || ids[t] == 0) continue;
    const vi tv = (vi){0} + t;
#pragma GCC unroll 8
    for (int v = 0; v < NV; v++) {
      const vf bs = vload(best + v * SK_VL);
      const vi m = acc[r][v] > bs; /* strict: the first of tied maxima */
      vstore(best + v * SK_VL, vsel(m, acc[r][v], bs));
      const vi ag = *(const vi_u *)(arg + v * SK_VL);
      *(vi_u *)(arg + v * SK_VL) = (ag & ~m) | (tv & m);
    }
  }
}

/* all tiles of one sequence for NV vectors of filters at column v0·SK_VL */
static inline __attribute__((always_inline)) void convChunk(const int NV, int K, int C, const float *xb, const float *wp,
                                                            int Fp, float *best, int32_t *arg, int oW,
                                                            const int32_t *ids) {
  const int R = ROWS(NV);
  for (int t0 = 0; t0 < oW; t0 += R) {
    int real = 0;
    for (int r = 0; r < R && t0 + r < oW; r++) real |= ids[t0 + r];
    if (real) convTile(R, NV, K, C, xb + (size_t)t0 * C, wp, Fp, best, arg, t0, oW, ids);
  }
}

void sk_convMaxRows(int32_t b0, int32_t b1, int32_t T, int32_t C, int32_t k, int32_t F, int32_t ld, int32_t oW, ptr_t xs, ptr_t wp,
                    ptr_t ids, ptr_t best, ptr_t arg, ptr_t ws) {
  const int Fp = (F + 15) / 16 * 16, nv = Fp / SK_VL, K = k * C;
  const float *X = F32(xs), *W = F32(wp);
  const int32_t *I = I32(ids);
  float *bs = F32(ws), *BEST = F32(best);
  int32_t *ag = (int32_t *)(bs + Fp), *ARG = I32(arg);
  for (int b = b0; b < b1; b++) {
    for (int f = 0; f < Fp; f++) {
      bs[f] = -__builtin_inff();
      ag[f] = -1;
    }
    const float *xb = X + (size_t)b * ld * C;
    const int32_t *idb = I + (size_t)b * T;
    for (int v0 = 0; v0 < nv; v0 += NV_MAX) {
      const int o = v0 * SK_VL;
      switch (nv - v0 < NV_MAX ? nv - v0 : NV_MAX) {
#define CASE(NV) \
  case NV: convChunk(NV, K, C, xb, W + o, Fp, bs + o, ag + o, oW, idb); break;
        CASE(1) CASE(2) CASE(3)
#if NV_MAX > 3
        CASE(4)
#endif
#undef CASE
      }
    }
    memcpy(BEST + (size_t)b * F, bs, (size_t)F * 4);
    memcpy(ARG + (size_t)b * F, ag, (size_t)F * 4);
  }
}

/*
 * C[M, N] = A[M, K] · B[K, N] for the rows [m0, m1), with B as convMaxRows reads its kernel:
 * rows padded to Np = N rounded up to 16 floats (zeros), at bp. A is read in place (row stride
 * lda, no packing), which suits a narrow product: dX = dG·Wᵀ of a recurrent layer with few
 * input features, [T·B, D] over G·U, where the sgemm's 32-column tiles would be 3/4 padding.
 * C has row stride ldc; only its N columns are written. ws (the thread's workspace) is unused here.
 */
static inline __attribute__((always_inline)) void rowsTile(const int R, const int NV, int K, const float *a, int lda,
                                                           const float *bp, int Np, float *c, int ldc, int n) {
  vf acc[8][NV_MAX];
  TILE_ACC(R, NV, K, a, lda, bp, Np, acc);
#pragma GCC unroll 8
  for (int r = 0; r < R; r++)
#pragma GCC unroll 8
    for (int v = 0; v < NV; v++)
      if (n > v * SK_VL) vstore_n(c + (size_t)r * ldc + v * SK_VL, acc[r][v], n - v * SK_VL);
}

/* the rows of a chunk of NV vectors of columns (n of them real), R at a time, then one at a time */
static inline __attribute__((always_inline)) void rowsChunk(const int NV, int m0, int m1, int K, const float *A, int lda,
                                                            const float *bp, int Np, float *C, int ldc, int n) {
  const int R = ROWS(NV);
  int i = m0;
  for (; i + R <= m1; i += R) rowsTile(R, NV, K, A + (size_t)i * lda, lda, bp, Np, C + (size_t)i * ldc, ldc, n);
  for (; i < m1; i++) rowsTile(1, NV, K, A + (size_t)i * lda, lda, bp, Np, C + (size_t)i * ldc, ldc, n);
}

void sk_gemmRows(int32_t m0, int32_t m1, int32_t N, int32_t K, ptr_t a, int32_t lda, ptr_t bp, ptr_t c, int32_t ldc,
                 ptr_t ws) {
  (void)ws; /* the wasm twin's scratch for narrow tails: here they are masked stores */
  const int Np = (N + 15) / 16 * 16, nv = Np / SK_VL;
  const float *A = F32(a), *Bp = F32(bp);
  float *C = F32(c);
  for (int v0 = 0; v0 < nv; v0 += NV_MAX) {
    const int o = v0 * SK_VL, n = N - o;
    if (n <= 0) break;
    switch (nv - v0 < NV_MAX ? nv - v0 : NV_MAX) {
#define CASE(NV) \
  case NV: rowsChunk(NV, m0, m1, K, A, lda, Bp + o, Np, C + o, ldc, n); break;
      CASE(1) CASE(2) CASE(3)
#if NV_MAX > 3
      CASE(4)
#endif
#undef CASE
    }
  }
}
