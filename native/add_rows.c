/*
 * Element-wise a + b on JS arrays (not on the wasm memory), b repeated along a's outer axis:
 * out[i] = a[i] + b[i mod nb] (a bias or positional table added to every row, or two arrays of
 * one shape when nb = n). The N-API wrapper (addRows in the generated glue) has checked the
 * lengths; kernels/binary.ts calls it for float32 Add, with its JS loop as the twin.
 */
#include "seqnet.h"

void seqnet_addRows(const float *a, const float *b, int32_t n, int32_t nb, float *out) {
  for (int32_t r = 0; r < n; r += nb) {
    const float *ar = a + r;
    float *o = out + r;
#pragma omp simd
    for (int32_t j = 0; j < nb; j++) o[j] = ar[j] + b[j];
  }
}
