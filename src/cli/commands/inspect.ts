import fs from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import { Option } from 'commander';
import type { tf } from '../../backend/index.js';
import { loadConfig } from '../../config/load.js';
import { loadCheckpoint } from '../../models/io.js';
import { buildModel } from '../../models/registry.js';
import { summarize } from '../../models/summary.js';
import { taskSpec } from '../../tasks/index.js';
import { openRun } from '../../train/rundir.js';
import { addBackendOptions, startBackend } from '../backend.js';
import { num } from '../format.js';

const collect = (v: string, prev: string[]) => [...prev, v];

/** A run directory's checkpoint, or a config's model built (untrained) on its prepared data. */
async function modelFor(target: string, o: { set: string[]; checkpoint: 'best' | 'last' }): Promise<{ model: tf.LayersModel; what: string; warnings: string[] }> {
  if (fs.existsSync(target) && fs.statSync(target).isDirectory()) {
    const { run, cfg } = openRun(target);
    const dir = o.checkpoint === 'best' && fs.existsSync(run.best) ? run.best : run.last;
    return { model: await loadCheckpoint(dir), what: `${target} (${cfg.task}, ${path.basename(dir)} checkpoint)`, warnings: [] };
  }
  const cfg = loadConfig(target, { set: o.set });
  const data = taskSpec(cfg.task).prepare(cfg);
  const warnings = [...data.warnings];
  const model = buildModel(cfg.model, { task: cfg.task, info: data.info, seed: cfg.seed, artifacts: data.artifacts, warn: (w) => warnings.push(w) });
  return { model, what: `${target} (${cfg.task}, untrained)`, warnings };
}

export function inspectCommand(program: Command): void {
  const cmd = program
    .command('inspect')
    .description('show a model layer by layer: output shapes, parameter counts and totals')
    .argument('<target>', 'an experiment config (YAML; the model is built on its data, not trained) or a run directory')
    .option('--set <key=value>', 'override a config value (repeatable)', collect, [])
    .addOption(new Option('--checkpoint <which>', 'run directory: which checkpoint').choices(['best', 'last']).default('best'))
    .option('--json', 'print the summary as one JSON object');
  addBackendOptions(cmd).addHelpText(
    'after',
    `
Examples:
  $ seqnet inspect configs/transformer-lm.yaml
  $ seqnet inspect configs/bilstm-classify.yaml --set model.units=32
  $ seqnet inspect runs/char-lstm --json`,
  );
  cmd.action(async (target: string, o) => {
    await startBackend(o);
    const { model, what, warnings } = await modelFor(target, o);
    const s = summarize(model);
    model.dispose();
    for (const w of warnings) process.stderr.write(`warning: ${w}\n`);
    if (o.json) {
      process.stdout.write(JSON.stringify(s) + '\n');
      return;
    }
    const branching = s.layers.some((l) => l.inputs.length > 1);
    const header = ['layer', 'class', 'output shape', 'params', ...(branching ? ['inputs'] : [])];
    const rows = s.layers.map((l) => [
      l.name,
      l.className,
      l.outputShape,
      num(l.params) + (l.params > 0 && l.nonTrainable === l.params ? ' (frozen)' : ''),
      ...(branching ? [l.inputs.join(', ')] : []),
    ]);
    const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
    const line = (r: string[]) => r.map((c, i) => (i === 3 ? c.padStart(widths[i]) : c.padEnd(widths[i]))).join('  ').trimEnd();
    process.stdout.write(
      [
        `${s.name}: ${what}`,
        line(header),
        widths.map((w) => '-'.repeat(w)).join('  '),
        ...rows.map(line),
        '',
        `total params:         ${num(s.totalParams)}`,
        `trainable params:     ${num(s.trainableParams)}`,
        `non-trainable params: ${num(s.nonTrainableParams)}`,
      ].join('\n') + '\n',
    );
  });
}
