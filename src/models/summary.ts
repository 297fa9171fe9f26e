/** A layer-by-layer description of a model: names, classes, output shapes and parameter counts. */
import type { tf } from '../backend/index.js';

export interface LayerRow {
  name: string;
  className: string;
  /** e.g. [B, T, 64]: B the batch, T a variable length */
  outputShape: string;
  params: number;
  /** parameters that training does not change (frozen embeddings, batch-norm statistics) */
  nonTrainable: number;
  /** layers feeding this one (empty for inputs) */
  inputs: string[];
}

export interface ModelSummary {
  name: string;
  layers: LayerRow[];
  totalParams: number;
  trainableParams: number;
  nonTrainableParams: number;
}

const size = (w: tf.LayerVariable) => w.shape.reduce((a: number, b) => a * (b ?? 1), 1);

function shapeText(shape: tf.Shape | tf.Shape[]): string {
  const one = (s: tf.Shape) => `[${s.map((d, i) => (d === null ? (i === 0 ? 'B' : 'T') : String(d))).join(', ')}]`;
  return Array.isArray(shape[0]) ? (shape as tf.Shape[]).map(one).join(' ') : one(shape as tf.Shape);
}

export function summarize(model: tf.LayersModel): ModelSummary {
  const layers = model.layers.map((l): LayerRow => {
    const nonTrainable = l.nonTrainableWeights.reduce((a, w) => a + size(w), 0);
    return {
      name: l.name,
      className: l.getClassName(),
      outputShape: shapeText(l.outputShape),
      params: l.countParams(),
      nonTrainable,
      inputs: l.inboundNodes.flatMap((n) => n.inboundLayers.map((i) => i.name)),
    };
  });
  const totalParams = layers.reduce((a, r) => a + r.params, 0);
  const nonTrainableParams = layers.reduce((a, r) => a + r.nonTrainable, 0);
  return { name: model.name, layers, totalParams, trainableParams: totalParams - nonTrainableParams, nonTrainableParams };
}
