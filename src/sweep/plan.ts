/**
 * A sweep's plan: its config, its trials (each checked against the config schema before anything
 * runs), the folder its trials go into, and which trial this job runs when an engine (CI matrix,
 * GitLab parallel, Kubernetes Indexed Job) launched it.
 */
import path from 'node:path';
import { loadConfig } from '../config/load.js';
import type { Config } from '../config/schema/index.js';
import { ConfigError, SeqnetError } from '../util/errors.js';
import { expandGrid, parseGrid, randomTrials, type GridValue, type Trial } from './grid.js';

export interface PlanOptions {
  grid: string[];
  /** base `--set` overrides applied to every trial */
  set?: string[];
  /** N random draws from the grid instead of all of it */
  random?: number;
  /** seed of the random draws (default: the config's seed) */
  seed?: number;
  /** sweep folder (default: runs/<name>-sweep) */
  out?: string;
}

export interface Plan {
  config: string;
  cfg: Config;
  trials: Trial[];
  root: string;
  set: string[];
}

/** `key=value` for --set (JSON is YAML, so strings with commas or colons survive) */
export const setFlag = (key: string, v: GridValue): string => `${key}=${JSON.stringify(v)}`;

/** the trial's --set flags: base ones first, then the grid's */
export const trialSets = (plan: Plan, t: Trial): string[] => [...plan.set, ...Object.entries(t.set).map(([k, v]) => setFlag(k, v))];

function check(config: string, set: string[], what: string): Config {
  try {
    return loadConfig(config, { set });
  } catch (e) {
    if (!(e instanceof ConfigError)) throw e;
    throw new ConfigError(`${config} (${what})`, e.problems.map((p) => p.replace(/ \(from --set\)$/, ' (from --grid)')));
  }
}

export function planSweep(config: string, o: PlanOptions): Plan {
  const set = o.set ?? [];
  const cfg = check(config, set, 'the base config');
  const axes = parseGrid(o.grid);
  // each value alone first, so an error names the grid key it comes from
  for (const a of axes) for (const v of a.values) check(config, [...set, setFlag(a.key, v)], `--grid ${a.key}=${JSON.stringify(v)}`);
  const trials = o.random !== undefined ? randomTrials(axes, o.random, o.seed ?? cfg.seed) : expandGrid(axes);
  const plan: Plan = { config, cfg, trials, root: o.out ?? path.join('runs', `${cfg.name}-sweep`), set };
  for (const t of trials) check(config, trialSets(plan, t), `trial ${t.index}: ${t.name}`);
  return plan;
}

/**
 * The trial this job runs, 0-based, from the first of: --trial; SEQNET_TRIAL_INDEX (0-based);
 * JOB_COMPLETION_INDEX (Kubernetes Indexed Jobs, 0-based); CI_NODE_INDEX (GitLab `parallel:`,
 * 1-based). undefined when none is set.
 */
export function resolveTrialIndex(flag: string | undefined, env: NodeJS.ProcessEnv = process.env): { index: number; from: string } | undefined {
  const sources: [string, string | undefined, number][] = [
    ['--trial', flag, 0],
    ['SEQNET_TRIAL_INDEX', env.SEQNET_TRIAL_INDEX, 0],
    ['JOB_COMPLETION_INDEX', env.JOB_COMPLETION_INDEX, 0],
    ['CI_NODE_INDEX', env.CI_NODE_INDEX, 1],
  ];
  for (const [from, raw, base] of sources) {
    if (raw === undefined || raw.trim() === '') continue;
    const n = Number(raw);
    if (!Number.isInteger(n) || n < base) {
      throw new SeqnetError(`${from}=${raw}: expected a whole number ≥ ${base} (${base ? '1-based' : '0-based'} trial index)`, 2);
    }
    return { index: n - base, from };
  }
  return undefined;
}
