/**
 * Element-wise binary kernels (Add, Sub, Multiply, …) for the tfjs `cpu` backend with fast
 * broadcasting. The originals compute every broadcast element's index with array allocations
 * (tfjs-backend-cpu createSimpleBinaryKernelImpl), which makes `[N, V] - [N, 1]` in a softmax or a
 * bias add `[N, V] + [V]` dominate a training step. Here shapes are aligned once into per-axis
 * strides (0 on broadcast axes) and the innermost axis runs as a flat loop. Each op's loop is
 * generated with its expression inline, so V8 compiles one monomorphic loop per op.
 * Non-float/int inputs (string, complex64) go to the original kernel.
 */
import { tf } from '../tf.js';
import type { KernelArgs, KernelConfig, TensorInfo } from './cpu_util.js';

type Loop = (
  out: Float32Array | Int32Array | Uint8Array, a: ArrayLike<number>, b: ArrayLike<number>,
  shape: number[], sa: number[], sb: number[],
) => void;

function makeLoop(expr: string): Loop {
  // odometer over the outer axes; inner axis flat with strides ia, ib (0 or 1 after alignment)
  const body = `
    const R = shape.length;
    const inner = R ? shape[R - 1] : 1;
    const ia = R ? sa[R - 1] : 0, ib = R ? sb[R - 1] : 0;
    const outer = out.length / Math.max(1, inner);
    const idx = new Array(Math.max(0, R - 1)).fill(0);
    let offA = 0, offB = 0, o = 0;
    for (let k = 0; k < outer; k++) {
      let pa = offA, pb = offB;
      for (let j = 0; j < inner; j++, o++, pa += ia, pb += ib) {
        const x = a[pa], y = b[pb];
        out[o] = ${expr};
      }
      for (let d = R - 2; d >= 0; d--) {
        idx[d]++;
        offA += sa[d];
        offB += sb[d];
        if (idx[d] < shape[d]) break;
        offA -= sa[d] * shape[d];
        offB -= sb[d] * shape[d];
        idx[d] = 0;
      }
    }`;
  return new Function('out', 'a', 'b', 'shape', 'sa', 'sb', body) as Loop;
}

/** Strides of `shape` aligned to `out` (right-aligned), 0 where the axis is broadcast. */
function alignedStrides(shape: number[], out: number[]): number[] {
  const s = new Array<number>(out.length).fill(0);
  let stride = 1;
  for (let i = shape.length - 1, j = out.length - 1; i >= 0; i--, j--) {
    s[j] = shape[i] === 1 && out[j] !== 1 ? 0 : stride;
    stride *= shape[i];
  }
  return s;
}

interface CpuData {
  data: { get(id: object): { values: unknown } };
  makeTensorInfo(shape: number[], dtype: string, values: unknown): TensorInfo;
}

const OPS: Record<string, { expr: string; bool?: boolean }> = {
  Add: { expr: 'x + y' },
  Sub: { expr: 'x - y' },
  Multiply: { expr: 'x * y' },
  RealDiv: { expr: 'x / y' },
  Maximum: { expr: 'Math.max(x, y)' },
  Minimum: { expr: 'Math.min(x, y)' },
  SquaredDifference: { expr: '(x - y) * (x - y)' },
  Greater: { expr: 'x > y ? 1 : 0', bool: true },
  GreaterEqual: { expr: 'x >= y ? 1 : 0', bool: true },
  Less: { expr: 'x < y ? 1 : 0', bool: true },
  LessEqual: { expr: 'x <= y ? 1 : 0', bool: true },
  Equal: { expr: 'x === y ? 1 : 0', bool: true },
};

export const BINARY_KERNELS = Object.keys(OPS);

export function makeBinary(original: KernelConfig): KernelConfig {
  const op = OPS[original.kernelName];
  const loop = makeLoop(op.expr);
  const kernelFunc = (args: KernelArgs): TensorInfo | TensorInfo[] => {
    const { a, b } = args.inputs as { a: TensorInfo; b: TensorInfo };
    const numeric = (t: TensorInfo) => t.dtype === 'float32' || t.dtype === 'int32' || t.dtype === 'bool';
    if (!numeric(a) || !numeric(b)) return original.kernelFunc(args as never);
    const backend = args.backend as CpuData;
    const shape = tf.backend_util.assertAndGetBroadcastShape(a.shape, b.shape);
    const dtype = op.bool ? 'bool' : a.dtype === 'bool' ? 'int32' : a.dtype;
    const n = shape.reduce((p, d) => p * d, 1);
    const out = dtype === 'float32' ? new Float32Array(n) : dtype === 'int32' ? new Int32Array(n) : new Uint8Array(n);
    const av = backend.data.get(a.dataId).values as ArrayLike<number>;
    const bv = backend.data.get(b.dataId).values as ArrayLike<number>;
    if (n > 0) loop(out, av, bv, shape, alignedStrides(a.shape, shape), alignedStrides(b.shape, shape));
    return backend.makeTensorInfo(shape, dtype, out);
  };
  return { ...original, kernelFunc: kernelFunc as unknown as KernelConfig['kernelFunc'] };
}

/**
 * UnsortedSegmentSum (the gradient of gather, e.g. of an embedding lookup) as one linear pass;
 * the original loops over every segment with equal/mul/sum, O(segments · N).
 * x: [N, ...rest], segmentIds: [N] int32 → [numSegments, ...rest]
 */
export function makeUnsortedSegmentSum(original: KernelConfig): KernelConfig {
  const kernelFunc = (args: KernelArgs): TensorInfo | TensorInfo[] => {
    const { x, segmentIds } = args.inputs as { x: TensorInfo; segmentIds: TensorInfo };
    const numSegments = args.attrs?.numSegments as number;
    if (x.dtype !== 'float32' || segmentIds.shape.length !== 1 || segmentIds.shape[0] !== x.shape[0]) {
      return original.kernelFunc(args as never);
    }
    const backend = args.backend as CpuData;
    const xv = backend.data.get(x.dataId).values as Float32Array;
    const ids = backend.data.get(segmentIds.dataId).values as Int32Array;
    const row = x.shape.slice(1).reduce((p, d) => p * d, 1);
    const out = new Float32Array(numSegments * row);
    for (let i = 0; i < ids.length; i++) {
      const s = ids[i];
      if (s < 0 || s >= numSegments) continue;
      const o = s * row;
      const src = i * row;
      for (let j = 0; j < row; j++) out[o + j] += xv[src + j];
    }
    return backend.makeTensorInfo([numSegments, ...x.shape.slice(1)], 'float32', out);
  };
  return { ...original, kernelFunc: kernelFunc as unknown as KernelConfig['kernelFunc'] };
}
