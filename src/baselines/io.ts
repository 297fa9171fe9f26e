/** A fitted baseline's checkpoint folder: baseline.json (+ extra JSON files), written atomically. */
import fs from 'node:fs';
import path from 'node:path';
import { makeDirs, replaceDir, writeFileAtomic } from '../util/fs.js';
import { BASELINE_FILE, type Baseline } from './types.js';

export function saveBaseline(b: Baseline, dir: string, extra: Record<string, unknown> = {}): void {
  const tmp = `${dir}.tmp-${process.pid}`;
  fs.rmSync(tmp, { recursive: true, force: true });
  makeDirs(tmp);
  writeFileAtomic(path.join(tmp, BASELINE_FILE), JSON.stringify(b.toJSON()));
  for (const [name, value] of Object.entries(extra)) writeFileAtomic(path.join(tmp, name), JSON.stringify(value, null, 2));
  replaceDir(tmp, dir);
}
