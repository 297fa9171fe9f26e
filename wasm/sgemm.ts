// seqnet sgemm: C[M,N] (+)= alpha * op(A)[M,K] · op(B)[K,N], fp32, WebAssembly SIMD (f32x4).
// Part of the kernel library wasm/kernels.ts (see there for the build). The memory is imported and shared, so worker threads can run sgemm on disjoint
// blocks of C; the JS side owns the layout: every pointer below is a byte offset chosen by the
// caller above heapBase(), and each thread passes its own workspace (the module has no mutable
// state of its own). Row-major throughout; op(X) = X or X^T, applied while packing, so the
// micro-kernel always streams two contiguous packed panels.
//
// Blocking (GotoBLAS order): jc over N by NC, pc over K by KC (pack a KC x NC block of B into
// NR-wide column panels), ic over M by MC (pack an MC x KC block of A into MR-tall row panels),
// then a 4x8 register tile: 8 f32x4 accumulators + 2 B vectors + 4 A splats = 14 registers.
// (V8 keeps one of the 16 xmm registers as scratch and hoists every load of an iteration; a 6x8
// tile spills four accumulators to the stack on every k and runs at half the speed.)
//
// A B that is multiplied many times (a recurrent kernel, once per timestep) can be packed once
// with packB()/packedBytes() and used with sgemmPacked().

const MR: i32 = 4;
const NR: i32 = 8;
const KC: i32 = 256;
const MC: i32 = 128; // multiple of MR; MC*KC*4 = 128 KiB of packed A stays in L2
const NC: i32 = 2048; // multiple of NR

/** First byte the caller may use. */
export function heapBase(): usize {
  return (__heap_base + 15) & ~15;
}

/** Per-call scratch bytes sgemm needs at `ws`: packed A, packed B, an edge tile. */
export function workspaceBytes(): i32 {
  return (MC * KC + KC * NC + MR * NR) * 4;
}

// Packs op(A)[i0:i0+mc, k0:k0+kc] into MR-row panels: dst[(p*kc + k)*MR + r], zero-padded rows.
function packA(a: usize, lda: i32, transA: bool, i0: i32, mc: i32, k0: i32, kc: i32, dst: usize): void {
  for (let p = 0; p < mc; p += MR) {
    const rows = min(MR, mc - p);
    const panel = dst + <usize>(p * kc * 4);
    if (transA) {
      // op(A)[i,k] = a[k*lda + i]: each k reads `rows` contiguous floats
      for (let k = 0; k < kc; k++) {
        const src = a + <usize>(((k0 + k) * lda + i0 + p) * 4);
        const d = panel + <usize>(k * MR * 4);
        if (rows == MR) {
          v128.store(d, v128.load(src));
          continue;
        }
        let r = 0;
        for (; r < rows; r++) store<f32>(d + <usize>(r * 4), load<f32>(src + <usize>(r * 4)));
        for (; r < MR; r++) store<f32>(d + <usize>(r * 4), 0);
      }
    } else if (rows == MR) {
      // four rows, four k at a time: a 4x4 transpose in registers
      const s0 = a + <usize>(((i0 + p) * lda + k0) * 4);
      const ld = <usize>(lda * 4);
      let k = 0;
      for (; k + 4 <= kc; k += 4) {
        const o = <usize>(k * 4);
        const r0 = v128.load(s0 + o), r1 = v128.load(s0 + ld + o);
        const r2 = v128.load(s0 + 2 * ld + o), r3 = v128.load(s0 + 3 * ld + o);
        const t0 = i32x4.shuffle(r0, r1, 0, 4, 1, 5), t1 = i32x4.shuffle(r0, r1, 2, 6, 3, 7);
        const t2 = i32x4.shuffle(r2, r3, 0, 4, 1, 5), t3 = i32x4.shuffle(r2, r3, 2, 6, 3, 7);
        const d = panel + <usize>(k * MR * 4);
        v128.store(d, i32x4.shuffle(t0, t2, 0, 1, 4, 5));
        v128.store(d, i32x4.shuffle(t0, t2, 2, 3, 6, 7), 16);
        v128.store(d, i32x4.shuffle(t1, t3, 0, 1, 4, 5), 32);
        v128.store(d, i32x4.shuffle(t1, t3, 2, 3, 6, 7), 48);
      }
      for (; k < kc; k++) {
        const d = panel + <usize>(k * MR * 4);
        for (let r = 0; r < MR; r++) store<f32>(d + <usize>(r * 4), load<f32>(s0 + <usize>(r) * ld + <usize>(k * 4)));
      }
    } else {
      for (let r = 0; r < MR; r++) {
        const d = panel + <usize>(r * 4);
        if (r < rows) {
          const src = a + <usize>(((i0 + p + r) * lda + k0) * 4);
          for (let k = 0; k < kc; k++) store<f32>(d + <usize>(k * MR * 4), load<f32>(src + <usize>(k * 4)));
        } else {
          for (let k = 0; k < kc; k++) store<f32>(d + <usize>(k * MR * 4), 0);
        }
      }
    }
  }
}

// Packs op(B)[k0:k0+kc, j0:j0+nc] into NR-column panels: dst[(p*kc + k)*NR + c], zero-padded.
function packBlock(b: usize, ldb: i32, transB: bool, k0: i32, kc: i32, j0: i32, nc: i32, dst: usize): void {
  for (let p = 0; p < nc; p += NR) {
    const cols = min(NR, nc - p);
    const panel = dst + <usize>(p * kc * 4);
    if (transB) {
      // op(B)[k,j] = b[j*ldb + k]: each column reads contiguous k
      for (let c = 0; c < NR; c++) {
        const d = panel + <usize>(c * 4);
        if (c < cols) {
          const src = b + <usize>(((j0 + p + c) * ldb + k0) * 4);
          for (let k = 0; k < kc; k++) store<f32>(d + <usize>(k * NR * 4), load<f32>(src + <usize>(k * 4)));
        } else {
          for (let k = 0; k < kc; k++) store<f32>(d + <usize>(k * NR * 4), 0);
        }
      }
    } else if (cols == NR) {
      for (let k = 0; k < kc; k++) {
        const src = b + <usize>(((k0 + k) * ldb + j0 + p) * 4);
        const d = panel + <usize>(k * NR * 4);
        v128.store(d, v128.load(src));
        v128.store(d, v128.load(src, 16), 16);
      }
    } else {
      for (let k = 0; k < kc; k++) {
        const src = b + <usize>(((k0 + k) * ldb + j0 + p) * 4);
        const d = panel + <usize>(k * NR * 4);
        let c = 0;
        for (; c < cols; c++) store<f32>(d + <usize>(c * 4), load<f32>(src + <usize>(c * 4)));
        for (; c < NR; c++) store<f32>(d + <usize>(c * 4), 0);
      }
    }
  }
}

// c + a·b: one fused multiply-add where the build has relaxed SIMD, else a multiply and an add.
// @ts-ignore: decorator
@inline
function madd(a: v128, b: v128, c: v128): v128 {
  if (ASC_FEATURE_RELAXED_SIMD) return f32x4.relaxed_madd(a, b, c);
  return f32x4.add(c, f32x4.mul(a, b));
}

// C[0:4, 0:8] = alpha * Apanel · Bpanel (+ C when add), ldc in floats.
// @ts-ignore: decorator
@inline
function kernel(kc: i32, pa: usize, pb: usize, c: usize, ldc: i32, alpha: v128, add: bool): void {
  let c00 = f32x4.splat(0), c01 = f32x4.splat(0);
  let c10 = f32x4.splat(0), c11 = f32x4.splat(0);
  let c20 = f32x4.splat(0), c21 = f32x4.splat(0);
  let c30 = f32x4.splat(0), c31 = f32x4.splat(0);
  for (let k = 0; k < kc; k++) {
    const b0 = v128.load(pb);
    const b1 = v128.load(pb, 16);
    const a0 = v128.load32_splat(pa);
    c00 = madd(a0, b0, c00);
    c01 = madd(a0, b1, c01);
    const a1 = v128.load32_splat(pa, 4);
    c10 = madd(a1, b0, c10);
    c11 = madd(a1, b1, c11);
    const a2 = v128.load32_splat(pa, 8);
    c20 = madd(a2, b0, c20);
    c21 = madd(a2, b1, c21);
    const a3 = v128.load32_splat(pa, 12);
    c30 = madd(a3, b0, c30);
    c31 = madd(a3, b1, c31);
    pa += 16;
    pb += 32;
  }
  const ld = <usize>(ldc * 4);
  let p = c;
  if (add) {
    v128.store(p, madd(c00, alpha, v128.load(p)));
    v128.store(p, madd(c01, alpha, v128.load(p, 16)), 16);
    p += ld;
    v128.store(p, madd(c10, alpha, v128.load(p)));
    v128.store(p, madd(c11, alpha, v128.load(p, 16)), 16);
    p += ld;
    v128.store(p, madd(c20, alpha, v128.load(p)));
    v128.store(p, madd(c21, alpha, v128.load(p, 16)), 16);
    p += ld;
    v128.store(p, madd(c30, alpha, v128.load(p)));
    v128.store(p, madd(c31, alpha, v128.load(p, 16)), 16);
  } else {
    v128.store(p, f32x4.mul(c00, alpha));
    v128.store(p, f32x4.mul(c01, alpha), 16);
    p += ld;
    v128.store(p, f32x4.mul(c10, alpha));
    v128.store(p, f32x4.mul(c11, alpha), 16);
    p += ld;
    v128.store(p, f32x4.mul(c20, alpha));
    v128.store(p, f32x4.mul(c21, alpha), 16);
    p += ld;
    v128.store(p, f32x4.mul(c30, alpha));
    v128.store(p, f32x4.mul(c31, alpha), 16);
  }
}

function kernelAdd(kc: i32, pa: usize, pb: usize, c: usize, ldc: i32, alpha: v128): void {
  kernel(kc, pa, pb, c, ldc, alpha, true);
}

function kernelSet(kc: i32, pa: usize, pb: usize, c: usize, ldc: i32, alpha: v128): void {
  kernel(kc, pa, pb, c, ldc, alpha, false);
}

// Edge tile: compute into the staging tile, then add (or copy) the valid rows x cols into C.
function kernelEdge(kc: i32, pa: usize, pb: usize, c: usize, ldc: i32, alpha: v128, rows: i32, cols: i32, tile: usize, add: bool): void {
  kernelSet(kc, pa, pb, tile, NR, alpha);
  for (let r = 0; r < rows; r++) {
    const dst = c + <usize>(r * ldc * 4);
    const src = tile + <usize>(r * NR * 4);
    for (let j = 0; j < cols; j++) {
      const q = dst + <usize>(j * 4);
      const v = load<f32>(src + <usize>(j * 4));
      store<f32>(q, add ? load<f32>(q) + v : v);
    }
  }
}

// One packed A block (mc x kc, at pa) times packed B panels: C[ic.., j0..j0+n) for columns whose
// panels start at bp and advance by kc*NR floats (panel `jr/NR`).
// @ts-ignore: decorator
@inline
function macroBlock(mc: i32, n: i32, kc: i32, pa: usize, bp: usize, c: usize, ldc: i32, va: v128, add: bool, tile: usize): void {
  for (let jr = 0; jr < n; jr += NR) {
    const cols = min(NR, n - jr);
    const b = bp + <usize>(jr * kc * 4);
    for (let ir = 0; ir < mc; ir += MR) {
      const rows = min(MR, mc - ir);
      const cp = c + <usize>((ir * ldc + jr) * 4);
      const ap = pa + <usize>(ir * kc * 4);
      if (rows == MR && cols == NR) {
        if (add) kernelAdd(kc, ap, b, cp, ldc, va);
        else kernelSet(kc, ap, b, cp, ldc, va);
      } else {
        kernelEdge(kc, ap, b, cp, ldc, va, rows, cols, tile, add);
      }
    }
  }
}

function zero(M: i32, N: i32, c: usize, ldc: i32): void {
  for (let i = 0; i < M; i++) memory.fill(c + <usize>(i * ldc * 4), 0, <usize>(N * 4));
}

/**
 * C = beta*C + alpha * op(A)·op(B), beta ∈ {0, 1}. lda/ldb/ldc are row strides in floats of the
 * stored (untransposed) matrices. ws: workspaceBytes() of scratch.
 */
export function sgemm(
  M: i32, N: i32, K: i32, alpha: f32,
  a: usize, lda: i32, transA: bool,
  b: usize, ldb: i32, transB: bool,
  beta: f32, c: usize, ldc: i32, ws: usize,
): void {
  if (M == 0 || N == 0) return;
  if (K == 0) {
    if (beta == 0) zero(M, N, c, ldc);
    return;
  }
  const va = f32x4.splat(alpha);
  const pa = ws;
  const pb = ws + <usize>(MC * KC * 4);
  const tile = pb + <usize>(KC * NC * 4);
  for (let jc = 0; jc < N; jc += NC) {
    const nc = min(NC, N - jc);
    for (let pc = 0; pc < K; pc += KC) {
      const kc = min(KC, K - pc);
      const add = pc > 0 || beta != 0;
      packBlock(b, ldb, transB, pc, kc, jc, nc, pb);
      for (let ic = 0; ic < M; ic += MC) {
        const mc = min(MC, M - ic);
        packA(a, lda, transA, ic, mc, pc, kc, pa);
        const cp = c + <usize>((ic * ldc + jc) * 4);
        if (add) macroBlock(mc, nc, kc, pa, pb, cp, ldc, va, true, tile);
        else macroBlock(mc, nc, kc, pa, pb, cp, ldc, va, false, tile);
      }
    }
  }
}

/** Floats packB() writes for a K x N op(B). */
export function packedFloats(K: i32, N: i32): i32 {
  return K * ((N + NR - 1) / NR) * NR;
}

/**
 * Packs all of op(B) [K, N] at dst (packedFloats(K, N) floats) for sgemmPacked: block (jc, pc)
 * of the sgemm loop nest at float offset jc*K + pc*ncPad, ncPad its width rounded up to NR.
 */
export function packB(K: i32, N: i32, b: usize, ldb: i32, transB: bool, dst: usize): void {
  for (let jc = 0; jc < N; jc += NC) {
    const nc = min(NC, N - jc);
    const ncPad = (nc + NR - 1) / NR * NR;
    for (let pc = 0; pc < K; pc += KC) {
      packBlock(b, ldb, transB, pc, min(KC, K - pc), jc, nc, dst + <usize>((jc * K + pc * ncPad) * 4));
    }
  }
}

/**
 * Like sgemm with B packed by packB(K, Ntot, …) at pb, for columns [j0, j0+N) of the product
 * (j0 a multiple of 8, so blocks of columns can go to different threads); c points at C[0, j0].
 */
export function sgemmPacked(
  M: i32, N: i32, K: i32, alpha: f32,
  a: usize, lda: i32, transA: bool,
  pb: usize, Ntot: i32, j0: i32,
  beta: f32, c: usize, ldc: i32, ws: usize,
): void {
  if (M == 0 || N == 0) return;
  if (K == 0) {
    if (beta == 0) zero(M, N, c, ldc);
    return;
  }
  const va = f32x4.splat(alpha);
  const pa = ws;
  const tile = ws + <usize>((MC * KC + KC * NC) * 4);
  const end = j0 + N;
  for (let pc = 0; pc < K; pc += KC) {
    const kc = min(KC, K - pc);
    const add = pc > 0 || beta != 0;
    for (let ic = 0; ic < M; ic += MC) {
      const mc = min(MC, M - ic);
      packA(a, lda, transA, ic, mc, pc, kc, pa);
      // the columns, cut at the NC blocks of the packed layout
      for (let j = j0; j < end;) {
        const jc = j / NC * NC;
        const ncPad = (min(NC, Ntot - jc) + NR - 1) / NR * NR;
        const upto = min(end, jc + NC);
        const bp = pb + <usize>((jc * K + pc * ncPad + (j - jc) * kc) * 4);
        const cp = c + <usize>((ic * ldc + j - j0) * 4);
        if (add) macroBlock(mc, upto - j, kc, pa, bp, cp, ldc, va, true, tile);
        else macroBlock(mc, upto - j, kc, pa, bp, cp, ldc, va, false, tile);
        j = upto;
      }
    }
  }
}

/** C[i, j] += bias[j] for a row-major M x N block with row stride ldc. */
export function addBias(M: i32, N: i32, c: usize, ldc: i32, bias: usize): void {
  for (let i = 0; i < M; i++) {
    const row = c + <usize>(i * ldc * 4);
    let j = 0;
    for (; j + 4 <= N; j += 4) {
      const q = row + <usize>(j * 4);
      v128.store(q, f32x4.add(v128.load(q), v128.load(bias + <usize>(j * 4))));
    }
    for (; j < N; j++) {
      const q = row + <usize>(j * 4);
      store<f32>(q, load<f32>(q) + load<f32>(bias + <usize>(j * 4)));
    }
  }
}
