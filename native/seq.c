/*
 * Layout helpers of the fused recurrent ops, the native twin of wasm/seq.ts (see
 * src/backend/ops/recurrent/fused.ts): between the tensors' batch-major [B, T, X] and the engine's
 * step order [T, B, X] (step s reads time T-1-s when `back`), the masked outputs, and the output
 * gradients joining dh. All rows are copied whole; every pointer is a byte offset.
 */
#include "gates.h"

static inline int timeOf(int s, int T, int back) { return back ? T - 1 - s : s; }

/* Copies rows between batch-major [B, T, X] and step order [T, B, X]: into step order when toSteps, else back. */
static void permute(int B, int T, int X, const float *src, float *dst, int back, int toSteps) {
  const size_t row = (size_t)X * 4;
  for (int s = 0; s < T; s++) {
    const int t = timeOf(s, T, back);
    for (int b = 0; b < B; b++) {
      const size_t stepRow = ((size_t)s * B + b) * X, batchRow = ((size_t)b * T + t) * X;
      if (toSteps) memmove(dst + stepRow, src + batchRow, row);
      else memmove(dst + batchRow, src + stepRow, row);
    }
  }
}

/* dst [T, B, X] in step order from src [B, T, X]. */
void sk_toSteps(int32_t B, int32_t T, int32_t X, ptr_t src, ptr_t dst, int32_t back) {
  permute(B, T, X, F32(src), F32(dst), back, 1);
}

/* dst [B, T, X] from src [T, B, X] in step order. */
void sk_fromSteps(int32_t B, int32_t T, int32_t X, ptr_t src, ptr_t dst, int32_t back) {
  permute(B, T, X, F32(src), F32(dst), back, 0);
}

/*
 * out [B, T, U] from the states H [T+1, B, U] (H[s+1] = h after step s). With a mask ([T, B] floats
 * in step order, 0 = none) a masked step repeats the last unmasked step's output, zeros before the
 * first (Keras).
 */
void sk_seqOutputs(int32_t B, int32_t T, int32_t U, ptr_t H, ptr_t mask, int32_t back, ptr_t out) {
  const float *h = F32(H), *m = mask ? F32(mask) : (const float *)0;
  float *o = F32(out);
  const size_t row = (size_t)U * 4;
  for (int b = 0; b < B; b++) {
    int last = -1;
    for (int s = 0; s < T; s++) {
      if (!m || m[(size_t)s * B + b] != 0) last = s;
      float *dst = o + ((size_t)b * T + timeOf(s, T, back)) * U;
      if (last < 0) memset(dst, 0, row);
      else memmove(dst, h + ((size_t)(last + 1) * B + b) * U, row);
    }
  }
}

/*
 * The output gradient of step s (dout [B, T, U], time t) joins dh [B, U]. With a mask, a masked
 * row's gradient (plus what it carried) is carried on to the output it repeated, an earlier step's:
 * carry [B, U].
 */
void sk_addOutputGrad(int32_t B, int32_t T, int32_t U, int32_t s, int32_t t, ptr_t dout, ptr_t dh, ptr_t carry,
                      ptr_t mask) {
  const float *G = F32(dout), *m = mask ? F32(mask) : (const float *)0;
  float *DH = F32(dh), *C = F32(carry);
  for (int b = 0; b < B; b++) {
    const float *g = G + ((size_t)b * T + t) * U;
    float *d = DH + (size_t)b * U;
    if (!m) {
      for (int j = 0; j < U; j += SK_VL) vstore_n(d + j, vload_n(d + j, U - j) + vload_n(g + j, U - j), U - j);
      continue;
    }
    const int on = m[(size_t)s * B + b] != 0;
    float *c = C + (size_t)b * U;
    for (int j = 0; j < U; j += SK_VL) {
      const int n = U - j;
      const vf v = vload_n(g + j, n) + vload_n(c + j, n);
      if (on) {
        vstore_n(d + j, vload_n(d + j, n) + v, n);
        vstore_n(c + j, vsplat(0), n);
      } else {
        vstore_n(c + j, v, n);
      }
    }
  }
}
