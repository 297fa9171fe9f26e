/**
 * Sweeps: expand a grid into trials (plan.ts), run them as separate processes or one per engine job
 * (run.ts), and rank them from their folders (leaderboard.ts). seqnet schedules nothing itself: a CI
 * matrix or a Kubernetes Indexed Job fans the trials out (docs/SCALING.md).
 */
import path from 'node:path';
import type { Trial } from './grid.js';
import { buildLeaderboard, rankBy, writeLeaderboard, type Leaderboard, type TrialRecord } from './leaderboard.js';
import { runTrials, type RunOptions } from './run.js';
import type { Plan } from './plan.js';

export { expandGrid, randomTrials, parseGrid, gridSize, describe, type Trial, type GridAxis, type GridValue } from './grid.js';
export { planSweep, resolveTrialIndex, trialSets, type Plan, type PlanOptions } from './plan.js';
export { buildLeaderboard, findTrials, rankBy, renderLeaderboard, writeLeaderboard, TRIAL_FILE, type Leaderboard, type Entry, type TrialRecord } from './leaderboard.js';
export { runTrial, runTrials, threadsPerJob, type RunOptions } from './run.js';

export interface SweepResult {
  records: TrialRecord[];
  leaderboard: Leaderboard;
  files: string[];
}

/** runs `trials` (all of the plan's by default) and writes the leaderboard beside them */
export async function runSweep(plan: Plan, o: RunOptions & { metric?: string; mode?: string; trials?: Trial[] }): Promise<SweepResult> {
  rankBy(plan.cfg.task, o.metric, o.mode); // a bad --metric fails before any trial runs
  const trials = o.trials ?? plan.trials;
  const records = await runTrials(plan, trials, o);
  const leaderboard = buildLeaderboard(records.map((r) => path.join(plan.root, r.name)), o.metric, o.mode);
  return { records, leaderboard, files: writeLeaderboard(plan.root, leaderboard) };
}
