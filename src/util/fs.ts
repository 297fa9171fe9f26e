/** Small file helpers: atomic writes (temp file + rename) so an interruption never leaves half a file. */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

export function writeFileAtomic(file: string, data: string | Uint8Array): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.tmp-${process.pid}-${crypto.randomBytes(4).toString('hex')}`;
  fs.writeFileSync(tmp, data);
  fs.renameSync(tmp, file);
}

export function writeJsonAtomic(file: string, value: unknown): void {
  writeFileAtomic(file, JSON.stringify(value, null, 2) + '\n');
}

export function readJson<T>(file: string): T {
  return JSON.parse(fs.readFileSync(file, 'utf8')) as T;
}

export function sha256File(file: string): string {
  return crypto.createHash('sha256').update(fs.readFileSync(file)).digest('hex');
}

/** Replaces directory `dst` by `src` as atomically as the filesystem allows (rename swap). */
export function replaceDir(src: string, dst: string): void {
  const old = `${dst}.old-${process.pid}`;
  if (fs.existsSync(dst)) fs.renameSync(dst, old);
  fs.renameSync(src, dst);
  fs.rmSync(old, { recursive: true, force: true });
}
