/**
 * A tiny pool of worker threads that run jobs (blocks of a product, ranges of batch rows) on the
 * shared wasm memory. The main thread writes a table of jobs to a SharedArrayBuffer, wakes the
 * workers, and every thread, main included, takes jobs from a shared counter until none are left
 * (so a worker that the OS schedules late just takes fewer). The main thread then blocks in
 * Atomics.wait until each woken worker has checked out (Node allows Atomics.wait on the main
 * thread; the kernels are synchronous anyway). Workers start asynchronously: one is only used once
 * it reports ready, and one whose job throws is dropped; any job left unfinished is redone inline.
 * Which export a job calls, its arity and its f32 slots come from the one interface table
 * (interface.ts).
 */
import { Worker } from 'node:worker_threads';
import { JOB_ARITY, JOB_FLOATS, JOB_KINDS, MAX_JOB_ARGS } from './interface.js';

/**
 * One job: up to MAX_JOB_ARGS (13) arguments of a job export (JOB_KINDS), a slot for the running
 * thread's sgemm workspace (passed as the export's last argument), then its kind. sgemmPacked's
 * b, ldb, transB slots hold its packed B, total columns and first column.
 */
export type JobArgs = [
  M: number, N: number, K: number, alpha: number,
  a: number, lda: number, transA: number,
  b: number, ldb: number, transB: number,
  beta: number, c: number, ldc: number, ws: number,
  kind: number,
];

export const MAX_JOBS = 64;
// job table, Int32 slots: 0 next job, 1 job count, then per job: the arguments, the workspace, kind, done flag
const WS_SLOT = MAX_JOB_ARGS, KIND = MAX_JOB_ARGS + 1, DONE_FLAG = MAX_JOB_ARGS + 2;
const NEXT = 0, COUNT = 1, HEAD = 4, STRIDE = MAX_JOB_ARGS + 3;
// control block per worker, Int32 slots
const SEQ = 0, DONE = 1, STATUS = 2, WS = 3, SLEEPING = 4;
/** How long an idle worker polls for the next job before it sleeps (a step's products come in bursts). */
const SPIN_MS = 0.05;
const READY = 1, FAILED = 2, STOP = 3;

// Plain JS (eval'd, CommonJS) so it runs the same from src/ under vitest and from dist/.
const WORKER_SOURCE = `
const { workerData } = require('node:worker_threads');
const { module, memory, ctrl, table, nativePath, nativeNames } = workerData;
const c = new Int32Array(ctrl), ti = new Int32Array(table), tf = new Float32Array(table);
const names = ${JSON.stringify(JOB_KINDS)}, arity = ${JSON.stringify(JOB_ARITY)}, floats = ${JSON.stringify(JOB_FLOATS)};
let fns;
try {
  const ex = new WebAssembly.Instance(module, { env: { memory, abort() { throw new Error('abort'); } } }).exports;
  // the native twins where the main thread uses them (a worker that cannot load them fails, so
  // that every thread runs the same kernels on the same packed layouts)
  const nat = nativePath ? require(nativePath).bind(new Uint8Array(memory.buffer)) : {};
  fns = names.map((n) => (nativeNames.includes(n) ? nat[n] : ex[n]));
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

const isReady = (s: Slot): boolean => Atomics.load(s.ctrl, STATUS) === READY;

/** The worker threads and their shared job table (one per Runtime). */
export class WorkerPool {
  private slots: Slot[] = [];
  private started = 0; // pool size last asked for: workers that die are not respawned
  private readonly tableBuf = new SharedArrayBuffer((HEAD + MAX_JOBS * STRIDE) * 4);
  private readonly ti = new Int32Array(this.tableBuf);
  private readonly tfl = new Float32Array(this.tableBuf);
  private timeouts = 0;

  /**
   * Starts n workers on the module and shared memory (idempotent for the same n); with
   * native, they run the addon's kernels that the main thread uses (native.names), as it does.
   */
  start(n: number, module: WebAssembly.Module, memory: WebAssembly.Memory, native: { path: string; names: string[] } | null = null): void {
    if (this.started === n) return;
    this.stop();
    this.started = n;
    for (let i = 0; i < n; i++) {
      const ctrl = new SharedArrayBuffer(5 * 4); // SEQ, DONE, STATUS, WS, SLEEPING
      const worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { module, memory, ctrl, table: this.tableBuf, nativePath: native?.path, nativeNames: native?.names ?? [] } });
      worker.unref(); // never keeps the process alive
      worker.on('error', () => undefined); // a dead worker is detected through its status
      this.slots.push({ worker, ctrl: new Int32Array(ctrl), seq: 0 });
    }
  }

  stop(): void {
    for (const s of this.slots) {
      Atomics.store(s.ctrl, STATUS, STOP);
      Atomics.add(s.ctrl, SEQ, 1);
      Atomics.notify(s.ctrl, SEQ);
      void s.worker.terminate();
    }
    this.slots = [];
    this.started = 0;
  }

  /** Waits for a worker that ran out their 1 s timeout (a stuck or lost hand-off; tests expect none). */
  handOffTimeouts(): number {
    return this.timeouts;
  }

  /** Workers that have started and not failed. */
  ready(): number {
    return this.slots.filter(isReady).length;
  }

  /**
   * Runs all jobs (at most MAX_JOBS) on this thread and the ready workers; returns when done.
   * workspaces: one sgemm workspace per thread, this thread first; at least ready() + 1.
   */
  run(jobs: JobArgs[], workspaces: number[], inline: (args: JobArgs) => void): void {
    const { ti, tfl } = this;
    const ready = this.slots.filter(isReady).slice(0, workspaces.length - 1);
    const mine = (job: JobArgs): JobArgs => [...job.slice(0, WS_SLOT), workspaces[0], job[KIND]] as JobArgs;
    Atomics.store(ti, COUNT, 0); // nobody takes a job while the table is written
    jobs.forEach((job, j) => {
      const o = HEAD + j * STRIDE;
      const floats = JOB_FLOATS[job[KIND]];
      job.forEach((v, i) => {
        if (floats.includes(i)) tfl[o + i] = v;
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
        if (Atomics.wait(s.ctrl, DONE, done, 1000) === 'timed-out') this.timeouts++;
      }
      if (!isReady(s)) {
        this.slots = this.slots.filter((x) => x !== s);
        void s.worker.terminate();
      }
    }
    // a job taken by a worker that then failed is redone here
    jobs.forEach((job, j) => {
      if (Atomics.load(ti, HEAD + j * STRIDE + DONE_FLAG) !== 1) inline(mine(job));
    });
    Atomics.store(ti, COUNT, 0);
  }
}
