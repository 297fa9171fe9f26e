import path from 'node:path';
import type { Command } from 'commander';
import chalk from 'chalk';
import { loadConfig } from '../../config/load.js';
import { train } from '../../train/index.js';
import { combineHooks, tensorboardHooks } from '../../tensorboard/index.js';
import { plotLines } from './plot.js';
import { addBackendOptions, startBackend } from '../backend.js';
import { progressHooks } from '../progress.js';
import { duration, num } from '../format.js';

const collect = (v: string, prev: string[]) => [...prev, v];

export function trainCommand(program: Command): void {
  const cmd = program
    .command('train')
    .description('train a model from a YAML experiment config into a run directory')
    .argument('<config>', 'experiment config (YAML)')
    .option('--set <key=value>', 'override a config value, e.g. --set train.epochs=3 (repeatable)', collect, [])
    .option('--out <dir>', 'run directory (default: runs/<name>)')
    .option('--resume', 'continue the run in the run directory from its last checkpoint')
    .option('--overwrite', 'replace an existing run in the run directory')
    .option('--quiet', 'print only the final summary')
    .option('--tensorboard', 'also write TensorBoard logs to <run>/tb (same as --set train.tensorboard=true)');
  addBackendOptions(cmd).addHelpText(
    'after',
    `
Examples:
  $ seqnet train configs/char-lstm.yaml
  $ seqnet train configs/char-lstm.yaml --set train.epochs=1 --set model.units=128 --out runs/quick
  $ seqnet train configs/char-lstm.yaml --resume --set train.epochs=10`,
  );
  cmd.action(async (file: string, o) => {
    const cfg = loadConfig(file, { set: o.tensorboard ? [...o.set, 'train.tensorboard=true'] : o.set });
    const backend = await startBackend(o);
    const progress = progressHooks(Boolean(o.quiet));
    const tb = cfg.train.tensorboard ? tensorboardHooks(o.out ?? path.join('runs', cfg.name)) : undefined;
    const hooks = { ...combineHooks(progress, ...(tb ? [tb] : [])), stop: () => (progress.stop(), tb?.close()) };
    const abort = new AbortController();
    const onSigint = () => {
      if (abort.signal.aborted) process.exit(130);
      process.stderr.write('\ninterrupt: finishing the current step and saving the last checkpoint (Ctrl-C again to quit now)\n');
      abort.abort();
    };
    process.on('SIGINT', onSigint);
    try {
      const r = await train(cfg, { backend, out: o.out, resume: o.resume, overwrite: o.overwrite, hooks, signal: abort.signal });
      hooks.stop();
      const m = r.metrics as Record<string, Record<string, number> | undefined>;
      const lines = [`${chalk.bold(r.status === 'interrupted' ? 'interrupted' : 'trained')}: ${r.dir} (${r.state.step} steps, ${duration(r.state.seconds)})`];
      for (const s of ['valid', 'test']) {
        const v = m[s];
        if (!v) continue;
        const b = m[`${s}_baseline`];
        const extra = b ? ' · baseline ' + Object.entries(b).filter(([k]) => !k.includes('/')).map(([k, x]) => `${k} ${num(x)}`).join(', ') : '';
        // the headline metrics; per-class and per-step details (`f1/<label>`, `mae/t+2`) are in metrics.json and `seqnet eval`
        const headline = (m: Record<string, number>) => Object.entries(m).filter(([k]) => !k.includes('/'));
        lines.push(`  ${s}: ` + headline(v).map(([k, x]) => `${k} ${num(x)}`).join(', ') + extra);
      }
      lines.push(...(await plotLines(r.dir)));
      process.stdout.write(lines.join('\n') + '\n');
      if (r.status === 'interrupted') process.exitCode = 130;
    } finally {
      hooks.stop();
      process.off('SIGINT', onSigint);
    }
  });
}
