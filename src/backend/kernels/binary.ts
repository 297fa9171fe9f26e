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
import * as wasm from '../wasm/index.js';

/** Same-shape float32 sums at least this long go through wasm SIMD (the copies in and out pay off). */
const WASM_SUM_MIN = 1 << 15;

/** Σ of equal-length float32 arrays in wasm: the first copied in, each next added to it. */
function sumInWasm(vals: Float32Array[]): Float32Array {
  const n = vals[0].length;
  const m = wasm.mark();
  const acc = wasm.put(vals[0]);
  const tmp = vals.length > 1 ? wasm.alloc(n) : 0;
  for (let i = 1; i < vals.length; i++) {
    wasm.heap().set(vals[i], tmp >> 2);
    wasm.elementwise().addArrays(n, acc, tmp, acc);
  }
  const out = wasm.take(acc, n);
  wasm.release(m);
  return out;
}

type Loop = (
  out: Float32Array | Int32Array | Uint8Array, a: ArrayLike<number>, b: ArrayLike<number>,
  shape: number[], sa: number[], sb: number[],
) => void;

/**
 * The loop for one op, one combination of array types and one inner-axis pattern (ia, ib: each
 * side's stride along the innermost axis, 0 or 1), compiled as constants: every loop V8 sees stays
 * monomorphic, which a loop shared by float32, int32 and bool tensors would not.
 */
function makeLoop(expr: string, ia: number, ib: number): Loop {
  // odometer over the outer axes; inner axis flat
  const body = `
    const R = shape.length;
    const inner = R ? shape[R - 1] : 1;
    const outer = out.length / Math.max(1, inner);
    const idx = new Array(Math.max(0, R - 1)).fill(0);
    let offA = 0, offB = 0, o = 0;
    for (let k = 0; k < outer; k++) {
      for (let j = 0; j < inner; j++, o++) {
        const x = a[offA${ia ? ' + j' : ''}], y = b[offB${ib ? ' + j' : ''}];
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

const loops = new Map<string, Loop>();

function loopFor(op: string, expr: string, out: object, a: object, b: object, ia: number, ib: number): Loop {
  const key = `${op} ${out.constructor.name} ${a.constructor.name} ${b.constructor.name} ${ia}${ib}`;
  let loop = loops.get(key);
  if (!loop) loops.set(key, (loop = makeLoop(expr, ia, ib)));
  return loop;
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

/**
 * Merges adjacent axes that both operands walk contiguously (or both broadcast), dropping size-1
 * axes: same-shape and scalar operands become one flat axis, a bias add [N, C] + [C] two.
 */
function collapse(shape: number[], sa: number[], sb: number[]): { shape: number[]; sa: number[]; sb: number[] } {
  const out = { shape: [] as number[], sa: [] as number[], sb: [] as number[] };
  for (let d = shape.length - 1; d >= 0; d--) {
    if (shape[d] === 1) continue;
    const k = out.shape.length - 1;
    if (k >= 0 && sa[d] === out.sa[0] * out.shape[0] && sb[d] === out.sb[0] * out.shape[0]) {
      out.shape[0] *= shape[d];
      continue;
    }
    out.shape.unshift(shape[d]);
    out.sa.unshift(sa[d]);
    out.sb.unshift(sb[d]);
  }
  if (out.shape.length === 0) return { shape: [1], sa: [1], sb: [1] };
  // the inner axis stride is 0 or 1; keep it so for the loop's constants
  return out;
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
  // +(bool) rather than a branch: a comparison of noisy values mispredicts every other element
  Greater: { expr: '+(x > y)', bool: true },
  GreaterEqual: { expr: '+(x >= y)', bool: true },
  Less: { expr: '+(x < y)', bool: true },
  LessEqual: { expr: '+(x <= y)', bool: true },
  Equal: { expr: '+(x === y)', bool: true },
  NotEqual: { expr: '+(x !== y)', bool: true },
};

export const BINARY_KERNELS = Object.keys(OPS);

export function makeBinary(original: KernelConfig): KernelConfig {
  const name = original.kernelName;
  const op = OPS[name];
  const kernelFunc = (args: KernelArgs): TensorInfo | TensorInfo[] => {
    const { a, b } = args.inputs as { a: TensorInfo; b: TensorInfo };
    const numeric = (t: TensorInfo) => t.dtype === 'float32' || t.dtype === 'int32' || t.dtype === 'bool';
    if (!numeric(a) || !numeric(b)) return original.kernelFunc(args as never);
    const backend = args.backend as CpuData;
    const shape = tf.backend_util.assertAndGetBroadcastShape(a.shape, b.shape);
    const dtype = op.bool ? 'bool' : a.dtype === 'bool' ? 'int32' : a.dtype;
    const n = shape.reduce((p, d) => p * d, 1);
    // every element is written below: a large float32 output skips the zero fill
    const out = dtype === 'float32' ? wasm.unfilledFloats(n) : dtype === 'int32' ? new Int32Array(n) : new Uint8Array(n);
    const av = backend.data.get(a.dataId).values as ArrayLike<number>;
    const bv = backend.data.get(b.dataId).values as ArrayLike<number>;
    const m = collapse(shape, alignedStrides(a.shape, shape), alignedStrides(b.shape, shape));
    const R = m.shape.length;
    if (name === 'Add' && dtype === 'float32' && b.dtype === 'float32' && n > 0) {
      // the native kernels' row add where one side repeats along the other's outer axis (a bias, a
      // positional table, a scalar, or the same shape)
      const repeats = (s: number[], t: number[], v: ArrayLike<number>) =>
        R === 1 ? s[0] === 1 && (t[0] === 1 || v.length === 1) : R === 2 && s[0] === m.shape[1] && s[1] === 1 && t[0] === 0 && t[1] === 1;
      const [fa, fb] = [av as Float32Array, bv as Float32Array];
      if ((repeats(m.sa, m.sb, bv) && wasm.addRowsNative(fa, fb, out as Float32Array)) || (repeats(m.sb, m.sa, av) && wasm.addRowsNative(fb, fa, out as Float32Array))) {
        return backend.makeTensorInfo(shape, dtype, out);
      }
    }
    if (name === 'Add' && dtype === 'float32' && b.dtype === 'float32' && n >= WASM_SUM_MIN && av.length === n && bv.length === n) {
      return backend.makeTensorInfo(shape, dtype, sumInWasm([av as Float32Array, bv as Float32Array]));
    }
    if (n > 0) {
      loopFor(name, op.expr, out, av, bv, m.sa[R - 1], m.sb[R - 1])(out, av, bv, m.shape, m.sa, m.sb);
    }
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

/** AddN (gradient accumulation) over float32 inputs: the original's loop is shared by every dtype. */
export function makeAddN(original: KernelConfig): KernelConfig {
  const kernelFunc = (args: KernelArgs): TensorInfo | TensorInfo[] => {
    const ts = args.inputs as unknown as TensorInfo[];
    if (ts.length === 0 || ts.some((t) => t.dtype !== 'float32')) return original.kernelFunc(args as never);
    const backend = args.backend as CpuData;
    const vals = ts.map((t) => backend.data.get(t.dataId).values as Float32Array);
    if (vals.length > 1 && vals[0].length >= WASM_SUM_MIN) return backend.makeTensorInfo(ts[0].shape, 'float32', sumInWasm(vals));
    const out = new Float32Array(vals[0].length);
    addInto(out, vals[0], true);
    for (let i = 1; i < vals.length; i++) addInto(out, vals[i], false);
    return backend.makeTensorInfo(ts[0].shape, 'float32', out);
  };
  return { ...original, kernelFunc: kernelFunc as unknown as KernelConfig['kernelFunc'] };
}

/** out += v (first: out = 0 + v, so −0 becomes +0 as in the original) */
function addInto(out: Float32Array, v: Float32Array, first: boolean): void {
  if (first) for (let j = 0; j < out.length; j++) out[j] = v[j] + 0;
  else for (let j = 0; j < out.length; j++) out[j] += v[j];
}
