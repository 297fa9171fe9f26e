// f32x4 transcendentals shared by the gate kernels (gates.ts) and the element-wise ones
// (elementwise.ts). exp is Cephes' expf (range reduction by ln 2, degree-5 polynomial; relative
// error ~1e-7), sigmoid = 1/(1+e^-x), tanh = 1 - 2/(e^2x + 1).

// c + a·b, fused in the relaxed-SIMD build
// @ts-ignore: decorator
@inline
export function fma(a: v128, b: v128, c: v128): v128 {
  if (ASC_FEATURE_RELAXED_SIMD) return f32x4.relaxed_madd(a, b, c);
  return f32x4.add(f32x4.mul(a, b), c);
}

// @ts-ignore: decorator
@inline
export function expv(x0: v128): v128 {
  // pmin/pmax are single instructions (min/max need NaN and ±0 fix-ups); x first, so NaN stays NaN
  const x1 = f32x4.pmin(f32x4.pmax(x0, f32x4.splat(-87.3)), f32x4.splat(88.3));
  // round x·log2(e) to the nearest integer n, as a float and as its int32, by adding 1.5·2²³
  // (the float's low mantissa bits are then n + 2²²·3 in two's complement)
  const magic = f32x4.splat(12582912.0);
  const t = f32x4.add(f32x4.mul(x1, f32x4.splat(1.44269504089)), magic);
  const n = f32x4.sub(t, magic);
  let x = fma(n, f32x4.splat(-0.693359375), x1);
  x = fma(n, f32x4.splat(2.12194440e-4), x);
  let p = f32x4.splat(1.9875691500e-4);
  p = fma(p, x, f32x4.splat(1.3981999507e-3));
  p = fma(p, x, f32x4.splat(8.3334519073e-3));
  p = fma(p, x, f32x4.splat(4.1665795894e-2));
  p = fma(p, x, f32x4.splat(1.6666665459e-1));
  p = fma(p, x, f32x4.splat(5.0000001201e-1));
  p = f32x4.add(fma(p, f32x4.mul(x, x), x), f32x4.splat(1));
  const pow2n = i32x4.shl(i32x4.add(i32x4.sub(t, magic), i32x4.splat(127)), 23);
  return f32x4.mul(p, pow2n);
}

// @ts-ignore: decorator
@inline
export function sigv(x: v128): v128 {
  const one = f32x4.splat(1);
  return f32x4.div(one, f32x4.add(one, expv(f32x4.neg(x))));
}

// @ts-ignore: decorator
@inline
export function tanhv(x: v128): v128 {
  const one = f32x4.splat(1);
  return f32x4.sub(one, f32x4.div(f32x4.splat(2), f32x4.add(expv(f32x4.add(x, x)), one)));
}

