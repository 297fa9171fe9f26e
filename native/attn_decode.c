/*
 * The attention of one new position over a key/value cache, the native twin of
 * wasm/attn_decode.ts: for each of H heads of width dh = D / H,
 *   ctx[h] = softmax_t(q_h · k_t,h / √dh) · v_t,h over the cached positions t = 0…p,
 * with q [D], k and v [>= p+1, D] (row t is position t) and scores scratch of p + 1 floats.
 */
#include <math.h>
#include "seqnet.h"

void sk_attnDecodeRow(int32_t H, int32_t D, int32_t p, ptr_t q, ptr_t k, ptr_t v, ptr_t scores, ptr_t ctx) {
  const int dh = D / H;
  const float scale = 1.0f / sqrtf((float)dh);
  const float *Q = F32(q), *Kc = F32(k), *Vc = F32(v);
  float *S = F32(scores), *C = F32(ctx);
  memset(C, 0, (size_t)D * 4);
  for (int h = 0; h < H; h++) {
    const int o = h * dh;
    float mx = -INFINITY;
    for (int t = 0; t <= p; t++) {
      const float *kr = Kc + (size_t)t * D + o;
      float dot = 0;
#pragma omp simd reduction(+ : dot)
      for (int d = 0; d < dh; d++) dot += Q[o + d] * kr[d];
      const float s = dot * scale;
      S[t] = s;
      mx = s > mx ? s : mx;
    }
    float sum = 0;
    for (int t = 0; t <= p; t++) sum += S[t] = expf(S[t] - mx);
    const float inv = 1.0f / sum;
    float *c = C + o;
    for (int t = 0; t <= p; t++) {
      const float a = S[t] * inv;
      const float *vr = Vc + (size_t)t * D + o;
#pragma omp simd
      for (int d = 0; d < dh; d++) c[d] += a * vr[d];
    }
  }
}
