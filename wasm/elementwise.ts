// Element-wise transcendentals over n floats (src and dst byte pointers; may be equal), f32x4,
// for the unary kernels of src/backend/kernels/unary.ts on large tensors. JavaScript's Math.exp
// costs ~13 ns an element; these run at well under 1 ns.

import { expv, fma, sigv, tanhv } from './simdmath';

// @ts-ignore: decorator
@inline
function map(n: i32, src: usize, dst: usize, op: i32): void {
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const o = <usize>(i * 4);
    v128.store(dst + o, apply(v128.load(src + o), op));
  }
  for (; i < n; i++) {
    const o = <usize>(i * 4);
    store<f32>(dst + o, f32x4.extract_lane(apply(f32x4.splat(load<f32>(src + o)), op), 0));
  }
}

// @ts-ignore: decorator
@inline
function apply(x: v128, op: i32): v128 {
  if (op == 0) return expOverflow(x);
  if (op == 1) return sigv(x);
  if (op == 2) return tanhSmall(x);
  return erfv(x);
}

// expv clamps its argument; past ln(FLT_MAX) the float32 result is +Infinity, and below the
// normal range it is flushed to 0
// @ts-ignore: decorator
@inline
function expOverflow(x: v128): v128 {
  const e = v128.bitselect(f32x4.splat(Infinity), expv(x), f32x4.gt(x, f32x4.splat(88.72283)));
  return v128.bitselect(f32x4.splat(0), e, f32x4.lt(x, f32x4.splat(-87.33654)));
}

// tanh with a Taylor series below |x| = 1/8, where 1 - 2/(e^2x + 1) would cancel
// @ts-ignore: decorator
@inline
function tanhSmall(x: v128): v128 {
  const x2 = f32x4.mul(x, x);
  let p = f32x4.splat(-17.0 / 315.0);
  p = fma(p, x2, f32x4.splat(2.0 / 15.0));
  p = fma(p, x2, f32x4.splat(-1.0 / 3.0));
  const series = fma(f32x4.mul(p, x2), x, x);
  const small = f32x4.lt(f32x4.abs(x), f32x4.splat(0.125));
  return v128.bitselect(series, tanhv(x), small);
}

// Abramowitz & Stegun 7.1.26, with tfjs' constants (backend_util.ERF_*)
// @ts-ignore: decorator
@inline
function erfv(x: v128): v128 {
  return erfWith(x, expv(f32x4.neg(f32x4.mul(x, x))));
}

// the same, given e = exp(−x²)
// @ts-ignore: decorator
@inline
function erfWith(x: v128, e: v128): v128 {
  const v = f32x4.abs(x);
  const t = f32x4.div(f32x4.splat(1), fma(f32x4.splat(0.3275911), v, f32x4.splat(1)));
  let p = f32x4.splat(1.061405429);
  p = fma(p, t, f32x4.splat(-1.453152027));
  p = fma(p, t, f32x4.splat(1.421413741));
  p = fma(p, t, f32x4.splat(-0.284496736));
  p = fma(p, t, f32x4.splat(0.254829592));
  const y = f32x4.sub(f32x4.splat(1), f32x4.mul(f32x4.mul(p, t), e));
  // sign(x)·y: the sign bit of x, and 0 at x = 0 (and NaN for NaN, through v)
  const signed = v128.or(v128.and(y, i32x4.splat(0x7fffffff)), v128.and(x, i32x4.splat(0x80000000)));
  return v128.bitselect(f32x4.splat(0), signed, f32x4.eq(x, f32x4.splat(0)));
}

export function expN(n: i32, src: usize, dst: usize): void {
  map(n, src, dst, 0);
}

export function sigmoidN(n: i32, src: usize, dst: usize): void {
  map(n, src, dst, 1);
}

export function tanhN(n: i32, src: usize, dst: usize): void {
  map(n, src, dst, 2);
}

export function erfN(n: i32, src: usize, dst: usize): void {
  map(n, src, dst, 3);
}

// GELU, ½x(1 + erf(x/√2))
export function geluN(n: i32, src: usize, dst: usize): void {
  const half = f32x4.splat(0.5), c = f32x4.splat(0.70710678118654752);
  let i = 0;
  // two vectors per pass: their long dependency chains interleave
  for (; i + 8 <= n; i += 8) {
    const o = <usize>(i * 4);
    const x = v128.load(src + o), y = v128.load(src + o, 16);
    const ex = erfv(f32x4.mul(x, c)), ey = erfv(f32x4.mul(y, c));
    v128.store(dst + o, f32x4.mul(f32x4.mul(half, x), f32x4.add(f32x4.splat(1), ex)));
    v128.store(dst + o, f32x4.mul(f32x4.mul(half, y), f32x4.add(f32x4.splat(1), ey)), 16);
  }
  for (; i + 4 <= n; i += 4) {
    const o = <usize>(i * 4);
    const x = v128.load(src + o);
    v128.store(dst + o, f32x4.mul(f32x4.mul(half, x), f32x4.add(f32x4.splat(1), erfv(f32x4.mul(x, c)))));
  }
  for (; i < n; i++) {
    const o = <usize>(i * 4);
    const x = f32x4.splat(load<f32>(src + o));
    store<f32>(dst + o, f32x4.extract_lane(f32x4.mul(f32x4.mul(half, x), f32x4.add(f32x4.splat(1), erfv(f32x4.mul(x, c)))), 0));
  }
}

// @ts-ignore: decorator
@inline
function geluGrad(x: v128, dy: v128): v128 {
  // erf(v) and φ(x) share exp(−v²) = exp(−x²/2), v = x/√2
  const v = f32x4.mul(x, f32x4.splat(0.70710678118654752)), e = expv(f32x4.neg(f32x4.mul(v, v)));
  const phi = f32x4.mul(f32x4.splat(0.5), f32x4.add(f32x4.splat(1), erfWith(v, e)));
  const pdf = f32x4.mul(f32x4.splat(0.3989422804014327), e);
  return f32x4.mul(dy, fma(x, pdf, phi));
}

// dL/dx of GELU from x and dL/dy (dst may be either input)
export function geluGradN(n: i32, xs: usize, dys: usize, dst: usize): void {
  let i = 0;
  for (; i + 8 <= n; i += 8) {
    const o = <usize>(i * 4);
    const a = geluGrad(v128.load(xs + o), v128.load(dys + o));
    const b = geluGrad(v128.load(xs + o, 16), v128.load(dys + o, 16));
    v128.store(dst + o, a);
    v128.store(dst + o, b, 16);
  }
  for (; i + 4 <= n; i += 4) {
    const o = <usize>(i * 4);
    v128.store(dst + o, geluGrad(v128.load(xs + o), v128.load(dys + o)));
  }
  for (; i < n; i++) {
    const o = <usize>(i * 4);
    store<f32>(dst + o, f32x4.extract_lane(geluGrad(f32x4.splat(load<f32>(xs + o)), f32x4.splat(load<f32>(dys + o))), 0));
  }
}

// dst = a + b over n floats (dst may be a or b)
export function addArrays(n: i32, a: usize, b: usize, dst: usize): void {
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const o = <usize>(i * 4);
    v128.store(dst + o, f32x4.add(v128.load(a + o), v128.load(b + o)));
  }
  for (; i < n; i++) {
    const o = <usize>(i * 4);
    store<f32>(dst + o, load<f32>(a + o) + load<f32>(b + o));
  }
}
