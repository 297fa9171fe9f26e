/**
 * The calls fused ops and kernel overrides make into the wasm kernel library, on the runtime's
 * arena, worker pool and tuner (runtime.ts): matrix products (one thread for small ones, blocks
 * of C spread over the workers for large ones), jobs of the row loops, and typed access to the
 * library's other exports.
 */
import { runtime } from '../runtime.js';
import { JOB_ARITY, JOB_KINDS, KIND, MAX_JOB_ARGS, type KernelExports } from './interface.js';
import { MAX_JOBS, type JobArgs } from './pool.js';

export { unfilledFloats } from './arena.js';

const MR = 4;

/** The library's exports (loads it on first use). */
export const exportsOf = (): KernelExports => runtime().arena.exports;
export const heap = (): Float32Array => runtime().arena.heap();
export const mark = (): number => runtime().arena.mark();
export const release = (m: number): void => runtime().arena.release(m);
export const alloc = (n: number): number => runtime().arena.alloc(n);
export const put = (src: ArrayLike<number>): number => runtime().arena.put(src);
export const take = (p: number, n: number): Float32Array => runtime().arena.take(p, n);
export const pin = (n: number): number => runtime().arena.pin(n);
export const unpin = (p: number): void => runtime().arena.unpin(p);
export const pinnedBytes = (): number => runtime().arena.pinnedBytes();
export const activeThreads = (): number => runtime().activeThreads();
/**
 * out row i = table row ids[i] (width floats each) with the native kernels' prefetching gather;
 * false where they are off or an index or length does not fit (the caller then copies in JS).
 */
export const gatherRowsNative = (table: Float32Array, ids: Int32Array, out: Float32Array, width: number): boolean =>
  runtime().library.native?.gatherRows(table, ids, out, width) ?? false;
/** out[i] = a[i] + b[i mod b.length] with the native kernels; false where they are off or the lengths do not fit. */
export const addRowsNative = (a: Float32Array, b: Float32Array, out: Float32Array): boolean =>
  runtime().library.native?.addRows(a, b, out) ?? false;
/** The products' column panel (library.ts): column blocks given to threads start on its boundaries. */
const panelWidth = (): number => runtime().library.panelWidth;

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
  const macs = M * N * K;
  const { workers, timed } = workersFor(macs);
  // Cut C into blocks along its longer side, several per thread so that a thread the OS runs
  // late simply takes fewer of them.
  const byCols = N >= M;
  const NR = panelWidth();
  const unit = byCols ? NR : MR;
  const extent = byCols ? N : M;
  const blocks = workers ? Math.max(1, Math.min(MAX_JOBS, 4 * (workers + 1), Math.floor(extent / unit))) : 1;
  const t0 = timed ? performance.now() : 0;
  if (blocks === 1) {
    e.sgemm(M, N, K, alpha, a, lda, +transA, b, ldb, +transB, beta, c, ldc, alloc(wsFloats));
    if (timed) runtime().tuner.record(macs, performance.now() - t0);
    release(m);
    return;
  }
  const step = Math.ceil(extent / blocks / unit) * unit;
  const jobs: JobArgs[] = [];
  for (let o = 0; o < extent; o += step) {
    const len = Math.min(step, extent - o);
    if (byCols) {
      const bo = b + (transB ? o * ldb : o) * 4;
      jobs.push([M, len, K, alpha, a, lda, +transA, bo, ldb, +transB, beta, c + o * 4, ldc, 0, KIND.sgemm]);
    } else {
      const ao = a + (transA ? o : o * lda) * 4;
      jobs.push([len, N, K, alpha, ao, lda, +transA, b, ldb, +transB, beta, c + o * ldc * 4, ldc, 0, KIND.sgemm]);
    }
  }
  runParallel(jobs, workers, wsFloats);
  runtime().tuner.record(macs, performance.now() - t0);
  release(m);
}

function runParallel(jobs: JobArgs[], workers: number, wsFloats: number): void {
  const e = exportsOf() as unknown as Record<string, (...a: number[]) => void>;
  const workspaces = Array.from({ length: workers + 1 }, () => alloc(wsFloats));
  runtime().pool.run(jobs, workspaces, (args) => {
    const kind = args[MAX_JOB_ARGS + 1];
    e[JOB_KINDS[kind]](...args.slice(0, JOB_ARITY[kind]), args[MAX_JOB_ARGS]); // the arguments, then the workspace
  });
}

/**
 * Runs jobs of one kind (KIND.attnForward, …: up to MAX_JOB_ARGS arguments each, the thread's
 * workspace appended) on this thread and the workers when `work` (multiply-adds in all) is worth
 * a hand-off, else all here; returns when every job is done.
 */
export function runKernelJobs(kind: number, jobs: number[][], work: number): void {
  const m = mark();
  const { workers } = workersFor(work);
  if (workers === 0) {
    // all on this thread: straight calls, no job table (a token's layer norm is ~100 floats)
    const f = exportsOf()[JOB_KINDS[kind]] as (...a: number[]) => void;
    const ws = alloc(exportsOf().workspaceBytes() / 4);
    for (const j of jobs) f(...j, ...new Array(JOB_ARITY[kind] - j.length).fill(0), ws);
  } else {
    const table = jobs.map((j) => [...j, ...new Array(MAX_JOB_ARGS + 1 - j.length).fill(0), kind] as JobArgs);
    runParallel(table, workers, exportsOf().workspaceBytes() / 4);
  }
  release(m);
}

/** [r0, r1) ranges cutting n into at most `parts` chunks, each but the last a multiple of `align`. */
export function chunks(n: number, parts: number, align = 1): [number, number][] {
  const step = Math.max(align, Math.ceil(n / parts / align) * align);
  const out: [number, number][] = [];
  for (let r = 0; r < n; r += step) out.push([r, Math.min(n, r + step)]);
  return out;
}

const PARTS = 4; // element-wise and row jobs per call: a few per thread
const ELEMENT_WORK = 16; // multiply-add equivalents of one GELU element, for the hand-off threshold

/** GELU of n floats at src into dst (may be src), spread over the threads when large. */
export function geluN(n: number, src: number, dst: number): void {
  const jobs = chunks(n, PARTS, 4).map(([a, b]) => [b - a, src + a * 4, dst + a * 4]);
  runKernelJobs(KIND.geluN, jobs, n * ELEMENT_WORK);
}

/** dL/dx of GELU from x (xs) and dL/dy (dys) into dst (may be either), spread over the threads. */
export function geluGradN(n: number, xs: number, dys: number, dst: number): void {
  const jobs = chunks(n, PARTS, 4).map(([a, b]) => [b - a, xs + a * 4, dys + a * 4, dst + a * 4]);
  runKernelJobs(KIND.geluGradN, jobs, n * ELEMENT_WORK);
}

/** Layer norm of N rows of D floats (wasm/norm.ts layerNormRows), rows spread over the threads. */
export function layerNorm(N: number, D: number, x: number, g: number, b: number, eps: number, y: number, mean: number, rstd: number): void {
  const jobs = chunks(N, PARTS).map(([r0, r1]) => [r1 - r0, D, x + r0 * D * 4, g, b, eps, y + r0 * D * 4, mean + r0 * 4, rstd + r0 * 4]);
  runKernelJobs(KIND.layerNormRows, jobs, N * D * 8);
}

/**
 * Layer norm gradient (wasm/norm.ts layerNormGradRows), rows spread over the threads: each job
 * sums its rows' dgamma and dbeta into a block of its own, added into dg and db (D floats) after.
 */
export function layerNormGrad(
  N: number, D: number, x: number, dy: number, g: number, mean: number, rstd: number, dx: number, dg: number, db: number,
): void {
  const m = mark();
  const parts = chunks(N, PARTS);
  const acc = alloc(parts.length * 2 * D);
  heap().fill(0, acc >> 2, (acc >> 2) + parts.length * 2 * D);
  const jobs = parts.map(([r0, r1], j) => {
    const o = r0 * D * 4;
    return [r1 - r0, D, x + o, dy + o, g, mean + r0 * 4, rstd + r0 * 4, dx + o, acc + j * 2 * D * 4, acc + (j * 2 + 1) * D * 4];
  });
  runKernelJobs(KIND.layerNormGradRows, jobs, N * D * 12);
  const h = heap();
  for (let j = 0; j < parts.length; j++) {
    const a = (acc >> 2) + j * 2 * D;
    for (let i = 0; i < D; i++) {
      h[(dg >> 2) + i] += h[a + i];
      h[(db >> 2) + i] += h[a + D + i];
    }
  }
  release(m);
}

/** Workers to use for a product of `macs` multiply-adds (0: this thread alone); starts the pool. */
function workersFor(macs: number): { workers: number; timed: boolean } {
  const rt = runtime();
  const { threads, minParallelWork } = rt.tuner;
  if (threads <= 1 || macs < minParallelWork) return { workers: 0, timed: false };
  rt.pool.start(threads - 1, rt.library.module, rt.library.memory, rt.library.native);
  const ready = Math.min(threads - 1, rt.pool.ready());
  const timed = ready > 0; // the tuner compares like with like: only once workers exist
  return { workers: timed && rt.tuner.wantParallel() ? ready : 0, timed };
}

/**
 * Packs op(B) [K, N] (stored [K, N], or [N, K] when transB) once for many gemmPacked calls;
 * returns a byte pointer to the packed copy, allocated on the arena.
 */
export function packB(K: number, N: number, b: number, transB: boolean): number {
  const p = alloc(packedFloats(K, N));
  packBInto(K, N, b, transB, p);
  return p;
}

/** A pinned copy of src (call with an empty arena stack); a byte pointer. */
export function pinCopy(src: Float32Array): number {
  const p = pin(src.length);
  heap().set(src, p >> 2);
  return p;
}

/** A pinned copy of src [K, N] packed as the B of K x N products (call with an empty arena stack). */
export function pinPacked(src: Float32Array, K: number, N: number): number {
  const p = pin(packedFloats(K, N));
  const m = mark();
  packBInto(K, N, put(src), false, p);
  release(m);
  return p;
}

/** Floats of a packed op(B) [K, N]. */
export function packedFloats(K: number, N: number): number {
  return exportsOf().packedFloats(K, N);
}

/** packB into a given block of packedFloats(K, N) floats. */
export function packBInto(K: number, N: number, b: number, transB: boolean, dst: number): void {
  exportsOf().packB(K, N, b, transB ? K : N, +transB, dst);
}

/** C[M,N] = op(A)·B (+ C when accumulate) with B packed by packB(K, N, …). */
export function gemmPacked(
  M: number, N: number, K: number, a: number, transA: boolean, packed: number, c: number,
  opts: { accumulate?: boolean } = {},
): void {
  const e = exportsOf();
  const lda = transA ? M : K;
  const beta = opts.accumulate ? 1 : 0;
  const m = mark();
  const wsFloats = e.workspaceBytes() / 4;
  const macs = M * N * K;
  const { workers, timed } = workersFor(macs);
  const NR = panelWidth();
  const blocks = workers ? Math.max(1, Math.min(MAX_JOBS, 4 * (workers + 1), Math.floor(N / NR))) : 1;
  const t0 = timed ? performance.now() : 0;
  if (blocks === 1) {
    e.sgemmPacked(M, N, K, 1, a, lda, +transA, packed, N, 0, beta, c, N, alloc(wsFloats));
  } else {
    const step = Math.ceil(N / blocks / NR) * NR;
    const jobs: JobArgs[] = [];
    for (let o = 0; o < N; o += step) {
      jobs.push([M, Math.min(step, N - o), K, 1, a, lda, +transA, packed, N, o, beta, c + o * 4, N, 0, KIND.sgemmPacked]);
    }
    runParallel(jobs, workers, wsFloats);
  }
  if (timed) runtime().tuner.record(macs, performance.now() - t0);
  release(m);
}

type GateKernels =
  'toSteps' | 'fromSteps' | 'seqOutputs' | 'lstmForward' | 'gruForward' | 'rnnForward';

/** The recurrent gate kernels and layout helpers of wasm/gates.ts, wasm/seq.ts (byte pointers; mask 0 = none). */
export function gates(): Pick<KernelExports, GateKernels> {
  return exportsOf();
}

/** The element-wise transcendentals of wasm/elementwise.ts (n floats, src and dst byte pointers). */
export function elementwise(): Pick<KernelExports, 'expN' | 'sigmoidN' | 'tanhN' | 'erfN' | 'geluN' | 'geluGradN' | 'addArrays'> {
  return exportsOf();
}

/** The row kernels of wasm/attention.ts and wasm/attn_decode.ts (byte pointers). */
export function attentionRows(): Pick<KernelExports, 'softmaxRows' | 'softmaxGradRows' | 'mulRows' | 'attnDecodeRow'> {
  return exportsOf();
}

/** The cached-generation block kernel of wasm/decode_loop.ts (an i32 argument block) and its workspace size. */
export function decodeKernels(): Pick<KernelExports, 'decodeBlockRows' | 'workspaceBytes'> {
  return exportsOf();
}

/** Column sums of a dense rows x cols block at byte pointer m (accumulated in f64), as a new array. */
export function colSums(rows: number, cols: number, m: number): Float32Array {
  const mk = mark();
  const out = alloc(cols);
  exportsOf().colSums(rows, cols, m, out, alloc(2 * cols));
  const r = take(out, cols);
  release(mk);
  return r;
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
