/**
 * Run by leak.test.ts as `node --expose-gc leak-child.mjs DIR` against the built dist: trains a
 * tiny LM for a few hundred steps and generates a few thousand tokens, printing (as JSON) the
 * tfjs tensor count, the wasm arena's pinned bytes and size, and the JS heap after GC at points
 * where they should be equal.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const dist = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../dist');
const { initBackend, tf, runtime } = await import(`${dist}/backend/index.js`);
const { loadConfig } = await import(`${dist}/config/load.js`);
const { train } = await import(`${dist}/train/index.js`);
const { generate } = await import(`${dist}/generate/index.js`);

const [dir] = process.argv.slice(2);
const backend = await initBackend({ device: 'cpu' });

const tick = () => new Promise((r) => setTimeout(r, 5));

/** Collects garbage and lets finalizers run (the kernels free wasm pins of collected weight caches). */
async function settle() {
  for (let i = 0; i < 3; i++) {
    global.gc();
    await tick();
  }
}

function probe() {
  global.gc();
  return {
    tensors: tf.memory().numTensors,
    arenaPinned: runtime().arena.pinnedBytes(),
    arenaBytes: runtime().arena.memory.buffer.byteLength,
    heap: process.memoryUsage().heapUsed,
  };
}

const at = {};
const cfg = loadConfig(path.join(dir, 'tiny.yaml'), { set: ['train.log_every=1'] });
await train(cfg, {
  backend,
  out: path.join(dir, 'run'),
  hooks: {
    onStep(e) {
      if (process.env.LEAK_TRACE) process.stderr.write(`${e.step} ${tf.memory().numTensors}\n`);
      if (e.step === 50 || e.step === e.totalSteps) at[e.step === 50 ? 'step50' : 'stepLast'] = { step: e.step, ...probe() };
    },
  },
});
const opts = { prime: 'the ', length: 500, num: 1, seed: 1, temperature: 1, topK: null, topP: null };
await generate(path.join(dir, 'run'), opts);
await settle();
at.gen0 = probe();
let tokens = 0;
for (let i = 0; i < 3; i++) tokens += (await generate(path.join(dir, 'run'), { ...opts, seed: i + 2, length: 1000 })).tokens;
await settle();
at.gen3 = { ...probe(), tokens };
process.stdout.write(JSON.stringify({ backend: backend.engine, ...at }) + '\n');
