/**
 * Token-by-token inference for language models. Recurrent layers carry their state from step to
 * step, and a causal transformer keeps its keys and values (transformer_decode.ts), so each new
 * token costs one step, not a re-run of the prefix. Other models re-run the last `seqLen` tokens.
 */
import { tf } from '../backend/index.js';
import { SeqnetRecurrent } from './layers/recurrent.js';
import type { Predictor } from './predictor.js';
import { transformerStepper } from './transformer_decode.js';

export interface Stepper {
  /** feeds ids [B, n] (the prime, then one token at a time); returns next-token logits [B, V] */
  feed(ids: tf.Tensor2D): tf.Tensor2D;
  dispose(): void;
}

/** The layers of a chain model after its input, in order. */
export function chain(model: tf.LayersModel): tf.layers.Layer[] | undefined {
  const layers = model.layers.filter((l) => l.getClassName() !== 'InputLayer');
  for (const l of layers) if (l.inboundNodes.length !== 1 || l.inboundNodes[0].inboundLayers.length > 1) return undefined;
  return layers;
}

/**
 * Recurrent networks step their state, causal transformers extend their cache; any other model
 * (a baseline too), or every model with `cache: false`, re-reads its last window.
 */
export function makeStepper(model: Predictor, seqLen: number, o: { cache?: boolean } = {}): Stepper {
  const layers = model instanceof tf.LayersModel ? chain(model) : undefined;
  if (layers && layers.some((l) => l instanceof SeqnetRecurrent)) return new RecurrentStepper(layers);
  const cached = layers && o.cache !== false ? transformerStepper(layers, seqLen) : undefined;
  return cached ?? new WindowStepper(model, Math.min(seqLen, model.contextLength ?? seqLen));
}

class RecurrentStepper implements Stepper {
  private states = new Map<tf.layers.Layer, tf.Tensor2D[]>();
  constructor(private readonly layers: tf.layers.Layer[]) {}

  feed(ids: tf.Tensor2D): tf.Tensor2D {
    const next = new Map<tf.layers.Layer, tf.Tensor2D[]>();
    const logits = tf.tidy(() => {
      let h: tf.Tensor = ids;
      for (const l of this.layers) {
        if (l instanceof SeqnetRecurrent) {
          const { outputs, states } = l.run(h as tf.Tensor3D, this.states.get(l));
          states.forEach((s) => tf.keep(s));
          next.set(l, states);
          h = outputs;
        } else {
          h = l.apply(h, { training: false }) as tf.Tensor;
        }
      }
      const T = h.shape[1]!;
      return h.slice([0, T - 1, 0], [-1, 1, -1]).squeeze([1]) as tf.Tensor2D;
    });
    this.dispose();
    this.states = next;
    return logits;
  }

  dispose(): void {
    for (const s of this.states.values()) tf.dispose(s);
    this.states.clear();
  }
}

class WindowStepper implements Stepper {
  private context: tf.Tensor2D | undefined;
  constructor(
    private readonly model: Predictor,
    private readonly seqLen: number,
  ) {}

  feed(ids: tf.Tensor2D): tf.Tensor2D {
    const ctx = tf.tidy(() => {
      const all = this.context ? tf.concat([this.context, ids], 1) : ids.clone();
      const T = all.shape[1];
      return T > this.seqLen ? all.slice([0, T - this.seqLen], [-1, this.seqLen]) : all;
    }) as tf.Tensor2D;
    this.context?.dispose();
    this.context = ctx;
    return tf.tidy(() => {
      const out = this.model.apply(ctx, { training: false }) as tf.Tensor3D;
      const T = out.shape[1];
      return out.slice([0, T - 1, 0], [-1, 1, -1]).squeeze([1]) as tf.Tensor2D;
    });
  }

  dispose(): void {
    this.context?.dispose();
    this.context = undefined;
  }
}
