/**
 * A checkpoint as saved on disk (model.json + weights.bin in the standard layers format), read
 * without instantiating seqnet's layer classes: the topology as JSON and the weights by name.
 */
import fs from 'node:fs';
import path from 'node:path';
import { tf } from '../backend/index.js';
import { readConsistent } from '../models/io.js';
import { weightBytes } from '../models/io_checks.js';
import { RunError } from '../util/errors.js';

/** One entry of `modelTopology.config.layers` (Keras functional-model JSON). */
export interface SavedLayer {
  name: string;
  class_name: string;
  config: Record<string, unknown>;
  /** per call of the layer: its inputs as [layerName, nodeIndex, tensorIndex, kwargs] */
  inbound_nodes: [string, number, number, Record<string, unknown>][][];
}

export interface SavedModel {
  name: string;
  layers: SavedLayer[];
  inputs: [string, number, number][];
  outputs: [string, number, number][];
  /** every weight by its saved name (`layer/weight`), in saved order */
  weights: Map<string, tf.Tensor>;
  /** the saved names, in saved order */
  weightNames: string[];
}

/**
 * Reads `dir`/model.json and its weight files as one consistent snapshot checked against the
 * checkpoint's checkpoint.json (models/io.ts); throws a RunError naming the file when damaged.
 */
export async function readSaved(dir: string): Promise<SavedModel> {
  const file = path.join(dir, 'model.json');
  const snap = await readConsistent(dir);
  let mj: {
    modelTopology: { config: { name: string; layers: SavedLayer[]; input_layers: [string, number, number][]; output_layers: [string, number, number][] } };
    weightsManifest: { paths: string[]; weights: tf.io.WeightsManifestEntry[] }[];
  };
  try {
    mj = JSON.parse(snap.files.get('model.json')!.toString('utf8'));
  } catch (e) {
    throw new RunError(`${file}: not valid JSON (${e instanceof Error ? e.message : String(e)}); the checkpoint is damaged.`);
  }
  if (!mj?.modelTopology?.config || !Array.isArray(mj.weightsManifest)) throw new RunError(`${file}: not a TensorFlow.js layers model (modelTopology or weightsManifest is missing).`);
  const specs = mj.weightsManifest.flatMap((g) => g.weights);
  const bufs = mj.weightsManifest.flatMap((g) => g.paths).map((p) => {
    const f = path.join(snap.dir, p);
    const b = snap.files.get(p) ?? (fs.existsSync(f) ? fs.readFileSync(f) : undefined);
    if (!b) throw new RunError(`${f} is missing; the checkpoint in ${dir} is damaged.`);
    return b;
  });
  const all = Buffer.concat(bufs);
  const need = weightBytes(specs, file);
  if (all.byteLength !== need) throw new RunError(`${file}: its weights need ${need} bytes, the weight files hold ${all.byteLength}; the checkpoint is damaged.`);
  const data = all.buffer.slice(all.byteOffset, all.byteOffset + all.byteLength) as ArrayBuffer;
  const named = tf.io.decodeWeights(data, specs);
  const c = mj.modelTopology.config;
  return {
    name: c.name,
    layers: c.layers,
    inputs: c.input_layers,
    outputs: c.output_layers,
    weights: new Map(specs.map((s) => [s.name, named[s.name]])),
    weightNames: specs.map((s) => s.name),
  };
}

/** The saved weights of layer `name`, in saved order (names `name/...`). */
export function layerWeights(m: SavedModel, name: string): tf.Tensor[] {
  return m.weightNames.filter((w) => w.startsWith(`${name}/`)).map((w) => m.weights.get(w)!);
}

export function disposeSaved(m: SavedModel): void {
  for (const t of m.weights.values()) t.dispose();
}
