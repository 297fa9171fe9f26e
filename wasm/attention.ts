// Row kernels of the fused attention op (src/backend/kernels/attention.ts): a softmax over each
// row of scores (plus an additive bias row), its gradient, and a row-strided product (dropout).
// Every pointer is a byte offset; rows are `cols` floats apart unless a stride says otherwise.

import { expv } from './simdmath';

// e^x, and 0 once e^x is below float32's normal range (expv clamps its argument there)
// @ts-ignore: decorator
@inline
function expUnder(x: v128): v128 {
  return v128.bitselect(f32x4.splat(0), expv(x), f32x4.lt(x, f32x4.splat(-87.33654)));
}

/**
 * In place: s[r, :cols] = softmax(s[r, :cols] + bias[r·biasStride, :cols]) for r < rows, rows ld
 * floats apart (bias 0 = none; biasStride 0 repeats one bias row).
 */
export function softmaxRows(rows: i32, cols: i32, ld: i32, s: usize, bias: usize, biasStride: i32): void {
  const c4 = cols & ~3;
  for (let r = 0; r < rows; r++) {
    const row = s + <usize>(r * ld * 4);
    const br = bias + <usize>(r * biasStride * 4);
    let mv = f32x4.splat(-Infinity);
    let j0 = 0;
    for (; j0 < c4; j0 += 4) {
      const q = row + <usize>(j0 * 4);
      const v = bias != 0 ? f32x4.add(v128.load(q), v128.load(br + <usize>(j0 * 4))) : v128.load(q);
      v128.store(q, v);
      mv = f32x4.max(mv, v);
    }
    let mx = max(max(f32x4.extract_lane(mv, 0), f32x4.extract_lane(mv, 1)), max(f32x4.extract_lane(mv, 2), f32x4.extract_lane(mv, 3)));
    for (; j0 < cols; j0++) {
      const q = row + <usize>(j0 * 4);
      const v = load<f32>(q) + (bias != 0 ? load<f32>(br + <usize>(j0 * 4)) : 0);
      store<f32>(q, v);
      mx = max(mx, v);
    }
    const m = f32x4.splat(mx);
    let sum: f32 = 0;
    let acc = f32x4.splat(0);
    let j = 0;
    for (; j < c4; j += 4) {
      const q = row + <usize>(j * 4);
      const e = expUnder(f32x4.sub(v128.load(q), m));
      v128.store(q, e);
      acc = f32x4.add(acc, e);
    }
    for (; j < cols; j++) {
      const q = row + <usize>(j * 4);
      const e = f32x4.extract_lane(expUnder(f32x4.splat(load<f32>(q) - mx)), 0);
      store<f32>(q, e);
      sum += e;
    }
    sum += f32x4.extract_lane(acc, 0) + f32x4.extract_lane(acc, 1) + f32x4.extract_lane(acc, 2) + f32x4.extract_lane(acc, 3);
    const inv = f32x4.splat(1 / sum);
    for (j = 0; j < c4; j += 4) {
      const q = row + <usize>(j * 4);
      v128.store(q, f32x4.mul(v128.load(q), inv));
    }
    for (; j < cols; j++) {
      const q = row + <usize>(j * 4);
      store<f32>(q, load<f32>(q) / sum);
    }
  }
}

/** ds[r, :cols] = p ⊙ (dp − Σ_j dp⊙p) per row, rows ld floats apart: the softmax gradient (ds may be dp). */
export function softmaxGradRows(rows: i32, cols: i32, ld: i32, p: usize, dp: usize, ds: usize): void {
  for (let r = 0; r < rows; r++) {
    const o = <usize>(r * ld * 4);
    let dot: f64 = 0;
    for (let j = 0; j < cols; j++) dot += <f64>load<f32>(p + o + <usize>(j * 4)) * <f64>load<f32>(dp + o + <usize>(j * 4));
    const d = <f32>dot;
    for (let j = 0; j < cols; j++) {
      const q = o + <usize>(j * 4);
      store<f32>(ds + q, load<f32>(p + q) * (load<f32>(dp + q) - d));
    }
  }
}

/** dst[r, :cols] = a[r, :cols] ⊙ b[r·bStride, :cols] (a and dst rows ld floats apart; dst may be a). */
export function mulRows(rows: i32, cols: i32, ld: i32, a: usize, b: usize, bStride: i32, dst: usize): void {
  for (let r = 0; r < rows; r++) {
    const o = <usize>(r * ld * 4), ob = <usize>(r * bStride * 4);
    for (let j = 0; j < cols; j++) {
      const q = <usize>(j * 4);
      store<f32>(dst + o + q, load<f32>(a + o + q) * load<f32>(b + ob + q));
    }
  }
}
