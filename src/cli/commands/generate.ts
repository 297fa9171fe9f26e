import type { Command } from 'commander';
import { Option } from 'commander';
import { CHECKPOINT_HELP } from '../format.js';
import { generate } from '../../generate/index.js';
import { SeqnetError } from '../../util/errors.js';
import { addBackendOptions, startBackend } from '../backend.js';

function positive(name: string, integer: boolean, allowZero = false) {
  return (v: string): number => {
    const n = Number(v);
    const ok = Number.isFinite(n) && (allowZero ? n >= 0 : n > 0) && (!integer || Number.isInteger(n));
    if (!ok) throw new SeqnetError(`${name} must be a ${allowZero ? 'non-negative' : 'positive'} ${integer ? 'whole number' : 'number'}, got \`${v}\``, 2);
    return n;
  };
}

export function generateCommand(program: Command): void {
  const cmd = program
    .command('generate')
    .description('continue a prime text with a trained language model')
    .argument('<run-dir>', 'run directory of a language_model run')
    .option('--prime <text>', 'text to start from (the output begins with it)', '')
    .option('--length <n>', 'new tokens to generate', positive('--length', true), 200)
    .option('--temperature <t>', 'sampling temperature (> 0; lower is more conservative)', positive('--temperature', false), 1.0)
    .option('--greedy', 'always take the most likely token (temperature 0)')
    .option('--top-k <k>', 'sample among the k most likely tokens', positive('--top-k', true))
    .option('--top-p <p>', 'sample among the most likely tokens covering probability p', positive('--top-p', false))
    .option('--num <n>', 'number of samples', positive('--num', true), 1)
    .option('--seed <s>', 'random seed (same seed, same text)', positive('--seed', true, true), 1)
    .addOption(new Option('--checkpoint <which>', CHECKPOINT_HELP).default('best'));
  addBackendOptions(cmd).addHelpText(
    'after',
    `
Examples:
  $ seqnet generate runs/char-lstm --prime "The " --temperature 0.8
  $ seqnet generate runs/char-lstm --prime "Once" --length 400 --top-k 5 --num 3 --seed 7`,
  );
  cmd.action(async (dir: string, o) => {
    if (o.topP !== undefined && o.topP > 1) throw new SeqnetError('--top-p must be in (0, 1]', 2);
    await startBackend(o);
    const r = await generate(dir, {
      prime: o.prime,
      length: o.length,
      temperature: o.greedy ? 0 : o.temperature,
      topK: o.topK ?? null,
      topP: o.topP ?? null,
      num: o.num,
      seed: o.seed,
      checkpoint: o.checkpoint,
    });
    for (const w of r.warnings) process.stderr.write(`warning: ${w}\n`);
    process.stdout.write(r.samples.join('\n\n---\n\n') + '\n');
  });
}
