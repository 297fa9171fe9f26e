/** makeDirs: mkdir -p that throws where Node's recursive mkdir loops forever (a parent that takes no folders). */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { makeDirs } from '../../src/util/fs.js';

describe('makeDirs', () => {
  it('makes every missing level and is idempotent', () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'seqnet-mk-'));
    const deep = path.join(root, 'a', 'b', 'c');
    makeDirs(deep);
    makeDirs(deep);
    expect(fs.statSync(deep).isDirectory()).toBe(true);
    fs.rmSync(root, { recursive: true, force: true });
  });

  it.skipIf(!fs.existsSync('/proc/self'))('throws ENOENT under /proc instead of looping', () => {
    expect(() => makeDirs('/proc/seqnet-no/such')).toThrow(/ENOENT/);
  });

  it('throws when a level is a file', () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'seqnet-mk-'));
    fs.writeFileSync(path.join(root, 'f'), 'x');
    expect(() => makeDirs(path.join(root, 'f', 'sub'))).toThrow(/ENOTDIR|EEXIST/);
    fs.rmSync(root, { recursive: true, force: true });
  });
});
