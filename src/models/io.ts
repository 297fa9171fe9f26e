/**
 * Saving and loading models in the standard TensorFlow.js layers format (model.json + weights.bin)
 * with seqnet's own file handler, identical on every backend.
 *
 * Writes: every file lands (fsynced) in a sibling temporary folder, last of all `checkpoint.json`
 * listing each file's size and sha256; the folder then replaces the old checkpoint by rename. An
 * interruption or a failed write never leaves half a checkpoint and never costs the previous one.
 * Reads: every file is checked against `checkpoint.json` and model.json's declared tensors are
 * checked against weights.bin before anything is allocated, so a damaged or foreign checkpoint is
 * a RunError naming the file, never a crash or a silently wrong model.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { tf } from '../backend/index.js';
import { RunError } from '../util/errors.js';
import { isJsonObject, jsonKind, liveDir, makeDirs, replaceDir, writeFileSynced } from '../util/fs.js';
import { checkpointSeam, checkpointWriteSeam } from '../util/seams.js';
import { SEQNET_VERSION } from '../version.js';
import { checkTopology, checkVocab, tokenizerPrints, weightBytes } from './io_checks.js';
// custom layers must be registered before a model that uses them is deserialised
import './layers/dropout.js';
import './layers/recurrent.js';
import './layers/attention.js';
import './layers/dense.js';
import './layers/merge.js';
import './layers/norm.js';
import './layers/pooling.js';
import './layers/positional.js';
import '../baselines/bow_layer.js';
import './seq2seq/index.js';

export const CHECKPOINT_FILE = 'checkpoint.json';

interface CheckpointIndex {
  format: 1;
  seqnet_version: string;
  files: Record<string, { bytes: number; sha256: string }>;
  /** fingerprints of the run's tokenizers when the checkpoint was written */
  tokenizers?: Record<string, string>;
}

function join(data: ArrayBuffer | ArrayBuffer[]): Uint8Array {
  const parts = Array.isArray(data) ? data : [data];
  const out = new Uint8Array(parts.reduce((n, p) => n + p.byteLength, 0));
  let o = 0;
  for (const p of parts) {
    out.set(new Uint8Array(p), o);
    o += p.byteLength;
  }
  return out;
}

function saveHandler(dir: string): tf.io.IOHandler {
  return {
    async save(a: tf.io.ModelArtifacts): Promise<tf.io.SaveResult> {
      const weights = join((a.weightData ?? new ArrayBuffer(0)) as ArrayBuffer | ArrayBuffer[]);
      checkpointWriteSeam();
      writeFileSynced(path.join(dir, 'weights.bin'), weights);
      checkpointSeam('write');
      const modelJson = {
        format: 'layers-model',
        generatedBy: `TensorFlow.js tfjs-layers v${tf.version_layers}`,
        convertedBy: null,
        modelTopology: a.modelTopology,
        weightsManifest: [{ paths: ['weights.bin'], weights: a.weightSpecs ?? [] }],
      };
      writeFileSynced(path.join(dir, 'model.json'), JSON.stringify(modelJson));
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON', weightDataBytes: weights.byteLength } };
    },
  };
}

const sha256 = (b: Uint8Array) => crypto.createHash('sha256').update(b).digest('hex');

function errnoText(e: unknown): string {
  const code = (e as NodeJS.ErrnoException).code;
  const why: Record<string, string> = { ENOENT: 'no folder can be made there', ENOSPC: 'the disk is full', EACCES: 'permission denied', EPERM: 'permission denied', EROFS: 'the filesystem is read-only', EDQUOT: 'the disk quota is exceeded' };
  return code && why[code] ? `${why[code]} (${code})` : e instanceof Error ? e.message : String(e);
}

/**
 * Writes `model` (plus JSON files `extra`, plus whatever `also` writes) into `dir` atomically: all
 * of it lands in a sibling temporary folder first, which then replaces `dir`. A failed write is a
 * RunError; the previous checkpoint in `dir` is left as it was. `index: false` leaves out
 * checkpoint.json and words a failure for an export (a folder for other tools, `seqnet export`'s).
 * `runDir` holds the tokenizers the checkpoint records (default: the parent folder; numbered
 * checkpoints sit deeper).
 */
export async function saveCheckpoint(
  model: tf.LayersModel,
  dir: string,
  extra: Record<string, unknown> = {},
  also?: (tmp: string) => Promise<void>,
  { index: withIndex = true, runDir = path.dirname(dir) }: { index?: boolean; runDir?: string } = {},
): Promise<void> {
  const tmp = `${dir}.tmp-${process.pid}`;
  try {
    fs.rmSync(tmp, { recursive: true, force: true });
    makeDirs(tmp);
    await model.save(saveHandler(tmp));
    for (const [name, value] of Object.entries(extra)) writeFileSynced(path.join(tmp, name), JSON.stringify(value, null, 2));
    await also?.(tmp);
    const index: CheckpointIndex = { format: 1, seqnet_version: SEQNET_VERSION, files: {}, tokenizers: tokenizerPrints(runDir) };
    for (const name of fs.readdirSync(tmp).sort()) {
      const b = fs.readFileSync(path.join(tmp, name));
      index.files[name] = { bytes: b.byteLength, sha256: sha256(b) };
    }
    if (withIndex) writeFileSynced(path.join(tmp, CHECKPOINT_FILE), JSON.stringify(index, null, 2));
    replaceDir(tmp, dir);
  } catch (e) {
    fs.rmSync(tmp, { recursive: true, force: true });
    // only filesystem failures are the user's to fix; anything else is a bug and keeps its stack
    if (e instanceof RunError || typeof (e as NodeJS.ErrnoException).code !== 'string') throw e;
    const kept = fs.existsSync(dir) ? `the previous checkpoint in ${dir} is intact` : 'no earlier checkpoint was written';
    if (!withIndex) throw new RunError(`cannot write the export ${dir}: ${errnoText(e)} (${fs.existsSync(dir) ? `the previous ${dir} is intact` : "no export was written"}).\nFree space or fix permissions, then run the export again.`);
    throw new RunError(`cannot write the checkpoint ${dir}: ${errnoText(e)}; training stopped (${kept}).\nFree space or fix permissions, then continue with --resume.`);
  }
}

/** The files of one checkpoint, read together and checked against its checkpoint.json. */
export interface Snapshot {
  dir: string;
  files: Map<string, Buffer>;
}

function readSnapshot(dir: string): Snapshot {
  const files = new Map<string, Buffer>();
  const read = (name: string) => {
    const f = path.join(dir, name);
    if (!fs.existsSync(f)) throw new RunError(`${f} is missing; the checkpoint ${dir} is damaged.`);
    files.set(name, fs.readFileSync(f));
    return files.get(name)!;
  };
  const indexFile = path.join(dir, CHECKPOINT_FILE);
  if (!fs.existsSync(indexFile)) {
    // written by a seqnet from before checkpoint.json: no checksums to check
    read('model.json');
    return { dir, files };
  }
  const index = parseJson<CheckpointIndex>(read(CHECKPOINT_FILE), indexFile);
  if (typeof index.format !== 'number') throw new RunError(`${indexFile}: no checkpoint format number; the checkpoint is damaged.`);
  if (index.format > 1) {
    throw new RunError(`${indexFile}: checkpoint format ${String(index.format)} was written by seqnet ${index.seqnet_version}, newer than this seqnet ${SEQNET_VERSION}; upgrade seqnet to read it.`);
  }
  if (!isJsonObject(index.files)) throw new RunError(`${indexFile}: no \`files\` list of the checkpoint's files; the checkpoint is damaged.`);
  for (const [name, want] of Object.entries(index.files)) {
    if (!isJsonObject(want) || typeof want.bytes !== 'number' || typeof want.sha256 !== 'string' || path.basename(name) !== name) {
      throw new RunError(`${indexFile}: the entry for \`${name}\` is not { bytes, sha256 } of a file in the folder; the checkpoint is damaged.`);
    }
    const b = read(name);
    if (b.byteLength !== want.bytes) {
      throw new RunError(`${path.join(dir, name)} has ${b.byteLength} bytes, ${CHECKPOINT_FILE} says ${want.bytes}: the file is ${b.byteLength < want.bytes ? 'truncated' : 'damaged'}.`);
    }
    if (sha256(b) !== want.sha256) throw new RunError(`${path.join(dir, name)} does not match its checksum in ${CHECKPOINT_FILE}: the file is damaged.`);
  }
  return { dir, files };
}

function parseJson<T>(b: Buffer, file: string): T {
  let value: unknown;
  try {
    value = JSON.parse(b.toString('utf8'));
  } catch (e) {
    throw new RunError(`${file}: not valid JSON (${e instanceof Error ? e.message : String(e)}); the checkpoint is damaged.`);
  }
  if (!isJsonObject(value)) throw new RunError(`${file}: holds ${jsonKind(value)}, not a JSON object; the checkpoint is damaged.`);
  return value as T;
}

const pause = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/**
 * Reads a checkpoint consistently while a training run may be replacing it: a read that straddles
 * a swap fails its checksums (or finds a file gone) and is tried again on the new folder.
 */
export async function readConsistent(dir: string): Promise<Snapshot> {
  for (let attempt = 0; ; attempt++) {
    const live = liveDir(dir);
    if (!live) throw new RunError(`no checkpoint in ${dir} yet (the folder does not exist).`);
    try {
      return readSnapshot(live);
    } catch (e) {
      if (attempt >= 4) throw e;
      await pause(50 * (attempt + 1));
    }
  }
}

/** The run folder of a checkpoint folder: the parent of best/ and last/, two up from checkpoints/step-N/. */
function runDirOf(dir: string): string {
  const parent = path.dirname(dir);
  return path.basename(parent) === 'checkpoints' && /^step-\d+$/.test(path.basename(dir)) ? path.dirname(parent) : parent;
}

/** `runDir`: the run folder whose tokenizers must match. */
export async function loadCheckpoint(dir: string, runDir = runDirOf(dir)): Promise<tf.LayersModel> {
  if (!liveDir(dir)) {
    throw new RunError(`no checkpoint in ${dir} yet: the run stopped before its first save. Start it again with \`seqnet train CONFIG --overwrite\`.`);
  }
  const snap = await readConsistent(dir);
  const mjFile = path.join(snap.dir, 'model.json');
  const mj = parseJson<{ modelTopology?: unknown; weightsManifest?: { paths: string[]; weights: tf.io.WeightsManifestEntry[] }[] }>(snap.files.get('model.json')!, mjFile);
  if (!mj || typeof mj !== 'object' || !mj.modelTopology || !Array.isArray(mj.weightsManifest)) {
    throw new RunError(`${mjFile}: not a TensorFlow.js layers model (modelTopology or weightsManifest is missing).`);
  }
  const specs = mj.weightsManifest.flatMap((g) => g.weights);
  const need = weightBytes(specs, mjFile);
  checkTopology(mj.modelTopology, mjFile, specs);
  const index = snap.files.has(CHECKPOINT_FILE) ? parseJson<CheckpointIndex>(snap.files.get(CHECKPOINT_FILE)!, path.join(snap.dir, CHECKPOINT_FILE)) : undefined;
  checkVocab(mj.modelTopology, runDir, mjFile, index?.tokenizers);
  const bufs = mj.weightsManifest.flatMap((g) => g.paths).map((p) => {
    if (typeof p !== 'string' || path.basename(p) !== p) throw new RunError(`${mjFile}: weight file \`${String(p)}\` must be a plain file name in the checkpoint folder.`);
    const b = snap.files.get(p) ?? (fs.existsSync(path.join(snap.dir, p)) ? fs.readFileSync(path.join(snap.dir, p)) : undefined);
    if (!b) throw new RunError(`${path.join(snap.dir, p)} is missing; the checkpoint ${snap.dir} is damaged.`);
    return b;
  });
  const have = bufs.reduce((n, b) => n + b.byteLength, 0);
  if (have !== need) {
    throw new RunError(
      `${path.join(snap.dir, 'weights.bin')} has ${have} bytes but ${mjFile} describes ${need}: ` +
        (have < need ? 'the weights are truncated.' : 'the weights do not match the model.'),
    );
  }
  const all = Buffer.concat(bufs);
  const weightData = all.buffer.slice(all.byteOffset, all.byteOffset + all.byteLength) as ArrayBuffer;
  const artifacts: tf.io.ModelArtifacts = { modelTopology: mj.modelTopology as object, weightSpecs: specs, weightData, format: 'layers-model' };
  try {
    return await tf.loadLayersModel({ load: async () => artifacts });
  } catch (e) {
    throw new RunError(`cannot load the model in ${snap.dir}: ${e instanceof Error ? e.message : String(e)}\n${mjFile} and its weights do not match; the checkpoint is damaged or from another model.`);
  }
}
