import type { Command } from 'commander';
import { Option } from 'commander';
import { CHECKPOINT_HELP } from '../format.js';
import { predict } from '../../predict/index.js';
import { addBackendOptions, startBackend } from '../backend.js';

export function predictCommand(program: Command): void {
  const cmd = program
    .command('predict')
    .description('apply a trained run to new input: labels, tags per token, or the next values of a series')
    .argument('<run-dir>', 'run directory written by `seqnet train`')
    .option('--input <text>', 'one example typed here (classification, tagging)')
    .option('--file <file>', 'a file of examples: a table or text lines (classification), CoNLL or text lines (tagging), a series (forecasting)')
    .option('--attention <file.svg>', 'seq2seq: write the attention matrix of the (first) input as an SVG heatmap')
    .addOption(new Option('--checkpoint <which>', CHECKPOINT_HELP).default('best'))
    .option('--json', 'print one JSON object (for scripts)');
  addBackendOptions(cmd).addHelpText(
    'after',
    `
Examples:
  $ seqnet predict runs/lstm-classify --input "not bad at all, i loved it"
  $ seqnet predict runs/lstm-tagging --input "the old dog sees a small cat" --json
  $ seqnet predict runs/gru-forecast --file data/weather.csv`,
  );
  cmd.action(async (dir: string, o) => {
    await startBackend(o);
    const r = await predict(dir, { text: o.input, file: o.file, attention: o.attention, checkpoint: o.checkpoint });
    for (const w of r.warnings) process.stderr.write(`warning: ${w}\n`);
    process.stdout.write((o.json ? JSON.stringify({ run: r.run, task: r.task, results: r.results }) : r.render) + '\n');
  });
}
