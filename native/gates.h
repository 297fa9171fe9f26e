/*
 * Shared by the recurrent kernels (gates.c, seq.c, seq_loop.c): their prototypes, so the timestep
 * loops call the gate math directly, and the row mask test they all use.
 */
#ifndef SEQNET_GATES_H
#define SEQNET_GATES_H
#include "simdmath.h"

/* gates.c */
void sk_lstmForward(int32_t B, int32_t U, ptr_t xp, ptr_t rec, ptr_t hIn, ptr_t hOut, ptr_t cIn, ptr_t cOut, ptr_t sv,
                    ptr_t mask);
void sk_lstmBackward(int32_t B, int32_t U, ptr_t gx, ptr_t dh, ptr_t dc, ptr_t dhd, ptr_t sv, ptr_t cp, ptr_t mask);
void sk_gruForward(int32_t B, int32_t U, ptr_t xp, ptr_t rec, ptr_t rb, ptr_t hIn, ptr_t hOut, ptr_t sv, ptr_t mask);
void sk_gruBackward(int32_t B, int32_t U, ptr_t gx, ptr_t gr, ptr_t dh, ptr_t dhd, ptr_t sv, ptr_t hp, ptr_t mask);
void sk_rnnForward(int32_t B, int32_t U, ptr_t xp, ptr_t rec, ptr_t hIn, ptr_t hOut, ptr_t sv, ptr_t mask);
void sk_rnnBackward(int32_t B, int32_t U, ptr_t gx, ptr_t dh, ptr_t dhd, ptr_t sv, ptr_t mask);
/* seq.c */
void sk_addOutputGrad(int32_t B, int32_t T, int32_t U, int32_t s, int32_t t, ptr_t dout, ptr_t dh, ptr_t carry,
                      ptr_t mask);

/* whether batch row b is masked out (mask: B floats, 0 = no mask) */
static inline int skipRow(const float *mask, int b) { return mask && mask[b] == 0; }

#endif
