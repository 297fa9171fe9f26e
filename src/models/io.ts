/**
 * Saving and loading models in the standard TensorFlow.js layers format (model.json + weights.bin)
 * with seqnet's own file handler, identical on every backend. Writes go to a temporary folder that
 * is renamed into place, so an interruption never leaves half a checkpoint.
 */
import fs from 'node:fs';
import path from 'node:path';
import { tf } from '../backend/index.js';
import { RunError } from '../util/errors.js';
import { replaceDir, writeFileAtomic } from '../util/fs.js';
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
      writeFileAtomic(path.join(dir, 'weights.bin'), weights);
      const modelJson = {
        format: 'layers-model',
        generatedBy: `TensorFlow.js tfjs-layers v${tf.version_layers}`,
        convertedBy: null,
        modelTopology: a.modelTopology,
        weightsManifest: [{ paths: ['weights.bin'], weights: a.weightSpecs ?? [] }],
      };
      writeFileAtomic(path.join(dir, 'model.json'), JSON.stringify(modelJson));
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON', weightDataBytes: weights.byteLength } };
    },
  };
}

function loadHandler(dir: string): tf.io.IOHandler {
  return {
    async load(): Promise<tf.io.ModelArtifacts> {
      const mj = JSON.parse(fs.readFileSync(path.join(dir, 'model.json'), 'utf8')) as {
        modelTopology: object;
        weightsManifest: { paths: string[]; weights: tf.io.WeightsManifestEntry[] }[];
      };
      const specs = mj.weightsManifest.flatMap((g) => g.weights);
      const bufs = mj.weightsManifest.flatMap((g) => g.paths).map((p) => fs.readFileSync(path.join(dir, p)));
      const all = Buffer.concat(bufs);
      const weightData = all.buffer.slice(all.byteOffset, all.byteOffset + all.byteLength) as ArrayBuffer;
      return { modelTopology: mj.modelTopology, weightSpecs: specs, weightData, format: 'layers-model' };
    },
  };
}

/**
 * Writes `model` (and optional extra JSON files) into `dir` atomically: everything lands in a
 * sibling temporary folder first, which then replaces `dir`.
 */
export async function saveCheckpoint(model: tf.LayersModel, dir: string, extra: Record<string, unknown> = {}): Promise<void> {
  const tmp = `${dir}.tmp-${process.pid}`;
  fs.rmSync(tmp, { recursive: true, force: true });
  fs.mkdirSync(tmp, { recursive: true });
  await model.save(saveHandler(tmp));
  for (const [name, value] of Object.entries(extra)) writeFileAtomic(path.join(tmp, name), JSON.stringify(value, null, 2));
  replaceDir(tmp, dir);
}

export async function loadCheckpoint(dir: string): Promise<tf.LayersModel> {
  if (!fs.existsSync(path.join(dir, 'model.json'))) throw new RunError(`no model in ${dir} (model.json is missing)`);
  try {
    return await tf.loadLayersModel(loadHandler(dir));
  } catch (e) {
    throw new RunError(`cannot load the model in ${dir}: ${e instanceof Error ? e.message : String(e)}`);
  }
}
