/**
 * The V8 flags of seqnet's own processes (src/cli/gc_flags.ts) must be set before anything else
 * loads: the CLI's entry point and the bench import that module first. A process that imports it
 * runs with incremental marking off (V8's trace shows no marking start where it otherwise would).
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = path.resolve(import.meta.dirname, '../..');
const firstImport = (file: string) => fs.readFileSync(path.join(root, file), 'utf8').match(/^import\s+([^;]+);/m)?.[1];

describe('V8 flags of the CLI and the bench', () => {
  it('bin/seqnet.js and bench/run.mjs import cli/gc_flags.js before anything else', () => {
    expect(firstImport('bin/seqnet.js')).toBe("'../dist/cli/gc_flags.js'");
    expect(firstImport('bench/run.mjs')).toBe("'../dist/cli/gc_flags.js'");
  });

  it('turns incremental marking off in the process that loads it', () => {
    const grow = 'const a = []; for (let i = 0; i < 3e6; i++) a.push({ i });'; // ~100 MB of small live objects
    const run = (code: string) => spawnSync(process.execPath, ['--trace-incremental-marking', '--input-type=module', '-e', code], { encoding: 'utf8' });
    const on = run(`import '${pathToFileURL(path.join(root, 'dist/cli/gc_flags.js')).href}'; ${grow}`);
    expect(on.status).toBe(0);
    expect(on.stdout).not.toMatch(/\[IncrementalMarking\] Start/);
    // the check can fail: without the module the same allocations start incremental marking
    expect(run(grow).stdout).toMatch(/\[IncrementalMarking\] Start/);
  });
});
