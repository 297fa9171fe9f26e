/** Numbered checkpoints (train.checkpoint.every_steps) beside best/ and last/, the oldest pruned past keep_last. */
import fs from 'node:fs';
import path from 'node:path';
import type { tf } from '../backend/index.js';
import { saveCheckpoint } from '../models/io.js';
import type { RunDir, TrainState } from './rundir.js';

const NAME = /^step-\d+$/;

export async function saveNumbered(model: tf.LayersModel, run: RunDir, state: TrainState, keepLast: number): Promise<string> {
  const root = run.file('checkpoints');
  const dir = path.join(root, `step-${String(state.step).padStart(7, '0')}`);
  await saveCheckpoint(model, dir, { 'state.json': state });
  const all = fs.readdirSync(root).filter((n) => NAME.test(n)).sort();
  for (const old of all.slice(0, Math.max(0, all.length - keepLast))) fs.rmSync(path.join(root, old), { recursive: true, force: true });
  return dir;
}
