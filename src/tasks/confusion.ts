/**
 * Class-prediction metrics shared by classification and tagging: a confusion matrix over the known
 * classes (predictions) and all labels met (truths, including labels training never saw, which are
 * always wrong), with accuracy, macro-F1 and per-class precision / recall / F1.
 */
import { tf } from '../backend/index.js';
import type { LabelledSplit } from '../data/examples.js';
import type { Split } from '../data/batch.js';
import type { MetricAccumulator } from './types.js';

export class Confusion {
  /** counts[t][p]: truth t (any label id), prediction p (a known class) */
  private readonly counts = new Map<number, Float64Array>();
  total = 0;
  correct = 0;
  constructor(readonly numClasses: number) {}

  add(truth: number, pred: number, n = 1): void {
    let row = this.counts.get(truth);
    if (!row) this.counts.set(truth, (row = new Float64Array(this.numClasses)));
    row[pred] += n;
    this.total += n;
    if (truth === pred) this.correct += n;
  }

  get(truth: number, pred: number): number {
    return this.counts.get(truth)?.[pred] ?? 0;
  }

  accuracy(): number {
    return this.total ? this.correct / this.total : 0;
  }

  /**
   * Per label id met (as truth or prediction): precision, recall and F1 (0 when undefined).
   * Labels that are neither true nor predicted anywhere are left out.
   */
  perClass(): Map<number, { precision: number; recall: number; f1: number; support: number }> {
    const predicted = new Float64Array(this.numClasses);
    for (const row of this.counts.values()) row.forEach((n, p) => (predicted[p] += n));
    const ids = new Set<number>([...this.counts.keys()]);
    predicted.forEach((n, p) => n > 0 && ids.add(p));
    const out = new Map<number, { precision: number; recall: number; f1: number; support: number }>();
    for (const c of [...ids].sort((a, b) => a - b)) {
      const tp = c < this.numClasses ? this.get(c, c) : 0;
      const support = this.counts.get(c)?.reduce((a, b) => a + b, 0) ?? 0;
      const pred = c < this.numClasses ? predicted[c] : 0;
      const precision = pred ? tp / pred : 0;
      const recall = support ? tp / support : 0;
      const f1 = precision + recall ? (2 * precision * recall) / (precision + recall) : 0;
      out.set(c, { precision, recall, f1, support });
    }
    return out;
  }

  /** mean F1 over the labels met (see perClass) */
  macroF1(): number {
    const per = [...this.perClass().values()];
    return per.length ? per.reduce((a, r) => a + r.f1, 0) / per.length : 0;
  }
}

/**
 * Sparse cross-entropy that ignores labels ≥ C (never seen in training) and zero-weight positions.
 * logits [..., C]; ys [...] int32; weights [...] or undefined.
 */
export function knownLabelCrossEntropy(logits: tf.Tensor, ys: tf.Tensor, weights?: tf.Tensor): tf.Scalar {
  return tf.tidy(() => {
    const C = logits.shape[logits.shape.length - 1];
    const known = ys.less(tf.scalar(C, 'int32'));
    const w = weights ? weights.cast('float32').mul(known.cast('float32')) : known.cast('float32');
    const targets = tf.where(known, ys, tf.zerosLike(ys));
    const logp = tf.logSoftmax(logits.reshape([-1, C]));
    const flat = tf.range(0, logp.shape[0], 1, 'int32').mul(tf.scalar(C, 'int32')).add(targets.reshape([-1]).cast('int32'));
    const nll = tf.gather(logp.reshape([-1]), flat).neg();
    const wf = w.reshape([-1]);
    return nll.mul(wf).sum().div(wf.sum().maximum(1)) as tf.Scalar;
  });
}

export interface ClassMetricOptions {
  /** name of the count key: `examples` or `tokens` */
  unit: string;
  /** report precision/recall/F1 per label and the confusion matrix as extra keys */
  perClass: boolean;
}

/**
 * loss (over known labels), accuracy, macro_f1, the count of scored items, `unseen` (items whose
 * label training never saw; counted as wrong), and with `perClass` the keys
 * `precision/<label>`, `recall/<label>`, `f1/<label>` and `confusion/<true>/<predicted>`.
 */
export class ClassMetrics implements MetricAccumulator {
  private readonly cm: Confusion;
  private readonly names: readonly string[];
  private nll = 0;
  private nllN = 0;
  constructor(split: Split, private readonly o: ClassMetricOptions) {
    const s = split as LabelledSplit;
    this.names = s.names;
    this.cm = new Confusion(s.numClasses);
  }

  add(outputs: tf.Tensor, ys: tf.Tensor, weights?: tf.Tensor): void {
    const C = this.cm.numClasses;
    const [pred, loss] = tf.tidy(() => [outputs.argMax(-1).reshape([-1]), knownLabelCrossEntropy(outputs, ys, weights)]);
    const p = pred.dataSync();
    const t = ys.dataSync();
    const w = weights?.dataSync();
    let known = 0;
    for (let i = 0; i < t.length; i++) {
      if (w && w[i] === 0) continue;
      this.cm.add(t[i], p[i]);
      if (t[i] < C) known++;
    }
    this.nll += loss.dataSync()[0] * known;
    this.nllN += known;
    tf.dispose([pred, loss]);
  }

  result(): Record<string, number> {
    return classResult(this.cm, this.names, this.o, this.nllN ? this.nll / this.nllN : NaN);
  }
}

/** The metric keys of a confusion matrix (shared with the baselines); `loss` only when given. */
export function classResult(cm: Confusion, names: readonly string[], o: ClassMetricOptions, loss?: number): Record<string, number> {
  const C = cm.numClasses;
  let unseen = 0;
  for (let t = C; t < names.length; t++) for (let p = 0; p < C; p++) unseen += cm.get(t, p);
  const out: Record<string, number> = {
    ...(loss === undefined ? {} : { loss }),
    accuracy: cm.accuracy(),
    macro_f1: cm.macroF1(),
    [o.unit]: cm.total,
  };
  if (unseen) out.unseen = unseen;
  if (o.perClass) {
    for (const [c, r] of cm.perClass()) {
      out[`precision/${names[c]}`] = r.precision;
      out[`recall/${names[c]}`] = r.recall;
      out[`f1/${names[c]}`] = r.f1;
    }
    for (let t = 0; t < names.length; t++) {
      for (let p = 0; p < C; p++) if (t < C || cm.get(t, p)) out[`confusion/${names[t]}/${names[p]}`] = cm.get(t, p);
    }
  }
  return out;
}
