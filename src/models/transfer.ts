/**
 * `train.init_from`: a new model starts from a trained one. Weights move layer by layer, matched
 * by name; a layer only in the new model (the task head) starts fresh, one only in the old model
 * (e.g. the masked-LM head `mlm_logits`) is left out. Lookup tables (the token embedding, learned
 * positions) may be longer in the old model — pre-training adds the [MASK] id, a longer seq_len
 * adds positions — and then their first rows are taken. Any other difference in shape is an error
 * listing every layer that differs.
 */
import { tf } from '../backend/index.js';
import { RunError } from '../util/errors.js';

export interface TransferReport {
  /** layers whose weights were copied whole */
  loaded: string[];
  /** lookup tables of which the first rows were copied, as `name (r of R rows)` */
  truncated: string[];
  /** layers of the new model the old one does not have */
  fresh: string[];
  /** layers of the old model the new one does not use */
  unused: string[];
}

const TABLES = new Set(['Embedding', 'SeqnetPositional']);
/** Classes that hold the same weights under another name: TextCNN's convolutions became SeqnetConvPool. */
const KIN: Record<string, string> = { Conv1D: 'SeqnetConvPool' };
const kind = (l: tf.layers.Layer) => KIN[l.getClassName()] ?? l.getClassName();
const shapes = (ws: tf.Tensor[]) => ws.map((w) => `[${w.shape.join(', ')}]`).join(' ');
const withWeights = (m: tf.LayersModel) => m.layers.filter((l) => l.weights.length > 0);

/** Copies `source`'s weights into the same-named layers of `target`; `from` names the source in messages. */
export function transferWeights(target: tf.LayersModel, source: tf.LayersModel, from: string): TransferReport {
  const report: TransferReport = { loaded: [], truncated: [], fresh: [], unused: [] };
  const byName = new Map(withWeights(source).map((l) => [l.name, l]));
  const differ: string[] = [];
  const plan: (() => void)[] = [];
  for (const layer of withWeights(target)) {
    const src = byName.get(layer.name);
    byName.delete(layer.name);
    if (!src) {
      report.fresh.push(layer.name);
      continue;
    }
    const want = layer.getWeights();
    const have = src.getWeights();
    const sameShapes = want.length === have.length && want.every((w, i) => tf.util.arraysEqual(w.shape, have[i].shape));
    const rowsFit =
      TABLES.has(layer.getClassName()) && layer.getClassName() === src.getClassName() && want.length === 1 && have.length === 1 &&
      want[0].rank === 2 && have[0].rank === 2 && want[0].shape[1] === have[0].shape[1] && have[0].shape[0] >= want[0].shape[0];
    if (sameShapes && kind(layer) === kind(src)) {
      plan.push(() => layer.setWeights(have));
      report.loaded.push(layer.name);
    } else if (rowsFit) {
      const rows = want[0].shape[0];
      plan.push(() => tf.tidy(() => layer.setWeights([have[0].slice([0, 0], [rows, -1])])));
      report.truncated.push(`${layer.name} (${rows} of ${have[0].shape[0]} rows)`);
    } else {
      differ.push(`${layer.name}: ${layer.getClassName()} ${shapes(want)} here, ${src.getClassName()} ${shapes(have)} in ${from}`);
    }
  }
  report.unused = [...byName.keys()];
  if (differ.length) {
    throw new RunError(
      `train.init_from: the model in ${from} does not fit this one; these layers differ:\n${differ.map((d) => `  - ${d}`).join('\n')}\n` +
        'Use the model settings of the pretrained run (d_model, heads, layers, ff_dim…), or drop train.init_from.',
    );
  }
  if (report.loaded.length + report.truncated.length === 0) {
    throw new RunError(
      `train.init_from: the model in ${from} shares no layers with this one (it has: ${withWeights(source).map((l) => l.name).join(', ')}).\n` +
        'Fine-tune from a run of the same model family and settings.',
    );
  }
  plan.forEach((p) => p());
  return report;
}

/** One line for the user: what came from where. */
export function describeTransfer(r: TransferReport, from: string): string {
  const parts = [`loaded ${r.loaded.length + r.truncated.length} layer(s) from ${from}: ${[...r.loaded, ...r.truncated].join(', ')}`];
  if (r.fresh.length) parts.push(`new (trained from scratch): ${r.fresh.join(', ')}`);
  if (r.unused.length) parts.push(`not used: ${r.unused.join(', ')}`);
  return `train.init_from: ${parts.join('; ')}`;
}
