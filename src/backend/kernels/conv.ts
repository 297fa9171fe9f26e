/**
 * Conv2D, its two gradients and FusedConv2D for the tfjs `cpu` backend as im2col + sgemm
 * (the originals are naive 7-deep loops; TextCNN's conv1d lands here as a [B,1,L,E] conv2d).
 * NHWC only; NCHW and non-float32 inputs go to the original kernels. With
 *   cols[R = b·oH·oW, KK = fh·fw·Cin]  (one receptive field per row, zero where padded)
 * forward is y = cols·W, dW = colsᵀ·dy, and dx = col2im(dy·Wᵀ), over batch chunks so cols stays
 * under COLS_LIMIT floats. 1-D convolutions (tf.layers.conv1d) skip im2col: conv1d.ts.
 */
import { tf } from '../tf.js';
import * as wasm from '../wasm/index.js';
import { conv1dFilterGrad, conv1dForward, conv1dInputGrad, isConv1d } from './conv1d.js';
import {
  ACTIVATIONS, activate, rowLike, values,
  type CpuBackend, type KernelArgs, type KernelConfig, type NamedAttrs, type TensorInfo,
} from './cpu_util.js';

const COLS_LIMIT = 1 << 23; // 32 MiB of im2col per chunk

type ConvInfo = ReturnType<typeof tf.backend_util.computeConv2DInfo>;

function convInfo(xShape: number[], filterShape: number[], attrs: NamedAttrs, dilations: unknown): ConvInfo {
  const fmt = tf.backend_util.convertConv2DDataFormat((attrs.dataFormat as 'NHWC' | 'NCHW' | undefined) ?? 'NHWC');
  return tf.backend_util.computeConv2DInfo(
    xShape as [number, number, number, number], filterShape as [number, number, number, number],
    attrs.strides as [number, number], dilations as [number, number],
    attrs.pad as 'valid', attrs.dimRoundingMode as 'round' | undefined, false, fmt);
}

const nhwc = (attrs: NamedAttrs): boolean => ((attrs.dataFormat as string | undefined) ?? 'NHWC') === 'NHWC';

/** Images per chunk so that the chunk's cols fit COLS_LIMIT. */
function chunk(ci: ConvInfo): number {
  const perImage = ci.outHeight * ci.outWidth * ci.filterHeight * ci.filterWidth * ci.inChannels;
  return Math.max(1, Math.min(ci.batchSize, Math.floor(COLS_LIMIT / Math.max(1, perImage))));
}

/** Visits every (row r of cols, filter tap t, input offset or -1 when padded) of images b0..b1. */
function forEachTap(ci: ConvInfo, b0: number, b1: number, visit: (r: number, tap: number, xOff: number) => void): void {
  const { inHeight: H, inWidth: W, inChannels: C, outHeight: oH, outWidth: oW, filterHeight: fh, filterWidth: fw } = ci;
  const top = ci.padInfo.top, left = ci.padInfo.left;
  let r = 0;
  for (let b = b0; b < b1; b++) {
    for (let oy = 0; oy < oH; oy++) {
      for (let ox = 0; ox < oW; ox++, r++) {
        for (let ky = 0; ky < fh; ky++) {
          const iy = oy * ci.strideHeight - top + ky * ci.dilationHeight;
          for (let kx = 0; kx < fw; kx++) {
            const ix = ox * ci.strideWidth - left + kx * ci.dilationWidth;
            const inside = iy >= 0 && iy < H && ix >= 0 && ix < W;
            visit(r, ky * fw + kx, inside ? ((b * H + iy) * W + ix) * C : -1);
          }
        }
      }
    }
  }
}

/** cols for images b0..b1 into the heap at byte pointer p. */
function im2col(ci: ConvInfo, x: Float32Array, b0: number, b1: number, p: number): void {
  const heap = wasm.heap();
  const C = ci.inChannels, KK = ci.filterHeight * ci.filterWidth * C;
  const base = p >> 2;
  forEachTap(ci, b0, b1, (r, tap, xOff) => {
    const o = base + r * KK + tap * C;
    if (xOff < 0) heap.fill(0, o, o + C);
    else heap.set(x.subarray(xOff, xOff + C), o);
  });
}

/** dx[images b0..b1] += col2im(dcols at byte pointer p). */
function col2im(ci: ConvInfo, dx: Float32Array, b0: number, b1: number, p: number): void {
  const heap = wasm.heap();
  const C = ci.inChannels, KK = ci.filterHeight * ci.filterWidth * C;
  const base = p >> 2;
  forEachTap(ci, b0, b1, (r, tap, xOff) => {
    if (xOff < 0) return;
    const o = base + r * KK + tap * C;
    for (let c = 0; c < C; c++) dx[xOff + c] += heap[o + c];
  });
}

/** y [B, oH, oW, Cout] = conv(x, W) (+ bias row) as a fresh array. */
function forward(ci: ConvInfo, x: Float32Array, w: Float32Array, bias?: Float32Array): Float32Array {
  if (isConv1d(ci)) return conv1dForward(ci, x, w, bias);
  const { batchSize: B, outHeight: oH, outWidth: oW, outChannels: Co } = ci;
  const KK = ci.filterHeight * ci.filterWidth * ci.inChannels;
  const per = oH * oW;
  const y = new Float32Array(B * per * Co);
  const bs = chunk(ci);
  const m = wasm.mark();
  const pw = wasm.put(w);
  const pbias = bias ? wasm.put(bias.length === Co ? bias : new Float32Array(Co).fill(bias[0])) : 0;
  const pcols = wasm.alloc(bs * per * KK);
  const py = wasm.alloc(bs * per * Co);
  for (let b0 = 0; b0 < B; b0 += bs) {
    const b1 = Math.min(B, b0 + bs), R = (b1 - b0) * per;
    im2col(ci, x, b0, b1, pcols);
    wasm.gemm(R, Co, KK, pcols, false, pw, false, py);
    if (bias) wasm.addBias(R, Co, py, pbias);
    y.set(wasm.heap().subarray(py >> 2, (py >> 2) + R * Co), b0 * per * Co);
  }
  wasm.release(m);
  return y;
}

function makeConv(original: KernelConfig, fused: boolean): KernelConfig {
  const kernelFunc = (args: KernelArgs): TensorInfo | TensorInfo[] => {
    const { x, filter, bias, preluActivationWeights: alphaT } = args.inputs;
    const attrs = args.attrs ?? {};
    const act = (attrs.activation as string | undefined) ?? 'linear';
    const fallback = () => original.kernelFunc(args as never);
    if (!x || !filter || x.dtype !== 'float32' || filter.dtype !== 'float32' || !nhwc(attrs)) return fallback();
    const ci = convInfo(x.shape, filter.shape, attrs, attrs.dilations ?? 1);
    if (fused) {
      const Co = ci.outChannels;
      if (!ACTIVATIONS.has(act) || !rowLike(bias, Co, 4) || (act === 'prelu' && (!alphaT || !rowLike(alphaT, Co, 4)))) {
        return fallback();
      }
    }
    const backend = args.backend as CpuBackend;
    const y = forward(ci, values(backend, x), values(backend, filter), fused && bias ? values(backend, bias) : undefined);
    if (fused) {
      const alpha = act === 'prelu' && alphaT ? values(backend, alphaT) : undefined;
      activate(y, ci.outChannels, act, (attrs.leakyreluAlpha as number | undefined) ?? 0.2, alpha);
    }
    return backend.makeTensorInfo(ci.outShape, 'float32', y);
  };
  return { ...original, kernelFunc: kernelFunc as unknown as KernelConfig['kernelFunc'] };
}

export const makeConv2D = (original: KernelConfig): KernelConfig => makeConv(original, false);
export const makeFusedConv2D = (original: KernelConfig): KernelConfig => makeConv(original, true);

/** dx = col2im(dy·Wᵀ); inputs dy, filter; attrs.inputShape. */
export function makeConv2DBackpropInput(original: KernelConfig): KernelConfig {
  const kernelFunc = (args: KernelArgs): TensorInfo | TensorInfo[] => {
    const { dy, filter } = args.inputs as { dy: TensorInfo; filter: TensorInfo };
    const attrs = args.attrs ?? {};
    if (dy.dtype !== 'float32' || filter.dtype !== 'float32' || !nhwc(attrs)) return original.kernelFunc(args as never);
    const ci = convInfo(attrs.inputShape as number[], filter.shape, attrs, 1);
    const backend = args.backend as CpuBackend;
    if (isConv1d(ci)) return backend.makeTensorInfo(ci.inShape, 'float32', conv1dInputGrad(ci, values(backend, dy), values(backend, filter)));
    const { batchSize: B, outHeight: oH, outWidth: oW, outChannels: Co } = ci;
    const KK = ci.filterHeight * ci.filterWidth * ci.inChannels;
    const per = oH * oW;
    const dyv = values(backend, dy);
    const dx = new Float32Array(B * ci.inHeight * ci.inWidth * ci.inChannels);
    const bs = chunk(ci);
    const m = wasm.mark();
    const pw = wasm.put(values(backend, filter));
    const pdy = wasm.alloc(bs * per * Co);
    const pcols = wasm.alloc(bs * per * KK);
    for (let b0 = 0; b0 < B; b0 += bs) {
      const b1 = Math.min(B, b0 + bs), R = (b1 - b0) * per;
      wasm.heap().set(dyv.subarray(b0 * per * Co, b1 * per * Co), pdy >> 2);
      wasm.gemm(R, KK, Co, pdy, false, pw, true, pcols); // [R,Co]·[KK,Co]^T
      col2im(ci, dx, b0, b1, pcols);
    }
    wasm.release(m);
    return backend.makeTensorInfo(ci.inShape, 'float32', dx);
  };
  return { ...original, kernelFunc: kernelFunc as unknown as KernelConfig['kernelFunc'] };
}

/** dW = colsᵀ·dy summed over batch chunks; inputs x, dy; attrs.filterShape. */
export function makeConv2DBackpropFilter(original: KernelConfig): KernelConfig {
  const kernelFunc = (args: KernelArgs): TensorInfo | TensorInfo[] => {
    const { x, dy } = args.inputs as { x: TensorInfo; dy: TensorInfo };
    const attrs = args.attrs ?? {};
    if (x.dtype !== 'float32' || dy.dtype !== 'float32' || !nhwc(attrs)) return original.kernelFunc(args as never);
    const ci = convInfo(x.shape, attrs.filterShape as number[], attrs, 1);
    const backend = args.backend as CpuBackend;
    if (isConv1d(ci)) return backend.makeTensorInfo(ci.filterShape, 'float32', conv1dFilterGrad(ci, values(backend, x), values(backend, dy)));
    const { batchSize: B, outHeight: oH, outWidth: oW, outChannels: Co } = ci;
    const KK = ci.filterHeight * ci.filterWidth * ci.inChannels;
    const per = oH * oW;
    const xv = values(backend, x), dyv = values(backend, dy);
    const bs = chunk(ci);
    const m = wasm.mark();
    const pdw = wasm.alloc(KK * Co);
    const pdy = wasm.alloc(bs * per * Co);
    const pcols = wasm.alloc(bs * per * KK);
    for (let b0 = 0; b0 < B; b0 += bs) {
      const b1 = Math.min(B, b0 + bs), R = (b1 - b0) * per;
      im2col(ci, xv, b0, b1, pcols);
      wasm.heap().set(dyv.subarray(b0 * per * Co, b1 * per * Co), pdy >> 2);
      wasm.gemm(KK, Co, R, pcols, true, pdy, false, pdw, { accumulate: b0 > 0 }); // [R,KK]^T·[R,Co]
    }
    const dw = wasm.take(pdw, KK * Co);
    wasm.release(m);
    return backend.makeTensorInfo(ci.filterShape, 'float32', dw);
  };
  return { ...original, kernelFunc: kernelFunc as unknown as KernelConfig['kernelFunc'] };
}
