/**
 * Transpose, GatherV2, Slice, SplitV and PadV2 for the tfjs `cpu` backend without per-element index
 * arithmetic. The originals compute an index array for every element, which makes the identity
 * transposes that tfjs-layers' Dense inserts, an embedding lookup, or slicing a weight matrix's
 * columns (and its gradient, a pad) cost milliseconds per call.
 *  - Transpose: an identity permutation shares the input buffer (as Reshape does); otherwise axes
 *    that stay adjacent are merged and the output is written in order with strided reads.
 *  - GatherV2: whole slices are copied (rows of a float32 table by the native kernels' gather
 *    where they are built); any index out of range goes to the original kernel, which throws its error.
 *  - Slice / SplitV / PadV2: the innermost axis is copied as one run per outer position.
 * Numeric dtypes only (string and complex64 go to the original).
 */
import { tf } from '../tf.js';
import * as wasm from '../wasm/index.js';
import { size, type KernelArgs, type KernelConfig, type TensorInfo } from './cpu_util.js';

type Numeric = Float32Array | Int32Array | Uint8Array;

interface Backend {
  data: { get(id: object): { values: unknown } };
  makeTensorInfo(shape: number[], dtype: string, values: Numeric): TensorInfo;
  incRef(id: object): void;
}

const numeric = (t: TensorInfo): boolean => t.dtype === 'float32' || t.dtype === 'int32' || t.dtype === 'bool';

const like = (v: Numeric, n: number): Numeric =>
  v instanceof Float32Array ? new Float32Array(n) : v instanceof Int32Array ? new Int32Array(n) : new Uint8Array(n);

/** out = x transposed by perm; shapes already merged where axes stay adjacent. */
function permute(out: Numeric, x: Numeric, shape: number[], perm: number[]): void {
  const R = shape.length;
  const inStride = new Array<number>(R);
  for (let i = R - 1, s = 1; i >= 0; i--) {
    inStride[i] = s;
    s *= shape[i];
  }
  const dims = perm.map((p) => shape[p]); // output dims
  const st = perm.map((p) => inStride[p]); // input stride of each output axis
  const inner = dims[R - 1], si = st[R - 1];
  const idx = new Array<number>(R).fill(0);
  let off = 0;
  for (let o = 0; o < out.length; o += inner) {
    if (si === 1) out.set(x.subarray(off, off + inner), o);
    else for (let j = 0, p = off; j < inner; j++, p += si) out[o + j] = x[p];
    for (let d = R - 2; d >= 0; d--) {
      idx[d]++;
      off += st[d];
      if (idx[d] < dims[d]) break;
      off -= st[d] * dims[d];
      idx[d] = 0;
    }
  }
}

/** Merges input axes that are adjacent and in order in perm, after dropping size-1 axes. */
function merge(shape: number[], perm: number[]): { shape: number[]; perm: number[] } {
  const kept = shape.map((_, i) => i).filter((i) => shape[i] !== 1);
  if (kept.length === 0) return { shape: [1], perm: [0] };
  const rank = new Map(kept.map((axis, i) => [axis, i]));
  const dims = kept.map((axis) => shape[axis]);
  const groups: number[][] = [];
  for (const p of perm) {
    if (shape[p] === 1) continue;
    const r = rank.get(p) as number;
    const g = groups[groups.length - 1];
    if (g && r === g[g.length - 1] + 1) g.push(r);
    else groups.push([r]);
  }
  // groups in input order give the merged input shape; their order in perm gives the merged perm
  const byInput = [...groups].sort((a, b) => a[0] - b[0]);
  return {
    shape: byInput.map((g) => size(g.map((r) => dims[r]))),
    perm: groups.map((g) => byInput.indexOf(g)),
  };
}

export function makeTranspose(original: KernelConfig): KernelConfig {
  const kernelFunc = (args: KernelArgs): TensorInfo | TensorInfo[] => {
    const x = args.inputs.x as TensorInfo;
    if (!numeric(x)) return original.kernelFunc(args as never);
    const perm = args.attrs?.perm as number[];
    const backend = args.backend as unknown as Backend;
    const outShape = perm.map((p) => x.shape[p]);
    const m = merge(x.shape, perm);
    if (m.perm.every((p, i) => p === i)) {
      backend.incRef(x.dataId);
      return { dataId: x.dataId, shape: outShape, dtype: x.dtype };
    }
    const xs = backend.data.get(x.dataId).values as Numeric;
    const out = like(xs, xs.length);
    permute(out, xs, m.shape, m.perm);
    return backend.makeTensorInfo(outShape, x.dtype, out);
  };
  return { ...original, kernelFunc: kernelFunc as unknown as KernelConfig['kernelFunc'] };
}

export function makeGatherV2(original: KernelConfig): KernelConfig {
  const kernelFunc = (args: KernelArgs): TensorInfo | TensorInfo[] => {
    const { x, indices } = args.inputs as { x: TensorInfo; indices: TensorInfo };
    if (!numeric(x) || !numeric(indices)) return original.kernelFunc(args as never);
    const backend = args.backend as unknown as Backend;
    const axis = tf.util.parseAxisParam(args.attrs?.axis as number, x.shape)[0];
    const batchDims = (args.attrs?.batchDims as number | undefined) ?? 0;
    const info = tf.backend_util.segment_util.collectGatherOpShapeInfo(x as tf.Tensor, indices as tf.Tensor, axis, batchDims);
    const { batchSize, outerSize, dimSize, sliceSize } = info;
    const ids = backend.data.get(indices.dataId).values as Numeric;
    for (let i = 0; i < ids.length; i++) {
      if (!(ids[i] >= 0 && ids[i] < dimSize)) return original.kernelFunc(args as never);
    }
    const xs = backend.data.get(x.dataId).values as Numeric;
    const n = ids.length / batchSize; // indices per batch
    // every element is written below: a large float32 output skips the zero fill
    const out = xs instanceof Float32Array ? wasm.unfilledFloats(batchSize * outerSize * n * sliceSize) : like(xs, batchSize * outerSize * n * sliceSize);
    // rows of a float32 table (an embedding lookup): the native gather, which keeps several rows' cache misses in flight
    const rows = batchSize === 1 && outerSize === 1 && xs instanceof Float32Array && ids instanceof Int32Array && out instanceof Float32Array;
    if (rows && wasm.gatherRowsNative(xs, ids, out, sliceSize)) return backend.makeTensorInfo(info.outputShape, x.dtype, out);
    let o = 0;
    for (let b = 0; b < batchSize; b++) {
      for (let q = 0; q < outerSize; q++) {
        const base = (b * outerSize + q) * dimSize * sliceSize;
        for (let i = 0; i < n; i++, o += sliceSize) {
          const src = base + ids[b * n + i] * sliceSize;
          out.set(xs.subarray(src, src + sliceSize), o);
        }
      }
    }
    return backend.makeTensorInfo(info.outputShape, x.dtype, out);
  };
  return { ...original, kernelFunc: kernelFunc as unknown as KernelConfig['kernelFunc'] };
}

/** Visits each run of the innermost axis of a box `size` inside an array of shape `shape` at `begin`: (offset in the array, index of the run). */
function forEachRun(shape: number[], begin: number[], size: number[], visit: (off: number, run: number) => void): void {
  const R = shape.length;
  const strides = new Array<number>(R);
  for (let i = R - 1, s = 1; i >= 0; i--) {
    strides[i] = s;
    s *= shape[i];
  }
  const runs = size.slice(0, -1).reduce((p, d) => p * d, 1);
  const idx = new Array<number>(Math.max(0, R - 1)).fill(0);
  let off = begin.reduce((p, b, i) => p + b * strides[i], 0);
  for (let k = 0; k < runs; k++) {
    visit(off, k);
    for (let d = R - 2; d >= 0; d--) {
      idx[d]++;
      off += strides[d];
      if (idx[d] < size[d]) break;
      off -= strides[d] * size[d];
      idx[d] = 0;
    }
  }
}

/** A copy of the box of x at begin, of size sz. */
function sliceOf(backend: Backend, x: TensorInfo, begin: number[], sz: number[]): TensorInfo {
  const xs = backend.data.get(x.dataId).values as Numeric;
  const n = size(sz);
  const out = like(xs, n);
  const inner = sz[sz.length - 1];
  if (n > 0) forEachRun(x.shape, begin, sz, (off, k) => out.set(xs.subarray(off, off + inner), k * inner));
  return backend.makeTensorInfo(sz, x.dtype, out);
}

export function makeSlice(original: KernelConfig): KernelConfig {
  const kernelFunc = (args: KernelArgs): TensorInfo | TensorInfo[] => {
    const x = args.inputs.x as TensorInfo;
    if (!numeric(x) || x.shape.length === 0) return original.kernelFunc(args as never);
    const [begin, sz] = tf.slice_util.parseSliceParams(x as tf.Tensor, args.attrs?.begin as number[], args.attrs?.size as number[]);
    tf.slice_util.assertParamsValid(x as tf.Tensor, begin, sz);
    return sliceOf(args.backend as unknown as Backend, x, begin, sz);
  };
  return { ...original, kernelFunc: kernelFunc as unknown as KernelConfig['kernelFunc'] };
}

/** SplitV: consecutive slices along one axis (the original slices element by element). */
export function makeSplitV(original: KernelConfig): KernelConfig {
  const kernelFunc = (args: KernelArgs): TensorInfo | TensorInfo[] => {
    const x = args.inputs.x as TensorInfo;
    if (!numeric(x) || x.shape.length === 0) return original.kernelFunc(args as never);
    const axis = tf.util.parseAxisParam(args.attrs?.axis as number, x.shape)[0];
    const sizes = tf.backend_util.prepareSplitSize(x as tf.Tensor, args.attrs?.numOrSizeSplits as number[], axis);
    const begin = new Array<number>(x.shape.length).fill(0);
    return sizes.map((n) => {
      const sz = [...x.shape];
      sz[axis] = n;
      const part = sliceOf(args.backend as unknown as Backend, x, [...begin], sz);
      begin[axis] += n;
      return part;
    });
  };
  return { ...original, kernelFunc: kernelFunc as unknown as KernelConfig['kernelFunc'] };
}

export function makePadV2(original: KernelConfig): KernelConfig {
  const kernelFunc = (args: KernelArgs): TensorInfo | TensorInfo[] => {
    const x = args.inputs.x as TensorInfo;
    if (!numeric(x) || x.shape.length === 0) return original.kernelFunc(args as never);
    const paddings = args.attrs?.paddings as [number, number][];
    const value = (args.attrs?.constantValue as number | undefined) ?? 0;
    const backend = args.backend as unknown as Backend;
    const xs = backend.data.get(x.dataId).values as Numeric;
    const outShape = x.shape.map((d, i) => paddings[i][0] + d + paddings[i][1]);
    const out = like(xs, size(outShape));
    if (value !== 0) out.fill(value);
    const inner = x.shape[x.shape.length - 1];
    if (xs.length > 0) forEachRun(outShape, paddings.map((p) => p[0]), x.shape, (off, k) => out.set(xs.subarray(k * inner, (k + 1) * inner), off));
    return backend.makeTensorInfo(outShape, x.dtype, out);
  };
  return { ...original, kernelFunc: kernelFunc as unknown as KernelConfig['kernelFunc'] };
}
