/** The one top-level error handler: SeqnetErrors print cleanly; anything else is a bug with a stack. */
import chalk from 'chalk';
import { EXIT, isSeqnetError } from '../util/errors.js';

export function handleError(e: unknown): number {
  if (isSeqnetError(e)) {
    process.stderr.write(`${chalk.red('error:')} ${e.message}\n`);
    return e.exitCode;
  }
  const err = e instanceof Error ? e : new Error(String(e));
  process.stderr.write(
    `${chalk.red('internal error (a bug in seqnet):')} ${err.stack ?? err.message}\n` +
      'Please report it with the command you ran.\n',
  );
  return EXIT.bug;
}
