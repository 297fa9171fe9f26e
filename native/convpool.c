/*
 * Sparse backward of the fused conv1d → relu → global max pool (src/backend/kernels/conv_pool.ts),
 * the native twin of wasm/convpool.ts. After a global max only each (batch b, filter f)'s argmax
 * position t* receives a gradient, so the two dense products of a convolution's backward shrink
 * to B·F·k·C multiply-adds. Every pointer is a byte offset.
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
