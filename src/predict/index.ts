/** `predict(runDir, input)`: applies a trained run to new text or a file, through its task's `predict`. */
import fs from 'node:fs';
import { loadPredictor } from '../models/predictor.js';
import { taskSpec, type PredictInput, type Prediction } from '../tasks/index.js';
import { checkpointDir, openRun, type CheckpointChoice } from '../train/rundir.js';
import { SeqnetError } from '../util/errors.js';

export interface PredictOptions extends PredictInput {
  checkpoint?: CheckpointChoice;
}

export interface PredictResult extends Prediction {
  run: string;
  task: string;
}

export async function predict(dir: string, o: PredictOptions): Promise<PredictResult> {
  if ((o.text === undefined) === (o.file === undefined)) throw new SeqnetError('give exactly one of --input TEXT or --file FILE', 2);
  const opened = openRun(dir);
  const { cfg, artifacts } = opened;
  const task = taskSpec(cfg.task);
  if (!task.predict) {
    const hint = cfg.task === 'language_model' ? ' (use `seqnet generate` to continue text)' : '';
    throw new SeqnetError(`${dir}: ${cfg.task} runs have no predict${hint}.`, 2);
  }
  if (o.attention !== undefined && cfg.task !== 'seq2seq') throw new SeqnetError(`--attention applies to seq2seq runs; ${dir} is a ${cfg.task} run.`, 2);
  if (o.file !== undefined && !fs.existsSync(o.file)) throw new SeqnetError(`--file ${o.file}: file not found.`, 2);
  const ckptDir = checkpointDir(opened, o.checkpoint ?? 'best');
  const model = await loadPredictor(ckptDir, cfg.model);
  try {
    const p = task.predict(model, cfg, artifacts, { text: o.text, file: o.file, attention: o.attention });
    return { run: dir, task: cfg.task, ...p };
  } finally {
    model.dispose();
  }
}
