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
/** A transformer block saved before blocks were one layer: its five layers, in BLOCK_WEIGHTS order. */
const BLOCK_PARTS = ['_norm_1', '_attention', '_norm_2', '_ff_1', '_ff_2'];

/** The source's weights for target layer `layer`: its namesake, or the parts of an older block. */
function sourceFor(layer: tf.layers.Layer, byName: Map<string, tf.layers.Layer>): { cls: string; label: string; weights: tf.Tensor[] } | null {
  const src = byName.get(layer.name);
  if (src) {
    byName.delete(layer.name);
    return { cls: kind(src), label: src.getClassName(), weights: src.getWeights() };
  }
  const parts = BLOCK_PARTS.map((p) => byName.get(layer.name + p));
  if (layer.getClassName() !== 'SeqnetTransformerBlock' || parts.some((p) => !p)) return null;
  BLOCK_PARTS.forEach((p) => byName.delete(layer.name + p));
  return { cls: 'SeqnetTransformerBlock', label: `${layer.name}${BLOCK_PARTS.join('/')}`, weights: parts.flatMap((p) => p!.getWeights()) };
}
const shapes = (ws: tf.Tensor[]) => ws.map((w) => `[${w.shape.join(', ')}]`).join(' ');
const withWeights = (m: tf.LayersModel) => m.layers.filter((l) => l.weights.length > 0);

/** Copies `source`'s weights into the same-named layers of `target`; `from` names the source in messages. */
export function transferWeights(target: tf.LayersModel, source: tf.LayersModel, from: string): TransferReport {
  const report: TransferReport = { loaded: [], truncated: [], fresh: [], unused: [] };
  const byName = new Map(withWeights(source).map((l) => [l.name, l]));
  const differ: string[] = [];
  const plan: (() => void)[] = [];
  for (const layer of withWeights(target)) {
    const src = sourceFor(layer, byName);
    if (!src) {
      report.fresh.push(layer.name);
      continue;
    }
    const want = layer.getWeights();
    const have = src.weights;
    const sameShapes = want.length === have.length && want.every((w, i) => tf.util.arraysEqual(w.shape, have[i].shape));
    const rowsFit =
      TABLES.has(layer.getClassName()) && kind(layer) === src.cls && want.length === 1 && have.length === 1 &&
      want[0].rank === 2 && have[0].rank === 2 && want[0].shape[1] === have[0].shape[1] && have[0].shape[0] >= want[0].shape[0];
    if (sameShapes && kind(layer) === src.cls) {
      plan.push(() => layer.setWeights(have));
      report.loaded.push(layer.name);
    } else if (rowsFit) {
      const rows = want[0].shape[0];
      plan.push(() => tf.tidy(() => layer.setWeights([have[0].slice([0, 0], [rows, -1])])));
      report.truncated.push(`${layer.name} (${rows} of ${have[0].shape[0]} rows)`);
    } else {
      differ.push(`${layer.name}: ${layer.getClassName()} ${shapes(want)} here, ${src.label} ${shapes(have)} in ${from}`);
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
