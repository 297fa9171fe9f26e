/**
 * Token-by-token inference for language models. Recurrent layers carry their state from step to
 * step, and a causal transformer keeps its keys and values (transformer_decode.ts), so each new
 * token costs one step, not a re-run of the prefix. Other models re-run the last `seqLen` tokens.
 */
import { tf } from '../backend/index.js';
import { CELLS, nStates, recurrentStep } from '../backend/ops/recurrent.js';
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

/**
 * Recurrent networks carry each recurrent layer's state ([h] or [h, c], [B, U] arrays) from feed
 * to feed. One new token runs each recurrent layer as one step (recurrentStep: no tensors, the
 * weights packed once) and the other layers as tf layers; a prime of several tokens runs the
 * layers over the whole sequence.
 */
class RecurrentStepper implements Stepper {
  private states = new Map<SeqnetRecurrent, Float32Array[]>();
  constructor(private readonly layers: tf.layers.Layer[]) {}

  feed(ids: tf.Tensor2D): tf.Tensor2D {
    const [B, n] = ids.shape;
    const stepwise = n === 1 && this.layers.every((l) => !(l instanceof SeqnetRecurrent) || !l.goBackwards);
    const next = new Map<SeqnetRecurrent, Float32Array[]>();
    const logits = tf.tidy(() => {
      let h: tf.Tensor | Float32Array = ids; // a tensor [B, n, ...], or a step's h [B, U]
      for (const l of this.layers) {
        if (l instanceof SeqnetRecurrent && stepwise) {
          const x = h instanceof Float32Array ? h : (h.dataSync() as Float32Array);
          const state = this.states.get(l) ?? zeroState(l, B);
          const s = recurrentStep(l.cell, l.stepWeights(), x, B, state);
          next.set(l, s);
          h = s[0];
          continue;
        }
        const t: tf.Tensor = h instanceof Float32Array ? tf.tensor3d(h, [B, 1, h.length / B]) : h;
        if (l instanceof SeqnetRecurrent) {
          const init = this.states.get(l)?.map((a) => tf.tensor2d(a, [B, l.units]));
          const { outputs, states } = l.run(t as tf.Tensor3D, init);
          next.set(l, states.map((st) => st.dataSync() as Float32Array));
          h = outputs;
        } else {
          h = l.apply(t, { training: false }) as tf.Tensor;
        }
      }
      const out: tf.Tensor = h instanceof Float32Array ? tf.tensor3d(h, [B, 1, h.length / B]) : h;
      const T = out.shape[1]!;
      return out.slice([0, T - 1, 0], [-1, 1, -1]).squeeze([1]) as tf.Tensor2D;
    });
    this.states = next;
    return logits;
  }

  dispose(): void {
    this.states.clear();
  }
}

/** A layer's initial state: zeros, [h] or [h, c], each [B, U]. */
function zeroState(l: SeqnetRecurrent, B: number): Float32Array[] {
  return Array.from({ length: nStates(CELLS[l.cell]) }, () => new Float32Array(B * l.units));
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
