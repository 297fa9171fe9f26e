/** `evaluate(runDir)`: the task's metrics on the test/valid split or a new file, with the baseline beside them. */
import fs from 'node:fs';
import { tf } from '../backend/index.js';
import type { WindowSplit } from '../data/lm.js';
import { loadPredictor } from '../models/predictor.js';
import { taskSpec } from '../tasks/index.js';
import { scoreSplit } from '../tasks/score.js';
import { checkpointDir, openRun, type CheckpointChoice } from '../train/rundir.js';
import { RunError, UsageError } from '../util/errors.js';
import { scoreStateful } from './stateful.js';

export interface EvalOptions {
  split?: 'test' | 'valid';
  /** evaluate on this file instead of a split */
  file?: string;
  checkpoint?: CheckpointChoice;
  batchSize?: number;
  /** language model: also score the text as one stream, the recurrent state carried across windows */
  stateful?: boolean;
}

export interface EvalResult {
  run: string;
  task: string;
  on: string;
  checkpoint: string;
  metrics: Record<string, number>;
  baseline: Record<string, number> | null;
  warnings: string[];
}

export async function evaluate(dir: string, o: EvalOptions = {}): Promise<EvalResult> {
  const opened = openRun(dir);
  const { cfg, artifacts } = opened;
  const task = taskSpec(cfg.task);
  const ckpt = o.checkpoint ?? 'best';
  const ckptDir = checkpointDir(opened, ckpt);

  const data = task.prepare(cfg, artifacts);
  let split;
  let on: string;
  const warnings = [...data.warnings];
  if (o.file) {
    const f = task.fileSplit(cfg, artifacts, o.file);
    split = f.split;
    warnings.push(...f.warnings);
    on = o.file;
  } else {
    const name = o.split ?? 'test';
    split = data[name];
    if (!split) throw new RunError(`${dir}: the run has no ${name} split (data.${name} is 0); use --split or --data FILE.`);
    on = `${name} split`;
  }
  const model = await loadPredictor(ckptDir, cfg.model);
  try {
    const metrics = scoreSplit(model, split, task, o.batchSize ?? cfg.train.eval_batch_size);
    if (o.stateful) {
      if (cfg.task !== 'language_model' || !(model instanceof tf.LayersModel)) throw new UsageError(`--stateful scores a recurrent language model; ${dir} is a ${cfg.task} ${cfg.model.type} run. Drop --stateful.`);
      Object.assign(metrics, scoreStateful(model, (split as WindowSplit).ids, cfg.data.seq_len, cfg.data.documents !== 'none'));
    }
    const baseline = task.baseline ? task.baseline(data.train, split, data.info) : null;
    // `best` reads last/ while a run has no best/ yet (interrupted or diverged early): say which was scored
    return { run: dir, task: cfg.task, on, checkpoint: ckptDir === opened.run.best ? 'best' : 'last', metrics, baseline, warnings };
  } finally {
    model.dispose();
  }
}
