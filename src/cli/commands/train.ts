import path from 'node:path';
import type { Command } from 'commander';
import chalk from 'chalk';
import { loadConfig } from '../../config/load.js';
import { baselineFor } from '../../eval/assert.js';
import { train, type TrainResult } from '../../train/index.js';
import { combineHooks } from '../../train/events.js';
import { jsonEventHooks } from '../../train/json-events.js';
import { tensorboardHooks } from '../../tensorboard/index.js';
import { plotLines } from './plot.js';
import { ConfigError, DivergenceError, EXIT } from '../../util/errors.js';
import { addBackendOptions, startBackend } from '../backend.js';
import { appendStepSummary, metricsMarkdown } from '../github.js';
import { onInterrupt } from '../interrupt.js';
import { progressHooks, progressMode } from '../progress.js';
import { duration, num } from '../format.js';

const collect = (v: string, prev: string[]) => [...prev, v];
// the headline metrics; per-class and per-step details (`f1/<label>`, `mae/t+2`) are in metrics.json and `seqnet eval`
const headline = (m: Record<string, number>) => Object.entries(m).filter(([k]) => !k.includes('/'));
const SPLITS = ['valid', 'test'] as const;

function summary(r: TrainResult): string {
  const m = r.metrics as Record<string, Record<string, number> | undefined>;
  const verb = { finished: 'trained', interrupted: 'interrupted', stopped_early: 'stopped early', time_budget: 'stopped (time budget)', diverged: 'diverged' }[r.status];
  const lines = [`${chalk.bold(verb)}: ${r.dir} (${r.state.step} steps, ${duration(r.state.seconds)})`];
  if (r.message && r.status !== 'diverged') lines.push(`  ${r.message}`);
  for (const s of SPLITS) {
    const v = m[s];
    if (!v) continue;
    const b = m[`${s}_baseline`];
    const extra = b ? ' · baseline ' + headline(b).map(([k, x]) => `${k} ${num(x)}`).join(', ') : '';
    lines.push(`  ${s}: ` + headline(v).map(([k, x]) => `${k} ${num(x)}`).join(', ') + extra);
  }
  return lines.join('\n') + '\n';
}

function stepSummary(r: TrainResult): string {
  const m = r.metrics as Record<string, Record<string, number> | undefined>;
  const parts = [`### seqnet train ${r.dir}: ${r.status} after ${r.state.step} steps (${duration(r.state.seconds)})`, ''];
  for (const s of SPLITS) {
    if (m[s]) parts.push(metricsMarkdown(`${s} split`, m[s]!, (k) => baselineFor(m[`${s}_baseline`] ?? null, k)));
  }
  return parts.join('\n');
}

export function trainCommand(program: Command): void {
  const cmd = program
    .command('train')
    .description('train a model from a YAML experiment config into a run directory')
    .argument('<config>', 'experiment config (YAML)')
    .option('--set <key=value>', 'override a config value, e.g. --set train.epochs=3 (repeatable)', collect, [])
    .option('--out <dir>', 'run directory (default: runs/<name>)')
    .option('--resume', 'continue the run in the run directory from its last checkpoint')
    .option('--overwrite', 'replace an existing run in the run directory')
    .option('--json', 'machine-readable events on stdout, one JSON object per line (docs/EVENTS.md); progress goes to stderr')
    .option('--quiet', 'print only the final summary')
    .option('--tensorboard', 'also write TensorBoard logs to <run>/tb (same as --set train.tensorboard=true)');
  addBackendOptions(cmd).addHelpText(
    'after',
    `
Progress goes to stderr: a live bar on a terminal, plain lines every train.log_every steps when stderr is
not a terminal or CI=true. With GITHUB_STEP_SUMMARY set, a metrics table is appended to it.
Exit codes: 0 trained (also stopped early or at the time budget), 6 diverged, 130 interrupted.

Examples:
  $ seqnet train configs/char-lstm.yaml
  $ seqnet train configs/char-lstm.yaml --set train.epochs=1 --set model.units=128 --out runs/quick
  $ seqnet train configs/char-lstm.yaml --resume --set train.epochs=10
  $ seqnet train configs/char-lstm.yaml --json --set train.time_budget=10m > events.jsonl`,
  );
  cmd.action(async (file: string, o) => {
    const cfg = loadConfig(file, { set: o.tensorboard ? [...o.set, 'train.tensorboard=true'] : o.set });
    const backend = await startBackend(o);
    const progress = progressHooks(progressMode(Boolean(o.quiet)));
    const tb = cfg.train.tensorboard ? tensorboardHooks(o.out ?? path.join('runs', cfg.name)) : undefined;
    const json = o.json ? jsonEventHooks((e) => process.stdout.write(JSON.stringify(e) + '\n')) : undefined;
    const hooks = combineHooks(progress, ...(json ? [json] : []), ...(tb ? [tb] : []));
    const interrupt = onInterrupt('finishing the current step and saving the last checkpoint');
    try {
      const r = await train(cfg, { backend, out: o.out, resume: o.resume, overwrite: o.overwrite, hooks, signal: interrupt.signal }).catch((e: unknown) => {
        throw e instanceof ConfigError ? e.inFile(file) : e;
      });
      progress.stop();
      tb?.close();
      // with --json, stdout carries only the event lines
      const out = o.json ? process.stderr : process.stdout;
      out.write(summary(r));
      const plots = await plotLines(r.dir);
      if (plots.length) out.write(plots.join('\n') + '\n');
      appendStepSummary(stepSummary(r));
      if (r.status === 'diverged') throw new DivergenceError(r.message ?? 'training diverged');
      if (r.status === 'interrupted') process.exitCode = EXIT.interrupted;
    } finally {
      progress.stop();
      tb?.close();
      interrupt.dispose();
    }
  });
}
