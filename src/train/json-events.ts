/**
 * `seqnet train --json`: the training events as one JSON object per line. The schema (zod) is the
 * contract documented in docs/EVENTS.md; `jsonEventHooks` turns the loop's hooks into those objects
 * and hands them to `emit` (the CLI writes them to stdout).
 */
import { z } from 'zod';
import type { TrainHooks } from './events.js';

const base = { time: z.string().describe('ISO 8601 time the event was emitted') };
const num = z.number().nullable();

export const JsonEventSchemas = {
  start: z
    .object({
      event: z.literal('start'), ...base,
      run: z.string().describe('run directory'),
      config_hash: z.string().regex(/^[0-9a-f]{64}$/).describe('sha256 of the resolved config'),
      params: z.number().int().describe('trainable parameters'),
      steps_per_epoch: z.number().int().describe('optimizer steps per epoch (0 for one-pass baselines)'),
      total_steps: z.number().int().describe('optimizer steps planned (epochs × steps_per_epoch, capped by max_steps)'),
      resumed_from: z.number().int().describe('step a resumed run continues from (0 for a new run)'),
    })
    .strict(),
  step: z
    .object({
      event: z.literal('step'), ...base,
      step: z.number().int().describe('optimizer steps done'),
      epoch: z.number().int().describe('current epoch (1-based)'),
      loss: num.describe('mean training loss of this step'),
      learning_rate: z.number().describe('learning rate used for this step'),
      throughput: z.number().describe('targets per second over recent steps'),
      throughput_unit: z.string().describe('tokens/s or examples/s'),
      eta_seconds: z.number().describe('estimated seconds to the planned end'),
    })
    .strict(),
  eval: z
    .object({
      event: z.literal('eval'), ...base,
      step: z.number().int().describe('optimizer steps done when validating'),
      epoch: z.number().int().describe('current epoch (1-based)'),
      train_loss: num.describe('mean training loss since the previous evaluation'),
      valid_loss: num.describe('validation loss (null without a valid split)'),
      metrics: z.record(z.number().nullable()).nullable().describe('every validation metric the task reports'),
      learning_rate: z.number().describe('learning rate for the next step (after any plateau reduction)'),
      improved: z.boolean().describe('the best checkpoint was updated'),
    })
    .strict(),
  checkpoint: z
    .object({
      event: z.literal('checkpoint'), ...base,
      kind: z.enum(['last', 'best', 'step']).describe('last, best, or a numbered checkpoint (checkpoint.every_steps)'),
      dir: z.string().describe('checkpoint folder'),
      step: z.number().int().nullable().describe('step the checkpoint holds'),
    })
    .strict(),
  warning: z.object({ event: z.literal('warning'), ...base, message: z.string().describe('what to look at (data, config)') }).strict(),
  end: z
    .object({
      event: z.literal('end'), ...base,
      status: z.enum(['finished', 'interrupted', 'stopped_early', 'time_budget', 'diverged']).describe('how training ended (also in manifest.json)'),
      steps: z.number().int().describe('optimizer steps done'),
      epochs: z.number().int().describe('complete epochs done'),
      seconds: z.number().describe('training seconds, summed over resumes'),
      metrics: z.record(z.unknown()).describe('metrics.json: final metrics per split with their baselines'),
      message: z.string().optional().describe('why training stopped before the plan (time budget, divergence)'),
    })
    .strict(),
};

export const JsonEventSchema = z.discriminatedUnion('event', [
  JsonEventSchemas.start,
  JsonEventSchemas.step,
  JsonEventSchemas.eval,
  JsonEventSchemas.checkpoint,
  JsonEventSchemas.warning,
  JsonEventSchemas.end,
]);
export type JsonEvent = z.infer<typeof JsonEventSchema>;

export function jsonEventHooks(emit: (e: JsonEvent) => void): TrainHooks {
  const time = () => new Date().toISOString();
  return {
    onStart: (e) =>
      emit({
        event: 'start', time: time(), run: e.dir ?? '', config_hash: e.configHash ?? '', params: e.params,
        steps_per_epoch: e.stepsPerEpoch, total_steps: e.totalSteps, resumed_from: e.resumedFrom,
      }),
    onStep: (e) =>
      emit({
        event: 'step', time: time(), step: e.step, epoch: e.epoch, loss: e.loss, learning_rate: e.learningRate,
        throughput: e.throughput, throughput_unit: e.throughputUnit, eta_seconds: e.etaSeconds,
      }),
    onEval: (e) =>
      emit({
        event: 'eval', time: time(), step: e.step, epoch: e.epoch, train_loss: e.trainLoss, valid_loss: e.validLoss,
        metrics: e.validMetrics, learning_rate: e.learningRate, improved: e.improved,
      }),
    onCheckpoint: (e) => emit({ event: 'checkpoint', time: time(), kind: e.kind, dir: e.dir, step: e.step ?? null }),
    onWarning: (message) => emit({ event: 'warning', time: time(), message }),
    onEnd: (e) =>
      emit({
        event: 'end', time: time(), status: e.status, steps: e.step, epochs: e.epoch, seconds: e.seconds, metrics: e.metrics,
        ...(e.message ? { message: e.message } : {}),
      }),
  };
}

function typeOf(s: z.ZodTypeAny): string {
  if (s instanceof z.ZodNullable) return `${typeOf(s._def.innerType)} or null`;
  if (s instanceof z.ZodOptional) return `${typeOf(s._def.innerType)} (optional)`;
  if (s instanceof z.ZodLiteral) return JSON.stringify(s.value);
  if (s instanceof z.ZodEnum) return (s.options as string[]).map((o) => JSON.stringify(o)).join(' \\| ');
  if (s instanceof z.ZodNumber) return s.isInt ? 'integer' : 'number';
  if (s instanceof z.ZodString) return 'string';
  if (s instanceof z.ZodBoolean) return 'boolean';
  if (s instanceof z.ZodRecord) return 'object';
  return 'value';
}

/** The field tables of docs/EVENTS.md, generated from the schemas (a test keeps the document current). */
export function eventsReferenceMarkdown(): string {
  return Object.entries(JsonEventSchemas)
    .map(([name, schema]) => {
      const rows = Object.entries(schema.shape as Record<string, z.ZodTypeAny>).map(
        ([k, v]) => `| \`${k}\` | ${typeOf(v)} | ${v.description ?? (k === 'event' ? 'event kind' : '')} |`,
      );
      return [`### \`${name}\``, '', '| field | type | description |', '|---|---|---|', ...rows].join('\n');
    })
    .join('\n\n');
}
