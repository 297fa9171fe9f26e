/**
 * The five benchmark workloads of the performance issue, each as: a seqnet model config, the task
 * and data facts it is built for, a batch maker, and the same network in plain tfjs-layers.
 *   W1 char LM      embedding 65→64, LSTM 256, LSTM 256, dense 65; batch 32, seq 64
 *   W2              W1 with GRU
 *   W3 transformer  causal LM, d 128, 4 heads, 4 layers, ctx 64, batch 32
 *   W4 TextCNN      vocab 20,000, embedding 128, length 200, 100 filters × widths 3/4/5, global max pool, dense 2; batch 64
 *   W5 forecaster   windows 48×8, GRU 64, dense 1; batch 128
 */
import { tf } from '../dist/backend/index.js';
import { Rng } from '../dist/util/rng.js';

// The seqnet side draws a fresh batch inside every timed training step (pytorch_ref.py draws one
// before timing), so these are plain loops: TypedArray.from over an array-like with a callback
// took 4.8 ms of W5's ~11 ms step. Same values, same stream.
function ints(rng, n, max) {
  const a = new Int32Array(n);
  for (let i = 0; i < n; i++) a[i] = rng.int(max);
  return a;
}
function floats(rng, n) {
  const a = new Float32Array(n);
  for (let i = 0; i < n; i++) a[i] = rng.normal();
  return a;
}

/** reference-model recurrent layers use glorot recurrent init: tfjs' orthogonal takes minutes to build */
const refRnn = (kind, units, returnSequences, extra = {}) =>
  tf.layers[kind]({ units, returnSequences, recurrentInitializer: 'glorotUniform', ...extra });

/** W1/W2 in plain tfjs-layers: embedding → two recurrent layers → softmax */
function charLmReference(kind) {
  const m = tf.sequential();
  m.add(tf.layers.embedding({ inputDim: 65, outputDim: 64, inputLength: 64 }));
  m.add(refRnn(kind, 256, true, { recurrentActivation: 'sigmoid' }));
  m.add(refRnn(kind, 256, true, { recurrentActivation: 'sigmoid' }));
  m.add(tf.layers.dense({ units: 65, activation: 'softmax' }));
  m.compile({ optimizer: tf.train.adam(0.002), loss: 'categoricalCrossentropy' });
  return m;
}

/** a character language model workload: vocab 65, batch 32 × 64 tokens */
function charLm(id, what, model, reference) {
  return {
    id,
    what,
    task: 'language_model',
    model,
    info: { seqLen: 64, vocabSize: 65 },
    batch: 32,
    unit: 'tokens/s',
    perExample: 64,
    makeBatch(rng) {
      return { xs: [tf.tensor2d(ints(rng, 32 * 64, 65), [32, 64], 'int32')], ys: tf.tensor2d(ints(rng, 32 * 64, 65), [32, 64], 'int32') };
    },
    reference,
  };
}

export const WORKLOADS = [
  charLm('W1', 'char LM, LSTM 256×2', { type: 'lstm', embedding_dim: 64, units: 256, layers: 2 }, () => charLmReference('lstm')),
  charLm('W2', 'char LM, GRU 256×2', { type: 'gru', embedding_dim: 64, units: 256, layers: 2 }, () => charLmReference('gru')),
  // tfjs-layers has no attention layer; the reference is seqnet's own model on reference kernels.
  // No dropout, like the PyTorch reference (nn.MultiheadAttention's default), so both do the same work.
  charLm('W3', 'causal transformer LM, d128 h4 L4', { type: 'transformer', d_model: 128, heads: 4, layers: 4, ff_dim: 512, dropout: 0 }, null),
  {
    id: 'W4',
    what: 'TextCNN, vocab 20k, len 200',
    task: 'classification',
    model: { type: 'textcnn', embedding_dim: 128, filters: 100, kernel_sizes: [3, 4, 5], pool: 'max' },
    info: { seqLen: 200, vocabSize: 20000, numClasses: 2 },
    batch: 64,
    unit: 'samples/s',
    perExample: 1,
    makeBatch(rng) {
      return { xs: [tf.tensor2d(ints(rng, 64 * 200, 19996).map((v) => v + 4), [64, 200], 'int32')], ys: tf.tensor1d(ints(rng, 64, 2), 'int32') };
    },
    reference() {
      const input = tf.input({ shape: [200], dtype: 'int32' });
      const e = tf.layers.embedding({ inputDim: 20000, outputDim: 128 }).apply(input);
      const pooled = [3, 4, 5].map((k) =>
        tf.layers.globalMaxPooling1d().apply(tf.layers.conv1d({ filters: 100, kernelSize: k, activation: 'relu' }).apply(e)),
      );
      const out = tf.layers.dense({ units: 2, activation: 'softmax' }).apply(tf.layers.concatenate().apply(pooled));
      const m = tf.model({ inputs: input, outputs: out });
      m.compile({ optimizer: tf.train.adam(0.001), loss: 'categoricalCrossentropy' });
      return m;
    },
  },
  {
    id: 'W5',
    what: 'forecaster, GRU 64 on 48×8 windows',
    task: 'forecasting',
    model: { type: 'gru', units: 64, layers: 1 },
    info: { seqLen: 48, numFeatures: 8, horizon: 1, numTargets: 1 },
    batch: 128,
    unit: 'samples/s',
    perExample: 1,
    makeBatch(rng) {
      return { xs: [tf.tensor3d(floats(rng, 128 * 48 * 8), [128, 48, 8])], ys: tf.tensor3d(floats(rng, 128), [128, 1, 1]) };
    },
    reference() {
      const m = tf.sequential();
      m.add(refRnn('gru', 64, false, { inputShape: [48, 8], recurrentActivation: 'sigmoid' }));
      m.add(tf.layers.dense({ units: 1 }));
      m.add(tf.layers.reshape({ targetShape: [1, 1] }));
      m.compile({ optimizer: tf.train.adam(0.001), loss: 'meanSquaredError' });
      return m;
    },
  },
];

/** targets as tfjs-layers wants them: one-hot for the softmax models, values for the forecaster */
export function referenceTargets(w, ys) {
  if (w.task === 'forecasting') return ys.clone();
  const v = w.task === 'language_model' ? w.info.vocabSize : w.info.numClasses;
  return tf.oneHot(ys.cast('int32'), v).cast('float32');
}

export function rng(seed) {
  return new Rng(seed);
}
