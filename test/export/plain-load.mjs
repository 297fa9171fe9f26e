// Loads seqnet exports in a fresh Node process with plain @tensorflow/tfjs only (plus, with
// --layers FILE, seqnet/layers built as an ES module on this tfjs), runs each on its inputs and
// prints the outputs.
// usage: node plain-load.mjs JOBS.json [--layers layers.mjs]   JOBS: [{ dir, inputs: { shape, dtype, values } | [...] }]
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import * as tf from '@tensorflow/tfjs';

const [jobsFile, flag, bundle] = process.argv.slice(2);
const registered = () => Object.keys(tf.serialization.SerializationMap.getMap().classNameMap).filter((c) => c.startsWith('Seqnet'));
const before = registered();
if (flag === '--layers') await import(pathToFileURL(bundle).href);
const handler = (dir) => ({
  async load() {
    const mj = JSON.parse(fs.readFileSync(path.join(dir, 'model.json'), 'utf8'));
    const buf = fs.readFileSync(path.join(dir, mj.weightsManifest[0].paths[0]));
    return { modelTopology: mj.modelTopology, weightSpecs: mj.weightsManifest[0].weights, weightData: buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength) };
  },
});
const results = [];
for (const job of JSON.parse(fs.readFileSync(jobsFile, 'utf8'))) {
  try {
    const model = await tf.loadLayersModel(handler(job.dir));
    const mk = (i) => tf.tensor(i.values, i.shape, i.dtype);
    const x = Array.isArray(job.inputs) ? job.inputs.map(mk) : mk(job.inputs);
    const y = model.predict(x);
    results.push({ dir: job.dir, classes: model.layers.map((l) => l.getClassName()), shape: y.shape, values: Array.from(y.dataSync()) });
  } catch (e) {
    results.push({ dir: job.dir, error: String(e && e.message ? e.message : e) });
  }
}
const after = Object.keys(tf.serialization.SerializationMap.getMap().classNameMap).filter((c) => c.startsWith('Seqnet'));
process.stdout.write(JSON.stringify({ registeredBefore: before, registeredAfter: after, results }));
