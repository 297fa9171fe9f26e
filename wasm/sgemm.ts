// seqnet sgemm: C[M,N] (+)= alpha * op(A)[M,K] · op(B)[K,N], fp32, WebAssembly SIMD (f32x4).
// Built by `npm run build:wasm` into wasm/sgemm.wasm (committed). The memory is imported and
// shared, so worker threads can run sgemm on disjoint blocks of C; the JS side owns the layout:
// every pointer below is a byte offset chosen by the caller above heapBase(), and each thread
// passes its own workspace (the module has no mutable state of its own). Row-major throughout;
// op(X) = X or X^T, applied while packing, so the micro-kernel always streams two contiguous
// packed panels.
//
// Blocking (GotoBLAS order): jc over N by NC, pc over K by KC (pack a KC x NC block of B into
// NR-wide column panels), ic over M by MC (pack an MC x KC block of A into MR-tall row panels),
// then a 6x8 register tile: 12 f32x4 accumulators + 2 B vectors + 1 A splat = 15 of 16 xmm.

// The recurrent gate kernels share this module (and its memory).
export * from './gates';

const MR: i32 = 6;
const NR: i32 = 8;
const KC: i32 = 256;
const MC: i32 = 72; // multiple of MR; MC*KC*4 = 72 KiB of packed A stays in L2
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
        let r = 0;
        for (; r < rows; r++) store<f32>(d + <usize>(r * 4), load<f32>(src + <usize>(r * 4)));
        for (; r < MR; r++) store<f32>(d + <usize>(r * 4), 0);
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
function packB(b: usize, ldb: i32, transB: bool, k0: i32, kc: i32, j0: i32, nc: i32, dst: usize): void {
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

// C[0:6, 0:8] += alpha * Apanel · Bpanel, ldc in floats.
// @ts-ignore: decorator
@inline
function kernel(kc: i32, pa: usize, pb: usize, c: usize, ldc: i32, alpha: v128): void {
  let c00 = f32x4.splat(0), c01 = f32x4.splat(0);
  let c10 = f32x4.splat(0), c11 = f32x4.splat(0);
  let c20 = f32x4.splat(0), c21 = f32x4.splat(0);
  let c30 = f32x4.splat(0), c31 = f32x4.splat(0);
  let c40 = f32x4.splat(0), c41 = f32x4.splat(0);
  let c50 = f32x4.splat(0), c51 = f32x4.splat(0);
  for (let k = 0; k < kc; k++) {
    const b0 = v128.load(pb);
    const b1 = v128.load(pb, 16);
    let a = v128.load32_splat(pa);
    c00 = f32x4.add(c00, f32x4.mul(a, b0));
    c01 = f32x4.add(c01, f32x4.mul(a, b1));
    a = v128.load32_splat(pa, 4);
    c10 = f32x4.add(c10, f32x4.mul(a, b0));
    c11 = f32x4.add(c11, f32x4.mul(a, b1));
    a = v128.load32_splat(pa, 8);
    c20 = f32x4.add(c20, f32x4.mul(a, b0));
    c21 = f32x4.add(c21, f32x4.mul(a, b1));
    a = v128.load32_splat(pa, 12);
    c30 = f32x4.add(c30, f32x4.mul(a, b0));
    c31 = f32x4.add(c31, f32x4.mul(a, b1));
    a = v128.load32_splat(pa, 16);
    c40 = f32x4.add(c40, f32x4.mul(a, b0));
    c41 = f32x4.add(c41, f32x4.mul(a, b1));
    a = v128.load32_splat(pa, 20);
    c50 = f32x4.add(c50, f32x4.mul(a, b0));
    c51 = f32x4.add(c51, f32x4.mul(a, b1));
    pa += 24;
    pb += 32;
  }
  const ld = <usize>(ldc * 4);
  let p = c;
  v128.store(p, f32x4.add(v128.load(p), f32x4.mul(c00, alpha)));
  v128.store(p, f32x4.add(v128.load(p, 16), f32x4.mul(c01, alpha)), 16);
  p += ld;
  v128.store(p, f32x4.add(v128.load(p), f32x4.mul(c10, alpha)));
  v128.store(p, f32x4.add(v128.load(p, 16), f32x4.mul(c11, alpha)), 16);
  p += ld;
  v128.store(p, f32x4.add(v128.load(p), f32x4.mul(c20, alpha)));
  v128.store(p, f32x4.add(v128.load(p, 16), f32x4.mul(c21, alpha)), 16);
  p += ld;
  v128.store(p, f32x4.add(v128.load(p), f32x4.mul(c30, alpha)));
  v128.store(p, f32x4.add(v128.load(p, 16), f32x4.mul(c31, alpha)), 16);
  p += ld;
  v128.store(p, f32x4.add(v128.load(p), f32x4.mul(c40, alpha)));
  v128.store(p, f32x4.add(v128.load(p, 16), f32x4.mul(c41, alpha)), 16);
  p += ld;
  v128.store(p, f32x4.add(v128.load(p), f32x4.mul(c50, alpha)));
  v128.store(p, f32x4.add(v128.load(p, 16), f32x4.mul(c51, alpha)), 16);
}

function kernelFull(kc: i32, pa: usize, pb: usize, c: usize, ldc: i32, alpha: v128): void {
  kernel(kc, pa, pb, c, ldc, alpha);
}

// Edge tile: compute into the zeroed staging tile, then add the valid rows x cols into C.
function kernelEdge(kc: i32, pa: usize, pb: usize, c: usize, ldc: i32, alpha: v128, rows: i32, cols: i32, tile: usize): void {
  memory.fill(tile, 0, MR * NR * 4);
  kernel(kc, pa, pb, tile, NR, alpha);
  for (let r = 0; r < rows; r++) {
    const dst = c + <usize>(r * ldc * 4);
    const src = tile + <usize>(r * NR * 4);
    for (let j = 0; j < cols; j++) {
      const q = dst + <usize>(j * 4);
      store<f32>(q, load<f32>(q) + load<f32>(src + <usize>(j * 4)));
    }
  }
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
  if (beta == 0) {
    for (let i = 0; i < M; i++) memory.fill(c + <usize>(i * ldc * 4), 0, <usize>(N * 4));
  }
  if (K == 0 || M == 0 || N == 0) return;
  const va = f32x4.splat(alpha);
  const pa = ws;
  const pb = ws + <usize>(MC * KC * 4);
  const tile = pb + <usize>(KC * NC * 4);
  for (let jc = 0; jc < N; jc += NC) {
    const nc = min(NC, N - jc);
    for (let pc = 0; pc < K; pc += KC) {
      const kc = min(KC, K - pc);
      packB(b, ldb, transB, pc, kc, jc, nc, pb);
      for (let ic = 0; ic < M; ic += MC) {
        const mc = min(MC, M - ic);
        packA(a, lda, transA, ic, mc, pc, kc, pa);
        for (let jr = 0; jr < nc; jr += NR) {
          const cols = min(NR, nc - jr);
          const bp = pb + <usize>(jr * kc * 4);
          for (let ir = 0; ir < mc; ir += MR) {
            const rows = min(MR, mc - ir);
            const cp = c + <usize>(((ic + ir) * ldc + jc + jr) * 4);
            const ap = pa + <usize>(ir * kc * 4);
            if (rows == MR && cols == NR) kernelFull(kc, ap, bp, cp, ldc, va);
            else kernelEdge(kc, ap, bp, cp, ldc, va, rows, cols, tile);
          }
        }
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
