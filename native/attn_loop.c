/*
 * The per-(batch row, head) loops of the fused attention op (src/backend/ops/attention.ts),
 * the native twins of wasm/attn_loop.ts, for the batch rows [b0, b1): a range is one job, so the
 * worker threads can each take some. qkv [B, T, 3D] holds q | k | v per row (head h owns
 * dimensions h·dh … of each); ctx and dctx are [B, T, D]; P, Pd, dP [B, H, T, T]; bias rows
 * broadcast with strides biasB (per batch row) and biasQ (per query), 0 = none; mask
 * [B, Tq, H, Tk] is a dropout multiplier, 0 = none. Every pointer is a byte offset (offsets are
 * computed as in wasm, in floats, then scaled); ws is this thread's sgemm workspace
 * (sk_workspaceBytes() at least), here the scratch for a block of transposed keys or values.
 *
 * A head's products are tiny (64 x 64 x 32 at T = 64): packing them for sk_sgemm cost more than
 * the multiply-adds, so they run directly on the rows where they lie (one element of A broadcast,
 * rows of B read as vectors, no packing; only kᵀ and vᵀ are made, a block of keys at a time).
 * Causal heads work in tiles of QT query rows: tile [r0, r1) only needs keys [0, r1).
 */
#include <math.h>
#include "simdmath.h"

void seqnet_softmaxRowsGrow(int rows, int cols0, int grow, int ld, ptr_t s, ptr_t bias, int biasStride);
void sk_softmaxGradRows(int32_t rows, int32_t cols, int32_t ld, ptr_t p, ptr_t dp, ptr_t ds);
void sk_mulRows(int32_t rows, int32_t cols, int32_t ld, ptr_t a, ptr_t b, int32_t bStride, ptr_t dst);

/* query rows per tile (the causal granularity: about 9/16 of the products at T = 64) */
#define QT 8
/* keys (or values) transposed at a time, at most */
#define KB 64
/* vectors of C per tile: 16 accumulators at most (32 vector registers with AVX-512, 16 below) */
#if SK_VL == 16
#define NVMAX 4
#define RWIDE 8
#else
#define NVMAX 2
#define RWIDE 4
#endif

static inline int imin(int a, int b) { return a < b ? a : b; }
/* the byte offset of float index i past pointer p */
static inline ptr_t at(ptr_t p, int64_t i) { return (ptr_t)((int64_t)p + i * 4); }

/*
 * One tile of a direct product: C[r, 0:w] = alpha·Σ_{k0 ≤ k < k1} A(r, k)·B[k, 0:w] for r < R,
 * w = (NV − 1) vectors and `last` floats; A(r, k) = A[r·lda + k], or A[k·lda + r] when TA.
 */
static inline __attribute__((always_inline)) void tile(const int R, const int NV, const int TA, int last, int k0, int k1,
                                                       float alpha, const float *A, int lda, const float *B, int ldb,
                                                       float *C, int ldc) {
  vf acc[RWIDE][NVMAX];
#pragma GCC unroll 8
  for (int r = 0; r < R; r++)
#pragma GCC unroll 4
    for (int v = 0; v < NV; v++) acc[r][v] = vsplat(0);
  for (int k = k0; k < k1; k++) {
    const float *b = B + (size_t)k * ldb;
    vf bv[NVMAX];
#pragma GCC unroll 4
    for (int v = 0; v < NV - 1; v++) bv[v] = vload(b + v * SK_VL);
    bv[NV - 1] = vload_n(b + (NV - 1) * SK_VL, last);
#pragma GCC unroll 8
    for (int r = 0; r < R; r++) {
      const vf a = vsplat(TA ? A[(size_t)k * lda + r] : A[(size_t)r * lda + k]);
#pragma GCC unroll 4
      for (int v = 0; v < NV; v++) acc[r][v] += a * bv[v];
    }
  }
  const vf va = vsplat(alpha);
#pragma GCC unroll 8
  for (int r = 0; r < R; r++) {
    float *c = C + (size_t)r * ldc;
#pragma GCC unroll 4
    for (int v = 0; v < NV - 1; v++) vstore(c + v * SK_VL, acc[r][v] * va);
    vstore_n(c + (NV - 1) * SK_VL, acc[r][NV - 1] * va, last);
  }
}

typedef void (*TileFn)(int last, int k0, int k1, float alpha, const float *A, int lda, const float *B, int ldb, float *C,
                       int ldc);
#define TILE(R, NV, TA)                                                                                               \
  static void tile_##R##_##NV##_##TA(int last, int k0, int k1, float alpha, const float *A, int lda, const float *B, \
                                     int ldb, float *C, int ldc) {                                                   \
    tile(R, NV, TA, last, k0, k1, alpha, A, lda, B, ldb, C, ldc);                                                    \
  }
#define ROWS4(NV, TA) TILE(1, NV, TA) TILE(2, NV, TA) TILE(3, NV, TA) TILE(4, NV, TA)
#define ROWS8(NV, TA) ROWS4(NV, TA) TILE(5, NV, TA) TILE(6, NV, TA) TILE(7, NV, TA) TILE(8, NV, TA)
#define LIST4(NV, TA) tile_1_##NV##_##TA, tile_2_##NV##_##TA, tile_3_##NV##_##TA, tile_4_##NV##_##TA
#define LIST8(NV, TA) LIST4(NV, TA), tile_5_##NV##_##TA, tile_6_##NV##_##TA, tile_7_##NV##_##TA, tile_8_##NV##_##TA
#if NVMAX == 4
ROWS8(1, 0) ROWS8(2, 0) ROWS4(3, 0) ROWS4(4, 0)
ROWS8(1, 1) ROWS8(2, 1) ROWS4(3, 1) ROWS4(4, 1)
/* TILES[TA][NV − 1][R − 1]: up to 8 rows of 1 or 2 vectors, 4 rows of 3 or 4 */
static const TileFn TILES[2][NVMAX][8] = {
    {{LIST8(1, 0)}, {LIST8(2, 0)}, {LIST4(3, 0)}, {LIST4(4, 0)}},
    {{LIST8(1, 1)}, {LIST8(2, 1)}, {LIST4(3, 1)}, {LIST4(4, 1)}},
};
static inline int rowsFor(int nv) { return nv <= 2 ? 8 : 4; }
#else
ROWS4(1, 0) ROWS4(2, 0) ROWS4(1, 1) ROWS4(2, 1)
static const TileFn TILES[2][NVMAX][8] = {{{LIST4(1, 0)}, {LIST4(2, 0)}}, {{LIST4(1, 1)}, {LIST4(2, 1)}}};
static inline int rowsFor(int nv) { return (void)nv, 4; }
#endif

/*
 * C[i, 0:n] = alpha·Σ_{k0 ≤ k < k1} A(i, k)·B[k, 0:n] for i < m (C rows ldc apart, overwritten),
 * A(i, k) = A[i·lda + k], or A[k·lda + i] when transA; B's rows ldb apart.
 */
static void product(int m, int n, int k0, int k1, float alpha, const float *A, int lda, int transA, const float *B, int ldb,
                    float *C, int ldc) {
  for (int j = 0; j < n; j += NVMAX * SK_VL) {
    const int w = imin(NVMAX * SK_VL, n - j), nv = (w + SK_VL - 1) / SK_VL, last = w - (nv - 1) * SK_VL;
    const int rt = rowsFor(nv);
    for (int i = 0; i < m; i += rt) {
      const int R = imin(rt, m - i);
      const float *a = transA ? A + i : A + (size_t)i * lda;
      TILES[transA][nv - 1][R - 1](last, k0, k1, alpha, a, lda, B + j, ldb, C + (size_t)i * ldc + j, ldc);
    }
  }
}

/* dst[d, j] = src[j, d] for j < n, d < dh (src rows ld apart; dst rows n apart) */
static void transpose(int n, int dh, const float *src, int ld, float *dst) {
  for (int j = 0; j < n; j++)
    for (int d = 0; d < dh; d++) dst[(size_t)d * n + j] = src[(size_t)j * ld + d];
}

/* p[r, from:to] = 0 for r < rows, rows ld floats apart */
static void zeroCols(int rows, int from, int to, int ld, float *p) {
  if (to > from)
    for (int r = 0; r < rows; r++) memset(p + (size_t)r * ld + from, 0, (size_t)(to - from) * 4);
}

/* the geometry of one call */
typedef struct {
  int T, D, H, dh, ld, causal, kb;
  float scale;
} Geo;

static Geo geo(int T, int D, int hc) {
  Geo g;
  g.T = T, g.D = D, g.H = hc & 0xffff, g.causal = (hc >> 16) != 0;
  g.dh = D / g.H, g.ld = 3 * D;
  g.scale = (float)(1.0 / sqrt((double)g.dh));
  /* a block of kb transposed rows of dh floats fits the workspace (dh ≤ its size in floats) */
  g.kb = imin(KB, (int)(sk_workspaceBytes() / 4 / (g.dh > 0 ? g.dh : 1)));
  if (g.kb < 1) g.kb = 1;
  return g;
}

/* keys query tile [r0, r0 + n) attends to */
static inline int keysOf(const Geo *g, int r0, int n) { return g->causal ? r0 + n : g->T; }

/*
 * out[r, 0:kc(r)] = alpha·x[r, :]·yᵀ for all query tiles (kc: keysOf), x rows xld apart, y the
 * keys' (or values') rows, ld apart, transposed into ws a block of g.kb at a time.
 */
static void timesTransposed(const Geo *g, float alpha, const float *x, int xld, const float *y, float *out, float *ws) {
  const int T = g->T, dh = g->dh;
  for (int c0 = 0; c0 < T; c0 += g->kb) {
    const int cn = imin(g->kb, T - c0);
    transpose(cn, dh, y + (size_t)c0 * g->ld, g->ld, ws);
    for (int r0 = g->causal ? c0 / QT * QT : 0; r0 < T; r0 += QT) {
      const int n = imin(QT, T - r0), cols = imin(c0 + cn, keysOf(g, r0, n)) - c0;
      product(n, cols, 0, dh, alpha, x + (size_t)r0 * xld, xld, 0, ws, cn, out + (size_t)r0 * T + c0, T);
    }
  }
}

/*
 * P = softmax(q·kᵀ/√dh + bias), ctx = (P ⊙ mask)·v, the masked P going to Pd. hc = H, plus
 * 1 << 16 when causal: then each query sees only itself and earlier keys (the bias, if any, need
 * not hide the others), and the P of later keys is written as 0.
 */
void sk_attnForward(int32_t b0, int32_t b1, int32_t T, int32_t D, int32_t hc, ptr_t qkv, ptr_t bias, int32_t biasB,
                    int32_t biasQ, ptr_t mask, ptr_t P, ptr_t Pd, ptr_t ctx, ptr_t ws) {
  const Geo g = geo(T, D, hc);
  const int H = g.H, dh = g.dh, ld = g.ld;
  const int64_t TT = (int64_t)T * T;
  for (int b = b0; b < b1; b++) {
    for (int h = 0; h < H; h++) {
      const ptr_t q = at(qkv, (int64_t)b * T * ld + h * dh);
      const ptr_t s = at(P, (b * H + h) * TT);
      const ptr_t pd = mask ? at(Pd, (b * H + h) * TT) : s;
      timesTransposed(&g, g.scale, F32(q), ld, F32(at(q, D)), F32(s), F32(ws)); /* the scores */
      for (int r0 = 0; r0 < T; r0 += QT) {
        const int n = imin(QT, T - r0), kc = keysOf(&g, r0, n);
        const ptr_t sr = at(s, (int64_t)r0 * T), pr = at(pd, (int64_t)r0 * T);
        const ptr_t br = bias ? at(bias, (int64_t)b * biasB + (int64_t)r0 * biasQ) : 0;
        seqnet_softmaxRowsGrow(n, g.causal ? r0 + 1 : T, g.causal, T, sr, br, biasQ); /* query r sees keys [0, r] */
        for (int r = 0; g.causal && r < n; r++) zeroCols(1, r0 + r + 1, T, T, F32(sr) + (size_t)r * T);
        if (mask) sk_mulRows(n, T, T, sr, at(mask, ((int64_t)(b * T + r0) * H + h) * T), H * T, pr);
        product(n, dh, 0, kc, 1, F32(pr), T, 0, F32(at(q, 2 * D)), ld, F32(at(ctx, (int64_t)(b * T + r0) * D + h * dh)), D);
      }
    }
  }
}

/*
 * dqkv from dctx: dv = Pdᵀ·dctx, dPd = dctx·vᵀ, dP = dPd ⊙ mask, dS = P ⊙ (dP − rowsum(dP ⊙ P)),
 * dq = dS·k/√dh, dk = dSᵀ·q/√dh (dS left in dP). Pd and dP are scratch of P's size (Pd unused
 * without a mask); hc as in sk_attnForward (causal: key j only gets gradient from queries ≥ j).
 */
void sk_attnBackward(int32_t b0, int32_t b1, int32_t T, int32_t D, int32_t hc, ptr_t qkv, ptr_t mask, ptr_t P,
                     ptr_t Pd, ptr_t dP, ptr_t dctx, ptr_t dqkv, ptr_t ws) {
  const Geo g = geo(T, D, hc);
  const int H = g.H, dh = g.dh, ld = g.ld;
  const int64_t TT = (int64_t)T * T;
  for (int b = b0; b < b1; b++) {
    for (int h = 0; h < H; h++) {
      const int64_t o = (b * H + h) * TT;
      const ptr_t p = at(P, o);
      const ptr_t pd = mask ? at(Pd, o) : p;
      if (mask) sk_mulRows(T, T, T, p, at(mask, ((int64_t)b * T * H + h) * T), H * T, pd);
      const float *q = F32(at(qkv, (int64_t)b * T * ld + h * dh));
      float *dq = F32(at(dqkv, (int64_t)b * T * ld + h * dh));
      const float *dc = F32(at(dctx, (int64_t)b * T * D + h * dh));
      const ptr_t dp = at(dP, o);
      timesTransposed(&g, 1, dc, D, q + 2 * D, F32(dp), F32(ws)); /* dPd = dctx·vᵀ */
      for (int r0 = 0; r0 < T; r0 += QT) {
        const int n = imin(QT, T - r0), kc = keysOf(&g, r0, n);
        const ptr_t dpr = at(dp, (int64_t)r0 * T);
        if (mask) sk_mulRows(n, kc, T, dpr, at(mask, ((int64_t)(b * T + r0) * H + h) * T), H * T, dpr);
        sk_softmaxGradRows(n, kc, T, at(p, (int64_t)r0 * T), dpr, dpr); /* dS */
        product(n, dh, 0, kc, g.scale, F32(dpr), T, 0, q + D, ld, dq + (size_t)r0 * ld, ld);
      }
      for (int j0 = 0; j0 < T; j0 += QT) { /* dv and dk of keys [j0, j0 + n), over the queries that see them */
        const int n = imin(QT, T - j0), from = g.causal ? j0 : 0;
        product(n, dh, from, T, 1, F32(pd) + j0, T, 1, dc, D, dq + 2 * D + (size_t)j0 * ld, ld);
        product(n, dh, from, T, g.scale, F32(dp) + j0, T, 1, q, ld, dq + D + (size_t)j0 * ld, ld);
      }
    }
  }
}
