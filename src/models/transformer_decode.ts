/**
 * Token-by-token inference for a causal transformer language model with a key/value cache: each
 * new token runs its own position through the blocks (decodeBlocks: in wasm memory on the packed
 * weights, the attention over the cache in JS), attending to the keys and values the
 * earlier positions left in the cache, instead of re-running the whole window.
 *
 * Same outputs as re-running the window (WindowStepper in stepper.ts, the reference twin that
 * `--kernels reference` uses), up to float rounding:
 * - the prime, or any feed of several tokens, runs through the model's own layers, as the window
 *   run does, and leaves each block's keys and values [n, D] in the cache;
 * - while the context fits the window (seqLen), a new token at position p adds row p of the
 *   position table, as in the window run, and appends its key and value;
 * - once the context would exceed the window, the window run sees the last seqLen tokens at
 *   positions 0…seqLen-1, so every cached key and value changes: the cache is rebuilt from the
 *   last seqLen tokens through the model's layers (one window pass per token from then on, the
 *   old cost).
 */
import { runtime, tf } from '../backend/index.js';
import { decodeBlocks, newRowCache, releaseRowCache, type DecodeWeights, type RowCache } from '../backend/ops/decode_block.js';
import { dense, denseRows, type DenseAct } from '../backend/ops/dense.js';
import { layerNorm, layerNormRows } from '../backend/ops/layer_norm.js';
import { SeqnetTransformerBlock } from './layers/block.js';
import { SeqnetDense } from './layers/dense.js';
import { SeqnetLayerNorm } from './layers/norm.js';
import { SeqnetPositional, sinusoids } from './layers/positional.js';

/** layers that act on each position alone: they run on the new positions only */
const POSITION_WISE = new Set(['Embedding', 'Dense', 'Dropout', 'SeqnetDense', 'SeqnetDropout', 'SeqnetLayerNorm']);

/** weight name → tensor of a block, by the name the block gave it (block_1/qkv_kernel → qkv_kernel) */
function blockWeights(l: SeqnetTransformerBlock): DecodeWeights {
  return Object.fromEntries(l.weights.map((w) => [w.originalName.split('/').pop()!, w.read()])) as unknown as DecodeWeights;
}

/** The embedding rows of the ids (one per row) [B, D], or undefined for an id outside the table. */
function lookup(l: tf.layers.Layer, rows: number[][]): Float32Array | undefined {
  const table = l.weights[0].read();
  const [V, D] = table.shape as [number, number];
  const values = table.dataSync() as Float32Array;
  const out = new Float32Array(rows.length * D);
  for (let b = 0; b < rows.length; b++) {
    const id = rows[b][0];
    if (!(Number.isInteger(id) && id >= 0 && id < V)) return undefined; // the layer's own gather says what is wrong
    out.set(values.subarray(id * D, (id + 1) * D), b * D);
  }
  return out;
}

/**
 * A cached stepper for `layers` (a chain model's layers after its input), or undefined when the
 * fast kernels are off or the chain is not a causal transformer language model: position-wise
 * layers, one position table, then causal blocks, then position-wise layers.
 */
export function transformerStepper(layers: tf.layers.Layer[], seqLen: number): TransformerStepper | undefined {
  if (!runtime().fast) return undefined;
  const blocks = layers.filter((l) => l instanceof SeqnetTransformerBlock);
  const positions = layers.filter((l) => l instanceof SeqnetPositional);
  const first = layers.indexOf(blocks[0]);
  // one position table before the blocks, and the blocks one after another (step() runs them as a group)
  if (!blocks.length || positions.length !== 1 || layers.indexOf(positions[0]) > first) return undefined;
  if (blocks.some((b, i) => layers[first + i] !== b)) return undefined;
  for (const l of layers) {
    if (l instanceof SeqnetTransformerBlock ? !l.causal : l instanceof SeqnetPositional ? false : !POSITION_WISE.has(l.getClassName()) || l.getConfig().maskZero === true) {
      return undefined; // e.g. a padding mask, a [CLS] token or a pooling layer: not a plain causal LM
    }
  }
  return new TransformerStepper(layers, seqLen);
}

export class TransformerStepper {
  /** the context's tokens, one row per batch row; at most seqLen each */
  private context: number[][] = [];
  /** [block][batch row] */
  private caches: RowCache[][] = [];
  private readonly blocks: { layer: SeqnetTransformerBlock; w: DecodeWeights }[];
  /** layers before the first block and after the last: position-wise, and the position table */
  private readonly before: tf.layers.Layer[];
  private readonly after: tf.layers.Layer[];
  private readonly seqLen: number;
  private readonly scores: Float32Array;
  /** the sinusoid table [maxLen, D] (learned positions are read from the layer) */
  private fixed: tf.Tensor2D | undefined;

  constructor(
    private readonly layers: tf.layers.Layer[],
    seqLen: number,
  ) {
    const pos = layers.find((l) => l instanceof SeqnetPositional) as SeqnetPositional;
    this.seqLen = Math.min(seqLen, pos.maxLen);
    const blocks = layers.filter((l) => l instanceof SeqnetTransformerBlock) as SeqnetTransformerBlock[];
    this.blocks = blocks.map((layer) => ({ layer, w: blockWeights(layer) }));
    this.before = layers.slice(0, layers.indexOf(blocks[0]));
    this.after = layers.slice(layers.indexOf(blocks[blocks.length - 1]) + 1);
    this.scores = new Float32Array(this.seqLen);
  }

  /** ids [B, n] (the prime, then one token at a time) → next-token logits [B, V] */
  feed(ids: tf.Tensor2D): tf.Tensor2D {
    const rows = ids.arraySync() as number[][];
    const len = this.context[0]?.length ?? 0;
    if (len > 0 && rows[0].length === 1 && len < this.seqLen) return this.step(rows);
    this.context = rows.map((r, b) => [...(this.context[b] ?? []), ...r].slice(-this.seqLen));
    return this.prefill();
  }

  /** the whole context through the model's own layers; the cache from each block's input */
  private prefill(): tf.Tensor2D {
    const B = this.context.length, n = this.context[0].length;
    const [logits, ...qkvs] = tf.tidy(() => {
      let h: tf.Tensor = tf.tensor2d(this.context, [B, n], 'int32');
      const qkv: tf.Tensor[] = [];
      for (const l of this.layers) {
        if (l instanceof SeqnetTransformerBlock) qkv.push(this.project(l, this.blocks[qkv.length].w, h)); // [B, n, 3D]
        h = l.apply(h, { training: false }) as tf.Tensor;
      }
      return [h.slice([0, n - 1, 0], [-1, 1, -1]).squeeze([1]), ...qkv];
    });
    this.releaseCaches();
    this.caches = qkvs.map((t) => {
      const D = t.shape[2]! / 3;
      const all = t.dataSync() as Float32Array;
      t.dispose();
      return Array.from({ length: B }, (_, b) => {
        const c = newRowCache(this.seqLen, D);
        for (let p = 0; p < n; p++) {
          const row = (b * n + p) * 3 * D;
          c.k.set(all.subarray(row + D, row + 2 * D), p * D);
          c.v.set(all.subarray(row + 2 * D, row + 3 * D), p * D);
        }
        return c;
      });
    });
    return logits as tf.Tensor2D;
  }

  /** q | k | v = LN_1(x)·Wqkv + b of block l: x [..., D] → [..., 3D] */
  private project(l: SeqnetTransformerBlock, w: DecodeWeights, x: tf.Tensor): tf.Tensor {
    return dense(layerNorm(x, w.norm_1_gamma, w.norm_1_beta, l.epsilon), w.qkv_kernel as tf.Tensor2D, w.qkv_bias as tf.Tensor1D, 'linear');
  }

  /**
   * One new token per row, at position p = the context's length: each block as
   * SeqnetTransformerBlock computes it (dropout off), with the attention over the cache.
   */
  private step(rows: number[][]): tf.Tensor2D {
    const B = rows.length, p = this.context[0].length;
    const logits = tf.tidy(() => {
      let h: tf.Tensor | Float32Array = tf.tensor2d(rows, [B, 1], 'int32');
      for (const l of this.before) h = this.through(l, h, B, p, rows);
      const x = h instanceof Float32Array ? h : (h.dataSync() as Float32Array); // [B, D]
      const steps = this.blocks.map(({ layer: l, w }, i) => ({ w, cfg: { heads: l.heads, epsilon: l.epsilon }, caches: this.caches[i] }));
      h = decodeBlocks(steps, x, p, this.scores);
      for (const l of this.after) h = this.through(l, h, B, p, rows);
      return h instanceof Float32Array ? tf.tensor2d(h, [B, h.length / B]) : (h.squeeze([1]) as tf.Tensor2D);
    });
    rows.forEach((r, b) => this.context[b].push(r[0]));
    return logits;
  }

  /**
   * One position-wise layer on the new position of every row: on plain arrays [B, ·] where the
   * layer is one the generator knows (the embedding lookup, the position row, layer norm, dense,
   * dropout, all at inference), else as the tf layer on [B, 1, ·].
   */
  private through(l: tf.layers.Layer, h: tf.Tensor | Float32Array, B: number, p: number, rows: number[][]): tf.Tensor | Float32Array {
    const rowsOut = h instanceof Float32Array ? this.rows(l, h, p) : l.getClassName() === 'Embedding' ? lookup(l, rows) : undefined;
    if (rowsOut) return rowsOut;
    const t = h instanceof Float32Array ? tf.tensor3d(h, [B, 1, h.length / B]) : h;
    return l instanceof SeqnetPositional ? t.add(this.table(l, t.shape[2]!).slice([p, 0], [1, -1])) : (l.call(t, { training: false }) as tf.Tensor);
  }

  /** x [B, D] through layer l at position p, or undefined when l is not one this handles on arrays */
  private rows(l: tf.layers.Layer, x: Float32Array, p: number): Float32Array | undefined {
    const name = l.getClassName();
    if (name === 'Dropout' || name === 'SeqnetDropout') return x;
    if (l instanceof SeqnetPositional) {
      const D = x.length / this.context.length;
      const row = (this.table(l, D).dataSync() as Float32Array).subarray(p * D, (p + 1) * D);
      return x.map((v, i) => v + row[i % D]);
    }
    const w = l.weights.map((v) => v.read());
    if (l instanceof SeqnetLayerNorm) return layerNormRows(x, w[0], w[1], l.epsilon);
    if (l instanceof SeqnetDense && ['linear', 'relu', 'gelu'].includes(l.activation)) {
      return denseRows(x, w[0] as tf.Tensor2D, w[1] as tf.Tensor1D, l.activation as DenseAct);
    }
    const cfg = l.getConfig();
    if (name === 'Dense' && cfg.useBias !== false && (cfg.activation === 'linear' || cfg.activation === 'relu')) {
      return denseRows(x, w[0] as tf.Tensor2D, w[1] as tf.Tensor1D, cfg.activation);
    }
    return undefined;
  }

  private releaseCaches(): void {
    this.caches.flat().forEach(releaseRowCache);
    this.caches = [];
  }

  /** positions [maxLen, D]: the learned table, or the layer's sinusoids */
  private table(l: SeqnetPositional, D: number): tf.Tensor2D {
    if (l.mode === 'learned') return l.weights[0].read() as tf.Tensor2D;
    this.fixed ??= tf.keep(tf.tensor2d(sinusoids(l.maxLen, D), [l.maxLen, D]));
    return this.fixed;
  }

  dispose(): void {
    this.releaseCaches();
    this.context = [];
    this.fixed?.dispose();
    this.fixed = undefined;
  }
}
