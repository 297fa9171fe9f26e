/*
 * An embedding lookup on JS arrays (not on the wasm memory): out row i = table row ids[i], each
 * `width` floats. The N-API wrapper (gatherRows in the generated glue) hands over the arrays'
 * own memory and has checked every index and length; kernels/layout.ts calls it for tf.gather on
 * float32 rows, with its JS loop as the twin. A lookup into a large table is bound by memory
 * latency (each row a cache miss): the rows a few lookups ahead are prefetched, so that several
 * misses are in flight at once, where the JS loop waits for one row after another.
 */
#include "seqnet.h"

#define AHEAD 8 /* rows prefetched ahead */

void seqnet_gatherRows(const float *table, const int32_t *ids, int32_t n, int32_t width, float *out) {
  const size_t rowBytes = (size_t)width * 4;
  for (int32_t i = 0; i < n; i++) {
    if (i + AHEAD < n) {
      const char *p = (const char *)(table + (size_t)ids[i + AHEAD] * width);
      for (size_t o = 0; o < rowBytes; o += 64) __builtin_prefetch(p + o);
    }
    memcpy(out + (size_t)i * width, table + (size_t)ids[i] * width, rowBytes);
  }
}
