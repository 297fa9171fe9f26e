/*
 * Adam's one-pass update on JS arrays (src/backend/adam.ts, whose JS loop is its twin): the same
 * operations in the same order, in double precision with the same two roundings to float32, so
 * the results are bit for bit the JS loop's. No contraction into fused multiply-adds, which would
 * round differently. The N-API wrapper (adamUpdate in the generated glue) has checked the arrays.
 *   m' = b1·m + (1-b1)·g;  v' = b2·v + (1-b2)·g²;  w' = w - lrOverC1·m' / (sqrt(v'·invC2) + eps)
 */
#include "seqnet.h"
#include <math.h>

__attribute__((optimize("fp-contract=off"))) void seqnet_adamUpdate(int32_t n, const float *g, const float *mIn,
                                                                    const float *vIn, const float *wIn, float *mOut,
                                                                    float *vOut, float *wOut, double b1, double b2,
                                                                    double lrOverC1, double invC2, double eps) {
  const double a1 = 1 - b1, a2 = 1 - b2;
#pragma omp simd
  for (int32_t j = 0; j < n; j++) {
    const double gj = g[j];
    const float mj = (float)(b1 * mIn[j] + a1 * gj);
    const float vj = (float)(b2 * vIn[j] + a2 * gj * gj);
    mOut[j] = mj;
    vOut[j] = vj;
    wOut[j] = (float)(wIn[j] - (lrOverC1 * mj) / (sqrt(vj * invC2) + eps));
  }
}
