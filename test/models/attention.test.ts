/**
 * Multi-head self-attention against a direct computation (plain loops in float64): outputs,
 * weights that sum to one, the causal mask and the padding mask.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend, tf } from '../../src/backend/index.js';
import { SeqnetSelfAttention } from '../../src/models/layers/attention.js';

beforeAll(async () => {
  await initBackend({ device: 'cpu' });
});

const B = 2, T = 5, D = 8, H = 2;
const KEY_MASK = [[1, 1, 1, 1, 1], [1, 1, 1, 0, 0]];

/** out[b,i] = Σ_h softmax_j((q_h[i]·k_h[j]) / √dh + bias) v_h[j], then ·Wo + bo; also the weights [b][h][i][j] */
function naive(x: number[][][], w: number[][], wb: number[], wo: number[][], ob: number[], causal: boolean, mask: number[][]) {
  const dh = D / H;
  const proj = (row: number[], off: number) => Array.from({ length: D }, (_, o) => wb[off + o] + row.reduce((s, xi, i) => s + xi * w[i][off + o], 0));
  const out: number[][][] = [];
  const att: number[][][][] = [];
  for (let b = 0; b < B; b++) {
    const q = x[b].map((r) => proj(r, 0));
    const k = x[b].map((r) => proj(r, D));
    const v = x[b].map((r) => proj(r, 2 * D));
    const ctx = Array.from({ length: T }, () => new Array<number>(D).fill(0));
    att.push([]);
    for (let h = 0; h < H; h++) {
      att[b].push([]);
      for (let i = 0; i < T; i++) {
        const s: number[] = [];
        for (let j = 0; j < T; j++) {
          let dot = 0;
          for (let d = h * dh; d < (h + 1) * dh; d++) dot += q[i][d] * k[j][d];
          const hidden = (causal && j > i) || mask[b][j] === 0;
          s.push(hidden ? -Infinity : dot / Math.sqrt(dh));
        }
        const m = Math.max(...s);
        const e = s.map((z) => Math.exp(z - m));
        const sum = e.reduce((a, c) => a + c, 0);
        const p = e.map((z) => z / sum);
        att[b][h].push(p);
        for (let j = 0; j < T; j++) for (let d = h * dh; d < (h + 1) * dh; d++) ctx[i][d] += p[j] * v[j][d];
      }
    }
    out.push(ctx.map((c) => Array.from({ length: D }, (_, o) => ob[o] + c.reduce((s, ci, i) => s + ci * wo[i][o], 0))));
  }
  return { out, att };
}

function layerWithRandomWeights(causal: boolean) {
  const layer = new SeqnetSelfAttention({ heads: H, causal, seed: 3 });
  layer.apply(tf.input({ shape: [null, D] }));
  // non-zero biases so every term of the computation is exercised
  layer.setWeights(layer.getWeights().map((w, i) => tf.randomNormal(w.shape, 0, 0.5, 'float32', 10 + i)));
  return layer;
}

describe.each([false, true])('SeqnetSelfAttention (causal %s)', (causal) => {
  it('equals the direct computation, with weights that sum to one and respect the masks', () => {
    const layer = layerWithRandomWeights(causal);
    const [w, wb, wo, ob] = layer.getWeights().map((t) => t.arraySync());
    const x = tf.randomNormal([B, T, D], 0, 1, 'float32', 1) as tf.Tensor3D;
    const mask = tf.tensor2d(KEY_MASK);
    const { output, weights } = layer.attend(x, mask, false, true);
    const ref = naive(x.arraySync(), w as number[][], wb as number[], wo as number[][], ob as number[], causal, KEY_MASK);

    const got = output.arraySync();
    for (let b = 0; b < B; b++) for (let t = 0; t < T; t++) for (let d = 0; d < D; d++) expect(got[b][t][d]).toBeCloseTo(ref.out[b][t][d], 4);
    expect(weights!.shape).toEqual([B, H, T, T]);
    const p = weights!.arraySync();
    for (let b = 0; b < B; b++) {
      for (let h = 0; h < H; h++) {
        for (let i = 0; i < T; i++) {
          expect(p[b][h][i].reduce((a, c) => a + c, 0)).toBeCloseTo(1, 5);
          for (let j = 0; j < T; j++) {
            expect(p[b][h][i][j]).toBeCloseTo(ref.att[b][h][i][j], 5);
            if ((causal && j > i) || KEY_MASK[b][j] === 0) expect(p[b][h][i][j]).toBe(0);
          }
        }
      }
    }
    tf.dispose([x, mask, output, weights!]);
    layer.dispose();
  });
});

it('a causal layer does not let a position see later positions', () => {
  const layer = layerWithRandomWeights(true);
  const x = tf.randomNormal([1, T, D], 0, 1, 'float32', 2) as tf.Tensor3D;
  const changed = tf.concat([x.slice([0, 0, 0], [1, 3, D]), tf.randomNormal([1, T - 3, D], 0, 1, 'float32', 9)], 1) as tf.Tensor3D;
  const a = layer.attend(x, null).output.slice([0, 0, 0], [1, 3, D]);
  const b = layer.attend(changed, null).output.slice([0, 0, 0], [1, 3, D]);
  expect(Array.from(b.dataSync())).toEqual(Array.from(a.dataSync()));
  tf.dispose([x, changed, a, b]);
  layer.dispose();
});
