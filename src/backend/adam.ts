/**
 * Adam's update as one pass per variable on the pure-JS backend. tfjs' AdamOptimizer spends a
 * dozen element-wise ops (each a fresh array) per variable per step, which on the cpu backend
 * costs more than a recurrent layer's backward pass. This applyGradients does the same maths,
 * with the same optimizer state (the m / v slot variables, accBeta1 / accBeta2, iterations), so
 * getWeights / setWeights, checkpoints and `--kernels reference` see no difference:
 *   m' = b1·m + (1-b1)·g;  v' = b2·v + (1-b2)·g²;
 *   w' = w - lr · (m' / (1-b1^t)) / (sqrt(v' / (1-b2^t)) + eps)
 * Values are updated in place when nothing else shares the variable's buffer (a clone of the
 * weights keeps its snapshot), else into a new buffer that the variable is assigned.
 * SeqnetAdam is an AdamOptimizer (same class name, config and weights) whose applyGradients takes
 * this path while the runtime is in 'fast' mode on the cpu backend, and tfjs' own otherwise.
 */
import { runtime } from './runtime.js';
import { tf } from './tf.js';

interface AdamInternals {
  learningRate: number;
  beta1: number;
  beta2: number;
  epsilon: number;
  accBeta1: tf.Variable;
  accBeta2: tf.Variable;
  accumulatedFirstMoment: { originalName: string; variable: tf.Variable }[];
  accumulatedSecondMoment: { originalName: string; variable: tf.Variable }[];
  incrementIterations(): void;
}

interface CpuData {
  data: { get(id: object): { values: unknown } };
  refCount(id: object): number;
}

type VariableGradients = Parameters<tf.AdamOptimizer['applyGradients']>[0];

function cpu(): CpuData | null {
  return tf.getBackend() === 'cpu' ? (tf.backend() as unknown as CpuData) : null;
}

/** A float32 variable's own buffer when only it holds it, else null. */
function ownValues(be: CpuData, v: tf.Tensor): Float32Array | null {
  const id = v.dataId as object;
  return be.refCount(id) === 1 ? (be.data.get(id).values as Float32Array) : null;
}

/** Writes vals into v: in place when v owns its buffer, else as a new buffer. */
function store(be: CpuData, v: tf.Variable, vals: Float32Array): void {
  const own = ownValues(be, v);
  if (own === vals) return;
  const t = tf.tensor(vals, v.shape, 'float32');
  v.assign(t);
  t.dispose();
}

/**
 * One pass over a variable: the moments and the weights (out arrays may be the in arrays); in the
 * native kernels where they are built (the same operations, bit for bit: native/adam.c).
 */
function update(
  g: Float32Array, mIn: Float32Array, vIn: Float32Array, wIn: Float32Array,
  mOut: Float32Array, vOut: Float32Array, wOut: Float32Array,
  b1: number, b2: number, lrOverC1: number, invC2: number, eps: number,
): void {
  const native = runtime().library.native;
  if (native?.adamUpdate(g, mIn, vIn, wIn, mOut, vOut, wOut, b1, b2, lrOverC1, invC2, eps)) return;
  updateJs(g, mIn, vIn, wIn, mOut, vOut, wOut, b1, b2, lrOverC1, invC2, eps);
}

/** The same pass in JS (exported for the test against the native one). */
export function updateJs(
  g: Float32Array, mIn: Float32Array, vIn: Float32Array, wIn: Float32Array,
  mOut: Float32Array, vOut: Float32Array, wOut: Float32Array,
  b1: number, b2: number, lrOverC1: number, invC2: number, eps: number,
): void {
  const a1 = 1 - b1, a2 = 1 - b2;
  for (let j = 0, n = g.length; j < n; j++) {
    const gj = g[j];
    const mj = Math.fround(b1 * mIn[j] + a1 * gj);
    const vj = Math.fround(b2 * vIn[j] + a2 * gj * gj);
    mOut[j] = mj;
    vOut[j] = vj;
    wOut[j] = wIn[j] - (lrOverC1 * mj) / (Math.sqrt(vj * invC2) + eps);
  }
}

/** The one-pass update of every variable; false (nothing done) where it does not apply. */
function fastApply(opt: AdamInternals, variableGradients: VariableGradients): boolean {
  const list = Array.isArray(variableGradients)
    ? variableGradients.map((v) => ({ name: v.name, grad: v.tensor as tf.Tensor | null }))
    : Object.keys(variableGradients).map((name) => ({ name, grad: variableGradients[name] as tf.Tensor | null }));
  const be = cpu();
  const float = list.every(({ name }) => tf.engine().registeredVariables[name]?.dtype === 'float32');
  if (!be || !float) return false;
  const { beta1: b1, beta2: b2, epsilon: eps, learningRate: lr } = opt;
  const c1 = 1 - (opt.accBeta1.dataSync()[0] as number);
  const c2 = 1 - (opt.accBeta2.dataSync()[0] as number);
  list.forEach(({ name, grad }, i) => {
    const value = tf.engine().registeredVariables[name];
    const slot = (kind: 'm' | 'v') => ({ originalName: `${name}/${kind}`, variable: tf.tidy(() => tf.zerosLike(value).variable(false)) });
    opt.accumulatedFirstMoment[i] ??= slot('m');
    opt.accumulatedSecondMoment[i] ??= slot('v');
    if (grad == null) return;
    const m = opt.accumulatedFirstMoment[i].variable;
    const v = opt.accumulatedSecondMoment[i].variable;
    const g = grad.dataSync() as Float32Array;
    const mIn = m.dataSync() as Float32Array, vIn = v.dataSync() as Float32Array, wIn = value.dataSync() as Float32Array;
    const mOut = ownValues(be, m) ?? new Float32Array(g.length);
    const vOut = ownValues(be, v) ?? new Float32Array(g.length);
    const wOut = ownValues(be, value) ?? new Float32Array(g.length);
    update(g, mIn, vIn, wIn, mOut, vOut, wOut, b1, b2, lr / c1, 1 / c2, eps);
    store(be, m, mOut);
    store(be, v, vOut);
    store(be, value, wOut);
  });
  runtime().weightsChanged();
  tf.tidy(() => {
    opt.accBeta1.assign(tf.mul(opt.accBeta1, b1));
    opt.accBeta2.assign(tf.mul(opt.accBeta2, b2));
  });
  opt.incrementIterations();
  return true;
}

/** tf.train.adam with the one-pass update on the pure-JS path ('fast' mode); registered as 'Adam'. */
export class SeqnetAdam extends tf.AdamOptimizer {
  static override className = 'Adam';

  override applyGradients(variableGradients: VariableGradients): void {
    if (runtime().fast && fastApply(this as unknown as AdamInternals, variableGradients)) return;
    super.applyGradients(variableGradients);
  }
}
tf.serialization.registerClass(SeqnetAdam);

/** tf.train.adam's signature and defaults, returning a SeqnetAdam. */
export function adam(learningRate = 0.001, beta1 = 0.9, beta2 = 0.999, epsilon?: number): SeqnetAdam {
  return new SeqnetAdam(learningRate, beta1, beta2, epsilon);
}
