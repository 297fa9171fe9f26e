/** Child-process helpers for the reliability tests: they run the built CLI (npm run build first). */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { fixture, TINY_CORPUS, TINY_LM_YAML } from '../helpers/tmp.js';

export const BIN = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../bin/seqnet.js');

/** A tiny LM experiment that trains for a few seconds (so kills land at different moments). */
export function lmFixture(epochs = 40): string {
  return fixture({ 'corpus.txt': TINY_CORPUS, 'tiny.yaml': TINY_LM_YAML.replace('epochs: 2', `epochs: ${epochs}`) });
}

export interface Child {
  proc: ChildProcess;
  out: () => string;
  err: () => string;
  done: Promise<number | null>;
}

export function seqnet(cwd: string, args: string[], env: Record<string, string> = {}): Child {
  const proc = spawn(process.execPath, [BIN, ...args], { cwd, env: { ...process.env, ...env, FORCE_COLOR: '0' }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  proc.stdout!.on('data', (d) => (out += String(d)));
  proc.stderr!.on('data', (d) => (err += String(d)));
  const done = new Promise<number | null>((r) => proc.on('close', (code) => r(code)));
  return { proc, out: () => out, err: () => err, done };
}

/** Runs the CLI to completion: exit code and output. */
export async function run(cwd: string, args: string[], env: Record<string, string> = {}): Promise<{ code: number | null; out: string; err: string }> {
  const c = seqnet(cwd, args, env);
  const code = await c.done;
  return { code, out: c.out(), err: c.err() };
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Waits until `file` exists (or the child has exited); true when it appeared. */
export async function waitForFile(file: string, child: Child, timeoutMs = 30_000): Promise<boolean> {
  let exited = false;
  void child.done.then(() => (exited = true));
  const t0 = Date.now();
  while (!fs.existsSync(file)) {
    if (exited || Date.now() - t0 > timeoutMs) return false;
    await sleep(20);
  }
  return true;
}

export async function kill9(child: Child): Promise<void> {
  child.proc.kill('SIGKILL');
  await child.done;
}
