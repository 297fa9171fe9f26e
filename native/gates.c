/*
 * Gate math of the fused recurrent ops, the native twin of wasm/gates.ts (see
 * src/backend/ops/recurrent/fused.ts), SK_VL lanes at a time. One call per timestep covers all
 * B rows. Forward: xp = x_t·W + b [B, G*U], rec = h·U [B, G*U] (the GRU adds its recurrent bias rb
 * [G*U] here); reads the state at hIn (cIn), writes the new one at hOut (cOut); rows whose mask
 * (B floats at `mask`, 0 = no mask) is 0 copy their state over. `sv` receives what backward needs,
 * [B, S*U] for the step. Backward: from dh = dL/dh_t (and dc = dL/dc_t, updated in place to
 * dL/dc_{t-1}) writes the pre-activation gradients gx [B, G*U] (for W, b, x) and gr (for U, rb; the
 * GRU's differ) and dhd, the part of dL/dh_{t-1} that does not flow through U; masked rows get zero
 * gate gradients and pass dh straight to dhd. Gates are G blocks of U columns in a row; a row's
 * last U % SK_VL columns are a zero-padded tail (vload_n/vstore_n). Transcendentals: simdmath.h, the same
 * polynomials as wasm.
 */
#include "gates.h"

static inline float *ptrOrNull(ptr_t p) { return p ? F32(p) : (float *)0; }

/* LSTM, gates i f c o. Saves i, f, g, o, tanh(c_t): sv [B, 5U]. */
void sk_lstmForward(int32_t B, int32_t U, ptr_t xp, ptr_t rec, ptr_t hIn, ptr_t hOut, ptr_t cIn, ptr_t cOut, ptr_t sv,
                    ptr_t mask) {
  const float *m = ptrOrNull(mask), *XP = F32(xp), *REC = F32(rec), *HI = F32(hIn), *CI = F32(cIn);
  float *HO = F32(hOut), *CO = F32(cOut), *SV = F32(sv);
  for (int b = 0; b < B; b++) {
    const size_t ro = (size_t)b * U;
    const float *hi = HI + ro, *ci = CI + ro;
    float *ho = HO + ro, *co = CO + ro;
    if (skipRow(m, b)) {
      memmove(ho, hi, (size_t)U * 4);
      memmove(co, ci, (size_t)U * 4);
      continue;
    }
    const float *x0 = XP + 4 * ro, *r0 = REC + 4 * ro;
    float *s0 = SV + 5 * ro;
    for (int j = 0; j < U; j += SK_VL) {
      const int n = U - j;
      const vf i = sigv(vload_n(x0 + j, n) + vload_n(r0 + j, n));
      const vf f = sigv(vload_n(x0 + U + j, n) + vload_n(r0 + U + j, n));
      const vf g = tanhv(vload_n(x0 + 2 * U + j, n) + vload_n(r0 + 2 * U + j, n));
      const vf og = sigv(vload_n(x0 + 3 * U + j, n) + vload_n(r0 + 3 * U + j, n));
      const vf cn = f * vload_n(ci + j, n) + i * g;
      const vf tc = tanhv(cn);
      vstore_n(co + j, cn, n);
      vstore_n(ho + j, og * tc, n);
      vstore_n(s0 + j, i, n);
      vstore_n(s0 + U + j, f, n);
      vstore_n(s0 + 2 * U + j, g, n);
      vstore_n(s0 + 3 * U + j, og, n);
      vstore_n(s0 + 4 * U + j, tc, n);
    }
  }
}

/* LSTM backward; cp = c_{t-1} [B, U]; gx [B, 4U] (gr is gx). */
void sk_lstmBackward(int32_t B, int32_t U, ptr_t gx, ptr_t dh, ptr_t dc, ptr_t dhd, ptr_t sv, ptr_t cp, ptr_t mask) {
  const float *m = ptrOrNull(mask), *DH = F32(dh), *SV = F32(sv), *CP = F32(cp);
  float *GX = F32(gx), *DHD = F32(dhd), *DC = F32(dc);
  const vf one = vsplat(1);
  for (int b = 0; b < B; b++) {
    const size_t ro = (size_t)b * U;
    float *g0 = GX + 4 * ro, *ddb = DHD + ro;
    const float *dhb = DH + ro;
    if (skipRow(m, b)) {
      memset(g0, 0, (size_t)U * 16);
      memmove(ddb, dhb, (size_t)U * 4);
      continue;
    }
    memset(ddb, 0, (size_t)U * 4);
    const float *s0 = SV + 5 * ro, *cpb = CP + ro;
    float *dcb = DC + ro;
    for (int j = 0; j < U; j += SK_VL) {
      const int n = U - j;
      const vf i = vload_n(s0 + j, n), f = vload_n(s0 + U + j, n), g = vload_n(s0 + 2 * U + j, n);
      const vf og = vload_n(s0 + 3 * U + j, n), tc = vload_n(s0 + 4 * U + j, n);
      const vf d = vload_n(dhb + j, n);
      const vf dct = vload_n(dcb + j, n) + (d * og) * (one - tc * tc);
      vstore_n(g0 + j, (dct * g) * (i * (one - i)), n);
      vstore_n(g0 + U + j, (dct * vload_n(cpb + j, n)) * (f * (one - f)), n);
      vstore_n(g0 + 2 * U + j, (dct * i) * (one - g * g), n);
      vstore_n(g0 + 3 * U + j, (d * tc) * (og * (one - og)), n);
      vstore_n(dcb + j, dct * f, n);
    }
  }
}

/* GRU reset_after, gates z r h; rb is the recurrent bias [3U], added to rec here. Saves z, r, hh, rec_h + rb_h: sv [B, 4U]. */
void sk_gruForward(int32_t B, int32_t U, ptr_t xp, ptr_t rec, ptr_t rb, ptr_t hIn, ptr_t hOut, ptr_t sv, ptr_t mask) {
  const float *m = ptrOrNull(mask), *rbv = F32(rb), *XP = F32(xp), *REC = F32(rec), *HI = F32(hIn);
  float *HO = F32(hOut), *SV = F32(sv);
  for (int b = 0; b < B; b++) {
    const size_t ro = (size_t)b * U;
    const float *hi = HI + ro;
    float *ho = HO + ro;
    if (skipRow(m, b)) {
      memmove(ho, hi, (size_t)U * 4);
      continue;
    }
    const float *x0 = XP + 3 * ro, *r0 = REC + 3 * ro;
    float *s0 = SV + 4 * ro;
    for (int j = 0; j < U; j += SK_VL) {
      const int n = U - j;
      const vf z = sigv(vload_n(x0 + j, n) + (vload_n(r0 + j, n) + vload_n(rbv + j, n)));
      const vf r = sigv(vload_n(x0 + U + j, n) + (vload_n(r0 + U + j, n) + vload_n(rbv + U + j, n)));
      const vf rh = vload_n(r0 + 2 * U + j, n) + vload_n(rbv + 2 * U + j, n);
      const vf hh = tanhv(r * rh + vload_n(x0 + 2 * U + j, n));
      const vf hp = vload_n(hi + j, n);
      vstore_n(ho + j, z * (hp - hh) + hh, n);
      vstore_n(s0 + j, z, n);
      vstore_n(s0 + U + j, r, n);
      vstore_n(s0 + 2 * U + j, hh, n);
      vstore_n(s0 + 3 * U + j, rh, n);
    }
  }
}

/* GRU backward; hp = h_{t-1} [B, U]; gx, gr [B, 3U]. */
void sk_gruBackward(int32_t B, int32_t U, ptr_t gx, ptr_t gr, ptr_t dh, ptr_t dhd, ptr_t sv, ptr_t hp, ptr_t mask) {
  const float *m = ptrOrNull(mask), *DH = F32(dh), *SV = F32(sv), *HP = F32(hp);
  float *GX = F32(gx), *GR = F32(gr), *DHD = F32(dhd);
  const vf one = vsplat(1);
  for (int b = 0; b < B; b++) {
    const size_t ro = (size_t)b * U;
    float *x0 = GX + 3 * ro, *r0 = GR + 3 * ro, *ddb = DHD + ro;
    const float *dhb = DH + ro;
    if (skipRow(m, b)) {
      memset(x0, 0, (size_t)U * 12);
      memset(r0, 0, (size_t)U * 12);
      memmove(ddb, dhb, (size_t)U * 4);
      continue;
    }
    const float *s0 = SV + 4 * ro, *hpb = HP + ro;
    for (int j = 0; j < U; j += SK_VL) {
      const int n = U - j;
      const vf z = vload_n(s0 + j, n), r = vload_n(s0 + U + j, n), hh = vload_n(s0 + 2 * U + j, n), rh = vload_n(s0 + 3 * U + j, n);
      const vf d = vload_n(dhb + j, n);
      const vf dah = (d * (one - z)) * (one - hh * hh);
      const vf daz = (d * (vload_n(hpb + j, n) - hh)) * (z * (one - z));
      const vf dar = (dah * rh) * (r * (one - r));
      vstore_n(x0 + j, daz, n);
      vstore_n(x0 + U + j, dar, n);
      vstore_n(x0 + 2 * U + j, dah, n);
      vstore_n(r0 + j, daz, n);
      vstore_n(r0 + U + j, dar, n);
      vstore_n(r0 + 2 * U + j, dah * r, n);
      vstore_n(ddb + j, d * z, n);
    }
  }
}

/* Elman RNN, tanh. Saves h_t: sv [B, U]. */
void sk_rnnForward(int32_t B, int32_t U, ptr_t xp, ptr_t rec, ptr_t hIn, ptr_t hOut, ptr_t sv, ptr_t mask) {
  const float *m = ptrOrNull(mask), *XP = F32(xp), *REC = F32(rec), *HI = F32(hIn);
  float *HO = F32(hOut), *SV = F32(sv);
  for (int b = 0; b < B; b++) {
    const size_t ro = (size_t)b * U;
    const float *hi = HI + ro;
    float *ho = HO + ro;
    if (skipRow(m, b)) {
      memmove(ho, hi, (size_t)U * 4);
      continue;
    }
    const float *x0 = XP + ro, *r0 = REC + ro;
    float *s0 = SV + ro;
    for (int j = 0; j < U; j += SK_VL) {
      const int n = U - j;
      const vf hn = tanhv(vload_n(x0 + j, n) + vload_n(r0 + j, n));
      vstore_n(ho + j, hn, n);
      vstore_n(s0 + j, hn, n);
    }
  }
}

/* Elman RNN backward; gx [B, U] (gr is gx). */
void sk_rnnBackward(int32_t B, int32_t U, ptr_t gx, ptr_t dh, ptr_t dhd, ptr_t sv, ptr_t mask) {
  const float *m = ptrOrNull(mask), *DH = F32(dh), *SV = F32(sv);
  float *GX = F32(gx), *DHD = F32(dhd);
  const vf one = vsplat(1);
  for (int b = 0; b < B; b++) {
    const size_t ro = (size_t)b * U;
    float *g0 = GX + ro, *ddb = DHD + ro;
    const float *dhb = DH + ro;
    if (skipRow(m, b)) {
      memset(g0, 0, (size_t)U * 4);
      memmove(ddb, dhb, (size_t)U * 4);
      continue;
    }
    memset(ddb, 0, (size_t)U * 4);
    const float *s0 = SV + ro;
    for (int j = 0; j < U; j += SK_VL) {
      const int n = U - j;
      const vf h = vload_n(s0 + j, n);
      vstore_n(g0 + j, vload_n(dhb + j, n) * (one - h * h), n);
    }
  }
}

/* out[j] = sum over rows of m[r, j] (m: rows x cols, dense), accumulated in f64 at acc (cols doubles of scratch) */
void sk_colSums(int32_t rows, int32_t cols, ptr_t m, ptr_t out, ptr_t acc) {
  double *a = (double *)F32(acc);
  const float *mv = F32(m);
  float *o = F32(out);
  memset(a, 0, (size_t)cols * 8);
  for (int r = 0; r < rows; r++) {
    const float *row = mv + (size_t)r * cols;
    for (int j = 0; j < cols; j++) a[j] += (double)row[j];
  }
  for (int j = 0; j < cols; j++) o[j] = (float)a[j];
}
