/** The seqnet program: thin commands over the library, one error handler, exit codes. */
import { Command, CommanderError } from 'commander';
import { SEQNET_VERSION } from '../version.js';
import { evalCommand } from './commands/eval.js';
import { exportCommand } from './commands/export.js';
import { generateCommand } from './commands/generate.js';
import { infoCommand } from './commands/info.js';
import { schemaCommand } from './commands/schema.js';
import { sweepCommand } from './commands/sweep.js';
import { inspectCommand } from './commands/inspect.js';
import { plotCommand } from './commands/plot.js';
import { predictCommand } from './commands/predict.js';
import { trainCommand } from './commands/train.js';
import { compareCommand } from './commands/compare.js';
import { handleError } from './errors.js';
import { EXIT, EXIT_CODES_HELP } from '../util/errors.js';

export function program(): Command {
  const p = new Command('seqnet')
    .description('train, evaluate and sample deep sequence models from YAML experiment configs (TensorFlow.js)')
    .version(SEQNET_VERSION)
    .showHelpAfterError()
    .addHelpText('after', `\n${EXIT_CODES_HELP}`)
    .exitOverride();
  trainCommand(p);
  evalCommand(p);
  compareCommand(p);
  generateCommand(p);
  predictCommand(p);
  plotCommand(p);
  sweepCommand(p);
  exportCommand(p);
  inspectCommand(p);
  infoCommand(p);
  schemaCommand(p);
  return p;
}

function onStdoutError(e: NodeJS.ErrnoException): void {
  if (e.code === 'EPIPE') process.exit(0);
  throw e;
}

export async function main(argv: string[]): Promise<void> {
  // `seqnet schema | head` closes the pipe early: that is not an error
  if (!process.stdout.listeners('error').includes(onStdoutError)) process.stdout.on('error', onStdoutError);
  try {
    await program().parseAsync(argv);
  } catch (e) {
    if (e instanceof CommanderError) {
      process.exitCode = e.exitCode === 0 ? EXIT.ok : EXIT.usage;
      return;
    }
    process.exitCode = handleError(e);
  }
}
