/**
 * The native recurrent kernels (native/gates.c, seq.c, seq_loop.c) against their wasm twins on the
 * same memory: every cell's forward and backward gate math (U not a multiple of the vector width,
 * masked rows, saturating and NaN inputs), the f64 column sums, the layout helpers both time
 * directions, and the whole timestep loops with the recurrent weights packed by each library's own
 * packB (the two packed layouts differ).
 */
import { describe, expect, it } from 'vitest';
import type { KernelExports } from '../../../src/backend/wasm/interface.js';
import { CELLS, type CellSpec } from '../../../src/backend/ops/recurrent/cells.js';
import { canBuildNative, maxRelDiff, twins, type Twins } from './harness.js';

/** One step's gate math: polynomial transcendentals on both sides; only FMA contraction differs. */
const GATE_TOL = 1e-5;
/**
 * Whole loops: each step's h·U is a sum of U products in a different order (8x32 tiles against
 * wasm's), ~sqrt(U)·1e-7 relative, and it feeds the next step through T steps of the recurrence
 * (these cases measure at most 6e-7; the gate math alone at most 2e-7).
 */
const LOOP_TOL = 2e-5;

/** Outputs start as the same garbage on both sides, so a slot one side leaves or skips shows. */
interface Out { name: string; init: Float32Array }

/** Runs `call` once per library on fresh copies of the outputs; returns [wasm, native] results by name. */
function runBoth(t: Twins, outs: Out[], call: (k: KernelExports, p: Record<string, number>) => void) {
  const res = [t.wasm, t.native].map((k) => {
    const p = Object.fromEntries(outs.map((o) => [o.name, t.put(o.init)]));
    call(k, p);
    return Object.fromEntries(outs.map((o) => [o.name, t.get(p[o.name], o.init.length)]));
  });
  return { wasm: res[0], native: res[1] };
}

function expectTwins(r: ReturnType<typeof runBoth>, tol: number): void {
  for (const name of Object.keys(r.wasm)) {
    const d = maxRelDiff(r.native[name], r.wasm[name]);
    expect(d, `${name}: max rel diff ${d}`).toBeLessThanOrEqual(tol);
  }
}

/** Batch rows 1, 4, 7, … masked out (float mask, 0 = skip), or no mask (pointer 0). */
const rowMask = (t: Twins, B: number, on: boolean): number => (on ? t.put(Array.from({ length: B }, (_, b) => (b % 3 === 1 ? 0 : 1))) : 0);

const CELL_LIST: CellSpec[] = Object.values(CELLS);

describe.skipIf(!canBuildNative())('native recurrent kernels', () => {
  it('exports every recurrent kernel under its wasm name', () => {
    const t = twins();
    for (const n of ['lstmForward', 'lstmBackward', 'gruForward', 'gruBackward', 'rnnForward', 'rnnBackward', 'colSums',
      'toSteps', 'fromSteps', 'seqOutputs', 'addOutputGrad', 'seqForwardRows', 'seqBackwardRows']) expect(t.names).toContain(n);
  });

  for (const cell of CELL_LIST) {
    for (const [B, U] of [[1, 5], [33, 37], [6, 256], [3, 16], [2, 31]]) {
      for (const masked of [false, true]) {
        it(`${cell.type} gates B=${B} U=${U}${masked ? ' masked rows' : ''}: forward and backward`, () => {
          const t = twins(B * 100 + U + (masked ? 7 : 0));
          const GU = cell.G * U, SU = cell.S * U;
          const xs = t.randn(B * GU, 2);
          xs[0] = 200; // past the exp clamp both ways
          xs[1 % xs.length] = -200;
          if (B > 2) xs[2 * GU + (U >> 1)] = NaN; // row 2 is not masked: NaN must come out at the same places
          const xp = t.put(xs), rec = t.put(t.randn(B * GU, 1.5)), rb = t.put(t.randn(GU, 0.3));
          const hIn = t.put(t.randn(B * U)), cIn = t.put(t.randn(B * U)), mask = rowMask(t, B, masked);
          const fwd = runBoth(t, [
            { name: 'h', init: t.randn(B * U) }, { name: 'c', init: t.randn(B * U) }, { name: 'sv', init: t.randn(B * SU) },
          ], (k, p) => {
            if (cell.kind === 0) k.lstmForward(B, U, xp, rec, hIn, p.h, cIn, p.c, p.sv, mask);
            else if (cell.kind === 1) k.gruForward(B, U, xp, rec, rb, hIn, p.h, p.sv, mask);
            else k.rnnForward(B, U, xp, rec, hIn, p.h, p.sv, mask);
          });
          expectTwins(fwd, GATE_TOL);
          if (B > 2) expect(fwd.native.h.some(Number.isNaN)).toBe(true);

          // backward from the forward's saved activations (finite ones: the NaN row is replaced)
          const svs = fwd.wasm.sv.map((v) => (Number.isNaN(v) ? 0.5 : v));
          const sv = t.put(svs), dh = t.put(t.randn(B * U)), cp = cIn, hp = hIn;
          const bwd = runBoth(t, [
            { name: 'gx', init: t.randn(B * GU) }, { name: 'gr', init: t.randn(B * GU) },
            { name: 'dhd', init: t.randn(B * U) }, { name: 'dc', init: t.randn(B * U) },
          ], (k, p) => {
            if (cell.kind === 0) k.lstmBackward(B, U, p.gx, dh, p.dc, p.dhd, sv, cp, mask);
            else if (cell.kind === 1) k.gruBackward(B, U, p.gx, p.gr, dh, p.dhd, sv, hp, mask);
            else k.rnnBackward(B, U, p.gx, dh, p.dhd, sv, mask);
          });
          expectTwins(bwd, GATE_TOL);
        });
      }
    }
  }

  for (const [rows, cols] of [[1, 1], [7, 37], [300, 1024], [33, 5]]) {
    it(`colSums ${rows}x${cols} in f64: the same floats`, () => {
      const t = twins(rows + cols);
      const m = t.put(t.randn(rows * cols, 100));
      const r = runBoth(t, [{ name: 'out', init: t.randn(cols) }], (k, p) => k.colSums(rows, cols, m, p.out, t.alloc(2 * cols)));
      expect(maxRelDiff(r.native.out, r.wasm.out)).toBe(0);
    });
  }

  for (const back of [false, true]) {
    for (const masked of [false, true]) {
      it(`layouts and outputs, goBackwards=${back}${masked ? ', masked steps' : ''}: exactly the same`, () => {
        const t = twins(back ? 2 : 3);
        const B = 5, T = 6, X = 7, U = 37;
        const src = t.put(t.randn(B * T * X));
        // step-order mask [T, B]: row 0 masked at the first steps, row 3 in the middle, row 4 always
        const mk = Array.from({ length: T * B }, (_, i) => {
          const s = Math.floor(i / B), b = i % B;
          return (b === 0 && s < 2) || (b === 3 && s === 3) || b === 4 ? 0 : 1;
        });
        const mask = masked ? t.put(mk) : 0;
        const H = t.put(t.randn((T + 1) * B * U)), dout = t.put(t.randn(B * T * U));
        const r = runBoth(t, [
          { name: 'steps', init: t.randn(B * T * X) }, { name: 'back', init: t.randn(B * T * X) },
          { name: 'out', init: t.randn(B * T * U) }, { name: 'dh', init: t.randn(B * U) }, { name: 'carry', init: t.randn(B * U) },
        ], (k, p) => {
          k.toSteps(B, T, X, src, p.steps, +back);
          k.fromSteps(B, T, X, p.steps, p.back, +back);
          k.seqOutputs(B, T, U, H, mask, +back, p.out);
          for (let s = T - 1; s >= 0; s--) k.addOutputGrad(B, T, U, s, back ? T - 1 - s : s, dout, p.dh, p.carry, mask);
        });
        expectTwins(r, 0);
        expect([...r.native.back]).toEqual([...t.get(src, B * T * X)]); // fromSteps undoes toSteps
      });
    }
  }

  // [B, U, T, masked, goBackwards]
  const loops: [number, number, number, boolean, boolean][] = [[1, 5, 3, false, false], [33, 37, 5, true, true], [6, 256, 4, true, false], [9, 16, 6, false, true]];
  for (const cell of CELL_LIST) {
    for (const [B, U, T, masked, back] of loops) {
      it(`${cell.type} timestep loops B=${B} U=${U} T=${T}${masked ? ' masked' : ''}${back ? ' backwards' : ''}`, () => {
        const t = twins(B + U + T + cell.kind);
        const GU = cell.G * U, SU = cell.S * U, N = T * B, BU = B * U;
        const ur = t.put(t.randn(U * GU, 1 / Math.sqrt(U)));
        // each library's recurrent weight, packed by its own packB: U [U, GU] and Uᵀ [GU, U]
        const packed = (k: KernelExports) => {
          const up = t.alloc(k.packedFloats(U, GU)), ut = t.alloc(k.packedFloats(GU, U));
          k.packB(U, GU, ur, GU, 0, up);
          k.packB(GU, U, ur, GU, 1, ut);
          return { up, ut, ws: t.alloc(k.workspaceBytes() / 4) };
        };
        const pk = new Map([[t.wasm, packed(t.wasm)], [t.native, packed(t.native)]]);
        // step-order mask: every third row off at step 1, row 0 off at step 0, the last row off throughout
        const mask = masked ? t.put(Array.from({ length: N }, (_, i) => {
          const s = Math.floor(i / B), b = i % B;
          return (b % 3 === 1 && s === 1) || (b === 0 && s === 0) || (B > 1 && b === B - 1) ? 0 : 1;
        })) : 0;
        const xp = t.put(t.randn(N * GU)), rb = cell.hasRecurrentBias ? t.put(t.randn(GU, 0.3)) : 0;
        const H0 = new Float32Array((T + 1) * BU);
        H0.set(t.randn(BU));
        const C0 = new Float32Array((T + 1) * BU);
        C0.set(t.randn(BU));
        // the native run in two slices of rows, as two threads would
        const slices = (k: KernelExports) => (k === t.native && B > 1 ? [[0, B >> 1], [B >> 1, B]] : [[0, B]]);
        const fwd = runBoth(t, [
          { name: 'H', init: H0 }, { name: 'C', init: C0 }, { name: 'SV', init: new Float32Array(N * SU) },
          { name: 'REC', init: new Float32Array(BU * cell.G) },
        ], (k, p) => {
          const { up, ws } = pk.get(k)!;
          const block = [cell.kind, B, T, U, cell.G, cell.S, +back, xp, up, rb, p.H, cell.hasC ? p.C : 0, p.SV, mask, p.REC];
          const at = t.alloc(block.length);
          new Int32Array(t.heap().buffer, at, block.length).set(block);
          for (const [b0, b1] of slices(k)) k.seqForwardRows(b0, b1, at, ws);
        });
        delete fwd.wasm.REC; // scratch
        delete fwd.native.REC;
        expectTwins(fwd, LOOP_TOL);

        // backward from the wasm forward's saved state (the same inputs for both)
        const H = t.put(fwd.wasm.H), C = cell.hasC ? t.put(fwd.wasm.C) : 0, SV = t.put(fwd.wasm.SV);
        const dout = t.put(t.randn(B * T * U));
        const bwd = runBoth(t, [
          { name: 'GX', init: t.randn(N * GU) }, { name: 'GR', init: t.randn(N * GU) },
          { name: 'dh', init: t.randn(BU) }, { name: 'dhd', init: new Float32Array(BU) },
          { name: 'dc', init: t.randn(BU) }, { name: 'carry', init: new Float32Array(BU) },
        ], (k, p) => {
          const { ut, ws } = pk.get(k)!;
          const gr = cell.hasRecurrentBias ? p.GR : p.GX;
          const block = [cell.kind, B, T, U, cell.G, cell.S, +back, p.GX, gr, ut, dout, p.dh, p.dhd,
            cell.hasC ? p.dc : 0, masked ? p.carry : 0, H, C, SV, mask];
          const at = t.alloc(block.length);
          new Int32Array(t.heap().buffer, at, block.length).set(block);
          for (const [b0, b1] of slices(k)) k.seqBackwardRows(b0, b1, at, ws);
        });
        expectTwins(bwd, LOOP_TOL);
      });
    }
  }
});
