// Layout helpers of the fused recurrent ops (see src/backend/kernels/rnn_fused.ts): between the
// tensors' batch-major [B, T, X] and the engine's step order [T, B, X] (step s reads time
// T-1-s when `back`), the masked outputs, and the output gradients joining dh. All rows are
// copied whole; every pointer is a byte offset.

// @ts-ignore: decorator
@inline
function timeOf(s: i32, T: i32, back: bool): i32 {
  return back ? T - 1 - s : s;
}

/** dst [T, B, X] in step order from src [B, T, X]. */
export function toSteps(B: i32, T: i32, X: i32, src: usize, dst: usize, back: bool): void {
  const row = <usize>(X * 4);
  for (let s = 0; s < T; s++) {
    const t = timeOf(s, T, back);
    for (let b = 0; b < B; b++) memory.copy(dst + <usize>(s * B + b) * row, src + <usize>(b * T + t) * row, row);
  }
}

/** dst [B, T, X] from src [T, B, X] in step order. */
export function fromSteps(B: i32, T: i32, X: i32, src: usize, dst: usize, back: bool): void {
  const row = <usize>(X * 4);
  for (let s = 0; s < T; s++) {
    const t = timeOf(s, T, back);
    for (let b = 0; b < B; b++) memory.copy(dst + <usize>(b * T + t) * row, src + <usize>(s * B + b) * row, row);
  }
}

/**
 * out [B, T, U] from the states H [T+1, B, U] (H[s+1] = h after step s). With a mask ([T, B]
 * floats in step order, 0 = none) a masked step repeats the last unmasked step's output, zeros
 * before the first (Keras).
 */
export function seqOutputs(B: i32, T: i32, U: i32, H: usize, mask: usize, back: bool, out: usize): void {
  const row = <usize>(U * 4);
  for (let b = 0; b < B; b++) {
    let last = -1;
    for (let s = 0; s < T; s++) {
      if (mask == 0 || load<f32>(mask + <usize>(s * B + b) * 4) != 0) last = s;
      const dst = out + <usize>(b * T + timeOf(s, T, back)) * row;
      if (last < 0) memory.fill(dst, 0, row);
      else memory.copy(dst, H + <usize>((last + 1) * B + b) * row, row);
    }
  }
}

/**
 * The output gradient of step s (dout [B, T, U], time t) joins dh [B, U]. With a mask, a masked
 * row's gradient (plus what it carried) is carried on to the output it repeated, an earlier
 * step's: carry [B, U].
 */
export function addOutputGrad(B: i32, T: i32, U: i32, s: i32, t: i32, dout: usize, dh: usize, carry: usize, mask: usize): void {
  for (let b = 0; b < B; b++) {
    const g = dout + <usize>(b * T + t) * <usize>(U * 4), d = dh + <usize>(b * U * 4);
    if (mask == 0) {
      let j = 0;
      for (; j + 4 <= U; j += 4) {
        const o = <usize>(j * 4);
        v128.store(d + o, f32x4.add(v128.load(d + o), v128.load(g + o)));
      }
      for (; j < U; j++) store<f32>(d + <usize>(j * 4), load<f32>(d + <usize>(j * 4)) + load<f32>(g + <usize>(j * 4)));
      continue;
    }
    const on = load<f32>(mask + <usize>(s * B + b) * 4) != 0;
    const c = carry + <usize>(b * U * 4);
    for (let j = 0; j < U; j++) {
      const o = <usize>(j * 4);
      const v = load<f32>(g + o) + load<f32>(c + o);
      if (on) {
        store<f32>(d + o, load<f32>(d + o) + v);
        store<f32>(c + o, 0);
      } else {
        store<f32>(c + o, v);
      }
    }
  }
}
