/** Optimizer slots (Adam moments…) saved beside the `last` checkpoint so a resumed run continues exactly. */
import fs from 'node:fs';
import path from 'node:path';
import { tf } from '../backend/index.js';
import { writeFileAtomic } from '../util/fs.js';

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
  const { specs } = JSON.parse(fs.readFileSync(jf, 'utf8')) as { specs: tf.io.WeightsManifestEntry[] };
  const buf = fs.readFileSync(path.join(dir, 'optimizer.bin'));
  const map = tf.io.decodeWeights(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength) as ArrayBuffer, specs);
  await opt.setWeights(specs.map((s) => ({ name: s.name, tensor: map[s.name] })));
  return true;
}
