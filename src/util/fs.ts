/**
 * Small file helpers. Writes are atomic and durable: a temporary file is written, fsynced and
 * renamed over the target, then the folder is fsynced, so a kill -9 or a power cut leaves either
 * the old file or the new one, never half of one. Whole folders (checkpoints) are swapped with two
 * renames; `liveDir` finds the folder again if a kill lands between them.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { RunError } from './errors.js';
import { checkpointSeam } from './seams.js';

/** fsync a folder so a rename inside it survives a crash (a no-op where folders cannot be opened, e.g. Windows). */
export function fsyncDir(dir: string): void {
  let fd: number | undefined;
  try {
    fd = fs.openSync(dir, 'r');
    fs.fsyncSync(fd);
  } catch {
    // not supported on this platform/filesystem: the rename is still atomic, only less durable
  } finally {
    if (fd !== undefined) fs.closeSync(fd);
  }
}

/**
 * mkdir -p, one level at a time: Node's recursive mkdir loops forever where a parent exists but
 * takes no folders and says ENOENT (/proc, /sys); this throws that error instead.
 */
export function makeDirs(dir: string, asParent = false): void {
  const abs = path.resolve(dir);
  if (fs.existsSync(abs)) {
    if (fs.statSync(abs).isDirectory()) return;
    // as Node's recursive mkdir says it: the folder itself is a file, or a level above it is
    const code = asParent ? 'ENOTDIR' : 'EEXIST';
    throw Object.assign(new Error(`${code}: ${asParent ? 'not a directory' : 'file already exists'}, mkdir '${abs}'`), { code });
  }
  const parent = path.dirname(abs);
  if (parent !== abs) makeDirs(parent, true);
  try {
    fs.mkdirSync(abs);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
  }
}

/** Writes `data` to a fresh file and fsyncs it (no rename). */
export function writeFileSynced(file: string, data: string | Uint8Array): void {
  const fd = fs.openSync(file, 'w');
  try {
    fs.writeFileSync(fd, data);
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}

export function writeFileAtomic(file: string, data: string | Uint8Array): void {
  makeDirs(path.dirname(file));
  const tmp = `${file}.tmp-${process.pid}-${crypto.randomBytes(4).toString('hex')}`;
  try {
    writeFileSynced(tmp, data);
    fs.renameSync(tmp, file);
  } catch (e) {
    fs.rmSync(tmp, { force: true });
    throw e;
  }
  fsyncDir(path.dirname(file));
}

export function writeJsonAtomic(file: string, value: unknown): void {
  writeFileAtomic(file, JSON.stringify(value, null, 2) + '\n');
}

export function readJson<T>(file: string): T {
  return JSON.parse(fs.readFileSync(file, 'utf8')) as T;
}

/**
 * Reads a JSON file of a run directory (every one holds an object); unreadable or invalid JSON, or
 * JSON that is not an object (`null`, a list…), is a RunError naming the file.
 */
export function readRunJson<T>(file: string): T {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    throw new RunError(`${file}: cannot read it (${(e as NodeJS.ErrnoException).code ?? String(e)}); the run directory is damaged.`);
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    throw new RunError(`${file}: not valid JSON (${e instanceof Error ? e.message : String(e)}); the run directory is damaged or was edited by hand.`);
  }
  if (!isJsonObject(value)) throw new RunError(`${file}: holds ${jsonKind(value)}, not a JSON object; the run directory is damaged or was edited by hand.`);
  return value as T;
}

export const isJsonObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** What a parsed JSON value is, for messages: `null`, a list, a string… */
export const jsonKind = (v: unknown): string => (v === null ? 'null' : Array.isArray(v) ? 'a list' : `a ${typeof v}`);

/** sha256 of a file, read in 1 MiB chunks (never the whole file at once). */
export function sha256File(file: string): string {
  const h = crypto.createHash('sha256');
  const buf = Buffer.allocUnsafe(1 << 20);
  const fd = fs.openSync(file, 'r');
  try {
    for (let n; (n = fs.readSync(fd, buf, 0, buf.length, null)) > 0; ) h.update(buf.subarray(0, n));
  } finally {
    fs.closeSync(fd);
  }
  return h.digest('hex');
}

const asideOf = (dst: string) => `${dst}.old-${process.pid}`;

/**
 * Replaces directory `dst` by `src` (a sibling): `dst` → `dst.old-PID`, `src` → `dst`, then the
 * old one is removed. A kill between the two renames leaves `dst.old-PID`, which `liveDir` reads
 * and `recoverDir` puts back.
 */
export function replaceDir(src: string, dst: string): void {
  const old = asideOf(dst);
  const parent = path.dirname(dst);
  fsyncDir(src);
  if (fs.existsSync(dst)) fs.renameSync(dst, old);
  checkpointSeam('swap');
  fs.renameSync(src, dst);
  fsyncDir(parent);
  checkpointSeam('cleanup');
  fs.rmSync(old, { recursive: true, force: true });
}

/** Leftover siblings of `dst` from an interrupted write: `dst.tmp-*` and `dst.old-*`. */
function leftovers(dst: string): { tmp: string[]; old: string[] } {
  const parent = path.dirname(dst);
  const base = path.basename(dst);
  const names = fs.existsSync(parent) ? fs.readdirSync(parent) : [];
  const full = (prefix: string) => names.filter((n) => n.startsWith(`${base}.${prefix}-`)).map((n) => path.join(parent, n));
  return { tmp: full('tmp'), old: full('old') };
}

/** The folder to read for `dst`: itself, or the copy set aside by a swap a kill interrupted; undefined if neither exists. */
export function liveDir(dst: string): string | undefined {
  if (fs.existsSync(dst)) return dst;
  const old = leftovers(dst).old.sort((a, b) => fs.statSync(b).mtimeMs - fs.statSync(a).mtimeMs);
  return old[0];
}

/** Before writing `dst` again (the run lock is held): put an interrupted swap back and remove half-written copies. */
export function recoverDir(dst: string): void {
  const { tmp, old } = leftovers(dst);
  const keep = fs.existsSync(dst) ? undefined : liveDir(dst);
  if (keep) fs.renameSync(keep, dst);
  for (const d of [...tmp, ...old]) if (d !== keep) fs.rmSync(d, { recursive: true, force: true });
}

/**
 * Tidies a folder after a kill -9 (its writer's lock is held): removes half-written `*.tmp-*`
 * files left by writeFileAtomic and recovers each checkpoint folder in `dirs`.
 */
export function recoverFolder(dir: string, dirs: string[]): void {
  if (!fs.existsSync(dir)) return;
  for (const name of fs.readdirSync(dir)) if (/\.tmp-\d+-[0-9a-f]{8}$/.test(name)) fs.rmSync(path.join(dir, name), { force: true });
  for (const d of dirs) recoverDir(path.join(dir, d));
}
