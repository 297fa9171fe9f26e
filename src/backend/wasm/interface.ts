/**
 * The JS↔wasm interface of seqnet's kernel library (wasm/kernels.ts), written down once: every
 * export with its parameters in order (`:f32` marks a float slot, everything else is an i32 or a
 * byte pointer; a trailing `ws` is the calling thread's sgemm workspace). From this one table come
 *  - KernelExports, the type of the instantiated module's exports;
 *  - the job kinds the worker pool runs (JOB_KINDS, KIND) with their arity and float slots, which
 *    the main thread writes into the shared job table and the workers read back (pool.ts).
 * test/backend/wasm/interface.test.ts checks the table against the built modules' exports
 * (names, parameter counts and f32 slots), so a kernel added or changed on one side only fails
 * there, not at run time.
 */

const table = {
  heapBase: { params: [], returns: 'i32' },
  workspaceBytes: { params: [], returns: 'i32' },
  sgemm: { params: ['M', 'N', 'K', 'alpha:f32', 'a', 'lda', 'transA', 'b', 'ldb', 'transB', 'beta:f32', 'c', 'ldc', 'ws'] },
  packedFloats: { params: ['K', 'N'], returns: 'i32' },
  packB: { params: ['K', 'N', 'b', 'ldb', 'transB', 'dst'] },
  sgemmPacked: { params: ['M', 'N', 'K', 'alpha:f32', 'a', 'lda', 'transA', 'pb', 'Ntot', 'j0', 'beta:f32', 'c', 'ldc', 'ws'] },
  addBias: { params: ['M', 'N', 'c', 'ldc', 'bias'] },
  lstmForward: { params: ['B', 'U', 'xp', 'rec', 'hIn', 'hOut', 'cIn', 'cOut', 'sv', 'mask'] },
  lstmBackward: { params: ['B', 'U', 'gx', 'dh', 'dc', 'dhd', 'sv', 'cp', 'mask'] },
  gruForward: { params: ['B', 'U', 'xp', 'rec', 'rb', 'hIn', 'hOut', 'sv', 'mask'] },
  gruBackward: { params: ['B', 'U', 'gx', 'gr', 'dh', 'dhd', 'sv', 'hp', 'mask'] },
  rnnForward: { params: ['B', 'U', 'xp', 'rec', 'hIn', 'hOut', 'sv', 'mask'] },
  rnnBackward: { params: ['B', 'U', 'gx', 'dh', 'dhd', 'sv', 'mask'] },
  colSums: { params: ['rows', 'cols', 'm', 'out', 'acc'] },
  toSteps: { params: ['B', 'T', 'X', 'src', 'dst', 'back'] },
  fromSteps: { params: ['B', 'T', 'X', 'src', 'dst', 'back'] },
  seqOutputs: { params: ['B', 'T', 'U', 'H', 'mask', 'back', 'out'] },
  addOutputGrad: { params: ['B', 'T', 'U', 's', 't', 'dout', 'dh', 'carry', 'mask'] },
  expN: { params: ['n', 'src', 'dst'] },
  sigmoidN: { params: ['n', 'src', 'dst'] },
  tanhN: { params: ['n', 'src', 'dst'] },
  erfN: { params: ['n', 'src', 'dst'] },
  geluN: { params: ['n', 'src', 'dst'] },
  geluGradN: { params: ['n', 'xs', 'dys', 'dst'] },
  addArrays: { params: ['n', 'a', 'b', 'dst'] },
  softmaxRows: { params: ['rows', 'cols', 'ld', 's', 'bias', 'biasStride'] },
  softmaxGradRows: { params: ['rows', 'cols', 'ld', 'p', 'dp', 'ds'] },
  mulRows: { params: ['rows', 'cols', 'ld', 'a', 'b', 'bStride', 'dst'] },
  layerNormRows: { params: ['N', 'D', 'x', 'g', 'b', 'eps:f32', 'y', 'mean', 'rstd'] },
  layerNormGradRows: { params: ['N', 'D', 'x', 'dy', 'g', 'mean', 'rstd', 'dx', 'dg', 'db'] },
  attnForward: { params: ['b0', 'b1', 'T', 'D', 'hc', 'qkv', 'bias', 'biasB', 'biasQ', 'mask', 'P', 'Pd', 'ctx', 'ws'] },
  attnBackward: { params: ['b0', 'b1', 'T', 'D', 'hc', 'qkv', 'mask', 'P', 'Pd', 'dP', 'dctx', 'dqkv', 'ws'] },
  convPoolGrad: { params: ['B', 'T', 'C', 'k', 'F', 'left', 'x', 'wt', 'arg', 'dy', 'dwt', 'dx', 'db'] },
  attnDecodeRow: { params: ['H', 'D', 'p', 'q', 'k', 'v', 'scores', 'ctx'] },
  decodeBlockRows: { params: ['params', 'ws'] },
  blockRows: { params: ['b0', 'b1', 'params', 'ws'] },
  blockGradRows: { params: ['b0', 'b1', 'params', 'ws'] },
  seqForwardRows: { params: ['b0', 'b1', 'params', 'ws'] },
  seqBackwardRows: { params: ['b0', 'b1', 'params', 'ws'] },
  convMaxRows: { params: ['b0', 'b1', 'T', 'C', 'k', 'F', 'ld', 'oW', 'xs', 'wp', 'ids', 'best', 'arg', 'ws'] },
  gemmRows: { params: ['m0', 'm1', 'N', 'K', 'a', 'lda', 'bp', 'c', 'ldc', 'ws'] },
} as const satisfies Record<string, { params: readonly string[]; returns?: 'i32' }>;

type Table = typeof table;
export type ExportName = keyof Table;

/** One number per parameter name (a mapped tuple). */
type Args<P extends readonly string[]> = { -readonly [I in keyof P]: number };

/** The instantiated module's exports, typed from the table (every argument a number). */
export type KernelExports = {
  [K in ExportName]: (...args: Args<Table[K]['params']>) => Table[K] extends { returns: 'i32' } ? number : void;
};

export interface ExportSpec {
  name: ExportName;
  arity: number;
  /** indices of the f32 parameters */
  floats: number[];
  returns: 'i32' | 'void';
}

/** Every export of the library, in table order. */
export const EXPORTS: ExportSpec[] = (Object.keys(table) as ExportName[]).map((name) => {
  const spec: { params: readonly string[]; returns?: 'i32' } = table[name];
  return {
    name,
    arity: spec.params.length,
    floats: spec.params.flatMap((p, i) => (p.endsWith(':f32') ? [i] : [])),
    returns: spec.returns ?? 'void',
  };
});

/** The exports the worker pool runs as jobs; a job's kind is its index here. */
export const JOB_KINDS = [
  'sgemm', 'sgemmPacked', 'attnForward', 'attnBackward', 'geluN', 'geluGradN', 'layerNormRows', 'layerNormGradRows',
  'seqForwardRows', 'seqBackwardRows', 'convMaxRows', 'gemmRows', 'blockRows', 'blockGradRows',
] as const satisfies readonly ExportName[];
export type JobKind = (typeof JOB_KINDS)[number];

/** kind number of each job export: KIND.sgemm, KIND.attnForward, … */
export const KIND = Object.fromEntries(JOB_KINDS.map((n, i) => [n, i])) as Record<JobKind, number>;

const spec = (name: ExportName): ExportSpec => EXPORTS.find((e) => e.name === name) as ExportSpec;

/** Arguments of each job kind before the workspace (a trailing `ws` parameter is filled by the running thread). */
export const JOB_ARITY: number[] = JOB_KINDS.map((n) => spec(n).arity - (table[n].params.at(-1) === 'ws' ? 1 : 0));
/** Which of those arguments are f32 (written to and read from the job table as floats). */
export const JOB_FLOATS: number[][] = JOB_KINDS.map((n) => spec(n).floats);
/** Most arguments a job has before its workspace (the job table's row width follows from it). */
export const MAX_JOB_ARGS = Math.max(...JOB_ARITY);
