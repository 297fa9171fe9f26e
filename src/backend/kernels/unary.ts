/**
 * Element-wise unary kernels (Exp, Log, Sqrt, Tanh, …) for the tfjs `cpu` backend. The originals
 * run every op through one shared loop that calls the op's function per element, a call site V8
 * cannot inline once it has seen several ops; here each op gets its own generated loop with the
 * expression inline (as binary.ts does for binary ops). Same results as tfjs-backend-cpu's
 * formulas; Relu and Step (ReLU's gradient) are written without a data-dependent branch, which on
 * signs that change at random mispredicts every other element. Exp, Sigmoid, Tanh and Erf on
 * tensors of WASM_MIN elements or more run in wasm SIMD (wasm/elementwise.ts: float32 maths,
 * within a few ulp of the double-precision originals) rather than at ~13 ns per Math.exp. Only
 * float32 inputs; anything else goes to the original kernel.
 */
import type { CpuBackend, KernelArgs, KernelConfig, TensorInfo } from './cpu_util.js';
import * as wasm from '../wasm/index.js';

type Loop = (out: Float32Array, x: Float32Array, alpha: number, erf: (x: number) => number) => void;

/** tfjs-backend-cpu's erf: Abramowitz & Stegun 7.1.26 with backend_util.ERF_* */
function erf(x: number): number {
  const v = Math.abs(x);
  const t = 1 / (1 + 0.3275911 * v);
  return Math.sign(x) * (1 - (((((1.061405429 * t - 1.453152027) * t) + 1.421413741) * t - 0.284496736) * t + 0.254829592) * t * Math.exp(-v * v));
}

const OPS: Record<string, string> = {
  Abs: 'Math.abs(x)',
  Elu: 'x >= 0 ? x : Math.exp(x) - 1',
  Erf: 'erf(x)',
  Exp: 'Math.exp(x)',
  Log: 'Math.log(x)',
  Log1p: 'Math.log1p(x)',
  Neg: '-x',
  Reciprocal: '1 / x',
  // (x + |x|) / 2 is exact, and NaN for NaN; only −∞ needs its own (predictable) test
  Relu: 'x === -Infinity ? 0 : (x + Math.abs(x)) * 0.5',
  Relu6: 'Math.min(Math.max(0, x), 6)',
  Rsqrt: '1 / Math.sqrt(x)',
  Sigmoid: '1 / (1 + Math.exp(-x))',
  Sqrt: 'Math.sqrt(x)',
  Square: 'x * x',
  Step: 'x !== x ? x : alpha + (1 - alpha) * +(x > 0)',
  Tanh: 'Math.tanh(x)',
};

export const UNARY_KERNELS = Object.keys(OPS);

const WASM_MIN = 2048;
const IN_WASM: Record<string, 'expN' | 'sigmoidN' | 'tanhN' | 'erfN'> = { Exp: 'expN', Sigmoid: 'sigmoidN', Tanh: 'tanhN', Erf: 'erfN' };

function inWasm(fn: 'expN' | 'sigmoidN' | 'tanhN' | 'erfN', xs: Float32Array): Float32Array {
  const m = wasm.mark();
  const p = wasm.put(xs);
  wasm.elementwise()[fn](xs.length, p, p);
  const out = wasm.take(p, xs.length);
  wasm.release(m);
  return out;
}

function makeLoop(expr: string): Loop {
  return new Function('out', 'xs', 'alpha', 'erf', `for (let i = 0, n = out.length; i < n; i++) { const x = xs[i]; out[i] = ${expr}; }`) as Loop;
}

export function makeUnary(original: KernelConfig): KernelConfig {
  const loop = makeLoop(OPS[original.kernelName]);
  const kernelFunc = (args: KernelArgs): TensorInfo | TensorInfo[] => {
    const x = args.inputs.x as TensorInfo;
    if (x.dtype !== 'float32') return original.kernelFunc(args as never);
    const backend = args.backend as CpuBackend;
    const xs = backend.data.get(x.dataId).values as Float32Array;
    const fn = IN_WASM[original.kernelName];
    if (fn && xs.length >= WASM_MIN) return backend.makeTensorInfo(x.shape, 'float32', inWasm(fn, xs));
    const out = new Float32Array(xs.length);
    loop(out, xs, (args.attrs?.alpha as number | undefined) ?? 0, erf);
    return backend.makeTensorInfo(x.shape, 'float32', out);
  };
  return { ...original, kernelFunc: kernelFunc as unknown as KernelConfig['kernelFunc'] };
}
