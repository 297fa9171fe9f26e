import type { Command } from 'commander';
import { Option } from 'commander';
import { duration } from '../format.js';
import { onInterrupt } from '../interrupt.js';
import {
  buildLeaderboard, findTrials, planSweep, rankBy, renderLeaderboard, resolveTrialIndex, runSweep, runTrial, writeLeaderboard, type TrialRecord,
} from '../../sweep/index.js';
import { EXIT, SeqnetError } from '../../util/errors.js';

const collect = (v: string, prev: string[]) => [...prev, v];
const int = (flag: string) => (v: string) => {
  const n = Number(v);
  if (!Number.isInteger(n)) throw new SeqnetError(`${flag} ${v}: expected a whole number`, 2);
  return n;
};

export function sweepCommand(program: Command): void {
  program
    .command('sweep')
    .description('train one run per point of a grid of config overrides, and rank them; or list / run one trial for a CI matrix or Kubernetes Indexed Job')
    .argument('[config]', 'experiment config (YAML)')
    .option('--grid <key=[values]>', 'a config key and the values to try, e.g. --grid model.units=[64,128] (repeatable; the last key varies fastest)', collect, [])
    .option('--set <key=value>', 'override a config value in every trial (repeatable)', collect, [])
    .option('--random <n>', 'N distinct trials drawn from the grid instead of all of it', int('--random'))
    .option('--seed <s>', "seed of the --random draws (default: the config's seed)", int('--seed'))
    .option('--metric <name>', "rank by this valid-split metric (default: the task's headline: accuracy, bits_per_token, mae…)")
    .addOption(new Option('--mode <mode>', 'min or max (default: what suits the metric)').choices(['min', 'max']))
    .option('--jobs <n>', 'trials at once, each a separate process with cores/N kernel threads (SEQNET_THREADS)', int('--jobs'), 1)
    .option('--list', 'print the trials without running anything')
    .option('--json', 'with --list or --gather: print JSON')
    .option('--trial <i>', 'run only trial I (0-based); else from SEQNET_TRIAL_INDEX, JOB_COMPLETION_INDEX or CI_NODE_INDEX (1-based)')
    .option('--out <dir>', 'sweep folder (default: runs/<name>-sweep); with --gather, where leaderboard.json/.csv go (default: .)')
    .option('--gather <dirs...>', 'rank trial folders collected from many jobs (each a trial, or a folder of trials)')
    .option('--markdown', 'print the leaderboard as a Markdown table (for $GITHUB_STEP_SUMMARY)')
    .addOption(new Option('--device <device>', 'engine for each trial, passed to seqnet train').choices(['auto', 'cpu', 'gpu']))
    .addHelpText(
      'after',
      `
Trial i always means the same overrides: the grid is expanded in flag order, the last --grid varying fastest.
Examples:
  $ seqnet sweep configs/lstm-classify.yaml --grid model.units=[32,64] --grid train.learning_rate=[0.002,0.005] --jobs 2
  $ seqnet sweep configs/lstm-classify.yaml --grid model.units=[32,64] --list --json
  $ seqnet sweep configs/lstm-classify.yaml --grid model.units=[32,64] --trial 1
  $ seqnet sweep --gather trials/ --markdown >> "$GITHUB_STEP_SUMMARY"
See docs/SCALING.md for GitHub Actions, GitLab CI and Kubernetes.`,
    )
    .action(async (config: string | undefined, o) => {
      if (o.gather) {
        const lb = buildLeaderboard(findTrials(o.gather), o.metric, o.mode);
        const files = writeLeaderboard(o.out ?? '.', lb);
        process.stdout.write((o.json ? JSON.stringify(lb) : renderLeaderboard(lb, Boolean(o.markdown))) + '\n');
        if (!o.json && !o.markdown) process.stderr.write(`wrote ${files.join(', ')}\n`);
        return;
      }
      if (!config) throw new SeqnetError('sweep: give a CONFIG and --grid flags, or --gather DIR… (see seqnet sweep --help)', 2);
      const index = o.list ? undefined : resolveTrialIndex(o.trial);
      if (index && !o.grid.length) {
        throw new SeqnetError(`${index.from} ${index.index}: a trial index needs the sweep's --grid flags (the same as for --list) to know what trial ${index.index} is`, 2);
      }
      const plan = planSweep(config, { grid: o.grid, set: o.set, random: o.random, seed: o.seed, out: o.out });
      const trainFlags = o.device ? ['--device', o.device] : [];
      if (o.list) {
        const rows = plan.trials.map((t) => ({ index: t.index, name: t.name, set: t.set }));
        process.stdout.write((o.json ? JSON.stringify(rows) : rows.map((r) => `${r.index}\t${r.name}`).join('\n')) + '\n');
        return;
      }
      rankBy(plan.cfg.task, o.metric, o.mode);
      if (o.jobs < 1) throw new SeqnetError(`--jobs ${o.jobs}: expected at least 1 trial at a time`, 2);
      const say = (r: TrialRecord, dir: string) =>
        process.stderr.write(`trial ${r.index} ${r.status}${r.error ? `: ${r.error.split('\n')[0]}` : ''} (${duration(r.seconds)}) → ${dir}\n`);
      if (index && !plan.trials[index.index]) {
        process.stdout.write(`trial ${index.index} (from ${index.from}): nothing to do; the sweep has ${plan.trials.length} trials, 0 to ${plan.trials.length - 1}\n`);
        return;
      }
      // Ctrl-C reaches the trials too (they save last/ and stop); the sweep starts no further trial
      // and still records the ones that ran, then exits 130
      const interrupt = onInterrupt('letting the running trials save, starting no more');
      try {
        if (index) {
          const t = plan.trials[index.index];
          process.stderr.write(`trial ${t.index} (from ${index.from}): ${t.name}\n`);
          const r = await runTrial(plan, t, { jobs: 1, trainFlags, onDone: say });
          if (r.status === 'failed') process.exitCode = 1; // the trial folder still records the error for --gather
        } else {
          process.stderr.write(`sweep: ${plan.trials.length} trials into ${plan.root}, ${o.jobs} at a time\n`);
          const r = await runSweep(plan, { jobs: o.jobs, trainFlags, metric: o.metric, mode: o.mode, onDone: say, signal: interrupt.signal });
          process.stdout.write((o.markdown ? renderLeaderboard(r.leaderboard, true) : renderLeaderboard(r.leaderboard)) + '\n');
          process.stderr.write(`wrote ${r.files.join(', ')}\n`);
        }
      } finally {
        interrupt.dispose();
      }
      if (interrupt.signal.aborted) process.exitCode = EXIT.interrupted;
    });
}
