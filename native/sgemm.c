/*
 * sgemm: C[M,N] (+)= alpha * op(A)[M,K] · op(B)[K,N], fp32, the native twin of wasm/sgemm.ts.
 * Same blocking (GotoBLAS order: jc over N by NC, pc over K by KC packing a KC x NC block of B into
 * NR-wide panels, ic over M by MC packing MR-tall panels of A) with a wider register tile: MR rows
 * by two vectors of the target (8 x 32 floats on AVX-512: 16 zmm accumulators). The packed layout of
 * packB()/sgemmPacked() is this file's own (NR-wide panels): the JS side reads NR back as
 * packedFloats(1, 1) and cuts column blocks on panel boundaries.
 * Row-major throughout; lda/ldb/ldc are row strides in floats of the stored matrices.
 */
#include "seqnet.h"

#define NR (2 * SK_VL)
#if SK_VL == 16
#define MR 8
#elif SK_VL == 8
#define MR 6
#else
#define MR 4
#endif
#define KC 256
#define MC (24 * MR)
#define NC 2048

static inline int imin(int a, int b) { return a < b ? a : b; }

int32_t sk_workspaceBytes(void) { return (MC * KC + KC * NC + MR * NR) * 4; }

/* op(A)[i0:i0+mc, k0:k0+kc] into MR-row panels: dst[(p*kc + k)*MR + r], zero-padded rows */
static void packA(const float *a, int lda, int transA, int i0, int mc, int k0, int kc, float *dst) {
  for (int p = 0; p < mc; p += MR) {
    const int rows = imin(MR, mc - p);
    float *panel = dst + (size_t)p * kc;
    if (transA) {
      for (int k = 0; k < kc; k++) {
        const float *src = a + (size_t)(k0 + k) * lda + i0 + p;
        float *d = panel + (size_t)k * MR;
        int r = 0;
        for (; r < rows; r++) d[r] = src[r];
        for (; r < MR; r++) d[r] = 0;
      }
    } else {
      for (int r = 0; r < MR; r++) {
        float *d = panel + r;
        if (r < rows) {
          const float *src = a + (size_t)(i0 + p + r) * lda + k0;
          for (int k = 0; k < kc; k++) d[(size_t)k * MR] = src[k];
        } else {
          for (int k = 0; k < kc; k++) d[(size_t)k * MR] = 0;
        }
      }
    }
  }
}

/* op(B)[k0:k0+kc, j0:j0+nc] into NR-column panels: dst[(p*kc + k)*NR + c], zero-padded */
static void packBlock(const float *b, int ldb, int transB, int k0, int kc, int j0, int nc, float *dst) {
  for (int p = 0; p < nc; p += NR) {
    const int cols = imin(NR, nc - p);
    float *panel = dst + (size_t)p * kc;
    if (transB) {
      for (int c = 0; c < NR; c++) {
        float *d = panel + c;
        if (c < cols) {
          const float *src = b + (size_t)(j0 + p + c) * ldb + k0;
          for (int k = 0; k < kc; k++) d[(size_t)k * NR] = src[k];
        } else {
          for (int k = 0; k < kc; k++) d[(size_t)k * NR] = 0;
        }
      }
    } else if (cols == NR) {
      for (int k = 0; k < kc; k++) {
        const float *src = b + (size_t)(k0 + k) * ldb + j0 + p;
        float *d = panel + (size_t)k * NR;
        vstore(d, vload(src));
        vstore(d + SK_VL, vload(src + SK_VL));
      }
    } else {
      for (int k = 0; k < kc; k++) {
        const float *src = b + (size_t)(k0 + k) * ldb + j0 + p;
        float *d = panel + (size_t)k * NR;
        int c = 0;
        for (; c < cols; c++) d[c] = src[c];
        for (; c < NR; c++) d[c] = 0;
      }
    }
  }
}

/*
 * C[0:R, 0:NR] = alpha * Apanel · Bpanel (+ C when add), for R <= MR rows of an MR-row panel:
 * a full tile (R = MR), or the last rows of a block, which a matrix-vector product (generation at
 * batch 1, a thread's few batch rows) is made of, without computing the padding rows.
 */
static inline __attribute__((always_inline)) void kernelRows(const int R, int kc, const float *restrict pa,
                                                             const float *restrict pb, float *c, int ldc, float alpha,
                                                             int add) {
  vf c0[MR], c1[MR];
#pragma GCC unroll 16
  for (int r = 0; r < R; r++) c0[r] = c1[r] = vsplat(0);
  for (int k = 0; k < kc; k++) {
    const vf b0 = vload(pb), b1 = vload(pb + SK_VL);
#pragma GCC unroll 16
    for (int r = 0; r < R; r++) {
      const vf a = vsplat(pa[r]);
      c0[r] += a * b0;
      c1[r] += a * b1;
    }
    pa += MR;
    pb += NR;
  }
  const vf va = vsplat(alpha);
#pragma GCC unroll 16
  for (int r = 0; r < R; r++) {
    float *p = c + (size_t)r * ldc;
    if (add) {
      vstore(p, vload(p) + c0[r] * va);
      vstore(p + SK_VL, vload(p + SK_VL) + c1[r] * va);
    } else {
      vstore(p, c0[r] * va);
      vstore(p + SK_VL, c1[r] * va);
    }
  }
}

/* R rows (1..MR) of a tile, each R its own unrolled code; add: C += rather than C = */
static void kernelTile(int rows, int kc, const float *pa, const float *pb, float *c, int ldc, float alpha, int add) {
  switch (rows) {
#define CASE(R) \
  case R: kernelRows(R, kc, pa, pb, c, ldc, alpha, add); break;
    CASE(1) CASE(2) CASE(3) CASE(4)
#if MR > 4
    CASE(5) CASE(6)
#endif
#if MR > 6
    CASE(7) CASE(8)
#endif
#undef CASE
  }
}

/* edge tile (fewer than NR columns): compute into the staging tile, then add (or copy) the valid part */
static void kernelEdge(int kc, const float *pa, const float *pb, float *c, int ldc, float alpha, int rows, int cols,
                       float *tile, int add) {
  kernelTile(rows, kc, pa, pb, tile, NR, alpha, 0);
  for (int r = 0; r < rows; r++) {
    float *dst = c + (size_t)r * ldc;
    const float *src = tile + (size_t)r * NR;
    if (add)
      for (int j = 0; j < cols; j++) dst[j] += src[j];
    else
      for (int j = 0; j < cols; j++) dst[j] = src[j];
  }
}

/* one packed A block (mc x kc) times packed B panels starting at bp: C[.., 0:n) */
static void macroBlock(int mc, int n, int kc, const float *pa, const float *bp, float *c, int ldc, float alpha, int add,
                       float *tile) {
  for (int jr = 0; jr < n; jr += NR) {
    const int cols = imin(NR, n - jr);
    const float *b = bp + (size_t)jr * kc;
    for (int ir = 0; ir < mc; ir += MR) {
      const int rows = imin(MR, mc - ir);
      float *cp = c + (size_t)ir * ldc + jr;
      const float *ap = pa + (size_t)ir * kc;
      if (cols == NR) {
        kernelTile(rows, kc, ap, b, cp, ldc, alpha, add);
      } else {
        kernelEdge(kc, ap, b, cp, ldc, alpha, rows, cols, tile, add);
      }
    }
  }
}

static void zero(int M, int N, float *c, int ldc) {
  for (int i = 0; i < M; i++) memset(c + (size_t)i * ldc, 0, (size_t)N * 4);
}

void sk_sgemm(int32_t M, int32_t N, int32_t K, float alpha, ptr_t a, int32_t lda, int32_t transA, ptr_t b, int32_t ldb,
              int32_t transB, float beta, ptr_t c, int32_t ldc, ptr_t ws) {
  if (M <= 0 || N <= 0) return;
  float *C = F32(c);
  if (K <= 0) {
    if (beta == 0) zero(M, N, C, ldc);
    return;
  }
  float *pa = F32(ws), *pb = pa + MC * KC, *tile = pb + KC * NC;
  const float *A = F32(a), *B = F32(b);
  for (int jc = 0; jc < N; jc += NC) {
    const int nc = imin(NC, N - jc);
    for (int pc = 0; pc < K; pc += KC) {
      const int kc = imin(KC, K - pc);
      const int add = pc > 0 || beta != 0;
      packBlock(B, ldb, transB, pc, kc, jc, nc, pb);
      for (int ic = 0; ic < M; ic += MC) {
        const int mc = imin(MC, M - ic);
        packA(A, lda, transA, ic, mc, pc, kc, pa);
        macroBlock(mc, nc, kc, pa, pb, C + (size_t)ic * ldc + jc, ldc, alpha, add, tile);
      }
    }
  }
}

int32_t sk_packedFloats(int32_t K, int32_t N) { return K * ((N + NR - 1) / NR) * NR; }

/* all of op(B) [K, N] at dst: block (jc, pc) at float offset jc*K + pc*ncPad, ncPad its width rounded up to NR */
void sk_packB(int32_t K, int32_t N, ptr_t b, int32_t ldb, int32_t transB, ptr_t dst) {
  const float *B = F32(b);
  float *D = F32(dst);
  for (int jc = 0; jc < N; jc += NC) {
    const int nc = imin(NC, N - jc);
    const int ncPad = (nc + NR - 1) / NR * NR;
    for (int pc = 0; pc < K; pc += KC) packBlock(B, ldb, transB, pc, imin(KC, K - pc), jc, nc, D + (size_t)jc * K + (size_t)pc * ncPad);
  }
}

/* sgemm with B packed by packB(K, Ntot, ...), for columns [j0, j0+N) (j0 a multiple of NR); c points at C[0, j0] */
void sk_sgemmPacked(int32_t M, int32_t N, int32_t K, float alpha, ptr_t a, int32_t lda, int32_t transA, ptr_t pb,
                    int32_t Ntot, int32_t j0, float beta, ptr_t c, int32_t ldc, ptr_t ws) {
  if (M <= 0 || N <= 0) return;
  float *C = F32(c);
  if (K <= 0) {
    if (beta == 0) zero(M, N, C, ldc);
    return;
  }
  float *pa = F32(ws), *tile = pa + MC * KC + KC * NC;
  const float *A = F32(a), *P = F32(pb);
  const int end = j0 + N;
  for (int pc = 0; pc < K; pc += KC) {
    const int kc = imin(KC, K - pc);
    const int add = pc > 0 || beta != 0;
    for (int ic = 0; ic < M; ic += MC) {
      const int mc = imin(MC, M - ic);
      packA(A, lda, transA, ic, mc, pc, kc, pa);
      for (int j = j0; j < end;) {
        const int jc = j / NC * NC;
        const int ncPad = (imin(NC, Ntot - jc) + NR - 1) / NR * NR;
        const int upto = imin(end, jc + NC);
        const float *bp = P + (size_t)jc * K + (size_t)pc * ncPad + (size_t)(j - jc) * kc;
        macroBlock(mc, upto - j, kc, pa, bp, C + (size_t)ic * ldc + (j - j0), ldc, alpha, add, tile);
        j = upto;
      }
    }
  }
}

/* C[i, j] += bias[j] for a row-major M x N block with row stride ldc */
void sk_addBias(int32_t M, int32_t N, ptr_t c, int32_t ldc, ptr_t bias) {
  float *C = F32(c);
  const float *bs = F32(bias);
  for (int i = 0; i < M; i++) {
    float *row = C + (size_t)i * ldc;
    for (int j = 0; j < N; j++) row[j] += bs[j];
  }
}
