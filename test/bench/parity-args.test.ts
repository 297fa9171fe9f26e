/** bench/parity.mjs parses its flags strictly: --help and a misspelt flag never start the ~3 min harness (needs `npm run build`). */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const script = fileURLToPath(new URL('../../bench/parity.mjs', import.meta.url));
const parity = (...args: string[]) => spawnSync(process.execPath, [script, ...args, '--out', '/nonexistent/parity.json'], { encoding: 'utf8', timeout: 60_000 });

describe('bench/parity.mjs flags', () => {
  it('--help prints the usage and exits 0', () => {
    const r = parity('--help');
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^usage: node bench\/parity\.mjs/);
  });

  it.each([
    [['--workload', 'lstm-lm'], /Unknown option '--workload'/],
    [['--workloads', 'lstm'], /unknown workload lstm; choose from lstm-lm/],
    [['--steps', '25,x'], /--steps 25,x: give comma-separated positive integers/],
  ])('%j exits 2 before any work', (args, message) => {
    const r = parity(...args);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(message);
  });
});
