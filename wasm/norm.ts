// Layer normalisation rows for src/backend/kernels/fused_ops.ts, f32x4: rows of D floats,
// statistics per row (sums of 4 lanes combined in f64). Every pointer is a byte offset.

// @ts-ignore: decorator
@inline
function hsum(v: v128): f64 {
  return <f64>f32x4.extract_lane(v, 0) + <f64>f32x4.extract_lane(v, 1) + <f64>f32x4.extract_lane(v, 2) + <f64>f32x4.extract_lane(v, 3);
}

/** y = (x − μ)·rstd·g + b per row; writes μ and rstd = 1/√(σ² + eps) per row. */
export function layerNormRows(N: i32, D: i32, x: usize, g: usize, b: usize, eps: f32, y: usize, mean: usize, rstd: usize): void {
  const d4 = D & ~3;
  const row = <usize>(D * 4);
  for (let r = 0; r < N; r++) {
    const xr = x + <usize>r * row, yr = y + <usize>r * row;
    let acc = f32x4.splat(0);
    let j = 0;
    for (; j < d4; j += 4) acc = f32x4.add(acc, v128.load(xr + <usize>(j * 4)));
    let s = hsum(acc);
    for (; j < D; j++) s += <f64>load<f32>(xr + <usize>(j * 4));
    const mu = <f32>(s / <f64>D);
    const m = f32x4.splat(mu);
    acc = f32x4.splat(0);
    for (j = 0; j < d4; j += 4) {
      const c = f32x4.sub(v128.load(xr + <usize>(j * 4)), m);
      acc = f32x4.add(acc, f32x4.mul(c, c));
    }
    let v = hsum(acc);
    for (; j < D; j++) {
      const c = <f64>(load<f32>(xr + <usize>(j * 4)) - mu);
      v += c * c;
    }
    const rs = <f32>(1 / Math.sqrt(v / <f64>D + <f64>eps));
    const k = f32x4.splat(rs);
    for (j = 0; j < d4; j += 4) {
      const o = <usize>(j * 4);
      const xh = f32x4.mul(f32x4.sub(v128.load(xr + o), m), k);
      v128.store(yr + o, f32x4.add(f32x4.mul(xh, v128.load(g + o)), v128.load(b + o)));
    }
    for (; j < D; j++) {
      const o = <usize>(j * 4);
      store<f32>(yr + o, (load<f32>(xr + o) - mu) * rs * load<f32>(g + o) + load<f32>(b + o));
    }
    store<f32>(mean + <usize>(r * 4), mu);
    store<f32>(rstd + <usize>(r * 4), rs);
  }
}

/**
 * dx = rstd·(dy·g − mean(dy·g) − x̂·mean(dy·g·x̂)) per row, x̂ = (x − μ)·rstd; adds Σ dy·x̂ to dg
 * and Σ dy to db (D floats each, zeroed by the caller).
 */
export function layerNormGradRows(N: i32, D: i32, x: usize, dy: usize, g: usize, mean: usize, rstd: usize, dx: usize, dg: usize, db: usize): void {
  const d4 = D & ~3;
  const row = <usize>(D * 4);
  for (let r = 0; r < N; r++) {
    const xr = x + <usize>r * row, dr = dy + <usize>r * row, out = dx + <usize>r * row;
    const mu = load<f32>(mean + <usize>(r * 4)), rs = load<f32>(rstd + <usize>(r * 4));
    const m = f32x4.splat(mu), k = f32x4.splat(rs);
    let a1 = f32x4.splat(0), a2 = f32x4.splat(0);
    let j = 0;
    for (; j < d4; j += 4) {
      const o = <usize>(j * 4);
      const xh = f32x4.mul(f32x4.sub(v128.load(xr + o), m), k);
      const d = v128.load(dr + o);
      const gj = f32x4.mul(d, v128.load(g + o));
      a1 = f32x4.add(a1, gj);
      a2 = f32x4.add(a2, f32x4.mul(gj, xh));
      v128.store(dg + o, f32x4.add(v128.load(dg + o), f32x4.mul(d, xh)));
      v128.store(db + o, f32x4.add(v128.load(db + o), d));
    }
    let sg = hsum(a1), sgx = hsum(a2);
    for (; j < D; j++) {
      const o = <usize>(j * 4);
      const xh = (load<f32>(xr + o) - mu) * rs, d = load<f32>(dr + o), gj = d * load<f32>(g + o);
      sg += <f64>gj;
      sgx += <f64>(gj * xh);
      store<f32>(dg + o, load<f32>(dg + o) + d * xh);
      store<f32>(db + o, load<f32>(db + o) + d);
    }
    const mg = f32x4.splat(<f32>(sg / <f64>D)), mgx = f32x4.splat(<f32>(sgx / <f64>D));
    for (j = 0; j < d4; j += 4) {
      const o = <usize>(j * 4);
      const xh = f32x4.mul(f32x4.sub(v128.load(xr + o), m), k);
      const gj = f32x4.mul(v128.load(dr + o), v128.load(g + o));
      v128.store(out + o, f32x4.mul(k, f32x4.sub(f32x4.sub(gj, mg), f32x4.mul(xh, mgx))));
    }
    for (; j < D; j++) {
      const o = <usize>(j * 4);
      const xh = (load<f32>(xr + o) - mu) * rs, gj = load<f32>(dr + o) * load<f32>(g + o);
      store<f32>(out + o, rs * (gj - <f32>(sg / <f64>D) - xh * <f32>(sgx / <f64>D)));
    }
  }
}
