/**
 * TEST-ONLY seams in the checkpoint writer, driven by environment variables so that tests in a
 * child process can hit exact moments of a checkpoint write. Unset (the normal case) they do
 * nothing. Not a user feature: names and behaviour may change without notice.
 *
 *   SEQNET_TEST_PAUSE_IN_CHECKPOINT=FILE:STAGE[:N]  the Nth time (default 1) the writer reaches
 *       STAGE it writes "STAGE PID" to FILE and blocks until FILE is deleted (a test kills the
 *       process meanwhile). STAGE is one of
 *       write   (the temporary folder is half written: weights.bin there, model.json not yet),
 *       swap    (the old checkpoint is renamed aside, the new one not yet in place),
 *       cleanup (the new checkpoint is in place, the old one not yet removed).
 *   SEQNET_TEST_FAIL_CHECKPOINT=CODE[:N]  the Nth checkpoint write of the process (default 1)
 *       fails with errno CODE (ENOSPC, EACCES, …) while writing its weights.
 */
import fs from 'node:fs';

export type Stage = 'write' | 'swap' | 'cleanup';

let writes = 0;
const reached: Partial<Record<Stage, number>> = {};

/** Called once per checkpoint write, where the weights are written; may throw the injected error. */
export function checkpointWriteSeam(): void {
  const spec = process.env.SEQNET_TEST_FAIL_CHECKPOINT;
  writes++;
  if (!spec) return;
  const [code, nth] = spec.split(':');
  if (writes !== Number(nth ?? 1)) return;
  const messages: Record<string, string> = { ENOSPC: 'no space left on device', EACCES: 'permission denied' };
  throw Object.assign(new Error(`${code}: ${messages[code] ?? 'injected failure'}, write (test seam)`), { code });
}

export function checkpointSeam(stage: Stage): void {
  const spec = process.env.SEQNET_TEST_PAUSE_IN_CHECKPOINT;
  if (!spec) return;
  const m = /^(.*):(write|swap|cleanup)(?::(\d+))?$/.exec(spec);
  if (!m || m[2] !== stage) return;
  reached[stage] = (reached[stage] ?? 0) + 1;
  if (reached[stage] !== Number(m[3] ?? 1)) return;
  const file = m[1];
  fs.writeFileSync(file, `${stage} ${process.pid}\n`);
  const cell = new Int32Array(new SharedArrayBuffer(4));
  while (fs.existsSync(file)) Atomics.wait(cell, 0, 0, 20);
}
