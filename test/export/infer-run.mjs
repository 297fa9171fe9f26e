// Runs seqnet/infer (built as an ES module on the repository's @tensorflow/tfjs) over export
// folders in a fresh process and prints what each call returns.
// usage: node infer-run.mjs infer.mjs JOBS.json   JOBS: [{ dir, call: 'generate'|'classify'|'tag'|'forecast', args: [...] }]
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import * as tf from '@tensorflow/tfjs';

const [inferFile, jobsFile] = process.argv.slice(2);
const { load } = await import(pathToFileURL(inferFile).href);
const results = [];
for (const job of JSON.parse(fs.readFileSync(jobsFile, 'utf8'))) {
  const mj = JSON.parse(fs.readFileSync(path.join(job.dir, 'model.json'), 'utf8'));
  const w = fs.readFileSync(path.join(job.dir, 'weights.bin'));
  const model = tf.io.fromMemory({ modelTopology: mj.modelTopology, weightSpecs: mj.weightsManifest[0].weights, weightData: w.buffer.slice(w.byteOffset, w.byteOffset + w.byteLength) });
  const m = await load({ model, seqnet: JSON.parse(fs.readFileSync(path.join(job.dir, 'seqnet.json'), 'utf8')) });
  const before = tf.memory().numTensors;
  let value;
  try {
    value = m[job.call](...job.args);
  } catch (e) {
    value = { error: e.message };
  }
  results.push({ value, leaked: tf.memory().numTensors - before });
  m.dispose();
}
process.stdout.write(JSON.stringify(results));
