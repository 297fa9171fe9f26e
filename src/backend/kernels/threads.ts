/**
 * A tiny pool of worker threads that run sgemm blocks (and the attention loops) on the shared wasm
 * memory. The main thread writes a table of jobs (disjoint blocks of C, or of batch rows) to a SharedArrayBuffer, wakes the workers, and
 * every thread, main included, takes jobs from a shared counter until none are left (so a worker
 * that the OS schedules late just takes fewer). The main thread then blocks in Atomics.wait until
 * each woken worker has checked out (Node allows Atomics.wait on the main thread; the kernels are
 * synchronous anyway). Workers start asynchronously: one is only used once it reports ready, and
 * one whose job throws is dropped; any job left unfinished is redone inline.
 */
import { Worker } from 'node:worker_threads';

/**
 * One job: up to 13 arguments of a wasm export, a slot for the running thread's sgemm workspace
 * (passed as the export's last argument), then which export: KIND_SGEMM or KIND_PACKED (the 14
 * arguments of sgemm / sgemmPacked, in export order; sgemmPacked's b, ldb, transB slots hold its
 * packed B, total columns and first column), or one of the attention loops (wasm/attn_loop.ts).
 */
export type GemmArgs = [
  M: number, N: number, K: number, alpha: number,
  a: number, lda: number, transA: number,
  b: number, ldb: number, transB: number,
  beta: number, c: number, ldc: number, ws: number,
  kind: number,
];
export const KIND_SGEMM = 0, KIND_PACKED = 1, KIND_ATTN_FORWARD = 2, KIND_ATTN_BACKWARD = 3;
export const KIND_GELU = 4, KIND_GELU_GRAD = 5, KIND_NORM = 6, KIND_NORM_GRAD = 7, KIND_SEQ_FORWARD = 8, KIND_SEQ_BACKWARD = 9;
/** The export each kind calls, how many arguments it takes before the workspace, which are f32. */
export const KIND_EXPORTS = [
  'sgemm', 'sgemmPacked', 'attnForward', 'attnBackward', 'geluN', 'geluGradN', 'layerNormRows', 'layerNormGradRows',
  'seqForwardRows', 'seqBackwardRows',
] as const;
export const KIND_ARITY = [13, 13, 13, 12, 3, 4, 9, 10, 3, 3];
export const KIND_FLOATS: number[][] = [[3, 10], [3, 10], [], [], [], [], [5], [], [], []];

export const MAX_JOBS = 64;
// job table, Int32 slots: 0 next job, 1 job count, then 16 per job: 14 args, kind, done flag
const NEXT = 0, COUNT = 1, HEAD = 4, STRIDE = 16, KIND = 14, DONE_FLAG = 15;
// control block per worker, Int32 slots
const SEQ = 0, DONE = 1, STATUS = 2, WS = 3, SLEEPING = 4;
/** How long an idle worker polls for the next job before it sleeps (a step's products come in bursts). */
const SPIN_MS = 0.05;
const READY = 1, FAILED = 2, STOP = 3;

// Plain JS (eval'd, CommonJS) so it runs the same from src/ under vitest and from dist/.
const WORKER_SOURCE = `
const { workerData } = require('node:worker_threads');
const { module, memory, ctrl, table } = workerData;
const c = new Int32Array(ctrl), ti = new Int32Array(table), tf = new Float32Array(table);
const names = ${JSON.stringify(KIND_EXPORTS)}, arity = ${JSON.stringify(KIND_ARITY)}, floats = ${JSON.stringify(KIND_FLOATS)};
let fns;
try {
  const ex = new WebAssembly.Instance(module, { env: { memory, abort() { throw new Error('abort'); } } }).exports;
  fns = names.map((n) => ex[n]);
  Atomics.store(c, ${STATUS}, ${READY});
} catch (e) {
  Atomics.store(c, ${STATUS}, ${FAILED});
}
Atomics.notify(c, ${STATUS});
let seq = 0;
while (fns) {
  // poll a moment first: waking a sleeping thread costs a system call on each side
  for (const until = performance.now() + ${SPIN_MS}; Atomics.load(c, ${SEQ}) === seq && performance.now() < until;);
  Atomics.store(c, ${SLEEPING}, 1);
  Atomics.wait(c, ${SEQ}, seq);
  Atomics.store(c, ${SLEEPING}, 0);
  seq = Atomics.load(c, ${SEQ});
  if (Atomics.load(c, ${STATUS}) === ${STOP}) break;
  try {
    for (;;) {
      const j = Atomics.add(ti, ${NEXT}, 1);
      if (j >= Atomics.load(ti, ${COUNT})) break;
      const o = ${HEAD} + j * ${STRIDE};
      const kind = ti[o + ${KIND}], n = arity[kind];
      const args = new Array(n + 1);
      for (let i = 0; i < n; i++) args[i] = floats[kind].includes(i) ? tf[o + i] : ti[o + i];
      args[n] = Atomics.load(c, ${WS}); // this thread's packing workspace
      fns[kind](...args);
      Atomics.store(ti, o + ${DONE_FLAG}, 1);
    }
  } catch (e) {
    Atomics.store(c, ${STATUS}, ${FAILED});
  }
  Atomics.store(c, ${DONE}, seq);
  Atomics.notify(c, ${DONE});
}
`;

interface Slot {
  worker: Worker;
  ctrl: Int32Array;
  seq: number;
}

let slots: Slot[] = [];
let started = 0; // pool size last asked for: workers that die are not respawned
const tableBuf = new SharedArrayBuffer((HEAD + MAX_JOBS * STRIDE) * 4);
const ti = new Int32Array(tableBuf);
const tfl = new Float32Array(tableBuf);

/** Starts n workers on the module and shared memory (idempotent for the same n). */
export function startWorkers(n: number, module: WebAssembly.Module, memory: WebAssembly.Memory): void {
  if (started === n) return;
  stopWorkers();
  started = n;
  for (let i = 0; i < n; i++) {
    const ctrl = new SharedArrayBuffer(5 * 4); // SEQ, DONE, STATUS, WS, SLEEPING
    const worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { module, memory, ctrl, table: tableBuf } });
    worker.unref(); // never keeps the process alive
    worker.on('error', () => undefined); // a dead worker is detected through its status
    slots.push({ worker, ctrl: new Int32Array(ctrl), seq: 0 });
  }
}

export function stopWorkers(): void {
  for (const s of slots) {
    Atomics.store(s.ctrl, STATUS, STOP);
    Atomics.add(s.ctrl, SEQ, 1);
    Atomics.notify(s.ctrl, SEQ);
    void s.worker.terminate();
  }
  slots = [];
  started = 0;
}

let timeouts = 0;
/** Waits for a worker that ran out their 1 s timeout (a stuck or lost hand-off; tests expect none). */
export function handOffTimeouts(): number {
  return timeouts;
}

const isReady = (s: Slot): boolean => Atomics.load(s.ctrl, STATUS) === READY;

/** Workers that have started and not failed. */
export function readyWorkers(): number {
  return slots.filter(isReady).length;
}

/**
 * Runs all jobs (at most MAX_JOBS) on this thread and the ready workers; returns when done.
 * workspaces: one sgemm workspace per thread, this thread first; at least readyWorkers() + 1.
 */
export function runJobs(jobs: GemmArgs[], workspaces: number[], inline: (args: GemmArgs) => void): void {
  const ready = slots.filter(isReady).slice(0, workspaces.length - 1);
  const mine = (job: GemmArgs): GemmArgs => [...job.slice(0, 13), workspaces[0], job[KIND]] as GemmArgs;
  Atomics.store(ti, COUNT, 0); // nobody takes a job while the table is written
  jobs.forEach((job, j) => {
    const o = HEAD + j * STRIDE;
    job.forEach((v, i) => {
      if (KIND_FLOATS[job[KIND]].includes(i)) tfl[o + i] = v;
      else ti[o + i] = v;
    });
    ti[o + DONE_FLAG] = 0;
  });
  Atomics.store(ti, NEXT, 0);
  Atomics.store(ti, COUNT, jobs.length);
  ready.forEach((s, i) => {
    Atomics.store(s.ctrl, WS, workspaces[i + 1]);
    s.seq = (s.seq + 1) | 0;
    Atomics.store(s.ctrl, SEQ, s.seq);
    // a worker still polling sees SEQ change; one that went to sleep after this load finds SEQ
    // changed when it calls wait, so only a sleeping one needs the (costly) notify
    if (Atomics.load(s.ctrl, SLEEPING)) Atomics.notify(s.ctrl, SEQ);
  });
  for (;;) {
    const j = Atomics.add(ti, NEXT, 1);
    if (j >= jobs.length) break;
    inline(mine(jobs[j]));
    Atomics.store(ti, HEAD + j * STRIDE + DONE_FLAG, 1);
  }
  for (const s of ready) {
    // wait on the value just checked: re-reading it for the wait could see the worker's final store
    // after its notify had already gone, and then sleep out the whole timeout
    for (let done = Atomics.load(s.ctrl, DONE); done !== s.seq && isReady(s); done = Atomics.load(s.ctrl, DONE)) {
      if (Atomics.wait(s.ctrl, DONE, done, 1000) === 'timed-out') timeouts++;
    }
    if (!isReady(s)) {
      slots = slots.filter((x) => x !== s);
      void s.worker.terminate();
    }
  }
  // a job taken by a worker that then failed is redone here
  jobs.forEach((job, j) => {
    if (Atomics.load(ti, HEAD + j * STRIDE + DONE_FLAG) !== 1) inline(mine(job));
  });
  Atomics.store(ti, COUNT, 0);
}
