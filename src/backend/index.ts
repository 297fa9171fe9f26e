/**
 * The one place that decides the TensorFlow.js engine. Everything else imports `tf` from here.
 *
 * Order for `auto`: @tensorflow/tfjs-node (native TensorFlow) when it loads, else the pure-JS
 * `cpu` backend of @tensorflow/tfjs with seqnet's fast kernels, announced in one line.
 * The native packages are CommonJS addons that register the `tensorflow` backend on the same
 * tfjs-core instance as @tensorflow/tfjs, so `tf` below is the same object on every path.
 */
import { createRequire } from 'node:module';
import { BackendError } from '../util/errors.js';
import { tf } from './tf.js';
import { CPU_KERNELS } from './kernels/register.js';
import { runtime, type KernelMode } from './runtime.js';

export { tf };
export { runtime, type KernelMode, type Runtime } from './runtime.js';

export type Device = 'auto' | 'cpu' | 'gpu';

export interface BackendInfo {
  /** tfjs backend name: 'tensorflow' (native) or 'cpu' (pure JS) */
  backend: string;
  /** what the user gets, in words */
  engine: string;
  native: boolean;
  kernels: KernelMode;
  tfjsVersion: string;
  /** why native TensorFlow is or is not in use */
  nativeStatus: string;
  /** which build of seqnet's kernels the fast path runs, and why not the native one */
  kernelBuild: string;
  /** the one-line notice to print on stderr, if any */
  notice?: string;
}

const require = createRequire(import.meta.url);
let current: BackendInfo | undefined;

function tryLoad(pkg: string): { ok: true } | { ok: false; reason: string } {
  try {
    require(pkg);
    return { ok: true };
  } catch (e) {
    const msg = e instanceof Error ? e.message.split('\n')[0] : String(e);
    if (/Cannot find module/.test(msg) && msg.includes(pkg)) return { ok: false, reason: `${pkg} is not installed` };
    if (/tfjs_binding\.node|libtensorflow/.test(msg)) {
      return { ok: false, reason: `${pkg} is installed but its native library is missing (its install could not download libtensorflow)` };
    }
    return { ok: false, reason: `${pkg} failed to load (${msg})` };
  }
}

export interface BackendOptions {
  device?: Device;
  kernels?: KernelMode;
}

/** Which build of seqnet's kernels runs: ', native AVX-512' (the addon, native.ts) or '' (wasm). */
function kernelBuild(): string {
  const n = runtime().library.native;
  return n ? `, native ${n.target}` : '';
}

/** The kernel build in detail, for `seqnet info`. */
function kernelBuildDetail(): string {
  const lib = runtime().library;
  if (lib.native) return `native ${lib.native.target} (${lib.native.path}), the rest on wasm ${lib.variant === 'relaxed' ? 'relaxed SIMD' : 'SIMD'}`;
  return `wasm ${lib.variant === 'relaxed' ? 'relaxed SIMD (FMA)' : 'SIMD'}; native kernels off: ${lib.nativeOff}`;
}

/** Picks and initialises the engine; idempotent for the same options. */
export async function initBackend(opts: BackendOptions = {}): Promise<BackendInfo> {
  const device = opts.device ?? 'auto';
  const kernels = opts.kernels ?? 'fast';
  if (current && current.kernels === kernels && runtime().mode === current.kernels && (device === 'auto' || (device === 'gpu') === current.native)) {
    return current;
  }
  let nativeStatus: string;
  let native = false;
  if (device === 'gpu') {
    const r = tryLoad('@tensorflow/tfjs-node-gpu');
    if (!r.ok) {
      throw new BackendError(
        `--device gpu needs @tensorflow/tfjs-node-gpu (TensorFlow with CUDA), but ${r.reason}.\n` +
          'Install it with `npm install @tensorflow/tfjs-node-gpu` on a machine with CUDA, or use --device auto.',
      );
    }
    native = true;
    nativeStatus = 'using @tensorflow/tfjs-node-gpu (CUDA)';
  } else if (device === 'auto') {
    const r = tryLoad('@tensorflow/tfjs-node');
    native = r.ok;
    nativeStatus = r.ok ? 'using @tensorflow/tfjs-node (native TensorFlow)' : r.reason;
  } else {
    nativeStatus = 'not used: --device cpu forces the pure-JS backend';
  }

  if (native) {
    await tf.setBackend('tensorflow');
  } else {
    await tf.setBackend('cpu');
    // tfjs-backend-cpu prints a multi-line banner on first use in Node; we print our own line.
    (tf.backend() as unknown as { firstUse: boolean }).firstUse = false;
  }
  await tf.ready();
  const fast = kernels === 'fast' && !native;
  runtime().setMode(fast ? 'fast' : 'reference', CPU_KERNELS);

  current = {
    backend: tf.getBackend(),
    engine: native ? 'native TensorFlow' : `pure JavaScript (${fast ? `seqnet fast kernels${kernelBuild()}` : 'reference kernels'})`,
    native,
    kernels: fast ? 'fast' : 'reference',
    tfjsVersion: tf.version.tfjs,
    nativeStatus,
    kernelBuild: native ? 'none (native TensorFlow runs every op)' : fast ? kernelBuildDetail() : 'none (reference kernels)',
    notice:
      device === 'auto' && !native
        ? `seqnet: native TensorFlow not available (${nativeStatus}); using the pure-JS backend` +
          `${fast ? ' with seqnet fast kernels' : ''}. See \`seqnet info\`.`
        : undefined,
  };
  return current;
}

/** The engine chosen by initBackend (throws if called before it). */
export function backendInfo(): BackendInfo {
  if (!current) throw new Error('initBackend() has not been called');
  return current;
}
