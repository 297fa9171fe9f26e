// Gate math of the fused recurrent ops (see src/backend/kernels/rnn_cells.ts), f32x4.
// One call per timestep covers all B rows. Forward: xp = x_t·W + b [B, G*U], rec = h·U (+ rb)
// [B, G*U]; reads the state at hIn (cIn), writes the new one at hOut (cOut); rows whose mask
// (B floats at `mask`, 0 = no mask) is 0 copy their state over. `sv` receives what backward
// needs, [B, S*U] for the step. Backward: from dh = dL/dh_t (and dc = dL/dc_t, updated in place
// to dL/dc_{t-1}) writes the pre-activation gradients gx [B, G*U] (for W, b, x) and gr (for U,
// rb; the GRU's differ) and dhd, the part of dL/dh_{t-1} that does not flow through U; masked
// rows get zero gate gradients and pass dh straight to dhd.
// Transcendentals use a Cephes-style exp (rel. error ~1e-7), sigmoid = 1/(1+e^-x),
// tanh = 1 - 2/(e^2x + 1).

import { expv, fma, sigv, tanhv } from './simdmath';

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


// @ts-ignore: decorator
@inline
function copyRow(dst: usize, src: usize, n: i32): void {
  memory.copy(dst, src, <usize>(n * 4));
}

// @ts-ignore: decorator
@inline
function zeroRow(dst: usize, n: i32): void {
  memory.fill(dst, 0, <usize>(n * 4));
}

/** LSTM, gates i f c o. Saves i, f, g, o, tanh(c_t). */
export function lstmForward(B: i32, U: i32, xp: usize, rec: usize, hIn: usize, hOut: usize, cIn: usize, cOut: usize, sv: usize, mask: usize): void {
  const u4 = <usize>(U * 4);
  for (let b = 0; b < B; b++) {
    const hi = hIn + <usize>b * u4, ho = hOut + <usize>b * u4, ci = cIn + <usize>b * u4, co = cOut + <usize>b * u4;
    if (skip(mask, b)) {
      copyRow(ho, hi, U);
      copyRow(co, ci, U);
      continue;
    }
    const x0 = xp + <usize>(b * 4) * u4, r0 = rec + <usize>(b * 4) * u4, s0 = sv + <usize>(b * 5) * u4;
    for (let j = 0; j < U; j += 4) {
      const left = U - j;
      const o = <usize>(j * 4);
      const i = sigv(f32x4.add(ld(x0 + o, left), ld(r0 + o, left)));
      const f = sigv(f32x4.add(ld(x0 + u4 + o, left), ld(r0 + u4 + o, left)));
      const g = tanhv(f32x4.add(ld(x0 + 2 * u4 + o, left), ld(r0 + 2 * u4 + o, left)));
      const og = sigv(f32x4.add(ld(x0 + 3 * u4 + o, left), ld(r0 + 3 * u4 + o, left)));
      const cn = f32x4.add(f32x4.mul(f, ld(ci + o, left)), f32x4.mul(i, g));
      const tc = tanhv(cn);
      st(co + o, cn, left);
      st(ho + o, f32x4.mul(og, tc), left);
      st(s0 + o, i, left);
      st(s0 + u4 + o, f, left);
      st(s0 + 2 * u4 + o, g, left);
      st(s0 + 3 * u4 + o, og, left);
      st(s0 + 4 * u4 + o, tc, left);
    }
  }
}

/** LSTM backward; cp = c_{t-1} [B, U]. gr is gx. */
export function lstmBackward(B: i32, U: i32, gx: usize, dh: usize, dc: usize, dhd: usize, sv: usize, cp: usize, mask: usize): void {
  const u4 = <usize>(U * 4);
  const one = f32x4.splat(1);
  for (let b = 0; b < B; b++) {
    const g0 = gx + <usize>(b * 4) * u4, dhb = dh + <usize>b * u4, ddb = dhd + <usize>b * u4;
    if (skip(mask, b)) {
      zeroRow(g0, 4 * U);
      copyRow(ddb, dhb, U);
      continue;
    }
    zeroRow(ddb, U);
    const s0 = sv + <usize>(b * 5) * u4, dcb = dc + <usize>b * u4, cpb = cp + <usize>b * u4;
    for (let j = 0; j < U; j += 4) {
      const left = U - j;
      const o = <usize>(j * 4);
      const i = ld(s0 + o, left), f = ld(s0 + u4 + o, left), g = ld(s0 + 2 * u4 + o, left);
      const og = ld(s0 + 3 * u4 + o, left), tc = ld(s0 + 4 * u4 + o, left);
      const d = ld(dhb + o, left);
      const dct = f32x4.add(ld(dcb + o, left), f32x4.mul(f32x4.mul(d, og), f32x4.sub(one, f32x4.mul(tc, tc))));
      st(g0 + o, f32x4.mul(f32x4.mul(dct, g), f32x4.mul(i, f32x4.sub(one, i))), left);
      st(g0 + u4 + o, f32x4.mul(f32x4.mul(dct, ld(cpb + o, left)), f32x4.mul(f, f32x4.sub(one, f))), left);
      st(g0 + 2 * u4 + o, f32x4.mul(f32x4.mul(dct, i), f32x4.sub(one, f32x4.mul(g, g))), left);
      st(g0 + 3 * u4 + o, f32x4.mul(f32x4.mul(d, tc), f32x4.mul(og, f32x4.sub(one, og))), left);
      st(dcb + o, f32x4.mul(dct, f), left);
    }
  }
}

/** GRU reset_after, gates z r h; rb is the recurrent bias [3U], added to rec here. Saves z, r, hh, rec_h + rb_h. */
export function gruForward(B: i32, U: i32, xp: usize, rec: usize, rb: usize, hIn: usize, hOut: usize, sv: usize, mask: usize): void {
  const u4 = <usize>(U * 4);
  const one = f32x4.splat(1);
  for (let b = 0; b < B; b++) {
    const hi = hIn + <usize>b * u4, ho = hOut + <usize>b * u4;
    if (skip(mask, b)) {
      copyRow(ho, hi, U);
      continue;
    }
    const x0 = xp + <usize>(b * 3) * u4, r0 = rec + <usize>(b * 3) * u4, s0 = sv + <usize>(b * 4) * u4;
    for (let j = 0; j < U; j += 4) {
      const left = U - j;
      const o = <usize>(j * 4);
      const z = sigv(f32x4.add(ld(x0 + o, left), f32x4.add(ld(r0 + o, left), ld(rb + o, left))));
      const r = sigv(f32x4.add(ld(x0 + u4 + o, left), f32x4.add(ld(r0 + u4 + o, left), ld(rb + u4 + o, left))));
      const rh = f32x4.add(ld(r0 + 2 * u4 + o, left), ld(rb + 2 * u4 + o, left));
      const hh = tanhv(fma(r, rh, ld(x0 + 2 * u4 + o, left)));
      const hp = ld(hi + o, left);
      st(ho + o, fma(z, f32x4.sub(hp, hh), hh), left);
      st(s0 + o, z, left);
      st(s0 + u4 + o, r, left);
      st(s0 + 2 * u4 + o, hh, left);
      st(s0 + 3 * u4 + o, rh, left);
    }
  }
}

/** GRU backward; hp = h_{t-1} [B, U]. */
export function gruBackward(B: i32, U: i32, gx: usize, gr: usize, dh: usize, dhd: usize, sv: usize, hp: usize, mask: usize): void {
  const u4 = <usize>(U * 4);
  const one = f32x4.splat(1);
  for (let b = 0; b < B; b++) {
    const x0 = gx + <usize>(b * 3) * u4, r0 = gr + <usize>(b * 3) * u4;
    const dhb = dh + <usize>b * u4, ddb = dhd + <usize>b * u4;
    if (skip(mask, b)) {
      zeroRow(x0, 3 * U);
      zeroRow(r0, 3 * U);
      copyRow(ddb, dhb, U);
      continue;
    }
    const s0 = sv + <usize>(b * 4) * u4, hpb = hp + <usize>b * u4;
    for (let j = 0; j < U; j += 4) {
      const left = U - j;
      const o = <usize>(j * 4);
      const z = ld(s0 + o, left), r = ld(s0 + u4 + o, left), hh = ld(s0 + 2 * u4 + o, left), rh = ld(s0 + 3 * u4 + o, left);
      const d = ld(dhb + o, left);
      const dah = f32x4.mul(f32x4.mul(d, f32x4.sub(one, z)), f32x4.sub(one, f32x4.mul(hh, hh)));
      const daz = f32x4.mul(f32x4.mul(d, f32x4.sub(ld(hpb + o, left), hh)), f32x4.mul(z, f32x4.sub(one, z)));
      const dar = f32x4.mul(f32x4.mul(dah, rh), f32x4.mul(r, f32x4.sub(one, r)));
      st(x0 + o, daz, left);
      st(x0 + u4 + o, dar, left);
      st(x0 + 2 * u4 + o, dah, left);
      st(r0 + o, daz, left);
      st(r0 + u4 + o, dar, left);
      st(r0 + 2 * u4 + o, f32x4.mul(dah, r), left);
      st(ddb + o, f32x4.mul(d, z), left);
    }
  }
}

/** Elman RNN, tanh. Saves h_t. */
export function rnnForward(B: i32, U: i32, xp: usize, rec: usize, hIn: usize, hOut: usize, sv: usize, mask: usize): void {
  const u4 = <usize>(U * 4);
  for (let b = 0; b < B; b++) {
    const hi = hIn + <usize>b * u4, ho = hOut + <usize>b * u4;
    if (skip(mask, b)) {
      copyRow(ho, hi, U);
      continue;
    }
    const x0 = xp + <usize>b * u4, r0 = rec + <usize>b * u4, s0 = sv + <usize>b * u4;
    for (let j = 0; j < U; j += 4) {
      const left = U - j;
      const o = <usize>(j * 4);
      const hn = tanhv(f32x4.add(ld(x0 + o, left), ld(r0 + o, left)));
      st(ho + o, hn, left);
      st(s0 + o, hn, left);
    }
  }
}

/** Elman RNN backward. gr is gx. */
export function rnnBackward(B: i32, U: i32, gx: usize, dh: usize, dhd: usize, sv: usize, mask: usize): void {
  const u4 = <usize>(U * 4);
  const one = f32x4.splat(1);
  for (let b = 0; b < B; b++) {
    const g0 = gx + <usize>b * u4, dhb = dh + <usize>b * u4, ddb = dhd + <usize>b * u4;
    if (skip(mask, b)) {
      zeroRow(g0, U);
      copyRow(ddb, dhb, U);
      continue;
    }
    zeroRow(ddb, U);
    const s0 = sv + <usize>b * u4;
    for (let j = 0; j < U; j += 4) {
      const left = U - j;
      const o = <usize>(j * 4);
      const h = ld(s0 + o, left);
      st(g0 + o, f32x4.mul(ld(dhb + o, left), f32x4.sub(one, f32x4.mul(h, h))), left);
    }
  }
}

/**
 * out[j] = sum over rows of m[r, j] (m rows x cols, dense), accumulated in f64; acc: cols f64
 * of scratch.
 */
export function colSums(rows: i32, cols: i32, m: usize, out: usize, acc: usize): void {
  memory.fill(acc, 0, <usize>(cols * 8));
  const c4 = cols & ~3;
  for (let r = 0; r < rows; r++) {
    const row = m + <usize>(r * cols * 4);
    for (let j = 0; j < c4; j += 4) {
      const v = v128.load(row + <usize>(j * 4));
      const a = acc + <usize>(j * 8);
      v128.store(a, f64x2.add(v128.load(a), f64x2.promote_low_f32x4(v)));
      v128.store(a, f64x2.add(v128.load(a, 16), f64x2.promote_low_f32x4(i32x4.shuffle(v, v, 2, 3, 0, 1))), 16);
    }
    for (let j = c4; j < cols; j++) {
      const a = acc + <usize>(j * 8);
      store<f64>(a, load<f64>(a) + <f64>load<f32>(row + <usize>(j * 4)));
    }
  }
  for (let j = 0; j < cols; j++) store<f32>(out + <usize>(j * 4), <f32>load<f64>(acc + <usize>(j * 8)));
}
