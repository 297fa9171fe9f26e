import type { Command } from 'commander';
import { Option } from 'commander';
import { evaluate } from '../../eval/evaluate.js';
import { addBackendOptions, startBackend } from '../backend.js';
import { num, table } from '../format.js';

export function evalCommand(program: Command): void {
  const cmd = program
    .command('eval')
    .description("score a trained run on its test split, its valid split, or another file")
    .argument('<run-dir>', 'run directory written by `seqnet train`')
    .addOption(new Option('--split <split>', 'which split of the run data').choices(['test', 'valid']).default('test'))
    .option('--data <file>', 'evaluate on this file instead (encoded with the run tokenizer)')
    .addOption(new Option('--checkpoint <which>', 'which checkpoint').choices(['best', 'last']).default('best'))
    .option('--stateful', 'recurrent language model: also score the text as one stream, the state carried across windows')
    .option('--json', 'print one JSON object (for scripts and CI)');
  addBackendOptions(cmd).addHelpText(
    'after',
    `
Examples:
  $ seqnet eval runs/char-lstm
  $ seqnet eval runs/char-lstm --split valid --json
  $ seqnet eval runs/char-lstm --data data/other.txt
  $ seqnet eval runs/char-lstm --stateful`,
  );
  cmd.action(async (dir: string, o) => {
    await startBackend(o);
    const r = await evaluate(dir, { split: o.split, file: o.data, checkpoint: o.checkpoint, stateful: o.stateful });
    for (const w of r.warnings) process.stderr.write(`warning: ${w}\n`);
    if (o.json) {
      process.stdout.write(JSON.stringify(r) + '\n');
      return;
    }
    const rows: [string, string][] = Object.entries(r.metrics).map(([k, v]) => [k, num(v)]);
    if (r.baseline) rows.push(...Object.entries(r.baseline).map(([k, v]): [string, string] => [`baseline ${k}`, num(v)]));
    process.stdout.write(`${r.run} (${r.task}, ${r.checkpoint} checkpoint) on ${r.on}\n${table(rows)}\n`);
  });
}
