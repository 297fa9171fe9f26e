/**
 * Element-wise unary kernels (Exp, Log, Sqrt, Tanh, …) for the tfjs `cpu` backend. The originals
 * run every op through one shared loop that calls the op's function per element, a call site V8
 * cannot inline once it has seen several ops; here each op gets its own generated loop with the
 * expression inline (as binary.ts does for binary ops). Same formulas as tfjs-backend-cpu, so the
 * results are identical. Only float32 inputs; anything else goes to the original kernel.
 */
import type { CpuBackend, KernelArgs, KernelConfig, TensorInfo } from './cpu_util.js';

type Loop = (out: Float32Array, x: Float32Array) => void;

const OPS: Record<string, string> = {
  Abs: 'Math.abs(x)',
  Elu: 'x >= 0 ? x : Math.exp(x) - 1',
  Exp: 'Math.exp(x)',
  Log: 'Math.log(x)',
  Log1p: 'Math.log1p(x)',
  Neg: '-x',
  Reciprocal: '1 / x',
  Relu: 'Math.max(0, x)',
  Relu6: 'Math.min(Math.max(0, x), 6)',
  Rsqrt: '1 / Math.sqrt(x)',
  Sigmoid: '1 / (1 + Math.exp(-x))',
  Sqrt: 'Math.sqrt(x)',
  Square: 'x * x',
  Tanh: 'Math.tanh(x)',
};

export const UNARY_KERNELS = Object.keys(OPS);

function makeLoop(expr: string): Loop {
  return new Function('out', 'xs', `for (let i = 0, n = out.length; i < n; i++) { const x = xs[i]; out[i] = ${expr}; }`) as Loop;
}

export function makeUnary(original: KernelConfig): KernelConfig {
  const loop = makeLoop(OPS[original.kernelName]);
  const kernelFunc = (args: KernelArgs): TensorInfo | TensorInfo[] => {
    const x = args.inputs.x as TensorInfo;
    if (x.dtype !== 'float32') return original.kernelFunc(args as never);
    const backend = args.backend as CpuBackend;
    const xs = backend.data.get(x.dataId).values as Float32Array;
    const out = new Float32Array(xs.length);
    loop(out, xs);
    return backend.makeTensorInfo(x.shape, 'float32', out);
  };
  return { ...original, kernelFunc: kernelFunc as unknown as KernelConfig['kernelFunc'] };
}
