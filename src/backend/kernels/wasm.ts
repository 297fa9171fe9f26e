/**
 * Loads wasm/sgemm.wasm (built from wasm/sgemm.ts) synchronously and manages its memory as a
 * stack arena: callers `mark()`, `alloc()` float buffers, and `release(mark)` when done. Kernels
 * are synchronous and strictly nested, so a stack is all the allocator needs.
 *
 * The memory is shared with worker threads (threads.ts), which run blocks of large products.
 * Views: growing the memory replaces its buffer, so always read `heap()` AFTER the last alloc.
 */
import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { MAX_JOBS, parallelAllowed, readyWorkers, resetContentionGuard, runJobs, startWorkers, stopWorkers, type GemmArgs } from './threads.js';

interface SgemmExports {
  heapBase(): number;
  workspaceBytes(): number;
  sgemm(...args: GemmArgs): void;
  addBias(M: number, N: number, c: number, ldc: number, bias: number): void;
  lstmForward(B: number, U: number, xp: number, rec: number, h: number, c: number, sv: number, mask: number): void;
  gruForward(B: number, U: number, xp: number, rec: number, h: number, sv: number, mask: number): void;
  rnnForward(B: number, U: number, xp: number, rec: number, h: number, sv: number, mask: number): void;
}

const MAX_PAGES = 32768; // 2 GiB, as declared by the module (--maximumMemory)
const NR = 8; // the micro-kernel's column width: split points stay on panel boundaries
const MR = 6;

let ex: SgemmExports | undefined;
let module: WebAssembly.Module | undefined;
let memory: WebAssembly.Memory | undefined;
let top = 0;
let view: Float32Array = new Float32Array(0);
let threads = defaultThreads();
/** Multiply-adds below which a product stays on one thread (thread hand-off costs ~10-50 µs). */
const DEFAULT_MIN_WORK = 1 << 21;
let minParallelWork = DEFAULT_MIN_WORK;

function defaultThreads(): number {
  const env = Number(process.env.SEQNET_THREADS);
  if (Number.isInteger(env) && env >= 1) return env;
  return Math.min(availableParallelism(), 4);
}

function exportsOf(): SgemmExports {
  if (!ex) {
    // Same relative path from src/backend/kernels/*.ts (vitest) and dist/backend/kernels/*.js.
    const bytes = readFileSync(new URL('../../../wasm/sgemm.wasm', import.meta.url));
    module = new WebAssembly.Module(bytes);
    memory = new WebAssembly.Memory({ initial: 256, maximum: MAX_PAGES, shared: true });
    const env = { memory, abort: () => { throw new Error('sgemm.wasm aborted'); } };
    ex = new WebAssembly.Instance(module, { env }).exports as unknown as SgemmExports;
    top = ex.heapBase();
  }
  return ex;
}

function mem(): WebAssembly.Memory {
  exportsOf();
  return memory as WebAssembly.Memory;
}

/**
 * Threads used for large products (this one included); 1 disables the workers. Defaults to
 * SEQNET_THREADS or the core count (max 4). minWork: multiply-adds below which a product runs on
 * one thread (tests lower it to exercise the split on tiny shapes). No arguments: the defaults.
 */
export function configureThreads(n = defaultThreads(), minWork = DEFAULT_MIN_WORK): void {
  threads = Math.max(1, Math.floor(n));
  minParallelWork = minWork;
  resetContentionGuard();
  if (threads === 1) stopWorkers();
}

/** Threads that would run a large product right now (workers start asynchronously). */
export function activeThreads(): number {
  return threads > 1 ? Math.min(threads, readyWorkers() + 1) : 1;
}

/** The wasm memory as floats; re-read after any alloc (growth detaches old views). */
export function heap(): Float32Array {
  const m = mem();
  if (view.buffer !== m.buffer) view = new Float32Array(m.buffer);
  return view;
}

export function mark(): number {
  exportsOf();
  return top;
}

export function release(m: number): void {
  top = m;
}

/** Allocates n floats (16-byte aligned); returns a byte pointer. Contents are garbage. */
export function alloc(n: number): number {
  const m = mem();
  const p = top;
  top = p + Math.ceil((n * 4) / 16) * 16;
  const have = m.buffer.byteLength;
  if (top > have) {
    // grow by at least a quarter so a slowly rising peak does not grow page by page
    const pages = Math.ceil(Math.max(top - have, have / 4) / 65536);
    m.grow(Math.min(pages, MAX_PAGES - have / 65536));
  }
  return p;
}

/** Allocates and fills from src; returns the byte pointer. */
export function put(src: ArrayLike<number>): number {
  const p = alloc(src.length);
  heap().set(src, p >> 2);
  return p;
}

/** Copies n floats at p out of wasm memory. */
export function take(p: number, n: number): Float32Array {
  return heap().slice(p >> 2, (p >> 2) + n);
}

/**
 * C[M,N] = alpha·op(A)·op(B) (+ C when accumulate), on byte pointers into wasm memory.
 * lda/ldb/ldc default to the dense row strides of the stored matrices. Large products are cut
 * into column (or row) blocks of C, one per thread.
 */
export function gemm(
  M: number, N: number, K: number,
  a: number, transA: boolean, b: number, transB: boolean, c: number,
  opts: { alpha?: number; accumulate?: boolean; lda?: number; ldb?: number; ldc?: number } = {},
): void {
  const e = exportsOf();
  const lda = opts.lda ?? (transA ? M : K);
  const ldb = opts.ldb ?? (transB ? K : N);
  const ldc = opts.ldc ?? N;
  const alpha = opts.alpha ?? 1;
  const beta = opts.accumulate ? 1 : 0;
  const m = mark();
  const wsFloats = e.workspaceBytes() / 4;
  let workers = 0;
  if (threads > 1 && M * N * K >= minParallelWork && parallelAllowed()) {
    startWorkers(threads - 1, module as WebAssembly.Module, mem());
    workers = Math.min(threads - 1, readyWorkers());
  }
  // Cut C into blocks along its longer side, several per thread so that a thread the OS runs
  // late simply takes fewer of them.
  const byCols = N >= M;
  const unit = byCols ? NR : MR;
  const extent = byCols ? N : M;
  const blocks = workers ? Math.max(1, Math.min(MAX_JOBS, 4 * (workers + 1), Math.floor(extent / unit))) : 1;
  if (blocks === 1) {
    e.sgemm(M, N, K, alpha, a, lda, +transA, b, ldb, +transB, beta, c, ldc, alloc(wsFloats));
    release(m);
    return;
  }
  const step = Math.ceil(extent / blocks / unit) * unit;
  const jobs: GemmArgs[] = [];
  for (let o = 0; o < extent; o += step) {
    const len = Math.min(step, extent - o);
    if (byCols) {
      const bo = b + (transB ? o * ldb : o) * 4;
      jobs.push([M, len, K, alpha, a, lda, +transA, bo, ldb, +transB, beta, c + o * 4, ldc, 0]);
    } else {
      const ao = a + (transA ? o : o * lda) * 4;
      jobs.push([len, N, K, alpha, ao, lda, +transA, b, ldb, +transB, beta, c + o * ldc * 4, ldc, 0]);
    }
  }
  const workspaces = Array.from({ length: workers + 1 }, () => alloc(wsFloats));
  runJobs(jobs, workspaces, (args) => e.sgemm(...args));
  release(m);
}

/** The recurrent gate kernels of wasm/gates.ts (byte pointers; mask 0 = none). */
export function gates(): Pick<SgemmExports, 'lstmForward' | 'gruForward' | 'rnnForward'> {
  return exportsOf();
}

/** C[i,:] += bias for an M x N dense block at byte pointer c. */
export function addBias(M: number, N: number, c: number, bias: number): void {
  exportsOf().addBias(M, N, c, N, bias);
}

/**
 * Convenience: out[M,N] = op(A)·op(B) for JS arrays (copied in and out).
 * a holds op(A) stored as [M,K] (or [K,M] when transA), b likewise.
 */
export function matmul(
  a: Float32Array, b: Float32Array, M: number, N: number, K: number,
  transA = false, transB = false, out?: Float32Array,
): Float32Array {
  const m = mark();
  const pa = put(a);
  const pb = put(b);
  const pc = alloc(M * N);
  gemm(M, N, K, pa, transA, pb, transB, pc);
  const h = heap();
  const res = out ?? new Float32Array(M * N);
  res.set(h.subarray(pc >> 2, (pc >> 2) + M * N));
  release(m);
  return res;
}
