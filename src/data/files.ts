/** Records of the data files a run used, for the manifest. */
import fs from 'node:fs';
import { sha256File } from '../util/fs.js';
import type { FileRecord } from './info.js';

export function fileRecord(file: string): FileRecord {
  return { path: file, bytes: fs.statSync(file).size, sha256: sha256File(file) };
}

/** The train path(s) as a list. */
export function trainFiles(train: string | string[]): string[] {
  return Array.isArray(train) ? train : [train];
}
