/** A fitted baseline's checkpoint folder: baseline.json (+ extra JSON files), written atomically. */
import fs from 'node:fs';
import path from 'node:path';
import { replaceDir, writeFileAtomic } from '../util/fs.js';
import { BASELINE_FILE, type Baseline } from './types.js';

export function saveBaseline(b: Baseline, dir: string, extra: Record<string, unknown> = {}): void {
  const tmp = `${dir}.tmp-${process.pid}`;
  fs.rmSync(tmp, { recursive: true, force: true });
  fs.mkdirSync(tmp, { recursive: true });
  writeFileAtomic(path.join(tmp, BASELINE_FILE), JSON.stringify(b.toJSON()));
  for (const [name, value] of Object.entries(extra)) writeFileAtomic(path.join(tmp, name), JSON.stringify(value, null, 2));
  replaceDir(tmp, dir);
}
