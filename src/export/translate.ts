/**
 * Rebuilds a saved seqnet model from its JSON topology with standard TensorFlow.js layers wherever
 * one computes exactly the same function, and keeps a seqnet class (served in browsers by
 * `seqnet/layers`) where none does. Works from the saved files only (saved.ts), never from seqnet's
 * in-memory layer objects.
 *
 *   Embedding, Dense, Reshape, BatchNormalization, Conv1D          → as saved
 *   SeqnetRecurrent lstm | rnn                                     → LSTM | SimpleRNN (same Keras layout, gate order i,f,c,o)
 *   forward + backward SeqnetRecurrent → SeqnetMerge               → Bidirectional(LSTM | SimpleRNN, mergeMode)
 *   SeqnetLayerNorm / SeqnetDropout / SeqnetDense (linear, relu)   → LayerNormalization / Dropout / Dense
 *   SeqnetConvPool                                                 → Conv1D(relu) + SeqnetPool (padding-aware pooling)
 *   SeqnetRecurrent gru                                            → kept: reset_after GRU (tfjs' GRU has reset_after=false only)
 */
import { tf } from '../backend/index.js';
import { SeqnetError } from '../util/errors.js';
import { CUSTOM_CLASSES, customReason } from './custom.js';
import { layerWeights, type SavedLayer, type SavedModel } from './saved.js';

export interface Translated {
  model: tf.LayersModel;
  /** custom class names the exported model still uses (empty = pure standard layers) */
  custom: { layer: string; className: string }[];
}

type Sym = tf.SymbolicTensor;

/**
 * A layer from its saved (Keras, snake_case) config through its registered class: keys become
 * camelCase; initializers, regularizers and constraints are dropped (the saved weights replace them).
 */
function fromSaved(l: SavedLayer): tf.layers.Layer {
  const entry = tf.serialization.SerializationMap.getMap().classNameMap[l.class_name];
  if (!entry) throw new SeqnetError(`layer ${l.name}: unknown class ${l.class_name}; the checkpoint was written by another program.`, 4);
  const args: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(l.config)) {
    if (/_(initializer|regularizer|constraint)$/.test(k)) continue;
    args[k.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase())] = v;
  }
  const [cls, make] = entry;
  return make(cls, args as tf.serialization.ConfigDict) as tf.layers.Layer;
}
const cfgOf = <T>(l: SavedLayer, key: string): T => l.config[key] as T;

/** The single call of a layer: its inputs as [layer name, output index] (seqnet models call each layer once). */
function inboundOf(l: SavedLayer): [string, number][] {
  if (l.inbound_nodes.length > 1) throw new SeqnetError(`layer ${l.name} (${l.class_name}) is called ${l.inbound_nodes.length} times; export supports layers called once.`, 2);
  return (l.inbound_nodes[0] ?? []).map(([name, , idx]) => [name, idx]);
}
const inputsOf = (l: SavedLayer): string[] => inboundOf(l).map(([n]) => n);

/** Saved forward/backward recurrent pairs merged by one SeqnetMerge: merge name → [forward, backward]. */
function bidirectionalPairs(m: SavedModel): Map<string, [SavedLayer, SavedLayer]> {
  const byName = new Map(m.layers.map((l) => [l.name, l]));
  const out = new Map<string, [SavedLayer, SavedLayer]>();
  for (const l of m.layers) {
    if (l.class_name !== 'SeqnetMerge') continue;
    const ins = inputsOf(l).map((n) => byName.get(n)!);
    if (ins.length !== 2 || ins.some((x) => x.class_name !== 'SeqnetRecurrent')) continue;
    const [f, b] = ins;
    const same = (k: string) => JSON.stringify(f.config[k]) === JSON.stringify(b.config[k]);
    if (!cfgOf<boolean>(f, 'go_backwards') && cfgOf<boolean>(b, 'go_backwards') && same('cell') && same('units') && same('return_sequences') &&
      inputsOf(f)[0] === inputsOf(b)[0]) {
      out.set(l.name, [f, b]);
    }
  }
  return out;
}

/** A standard recurrent layer for a saved SeqnetRecurrent, or undefined when none matches (gru). */
function standardRecurrent(l: SavedLayer, name: string, goBackwards = cfgOf<boolean>(l, 'go_backwards')): tf.layers.Layer | undefined {
  // zero initializers: the saved weights replace them, and tfjs' orthogonal init is slow (and warns) on big layers
  const init = { kernelInitializer: 'zeros', recurrentInitializer: 'zeros' } as const;
  const args = { units: cfgOf<number>(l, 'units'), returnSequences: cfgOf<boolean>(l, 'return_sequences'), goBackwards, name, ...init };
  switch (cfgOf<string>(l, 'cell')) {
    case 'lstm':
      // tfjs' LSTM cell splits z = x·W + h·U + b as i, f, c, o, as seqnet's fused kernels do; unitForgetBias only affects init
      return tf.layers.lstm({ ...args, recurrentActivation: 'sigmoid', activation: 'tanh' });
    case 'rnn':
      return tf.layers.simpleRNN({ ...args, activation: 'tanh' });
    default:
      return undefined;
  }
}

/** The standard equivalent of a saved layer that maps one to one, or undefined. */
function standardLayer(l: SavedLayer): tf.layers.Layer | undefined {
  const name = l.name;
  switch (l.class_name) {
    case 'SeqnetRecurrent':
      return standardRecurrent(l, name);
    case 'SeqnetLayerNorm':
      return tf.layers.layerNormalization({ axis: -1, epsilon: cfgOf<number>(l, 'epsilon'), name });
    case 'SeqnetDropout':
      return tf.layers.dropout({ rate: cfgOf<number>(l, 'rate'), name });
    case 'SeqnetDense': {
      const act = cfgOf<string>(l, 'activation');
      if (act === 'gelu') return undefined; // tfjs' gelu is the tanh approximation; seqnet's is exact (erf)
      return tf.layers.dense({ units: cfgOf<number>(l, 'units'), activation: act as 'linear' | 'relu', name });
    }
    default:
      return undefined;
  }
}

/**
 * Builds the export model from `m`. With `pure`, a layer that has no standard equivalent is an
 * error naming it and what to do instead.
 */
export function translate(m: SavedModel, pure: boolean): Translated {
  const pairs = bidirectionalPairs(m);
  const paired = new Set([...pairs.values()].flat().map((l) => l.name));
  const out = new Map<string, Sym | Sym[]>();
  const custom: Translated['custom'] = [];
  const setWeights = (layer: tf.layers.Layer, ws: tf.Tensor[], saved: string) => {
    const want = layer.weights.map((w) => w.shape.join('x')).join(', ');
    const have = ws.map((w) => w.shape.join('x')).join(', ');
    if (want !== have) throw new SeqnetError(`layer ${saved}: saved weights [${have}] do not fit the exported layer [${want}]; the checkpoint does not match its model.json.`, 4);
    layer.setWeights(ws);
  };
  const keep = (l: SavedLayer, ins: Sym[]) => {
    if (!CUSTOM_CLASSES.includes(l.class_name)) {
      throw new SeqnetError(
        `layer ${l.name} (${l.class_name}) cannot be exported yet: it has no standard TensorFlow.js equivalent and seqnet/layers has no browser implementation of it. ` +
          'Families that export today: lstm, rnn (standard layers), gru, textcnn, transformer, bow (with seqnet/layers); train one of them for a model to use elsewhere.',
        2,
      );
    }
    if (pure) throw new SeqnetError(`layer ${l.name} (${customReason(l)}) has no standard TensorFlow.js equivalent; export without --pure (the page then loads seqnet/layers).`, 2);
    const layer = fromSaved(l);
    const y = layer.apply(ins.length === 1 ? ins[0] : ins) as Sym | Sym[];
    setWeights(layer, layerWeights(m, l.name), l.name);
    custom.push({ layer: l.name, className: l.class_name });
    return y;
  };
  /** output `idx` of the layer built for `name` */
  const tensor = (name: string, idx = 0): Sym => {
    const y = out.get(name)!;
    return Array.isArray(y) ? y[idx] : y;
  };

  for (const l of m.layers) {
    if (paired.has(l.name)) continue; // built with their merge as one Bidirectional
    const ins = inboundOf(l).map(([n, i]) => tensor(n, i));
    const x = ins.length === 1 ? ins[0] : ins;
    let y: Sym | Sym[];
    if (l.class_name === 'InputLayer') {
      y = tf.input({ batchShape: cfgOf<number[]>(l, 'batch_input_shape'), dtype: cfgOf<tf.DataType>(l, 'dtype'), name: l.name });
    } else if (pairs.has(l.name)) {
      const [f, b] = pairs.get(l.name)!;
      const inner = standardRecurrent(f, `${l.name}_cell`, false);
      if (!inner) {
        // no standard cell: keep both directions and their merge as seqnet layers
        const src = tensor(inputsOf(f)[0]);
        y = keep(l, [keep(f, [src]) as Sym, keep(b, [src]) as Sym]);
      } else {
        const layer = tf.layers.bidirectional({ layer: inner as tf.RNN, mergeMode: cfgOf<'concat' | 'sum' | 'mul' | 'ave'>(l, 'mode'), name: l.name });
        y = layer.apply(tensor(inputsOf(f)[0])) as Sym;
        setWeights(layer, [...layerWeights(m, f.name), ...layerWeights(m, b.name)], `${f.name} + ${b.name}`);
      }
    } else if (l.class_name === 'SeqnetConvPool') {
      // conv → relu as a standard Conv1D, then seqnet's padding-aware global pooling over its outputs
      const [feats, ids] = ins;
      const stride = cfgOf<number>(l, 'stride');
      const conv = tf.layers.conv1d({
        filters: cfgOf<number>(l, 'filters'), kernelSize: cfgOf<number>(l, 'kernel_size'), strides: stride,
        padding: cfgOf<'valid' | 'same'>(l, 'padding'), activation: 'relu', name: l.name,
      });
      const maps = conv.apply(feats) as Sym;
      setWeights(conv, layerWeights(m, l.name), l.name);
      const pool: SavedLayer = { name: `${l.name}_pool`, class_name: 'SeqnetPool', config: { name: `${l.name}_pool`, trainable: true, mode: cfgOf<string>(l, 'pool'), stride }, inbound_nodes: [] };
      y = keep(pool, [maps, ids]);
    } else {
      // a standard class is rebuilt from its own config; a seqnet class without a standard twin is kept
      const seqnet = l.class_name.startsWith('Seqnet');
      const std = seqnet ? standardLayer(l) : (fromSaved(l));
      if (std) {
        y = std.apply(x) as Sym;
        setWeights(std, layerWeights(m, l.name), l.name);
      } else {
        y = keep(l, ins);
      }
    }
    out.set(l.name, y);
  }
  const model = tf.model({ inputs: m.inputs.map(([n, , i]) => tensor(n, i)), outputs: m.outputs.map(([n, , i]) => tensor(n, i)), name: m.name });
  return { model, custom };
}
