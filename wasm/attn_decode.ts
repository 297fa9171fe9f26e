// The attention of one new position over a key/value cache (cached generation, one batch row of
// one block; src/backend/ops/decode_block.ts): for each of H heads of width dh = D / H,
//   ctx[h] = softmax_t(q_h · k_t,h / √dh) · v_t,h over the cached positions t = 0…p,
// with q [D], k and v [≥ p+1, D] (row t is position t) and scores scratch of p + 1 floats.

/** ctx [D] from q [D] and the cache k, v [p+1, D]: every head, positions 0…p. */
export function attnDecodeRow(H: i32, D: i32, p: i32, q: usize, k: usize, v: usize, scores: usize, ctx: usize): void {
  const dh = D / H;
  const scale: f32 = 1 / Mathf.sqrt(<f32>dh);
  const rowBytes = <usize>(D * 4);
  memory.fill(ctx, 0, rowBytes);
  for (let h = 0; h < H; h++) {
    const o = <usize>(h * dh * 4);
    let mx: f32 = -Infinity;
    for (let t = 0; t <= p; t++) {
      const kr = k + <usize>t * rowBytes + o;
      let acc = f32x4.splat(0);
      let d = 0;
      for (; d + 4 <= dh; d += 4) acc = f32x4.add(acc, f32x4.mul(v128.load(q + o + <usize>(d * 4)), v128.load(kr + <usize>(d * 4))));
      let dot = f32x4.extract_lane(acc, 0) + f32x4.extract_lane(acc, 1) + f32x4.extract_lane(acc, 2) + f32x4.extract_lane(acc, 3);
      for (; d < dh; d++) dot += load<f32>(q + o + <usize>(d * 4)) * load<f32>(kr + <usize>(d * 4));
      const s = dot * scale;
      store<f32>(scores + <usize>(t * 4), s);
      mx = max(mx, s);
    }
    let sum: f32 = 0;
    for (let t = 0; t <= p; t++) {
      const e = Mathf.exp(load<f32>(scores + <usize>(t * 4)) - mx);
      store<f32>(scores + <usize>(t * 4), e);
      sum += e;
    }
    const inv: f32 = 1 / sum;
    const c = ctx + o;
    for (let t = 0; t <= p; t++) {
      const a = f32x4.splat(load<f32>(scores + <usize>(t * 4)) * inv);
      const vr = v + <usize>t * rowBytes + o;
      let d = 0;
      for (; d + 4 <= dh; d += 4) {
        const cq = c + <usize>(d * 4);
        v128.store(cq, f32x4.add(v128.load(cq), f32x4.mul(a, v128.load(vr + <usize>(d * 4)))));
      }
      const as = f32x4.extract_lane(a, 0);
      for (; d < dh; d++) {
        const cq = c + <usize>(d * 4);
        store<f32>(cq, load<f32>(cq) + as * load<f32>(vr + <usize>(d * 4)));
      }
    }
  }
}
