/**
 * Class labels (classification) and tags (tagging): the sorted distinct values of the training
 * split, saved in the run as `labels.json`. Values never seen in training get ids C, C+1, … after
 * the C known classes, so they can be scored as wrong instead of crashing.
 */
import { RunError } from '../util/errors.js';

export interface LabelsJSON {
  labels: string[];
}

/** The label set of the training values (code-point order, so ids do not depend on file order). */
export function fitLabels(values: Iterable<string>): string[] {
  return [...new Set(values)].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

export function labelsFrom(j: unknown, source: string): string[] {
  const labels = (j as Partial<LabelsJSON> | undefined)?.labels;
  if (!Array.isArray(labels) || labels.length === 0) throw new RunError(`${source}: labels.json is missing or damaged (expected {"labels": [...]}).`);
  return labels.map(String);
}

/** Maps values to ids; unseen values extend `names` (known labels first) in order of appearance. */
export class LabelIndex {
  readonly names: string[];
  private readonly ids: Map<string, number>;
  constructor(readonly known: readonly string[]) {
    this.names = [...known];
    this.ids = new Map(known.map((l, i) => [l, i]));
  }
  get numClasses(): number {
    return this.known.length;
  }
  id(value: string): number {
    let id = this.ids.get(value);
    if (id === undefined) {
      id = this.names.push(value) - 1;
      this.ids.set(value, id);
    }
    return id;
  }
  /** the values met that training never saw */
  get unseen(): string[] {
    return this.names.slice(this.known.length);
  }
}
