/**
 * `exportRun(runDir, options)`: writes a folder that plain TensorFlow.js loads (model.json +
 * weights.bin with standard layers wherever they compute the same function, seqnet.json beside
 * it, and seqnet.js, a browser bundle of TensorFlow.js + seqnet/layers + seqnet/infer), and with
 * `web` a static demo page around such a folder.
 */
import fs from 'node:fs';
import path from 'node:path';
import { familyOf } from '../models/registry.js';
import { saveCheckpoint } from '../models/io.js';
import { openRun } from '../train/rundir.js';
import { BASELINE_FILE } from '../baselines/types.js';
import { RunError, SeqnetError } from '../util/errors.js';
import { buildBundle } from './bundle.js';
import { processingOf, type SeqnetJson } from './processing.js';
import { disposeSaved, readSaved } from './saved.js';
import { translate } from './translate.js';
import { writeWebPage } from './web.js';

export interface ExportOptions {
  /** the export folder (model.json, weights.bin, seqnet.json, seqnet.js) */
  out?: string;
  /** a static demo page folder (index.html, demo.js, model/) */
  web?: string;
  overwrite?: boolean;
  /** refuse any seqnet class: the model must load with plain TensorFlow.js */
  pure?: boolean;
  checkpoint?: 'best' | 'last';
  /** write the browser bundle (seqnet.js); tests of the model alone skip it */
  bundle?: boolean;
}

export interface ExportResult {
  out?: string;
  web?: string;
  seqnet: SeqnetJson;
  /** kept seqnet layers: name and class */
  custom: { layer: string; className: string }[];
  files: string[];
}

/** `p` resolved, through symlinks as far as it exists */
function real(p: string): string {
  const abs = path.resolve(p);
  return fs.existsSync(abs) ? fs.realpathSync(abs) : path.join(real(path.dirname(abs)), path.basename(abs));
}
/** `a` is `b` or inside it */
function within(a: string, b: string): boolean {
  const rel = path.relative(b, a);
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
}

/**
 * Refuses a folder that holds anything unless `overwrite`, and, even with it, one that is the run,
 * inside it or around it (an export replaces its --out folder: that would delete the checkpoint or
 * the run) or that holds the working directory.
 */
function checkTarget(dir: string, flag: string, overwrite: boolean, runDir: string): void {
  const [t, r] = [real(dir), real(runDir)];
  if (within(t, r) || within(r, t)) {
    throw new SeqnetError(`${flag} ${dir}: the folder ${within(t, r) ? 'is inside' : 'holds'} the run ${runDir}, which the export would overwrite. Export into a folder outside the run, e.g. exports/<name>.`, 2);
  }
  if (within(process.cwd(), t)) throw new SeqnetError(`${flag} ${dir}: the folder holds the working directory, which the export would replace. Choose a new folder, e.g. exports/<name>.`, 2);
  if (fs.existsSync(dir) && !fs.statSync(dir).isDirectory()) throw new SeqnetError(`${flag} ${dir}: exists and is not a folder.`, 2);
  let parent = t;
  while (!fs.existsSync(parent)) parent = path.dirname(parent);
  if (!fs.statSync(parent).isDirectory()) throw new SeqnetError(`${flag} ${dir}: ${parent} is a file, so no folder can be made there. Choose another folder.`, 2);
  if (!overwrite && fs.existsSync(dir) && fs.readdirSync(dir).length > 0) {
    throw new SeqnetError(`${flag} ${dir}: the folder is not empty. Choose another folder or pass --overwrite to replace it.`, 2);
  }
}

export async function exportRun(dir: string, o: ExportOptions): Promise<ExportResult> {
  if (!o.out && !o.web) throw new SeqnetError('give --out DIR (the model folder), --web DIR (a demo page), or both', 2);
  const { run, cfg, artifacts } = openRun(dir);
  const ckpt = (o.checkpoint ?? 'best') === 'best' && fs.existsSync(run.best) ? run.best : run.last;
  if (!fs.existsSync(path.join(ckpt, 'model.json'))) {
    if (fs.existsSync(path.join(ckpt, BASELINE_FILE)) || 'load' in familyOf(cfg.model.type)) {
      throw new SeqnetError(
        `${dir}: model type \`${cfg.model.type}\` is a fitted baseline (${BASELINE_FILE}), not a TensorFlow.js network, so it has no layers model to export. ` +
          'Train a network family (lstm, gru, rnn, textcnn) for the same task to use it in a browser.',
        2,
      );
    }
    throw new RunError(`${dir} has no checkpoint yet (neither best/ nor last/ holds model.json); train it first.`);
  }
  for (const [flag, target] of [['--out', o.out], ['--web', o.web]] as const) if (target) checkTarget(target, flag, o.overwrite ?? false, dir);
  if (cfg.task === 'masked_lm') {
    throw new SeqnetError(`${dir}: export of masked_lm runs is not supported: they are pre-training for a fine-tuned model (train.init_from); export that model's run instead.`, 2);
  }

  const saved = await readSaved(ckpt);
  let t: ReturnType<typeof translate>;
  try {
    t = translate(saved, o.pure ?? false);
  } finally {
    disposeSaved(saved);
  }
  const seqnet = processingOf(dir, cfg, artifacts, t.custom.map((c) => c.className));
  const files: string[] = [];
  try {
    const modelDirs = [o.out, o.web && path.join(o.web, 'model')].filter((d): d is string => !!d);
    for (const target of modelDirs) {
      await saveCheckpoint(t.model, target, { 'seqnet.json': seqnet }, undefined, { index: false });
      files.push(path.join(target, 'model.json'), path.join(target, 'weights.bin'), path.join(target, 'seqnet.json'));
      // the demo page's own demo.js already carries the runtime
      if ((o.bundle ?? true) && target === o.out) files.push(await buildBundle('runtime', path.join(target, 'seqnet.js')));
    }
  } finally {
    t.model.dispose();
  }
  if (o.web) files.push(...(await writeWebPage(o.web, seqnet, cfg)));
  return { out: o.out, web: o.web, seqnet, custom: t.custom, files };
}
