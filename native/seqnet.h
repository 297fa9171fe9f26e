/*
 * seqnet's native kernel library: the same kernels as the wasm library (wasm/, AssemblyScript), compiled
 * for the build machine's CPU (gcc -O3 -march=native), working on the same shared memory.
 *
 * Every pointer argument is a byte offset into the wasm library's memory (the JS side allocates
 * everything on its arena, exactly as for wasm); seqnet_base is that memory's start, set by
 * the glue on every call (each kernel function is bound to one memory). Each exported kernel has the name and parameter order of its wasm twin in the
 * interface table (src/backend/wasm/interface.ts), with the prefix sk_; the N-API glue is
 * generated from that table by scripts/build-native.mjs, so a kernel defined here is exported
 * and called exactly like the wasm one, and one not defined here stays on wasm.
 * Booleans are i32 (0/1), as in wasm.
 */
#ifndef SEQNET_H
#define SEQNET_H
#include <stdint.h>
#include <string.h>

typedef int32_t ptr_t; /* byte offset into the wasm memory (below 2 GiB, so an i32 as in wasm) */
extern __thread uint8_t *seqnet_base; /* the memory of the kernel being called (set by the glue) */

#define F32(p) ((float *)(seqnet_base + (uint32_t)(p)))
#define I32(p) ((int32_t *)(seqnet_base + (uint32_t)(p)))

/* vectors of the widest size the target has: 16 floats (AVX-512), 8 (AVX2) or 4 */
#if defined(__AVX512F__)
#define SK_VL 16
#elif defined(__AVX2__) || defined(__AVX__)
#define SK_VL 8
#else
#define SK_VL 4
#endif
typedef float vf __attribute__((vector_size(SK_VL * 4)));
typedef int32_t vi __attribute__((vector_size(SK_VL * 4)));
/* unaligned vector loads and stores */
typedef float vf_u __attribute__((vector_size(SK_VL * 4), aligned(4)));
static inline vf vload(const float *p) { return *(const vf_u *)p; }
static inline void vstore(float *p, vf v) { *(vf_u *)p = v; }
static inline vf vsplat(float x) { return (vf){0} + x; }

/* the products (sgemm.c), used by the other kernels too */
void sk_sgemm(int32_t M, int32_t N, int32_t K, float alpha, ptr_t a, int32_t lda, int32_t transA,
              ptr_t b, int32_t ldb, int32_t transB, float beta, ptr_t c, int32_t ldc, ptr_t ws);
int32_t sk_packedFloats(int32_t K, int32_t N);
void sk_packB(int32_t K, int32_t N, ptr_t b, int32_t ldb, int32_t transB, ptr_t dst);
void sk_sgemmPacked(int32_t M, int32_t N, int32_t K, float alpha, ptr_t a, int32_t lda, int32_t transA,
                    ptr_t pb, int32_t Ntot, int32_t j0, float beta, ptr_t c, int32_t ldc, ptr_t ws);
int32_t sk_workspaceBytes(void);

#endif
