/** Optimizer slots (Adam moments…) saved beside the `last` checkpoint so a resumed run continues exactly. */
import fs from 'node:fs';
import path from 'node:path';
import { tf } from '../backend/index.js';
import { weightBytes } from '../models/io_checks.js';
import { RunError } from '../util/errors.js';
import { readRunJson, writeFileAtomic } from '../util/fs.js';

export async function saveOptimizer(opt: tf.Optimizer, dir: string): Promise<void> {
  const weights = await opt.getWeights();
  const { data, specs } = await tf.io.encodeWeights(weights);
  // getWeights makes a fresh scalar for the step count (the slots are the live variables): free it
  for (const w of weights) if (w.name === 'iter') w.tensor.dispose();
  writeFileAtomic(path.join(dir, 'optimizer.bin'), new Uint8Array(data as ArrayBuffer));
  writeFileAtomic(path.join(dir, 'optimizer.json'), JSON.stringify({ class: opt.getClassName(), specs }));
}

/** Restores slots saved by saveOptimizer; returns false when there are none. */
export async function loadOptimizer(opt: tf.Optimizer, dir: string): Promise<boolean> {
  const jf = path.join(dir, 'optimizer.json');
  if (!fs.existsSync(jf)) return false;
  const { specs } = readRunJson<{ specs?: tf.io.WeightsManifestEntry[] }>(jf);
  if (!Array.isArray(specs)) throw new RunError(`${jf}: no \`specs\` list of optimizer slots; the checkpoint is damaged.`);
  const bf = path.join(dir, 'optimizer.bin');
  if (!fs.existsSync(bf)) throw new RunError(`${bf} is missing; the checkpoint ${dir} is damaged.`);
  const buf = fs.readFileSync(bf);
  // weightBytes also refuses absurd or malformed shapes before anything is allocated
  const need = weightBytes(specs, jf);
  if (buf.byteLength !== need) throw new RunError(`${bf} has ${buf.byteLength} bytes but ${jf} describes ${need}: the optimizer state is ${buf.byteLength < need ? 'truncated' : 'damaged'}.`);
  const map = tf.io.decodeWeights(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength) as ArrayBuffer, specs);
  await opt.setWeights(specs.map((s) => ({ name: s.name, tensor: map[s.name] })));
  return true;
}
