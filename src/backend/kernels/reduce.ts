/**
 * Sum, Mean and Max over a contiguous block of axes for the tfjs `cpu` backend. The originals transpose
 * the reduced axes to the end first (an element-by-element index computation) whenever they are
 * not already last, e.g. for every bias gradient (a sum over the batch axes). Here x is viewed as
 * [outer, R, inner] and reduced over R in place: row sums when inner is 1, column sums otherwise,
 * accumulated in double precision like the originals. Non-float32 inputs, an empty or
 * non-contiguous axis list, and empty reductions go to the original kernel.
 */
import { tf } from '../tf.js';
import * as wasm from '../wasm/index.js';
import { size, type CpuBackend, type KernelArgs, type KernelConfig, type TensorInfo } from './cpu_util.js';

interface Plan {
  outer: number;
  R: number;
  inner: number;
  outShape: number[];
}

function plan(x: TensorInfo, axis: unknown, keepDims: boolean): Plan | null {
  const axes = [...new Set(tf.util.parseAxisParam(axis as number | number[], x.shape))].sort((a, b) => a - b);
  if (axes.length === 0 || axes.some((a, i) => i > 0 && a !== axes[i - 1] + 1)) return null;
  const first = axes[0], last = axes[axes.length - 1];
  const R = size(x.shape.slice(first, last + 1));
  if (R === 0) return null;
  const outShape = keepDims ? x.shape.map((d, i) => (i >= first && i <= last ? 1 : d)) : x.shape.filter((_, i) => i < first || i > last);
  return { outer: size(x.shape.slice(0, first)), R, inner: size(x.shape.slice(last + 1)), outShape };
}

function sumInto(out: Float32Array, xs: Float32Array, { outer, R, inner }: Plan): void {
  if (inner === 1) {
    for (let o = 0; o < outer; o++) {
      let s = 0;
      for (let r = 0, p = o * R; r < R; r++, p++) s += xs[p];
      out[o] = s;
    }
    return;
  }
  if (R * inner >= KERNEL_FLOATS) {
    // the kernels' column sums: the same f64 sums in the same order (bit for bit), ~5x faster
    const m = wasm.mark();
    const px = wasm.put(xs);
    for (let o = 0; o < outer; o++) out.set(wasm.colSums(R, inner, px + o * R * inner * 4), o * inner);
    wasm.release(m);
    return;
  }
  const acc = new Float64Array(inner);
  for (let o = 0; o < outer; o++) {
    acc.fill(0);
    for (let r = 0; r < R; r++) {
      const p = (o * R + r) * inner;
      for (let i = 0; i < inner; i++) acc[i] += xs[p + i];
    }
    out.set(acc, o * inner);
  }
}

/** Floats from which a column sum is worth the copy into the kernels' memory. */
const KERNEL_FLOATS = 1 << 14;

// tfjs' Mean divides every element by R (in float32) and then sums them
function meanInto(out: Float32Array, xs: Float32Array, { outer, R, inner }: Plan): void {
  const acc = new Float64Array(inner);
  for (let o = 0; o < outer; o++) {
    acc.fill(0);
    for (let r = 0; r < R; r++) {
      const p = (o * R + r) * inner;
      for (let i = 0; i < inner; i++) acc[i] += Math.fround(xs[p + i] / R);
    }
    out.set(acc, o * inner);
  }
}

// tfjs' rule: the first value, replaced by any larger one or any NaN (so a NaN wins)
function maxInto(out: Float32Array, xs: Float32Array, { outer, R, inner }: Plan): void {
  for (let o = 0; o < outer; o++) {
    const base = o * R * inner;
    out.set(xs.subarray(base, base + inner), o * inner);
    for (let r = 1; r < R; r++) {
      const p = base + r * inner;
      for (let i = 0, q = o * inner; i < inner; i++, q++) {
        const v = xs[p + i];
        if (v > out[q] || Number.isNaN(v)) out[q] = v;
      }
    }
  }
}

function makeReduce(into: (out: Float32Array, xs: Float32Array, p: Plan) => void, axisAttr: string) {
  return (original: KernelConfig): KernelConfig => {
    const kernelFunc = (args: KernelArgs): TensorInfo | TensorInfo[] => {
      const x = args.inputs.x as TensorInfo;
      const p = x.dtype === 'float32' ? plan(x, args.attrs?.[axisAttr], Boolean(args.attrs?.keepDims)) : null;
      if (!p) return original.kernelFunc(args as never);
      const backend = args.backend as CpuBackend;
      const out = new Float32Array(p.outer * p.inner);
      into(out, backend.data.get(x.dataId).values as Float32Array, p);
      return backend.makeTensorInfo(p.outShape, 'float32', out);
    };
    return { ...original, kernelFunc: kernelFunc as unknown as KernelConfig['kernelFunc'] };
  };
}

export const makeSum = makeReduce(sumInto, 'axis');
export const makeMax = makeReduce(maxInto, 'reductionIndices');
export const makeMean = makeReduce(meanInto, 'axis');
