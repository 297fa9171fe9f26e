/** Numbered checkpoints (train.checkpoint.every_steps) beside best/ and last/, the oldest pruned past keep_last. */
import fs from 'node:fs';
import path from 'node:path';
import type { tf } from '../backend/index.js';
import { saveCheckpoint } from '../models/io.js';
import { recoverDir } from '../util/fs.js';
import { numberedDir, type RunDir, type TrainState } from './rundir.js';

const NAME = /^step-\d+$/;

export async function saveNumbered(model: tf.LayersModel, run: RunDir, state: TrainState, keepLast: number): Promise<string> {
  const root = run.file('checkpoints');
  const dir = numberedDir(run.dir, state.step);
  await saveCheckpoint(model, dir, { 'state.json': state }, undefined, { runDir: run.dir });
  const all = fs.readdirSync(root).filter((n) => NAME.test(n)).sort();
  for (const old of all.slice(0, Math.max(0, all.length - keepLast))) fs.rmSync(path.join(root, old), { recursive: true, force: true });
  return dir;
}

/** Before training again (the run lock is held): put back or remove what a kill -9 left of a numbered checkpoint's write. */
export function recoverNumbered(run: RunDir): void {
  const root = run.file('checkpoints');
  if (!fs.existsSync(root)) return;
  const bases = new Set(fs.readdirSync(root).map((n) => /^(step-\d+)\.(tmp|old)-/.exec(n)?.[1]).filter((b) => b !== undefined));
  for (const b of bases) recoverDir(path.join(root, b));
}
