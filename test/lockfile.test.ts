/**
 * package-lock.json stays in sync with package.json, so `npm ci` works on a fresh clone: the root
 * entry repeats package.json's specs, every dependency (optional platform packages included) of every
 * locked package has its own entry, and npm itself accepts the pair (`npm ci --dry-run`, offline).
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { tmpDir } from './helpers/tmp.js';

const root = new URL('..', import.meta.url).pathname;
const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));
const lock = JSON.parse(fs.readFileSync(path.join(root, 'package-lock.json'), 'utf8')) as {
  packages: Record<string, { dependencies?: Record<string, string>; optionalDependencies?: Record<string, string> }>;
};
const FIELDS = ['dependencies', 'devDependencies', 'optionalDependencies'] as const;

/** Where node would find `dep` from the package at lock path `from`: its own node_modules, then each parent's. */
function resolves(from: string, dep: string): boolean {
  let at = from;
  for (;;) {
    if (lock.packages[`${at ? `${at}/` : ''}node_modules/${dep}`]) return true;
    if (!at) return false;
    const i = at.lastIndexOf('/node_modules/');
    at = i < 0 ? '' : at.slice(0, i);
  }
}

describe('package-lock.json', () => {
  it("repeats package.json's dependency specs in its root entry", () => {
    const top = lock.packages[''] as Record<string, unknown>;
    for (const f of FIELDS) expect({ field: f, specs: top[f] ?? {} }).toEqual({ field: f, specs: pkg[f] ?? {} });
  });

  it('has an entry for every dependency of every locked package, optional platform packages included', () => {
    const missing = Object.entries(lock.packages).flatMap(([p, e]) =>
      Object.keys({ ...e.dependencies, ...e.optionalDependencies }).filter((d) => !resolves(p, d)).map((d) => `${p || '(root)'} → ${d}`),
    );
    expect(missing).toEqual([]);
  });

  it('is accepted by npm ci (dry run, offline, in a scratch folder)', () => {
    const dir = tmpDir('seqnet-lock-');
    for (const f of ['package.json', 'package-lock.json']) fs.copyFileSync(path.join(root, f), path.join(dir, f));
    const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
    expect(() =>
      execFileSync(npm, ['ci', '--dry-run', '--offline', '--ignore-scripts', '--no-audit', '--no-fund'], { cwd: dir, stdio: 'pipe', timeout: 60_000 }),
    ).not.toThrow();
  });
});
