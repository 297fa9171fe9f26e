/**
 * The pre-norm transformer block op: `transformerBlock` is what models call.
 *   h = x + (Attention(LN1(x)) ⊙ mA),   y = h + (Dense_D(GELU(Dense_F(LN2(h)))) ⊙ mF)
 * (mA, mF: residual dropout multipliers, or none). In 'fast' mode (runtime.ts), while the
 * activations it pins fit a budget, the whole block is ONE tf.customGrad node. Separate ops would copy every intermediate out
 * of wasm memory into a fresh array and back in for the next op, and again in the backward pass;
 * here x goes in once, y comes out once, and what the backward pass needs stays in pinned wasm
 * blocks, held by the runtime until the backward pass (or, if its tape ends without one, the next).
 * Products as dense.ts' jobs (rows of C over a once-packed B; weight gradients over ranges of
 * tokens; inference on the weight cache's packed copies), layer norm / GELU / attention as in
 * layer_norm.ts, dense.ts and attention.ts. On enough sequences to keep every thread busy, the
 * forward pass (training or inference) is instead one kernel run as jobs of whole sequences
 * (blockRows): one hand-off to the threads per block. Otherwise it composes those ops (layerNorm, selfAttention, dense, dropout): the
 * same maths (tests compare values and gradients), drawing the same dropout masks in the same order.
 */
import { runtime, type Held } from '../runtime.js';
import { tf } from '../tf.js';
import * as wasm from '../wasm/index.js';
import { attentionBackwardAt, attentionBias, attentionForwardAt, geometry, probFloats, selfAttention } from './attention.js';
import { cachedWeights, dense, times, timesPacked, transTimesMany } from './dense.js';
import { backwardRows, blockRows, byRows, inferBlockRows, type BlockOptions, type Saved } from './transformer_rows.js';
import { dropout, dropoutMask } from './dropout.js';
import { layerNorm } from './layer_norm.js';

/** The fused kernel's weights, in the order it takes them. */
export const BLOCK_WEIGHTS = [
  'norm_1_gamma', 'norm_1_beta', 'qkv_kernel', 'qkv_bias', 'out_kernel', 'out_bias',
  'norm_2_gamma', 'norm_2_beta', 'ff_1_kernel', 'ff_1_bias', 'ff_2_kernel', 'ff_2_bias',
] as const;

/** Pinned bytes the block's training forward pass may hold, summed over blocks awaiting their backward pass. */
const PIN_BUDGET = 2 ** 30;

/**
 * Whether a training pass of a block of these sizes fits next to what is pinned already; where
 * it does not (large batches × long sequences), callers compose the separate fused ops instead,
 * which keep their activations in JS memory.
 */
export function blockFits(B: number, T: number, D: number, heads: number, F: number): boolean {
  runtime().releaseAbandoned(); // blocks held for a tape that ended without its backward pass
  const N = B * T;
  const floats = 7 * N * D + 4 * N + 2 * N * F + B * heads * T * T; // x ln1 qkv(3) ctx h ln2 | stats | pre g | P
  return wasm.pinnedBytes() + floats * 4 <= PIN_BUDGET;
}

/** a ⊙ m in place over n floats (m 0 = nothing to do) */
function mulInPlace(n: number, a: number, m: number): void {
  if (m) wasm.attentionRows().mulRows(1, n, n, a, m, 0, a);
}

export function transformerBlockFused(x: tf.Tensor3D, weights: tf.Tensor[], o: BlockOptions): tf.Tensor3D {
  const [B, T, D] = x.shape;
  const F = weights[8].shape[1] as number;
  const N = B * T, ND = N * D, NF = N * F;
  const ag = geometry({ shape: [B, T, 3 * D] }, o.heads, o.bias, o.causal);
  if (tf.engine().state.gradientDepth === 0 && !o.attnMask && !o.dropA && !o.dropF && byRows(B)) return inferBlockRows(x, weights, o, ag);
  const attnMask = o.attnMask ? (o.attnMask.dataSync() as Float32Array) : null;
  const dropA = o.dropA ? (o.dropA.dataSync() as Float32Array) : null;
  const dropF = o.dropF ? (o.dropF.dataSync() as Float32Array) : null;

  const op = tf.customGrad((...args: unknown[]) => {
    const ts = args.slice(0, 13) as tf.Tensor[];
    const v = ts.map((t) => t.dataSync() as Float32Array);
    const [xs, g1, b1, Wqkv, bqkv, Wo, bo, g2, b2, W1, bf1, W2, bf2] = v;
    const training = tf.engine().state.gradientDepth > 0;
    // what backward reads is pinned (first, while the stack is empty); inference uses scratch,
    // and the weight matrices packed once and pinned while unchanged (dense.ts' weight cache)
    const sizes = { x: ND, ln1: ND, m1: N, r1: N, qkv: 3 * ND, P: probFloats(ag), ctx: ND, h: ND, ln2: ND, m2: N, r2: N, pre: NF, g: NF };
    const held: Held | null = training ? runtime().holdForBackward(Object.values(sizes)) : null;
    const cached = training ? null : [[Wqkv, bqkv, D, 3 * D], [Wo, bo, D, D], [W1, bf1, D, F], [W2, bf2, F, D]].map(
      ([w, b, I, O]) => cachedWeights(w as Float32Array, b as Float32Array, I as number, O as number),
    );
    const ptrs = held ? held.ptrs : [];
    const mk = wasm.mark();
    const at = (Object.keys(sizes) as (keyof Saved)[]).reduce((acc, k, i) => {
      acc[k] = training ? ptrs[i] : wasm.alloc(sizes[k]);
      return acc;
    }, {} as Saved);
    const put = (a: Float32Array | null) => (a ? wasm.put(a) : 0);
    // h = x + a: without dropout the attention branch is added onto a copy of x, which inference
    // (needing no x for a backward pass) also normalises in place of x
    if (!training && !dropA) at.x = at.h;
    const rows = training && byRows(B); // the whole forward pass as jobs of whole sequences (blockRows)
    const h = wasm.heap();
    h.set(xs, at.x >> 2);
    if (!dropA && at.h !== at.x && !rows) h.set(xs, at.h >> 2);
    const [pg1, pb1, pg2, pb2] = [g1, b1, g2, b2].map(put);
    const [[pWqkv, pbqkv], [pWo, pbo], [pW1, pbf1], [pW2, pbf2]] = cached
      ? cached.map((c) => [c.pw, c.pb])
      : [[Wqkv, bqkv], [Wo, bo], [W1, bf1], [W2, bf2]].map((pair) => pair.map(put));
    /** c[M, O] (+)= a[M, K]·W, W [K, O] packed (inference) or as stored (training) */
    const product = (M: number, O: number, K: number, a: number, w: number, c: number, accumulate = false) =>
      cached ? timesPacked(M, O, K, a, w, c, accumulate) : times(M, O, K, a, w, false, c, accumulate);
    const pAttnMask = put(attnMask), pDropA = put(dropA), pDropF = put(dropF), pBias = put(ag.bias);

    const pf = wasm.alloc(ND); // y = h + f
    if (rows) {
      const pk = (w: number, K: number, O: number) => wasm.packB(K, O, w, false);
      blockRows(B, T, D, F, o, {
        ...at, Pd: pAttnMask ? wasm.alloc(probFloats(ag)) : 0, y: pf,
        bias: pBias, biasB: ag.biasB, biasQ: ag.biasQ, attnMask: pAttnMask, dropA: pDropA, dropF: pDropF,
        weights: [pg1, pb1, pk(pWqkv, D, 3 * D), pbqkv, pk(pWo, D, D), pbo, pg2, pb2, pk(pW1, D, F), pbf1, pk(pW2, F, D), pbf2],
      });
    } else {
      wasm.layerNorm(N, D, at.x, pg1, pb1, o.epsilon, at.ln1, at.m1, at.r1);
      product(N, 3 * D, D, at.ln1, pWqkv, at.qkv);
      wasm.addBias(N, 3 * D, at.qkv, pbqkv);
      attentionForwardAt(ag, at.qkv, pBias, pAttnMask, at.P, pAttnMask ? wasm.alloc(probFloats(ag)) : 0, at.ctx);
      if (pDropA) {
        const pa = wasm.alloc(ND);
        product(N, D, D, at.ctx, pWo, pa);
        wasm.addBias(N, D, pa, pbo);
        mulInPlace(ND, pa, pDropA);
        wasm.elementwise().addArrays(ND, at.x, pa, at.h);
      } else {
        product(N, D, D, at.ctx, pWo, at.h, true);
        wasm.addBias(N, D, at.h, pbo);
      }
      wasm.layerNorm(N, D, at.h, pg2, pb2, o.epsilon, at.ln2, at.m2, at.r2);
      product(N, F, D, at.ln2, pW1, at.pre);
      wasm.addBias(N, F, at.pre, pbf1);
      wasm.geluN(NF, at.pre, at.g);
      if (!pDropF) wasm.heap().copyWithin(pf >> 2, at.h >> 2, (at.h >> 2) + ND);
      product(N, D, F, at.g, pW2, pf, !pDropF);
      wasm.addBias(N, D, pf, pbf2);
      if (pDropF) {
        mulInPlace(ND, pf, pDropF);
        wasm.elementwise().addArrays(ND, at.h, pf, pf);
      }
    }
    const y = wasm.take(pf, ND);
    wasm.release(mk);

    return {
      value: tf.tensor3d(y, [B, T, D]),
      gradFunc: (dy: tf.Tensor) => {
        if (!held?.live) throw new Error('fused transformer block: its gradient can be taken once, inside the gradient scope it ran in');
        const m = wasm.mark();
        const pdy = wasm.put(dy.dataSync() as Float32Array);
        const [pWqkv2, pWo2, pW12, pW22, pg12, pg22] = [Wqkv, Wo, W1, W2, g1, g2].map((a) => wasm.put(a));
        const pDropA2 = put(dropA), pDropF2 = put(dropF), pAttnMask2 = put(attnMask);
        if (byRows(B)) {
          const grads = backwardRows(B, T, D, F, o, ag, at, {
            dy: pdy, g1: pg12, g2: pg22, Wqkv: pWqkv2, Wo: pWo2, W1: pW12, W2: pW22, attnMask: pAttnMask2, dropA: pDropA2, dropF: pDropF2,
          });
          wasm.release(m);
          held.release();
          return grads;
        }
        // second residual branch: y = h + f ⊙ mF
        const pdf = pDropF2 ? wasm.alloc(ND) : pdy;
        if (pDropF2) wasm.heap().copyWithin(pdf >> 2, pdy >> 2, (pdy >> 2) + ND);
        mulInPlace(ND, pdf, pDropF2);
        const dbf2 = wasm.colSums(N, D, pdf);
        const pdg = wasm.alloc(NF);
        times(N, F, D, pdf, pW22, true, pdg); // dg = df·W2ᵀ
        wasm.geluGradN(NF, at.pre, pdg, pdg);
        const dbf1 = wasm.colSums(N, F, pdg);
        const pdln2 = wasm.alloc(ND);
        times(N, D, F, pdg, pW12, true, pdln2);
        const pdh = wasm.alloc(ND), pdg2 = wasm.alloc(D), pdb2 = wasm.alloc(D);
        wasm.heap().fill(0, pdg2 >> 2, (pdg2 >> 2) + D);
        wasm.heap().fill(0, pdb2 >> 2, (pdb2 >> 2) + D);
        wasm.layerNormGrad(N, D, at.h, pdln2, pg22, at.m2, at.r2, pdh, pdg2, pdb2);
        wasm.elementwise().addArrays(ND, pdh, pdy, pdh); // dL/dh: through LN2 and the residual
        // first residual branch: h = x + a ⊙ mA
        const pda = pDropA2 ? wasm.alloc(ND) : pdh;
        if (pDropA2) wasm.heap().copyWithin(pda >> 2, pdh >> 2, (pdh >> 2) + ND);
        mulInPlace(ND, pda, pDropA2);
        const dbo = wasm.colSums(N, D, pda);
        const pdctx = wasm.alloc(ND);
        times(N, D, D, pda, pWo2, true, pdctx);
        const n = probFloats(ag);
        const pdqkv = wasm.alloc(3 * ND);
        attentionBackwardAt(ag, at.qkv, pAttnMask2, at.P, pAttnMask2 ? wasm.alloc(n) : 0, wasm.alloc(n), pdctx, pdqkv);
        const dbqkv = wasm.colSums(N, 3 * D, pdqkv);
        const pdln1 = wasm.alloc(ND);
        times(N, D, 3 * D, pdqkv, pWqkv2, true, pdln1);
        const pdx = wasm.alloc(ND), pdg1 = wasm.alloc(D), pdb1 = wasm.alloc(D);
        wasm.heap().fill(0, pdg1 >> 2, (pdg1 >> 2) + D);
        wasm.heap().fill(0, pdb1 >> 2, (pdb1 >> 2) + D);
        wasm.layerNormGrad(N, D, at.x, pdln1, pg12, at.m1, at.r1, pdx, pdg1, pdb1);
        wasm.elementwise().addArrays(ND, pdx, pdh, pdx);
        // the weight gradients aᵀ·b (a [N, rows], b [N, cols]), all four in one hand-off to the threads
        const [dWqkv, dWo, dW1, dW2] = transTimesMany(N, [[D, 3 * D, at.ln1, pdqkv], [D, D, at.ctx, pda], [D, F, at.ln2, pdg], [F, D, at.g, pdf]]);
        const out = [
          tf.tensor3d(wasm.take(pdx, ND), [B, T, D]),
          tf.tensor1d(wasm.take(pdg1, D)), tf.tensor1d(wasm.take(pdb1, D)),
          tf.tensor2d(dWqkv, [D, 3 * D]), tf.tensor1d(dbqkv), tf.tensor2d(dWo, [D, D]), tf.tensor1d(dbo),
          tf.tensor1d(wasm.take(pdg2, D)), tf.tensor1d(wasm.take(pdb2, D)),
          tf.tensor2d(dW1, [D, F]), tf.tensor1d(dbf1), tf.tensor2d(dW2, [F, D]), tf.tensor1d(dbf2),
        ];
        wasm.release(m);
        held.release();
        return out;
      },
    };
  });
  return op(x, ...weights) as tf.Tensor3D;
}

/** The block's weights (the layer stores them under its own names). */
export interface BlockWeights {
  /** norm_1 gamma, beta [D] */
  norm1Gamma: tf.Tensor1D; norm1Beta: tf.Tensor1D;
  /** qkv_kernel [D, 3D], qkv_bias [3D], out_kernel [D, D], out_bias [D] */
  qkvKernel: tf.Tensor2D; qkvBias: tf.Tensor1D; outKernel: tf.Tensor2D; outBias: tf.Tensor1D;
  /** norm_2 gamma, beta [D] */
  norm2Gamma: tf.Tensor1D; norm2Beta: tf.Tensor1D;
  /** ff_1_kernel [D, F], ff_1_bias [F], ff_2_kernel [F, D], ff_2_bias [D] */
  ff1Kernel: tf.Tensor2D; ff1Bias: tf.Tensor1D; ff2Kernel: tf.Tensor2D; ff2Bias: tf.Tensor1D;
}

export interface BlockConfig {
  heads: number;
  /** each position sees only itself and earlier positions */
  causal: boolean;
  epsilon: number;
  /** dropout on the attention weights and both residual branches, while training */
  rate: number;
}

/**
 * x [B, T, D], keyMask [B, T] (1 real, 0 padding) or null → [B, T, D]. In 'fast' mode the fused
 * block pins its activations in wasm memory until the backward pass; past a budget (large batch ×
 * sequence) the composed ops keep them in JS memory instead.
 */
export function transformerBlock(x: tf.Tensor3D, w: BlockWeights, cfg: BlockConfig, keyMask: tf.Tensor2D | null, training: boolean): tf.Tensor3D {
  return tf.tidy(() => {
    const drop = training && cfg.rate > 0;
    const [B, T, D] = x.shape;
    const F = w.ff1Kernel.shape[1];
    if (runtime().fast && blockFits(B, T, D, cfg.heads, F)) {
      // masks drawn in the order the composed path draws them: attention weights, then each branch
      const attnMask = drop ? dropoutMask([B, T, cfg.heads, T], cfg.rate) : null;
      const dropA = drop ? dropoutMask([B, T, D], cfg.rate) : null;
      const dropF = drop ? dropoutMask([B, T, D], cfg.rate) : null;
      const bias = attentionBias(T, false, keyMask); // padding only: the kernels hide later keys themselves
      const ordered = [
        w.norm1Gamma, w.norm1Beta, w.qkvKernel, w.qkvBias, w.outKernel, w.outBias,
        w.norm2Gamma, w.norm2Beta, w.ff1Kernel, w.ff1Bias, w.ff2Kernel, w.ff2Bias,
      ];
      return transformerBlockFused(x, ordered, { heads: cfg.heads, causal: cfg.causal, epsilon: cfg.epsilon, bias, attnMask, dropA, dropF });
    }
    const attn = { qkvKernel: w.qkvKernel, qkvBias: w.qkvBias, outKernel: w.outKernel, outBias: w.outBias };
    const ln1 = layerNorm(x, w.norm1Gamma, w.norm1Beta, cfg.epsilon) as tf.Tensor3D;
    const a = selfAttention(ln1, attn, { heads: cfg.heads, causal: cfg.causal, rate: cfg.rate }, keyMask, drop).output;
    const h = x.add(dropout(a, cfg.rate, drop));
    const f = dense(dense(layerNorm(h, w.norm2Gamma, w.norm2Beta, cfg.epsilon), w.ff1Kernel, w.ff1Bias, 'gelu'), w.ff2Kernel, w.ff2Bias, 'linear');
    return h.add(dropout(f, cfg.rate, drop)) as tf.Tensor3D;
  });
}
