/** Tiny trained runs for CLI tests: a char LSTM on the tiny corpus, a few steps each. */
import path from 'node:path';
import { initBackend } from '../../src/backend/index.js';
import { loadConfig } from '../../src/config/load.js';
import { train } from '../../src/train/index.js';
import { fixture, TINY_CORPUS, TINY_LM_YAML } from './tmp.js';

/** A folder with c.yaml, corpus.txt and one run per `sets` entry (runs/<name>, trained with those --set overrides). */
export async function tinyRuns(sets: Record<string, string[]>): Promise<string> {
  const backend = await initBackend({ device: 'cpu' });
  const dir = fixture({ 'c.yaml': TINY_LM_YAML, 'corpus.txt': TINY_CORPUS });
  for (const [name, set] of Object.entries(sets)) {
    await train(loadConfig(path.join(dir, 'c.yaml'), { set: ['train.max_steps=4', ...set] }), { backend, out: path.join(dir, 'runs', name) });
  }
  return dir;
}
