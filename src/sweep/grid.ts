/**
 * A sweep's trials from `--grid key=[v1,v2,…]` flags.
 *
 * Order (documented in docs/SCALING.md; trial i always means the same overrides): the cartesian
 * product of the grids in the order the flags are given, the LAST key changing fastest, like
 * nested loops. `--random N --seed S` picks N distinct trials of that product (all of them when N
 * is at least its size) with a seeded generator, and numbers them 0…N-1 in the order drawn.
 */
import { parseDocument } from 'yaml';
import { SeqnetError } from '../util/errors.js';
import { Rng } from '../util/rng.js';

export type GridValue = string | number | boolean | null;

export interface GridAxis {
  key: string;
  values: GridValue[];
}

export interface Trial {
  /** 0-based position in the sweep */
  index: number;
  /** folder name under the sweep directory: `<index>-<short description>` */
  name: string;
  /** config overrides, key → value, in grid order */
  set: Record<string, GridValue>;
}

/** `key=[a,b]` (a YAML list; a single value is a list of one) → an axis; a usage error (exit 2) otherwise. */
export function parseGridFlag(flag: string): GridAxis {
  const eq = flag.indexOf('=');
  const key = flag.slice(0, Math.max(0, eq)).trim();
  if (eq <= 0 || !/^[A-Za-z_][\w]*(\.[A-Za-z_][\w]*)*$/.test(key)) {
    throw new SeqnetError(`--grid ${flag}: expected key.path=[value,…], e.g. --grid model.units=[64,128]`, 2);
  }
  const doc = parseDocument(flag.slice(eq + 1));
  if (doc.errors.length) throw new SeqnetError(`--grid ${flag}: the values are not valid YAML (${doc.errors[0].message.split('\n')[0]})`, 2);
  const raw = doc.toJS() as unknown;
  const values = Array.isArray(raw) ? raw : [raw];
  if (!values.length) throw new SeqnetError(`--grid ${key}: empty list; give at least one value, e.g. ${key}=[64,128]`, 2);
  for (const v of values) {
    if (v !== null && typeof v === 'object') throw new SeqnetError(`--grid ${key}: each value must be a number, string, boolean or null, not ${JSON.stringify(v)}`, 2);
  }
  return { key, values: values as GridValue[] };
}

export function parseGrid(flags: readonly string[]): GridAxis[] {
  if (!flags.length) throw new SeqnetError('sweep: empty grid; give at least one --grid key=[values], e.g. --grid model.units=[64,128]', 2);
  const axes = flags.map(parseGridFlag);
  const dup = axes.find((a, i) => axes.findIndex((b) => b.key === a.key) !== i);
  if (dup) throw new SeqnetError(`--grid ${dup.key} is given twice; put all its values in one list`, 2);
  return axes;
}

export const gridSize = (axes: readonly GridAxis[]): number => axes.reduce((n, a) => n * a.values.length, 1);

/** the overrides of product position p (last axis fastest) */
function at(axes: readonly GridAxis[], p: number): Record<string, GridValue> {
  const set: Record<string, GridValue> = {};
  for (let i = axes.length - 1; i >= 0; i--) {
    const n = axes[i].values.length;
    set[axes[i].key] = axes[i].values[p % n];
    p = Math.floor(p / n);
  }
  return Object.fromEntries(axes.map((a) => [a.key, set[a.key]]));
}

/** `units=64_learning_rate=0.001`: last key parts and values, safe as a folder name */
export function describe(set: Record<string, GridValue>): string {
  const d = Object.entries(set)
    .map(([k, v]) => `${k.split('.').pop()}=${String(v)}`)
    .join('_')
    .replace(/[^A-Za-z0-9._=+-]+/g, '-');
  return d.length > 80 ? d.slice(0, 80) : d;
}

const trial = (index: number, set: Record<string, GridValue>): Trial => ({ index, name: `${index}-${describe(set)}`, set });

/** every trial of the grid, in the documented order */
export function expandGrid(axes: readonly GridAxis[]): Trial[] {
  return Array.from({ length: gridSize(axes) }, (_, p) => trial(p, at(axes, p)));
}

/** N distinct trials drawn with `seed` (Floyd's sampling, then shuffled), renumbered 0…N-1 */
export function randomTrials(axes: readonly GridAxis[], n: number, seed: number): Trial[] {
  if (!Number.isInteger(n) || n < 1) throw new SeqnetError(`--random ${n}: expected a whole number of trials ≥ 1`, 2);
  const size = gridSize(axes);
  const k = Math.min(n, size);
  const rng = new Rng(seed);
  const picked = new Set<number>();
  for (let j = size - k; j < size; j++) {
    const t = rng.int(j + 1);
    picked.add(picked.has(t) ? j : t);
  }
  const order = [...picked].sort((a, b) => a - b);
  rng.shuffle(order);
  return order.map((p, i) => trial(i, at(axes, p)));
}
