import type { Command } from 'commander';
import { Option } from 'commander';
import { exportRun } from '../../export/index.js';
import { addBackendOptions, startBackend } from '../backend.js';

export function exportCommand(program: Command): void {
  const cmd = program
    .command('export')
    .description('write a trained run as a folder plain TensorFlow.js loads (model.json, weights.bin, seqnet.json, seqnet.js), or a static demo page')
    .argument('<run-dir>', 'run directory written by `seqnet train`')
    .option('--out <dir>', 'the export folder')
    .option('--web <dir>', 'a static demo page folder: index.html, demo.js (TensorFlow.js inside) and model/')
    .option('--pure', 'fail unless every layer is a standard TensorFlow.js layer (no seqnet/layers needed)')
    .option('--overwrite', 'replace a non-empty --out / --web folder')
    .addOption(new Option('--checkpoint <which>', 'which checkpoint').choices(['best', 'last']).default('best'));
  addBackendOptions(cmd).addHelpText(
    'after',
    `
Examples:
  $ seqnet export runs/char-lstm --out exports/char-lstm
  $ seqnet export runs/lstm-classify --web site/ && npx http-server site/`,
  );
  cmd.action(async (dir: string, o) => {
    await startBackend(o);
    const r = await exportRun(dir, { out: o.out, web: o.web, pure: o.pure, overwrite: o.overwrite, checkpoint: o.checkpoint });
    const kind = r.seqnet.standard_layers ? 'standard TensorFlow.js layers only' : `keeps seqnet layers (${r.seqnet.custom_layers.join(', ')}): load seqnet/layers or seqnet.js first`;
    process.stdout.write(`exported ${r.seqnet.family} ${r.seqnet.task} model: ${kind}\n`);
    if (r.out) process.stdout.write(`  model:     ${r.out}\n`);
    if (r.web) process.stdout.write(`  demo page: ${r.web}/index.html (serve the folder with any static server)\n`);
  });
}
