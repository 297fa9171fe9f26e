/** Ctrl-C for long commands: the first asks the work to save and stop (its signal aborts); the second exits 130 at once. */
import { EXIT } from '../util/errors.js';

export function onInterrupt(what: string): { signal: AbortSignal; dispose(): void } {
  const abort = new AbortController();
  const onSigint = () => {
    if (abort.signal.aborted) process.exit(EXIT.interrupted);
    process.stderr.write(`\ninterrupt: ${what} (Ctrl-C again to quit now)\n`);
    abort.abort();
  };
  process.on('SIGINT', onSigint);
  return { signal: abort.signal, dispose: () => process.off('SIGINT', onSigint) };
}
