/**
 * BatchMatMul and _FusedMatMul for the tfjs `cpu` backend on the wasm sgemm.
 * Shapes, broadcasting (flattened batch index modulo each side's batch size) and errors follow
 * tfjs-backend-cpu's originals; anything they handle that we don't (non-float32 inputs, a bias or
 * PReLU alpha that is not a scalar or a row vector, an unknown activation) goes to the original.
 */
import { tf } from '../tf.js';
import * as wasm from '../wasm/index.js';
import {
  ACTIVATIONS, activate, rowLike, size, values,
  type CpuBackend, type KernelArgs, type KernelConfig, type TensorInfo,
} from './cpu_util.js';

interface Plan {
  outShape: number[];
  M: number; N: number; K: number;
  batch: number; batchA: number; batchB: number;
}

/** Shape logic of tfjs-backend-cpu's batchMatMul, with its error message. */
function plan(a: TensorInfo, b: TensorInfo, transA: boolean, transB: boolean): Plan {
  const ra = a.shape.length;
  const rb = b.shape.length;
  const K = transA ? a.shape[ra - 2] : a.shape[ra - 1];
  const kB = transB ? b.shape[rb - 1] : b.shape[rb - 2];
  const M = transA ? a.shape[ra - 1] : a.shape[ra - 2];
  const N = transB ? b.shape[rb - 2] : b.shape[rb - 1];
  const outer = tf.broadcast_util.assertAndGetBroadcastShape(a.shape.slice(0, -2), b.shape.slice(0, -2));
  tf.util.assert(K === kB, () =>
    `Error in matMul: inner shapes (${K}) and (${kB}) of Tensors with shapes ${a.shape} and ` +
    `${b.shape} and transposeA=${transA} and transposeB=${transB} must match.`);
  const batchA = size(a.shape.slice(0, -2));
  const batchB = size(b.shape.slice(0, -2));
  return { outShape: [...outer, M, N], M, N, K, batch: Math.max(batchA, batchB), batchA, batchB };
}

/** out[batch, M, N] = op(A)·op(B) (+ bias row / scalar), in wasm; returns a fresh Float32Array. */
function product(
  av: Float32Array, bv: Float32Array, p: Plan, transA: boolean, transB: boolean,
  bias?: Float32Array,
): Float32Array {
  const { M, N, K, batch, batchA, batchB } = p;
  const mk = wasm.mark();
  const pa = wasm.put(av);
  const pb = wasm.put(bv);
  const pc = wasm.alloc(batch * M * N);
  let pbias = 0;
  if (bias) {
    // a scalar bias is expanded to a row so one addBias pass serves both
    pbias = wasm.put(bias.length === N ? bias : new Float32Array(N).fill(bias[0]));
  }
  for (let i = 0; i < batch; i++) {
    const c = pc + i * M * N * 4;
    wasm.gemm(M, N, K, pa + (i % batchA) * M * K * 4, transA, pb + (i % batchB) * K * N * 4, transB, c);
    if (bias) wasm.addBias(M, N, c, pbias);
  }
  const out = wasm.take(pc, batch * M * N);
  wasm.release(mk);
  return out;
}

export function makeBatchMatMul(original: KernelConfig): KernelConfig {
  const kernelFunc = (args: KernelArgs): TensorInfo | TensorInfo[] => {
    const { a, b } = args.inputs as { a: TensorInfo; b: TensorInfo };
    if (a.dtype !== 'float32' || b.dtype !== 'float32') return original.kernelFunc(args as never);
    const transA = Boolean(args.attrs?.transposeA);
    const transB = Boolean(args.attrs?.transposeB);
    const backend = args.backend as CpuBackend;
    const p = plan(a, b, transA, transB);
    const out = product(values(backend, a), values(backend, b), p, transA, transB);
    return backend.makeTensorInfo(p.outShape, 'float32', out);
  };
  return { ...original, kernelFunc: kernelFunc as unknown as KernelConfig['kernelFunc'] };
}

export function makeFusedMatMul(original: KernelConfig): KernelConfig {
  const kernelFunc = (args: KernelArgs): TensorInfo | TensorInfo[] => {
    const { a, b, bias, preluActivationWeights: alphaT } = args.inputs;
    const attrs = args.attrs ?? {};
    const act = (attrs.activation as string | undefined) ?? 'linear';
    const transA = Boolean(attrs.transposeA);
    const transB = Boolean(attrs.transposeB);
    if (!a || !b || a.dtype !== 'float32' || b.dtype !== 'float32' || !ACTIVATIONS.has(act)) {
      return original.kernelFunc(args as never);
    }
    const p = plan(a, b, transA, transB);
    const rank = p.outShape.length;
    if (!rowLike(bias, p.N, rank) || (act === 'prelu' && (!alphaT || !rowLike(alphaT, p.N, rank)))) {
      return original.kernelFunc(args as never);
    }
    const backend = args.backend as CpuBackend;
    const out = product(values(backend, a), values(backend, b), p, transA, transB,
      bias ? values(backend, bias) : undefined);
    const alpha = act === 'prelu' && alphaT ? values(backend, alphaT) : undefined;
    activate(out, p.N, act, (attrs.leakyreluAlpha as number | undefined) ?? 0.2, alpha);
    return backend.makeTensorInfo(p.outShape, 'float32', out);
  };
  return { ...original, kernelFunc: kernelFunc as unknown as KernelConfig['kernelFunc'] };
}
