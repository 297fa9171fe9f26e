/** What `--resume` may change: only `train:` keys; a changed task, data or model key is refused by name. */
import type { Config } from '../config/schema/index.js';
import { RunError } from '../util/errors.js';

/** Dotted paths of the leaves that differ between a and b (`model.units: 16 → 17`). */
export function changedKeys(a: unknown, b: unknown, prefix: string): string[] {
  const obj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
  if (obj(a) && obj(b)) {
    return [...new Set([...Object.keys(a), ...Object.keys(b)])].flatMap((k) => changedKeys(a[k], b[k], `${prefix}.${k}`));
  }
  return JSON.stringify(a) === JSON.stringify(b) ? [] : [`${prefix}: ${JSON.stringify(a)} → ${JSON.stringify(b)}`];
}

export function checkResumable(prior: Config, cfg: Config, dir: string): void {
  const changed = (['task', 'data', 'model'] as const).flatMap((k) => changedKeys(prior[k], cfg[k], k));
  if (changed.length) {
    throw new RunError(
      `--resume: the config differs from the run in ${dir} outside \`train\`:\n${changed.map((c) => `  - ${c}`).join('\n')}\n` +
        'Only train keys may change when resuming; put the old values back, or start a new run with --out DIR (or --overwrite).',
    );
  }
}
