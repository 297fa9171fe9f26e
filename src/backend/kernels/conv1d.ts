/**
 * The 1-D convolution case of the Conv2D family (x [B, 1, L, C], filter [1, fw, C, Co], stride 1,
 * dilation 1, any left/right padding: what tf.layers.conv1d sends) without im2col. With the
 * images' padded rows laid end to end as one long sequence xs [B·Lp, C] (Lp = left + L + right),
 * the receptive field of output row r is the contiguous window xs[r .. r+fw), so im2col's matrix
 * is xs itself read with a row stride of C floats (rows overlap), and each pass is one sgemm:
 *   forward  ys = win(xs)·W                    [B·Lp − fw + 1, Co], row b·Lp + ox kept
 *   dW       = win(xs)ᵀ·dys                    dys: dy rows at b·Lp + ox, zeros between images
 *   dx       = win(dyp)·Wr                     dyp: each image's dy with fw−1 zero rows either side,
 *            Wr [fw·Co, C] block j = W[fw−1−j]ᵀ (a full correlation with the flipped filter)
 * Rows that straddle two images are computed and dropped (fw − 1 per image).
 */
import type { tf } from '../tf.js';
import * as wasm from '../wasm/index.js';

type ConvInfo = ReturnType<typeof tf.backend_util.computeConv2DInfo>;

/** True when ci is a stride-1, undilated convolution along the width of height-1 images. */
export function isConv1d(ci: ConvInfo): boolean {
  return ci.inHeight === 1 && ci.filterHeight === 1 && ci.outHeight === 1 && ci.strideWidth === 1 &&
    ci.dilationWidth === 1 && ci.padInfo.top === 0 && ci.padInfo.bottom === 0;
}

interface Geometry {
  B: number; L: number; C: number; Co: number; fw: number; oW: number;
  left: number;
  /** padded image length */
  Lp: number;
}

function geometry(ci: ConvInfo): Geometry {
  const left = ci.padInfo.left;
  const Lp = ci.outWidth + ci.filterWidth - 1; // = left + L + right
  return { B: ci.batchSize, L: ci.inWidth, C: ci.inChannels, Co: ci.outChannels, fw: ci.filterWidth, oW: ci.outWidth, left, Lp };
}

/**
 * Copies rows of B images into a new zeroed arena block of B·stride rows of `width` floats:
 * image b's `n` rows (src row b·n + i) land at row b·stride + at + i; `tail` more zero rows follow.
 */
export function putRows(src: Float32Array, B: number, n: number, width: number, stride: number, at: number, tail = 0): number {
  const p = wasm.alloc((B * stride + tail) * width);
  writeRows(p, src, B, n, width, stride, at, tail);
  return p;
}

/** putRows into the block at byte pointer p ((B·stride + tail)·width floats), zeroing the rest of it. */
export function writeRows(p: number, src: Float32Array, B: number, n: number, width: number, stride: number, at: number, tail = 0): void {
  const heap = wasm.heap();
  const end = (p >> 2) + (B * stride + tail) * width;
  if (stride === n && at === 0) {
    heap.set(src, p >> 2);
    heap.fill(0, (p >> 2) + B * stride * width, end);
    return;
  }
  // each image's rows, with only the rows around them zeroed (one pass over the block, not two)
  for (let b = 0, o = p >> 2; b < B; b++, o += stride * width) {
    heap.fill(0, o, o + at * width);
    heap.set(src.subarray(b * n * width, (b + 1) * n * width), o + at * width);
    heap.fill(0, o + (at + n) * width, o + stride * width);
  }
  heap.fill(0, (p >> 2) + B * stride * width, end);
}

/** out[b] = rows b·stride + at … + n of the block at p (width floats each). */
function takeRows(p: number, B: number, n: number, width: number, stride: number, at: number): Float32Array {
  const out = new Float32Array(B * n * width);
  const heap = wasm.heap();
  for (let b = 0; b < B; b++) {
    const src = (p >> 2) + (b * stride + at) * width;
    out.set(heap.subarray(src, src + n * width), b * n * width);
  }
  return out;
}

/** y [B, oW, Co] = conv(x, w) (+ bias [Co]). */
export function conv1dForward(ci: ConvInfo, x: Float32Array, w: Float32Array, bias?: Float32Array): Float32Array {
  const g = geometry(ci);
  const rows = g.B * g.Lp - g.fw + 1;
  const m = wasm.mark();
  const px = putRows(x, g.B, g.L, g.C, g.Lp, g.left);
  const pw = wasm.put(w);
  const py = wasm.alloc(rows * g.Co);
  wasm.gemm(rows, g.Co, g.fw * g.C, px, false, pw, false, py, { lda: g.C });
  if (bias) wasm.addBias(rows, g.Co, py, wasm.put(bias.length === g.Co ? bias : new Float32Array(g.Co).fill(bias[0])));
  const y = takeRows(py, g.B, g.oW, g.Co, g.Lp, 0);
  wasm.release(m);
  return y;
}

/** dW [fw, C, Co] from x [B, L, C] and dy [B, oW, Co]. */
export function conv1dFilterGrad(ci: ConvInfo, x: Float32Array, dy: Float32Array): Float32Array {
  const g = geometry(ci);
  const rows = g.B * g.Lp - g.fw + 1;
  const K = g.fw * g.C;
  const m = wasm.mark();
  const px = putRows(x, g.B, g.L, g.C, g.Lp, g.left);
  const pdy = putRows(dy, g.B, g.oW, g.Co, g.Lp, 0);
  const pdw = wasm.alloc(K * g.Co);
  wasm.gemm(K, g.Co, rows, px, true, pdy, false, pdw, { lda: g.C });
  const dw = wasm.take(pdw, K * g.Co);
  wasm.release(m);
  return dw;
}

/** dx [B, L, C] from dy [B, oW, Co] and w [fw, C, Co]. */
export function conv1dInputGrad(ci: ConvInfo, dy: Float32Array, w: Float32Array): Float32Array {
  const g = geometry(ci);
  const Lq = g.Lp + g.fw - 1; // each image's dy with fw−1 zero rows either side
  const rows = g.B * Lq - g.fw + 1;
  const wr = new Float32Array(g.fw * g.Co * g.C); // block j = W[fw−1−j]ᵀ
  for (let j = 0; j < g.fw; j++) {
    for (let c = 0; c < g.C; c++) {
      const src = ((g.fw - 1 - j) * g.C + c) * g.Co;
      for (let o = 0; o < g.Co; o++) wr[(j * g.Co + o) * g.C + c] = w[src + o];
    }
  }
  const m = wasm.mark();
  const pdy = putRows(dy, g.B, g.oW, g.Co, Lq, g.fw - 1);
  const pwr = wasm.put(wr);
  const pdx = wasm.alloc(rows * g.C);
  wasm.gemm(rows, g.C, g.fw * g.Co, pdy, false, pwr, false, pdx, { lda: g.Co });
  const dx = takeRows(pdx, g.B, g.L, g.C, Lq, g.left);
  wasm.release(m);
  return dx;
}
