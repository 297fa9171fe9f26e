// Sparse backward of the fused conv1d → relu → global max pool (src/backend/kernels/conv_pool.ts),
// f32x4. After a global max only each (batch b, filter f)'s argmax position t* receives a
// gradient, so the two dense products of a convolution's backward shrink to B·F·k·C
// multiply-adds. Every pointer is a byte offset.

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
