import type { Command } from 'commander';
import { compareRuns, type Comparison } from '../../eval/compare.js';
import { checkWritable } from '../../eval/report.js';
import { plotCompare } from '../../plot/index.js';
import { duration, num } from '../format.js';

/** Columns padded to their widest cell. */
function grid(rows: string[][]): string {
  const w = rows[0].map((_, c) => Math.max(...rows.map((r) => r[c].length)));
  return rows.map((r) => r.map((x, c) => x.padEnd(w[c])).join('  ').trimEnd()).join('\n');
}

export function renderComparison(c: Comparison): string {
  const show = (v: unknown) => (v === undefined ? '' : typeof v === 'string' ? v : JSON.stringify(v));
  const head = ['run', 'status', 'steps', 'wall', ...c.differing, ...c.metrics, ...c.baselines.map((b) => `baseline ${b}`)];
  const rows = c.runs.map((r) => [
    r.run,
    r.status,
    r.steps === null ? '' : String(r.steps),
    duration(r.wall_seconds),
    ...c.differing.map((k) => show(r.config[k])),
    ...c.metrics.map((m) => (m in r.metrics ? num(r.metrics[m]) : '')),
    ...c.baselines.map((b) => (b in r.baseline ? num(r.baseline[b]) : '')),
  ]);
  const splits = [...new Set(c.runs.map((r) => r.split ?? 'no'))].join('/');
  return `${grid([head, ...rows])}\n(metrics of the ${splits} split${c.sortedBy ? `, best ${c.sortedBy} first` : ''})`;
}

export function compareCommand(program: Command): void {
  program
    .command('compare')
    .description('compare runs side by side: config keys that differ, status, steps, wall time, test metrics, baseline')
    .argument('<runs...>', 'run directories, or a pattern such as runs/*')
    .option('--sort <metric>', 'order by this metric, best first (higher first for accuracy, f1, bleu…; lower first otherwise)')
    .option('--json', 'print the comparison as one JSON object')
    .option('--plot <svg>', 'also draw the runs\' validation curves on one chart (SVG)')
    .addHelpText('after', '\nExamples:\n  $ seqnet compare runs/*\n  $ seqnet compare runs/lstm runs/gru runs/transformer --sort accuracy\n  $ seqnet compare "runs/lm-*" --json\n  $ seqnet compare runs/* --plot compare.svg')
    .action((dirs: string[], o: { sort?: string; json?: boolean; plot?: string }) => {
      if (o.plot) checkWritable(o.plot, '--plot');
      const c = compareRuns(dirs, o.sort);
      for (const s of c.skipped) process.stderr.write(`warning: ${s} is not a run directory; skipped\n`);
      process.stdout.write((o.json ? JSON.stringify(c) : renderComparison(c)) + '\n');
      if (o.plot) process.stderr.write(`validation curves: ${plotCompare(c.runs.map((r) => r.run), o.plot)}\n`);
    });
}
