// The kernels of the fused conv1d → relu → global max pool (src/backend/ops/conv_pool.ts), f32x4:
// its sparse backward, its forward (convMaxRows: conv tiles folded into the masked max without
// writing the conv output) and, sharing that register tile (tile4x8), gemmRows, a narrow product
// with A read in place (the recurrent backward's dX). After a global max only each (batch b,
// filter f)'s argmax position t* receives a gradient, so the two dense products of a
// convolution's backward shrink to B·F·k·C multiply-adds. Every pointer is a byte offset.

import { fma } from './simdmath';

/**
 * For each (b, f) with t = arg[b·F + f] ≥ 0 and g = dy[b·F + f] ≠ 0: db[f] += g, and over the
 * taps j0 … j1 − 1 of its window that fall inside x (rows r = t + j − left, contiguous in both
 * x and wt, so one run of n = (j1 − j0)·C floats):
 *   dwt[f, j, :] += g · x[b, r, :]      dx[b, r, :] += g · wt[f, j, :]
 * x, dx [B, T, C]; wt, dwt [F, k, C] (the kernel transposed); arg i32, dy [B, F]; db [F].
 * dwt, dx and db are zeroed by the caller.
 */
export function convPoolGrad(
  B: i32, T: i32, C: i32, k: i32, F: i32, left: i32,
  x: usize, wt: usize, arg: usize, dy: usize, dwt: usize, dx: usize, db: usize,
): void {
  for (let b = 0; b < B; b++) {
    for (let f = 0; f < F; f++) {
      const i = <usize>(b * F + f) << 2;
      const t = load<i32>(arg + i);
      const g = load<f32>(dy + i);
      if (t < 0 || g == 0) continue;
      const pb = db + (<usize>f << 2);
      store<f32>(pb, load<f32>(pb) + g);
      const j0 = max(0, left - t), j1 = min(k, T + left - t);
      const n = (j1 - j0) * C;
      const xo = <usize>((b * T + t + j0 - left) * C) << 2;
      const wo = <usize>((f * k + j0) * C) << 2;
      const gv = f32x4.splat(g);
      const n4 = n & ~3;
      let c = 0;
      for (; c < n4; c += 4) {
        const o = <usize>c << 2;
        v128.store(dwt + wo + o, fma(gv, v128.load(x + xo + o), v128.load(dwt + wo + o)));
        v128.store(dx + xo + o, fma(gv, v128.load(wt + wo + o), v128.load(dx + xo + o)));
      }
      for (; c < n; c++) {
        const o = <usize>c << 2;
        store<f32>(dwt + wo + o, load<f32>(dwt + wo + o) + g * load<f32>(x + xo + o));
        store<f32>(dx + xo + o, load<f32>(dx + xo + o) + g * load<f32>(wt + wo + o));
      }
    }
  }
}

/**
 * Forward of the same op without the conv output ever reaching memory (the twin of
 * native/convpool.c sk_convMaxRows): for the batch rows [b0, b1), best[b, f] = max over real
 * output positions t (ids[b, t] ≠ 0) of
 *   y[b, t, f] = Σ_{j < k, c < C} xs[b·ld + t + j, c] · wp[j·C + c, f]
 * and arg[b, f] = the first t reaching it (−1, best −∞, when no position is real).
 * xs: the padded sequences end to end, ld rows apart, C floats a row, with zero rows after the
 * last window (8 at least: a tile may run past the last sequence; those rows are computed and
 * dropped); output positions t < oW (sequence b's window t starts at row b·ld + t).
 * wp [k·C, Fp]: the kernel [k, C, F] with rows padded to Fp = F rounded up to 16 (zeros).
 * ids i32 [B, T]. ws: Fp floats, Fp i32 and a 4 × 8 tile of scratch. A tile is 4 positions ×
 * 8 filters, 8 accumulators over the whole k·C sum (tile4x8).
 */
export function convMaxRows(
  b0: i32, b1: i32, T: i32, C: i32, k: i32, F: i32, ld: i32, oW: i32,
  xs: usize, wp: usize, ids: usize, best: usize, arg: usize, ws: usize,
): void {
  const Fp = (F + 15) / 16 * 16, K = k * C;
  const bs = ws, ag = ws + (<usize>Fp << 2), tile = ag + (<usize>Fp << 2);
  const rowBytes = <usize>Fp << 2, cBytes = <usize>C << 2;
  for (let b = b0; b < b1; b++) {
    for (let f = 0; f < Fp; f++) {
      store<f32>(bs + (<usize>f << 2), -Infinity);
      store<i32>(ag + (<usize>f << 2), -1);
    }
    const xb = xs + (<usize>(b * ld) * cBytes);
    const idb = ids + (<usize>(b * T) << 2);
    for (let f0 = 0; f0 < Fp; f0 += 8) {
      const fo = <usize>f0 << 2;
      for (let t0 = 0; t0 < oW; t0 += 4) {
        let real = 0;
        for (let r = 0; r < 4 && t0 + r < oW; r++) real |= load<i32>(idb + (<usize>(t0 + r) << 2));
        if (real == 0) continue;
        tile4x8(xb + <usize>t0 * cBytes, cBytes, wp + fo, rowBytes, K, tile, 32); // the windows overlap: rows C floats apart
        for (let r = 0; r < 4; r++) {
          const o = tile + (<usize>r << 5);
          keepMax(v128.load(o), v128.load(o, 16), t0 + r, oW, idb, bs + fo, ag + fo);
        }
      }
    }
    memory.copy(best + (<usize>(b * F) << 2), bs, <usize>F << 2);
    memory.copy(arg + (<usize>(b * F) << 2), ag, <usize>F << 2);
  }
}

/** The running max and argmax of 8 filters (at bs, ag) after output position t (y0, y1), when t is real. */
@inline
function keepMax(y0: v128, y1: v128, t: i32, oW: i32, idb: usize, bs: usize, ag: usize): void {
  if (t >= oW || load<i32>(idb + (<usize>t << 2)) == 0) return;
  const tv = i32x4.splat(t);
  const b0 = v128.load(bs), b1 = v128.load(bs, 16);
  const m0 = f32x4.gt(y0, b0), m1 = f32x4.gt(y1, b1); // strict: the first of tied maxima
  v128.store(bs, v128.bitselect(y0, b0, m0));
  v128.store(bs, v128.bitselect(y1, b1, m1), 16);
  v128.store(ag, v128.bitselect(tv, v128.load(ag), m0));
  v128.store(ag, v128.bitselect(tv, v128.load(ag, 16), m1), 16);
}

/**
 * C[M, N] = A[M, K] · B[K, N] for the rows [m0, m1) (the twin of native/convpool.c sk_gemmRows),
 * B with rows padded to Np = N rounded up to 16 floats (zeros) at bp, as convMaxRows reads its
 * kernel; A read in place (row stride lda, no packing), for narrow products. Tiles of 4 rows × 8
 * columns, then single rows; C has row stride ldc and only its N columns are written (a tile
 * of a last chunk narrower than 8 goes through ws: 32 floats of scratch).
 */
export function gemmRows(m0: i32, m1: i32, N: i32, K: i32, a: usize, lda: i32, bp: usize, c: usize, ldc: i32, ws: usize): void {
  const Np = (N + 15) / 16 * 16;
  const rowBytes = <usize>Np << 2, aBytes = <usize>lda << 2, cBytes = <usize>ldc << 2;
  for (let f0 = 0; f0 < N; f0 += 8) {
    const fo = <usize>f0 << 2, n = N - f0;
    let i = m0;
    for (; i + 4 <= m1; i += 4) {
      const c0 = c + <usize>i * cBytes + fo;
      if (n >= 8) {
        tile4x8(a + <usize>i * aBytes, aBytes, bp + fo, rowBytes, K, c0, cBytes);
        continue;
      }
      tile4x8(a + <usize>i * aBytes, aBytes, bp + fo, rowBytes, K, ws, 32); // C has fewer columns left: through ws
      for (let r = 0; r < 4; r++) {
        const o = ws + (<usize>r << 5);
        store8(c0 + <usize>r * cBytes, v128.load(o), v128.load(o, 16), n);
      }
    }
    for (; i < m1; i++) {
      let a00 = f32x4.splat(0), a01 = f32x4.splat(0);
      const x0 = a + <usize>i * aBytes;
      let w = bp + fo;
      for (let kk = 0; kk < K; kk++) {
        const s = f32x4.splat(load<f32>(x0 + (<usize>kk << 2)));
        a00 = fma(s, v128.load(w), a00);
        a01 = fma(s, v128.load(w, 16), a01);
        w += rowBytes;
      }
      store8(c + <usize>i * cBytes + fo, a00, a01, n);
    }
  }
}

/**
 * One register tile: rows r = 0…3 of A (at x0 + r·xStride bytes) times 8 columns of B (at w,
 * rows rowBytes apart) over K, 8 accumulators; row r's 8 results stored at out + r·outStride.
 */
@inline
function tile4x8(x0: usize, xStride: usize, w: usize, rowBytes: usize, K: i32, out: usize, outStride: usize): void {
  let a00 = f32x4.splat(0), a01 = f32x4.splat(0), a10 = f32x4.splat(0), a11 = f32x4.splat(0);
  let a20 = f32x4.splat(0), a21 = f32x4.splat(0), a30 = f32x4.splat(0), a31 = f32x4.splat(0);
  const x1 = x0 + xStride, x2 = x1 + xStride, x3 = x2 + xStride;
  for (let kk = 0; kk < K; kk++) {
    const o = <usize>kk << 2;
    const w0 = v128.load(w), w1 = v128.load(w, 16);
    let s = f32x4.splat(load<f32>(x0 + o));
    a00 = fma(s, w0, a00);
    a01 = fma(s, w1, a01);
    s = f32x4.splat(load<f32>(x1 + o));
    a10 = fma(s, w0, a10);
    a11 = fma(s, w1, a11);
    s = f32x4.splat(load<f32>(x2 + o));
    a20 = fma(s, w0, a20);
    a21 = fma(s, w1, a21);
    s = f32x4.splat(load<f32>(x3 + o));
    a30 = fma(s, w0, a30);
    a31 = fma(s, w1, a31);
    w += rowBytes;
  }
  v128.store(out, a00);
  v128.store(out, a01, 16);
  v128.store(out + outStride, a10);
  v128.store(out + outStride, a11, 16);
  v128.store(out + 2 * outStride, a20);
  v128.store(out + 2 * outStride, a21, 16);
  v128.store(out + 3 * outStride, a30);
  v128.store(out + 3 * outStride, a31, 16);
}

/** The first min(n, 8) floats of (v0, v1) at p. */
@inline
function store8(p: usize, v0: v128, v1: v128, n: i32): void {
  if (n >= 8) {
    v128.store(p, v0);
    v128.store(p, v1, 16);
    return;
  }
  for (let j = 0; j < n; j++) store<f32>(p + (<usize>j << 2), j < 4 ? laneOf(v0, j) : laneOf(v1, j - 4));
}

/** Lane j (0…3) of v. */
@inline
function laneOf(v: v128, j: i32): f32 {
  if (j == 0) return f32x4.extract_lane(v, 0);
  if (j == 1) return f32x4.extract_lane(v, 1);
  if (j == 2) return f32x4.extract_lane(v, 2);
  return f32x4.extract_lane(v, 3);
}
