import fs from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import { checkWritable } from '../../eval/report.js';
import { plotCompare, writePlots } from '../../plot/index.js';
import { SeqnetError, UsageError } from '../../util/errors.js';
import { addBackendOptions, startBackend } from '../backend.js';
import { makeDirs } from '../../util/fs.js';

export function plotCommand(program: Command): void {
  const cmd = program
    .command('plot')
    .description("draw a run's pictures as SVG into <run>/plots/: loss curves, forecast, confusion matrix, attention")
    .argument('<run-dirs...>', 'run directories written by `seqnet train`')
    .option('--compare <out.svg>', 'instead, draw the validation curves of all the runs on one chart')
    .option('--out <dir>', 'write the plots here instead of <run>/plots (one run only)');
  addBackendOptions(cmd).addHelpText(
    'after',
    `
Examples:
  $ seqnet plot runs/gru-forecast
  $ seqnet plot runs/lstm-classify runs/bilstm-classify --compare runs/classify-curves.svg
  $ seqnet plot runs/sweep-sweep/*/ --compare curves.svg`,
  );
  cmd.action(async (dirs: string[], o) => {
    if (o.compare) {
      checkWritable(o.compare, '--compare');
      process.stdout.write(`${plotCompare(dirs, o.compare)}\n`);
      return;
    }
    if (o.out && dirs.length > 1) throw new SeqnetError("--out takes one run; drop it to write each run's plots into <run>/plots.", 2);
    if (o.out) makeOutDir(o.out);
    await startBackend(o);
    for (const dir of dirs) {
      const r = await writePlots(dir, o.out);
      for (const f of r.written) process.stdout.write(`${f}\n`);
      for (const s of r.skipped) process.stderr.write(`${dir}: no ${s.file}: ${s.reason}\n`);
    }
  });
}

/** --out: the folder is made before any work; a file in the way is a usage error, not a crash */
function makeOutDir(dir: string): void {
  try {
    makeDirs(dir);
  } catch (e) {
    throw new UsageError(`--out ${dir}: cannot make a folder there (${e instanceof Error ? e.message : String(e)}); give a folder for the plots.`);
  }
}

/** after training: the run's plots, as summary lines; a plot that fails costs the run nothing */
export async function plotLines(dir: string): Promise<string[]> {
  try {
    const r = await writePlots(dir);
    return r.written.length ? [`  plots: ${r.written.map((f) => path.basename(f)).join(', ')} in ${r.dir}`] : [];
  } catch (e) {
    return [`  plots not written (${e instanceof Error ? e.message : String(e)}); retry with \`seqnet plot ${dir}\``];
  }
}
