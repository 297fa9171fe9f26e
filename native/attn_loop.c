/*
 * The per-(batch row, head) loops of the fused attention op (src/backend/kernels/attention.ts),
 * the native twins of wasm/attn_loop.ts, for the batch rows [b0, b1): a range is one job, so the
 * worker threads can each take some. qkv [B, T, 3D] holds q | k | v per row (head h owns
 * dimensions h·dh … of each); ctx and dctx are [B, T, D]; P, Pd, dP [B, H, T, T]; bias rows
 * broadcast with strides biasB (per batch row) and biasQ (per query), 0 = none; mask
 * [B, Tq, H, Tk] is a dropout multiplier, 0 = none. Every pointer is a byte offset (offsets are
 * computed as in wasm, in floats, then scaled); ws is this thread's sgemm workspace
 * (sk_workspaceBytes() at least). The products are sk_sgemm, the rows attention.c's kernels.
 */
#include <math.h>
#include "seqnet.h"

void sk_softmaxRows(int32_t rows, int32_t cols, int32_t ld, ptr_t s, ptr_t bias, int32_t biasStride);
void sk_softmaxGradRows(int32_t rows, int32_t cols, int32_t ld, ptr_t p, ptr_t dp, ptr_t ds);
void sk_mulRows(int32_t rows, int32_t cols, int32_t ld, ptr_t a, ptr_t b, int32_t bStride, ptr_t dst);

/* Causal attention runs in blocks of RB query rows: block [r0, r1) only needs keys [0, r1), so
   about 5/8 of the products at T = 64; the scores it skips are exactly 0 after the softmax. */
#define RB 16

/* the byte offset of float index i past pointer p */
static inline ptr_t at(ptr_t p, int64_t i) { return (ptr_t)((int64_t)p + i * 4); }

/* p[r, from:to] = 0 for r < rows, rows ld floats apart */
static void zeroCols(int rows, int from, int to, int ld, ptr_t p) {
  if (to > from)
    for (int r = 0; r < rows; r++) memset(F32(p) + (size_t)r * ld + from, 0, (size_t)(to - from) * 4);
}

/*
 * P = softmax(q·kᵀ/√dh + bias), ctx = (P ⊙ mask)·v, the masked P going to Pd. hc = H, plus
 * 1 << 16 when causal (then future keys are skipped, their P written as 0).
 */
void sk_attnForward(int32_t b0, int32_t b1, int32_t T, int32_t D, int32_t hc, ptr_t qkv, ptr_t bias, int32_t biasB,
                    int32_t biasQ, ptr_t mask, ptr_t P, ptr_t Pd, ptr_t ctx, ptr_t ws) {
  const int H = hc & 0xffff, causal = (hc >> 16) != 0;
  const int dh = D / H, ld = 3 * D;
  const int64_t TT = (int64_t)T * T;
  const float scale = (float)(1.0 / sqrt((double)dh));
  const int rb = causal ? RB : T;
  for (int b = b0; b < b1; b++) {
    for (int h = 0; h < H; h++) {
      const ptr_t q = at(qkv, (int64_t)b * T * ld + h * dh);
      const ptr_t k = at(q, D), v = at(q, 2 * D);
      const ptr_t s = at(P, (b * H + h) * TT);
      const ptr_t pd = mask ? at(Pd, (b * H + h) * TT) : s;
      for (int r0 = 0; r0 < T; r0 += rb) {
        const int n = rb < T - r0 ? rb : T - r0, kc = causal ? r0 + n : T;
        const ptr_t sr = at(s, (int64_t)r0 * T), pr = at(pd, (int64_t)r0 * T);
        sk_sgemm(n, kc, dh, scale, at(q, (int64_t)r0 * ld), ld, 0, k, ld, 1, 0, sr, T, ws);
        sk_softmaxRows(n, kc, T, sr, bias ? at(bias, (int64_t)b * biasB + (int64_t)r0 * biasQ) : 0, biasQ);
        zeroCols(n, kc, T, T, sr);
        if (mask) sk_mulRows(n, T, T, sr, at(mask, ((int64_t)(b * T + r0) * H + h) * T), H * T, pr);
        sk_sgemm(n, dh, kc, 1, pr, T, 0, v, ld, 0, 0, at(ctx, (int64_t)(b * T + r0) * D + h * dh), D, ws);
      }
    }
  }
}

/*
 * dqkv from dctx: dv = Pdᵀ·dctx, dPd = dctx·vᵀ, dP = dPd ⊙ mask, dS = P ⊙ (dP − rowsum(dP ⊙ P)),
 * dq = dS·k/√dh, dk = dSᵀ·q/√dh. Pd and dP are scratch of P's size (Pd unused without a mask);
 * hc as in sk_attnForward (causal blocks accumulate dv and dk over the query blocks).
 */
void sk_attnBackward(int32_t b0, int32_t b1, int32_t T, int32_t D, int32_t hc, ptr_t qkv, ptr_t mask, ptr_t P,
                     ptr_t Pd, ptr_t dP, ptr_t dctx, ptr_t dqkv, ptr_t ws) {
  const int H = hc & 0xffff, causal = (hc >> 16) != 0;
  const int dh = D / H, ld = 3 * D;
  const int64_t TT = (int64_t)T * T;
  const float scale = (float)(1.0 / sqrt((double)dh));
  const int rb = causal ? RB : T;
  for (int b = b0; b < b1; b++) {
    for (int h = 0; h < H; h++) {
      const int64_t o = (b * H + h) * TT;
      const ptr_t p = at(P, o);
      const ptr_t pd = mask ? at(Pd, o) : p;
      if (mask) sk_mulRows(T, T, T, p, at(mask, ((int64_t)b * T * H + h) * T), H * T, pd);
      const ptr_t q = at(qkv, (int64_t)b * T * ld + h * dh);
      const ptr_t k = at(q, D), v = at(q, 2 * D);
      const ptr_t dq = at(dqkv, (int64_t)b * T * ld + h * dh);
      const ptr_t dk = at(dq, D), dv = at(dq, 2 * D);
      const ptr_t dc = at(dctx, (int64_t)b * T * D + h * dh);
      const ptr_t dp = at(dP, o);
      if (causal) {
        zeroCols(T, 0, dh, ld, dk);
        zeroCols(T, 0, dh, ld, dv);
      }
      const float beta = causal ? 1 : 0;
      for (int r0 = 0; r0 < T; r0 += rb) {
        const int n = rb < T - r0 ? rb : T - r0, kc = causal ? r0 + n : T;
        const ptr_t pdr = at(pd, (int64_t)r0 * T), pr = at(p, (int64_t)r0 * T), dpr = at(dp, (int64_t)r0 * T);
        const ptr_t dcr = at(dc, (int64_t)r0 * D);
        sk_sgemm(kc, dh, n, 1, pdr, T, 1, dcr, D, 0, beta, dv, ld, ws); /* dv += Pdᵀ·dctx */
        sk_sgemm(n, kc, dh, 1, dcr, D, 0, v, ld, 1, 0, dpr, T, ws);    /* dPd = dctx·vᵀ */
        if (mask) sk_mulRows(n, kc, T, dpr, at(mask, ((int64_t)(b * T + r0) * H + h) * T), H * T, dpr);
        sk_softmaxGradRows(n, kc, T, pr, dpr, dpr); /* dS */
        sk_sgemm(n, dh, kc, scale, dpr, T, 0, k, ld, 0, 0, at(dq, (int64_t)r0 * ld), ld, ws);
        sk_sgemm(kc, dh, n, scale, dpr, T, 1, at(q, (int64_t)r0 * ld), ld, 0, beta, dk, ld, ws);
      }
    }
  }
}
