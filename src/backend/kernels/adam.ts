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
 */
import { tf } from '../tf.js';

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

type ApplyGradients = tf.AdamOptimizer['applyGradients'];
type VariableGradients = Parameters<ApplyGradients>[0];

const proto = tf.AdamOptimizer.prototype as unknown as { applyGradients: ApplyGradients };
let original: ApplyGradients | null = null;
let version = 0;

/** Counts applyGradients calls: caches of weight values (rnn_weights.ts) compare it, since this update may write in place. */
export function weightsVersion(): number {
  return version;
}

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

/** One pass over a variable: the moments and the weights (out arrays may be the in arrays). */
function update(
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

function fastApply(this: AdamInternals & tf.Optimizer, variableGradients: VariableGradients): void {
  const list = Array.isArray(variableGradients)
    ? variableGradients.map((v) => ({ name: v.name, grad: v.tensor as tf.Tensor | null }))
    : Object.keys(variableGradients).map((name) => ({ name, grad: variableGradients[name] as tf.Tensor | null }));
  const be = cpu();
  const float = list.every(({ name }) => tf.engine().registeredVariables[name]?.dtype === 'float32');
  if (!be || !float) return (original as ApplyGradients).call(this as unknown as tf.AdamOptimizer, variableGradients);
  const { beta1: b1, beta2: b2, epsilon: eps, learningRate: lr } = this;
  const c1 = 1 - (this.accBeta1.dataSync()[0] as number);
  const c2 = 1 - (this.accBeta2.dataSync()[0] as number);
  list.forEach(({ name, grad }, i) => {
    const value = tf.engine().registeredVariables[name];
    const slot = (kind: 'm' | 'v') => ({ originalName: `${name}/${kind}`, variable: tf.tidy(() => tf.zerosLike(value).variable(false)) });
    this.accumulatedFirstMoment[i] ??= slot('m');
    this.accumulatedSecondMoment[i] ??= slot('v');
    if (grad == null) return;
    const m = this.accumulatedFirstMoment[i].variable;
    const v = this.accumulatedSecondMoment[i].variable;
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
  version++;
  tf.tidy(() => {
    this.accBeta1.assign(tf.mul(this.accBeta1, b1));
    this.accBeta2.assign(tf.mul(this.accBeta2, b2));
  });
  this.incrementIterations();
}

/** Swaps in the one-pass update (idempotent). */
export function installFastAdam(): void {
  if (original) return;
  original = proto.applyGradients;
  proto.applyGradients = fastApply as unknown as ApplyGradients;
}

/** Restores tfjs' own AdamOptimizer.applyGradients (idempotent). */
export function uninstallFastAdam(): void {
  if (!original) return;
  proto.applyGradients = original;
  original = null;
}
