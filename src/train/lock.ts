/**
 * One run directory, one writer. `seqnet train` holds `<run>/.lock` (JSON: pid, host, start time)
 * for as long as it writes the run. A second writer is refused with the owner's pid and host; a
 * lock whose process is gone (same host, pid no longer alive) is stale and taken over with a
 * notice. The lock file is created with an exclusive hard link, so two racing writers cannot both
 * win. Readers (eval, predict, generate) take no lock: checkpoints are swapped in whole.
 *
 * Limits: liveness can only be checked on the same host, so a lock held from another host is
 * always respected (remove it by hand once that run is gone); on network filesystems without
 * atomic link(2) (some NFS/SMB setups) the exclusion is best effort.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { RunError } from '../util/errors.js';
import { makeDirs, writeFileSynced } from '../util/fs.js';

export const LOCK_FILE = '.lock';

interface LockInfo {
  pid: number;
  host: string;
  started: string;
  command: string;
}

export interface RunLock {
  readonly file: string;
  release(): void;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
  // a killed process its parent has not reaped yet (a zombie, Linux) no longer runs
  try {
    return !/^\d+ \(.*\) Z/.test(fs.readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return true;
  }
}

function readLock(file: string): LockInfo | undefined {
  try {
    const j = JSON.parse(fs.readFileSync(file, 'utf8')) as LockInfo;
    return typeof j.pid === 'number' && typeof j.host === 'string' ? j : undefined;
  } catch {
    return undefined;
  }
}

/** Creates `file` holding `info`, only if it does not exist (complete content, atomically). */
function tryCreate(file: string, info: LockInfo): boolean {
  const tmp = `${file}.${process.pid}-${crypto.randomBytes(4).toString('hex')}`;
  writeFileSynced(tmp, JSON.stringify(info) + '\n');
  try {
    fs.linkSync(tmp, file);
    return true;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw e;
  } finally {
    fs.rmSync(tmp, { force: true });
  }
}

/**
 * Takes the lock of run directory `dir` (creating the folder), or throws a RunError naming the
 * live owner. `notice` hears about a stale lock taken over.
 */
export function acquireRunLock(dir: string, notice: (m: string) => void = () => {}): RunLock {
  const created = !fs.existsSync(dir);
  try {
    makeDirs(dir);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code ?? '';
    throw new RunError(`cannot make the run directory ${dir} (${code || (e as Error).message}): give --out a folder you can write.`);
  }
  const file = path.join(dir, LOCK_FILE);
  const me: LockInfo = { pid: process.pid, host: os.hostname(), started: new Date().toISOString(), command: process.argv.slice(1).join(' ') };
  for (let attempt = 0; attempt < 3; attempt++) {
    if (tryCreate(file, me)) return holding(dir, file, created);
    const owner = readLock(file);
    if (!owner) {
      // unreadable: a writer from before this format, or hand-made; young ones may be mid-creation
      const age = Date.now() - fs.statSync(file).mtimeMs;
      if (age < 10_000) throw new RunError(`${dir} is locked by another seqnet (${file} is unreadable); if no run is using it, delete ${file}.`);
      notice(`${file}: unreadable lock older than 10 s, taken over`);
    } else if (owner.pid === process.pid && owner.host === me.host) {
      throw new RunError(`${dir} is already being written by this process.`);
    } else if (owner.host !== me.host || alive(owner.pid)) {
      throw new RunError(
        `${dir} is in use by another seqnet train: pid ${owner.pid} on host ${owner.host}, started ${owner.started}.\n` +
          `Wait for it to finish, stop it, or train into another folder with --out DIR` +
          (owner.host !== me.host ? `. If that run is gone, delete ${file}.` : '.'),
      );
    } else {
      notice(`${dir}: taking over a stale lock (pid ${owner.pid} on ${owner.host}, started ${owner.started}, is no longer running)`);
    }
    // move the stale lock aside atomically, so of two processes taking it over only one removes it
    const aside = `${file}.stale-${process.pid}`;
    try {
      fs.renameSync(file, aside);
      const moved = readLock(aside);
      // another process took the stale lock over between our read and our rename: give it back
      if (moved && (moved.pid !== owner?.pid || moved.started !== owner?.started)) fs.linkSync(aside, file);
    } catch {
      // another process took it over first; try again and see who owns it now
    } finally {
      fs.rmSync(aside, { force: true });
    }
  }
  throw new RunError(`${dir}: could not take the run lock ${file}; another process keeps replacing it.`);
}

function holding(dir: string, file: string, created: boolean): RunLock {
  let held = true;
  const release = () => {
    if (!held) return;
    held = false;
    process.off('exit', release);
    const owner = readLock(file);
    if (owner?.pid === process.pid) fs.rmSync(file, { force: true });
    // a run that failed before writing anything leaves no empty folder behind (one it made)
    if (created && fs.existsSync(dir) && fs.readdirSync(dir).length === 0) fs.rmdirSync(dir);
  };
  process.on('exit', release);
  return { file, release };
}

/** What seqnet writes in a run directory (see rundir.ts), and what an interrupted write leaves beside it. */
const RUN_ENTRY =
  /^(config\.yaml|manifest\.json|metrics\.json|history\.csv|steps\.csv|(tokenizer|labels|scaler|target_tokenizer)\.json|best|last|checkpoints|plots|tb)((\.(tmp|old)-\d+)|\.tmp-\d+-[0-9a-f]{8})?$/;

/**
 * Clears a run directory for --overwrite: removes what seqnet wrote there, keeping the lock this
 * process holds and anything else (a user's own files in the folder named with --out).
 */
export function clearRunDir(dir: string): void {
  for (const name of fs.readdirSync(dir)) if (RUN_ENTRY.test(name)) fs.rmSync(path.join(dir, name), { recursive: true, force: true });
}
