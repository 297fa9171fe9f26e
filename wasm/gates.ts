// Forward gate math of the fused recurrent ops (see src/backend/kernels/rnn_cells.ts), f32x4.
// One call per timestep covers all B rows: xp = x_t·W + b [B, G*U], rec = h·U (+ rb) [B, G*U],
// state updated in place; rows whose mask (B floats at `mask`, 0 = no mask) is 0 are skipped,
// so their state carries over. `sv` receives what backward needs, [B, S*U] for the step.
// Transcendentals use a Cephes-style exp (rel. error ~1e-7), sigmoid = 1/(1+e^-x),
// tanh = 1 - 2/(e^2x + 1).

// @ts-ignore: decorator
@inline
function expv(x0: v128): v128 {
  const x1 = f32x4.min(f32x4.max(x0, f32x4.splat(-87.3)), f32x4.splat(88.3));
  const n = f32x4.nearest(f32x4.mul(x1, f32x4.splat(1.44269504089)));
  let x = f32x4.sub(x1, f32x4.mul(n, f32x4.splat(0.693359375)));
  x = f32x4.sub(x, f32x4.mul(n, f32x4.splat(-2.12194440e-4)));
  let p = f32x4.splat(1.9875691500e-4);
  p = f32x4.add(f32x4.mul(p, x), f32x4.splat(1.3981999507e-3));
  p = f32x4.add(f32x4.mul(p, x), f32x4.splat(8.3334519073e-3));
  p = f32x4.add(f32x4.mul(p, x), f32x4.splat(4.1665795894e-2));
  p = f32x4.add(f32x4.mul(p, x), f32x4.splat(1.6666665459e-1));
  p = f32x4.add(f32x4.mul(p, x), f32x4.splat(5.0000001201e-1));
  p = f32x4.add(f32x4.add(f32x4.mul(p, f32x4.mul(x, x)), x), f32x4.splat(1));
  const pow2n = i32x4.shl(i32x4.add(i32x4.trunc_sat_f32x4_s(n), i32x4.splat(127)), 23);
  return f32x4.mul(p, pow2n);
}

// @ts-ignore: decorator
@inline
function sigv(x: v128): v128 {
  const one = f32x4.splat(1);
  return f32x4.div(one, f32x4.add(one, expv(f32x4.neg(x))));
}

// @ts-ignore: decorator
@inline
function tanhv(x: v128): v128 {
  const one = f32x4.splat(1);
  return f32x4.sub(one, f32x4.div(f32x4.splat(2), f32x4.add(expv(f32x4.add(x, x)), one)));
}

// Loads 4 lanes, or the `left` (<4) valid ones zero-padded, so U need not be a multiple of 4.
// @ts-ignore: decorator
@inline
function ld(p: usize, left: i32): v128 {
  if (left >= 4) return v128.load(p);
  let v = f32x4.splat(0);
  v = f32x4.replace_lane(v, 0, load<f32>(p));
  if (left > 1) v = f32x4.replace_lane(v, 1, load<f32>(p, 4));
  if (left > 2) v = f32x4.replace_lane(v, 2, load<f32>(p, 8));
  return v;
}

// @ts-ignore: decorator
@inline
function st(p: usize, v: v128, left: i32): void {
  if (left >= 4) {
    v128.store(p, v);
    return;
  }
  store<f32>(p, f32x4.extract_lane(v, 0));
  if (left > 1) store<f32>(p, f32x4.extract_lane(v, 1), 4);
  if (left > 2) store<f32>(p, f32x4.extract_lane(v, 2), 8);
}

// @ts-ignore: decorator
@inline
function skip(mask: usize, b: i32): bool {
  return mask != 0 && load<f32>(mask + <usize>(b * 4)) == 0;
}

/** LSTM, gates i f c o. Saves i, f, g, o, tanh(c_t). */
export function lstmForward(B: i32, U: i32, xp: usize, rec: usize, h: usize, c: usize, sv: usize, mask: usize): void {
  const u4 = <usize>(U * 4);
  for (let b = 0; b < B; b++) {
    if (skip(mask, b)) continue;
    const x0 = xp + <usize>(b * 4) * u4, r0 = rec + <usize>(b * 4) * u4, s0 = sv + <usize>(b * 5) * u4;
    const hb = h + <usize>b * u4, cb = c + <usize>b * u4;
    for (let j = 0; j < U; j += 4) {
      const left = U - j;
      const o = <usize>(j * 4);
      const i = sigv(f32x4.add(ld(x0 + o, left), ld(r0 + o, left)));
      const f = sigv(f32x4.add(ld(x0 + u4 + o, left), ld(r0 + u4 + o, left)));
      const g = tanhv(f32x4.add(ld(x0 + 2 * u4 + o, left), ld(r0 + 2 * u4 + o, left)));
      const og = sigv(f32x4.add(ld(x0 + 3 * u4 + o, left), ld(r0 + 3 * u4 + o, left)));
      const cn = f32x4.add(f32x4.mul(f, ld(cb + o, left)), f32x4.mul(i, g));
      const tc = tanhv(cn);
      st(cb + o, cn, left);
      st(hb + o, f32x4.mul(og, tc), left);
      st(s0 + o, i, left);
      st(s0 + u4 + o, f, left);
      st(s0 + 2 * u4 + o, g, left);
      st(s0 + 3 * u4 + o, og, left);
      st(s0 + 4 * u4 + o, tc, left);
    }
  }
}

/** GRU reset_after, gates z r h; rec includes the recurrent bias. Saves z, r, hh, rec_h. */
export function gruForward(B: i32, U: i32, xp: usize, rec: usize, h: usize, sv: usize, mask: usize): void {
  const u4 = <usize>(U * 4);
  const one = f32x4.splat(1);
  for (let b = 0; b < B; b++) {
    if (skip(mask, b)) continue;
    const x0 = xp + <usize>(b * 3) * u4, r0 = rec + <usize>(b * 3) * u4, s0 = sv + <usize>(b * 4) * u4;
    const hb = h + <usize>b * u4;
    for (let j = 0; j < U; j += 4) {
      const left = U - j;
      const o = <usize>(j * 4);
      const z = sigv(f32x4.add(ld(x0 + o, left), ld(r0 + o, left)));
      const r = sigv(f32x4.add(ld(x0 + u4 + o, left), ld(r0 + u4 + o, left)));
      const rh = ld(r0 + 2 * u4 + o, left);
      const hh = tanhv(f32x4.add(ld(x0 + 2 * u4 + o, left), f32x4.mul(r, rh)));
      const hp = ld(hb + o, left);
      st(hb + o, f32x4.add(f32x4.mul(z, hp), f32x4.mul(f32x4.sub(one, z), hh)), left);
      st(s0 + o, z, left);
      st(s0 + u4 + o, r, left);
      st(s0 + 2 * u4 + o, hh, left);
      st(s0 + 3 * u4 + o, rh, left);
    }
  }
}

/** Elman RNN, tanh. Saves h_t. */
export function rnnForward(B: i32, U: i32, xp: usize, rec: usize, h: usize, sv: usize, mask: usize): void {
  const u4 = <usize>(U * 4);
  for (let b = 0; b < B; b++) {
    if (skip(mask, b)) continue;
    const x0 = xp + <usize>b * u4, r0 = rec + <usize>b * u4, s0 = sv + <usize>b * u4;
    const hb = h + <usize>b * u4;
    for (let j = 0; j < U; j += 4) {
      const left = U - j;
      const o = <usize>(j * 4);
      const hn = tanhv(f32x4.add(ld(x0 + o, left), ld(r0 + o, left)));
      st(hb + o, hn, left);
      st(s0 + o, hn, left);
    }
  }
}
