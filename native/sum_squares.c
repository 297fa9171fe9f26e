/*
 * Σ a[i]² over a JS float32 array, accumulated in double precision (the global gradient norm,
 * src/train/optim.ts; its JS twin is ops/values.ts sumOfSquares' loop). Eight double lanes summed
 * in a fixed order, so the same array always gives the same sum; it may differ from the JS loop's
 * sequential sum in the last bits. The N-API wrapper (sumSquares in the generated glue) has checked the array.
 */
#include "seqnet.h"

double seqnet_sumSquares(const float *a, size_t n) {
  double lane[8] = {0};
  size_t i = 0;
  for (; i + 8 <= n; i += 8) {
#pragma omp simd
    for (int k = 0; k < 8; k++) lane[k] += (double)a[i + k] * (double)a[i + k];
  }
  for (int k = 0; i < n; i++, k++) lane[k] += (double)a[i] * (double)a[i];
  return ((lane[0] + lane[1]) + (lane[2] + lane[3])) + ((lane[4] + lane[5]) + (lane[6] + lane[7]));
}
