/**
 * Loads the sgemm module (built from wasm/sgemm.ts) synchronously and manages its memory as a
 * stack arena: callers `mark()`, `alloc()` float buffers, and `release(mark)` when done. Kernels
 * are synchronous and strictly nested, so a stack is all the allocator needs.
 *
 * The memory is shared with worker threads (threads.ts), which run blocks of large products.
 * Views: growing the memory replaces its buffer, so always read `heap()` AFTER the last alloc.
 */
import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { setFlagsFromString } from 'node:v8';
import { KIND_PACKED, KIND_SGEMM, MAX_JOBS, readyWorkers, runJobs, startWorkers, stopWorkers, type GemmArgs } from './threads.js';

interface SgemmExports {
  heapBase(): number;
  workspaceBytes(): number;
  sgemm(...args: GemmArgs): void;
  sgemmPacked(...args: GemmArgs): void;
  packB(K: number, N: number, b: number, ldb: number, transB: number, dst: number): void;
  packedFloats(K: number, N: number): number;
  addBias(M: number, N: number, c: number, ldc: number, bias: number): void;
  lstmForward(B: number, U: number, xp: number, rec: number, hIn: number, hOut: number, cIn: number, cOut: number, sv: number, mask: number): void;
  gruForward(B: number, U: number, xp: number, rec: number, hIn: number, hOut: number, sv: number, mask: number): void;
  rnnForward(B: number, U: number, xp: number, rec: number, hIn: number, hOut: number, sv: number, mask: number): void;
  lstmBackward(B: number, U: number, gx: number, dh: number, dc: number, dhd: number, sv: number, cp: number, mask: number): void;
  gruBackward(B: number, U: number, gx: number, gr: number, dh: number, dhd: number, sv: number, hp: number, mask: number): void;
  rnnBackward(B: number, U: number, gx: number, dh: number, dhd: number, sv: number, mask: number): void;
  colSums(rows: number, cols: number, m: number, out: number, acc: number): void;
}

const MAX_PAGES = 32768; // 2 GiB, as declared by the module (--maximumMemory)
const NR = 8; // the micro-kernel's column width: split points stay on panel boundaries
const MR = 4;

let ex: SgemmExports | undefined;
let module: WebAssembly.Module | undefined;
let memory: WebAssembly.Memory | undefined;
let top = 0;
let view: Float32Array = new Float32Array(0);
let threads = defaultThreads();
/** Multiply-adds below which a product stays on one thread (thread hand-off costs ~10-50 µs). */
const DEFAULT_MIN_WORK = 1 << 21;
let minParallelWork = DEFAULT_MIN_WORK;

// Autotuning: threads only pay when the cores are free; with other processes on them a
// descheduled worker stalls every product. So large products alternate short probes (PROBE_MS of
// work on one thread, then on all) and then run RUN_MS with whichever was faster. Tests pin the
// choice with configureThreads(n, minWork, false).
const PROBE_MS = 60, RUN_MS = 3000;
let tune = { phase: 'one' as 'one' | 'all' | 'run', macs: 0, ms: 0, rateOne: 0, useAll: true, until: 0 };
let autotune = true;

function wantParallel(): boolean {
  if (!autotune) return true;
  if (tune.phase === 'run') {
    if (performance.now() < tune.until) return tune.useAll;
    tune = { ...tune, phase: 'one', macs: 0, ms: 0 };
  }
  return tune.phase === 'all';
}

function record(macs: number, ms: number): void {
  if (!autotune || tune.phase === 'run') return;
  tune.macs += macs;
  tune.ms += ms;
  if (tune.ms < PROBE_MS) return;
  const rate = tune.macs / tune.ms;
  if (tune.phase === 'one') tune = { ...tune, phase: 'all', rateOne: rate, macs: 0, ms: 0 };
  else tune = { ...tune, phase: 'run', useAll: rate > 1.1 * tune.rateOne, until: performance.now() + RUN_MS, macs: 0, ms: 0 };
}

function defaultThreads(): number {
  const env = Number(process.env.SEQNET_THREADS);
  if (Number.isInteger(env) && env >= 1) return env;
  return Math.min(availableParallelism(), 4);
}

/** Which build runs: 'relaxed' (fused multiply-adds) or 'simd'. */
let variant: 'relaxed' | 'simd' = 'simd';

/**
 * The relaxed-SIMD build (FMA instructions: ~1.3-2x the products' speed) where this V8 accepts
 * it, else the plain SIMD one. Node 20's V8 has relaxed SIMD behind a flag, which is switched on
 * here (it only widens what the wasm validator accepts); SEQNET_SGEMM=simd forces the plain build.
 */
function loadBytes() {
  // Same relative path from src/backend/kernels/*.ts (vitest) and dist/backend/kernels/*.js.
  const file = (name: string) => readFileSync(new URL(`../../../wasm/${name}`, import.meta.url));
  if (process.env.SEQNET_SGEMM !== 'simd') {
    const relaxed = file('sgemm-relaxed.wasm');
    if (!WebAssembly.validate(relaxed)) setFlagsFromString('--experimental-wasm-relaxed-simd');
    if (WebAssembly.validate(relaxed)) {
      variant = 'relaxed';
      return relaxed;
    }
  }
  variant = 'simd';
  return file('sgemm.wasm');
}

/** The sgemm build in use: 'relaxed' (FMA) or 'simd'. */
export function sgemmVariant(): 'relaxed' | 'simd' {
  exportsOf();
  return variant;
}

function exportsOf(): SgemmExports {
  if (!ex) {
    const bytes = loadBytes();
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
 * one thread (tests lower it to exercise the split on tiny shapes). tuned: let the autotuner
 * fall back to one thread when that measures faster. No arguments: the defaults.
 */
export function configureThreads(n = defaultThreads(), minWork = DEFAULT_MIN_WORK, tuned = true): void {
  autotune = tuned;
  threads = Math.max(1, Math.floor(n));
  minParallelWork = minWork;
  tune = { phase: 'one', macs: 0, ms: 0, rateOne: 0, useAll: true, until: 0 };
  if (threads === 1) stopWorkers();
}

/** Threads available to a large product right now (workers start asynchronously). */
export function activeThreads(): number {
  return threads > 1 ? Math.min(threads, readyWorkers() + 1) : 1;
}

/** What the autotuner currently picks for large products: 'all' threads, 'one', or 'probing'. */
export function threadChoice(): 'all' | 'one' | 'probing' {
  if (!autotune) return 'all';
  return tune.phase === 'run' ? (tune.useAll ? 'all' : 'one') : 'probing';
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
  const macs = M * N * K;
  const { workers, timed } = workersFor(macs);
  // Cut C into blocks along its longer side, several per thread so that a thread the OS runs
  // late simply takes fewer of them.
  const byCols = N >= M;
  const unit = byCols ? NR : MR;
  const extent = byCols ? N : M;
  const blocks = workers ? Math.max(1, Math.min(MAX_JOBS, 4 * (workers + 1), Math.floor(extent / unit))) : 1;
  const t0 = timed ? performance.now() : 0;
  if (blocks === 1) {
    e.sgemm(M, N, K, alpha, a, lda, +transA, b, ldb, +transB, beta, c, ldc, alloc(wsFloats), KIND_SGEMM);
    if (timed) record(macs, performance.now() - t0);
    release(m);
    return;
  }
  const step = Math.ceil(extent / blocks / unit) * unit;
  const jobs: GemmArgs[] = [];
  for (let o = 0; o < extent; o += step) {
    const len = Math.min(step, extent - o);
    if (byCols) {
      const bo = b + (transB ? o * ldb : o) * 4;
      jobs.push([M, len, K, alpha, a, lda, +transA, bo, ldb, +transB, beta, c + o * 4, ldc, 0, KIND_SGEMM]);
    } else {
      const ao = a + (transA ? o : o * lda) * 4;
      jobs.push([len, N, K, alpha, ao, lda, +transA, b, ldb, +transB, beta, c + o * ldc * 4, ldc, 0, KIND_SGEMM]);
    }
  }
  runParallel(jobs, workers, wsFloats);
  record(macs, performance.now() - t0);
  release(m);
}

function runParallel(jobs: GemmArgs[], workers: number, wsFloats: number): void {
  const e = exportsOf();
  const workspaces = Array.from({ length: workers + 1 }, () => alloc(wsFloats));
  runJobs(jobs, workspaces, (args) => (args[14] === KIND_PACKED ? e.sgemmPacked(...args) : e.sgemm(...args)));
}

/** Workers to use for a product of `macs` multiply-adds (0: this thread alone); starts the pool. */
function workersFor(macs: number): { workers: number; timed: boolean } {
  if (threads <= 1 || macs < minParallelWork) return { workers: 0, timed: false };
  startWorkers(threads - 1, module as WebAssembly.Module, mem());
  const ready = Math.min(threads - 1, readyWorkers());
  const timed = ready > 0; // the tuner compares like with like: only once workers exist
  return { workers: timed && wantParallel() ? ready : 0, timed };
}

/**
 * Packs op(B) [K, N] (stored [K, N], or [N, K] when transB) once for many gemmPacked calls;
 * returns a byte pointer to the packed copy, allocated on the arena.
 */
export function packB(K: number, N: number, b: number, transB: boolean): number {
  const e = exportsOf();
  const p = alloc(e.packedFloats(K, N));
  e.packB(K, N, b, transB ? K : N, +transB, p);
  return p;
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
  const blocks = workers ? Math.max(1, Math.min(MAX_JOBS, 4 * (workers + 1), Math.floor(N / NR))) : 1;
  const t0 = timed ? performance.now() : 0;
  if (blocks === 1) {
    e.sgemmPacked(M, N, K, 1, a, lda, +transA, packed, N, 0, beta, c, N, alloc(wsFloats), KIND_PACKED);
  } else {
    const step = Math.ceil(N / blocks / NR) * NR;
    const jobs: GemmArgs[] = [];
    for (let o = 0; o < N; o += step) {
      jobs.push([M, Math.min(step, N - o), K, 1, a, lda, +transA, packed, N, o, beta, c + o * 4, N, 0, KIND_PACKED]);
    }
    runParallel(jobs, workers, wsFloats);
  }
  if (timed) record(macs, performance.now() - t0);
  release(m);
}

type GateKernels = 'lstmForward' | 'gruForward' | 'rnnForward' | 'lstmBackward' | 'gruBackward' | 'rnnBackward';

/** The recurrent gate kernels of wasm/gates.ts (byte pointers; mask 0 = none). */
export function gates(): Pick<SgemmExports, GateKernels> {
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
