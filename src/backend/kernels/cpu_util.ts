/**
 * What the kernel overrides share: the slice of tfjs-backend-cpu they touch, and the epilogue of
 * the fused ops (bias along the last axis, then an activation) done in place on the output.
 */
import type { tf } from '../tf.js';

export type TensorInfo = tf.TensorInfo;
export type KernelConfig = ReturnType<typeof tf.getKernel>;
export type NamedAttrs = Record<string, unknown>;

/** The slice of MathBackendCPU these kernels touch. */
export interface CpuBackend {
  data: { get(dataId: object): { values: unknown } };
  makeTensorInfo(shape: number[], dtype: 'float32', values: Float32Array): TensorInfo;
}

export interface KernelArgs {
  inputs: Record<string, TensorInfo | undefined>;
  backend: unknown;
  attrs?: NamedAttrs;
}

export function values(backend: CpuBackend, t: TensorInfo): Float32Array {
  return backend.data.get(t.dataId).values as Float32Array;
}

export const size = (shape: number[]): number => shape.reduce((p, d) => p * d, 1);

/** A bias/alpha we can apply along the last axis: a scalar or [.., N] with all leading dims 1. */
export function rowLike(t: TensorInfo | undefined, N: number, outRank: number): boolean {
  if (!t) return true;
  if (t.dtype !== 'float32' || t.shape.length > outRank) return false;
  const n = size(t.shape);
  if (n === 1) return true;
  return n === N && t.shape[t.shape.length - 1] === N;
}

const sigmoid = (x: number): number => 1 / (1 + Math.exp(-x));

/** In-place activation on out[rows, N]; alpha is prelu's weights (length 1 or N). */
export function activate(out: Float32Array, N: number, act: string, leak: number, alpha?: Float32Array): void {
  const n = out.length;
  switch (act) {
    case 'linear':
      return;
    case 'relu':
      for (let i = 0; i < n; i++) if (out[i] < 0) out[i] = 0;
      return;
    case 'relu6':
      for (let i = 0; i < n; i++) out[i] = Math.min(Math.max(out[i], 0), 6);
      return;
    case 'elu':
      for (let i = 0; i < n; i++) if (out[i] < 0) out[i] = Math.exp(out[i]) - 1;
      return;
    case 'leakyrelu':
      for (let i = 0; i < n; i++) if (out[i] < 0) out[i] *= leak;
      return;
    case 'sigmoid':
      for (let i = 0; i < n; i++) out[i] = sigmoid(out[i]);
      return;
    case 'prelu': {
      const al = alpha as Float32Array;
      const scalar = al.length === 1;
      for (let i = 0; i < n; i++) if (out[i] < 0) out[i] *= scalar ? al[0] : al[i % N];
      return;
    }
  }
}

export const ACTIVATIONS = new Set(['linear', 'relu', 'relu6', 'elu', 'leakyrelu', 'sigmoid', 'prelu']);

